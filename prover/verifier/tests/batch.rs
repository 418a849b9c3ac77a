//! Batch verification on one recursive proof: an honest batch of three chunks (two leaves,
//! one node, the scheduler, the compression) verifies in both final forms; each kind of
//! bad submission is refused for its own reason — the cheap comparison of claims where
//! the proof states another claim, the recursive proof itself where the stated claim is
//! forged to match — and random mutations of the encoded proof never verify.
//!
//! `SQ_MUTATION_CASES` sets the number of random mutations (48 by default, for CI;
//! `scripts/recursion-check.sh` runs 1,000).

use std::sync::OnceLock;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sq_prover_circuits::hash::{Digest, F};
use sq_prover_circuits::prove_chunk;
use sq_prover_circuits::testing::random_batch;
use sq_prover_recursion::aggregation::{prove_batch, ShapeToken};
use sq_prover_recursion::compression::prove_compression;
use sq_prover_verifier::{
    verify_batch, BatchClaim, BatchProof, CodecError, FinalProof, TreeShape, VerifyError,
    PROTOCOL_VERSION,
};

/// An honest 7-transfer batch proven in three chunks (3 + 3 + 1), aggregated (leaves of
/// two chunks) and compressed: the compressed proof's bytes, the scheduler proof's bytes,
/// and the claim.
fn honest() -> &'static (Vec<u8>, Vec<u8>, BatchClaim) {
    static HONEST: OnceLock<(Vec<u8>, Vec<u8>, BatchClaim)> = OnceLock::new();
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
        let scheduler = prove_batch(&chunks, 2, w.batch, PROTOCOL_VERSION).expect("aggregates");
        let compressed =
            prove_compression(&scheduler, w.batch, PROTOCOL_VERSION).expect("compresses");
        let bytes = |proof| {
            BatchProof {
                protocol_version: PROTOCOL_VERSION.to_owned(),
                batch: w.batch,
                proof,
            }
            .to_bytes()
            .expect("encodes")
        };
        (
            bytes(FinalProof::Compressed(compressed)),
            bytes(FinalProof::Scheduler(scheduler)),
            claim,
        )
    })
}

/// A fresh decoded copy of the honest compressed proof.
fn proof() -> BatchProof {
    BatchProof::from_bytes(&honest().0).expect("decodes")
}

/// A fresh decoded copy of the honest scheduler proof.
fn scheduler_proof() -> BatchProof {
    BatchProof::from_bytes(&honest().1).expect("decodes")
}

/// Fresh copies of both final forms (compressed, scheduler), for the tamper tests.
fn both() -> [BatchProof; 2] {
    [proof(), scheduler_proof()]
}

#[test]
fn honest_batch_verifies_on_one_proof_and_round_trips() {
    let (bytes, scheduler_bytes, claim) = honest();
    let p = proof();
    assert_eq!(p.proof.round(), 4);
    assert_eq!(p.proof.shape().chunks(), 3);
    assert!(matches!(p.proof.shape(), TreeShape::Node(l, r)
        if matches!(**l, TreeShape::Leaf(ref c) if c.len() == 2)
        && matches!(**r, TreeShape::Leaf(ref c) if c.len() == 1)));
    let v = verify_batch(&p, claim, PROTOCOL_VERSION).expect("verifies");
    assert_eq!((v.chunks, v.round), (3, 4));
    assert!(v.succinct);
    assert_ne!(v.circuit_digest, [0; 32]);
    assert_eq!(v.circuit_id, sq_prover_circuits::vk_hash());
    assert_eq!(&p.to_bytes().expect("encodes"), bytes, "round trip");
    // The scheduler's proof states the same and verifies too, as round 3.
    let s = scheduler_proof();
    let vs = verify_batch(&s, claim, PROTOCOL_VERSION).expect("verifies");
    assert_eq!(vs.round, 3);
    assert_eq!(vs.circuit_digest, v.circuit_digest);
    assert_eq!(&s.to_bytes().expect("encodes"), scheduler_bytes);
}

#[test]
fn a_proof_relabelled_as_the_other_form_is_refused() {
    // The two forms are proofs of different circuits in different configurations: either
    // body under the other's tag does not decode, or does not verify.
    let (compressed, scheduler, claim) = honest();
    let tag_at = 4 + postcard::to_allocvec(&(PROTOCOL_VERSION, claim.batch))
        .expect("encode")
        .len();
    for (bytes, tag, what) in [(compressed, 1, "compressed"), (scheduler, 0, "scheduler")] {
        assert_eq!(bytes[tag_at], tag, "the {what} variant's tag");
        let mut relabelled = bytes.clone();
        relabelled[tag_at] = 1 - tag;
        if let Ok(p) = BatchProof::from_bytes(&relabelled) {
            assert!(
                verify_batch(&p, claim, PROTOCOL_VERSION).is_err(),
                "a {what} proof under the other tag verified"
            );
        }
    }
}

