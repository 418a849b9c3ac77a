//! The byte layouts documented in `vid.rs` and `share.rs`, checked against hand-built
//! pre-images.

use sq_da::merkle::keccak;
use sq_da::{disperse, encode_shares, DaError, VidParams, MAX_VID_NODES};
use sq_types::Commitment;

use crate::common::{dispersal, params};

#[test]
fn parameters() {
    assert!(matches!(
        VidParams::new(0),
        Err(DaError::InvalidParams { n: 0, .. })
    ));
    assert!(VidParams::new(MAX_VID_NODES + 1).is_err());
    assert!(VidParams::new(MAX_VID_NODES).is_ok());
    for (n, k) in [
        (1, 1),
        (2, 1),
        (3, 2),
        (4, 2),
        (10, 4),
        (100, 34),
        (4096, 1366),
    ] {
        assert_eq!(params(n).k(), k, "n={n}");
        assert_eq!(params(n).recovery_count(), n - k);
    }
    // s = max(2, even(⌈(8 + L) / k⌉))
    assert_eq!(params(1).shard_bytes(0), 8);
    assert_eq!(params(1).shard_bytes(1), 10);
    assert_eq!(params(10).shard_bytes(0), 2);
    assert_eq!(params(10).shard_bytes(1), 4); // ⌈9/4⌉ = 3 → 4
    assert_eq!(params(100).shard_bytes(0), 2); // ⌈8/34⌉ = 1 → 2
    assert_eq!(params(100).shard_bytes(100_000), 2942); // ⌈100008/34⌉ = 2942
    for n in [1, 2, 3, 10, 100, 1000] {
        for len in [0u64, 1, 2, 3, 99, 1 << 20] {
            let s = params(n).shard_bytes(len);
            assert!(s >= 2 && s % 2 == 0);
            assert!(s * u64::from(params(n).k()) >= 8 + len);
        }
    }
}

#[test]
fn shares_are_the_framed_payload_then_recovery_shards() {
    for n in [1u32, 4, 10] {
        let (payload, _, d) = dispersal(70 + u64::from(n), n, 1001);
        let p = params(n);
        let (k, s) = (p.k() as usize, p.shard_bytes(1001) as usize);
        let mut framed = 1001u64.to_be_bytes().to_vec();
        framed.extend_from_slice(&payload);
        framed.resize(k * s, 0);
        for (i, chunk) in framed.chunks(s).enumerate() {
            assert_eq!(d.shares[i].data, chunk);
        }
        if n > 1 {
            let originals: Vec<&[u8]> = framed.chunks(s).collect();
            let recovery = reed_solomon_simd::encode(k, n as usize - k, &originals).expect("rs");
            for (j, r) in recovery.iter().enumerate() {
                assert_eq!(&d.shares[k + j].data, r);
            }
        }
        let data: Vec<Vec<u8>> = d.shares.iter().map(|s| s.data.clone()).collect();
        assert_eq!(encode_shares(p, &payload), Ok(data));
        assert_eq!(d.common.shard_bytes as usize, s);
        assert_eq!(d.common.payload_len, 1001);
    }
}

#[test]
fn leaf_root_and_commitment_preimages() {
    let (_, _, d) = dispersal(80, 4, 50);
    let leaf = |i: u32| keccak(&[&[0x00], &i.to_be_bytes(), &d.shares[i as usize].data]);
    let node = |l: &[u8; 32], r: &[u8; 32]| keccak(&[&[0x01], l, r]);
    let root = node(&node(&leaf(0), &leaf(1)), &node(&leaf(2), &leaf(3)));
    assert_eq!(d.common.vid_root, root);
    let mut pre = b"sq-da/payload/v1".to_vec();
    pre.extend_from_slice(&4u32.to_be_bytes());
    pre.extend_from_slice(&50u64.to_be_bytes());
    pre.extend_from_slice(&root);
    pre.extend_from_slice(&d.common.ns_root);
    assert_eq!(pre.len(), 92);
    assert_eq!(d.commitment, Commitment::keccak(&[&pre]));
    assert_eq!(d.common.commitment(), d.commitment);
}

#[test]
fn dispersal_is_deterministic() {
    let (p, t, d) = dispersal(90, 10, 5000);
    assert_eq!(disperse(params(10), &p, &t), Ok(d));
}
