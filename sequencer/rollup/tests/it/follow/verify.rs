//! [`namespace_transactions`] and [`check_leaf`] against honest and tampered answers built
//! from a real block (real payload, dispersal and namespace proof).

use sq_api::{LeafBody, NamespaceBody};
use sq_da::{namespace_proof, DaError, NamespaceProof};
use sq_rollup::follow::verify::{check_leaf, namespace_transactions, Refusal};
use sq_storage::DecidedBlock;
use sq_testing::chain::decided_block;
use sq_types::codec::{Decode, Encode};
use sq_types::{NamespaceId, NsTable, NsTableEntry, Transaction};

const NS: u64 = 42;
const OTHER: u64 = 7;

fn tx(ns: u64, bytes: &[u8]) -> Transaction {
    Transaction {
        namespace: NamespaceId(ns),
        payload: bytes.to_vec(),
    }
}

/// Block 5: two transactions in [`NS`], one in [`OTHER`].
fn block() -> DecidedBlock {
    let txs = [tx(NS, b"first"), tx(OTHER, b"other"), tx(NS, b"second")];
    decided_block(5, None, &txs, 4)
}

/// What an honest node answers for `ns` of `b`.
fn answer(b: &DecidedBlock, ns: u64) -> NamespaceBody {
    let payload = b.payload.as_ref().expect("payload");
    let table = &b.leaf.header.ns_table;
    let proof = namespace_proof(payload, table, NamespaceId(ns)).expect("proof");
    NamespaceBody {
        height: b.leaf.header.height.0,
        namespace: ns,
        // Empty where the range does not split (the malformed-payload case).
        transactions: sq_types::payload::namespace_transactions(payload, table, NamespaceId(ns))
            .map(|txs| txs.into_iter().map(|t| t.payload).collect())
            .unwrap_or_default(),
        proof: proof.map(|p| p.encode()),
        vid_common: b.vid_common.clone().expect("common"),
        payload_commitment: b.leaf.header.payload_commitment,
    }
}

fn refusal(b: &DecidedBlock, a: &NamespaceBody) -> Refusal {
    namespace_transactions(&b.leaf, NS, a).expect_err("refused")
}

/// `a` with its proof replaced by `edit` of the decoded proof.
fn with_proof(mut a: NamespaceBody, edit: impl FnOnce(&mut NamespaceProof)) -> NamespaceBody {
    let mut p = NamespaceProof::decode(a.proof.as_deref().expect("proof")).expect("decodes");
    edit(&mut p);
    a.proof = Some(p.encode());
    a
}

#[test]
fn an_honest_answer_gives_the_namespace_transactions_in_order() {
    let b = block();
    let got = namespace_transactions(&b.leaf, NS, &answer(&b, NS)).expect("verifies");
    assert_eq!(got, vec![b"first".to_vec(), b"second".to_vec()]);
    let absent = answer(&b, 99);
    assert_eq!(absent.proof, None);
    assert_eq!(
        namespace_transactions(&b.leaf, 99, &absent).expect("absent"),
        Vec::<Vec<u8>>::new()
    );
}

#[test]
fn an_answer_for_another_block_or_namespace_is_refused() {
    let b = block();
    let mut a = answer(&b, NS);
    a.height += 1;
    assert!(matches!(
        refusal(&b, &a),
        Refusal::WrongBlock { what: "height" }
    ));
    let a = answer(&b, OTHER);
    assert!(matches!(
        refusal(&b, &a),
        Refusal::WrongBlock { what: "namespace" }
    ));
    let mut a = answer(&b, NS);
    a.payload_commitment.0[0] ^= 1;
    assert!(matches!(
        refusal(&b, &a),
        Refusal::WrongBlock {
            what: "payload commitment"
        }
    ));
}

#[test]
fn a_withheld_proof_or_data_for_an_unlisted_namespace_is_refused() {
    let b = block();
    let mut a = answer(&b, NS);
    a.proof = None;
    a.transactions.clear();
    assert!(matches!(refusal(&b, &a), Refusal::MissingProof));
    let mut a = answer(&b, 99);
    a.transactions.push(b"invented".to_vec());
    assert!(matches!(
        namespace_transactions(&b.leaf, 99, &a),
        Err(Refusal::UnlistedData)
    ));
}

