//! The out-of-domain check of a real chunk proof as a circuit: the transcript replayed
//! in-circuit from the commitments and public values gives α and ζ, and the chunk AIR's
//! symbolic constraints at ζ, folded with α, equal the quotient times Z_H(ζ). Every input class,
//! altered, makes the circuit's final assertion fail: natively (the program does not
//! run) and in the tables (the witness a cheating prover would commit to violates the
//! assertion's addition row).

use p3_air::check_all_constraints;
use p3_baby_bear::BabyBear;
use p3_field::PrimeCharacteristicRing;
use p3_uni_stark::Proof;
use sq_prover_circuits::air::ChunkAir;
use sq_prover_circuits::prove_chunk;
use sq_prover_circuits::stark::ChunkStarkConfig;
use sq_prover_circuits::testing::{genesis, honest_transfers};
use sq_prover_recursion::child::{challenges, seeded_challenger};
use sq_prover_recursion::circuit::challenger::{stark_challenges, Challenger};
use sq_prover_recursion::circuit::ood::{assert_ood, OodError, OodInputs};
use sq_prover_recursion::circuit::tables::{Table, TableAir, TABLES};
use sq_prover_recursion::circuit::{Builder, Circuit, Ext, RunError, Slot};
use sq_prover_recursion::opening_air::OpeningAir;
use sq_prover_recursion::OpeningShape;

type F = BabyBear;

/// A chunk proof, its public values, and the hints of its out-of-domain check in order:
/// trace row at ζ, at gζ, quotient chunk coordinates, trace commitment, quotient
/// commitment; and the natively replayed (α, ζ).
struct Child {
    publics: Vec<F>,
    hints: Vec<Ext>,
    width: usize,
    chunks: usize,
    degree_bits: usize,
    native: (Ext, Ext),
}

fn child() -> Child {
    let w = genesis()
        .and_then(|mut s| s.chunk(honest_transfers))
        .expect("honest chunk");
    let chunk = prove_chunk(&w).expect("proves");
    let proof: Proof<ChunkStarkConfig> = postcard::from_bytes(&chunk.proof).expect("decodes");
    let publics = w.public.to_fields();
    let (alpha, zeta) = challenges(&proof, &publics).expect("transcript");
    let o = &proof.opened_values;
    let next = o
        .trace_next
        .clone()
        .expect("the chunk AIR reads the next row");
    let mut hints: Vec<Ext> = o.trace_local.iter().chain(&next).copied().collect();
    hints.extend(o.quotient_chunks.iter().flatten().copied());
    let commitments = [&proof.commitments.trace, &proof.commitments.quotient_chunks];
    hints.extend(commitments.iter().flat_map(|c| c.roots()[0].map(Ext::from)));
    Child {
        publics,
        hints,
        width: o.trace_local.len(),
        chunks: o.quotient_chunks.len(),
        degree_bits: proof.degree_bits,
        native: (alpha, zeta),
    }
}

/// The transcript replay and out-of-domain check of the chunk AIR for a child of this
/// shape; also the slots of α and ζ.
fn ood_circuit(c: &Child, degree_bits: usize) -> (Circuit, Slot, Slot) {
    let mut b = Builder::new();
    let publics: Vec<Slot> = (0..c.publics.len()).map(|_| b.public()).collect();
    let local = (0..c.width).map(|_| b.hint()).collect();
    let next = (0..c.width).map(|_| b.hint()).collect();
    let quotient_chunks = (0..c.chunks)
        .map(|_| [b.hint(), b.hint(), b.hint(), b.hint()])
        .collect();
    let trace_commitment: [Slot; 8] = core::array::from_fn(|_| b.hint());
    let quotient_commitment: [Slot; 8] = core::array::from_fn(|_| b.hint());
    let mut challenger = Challenger::from_native(&mut b, &seeded_challenger(degree_bits, c.chunks));
    let (alpha, zeta) = stark_challenges(
        &mut b,
        &mut challenger,
        &trace_commitment,
        &publics,
        &quotient_commitment,
    );
    let inputs = OodInputs {
        local,
        next,
        publics,
        quotient_chunks,
        zeta,
        alpha,
        degree_bits,
    };
    assert_ood(&mut b, &ChunkAir, &inputs).expect("the chunk AIR compiles");
    (Circuit::new(b.build()), alpha, zeta)
}

