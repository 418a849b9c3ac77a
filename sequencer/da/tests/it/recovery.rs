//! Recovery from any `k` shares, for every `n` and payload size in the sweep, and refusal with
//! `k - 1`.

use rand::seq::SliceRandom;
use sq_da::{recover, DaError, VidShare};
use sq_types::{NamespaceId, NsTable, NsTableEntry};

use crate::common::{dispersal, params, rng, NS, SIZES};

#[test]
fn any_k_shares_recover_the_exact_payload() {
    for (case, (&n, &len)) in NS
        .iter()
        .flat_map(|n| SIZES.iter().map(move |l| (n, l)))
        .enumerate()
    {
        let (payload, table, d) = dispersal(case as u64, n, len);
        let k = params(n).k() as usize;
        assert_eq!(d.shares.len(), n as usize);
        for s in &d.shares {
            assert_eq!(
                s.verify(&d.common, &d.commitment),
                Ok(()),
                "n={n} len={len}"
            );
        }
        let mut subsets: Vec<Vec<VidShare>> = vec![
            d.shares[..k].to_vec(),
            d.shares[n as usize - k..].to_vec(),
            d.shares.clone(),
        ];
        let mut r = rng(1000 + case as u64);
        for _ in 0..6 {
            let mut s = d.shares.clone();
            s.shuffle(&mut r);
            s.truncate(k); // drop n - k random shares, in random order
            subsets.push(s);
        }
        for s in subsets {
            let got = recover(&d.common, &d.commitment, &table, &s).expect("k valid shares");
            assert_eq!(got.payload, payload, "n={n} len={len}");
            assert!(got.rejected.is_empty());
        }
    }
}

#[test]
fn k_minus_one_shares_are_not_enough() {
    for (case, &n) in NS.iter().enumerate() {
        let (_, table, d) = dispersal(50 + case as u64, n, 333);
        let k = params(n).k() as usize;
        let mut s = d.shares.clone();
        s.shuffle(&mut rng(case as u64));
        s.truncate(k - 1);
        assert_eq!(
            recover(&d.common, &d.commitment, &table, &s),
            Err(DaError::NotEnoughShares {
                valid: k - 1,
                needed: k,
                rejected: 0
            }),
            "n={n}"
        );
    }
}

#[test]
fn duplicates_count_once() {
    let (_, table, d) = dispersal(7, 10, 2000);
    let same = vec![d.shares[3].clone(); 10];
    assert_eq!(
        recover(&d.common, &d.commitment, &table, &same),
        Err(DaError::NotEnoughShares {
            valid: 1,
            needed: 4,
            rejected: 0
        })
    );
}

#[test]
fn recovery_needs_the_right_commitment_and_table() {
    let (payload, table, d) = dispersal(8, 10, 2000);
    let (_, _, other) = dispersal(9, 10, 2000);
    assert_eq!(
        recover(&d.common, &other.commitment, &table, &d.shares),
        Err(DaError::CommitmentMismatch)
    );
    // Shares of another dispersal are all rejected, none used.
    let err = recover(&d.common, &d.commitment, &table, &other.shares);
    assert_eq!(
        err,
        Err(DaError::NotEnoughShares {
            valid: 0,
            needed: 4,
            rejected: 10
        })
    );
    // The header's table is part of the check: a different (valid) table is refused.
    let single = NsTable(vec![NsTableEntry {
        namespace: NamespaceId(10),
        end: payload.len() as u32,
    }]);
    assert_ne!(single, table);
    assert!(matches!(
        recover(&d.common, &d.commitment, &single, &d.shares),
        Err(DaError::InconsistentDispersal { .. })
    ));
    // A table that does not even fit the payload is the leader's fault too.
    assert!(matches!(
        recover(&d.common, &d.commitment, &NsTable::default(), &d.shares),
        Err(DaError::InconsistentDispersal { .. })
    ));
    assert_eq!(
        recover(&d.common, &d.commitment, &table, &d.shares).map(|r| r.payload),
        Ok(payload)
    );
}
