//! Batch verification: an honest batch of three chunks verifies; each kind of bad
//! submission gives its own error.

use std::sync::OnceLock;

use sq_prover_circuits::hash::{Digest, F};
use sq_prover_circuits::prove_chunk;
use sq_prover_circuits::testing::random_batch;
use sq_prover_verifier::{
    verify_batch, BatchClaim, BatchProof, CodecError, VerifyError, PROTOCOL_VERSION,
};

/// An honest 7-transfer batch proven in three chunks (3 + 3 + 1), and its claim.
fn honest() -> &'static (BatchProof, BatchClaim) {
    static HONEST: OnceLock<(BatchProof, BatchClaim)> = OnceLock::new();
    HONEST.get_or_init(|| {
        let w = random_batch(7, 5, 42).expect("batch");
        w.check().expect("honest batch");
        let chunks = w
            .chunks(3)
            .expect("chunks")
            .iter()
            .map(|c| prove_chunk(c).expect("proves"))
            .collect();
        let claim = BatchClaim {
            batch: w.batch,
            root_before: w.root_before,
            root_after: w.root_after,
            commitment: w.commitment,
            fee_recipient: w.fee_recipient,
        };
        let proof = BatchProof {
            protocol_version: PROTOCOL_VERSION.to_owned(),
            batch: w.batch,
            chunks,
        };
        (proof, claim)
    })
}

#[test]
fn honest_batch_verifies_and_round_trips() {
    let (proof, claim) = honest();
    assert_eq!(proof.chunks.len(), 3);
    let v = verify_batch(proof, claim, PROTOCOL_VERSION).expect("verifies");
    assert_eq!(v.chunks, 3);
    assert!(!v.succinct);
    assert!(v.note.contains("NOT recursive"));
    assert_eq!(v.circuit_id, sq_prover_circuits::vk_hash());
    let bytes = proof.to_bytes().expect("encodes");
    let back = BatchProof::from_bytes(&bytes).expect("decodes");
    assert_eq!(&back, proof);
    verify_batch(&back, claim, PROTOCOL_VERSION).expect("verifies after round trip");
}

#[test]
fn wrong_root_claim_is_rejected() {
    let (proof, claim) = honest();
    let other = Digest([F::new(3); 8]);
    let bad = BatchClaim {
        root_after: other,
        ..*claim
    };
    assert!(matches!(
        verify_batch(proof, &bad, PROTOCOL_VERSION),
        Err(VerifyError::RootAfter { .. })
    ));
    let bad = BatchClaim {
        root_before: other,
        ..*claim
    };
    assert!(matches!(
        verify_batch(proof, &bad, PROTOCOL_VERSION),
        Err(VerifyError::RootBefore { .. })
    ));
    let bad = BatchClaim {
        commitment: other,
        ..*claim
    };
    assert!(matches!(
        verify_batch(proof, &bad, PROTOCOL_VERSION),
        Err(VerifyError::Commitment { .. })
    ));
}

#[test]
fn missing_chunk_is_rejected() {
    let (proof, claim) = honest();
    let mut p = proof.clone();
    p.chunks.remove(1);
    assert_eq!(
        verify_batch(&p, claim, PROTOCOL_VERSION),
        Err(VerifyError::Discontinuity { chunk: 1 })
    );
    let mut p = proof.clone();
    p.chunks.clear();
    assert_eq!(
        verify_batch(&p, claim, PROTOCOL_VERSION),
        Err(VerifyError::NoChunks)
    );
}

#[test]
fn reordered_chunks_are_rejected() {
    let (proof, claim) = honest();
    let mut p = proof.clone();
    p.chunks.swap(1, 2);
    assert_eq!(
        verify_batch(&p, claim, PROTOCOL_VERSION),
        Err(VerifyError::Discontinuity { chunk: 1 })
    );
}

#[test]
fn wrong_protocol_version_is_rejected() {
    let (proof, claim) = honest();
    assert!(matches!(
        verify_batch(proof, claim, "0.2.0"),
        Err(VerifyError::ProtocolVersion { .. })
    ));
    let bad = BatchClaim {
        batch: claim.batch + 1,
        ..*claim
    };
    assert!(matches!(
        verify_batch(proof, &bad, PROTOCOL_VERSION),
        Err(VerifyError::WrongBatch { .. })
    ));
}

#[test]
fn a_forged_chunk_proof_is_rejected() {
    // The chaining is intact but the middle chunk's proof belongs to other public inputs.
    let (proof, claim) = honest();
    let mut p = proof.clone();
    p.chunks[1].proof = p.chunks[0].proof.clone();
    assert!(matches!(
        verify_batch(&p, claim, PROTOCOL_VERSION),
        Err(VerifyError::Chunk { chunk: 1, .. })
    ));
}

#[test]
fn truncated_and_garbage_bytes_are_rejected() {
    let (proof, _) = honest();
    let bytes = proof.to_bytes().expect("encodes");
    for len in [0, 2, 10, bytes.len() / 2, bytes.len() - 1] {
        assert_eq!(
            BatchProof::from_bytes(&bytes[..len]),
            Err(CodecError::Truncated),
            "truncated to {len}"
        );
    }
    assert_eq!(
        BatchProof::from_bytes(b"GARBAGE!"),
        Err(CodecError::BadMagic)
    );
    let mut extra = bytes.clone();
    extra.extend_from_slice(&[1, 2, 3]);
    assert_eq!(
        BatchProof::from_bytes(&extra),
        Err(CodecError::TrailingBytes(3))
    );
    let mut garbage = b"SQBP".to_vec();
    garbage.extend_from_slice(&[0xff; 64]);
    assert!(matches!(
        BatchProof::from_bytes(&garbage),
        Err(CodecError::Malformed(_) | CodecError::Truncated)
    ));
}
