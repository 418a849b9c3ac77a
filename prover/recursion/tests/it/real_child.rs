//! The opening AIR on a real child: the trace-commitment openings of a chunk proof, at
//! the proof's own query positions, against the root the proof commits to.

use p3_uni_stark::Proof;
use sq_prover_circuits::stark::ChunkStarkConfig;
use sq_prover_circuits::testing::{genesis, honest_transfers, random_batch};
use sq_prover_circuits::witness::ChunkWitness;
use sq_prover_circuits::{air, prove_chunk};
use sq_prover_recursion::opening_trace::generate;
use sq_prover_recursion::{
    prove_openings, trace_openings, verify_openings, violations, ChildError,
};

fn honest() -> ChunkWitness {
    genesis()
        .and_then(|mut s| s.chunk(honest_transfers))
        .expect("honest chunk")
}

fn proof_of(w: &ChunkWitness) -> Proof<ChunkStarkConfig> {
    let chunk = prove_chunk(w).expect("proves");
    postcard::from_bytes(&chunk.proof).expect("decodes")
}

#[test]
fn the_trace_openings_of_a_chunk_proof_satisfy_the_opening_air() {
    let w = honest();
    let proof = proof_of(&w);
    let child = trace_openings(&w, &proof).expect("openings");
    assert_eq!(child.root, proof.commitments.trace.roots()[0]);
    assert_eq!(child.openings.len(), 42, "one opening per FRI query");
    assert_eq!(child.shape.leaf_width(), air::WIDTH);
    assert_eq!(
        child.shape.depth(),
        proof.degree_bits + 2,
        "LDE of blowup 4"
    );
    let trace = generate(&child.shape, &child.openings).expect("fits");
    let failures = violations(&child.shape, &trace, &child.root);
    assert!(failures.is_empty(), "{failures:?}");
    let opening_proof = prove_openings(&child.shape, &child.root, &child.openings).expect("proves");
    verify_openings(&child.shape, &child.root, &opening_proof).expect("verifies");
}

#[test]
fn a_witness_that_is_not_the_proofs_is_refused() {
    let proof = proof_of(&honest());
    let batch = random_batch(4, 5, 3).expect("another batch");
    let other = batch.chunks(4).expect("chunks").remove(0);
    assert_eq!(trace_openings(&other, &proof), Err(ChildError::Commitment));
}
