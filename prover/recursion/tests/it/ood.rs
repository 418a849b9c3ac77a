//! The out-of-domain check of a real chunk proof as a circuit: the transcript replayed
//! in-circuit from the commitments and public values gives α and ζ, and the chunk AIR's
//! symbolic constraints at ζ, folded with α, equal the quotient times Z_H(ζ). Every input class,
//! altered, makes the circuit's final assertion fail: natively (the program does not
//! run) and in the tables (the witness a cheating prover would commit to violates the
//! assertion's addition row).

use p3_baby_bear::BabyBear;
use p3_field::PrimeCharacteristicRing;
use p3_uni_stark::Proof;
use sq_prover_circuits::prove_chunk;
use sq_prover_circuits::stark::ChunkStarkConfig;
use sq_prover_circuits::testing::{genesis, honest_transfers};
use sq_prover_recursion::child::challenges;
use sq_prover_recursion::chunk_circuit::{build, hints, ChildShape, ChunkCircuit};
use sq_prover_recursion::circuit::ood::{assert_ood, OodError, OodInputs};
use sq_prover_recursion::circuit::tables::Table;
use sq_prover_recursion::circuit::{Builder, Circuit, Ext, RunError};
use sq_prover_recursion::opening_air::OpeningAir;
use sq_prover_recursion::OpeningShape;

use crate::common::table_violations;

type F = BabyBear;

/// A chunk proof's public values, hints and shape, and its natively replayed (α, ζ).
struct Child {
    publics: Vec<F>,
    hints: Vec<Ext>,
    shape: ChildShape,
    native: (Ext, Ext),
}

fn child() -> Child {
    let w = genesis()
        .and_then(|mut s| s.chunk(honest_transfers))
        .expect("honest chunk");
    let chunk = prove_chunk(&w).expect("proves");
    let proof: Proof<ChunkStarkConfig> = postcard::from_bytes(&chunk.proof).expect("decodes");
    let publics = w.public.to_fields();
    let native = challenges(&proof, &publics).expect("transcript");
    Child {
        hints: hints(&proof, &publics).expect("the proof verifies natively"),
        publics,
        shape: ChildShape::of(&proof),
        native,
    }
}

#[test]
fn a_chunk_proofs_constraints_hold_at_zeta_in_circuit() {
    let c = child();
    let ChunkCircuit {
        circuit,
        alpha,
        zeta,
    } = build(c.shape);
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
    let failing = table_violations(circuit, &w, publics);
    let last_add = circuit.layout().adds.len() - 1;
    assert_eq!(failing, vec![(Table::Add, last_add)], "{what}");
}

#[test]
fn every_altered_input_fails_the_check() {
    let c = child();
    let circuit = build(c.shape).circuit;
    let bump = |hints: &mut Vec<Ext>, i: usize| hints[i] += Ext::ONE;
    let (w, k) = (sq_prover_circuits::air::WIDTH, c.shape.quotient_chunks);
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
    let taller = ChildShape {
        degree_bits: c.shape.degree_bits + 1,
        ..c.shape
    };
    let circuit = build(taller).circuit;
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