#[test]
fn changed_bytes_in_the_proof_are_refused_by_the_proof() {
    let b = block();
    // The bytes and the served list changed together, so only the proof can tell.
    let mut a = with_proof(answer(&b, NS), |p| *p.bytes.last_mut().expect("bytes") ^= 1);
    *a.transactions[1].last_mut().expect("tx") ^= 1;
    assert!(matches!(
        refusal(&b, &a),
        Refusal::Proof(DaError::BadNamespaceProof { .. })
    ));
    let a = with_proof(answer(&b, NS), |p| p.end -= 1);
    assert!(matches!(
        refusal(&b, &a),
        Refusal::Proof(DaError::BadNamespaceProof { .. })
    ));
    let a = with_proof(answer(&b, NS), |p| {
        if let Some(s) = p.siblings.first_mut() {
            s[0] ^= 1;
        }
    });
    assert!(matches!(
        refusal(&b, &a),
        Refusal::Proof(DaError::BadNamespaceProof { .. })
    ));
    let a = with_proof(answer(&b, NS), |p| p.namespace = NamespaceId(OTHER));
    assert!(matches!(
        refusal(&b, &a),
        Refusal::Proof(DaError::WrongNamespace { .. })
    ));
}

#[test]
fn a_vid_common_that_is_not_the_commitment_s_is_refused() {
    let b = block();
    let mut a = answer(&b, NS);
    *a.vid_common.last_mut().expect("common") ^= 1;
    assert!(
        matches!(refusal(&b, &a), Refusal::Proof(DaError::CommitmentMismatch)),
        "{:?}",
        refusal(&b, &a)
    );
    let mut a = answer(&b, NS);
    a.vid_common.truncate(10);
    assert!(matches!(refusal(&b, &a), Refusal::ProofEncoding(_)));
    let mut a = answer(&b, NS);
    a.proof = Some(vec![0xff; 7]);
    assert!(matches!(refusal(&b, &a), Refusal::ProofEncoding(_)));
}

#[test]
fn a_served_list_that_differs_from_the_proven_bytes_is_refused() {
    let b = block();
    for edit in [
        |t: &mut Vec<Vec<u8>>| t[0][0] ^= 1,
        |t: &mut Vec<Vec<u8>>| t.swap(0, 1),
        |t: &mut Vec<Vec<u8>>| t.truncate(1),
        |t: &mut Vec<Vec<u8>>| t.push(b"extra".to_vec()),
    ] {
        let mut a = answer(&b, NS);
        edit(&mut a.transactions);
        assert!(matches!(refusal(&b, &a), Refusal::TransactionsDiffer));
    }
}

#[test]
fn proven_bytes_that_do_not_split_into_transactions_are_refused() {
    // A leader's payload whose namespace range holds a length prefix of 9 and 2 bytes.
    let payload = vec![0, 0, 0, 9, 1, 2];
    let table = NsTable(vec![NsTableEntry {
        namespace: NamespaceId(NS),
        end: 6,
    }]);
    let mut b = block();
    let d =
        sq_da::disperse(sq_da::VidParams::new(4).expect("n"), &payload, &table).expect("disperses");
    b.leaf.header.ns_table = table;
    b.leaf.header.payload_commitment = d.commitment;
    b.payload = Some(payload.clone());
    b.vid_common = Some(d.common.encode());
    let a = answer(&b, NS);
    assert!(a.transactions.is_empty());
    assert!(matches!(refusal(&b, &a), Refusal::Malformed(_)));
}

#[test]
fn a_qc_for_another_leaf_or_an_undecodable_leaf_is_refused() {
    let b = block();
    assert_eq!(
        check_leaf(&LeafBody::new(&b.leaf, &b.qc)).expect("ok"),
        b.leaf
    );
    let mut qc = b.qc.clone();
    qc.leaf.0[0] ^= 1;
    assert!(matches!(
        check_leaf(&LeafBody::new(&b.leaf, &qc)),
        Err(Refusal::QcMismatch)
    ));
    let mut qc = b.qc.clone();
    qc.height.0 += 1;
    assert!(matches!(
        check_leaf(&LeafBody::new(&b.leaf, &qc)),
        Err(Refusal::QcMismatch)
    ));
    let mut body = LeafBody::new(&b.leaf, &b.qc);
    body.leaf_bytes.truncate(5);
    assert!(matches!(check_leaf(&body), Err(Refusal::LeafEncoding(_))));
}
