//! The recursion circuit of a real chunk proof (`chunk_circuit`): the whole verifier
//! in-circuit. An honest child proves and verifies; each altered part of the child is
//! refused by the check it belongs to (the first failing assertion, natively), and the
//! witness a cheating prover would compute through it violates only assertion rows (the
//! addition table's `0 + 0 = d`), never a relation of the tables.

use p3_baby_bear::BabyBear;
use p3_field::PrimeCharacteristicRing;
use p3_uni_stark::Proof;
use sq_prover_circuits::prove_chunk;
use sq_prover_circuits::stark::ChunkStarkConfig;
use sq_prover_circuits::testing::{genesis, honest_transfers};
use sq_prover_recursion::child::challenges;
use sq_prover_recursion::chunk_circuit::{build, hints, ChildShape, ChunkCircuit};
use sq_prover_recursion::circuit::tables::Table;
use sq_prover_recursion::circuit::{Circuit, Ext, RunError};
use sq_prover_recursion::fri_witness::fri_config;

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
        shape: ChildShape::of(&proof).expect("shape"),
        native,
    }
}

#[test]
fn a_chunk_proof_is_verified_in_circuit() {
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

/// Where each part of the child sits among the hints.
struct Offsets {
    width: usize,
    chunks: usize,
    height: usize,
    fri: usize,
    query: usize,
    query_len: usize,
    round0: usize,
}

fn offsets(c: &Child) -> Offsets {
    let width = sq_prover_circuits::air::WIDTH;
    let chunks = c.shape.quotient_chunks;
    let cfg = fri_config(&[c.shape.degree_bits + 2]);
    let h = cfg.log_height();
    let fri = 2 * width + 4 * chunks + 16;
    let query = fri + 8 * cfg.log_arities.len() + 2;
    let round0 = width + 4 * chunks + 16 * h;
    let mut remaining = h;
    let mut rounds = 0;
    for &a in &cfg.log_arities {
        remaining -= a;
        rounds += (1 << a) - 1 + 8 * remaining;
    }
    Offsets {
        width,
        chunks,
        height: h,
        fri,
        query,
        query_len: round0 + rounds,
        round0,
    }
}

/// The first failing check of `circuit` on these inputs, and the rows a cheating
/// witness computed through them violates.
fn refusal(circuit: &Circuit, publics: &[F], hints: &[Ext]) -> &'static str {
    let check = match circuit.program().run(publics, hints) {
        Err(RunError::Assertion { check, .. }) => check,
        other => panic!("expected a failed check, got {:?}", other.map(|_| ())),
    };
    let w = circuit
        .program()
        .run_unchecked(publics, hints)
        .expect("runs");
    let failing = table_violations(circuit, &w, publics);
    assert!(!failing.is_empty(), "{check}: no row fails");
    assert!(
        failing.iter().all(|&(table, _)| table == Table::Add),
        "{check}: a relation row fails: {failing:?}"
    );
    check
}

#[test]
fn every_altered_part_of_the_child_is_refused_by_its_check() {
    let c = child();
    let circuit = build(c.shape).circuit;
    let o = offsets(&c);
    let q5 = o.query + 5 * o.query_len;
    let cases = [
        ("trace row at zeta", 3, "out-of-domain constraint check"),
        (
            "trace row at g·zeta",
            o.width + 7,
            "out-of-domain constraint check",
        ),
        (
            "quotient chunk at zeta",
            2 * o.width + 4 * o.chunks - 1,
            "out-of-domain constraint check",
        ),
        (
            "trace commitment",
            2 * o.width + 4 * o.chunks,
            "out-of-domain constraint check",
        ),
        (
            "quotient commitment",
            2 * o.width + 4 * o.chunks + 12,
            "out-of-domain constraint check",
        ),
        ("commit-phase commitment", o.fri + 3, "query proof of work"),
        ("final polynomial", o.query - 2, "query proof of work"),
        ("proof-of-work witness", o.query - 1, "query proof of work"),
        ("opened trace row", q5 + 11, "trace opening"),
        (
            "opened quotient row",
            q5 + o.width + 8 * o.height + 2,
            "quotient opening",
        ),
        ("trace path", q5 + o.width + 8 * 3 + 1, "trace opening"),
        ("quotient path", q5 + o.round0 - 1, "quotient opening"),
        (
            "commit-phase sibling value",
            q5 + o.round0,
            "commit-phase opening",
        ),
        (
            "commit-phase path",
            q5 + o.round0 + 8,
            "commit-phase opening",
        ),
    ];
    for (what, i, expected) in cases {
        let mut hints = c.hints.clone();
        hints[i] += Ext::ONE;
        assert_eq!(refusal(&circuit, &c.publics, &hints), expected, "{what}");
    }
    let mut publics = c.publics.clone();
    publics[3] += F::ONE;
    assert_eq!(
        refusal(&circuit, &publics, &c.hints),
        "out-of-domain constraint check",
        "a public value"
    );
}

#[test]
fn a_circuit_for_another_trace_height_refuses_the_child() {
    let c = child();
    let taller = ChildShape {
        degree_bits: c.shape.degree_bits + 1,
        ..c.shape
    };
    let circuit = build(taller).circuit;
    // More hints are expected than the child has: pad them, the check still fails.
    let mut hints = c.hints.clone();
    hints.resize(circuit.program().hints(), Ext::ZERO);
    assert!(matches!(
        circuit.program().run(&c.publics, &hints),
        Err(RunError::Assertion { .. })
    ));
}

#[test]
fn malformed_children_are_refused_before_the_circuit() {
    use sq_prover_recursion::child::ChildError;
    let w = genesis()
        .and_then(|mut s| s.chunk(honest_transfers))
        .expect("honest chunk");
    let bytes = prove_chunk(&w).expect("proves").proof;
    let publics = w.public.to_fields();
    let decode = || -> Proof<ChunkStarkConfig> { postcard::from_bytes(&bytes).expect("decodes") };
    let mut short_row = decode();
    short_row.opened_values.trace_local.pop();
    assert!(matches!(
        hints(&short_row, &publics),
        Err(ChildError::Transcript(_))
    ));
    let mut tall = decode();
    tall.degree_bits = 40;
    assert!(matches!(hints(&tall, &publics), Err(ChildError::Shape(_))));
    let mut extra_chunk = decode();
    let chunk = extra_chunk.opened_values.quotient_chunks[0].clone();
    extra_chunk.opened_values.quotient_chunks.push(chunk);
    assert!(matches!(
        hints(&extra_chunk, &publics),
        Err(ChildError::Transcript(_))
    ));
    let mut ground = decode();
    ground.ood_pow_witness = F::ONE;
    assert!(matches!(
        hints(&ground, &publics),
        Err(ChildError::Transcript(_))
    ));
    let mut no_final = decode();
    no_final.opening_proof.final_poly.clear();
    assert!(matches!(
        hints(&no_final, &publics),
        Err(ChildError::Transcript(_))
    ));
    assert!(matches!(
        hints(&decode(), &publics[..3]),
        Err(ChildError::Transcript(_))
    ));
}
