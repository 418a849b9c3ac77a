//! The compression round over a real scheduler proof (a one-chunk batch: leaf, scheduler):
//! its program runs on the scheduler's public values and refuses any other statement
//! (batch number, root, protocol version, circuit digest) inside the circuit, not by a
//! native pre-check; its proof in the L1 configuration verifies against those values
//! only; and its verifying key on L1 is stable and differs per protocol version.

use std::sync::OnceLock;

use p3_baby_bear::BabyBear;
use p3_field::PrimeCharacteristicRing;
use sq_prover_circuits::prove_chunk;
use sq_prover_circuits::testing::random_batch;
use sq_prover_recursion::aggregation::{prove_batch, SchedulerProof};
use sq_prover_recursion::circuit::RunError;
use sq_prover_recursion::compression::{
    compression_key, compression_witness, prove_compression, verify_compressed,
};

const VERSION: &str = "0.1.0";

/// A one-chunk batch of 2 transfers aggregated to its scheduler proof, with its batch
/// number (made once, shared by the tests of this module).
fn scheduler() -> &'static (SchedulerProof, u64) {
    static SCHEDULER: OnceLock<(SchedulerProof, u64)> = OnceLock::new();
    SCHEDULER.get_or_init(|| {
        let batch = random_batch(2, 4, 21).expect("batch");
        let chunk = batch.chunks(2).expect("chunks").remove(0);
        let p = prove_chunk(&chunk).expect("proves");
        let child = (
            postcard::from_bytes(&p.proof).expect("decodes"),
            chunk.public.to_fields(),
        );
        let s = prove_batch(&[child], 2, batch.batch, VERSION).expect("aggregates");
        (s, batch.batch)
    })
}

#[test]
fn the_compression_circuit_restates_the_scheduler_claim_and_nothing_else() {
    let (s, batch) = scheduler();
    let (circuit, publics, hints) = compression_witness(s, *batch, VERSION).expect("witness");
    circuit
        .program()
        .run(&publics, &hints)
        .expect("the honest statement");
    // Each other statement, with the honest proof's hints: the in-circuit verifier of the
    // scheduler proof fails (its transcript observes the public values).
    for (what, at) in [
        ("batch number", 0),
        ("root before", 4),
        ("root after", 12),
        ("commitment", 20),
        ("fee recipient", 28),
        ("protocol version", 34),
        ("circuit digest", 42),
    ] {
        let mut other = publics.clone();
        other[at] += BabyBear::ONE;
        match circuit.program().run(&other, &hints) {
            Err(RunError::Assertion { .. }) => {}
            other => panic!("{what}: expected a failed assertion, got {other:?}"),
        }
    }
}

#[test]
fn a_compressed_proof_verifies_for_its_claim_only() {
    let (s, batch) = scheduler();
    let batch = *batch;
    let c = prove_compression(s, batch, VERSION).expect("compresses");
    let digest = verify_compressed(&c, batch, &s.claim, VERSION).expect("verifies");
    assert_ne!(digest, [BabyBear::ZERO; 8]);
    assert!(verify_compressed(&c, batch + 1, &s.claim, VERSION).is_err());
    let mut other = s.claim.clone();
    other[8] += BabyBear::ONE;
    assert!(verify_compressed(&c, batch, &other, VERSION).is_err());
    // Another protocol version means another scheduler and compression circuit.
    assert!(verify_compressed(&c, batch, &s.claim, "0.2.0").is_err());
    // The scheduler proof cannot be compressed as another batch's: the compression
    // witness needs a scheduler proof that verifies for the statement.
    assert!(prove_compression(s, batch + 1, VERSION).is_err());

    let key = compression_key(&s.shape, VERSION).expect("key");
    assert_eq!(key, compression_key(&s.shape, VERSION).expect("key"));
    assert_ne!(key, compression_key(&s.shape, "0.2.0").expect("key"));
}
