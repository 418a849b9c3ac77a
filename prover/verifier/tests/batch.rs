//! Batch verification on one recursive proof: an honest batch of three chunks (two leaves,
//! one node, the scheduler) verifies; each kind of bad submission is refused for its own
//! reason — the cheap comparison of claims where the proof states another claim, the
//! recursive proof itself where the stated claim is forged to match.

use std::sync::OnceLock;

use sq_prover_circuits::hash::{Digest, F};
use sq_prover_circuits::prove_chunk;
use sq_prover_circuits::testing::random_batch;
use sq_prover_recursion::aggregation::{prove_batch, ShapeToken};
use sq_prover_verifier::{
    verify_batch, BatchClaim, BatchProof, CodecError, TreeShape, VerifyError, PROTOCOL_VERSION,
};

/// An honest 7-transfer batch proven in three chunks (3 + 3 + 1) and aggregated (leaves
/// of two chunks), as bytes, and its claim.
fn honest() -> &'static (Vec<u8>, BatchClaim) {
    static HONEST: OnceLock<(Vec<u8>, BatchClaim)> = OnceLock::new();
    HONEST.get_or_init(|| {
        let w = random_batch(7, 5, 42).expect("batch");
        w.check().expect("honest batch");
        let chunks: Vec<_> = w
            .chunks(3)
            .expect("chunks")
            .iter()
            .map(|c| {
                let p = prove_chunk(c).expect("proves");
                let proof = postcard::from_bytes(&p.proof).expect("decodes");
                (proof, c.public.to_fields())
            })
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
            proof: prove_batch(&chunks, 2, w.batch, PROTOCOL_VERSION).expect("aggregates"),
        };
        (proof.to_bytes().expect("encodes"), claim)
    })
}

/// A fresh decoded copy of the honest proof.
fn proof() -> BatchProof {
    BatchProof::from_bytes(&honest().0).expect("decodes")
}

#[test]
fn honest_batch_verifies_on_one_proof_and_round_trips() {
    let (bytes, claim) = honest();
    let p = proof();
    assert_eq!(p.proof.shape.chunks(), 3);
    assert!(matches!(&p.proof.shape, TreeShape::Node(l, r)
        if matches!(**l, TreeShape::Leaf(ref c) if c.len() == 2)
        && matches!(**r, TreeShape::Leaf(ref c) if c.len() == 1)));
    let v = verify_batch(&p, claim, PROTOCOL_VERSION).expect("verifies");
    assert_eq!(v.chunks, 3);
    assert!(v.succinct);
    assert_ne!(v.circuit_digest, [0; 32]);
    assert_eq!(v.circuit_id, sq_prover_circuits::vk_hash());
    assert_eq!(&p.to_bytes().expect("encodes"), bytes, "round trip");
}

#[test]
fn a_proof_stating_another_claim_is_refused_before_verification() {
    let (_, claim) = honest();
    let p = proof();
    let other = Digest([F::new(3); 8]);
    let cases = [
        (
            BatchClaim {
                root_after: other,
                ..*claim
            },
            "root after",
        ),
        (
            BatchClaim {
                root_before: other,
                ..*claim
            },
            "root before",
        ),
        (
            BatchClaim {
                commitment: other,
                ..*claim
            },
            "commitment",
        ),
        (
            BatchClaim {
                fee_recipient: [9; 20],
                ..*claim
            },
            "fee recipient",
        ),
    ];
    for (bad, what) in cases {
        let e = verify_batch(&p, &bad, PROTOCOL_VERSION).expect_err(what);
        let ok = match what {
            "root after" => matches!(e, VerifyError::RootAfter { .. }),
            "root before" => matches!(e, VerifyError::RootBefore { .. }),
            "commitment" => matches!(e, VerifyError::Commitment { .. }),
            _ => matches!(e, VerifyError::FeeRecipient),
        };
        assert!(ok, "{what}: {e}");
    }
}

#[test]
fn a_stated_claim_forged_to_match_is_refused_by_the_recursive_proof() {
    // A cheating prover states the verifier's (wrong) claim: the comparison passes and the
    // scheduler proof, verified against that claim, must fail.
    let (_, claim) = honest();
    let bad = BatchClaim {
        root_after: Digest([F::new(5); 8]),
        ..*claim
    };
    let mut p = proof();
    p.proof.claim[8..16].copy_from_slice(&bad.root_after.0);
    assert!(matches!(
        verify_batch(&p, &bad, PROTOCOL_VERSION),
        Err(VerifyError::Proof(_))
    ));
    // Another batch number: not proven below the scheduler, but a public value the
    // proof's transcript binds.
    let mut p = proof();
    p.batch += 1;
    let bad = BatchClaim {
        batch: claim.batch + 1,
        ..*claim
    };
    assert!(matches!(
        verify_batch(&p, &bad, PROTOCOL_VERSION),
        Err(VerifyError::Proof(_))
    ));
}

