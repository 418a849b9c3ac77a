//! Bounded codecs: round trips, every truncation, oversized lengths, trailing bytes and
//! non-canonical common data.

use sq_da::{namespace_proof, VidCommon, VidShare, MAX_DISPERSAL_BYTES, MAX_SHARE_BYTES};
use sq_types::codec::{Decode, DecodeError, Encode};
use sq_types::NamespaceId;

use crate::common::dispersal;

fn assert_every_truncation_fails<T: Decode + std::fmt::Debug>(enc: &[u8]) {
    for cut in 0..enc.len() {
        let got = T::decode(&enc[..cut]);
        assert!(
            matches!(got, Err(DecodeError::Truncated { .. })),
            "cut {cut}: {got:?}"
        );
    }
    let mut long = enc.to_vec();
    long.push(0);
    assert!(matches!(
        T::decode(&long),
        Err(DecodeError::TrailingBytes(1))
    ));
}

#[test]
fn shares_round_trip_and_still_verify() {
    for n in [1u32, 4, 100] {
        let (_, _, d) = dispersal(40 + u64::from(n), n, 777);
        for s in &d.shares {
            let enc = s.encode();
            assert_eq!(enc.len(), 16 + s.data.len() + 32 * s.proof.siblings.len());
            let back = VidShare::decode(&enc).expect("round trip");
            assert_eq!(&back, s);
            assert_eq!(back.verify(&d.common, &d.commitment), Ok(()));
        }
        assert_every_truncation_fails::<VidShare>(&d.shares[0].encode());
    }
}

#[test]
fn common_round_trips_and_rejects_non_canonical_values() {
    let (_, _, d) = dispersal(50, 10, 12345);
    let enc = d.common.encode();
    assert_eq!(enc.len(), 80);
    assert_eq!(VidCommon::decode(&enc), Ok(d.common));
    assert_every_truncation_fails::<VidCommon>(&enc);
    let edits: [(&str, std::ops::Range<usize>, Vec<u8>); 4] = [
        ("n = 0", 0..4, 0u32.to_be_bytes().to_vec()),
        ("n above the limit", 0..4, 4097u32.to_be_bytes().to_vec()),
        (
            "payload length above the limit",
            4..12,
            (MAX_DISPERSAL_BYTES + 1).to_be_bytes().to_vec(),
        ),
        (
            "shard size off by two",
            12..16,
            (d.common.shard_bytes + 2).to_be_bytes().to_vec(),
        ),
    ];
    for (what, range, bytes) in edits {
        let mut bad = enc.clone();
        bad[range].copy_from_slice(&bytes);
        assert!(
            matches!(VidCommon::decode(&bad), Err(DecodeError::Invalid { .. })),
            "{what}"
        );
    }
}

#[test]
fn oversized_share_length_is_rejected_before_allocation() {
    let mut enc = 3u32.to_be_bytes().to_vec();
    enc.extend_from_slice(&(MAX_SHARE_BYTES as u32 + 1).to_be_bytes());
    assert!(matches!(
        VidShare::decode(&enc),
        Err(DecodeError::TooLong {
            what: "VID share",
            ..
        })
    ));
    let mut enc = 3u32.to_be_bytes().to_vec();
    enc.extend_from_slice(&u32::MAX.to_be_bytes());
    assert!(matches!(
        VidShare::decode(&enc),
        Err(DecodeError::TooLong { .. })
    ));
}

#[test]
fn namespace_proofs_round_trip_and_reject_truncation() {
    let (p, t, d) = dispersal(60, 10, 3000);
    for e in &t.0 {
        let proof = namespace_proof(&p, &t, e.namespace)
            .expect("valid")
            .expect("present");
        let enc = proof.encode();
        assert_eq!(
            enc.len(),
            8 + 4 * 4 + 4 + proof.bytes.len() + 4 + 32 * proof.siblings.len()
        );
        let back = sq_da::NamespaceProof::decode(&enc).expect("round trip");
        assert_eq!(back, proof);
        assert!(back.verify(e.namespace, &d.common, &d.commitment).is_ok());
        assert_every_truncation_fails::<sq_da::NamespaceProof>(&enc);
    }
    let proof = namespace_proof(&p, &t, NamespaceId(10))
        .expect("valid")
        .expect("present");
    let mut enc = proof.encode();
    enc[12..16].copy_from_slice(&5000u32.to_be_bytes()); // entry_count above MAX_NAMESPACES
    assert!(matches!(
        sq_da::NamespaceProof::decode(&enc),
        Err(DecodeError::TooLong { .. })
    ));
}
