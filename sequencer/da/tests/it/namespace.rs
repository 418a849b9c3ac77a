//! Namespace proofs verify for each namespace and fail after any change to the bytes, the
//! range, the path, the namespace or the commitment.

use sq_da::merkle::keccak;
use sq_da::{disperse, namespace_proof, ns_root, DaError, NamespaceProof};
use sq_types::{NamespaceId, NsTable, NsTableEntry};

use crate::common::{params, payload, rng};

/// A 6000-byte payload with five namespaces, one of them empty.
fn fixture() -> (Vec<u8>, NsTable) {
    let p = payload(&mut rng(31), 6000);
    let ends = [(3, 1000), (5, 1000), (8, 2999), (13, 5000), (21, 6000)];
    let table = NsTable(
        ends.iter()
            .map(|&(ns, end)| NsTableEntry {
                namespace: NamespaceId(ns),
                end,
            })
            .collect(),
    );
    (p, table)
}

/// Variants of `proof` that must not verify, with a description.
fn mutations(proof: &NamespaceProof) -> Vec<(String, NamespaceProof)> {
    let mut out = Vec::new();
    for i in 0..proof.bytes.len() {
        let mut m = proof.clone();
        m.bytes[i] ^= 0x20;
        out.push((format!("byte {i} changed"), m));
    }
    let mut m = proof.clone();
    m.bytes.push(0);
    out.push(("byte appended".into(), m.clone()));
    m.end += 1;
    out.push(("byte appended, end moved".into(), m));
    if !proof.bytes.is_empty() {
        let mut m = proof.clone();
        m.bytes.pop();
        out.push(("last byte dropped".into(), m.clone()));
        m.end -= 1;
        out.push(("last byte dropped, end moved".into(), m));
        let mut m = proof.clone();
        m.bytes.remove(0);
        m.start += 1;
        out.push(("first byte dropped, start moved".into(), m));
    }
    for (ds, de) in [(1i64, 1i64), (-1, -1), (0, 1), (-1, 0), (1, 0), (0, -1)] {
        let mut m = proof.clone();
        let (s, e) = (i64::from(m.start) + ds, i64::from(m.end) + de);
        if s < 0 || e < 0 {
            continue;
        }
        (m.start, m.end) = (s as u32, e as u32);
        out.push((format!("range moved by ({ds}, {de})"), m));
    }
    for j in 0..proof.siblings.len() {
        let mut m = proof.clone();
        m.siblings[j][0] ^= 1;
        out.push((format!("sibling {j} changed"), m));
    }
    let mut m = proof.clone();
    m.siblings.push([0; 32]);
    out.push(("sibling added".into(), m));
    let mut m = proof.clone();
    m.entry_index ^= 1;
    out.push(("entry index changed".into(), m));
    for count in [proof.entry_count - 1, proof.entry_count + 1] {
        let mut m = proof.clone();
        m.entry_count = count;
        out.push((format!("entry count {count}"), m));
    }
    out
}

#[test]
fn each_namespace_verifies_and_every_mutation_fails() {
    let (p, table) = fixture();
    let d = disperse(params(10), &p, &table).expect("valid");
    let mut checked = 0;
    for e in &table.0 {
        let ns = e.namespace;
        let proof = namespace_proof(&p, &table, ns)
            .expect("valid")
            .expect("present");
        let range = table.range(ns).expect("present");
        assert_eq!(proof.verify(ns, &d.common, &d.commitment), Ok(&p[range]));
        for (what, m) in mutations(&proof) {
            let got = m.verify(ns, &d.common, &d.commitment);
            assert!(
                matches!(got, Err(DaError::BadNamespaceProof { .. })),
                "namespace {ns}: {what} gave {got:?}"
            );
            checked += 1;
        }
        let mut m = proof.clone();
        m.namespace = NamespaceId(ns.0 + 1);
        assert!(matches!(
            m.verify(m.namespace, &d.common, &d.commitment),
            Err(DaError::BadNamespaceProof { .. })
        ));
        assert_eq!(
            proof.verify(NamespaceId(ns.0 + 1), &d.common, &d.commitment),
            Err(DaError::WrongNamespace {
                expected: NamespaceId(ns.0 + 1),
                got: ns
            })
        );
    }
    assert!(checked > 6000, "every byte of every namespace was mutated");
}

#[test]
fn wrong_commitment_or_common_is_refused() {
    let (p, table) = fixture();
    let d = disperse(params(10), &p, &table).expect("valid");
    let mut other_payload = p.clone();
    other_payload[4000] ^= 1; // inside namespace 13 only
    let other = disperse(params(10), &other_payload, &table).expect("valid");
    let proof = namespace_proof(&p, &table, NamespaceId(13))
        .expect("valid")
        .expect("present");
    let ns = NamespaceId(13);
    assert_eq!(
        proof.verify(ns, &d.common, &other.commitment),
        Err(DaError::CommitmentMismatch)
    );
    assert!(matches!(
        proof.verify(ns, &other.common, &other.commitment),
        Err(DaError::BadNamespaceProof { .. })
    ));
    // A proof built from the first payload's tree fails against the second even for the
    // unchanged namespace 3 (its path includes namespace 13's leaf); one built from the
    // second payload verifies and carries the same bytes.
    let stale = namespace_proof(&p, &table, NamespaceId(3))
        .expect("valid")
        .expect("present");
    assert!(stale
        .verify(NamespaceId(3), &other.common, &other.commitment)
        .is_err());
    let fresh = namespace_proof(&other_payload, &table, NamespaceId(3))
        .expect("valid")
        .expect("present");
    assert_eq!(
        fresh.verify(NamespaceId(3), &other.common, &other.commitment),
        Ok(&p[..1000])
    );
}

#[test]
fn absent_namespace_empty_table_and_bad_table() {
    let (p, table) = fixture();
    assert_eq!(namespace_proof(&p, &table, NamespaceId(4)), Ok(None));
    assert_eq!(
        namespace_proof(&[], &NsTable::default(), NamespaceId(1)),
        Ok(None)
    );
    assert_eq!(
        ns_root(&[], &NsTable::default()),
        Ok(keccak(&[b"sq-da/ns/empty"]))
    );
    assert!(matches!(
        namespace_proof(&p[..5999], &table, NamespaceId(3)),
        Err(DaError::InvalidNsTable(_))
    ));
    assert!(matches!(
        disperse(params(4), &p, &NsTable::default()),
        Err(DaError::InvalidNsTable(_))
    ));
}

#[test]
fn ns_root_layout_matches_the_documented_preimages() {
    let (p, table) = fixture();
    let leaf = |ns: u64, start: u32, end: u32| {
        keccak(&[
            &[0x02],
            &ns.to_be_bytes(),
            &start.to_be_bytes(),
            &end.to_be_bytes(),
            &keccak(&[&p[start as usize..end as usize]]),
        ])
    };
    let leaves = [
        leaf(3, 0, 1000),
        leaf(5, 1000, 1000),
        leaf(8, 1000, 2999),
        leaf(13, 2999, 5000),
        leaf(21, 5000, 6000),
    ];
    let node = |l: &[u8; 32], r: &[u8; 32]| keccak(&[&[0x01], l, r]);
    let tree = node(
        &node(&node(&leaves[0], &leaves[1]), &node(&leaves[2], &leaves[3])),
        &leaves[4],
    );
    let expected = keccak(&[b"sq-da/ns/v1", &5u32.to_be_bytes(), &tree]);
    assert_eq!(ns_root(&p, &table), Ok(expected));
}