#[test]
fn a_chunk_proofs_constraints_hold_at_zeta_in_circuit() {
    let c = child();
    let (circuit, alpha, zeta) = ood_circuit(&c, c.degree_bits);
    let w = circuit.program().run(&c.publics, &c.hints).expect("runs");
    assert_eq!(
        (w[alpha.index()], w[zeta.index()]),
        c.native,
        "the native transcript's"
    );
    let proof = circuit.prove(&c.publics, &c.hints).expect("proves");
    circuit.verify(&c.publics, &proof).expect("verifies");
}

/// Each altered input fails the final assertion natively, and the witness computed
/// through it violates exactly one row: the assertion's addition row `0 + 0 = d`.
fn assert_refused(what: &str, circuit: &Circuit, publics: &[F], hints: &[Ext]) {
    assert!(
        matches!(
            circuit.program().run(publics, hints),
            Err(RunError::Assertion(_))
        ),
        "{what}"
    );
    let w = circuit
        .program()
        .run_unchecked(publics, hints)
        .expect("runs");
    let traces = circuit.traces(&w);
    let layout = std::sync::Arc::new(circuit.layout().clone());
    let mut failing = Vec::new();
    for (&table, trace) in TABLES.iter().zip(&traces) {
        let pv = if table == Table::Public { publics } else { &[] };
        let air = TableAir::new(table, std::sync::Arc::clone(&layout));
        for f in check_all_constraints(&air, trace, pv, None).failures {
            failing.push((table, f.row));
        }
    }
    failing.dedup();
    let last_add = circuit.layout().adds.len() - 1;
    assert_eq!(failing, vec![(Table::Add, last_add)], "{what}");
}

#[test]
fn every_altered_input_fails_the_check() {
    let c = child();
    let (circuit, _, _) = ood_circuit(&c, c.degree_bits);
    let bump = |hints: &mut Vec<Ext>, i: usize| hints[i] += Ext::ONE;
    let (w, k) = (c.width, c.chunks);
    // (what, hint index): a trace value at ζ (a lane cell and a transfer column), at gζ,
    // a quotient chunk coordinate of the first and last chunk, an element of each
    // commitment (which moves α and ζ).
    let cases = [
        ("trace at zeta, lane cell", w - 1),
        ("trace at zeta, first column", 0),
        ("trace at g·zeta", w + 5),
        ("quotient chunk 0", 2 * w),
        ("quotient chunk k-1, last coordinate", 2 * w + 4 * k - 1),
        ("trace commitment", 2 * w + 4 * k),
        ("quotient commitment", 2 * w + 4 * k + 15),
    ];
    for (what, i) in cases {
        let mut hints = c.hints.clone();
        bump(&mut hints, i);
        assert_refused(what, &circuit, &c.publics, &hints);
    }
    // A public value of the child (its claim): refused the same way.
    let mut publics = c.publics.clone();
    publics[3] += F::ONE;
    assert_refused("a public value", &circuit, &publics, &c.hints);
}

#[test]
fn a_check_compiled_for_another_trace_height_refuses_the_child() {
    let c = child();
    let (circuit, _, _) = ood_circuit(&c, c.degree_bits + 1);
    assert!(matches!(
        circuit.program().run(&c.publics, &c.hints),
        Err(RunError::Assertion(_))
    ));
}

#[test]
fn an_air_with_periodic_columns_is_refused_at_compile_time() {
    let air = OpeningAir::new(OpeningShape::new(8, 2).expect("shape"));
    let mut b = Builder::new();
    let inputs = OodInputs {
        local: vec![],
        next: vec![],
        publics: vec![],
        quotient_chunks: vec![],
        zeta: b.zero(),
        alpha: b.zero(),
        degree_bits: 3,
    };
    assert_eq!(
        assert_ood(&mut b, &air, &inputs),
        Err(OodError::Unsupported {
            periodic: 37,
            preprocessed: 0
        })
    );
}