#[test]
fn a_proof_stating_another_claim_is_refused_before_verification() {
    let (_, _, claim) = honest();
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
    // recursive proof, verified against that claim, must fail (in either final form).
    let (_, _, claim) = honest();
    let bad = BatchClaim {
        root_after: Digest([F::new(5); 8]),
        ..*claim
    };
    for mut p in both() {
        p.proof.parts_mut().1[8..16].copy_from_slice(&bad.root_after.0);
        assert!(matches!(
            verify_batch(&p, &bad, PROTOCOL_VERSION),
            Err(VerifyError::Proof(_))
        ));
    }
    // Another batch number: not proven below the scheduler, but a public value the
    // proof's transcript binds.
    let bad = BatchClaim {
        batch: claim.batch + 1,
        ..*claim
    };
    for mut p in both() {
        p.batch += 1;
        assert!(matches!(
            verify_batch(&p, &bad, PROTOCOL_VERSION),
            Err(VerifyError::Proof(_))
        ));
    }
}

#[test]
fn another_version_batch_or_tree_is_refused() {
    let (_, _, claim) = honest();
    for p in both() {
        let form = p.proof.round();
        assert!(matches!(
            verify_batch(&p, claim, "0.2.0"),
            Err(VerifyError::ProtocolVersion { .. })
        ));
        let bad = BatchClaim {
            batch: claim.batch + 1,
            ..*claim
        };
        assert!(matches!(
            verify_batch(&p, &bad, PROTOCOL_VERSION),
            Err(VerifyError::WrongBatch { .. })
        ));
        let mut relabelled = p;
        relabelled.protocol_version = "0.2.0".into();
        assert!(
            matches!(
                verify_batch(&relabelled, claim, "0.2.0"),
                Err(VerifyError::Proof(_))
            ),
            "round {form}: the scheduler circuit is built for its version"
        );
    }
    // Another tree shape means other circuits: the proof is not of them.
    for mut swapped in both() {
        if let TreeShape::Node(l, r) = swapped.proof.parts_mut().0 {
            std::mem::swap(l, r);
        }
        assert!(matches!(
            verify_batch(&swapped, claim, PROTOCOL_VERSION),
            Err(VerifyError::Proof(_))
        ));
    }
    let mut deep = proof();
    for _ in 0..20 {
        let shape = deep.proof.parts_mut().0;
        let s = shape.clone();
        *shape = TreeShape::Node(Box::new(s.clone()), Box::new(s));
    }
    assert!(matches!(
        verify_batch(&deep, claim, PROTOCOL_VERSION),
        Err(VerifyError::Shape(_))
    ));
}

/// Random mutations of the encoded compressed proof: one to three bytes replaced at
/// random offsets (shape, claim, commitments, opened values, Merkle and FRI data, the
/// proof-of-work witness). None verifies; each is refused by the codec or the verifier.
#[test]
fn mutated_proof_bytes_never_verify() {
    let (bytes, _, claim) = honest();
    let cases: usize = std::env::var("SQ_MUTATION_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(48);
    let mut rng = ChaCha8Rng::seed_from_u64(15);
    let (mut undecodable, mut refused) = (0, 0);
    for case in 0..cases {
        let mut b = bytes.clone();
        for _ in 0..rng.gen_range(1..=3) {
            let at = rng.gen_range(4..b.len());
            b[at] ^= rng.gen_range(1..=255u8);
        }
        match BatchProof::from_bytes(&b) {
            Err(_) => undecodable += 1,
            Ok(p) => {
                let outcome = verify_batch(&p, claim, PROTOCOL_VERSION);
                assert!(outcome.is_err(), "case {case} verified");
                refused += 1;
            }
        }
    }
    println!("{cases} mutations: {undecodable} refused by the codec, {refused} by the verifier");
    assert!(
        cases == 0 || refused > 0,
        "no mutation reached the verifier: the test would not exercise it"
    );
}

#[test]
fn truncated_and_garbage_bytes_are_rejected() {
    let (bytes, _, _) = honest();
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
    for old in [
        &b"SQBP-the-oldest-format"[..],
        b"SQB2-the-scheduler-only-format",
    ] {
        assert!(matches!(
            BatchProof::from_bytes(old),
            Err(CodecError::BadMagic)
        ));
    }
    let mut extra = bytes.clone();
    extra.extend_from_slice(&[1, 2, 3]);
    assert!(matches!(
        BatchProof::from_bytes(&extra),
        Err(CodecError::TrailingBytes(3))
    ));
    // A tree nested 200,000 levels deep (one byte per level) is refused while decoding,
    // by its flat encoding's bounds, instead of overflowing the decoder's stack.
    let mut hostile = b"SQB3".to_vec();
    let tokens = vec![ShapeToken::Node; 200_000];
    hostile.extend(postcard::to_allocvec(&(PROTOCOL_VERSION, 1u64, 1u8, tokens)).expect("encode"));
    assert!(matches!(
        BatchProof::from_bytes(&hostile),
        Err(CodecError::Malformed(_))
    ));
    let mut garbage = b"SQB3".to_vec();
    garbage.extend_from_slice(&[0xff; 64]);
    assert!(matches!(
        BatchProof::from_bytes(&garbage),
        Err(CodecError::Malformed(_) | CodecError::Truncated)
    ));
}
