//! The node round over real leaf proofs: two leaves of consecutive chunks merge into
//! their range; leaves that do not chain are refused. (Proving the node itself takes
//! minutes in a debug build: `aggregate_bench` does it in release.)

use p3_baby_bear::BabyBear;
use p3_uni_stark::Proof;
use sq_prover_circuits::prove_chunk;
use sq_prover_circuits::stark::ChunkStarkConfig;
use sq_prover_circuits::testing::random_batch;
use sq_prover_recursion::batch_verifier::ChildKey;
use sq_prover_recursion::chunk_circuit::ChildShape;
use sq_prover_recursion::circuit::{Circuit, CircuitProof, RunError};
use sq_prover_recursion::leaf_circuit::{self, leaf_claim, leaf_hints};
use sq_prover_recursion::node_circuit::{self, node_hints, NodeChild};

type F = BabyBear;

/// A leaf proof over one chunk, with its claim.
struct Leaf {
    claim: Vec<F>,
    proof: CircuitProof,
}

/// Three one-chunk leaves over a 3-transfer batch, and the leaf circuit they share.
fn leaves() -> (Circuit, Vec<Leaf>) {
    let batch = random_batch(3, 5, 11).expect("batch");
    let chunks = batch.chunks(1).expect("chunks");
    let proofs: Vec<(Proof<ChunkStarkConfig>, Vec<F>)> = chunks
        .iter()
        .map(|w| {
            let p = prove_chunk(w).expect("proves").proof;
            (
                postcard::from_bytes(&p).expect("decodes"),
                w.public.to_fields(),
            )
        })
        .collect();
    let circuit = leaf_circuit::build(&[ChildShape::of(&proofs[0].0)]);
    let leaves = proofs
        .iter()
        .take(3)
        .map(|(proof, publics)| {
            let hints = leaf_hints(&[(proof, publics.clone())]).expect("hints");
            let claim = leaf_claim(std::slice::from_ref(publics));
            let proof = circuit.prove(&claim, &hints).expect("the leaf proves");
            Leaf { claim, proof }
        })
        .collect();
    (circuit, leaves)
}

fn run(key: &ChildKey, left: &Leaf, right: &Leaf) -> Result<(), RunError> {
    let node = node_circuit::build(key, key);
    let hints = node_hints(
        &NodeChild {
            key,
            proof: &left.proof,
            claim: &left.claim,
        },
        &NodeChild {
            key,
            proof: &right.proof,
            claim: &right.claim,
        },
    )
    .expect("both leaves verify natively");
    let merged = leaf_claim(&[left.claim.clone(), right.claim.clone()]);
    node.program().run(&merged, &hints).map(|_| ())
}

#[test]
fn two_leaves_merge_and_leaves_that_do_not_chain_are_refused() {
    let (circuit, leaves) = leaves();
    let key = ChildKey::of(&circuit).expect("key");
    run(&key, &leaves[0], &leaves[1]).expect("consecutive leaves merge");
    for (what, (l, r)) in [("a gap", (0, 2)), ("out of order", (1, 0))] {
        match run(&key, &leaves[l], &leaves[r]) {
            Err(RunError::Assertion { check, .. }) => assert_eq!(check, "chaining", "{what}"),
            other => panic!("{what}: expected the chaining check to fail, got {other:?}"),
        }
    }
}