#[test]
fn another_version_batch_or_tree_is_refused() {
    let (_, claim) = honest();
    let p = proof();
    assert!(matches!(
        verify_batch(&p, claim, "0.2.0"),
        Err(VerifyError::ProtocolVersion { .. })
    ));
    let mut relabelled = proof();
    relabelled.protocol_version = "0.2.0".into();
    assert!(
        matches!(
            verify_batch(&relabelled, claim, "0.2.0"),
            Err(VerifyError::Proof(_))
        ),
        "the scheduler circuit is built for its version"
    );
    let bad = BatchClaim {
        batch: claim.batch + 1,
        ..*claim
    };
    assert!(matches!(
        verify_batch(&p, &bad, PROTOCOL_VERSION),
        Err(VerifyError::WrongBatch { .. })
    ));
    // Another tree shape means other circuits: the proof is not of them.
    let mut swapped = proof();
    if let TreeShape::Node(l, r) = &mut swapped.proof.shape {
        std::mem::swap(l, r);
    }
    assert!(matches!(
        verify_batch(&swapped, claim, PROTOCOL_VERSION),
        Err(VerifyError::Proof(_))
    ));
    let mut deep = proof();
    for _ in 0..20 {
        let s = deep.proof.shape.clone();
        deep.proof.shape = TreeShape::Node(Box::new(s.clone()), Box::new(s));
    }
    assert!(matches!(
        verify_batch(&deep, claim, PROTOCOL_VERSION),
        Err(VerifyError::Shape(_))
    ));
}

#[test]
fn altered_proof_bytes_never_verify() {
    let (bytes, claim) = honest();
    // Flips spread over the encoding (shape, claim, commitments, openings, FRI data).
    let mut verified = 0;
    for k in 1..=6 {
        let at = 4 + (bytes.len() - 4) * k / 7;
        let mut b = bytes.clone();
        b[at] ^= 0x01;
        if let Ok(p) = BatchProof::from_bytes(&b) {
            assert!(
                verify_batch(&p, claim, PROTOCOL_VERSION).is_err(),
                "flip at {at}"
            );
            verified += 1;
        }
    }
    assert!(
        verified > 0,
        "some flips decode and are refused by the verifier"
    );
}

#[test]
fn truncated_and_garbage_bytes_are_rejected() {
    let (bytes, _) = honest();
    for len in [0, 2, 10, bytes.len() / 2, bytes.len() - 1] {
        assert!(
            matches!(
                BatchProof::from_bytes(&bytes[..len]),
                Err(CodecError::Truncated)
            ),
            "truncated to {len}"
        );
    }
    assert!(matches!(
        BatchProof::from_bytes(b"GARBAGE!"),
        Err(CodecError::BadMagic)
    ));
    assert!(matches!(
        BatchProof::from_bytes(b"SQBP-the-old-format"),
        Err(CodecError::BadMagic)
    ));
    let mut extra = bytes.clone();
    extra.extend_from_slice(&[1, 2, 3]);
    assert!(matches!(
        BatchProof::from_bytes(&extra),
        Err(CodecError::TrailingBytes(3))
    ));
    // A tree nested 200,000 levels deep (one byte per level) is refused while decoding,
    // by its flat encoding's bounds, instead of overflowing the decoder's stack.
    let mut hostile = b"SQB2".to_vec();
    let tokens = vec![ShapeToken::Node; 200_000];
    hostile.extend(postcard::to_allocvec(&(PROTOCOL_VERSION, 1u64, tokens)).expect("encode"));
    assert!(matches!(
        BatchProof::from_bytes(&hostile),
        Err(CodecError::Malformed(_))
    ));
    let mut garbage = b"SQB2".to_vec();
    garbage.extend_from_slice(&[0xff; 64]);
    assert!(matches!(
        BatchProof::from_bytes(&garbage),
        Err(CodecError::Malformed(_) | CodecError::Truncated)
    ));
}
