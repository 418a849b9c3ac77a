//! A tampered share (flipped byte, wrong index, wrong proof, wrong size) is refused by
//! `VidShare::verify` and skipped by `recover`, which still succeeds from the others.

use sq_da::{recover, DaError, MerkleProof, VidShare};
use sq_types::NodeIndex;

use crate::common::dispersal;

/// Every kind of tampering, applied to share `i` of `shares`, with the error it must give.
fn tamperings(shares: &[VidShare], i: usize) -> Vec<(&'static str, VidShare, DaError)> {
    let s = &shares[i];
    let idx = s.index;
    let other = &shares[(i + 1) % shares.len()];
    let mut out = Vec::new();
    for pos in [0, s.data.len() / 2, s.data.len() - 1] {
        let mut t = s.clone();
        t.data[pos] ^= 0x01;
        out.push((
            "flipped data byte",
            t,
            DaError::BadMerkleProof { index: idx },
        ));
    }
    let mut t = s.clone();
    t.index = other.index;
    let err = DaError::ProofIndexMismatch {
        share: other.index,
        proof: idx.0,
    };
    out.push(("share index changed", t, err));
    let mut t = s.clone();
    t.index = other.index;
    t.proof.index = other.index.0;
    let err = DaError::BadMerkleProof { index: other.index };
    out.push(("share and proof index changed", t, err));
    let mut t = s.clone();
    t.index = NodeIndex(shares.len() as u32);
    let n = shares.len() as u32;
    out.push((
        "index out of range",
        t,
        DaError::ShareIndexOutOfRange {
            index: NodeIndex(n),
            n,
        },
    ));
    let mut t = s.clone();
    t.proof = MerkleProof {
        index: idx.0,
        siblings: other.proof.siblings.clone(),
    };
    out.push((
        "another share's siblings",
        t,
        DaError::BadMerkleProof { index: idx },
    ));
    for j in 0..s.proof.siblings.len() {
        let mut t = s.clone();
        t.proof.siblings[j][31] ^= 0x80;
        out.push(("flipped sibling", t, DaError::BadMerkleProof { index: idx }));
    }
    let mut t = s.clone();
    t.proof.siblings.pop();
    out.push(("missing sibling", t, DaError::BadMerkleProof { index: idx }));
    let mut t = s.clone();
    t.proof.siblings.push([0; 32]);
    out.push(("extra sibling", t, DaError::BadMerkleProof { index: idx }));
    let mut t = s.clone();
    t.data.pop();
    let err = DaError::ShareSizeMismatch {
        index: idx,
        expected: s.data.len(),
        got: s.data.len() - 1,
    };
    out.push(("short data", t, err));
    let mut t = s.clone();
    t.data = other.data.clone();
    out.push((
        "another share's data",
        t,
        DaError::BadMerkleProof { index: idx },
    ));
    out
}

#[test]
fn every_tampering_of_every_share_is_rejected() {
    for n in [4u32, 10, 100] {
        let (_, _, d) = dispersal(u64::from(n), n, 4321);
        for i in 0..d.shares.len() {
            for (what, t, err) in tamperings(&d.shares, i) {
                assert_eq!(
                    t.verify(&d.common, &d.commitment),
                    Err(err),
                    "n={n} i={i}: {what}"
                );
            }
        }
    }
}

#[test]
fn recover_skips_tampered_shares_and_reports_them() {
    let (payload, table, d) = dispersal(21, 10, 5000);
    // k = 4. Put three bad shares in front of exactly four good ones.
    let bad: Vec<VidShare> = (0..3)
        .map(|i| tamperings(&d.shares, i)[0].1.clone())
        .collect();
    let mut input = bad.clone();
    input.extend_from_slice(&d.shares[3..7]);
    let got = recover(&d.common, &d.commitment, &table, &input).expect("four good shares");
    assert_eq!(got.payload, payload);
    let reported: Vec<_> = got.rejected.iter().map(|(i, _)| i.0).collect();
    assert_eq!(reported, vec![0, 1, 2]);
    assert!(got
        .rejected
        .iter()
        .all(|(i, e)| *e == DaError::BadMerkleProof { index: *i }));
    // A tampered share followed by the genuine one with the same index: the genuine one is used.
    let mut input = vec![bad[0].clone(), d.shares[0].clone()];
    input.extend_from_slice(&d.shares[7..10]);
    let got = recover(&d.common, &d.commitment, &table, &input).expect("four good shares");
    assert_eq!(got.payload, payload);
    assert_eq!(got.rejected.len(), 1);
    // With only three good shares left it fails, saying why.
    let mut input = bad;
    input.extend_from_slice(&d.shares[3..6]);
    assert_eq!(
        recover(&d.common, &d.commitment, &table, &input),
        Err(DaError::NotEnoughShares {
            valid: 3,
            needed: 4,
            rejected: 3
        })
    );
}

#[test]
fn common_data_is_checked_against_the_commitment() {
    let (_, _, d) = dispersal(22, 10, 999);
    let (_, _, other) = dispersal(23, 10, 999);
    let s = &d.shares[5];
    assert_eq!(
        s.verify(&d.common, &other.commitment),
        Err(DaError::CommitmentMismatch)
    );
    assert_eq!(
        s.verify(&other.common, &other.commitment),
        Err(DaError::BadMerkleProof { index: s.index })
    );
    let mut c = d.common;
    c.vid_root[0] ^= 1;
    assert_eq!(
        s.verify(&c, &d.commitment),
        Err(DaError::CommitmentMismatch)
    );
    let mut c = d.common;
    c.ns_root[31] ^= 1;
    assert_eq!(
        s.verify(&c, &d.commitment),
        Err(DaError::CommitmentMismatch)
    );
    let mut c = d.common;
    c.shard_bytes += 2;
    assert!(matches!(
        s.verify(&c, &d.commitment),
        Err(DaError::InvalidCommon { .. })
    ));
    let mut c = d.common;
    c.n = 0;
    assert!(matches!(
        s.verify(&c, &d.commitment),
        Err(DaError::InvalidCommon { .. })
    ));
}
