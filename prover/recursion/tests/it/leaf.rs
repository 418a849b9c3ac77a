//! The leaf round's circuit over real chunk proofs of one batch: consecutive chunks
//! merge into the range's claim; chunks that do not chain, come from another batch, or
//! a claim that is not the merge are refused by the check they break.

use p3_baby_bear::BabyBear;
use p3_field::PrimeCharacteristicRing;
use p3_uni_stark::Proof;
use sq_prover_circuits::prove_chunk;
use sq_prover_circuits::stark::ChunkStarkConfig;
use sq_prover_circuits::testing::random_batch;
use sq_prover_recursion::chunk_circuit::ChildShape;
use sq_prover_recursion::circuit::{Circuit, Ext, RunError};
use sq_prover_recursion::leaf_circuit::{build, leaf_claim, leaf_hints};

type F = BabyBear;

/// A proven chunk: its proof and public values.
struct Chunk {
    proof: Proof<ChunkStarkConfig>,
    publics: Vec<F>,
}

/// The chunks (2 transfers each) of a 6-transfer batch.
fn batch(seed: u64) -> Vec<Chunk> {
    let batch = random_batch(6, 5, seed).expect("batch");
    batch
        .chunks(2)
        .expect("chunks")
        .iter()
        .map(|w| Chunk {
            proof: postcard::from_bytes(&prove_chunk(w).expect("proves").proof).expect("decodes"),
            publics: w.public.to_fields(),
        })
        .collect()
}

fn leaf(children: &[&Chunk]) -> (Circuit, Vec<Ext>, Vec<F>) {
    let shapes: Vec<ChildShape> = children
        .iter()
        .map(|c| ChildShape::of(&c.proof).expect("shape"))
        .collect();
    let inputs: Vec<(&Proof<ChunkStarkConfig>, Vec<F>)> = children
        .iter()
        .map(|c| (&c.proof, c.publics.clone()))
        .collect();
    let hints = leaf_hints(&inputs).expect("children verify natively");
    let publics: Vec<Vec<F>> = children.iter().map(|c| c.publics.clone()).collect();
    (build(&shapes), hints, leaf_claim(&publics))
}

fn refused_by(c: &Circuit, claim: &[F], hints: &[Ext]) -> &'static str {
    match c.program().run(claim, hints) {
        Err(RunError::Assertion { check, .. }) => check,
        other => panic!("expected a failed check, got {:?}", other.map(|_| ())),
    }
}

#[test]
fn consecutive_chunks_merge_into_their_range() {
    let chunks = batch(1);
    let (c, hints, claim) = leaf(&[&chunks[0], &chunks[1]]);
    c.program().run(&claim, &hints).expect("the leaf holds");
    assert_eq!(
        &claim[..8],
        &chunks[0].publics[..8],
        "root before of the first"
    );
    assert_eq!(
        &claim[8..16],
        &chunks[1].publics[8..16],
        "root after of the last"
    );
    let proof = c.prove(&claim, &hints).expect("proves");
    c.verify(&claim, &proof).expect("verifies");
}

#[test]
fn chunks_that_do_not_chain_are_refused() {
    let chunks = batch(1);
    let other = batch(2);
    for (what, pair) in [
        ("a gap", [&chunks[0], &chunks[2]]),
        ("out of order", [&chunks[1], &chunks[0]]),
        ("another batch's chunk", [&chunks[0], &other[1]]),
    ] {
        let (c, hints, claim) = leaf(&pair);
        assert_eq!(refused_by(&c, &claim, &hints), "chaining", "{what}");
    }
}

#[test]
fn a_claim_that_is_not_the_merge_is_refused() {
    let chunks = batch(1);
    let (c, hints, mut claim) = leaf(&[&chunks[0], &chunks[1]]);
    // The first chunk's root after, claimed as the range's.
    claim[8..16].copy_from_slice(&chunks[0].publics[8..16]);
    assert_eq!(refused_by(&c, &claim, &hints), "merged claim");
}

#[test]
fn a_child_with_altered_public_values_is_refused_by_its_own_verifier() {
    let chunks = batch(1);
    let (c, mut hints, claim) = leaf(&[&chunks[0], &chunks[1]]);
    // The second child's public values start right after the first child's hints.
    let second = hints.len() / 2;
    hints[second + 3] += Ext::ONE;
    assert_eq!(
        refused_by(&c, &claim, &hints),
        "out-of-domain constraint check"
    );
}
