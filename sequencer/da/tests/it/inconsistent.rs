//! A malicious leader whose shares all verify against its commitment, but are not the encoding
//! of one payload: every recovery ends in `InconsistentDispersal` (AVID-M's ⊥), whatever subset
//! of shares is used.

use rand::seq::SliceRandom;
use sq_da::{
    encode_shares, ns_root, payload_commitment, recover, vid_leaf, DaError, MerkleTree, VidCommon,
    VidShare,
};
use sq_types::{NodeIndex, NsTable};

use crate::common::{params, payload, rng, table};

/// Shares with the given data under a Merkle tree built over exactly that data, and a common
/// and commitment claiming `payload_len` and `ns_root`. Every share verifies.
fn malicious(
    n: u32,
    payload_len: u64,
    data: Vec<Vec<u8>>,
    ns: [u8; 32],
) -> (VidCommon, Vec<VidShare>) {
    let leaves = (0u32..).zip(&data).map(|(i, d)| vid_leaf(i, d)).collect();
    let tree = MerkleTree::new(leaves).expect("n >= 1");
    let common = VidCommon {
        n,
        payload_len,
        shard_bytes: data[0].len() as u32,
        vid_root: tree.root(),
        ns_root: ns,
    };
    assert_eq!(
        common.commitment(),
        payload_commitment(n, payload_len, &common.vid_root, &ns)
    );
    let shares: Vec<VidShare> = (0u32..)
        .zip(data)
        .map(|(i, data)| VidShare {
            index: NodeIndex(i),
            data,
            proof: tree.proof(i).expect("in range"),
        })
        .collect();
    for s in &shares {
        assert_eq!(
            s.verify(&common, &common.commitment()),
            Ok(()),
            "voters would sign this"
        );
    }
    (common, shares)
}

fn assert_every_subset_is_inconsistent(common: &VidCommon, table: &NsTable, shares: &[VidShare]) {
    let k = params(common.n).k() as usize;
    let mut subsets = vec![shares[..k].to_vec(), shares[shares.len() - k..].to_vec()];
    let mut r = rng(99);
    for _ in 0..8 {
        let mut s = shares.to_vec();
        s.shuffle(&mut r);
        s.truncate(k);
        subsets.push(s);
    }
    for s in subsets {
        let err = recover(common, &common.commitment(), table, &s).expect_err("inconsistent");
        assert!(err.is_leader_fault(), "{err}");
    }
}

#[test]
fn shares_from_two_payloads_are_detected() {
    for n in [4u32, 10, 100] {
        let mut r = rng(u64::from(n));
        let (a, b) = (payload(&mut r, 3000), payload(&mut r, 3000));
        let t = table(&mut r, 3000, 3);
        let k = params(n).k() as usize;
        let mut data = encode_shares(params(n), &a).expect("encodes");
        let from_b = encode_shares(params(n), &b).expect("encodes");
        data[k..].clone_from_slice(&from_b[k..]); // originals of A, recovery shards of B
        let (common, shares) = malicious(n, 3000, data, ns_root(&a, &t).expect("valid"));
        assert_every_subset_is_inconsistent(&common, &t, &shares);
    }
}

#[test]
fn namespace_root_of_another_payload_is_detected() {
    let mut r = rng(5);
    let (a, b) = (payload(&mut r, 2500), payload(&mut r, 2500));
    let t = table(&mut r, 2500, 4);
    let data = encode_shares(params(10), &a).expect("encodes");
    let (common, shares) = malicious(10, 2500, data, ns_root(&b, &t).expect("valid"));
    assert_eq!(
        recover(&common, &common.commitment(), &t, &shares),
        Err(DaError::InconsistentDispersal {
            reason: "namespace root differs from the recovered payload's"
        })
    );
}

#[test]
fn wrong_length_claim_is_detected() {
    // L = 100 and L' = 101 give the same shard size at k = 4 (28 bytes).
    let mut r = rng(6);
    let a = payload(&mut r, 100);
    assert_eq!(params(10).shard_bytes(100), params(10).shard_bytes(101));
    let data = encode_shares(params(10), &a).expect("encodes");
    let longer = payload(&mut r, 101);
    let t = table(&mut r, 101, 2);
    let (common, shares) = malicious(10, 101, data, ns_root(&longer, &t).expect("valid"));
    assert_eq!(
        recover(&common, &common.commitment(), &t, &shares),
        Err(DaError::InconsistentDispersal {
            reason: "length prefix differs from the committed payload length"
        })
    );
}

#[test]
fn non_zero_padding_is_detected() {
    // A consistent Reed–Solomon codeword, but of a non-canonical framing.
    let (n, len) = (10u32, 101usize);
    let p = params(n);
    let (k, s) = (p.k() as usize, p.shard_bytes(len as u64) as usize);
    let mut r = rng(7);
    let a = payload(&mut r, len);
    let t = table(&mut r, len, 2);
    let mut framed = (len as u64).to_be_bytes().to_vec();
    framed.extend_from_slice(&a);
    framed.resize(k * s, 0);
    assert!(framed.len() > 8 + len, "there is padding");
    *framed.last_mut().expect("non-empty") = 1;
    let mut data: Vec<Vec<u8>> = framed.chunks(s).map(<[u8]>::to_vec).collect();
    data.extend(reed_solomon_simd::encode(k, n as usize - k, &data).expect("encodes"));
    let (common, shares) = malicious(n, len as u64, data, ns_root(&a, &t).expect("valid"));
    assert_every_subset_is_inconsistent(&common, &t, &shares);
    assert_eq!(
        recover(&common, &common.commitment(), &t, &shares),
        Err(DaError::InconsistentDispersal {
            reason: "shares are not the encoding of the recovered payload"
        })
    );
}
