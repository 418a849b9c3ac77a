//! The node and scheduler rounds over real leaf proofs: two leaves of consecutive chunks
//! merge into their range; leaves that do not chain are refused; the scheduler states a
//! batch claim only for a proof that starts the batch, with the claim's roots and the
//! child circuit's digest. (Proving the node itself takes
//! minutes in a debug build: `aggregate_bench` does it in release.)

use p3_baby_bear::BabyBear;
use p3_field::PrimeCharacteristicRing;
use p3_uni_stark::Proof;
use sq_prover_circuits::prove_chunk;
use sq_prover_circuits::stark::ChunkStarkConfig;
use sq_prover_circuits::testing::random_batch;
use sq_prover_circuits::witness::PublicInputs;
use sq_prover_recursion::batch_verifier::ChildKey;
use sq_prover_recursion::chunk_circuit::ChildShape;
use sq_prover_recursion::circuit::{Circuit, CircuitProof, RunError};
use sq_prover_recursion::leaf_circuit::{self, leaf_claim, leaf_hints};
use sq_prover_recursion::node_circuit::{self, node_hints, NodeChild};
use sq_prover_recursion::scheduler_circuit::{
    self, scheduler_hints, SchedulerClaim, SCHEDULER_PUBLICS,
};

type F = BabyBear;

/// A leaf proof over one chunk, with its claim.
struct Leaf {
    claim: Vec<F>,
    proof: CircuitProof,
    public: PublicInputs,
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
    let publics: Vec<PublicInputs> = chunks.iter().map(|w| w.public).collect();
    let circuit = leaf_circuit::build(&[ChildShape::of(&proofs[0].0).expect("shape")]);
    let leaves = proofs
        .iter()
        .zip(publics)
        .map(|((proof, fields), public)| {
            let hints = leaf_hints(&[(proof, fields.clone())]).expect("hints");
            let claim = leaf_claim(std::slice::from_ref(fields));
            let proof = circuit.prove(&claim, &hints).expect("the leaf proves");
            Leaf {
                claim,
                proof,
                public,
            }
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

/// The scheduler over `leaf` claiming `claim`: the check that fails, if any.
fn schedule(key: &ChildKey, leaf: &Leaf, claim: &SchedulerClaim) -> Result<(), &'static str> {
    let scheduler = scheduler_circuit::build(key, "0.1.0");
    let hints = scheduler_hints(key, &leaf.proof, &leaf.claim).expect("the leaf verifies");
    match scheduler.program().run(&claim.to_fields(), &hints) {
        Ok(_) => Ok(()),
        Err(RunError::Assertion { check, .. }) => Err(check),
        Err(e) => panic!("the scheduler did not run: {e}"),
    }
}

#[test]
fn leaves_merge_in_nodes_and_a_scheduler_states_the_batch_claim() {
    let (circuit, leaves) = leaves();
    let key = ChildKey::of(&circuit).expect("key");
    // A one-chunk batch: the scheduler over its leaf states the batch claim.
    let claim = SchedulerClaim {
        batch: 7,
        state: leaves[0].public,
        protocol_version: "0.1.0".into(),
        circuit_digest: key.digest(),
    };
    assert_eq!(claim.to_fields().len(), SCHEDULER_PUBLICS);
    schedule(&key, &leaves[0], &claim).expect("the batch claim holds");
    let mut other_digest = claim.clone();
    other_digest.circuit_digest[0] += F::ONE;
    assert_eq!(
        schedule(&key, &leaves[0], &other_digest),
        Err("circuit digest")
    );
    let other_version = SchedulerClaim {
        protocol_version: "0.2.0".into(),
        ..claim.clone()
    };
    assert_eq!(
        schedule(&key, &leaves[0], &other_version),
        Err("protocol version")
    );
    let mut other_root = claim.clone();
    other_root.state.root_after = leaves[1].public.root_after;
    assert_eq!(schedule(&key, &leaves[0], &other_root), Err("batch claim"));
    let middle = SchedulerClaim {
        state: leaves[1].public,
        ..claim.clone()
    };
    assert_eq!(schedule(&key, &leaves[1], &middle), Err("batch start"));

    run(&key, &leaves[0], &leaves[1]).expect("consecutive leaves merge");
    for (what, (l, r)) in [("a gap", (0, 2)), ("out of order", (1, 0))] {
        match run(&key, &leaves[l], &leaves[r]) {
            Err(RunError::Assertion { check, .. }) => assert_eq!(check, "chaining", "{what}"),
            other => panic!("{what}: expected the chaining check to fail, got {other:?}"),
        }
    }
}
