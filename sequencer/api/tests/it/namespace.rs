//! `GET /v0/availability/block/{height}/namespace/{ns}`: the proof verifies against the
//! header's commitment, a changed byte breaks it, absent namespaces come without a proof, and a
//! payload stored without VID data gets its common data re-derived.

use crate::common::*;
use axum::http::StatusCode;
use sq_da::{NamespaceProof, VidCommon};
use sq_types::codec::Decode;
use sq_types::NamespaceId;

async fn fetch(
    f: &Fixture,
    height: u64,
    ns: u64,
) -> (NamespaceProof, VidCommon, serde_json::Value) {
    let (status, v) = get(
        &f.router(),
        &format!("/v0/availability/block/{height}/namespace/{ns}"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let proof = NamespaceProof::decode(&unhex(&v["proof"])).expect("proof decodes");
    let common = VidCommon::decode(&unhex(&v["vid_common"])).expect("common decodes");
    (proof, common, v)
}

#[tokio::test]
async fn proof_verifies_against_the_header_and_a_flipped_byte_fails() {
    let f = Fixture::new().await;
    let b = f.block(2);
    let commitment = b.leaf.header.payload_commitment;
    let (proof, common, v) = fetch(&f, 2, 1).await;
    assert_eq!(v["height"], 2);
    assert_eq!(v["namespace"], 1);
    assert_eq!(v["payload_commitment"], commitment.to_string());
    assert_eq!(Some(&unhex(&v["vid_common"])), b.vid_common.as_ref());
    assert_eq!(
        v["transactions"],
        serde_json::json!([hx(b"h2-a"), hx(b"h2-c")])
    );
    let bytes = proof
        .verify(NamespaceId(1), &common, &commitment)
        .expect("verifies against the header's commitment");
    // The proven bytes are the namespace's range of the payload: `len ‖ tx` for each tx.
    let mut expected = Vec::new();
    for tx in [&b"h2-a"[..], b"h2-c"] {
        expected.extend_from_slice(&(tx.len() as u32).to_be_bytes());
        expected.extend_from_slice(tx);
    }
    assert_eq!(bytes, expected.as_slice());

    let mut tampered = proof.clone();
    let last = tampered.bytes.len() - 1;
    tampered.bytes[last] ^= 1; // a byte of the last transaction
    assert!(tampered
        .verify(NamespaceId(1), &common, &commitment)
        .is_err());
    assert!(
        proof
            .verify(
                NamespaceId(1),
                &common,
                &f.block(1).leaf.header.payload_commitment
            )
            .is_err(),
        "another header's commitment"
    );
}

#[tokio::test]
async fn absent_namespace_has_no_proof_and_no_transactions() {
    let f = Fixture::new().await;
    let (status, v) = get(&f.router(), "/v0/availability/block/2/namespace/3").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["proof"], serde_json::Value::Null);
    assert_eq!(v["transactions"], serde_json::json!([]));
    assert_eq!(
        Some(&unhex(&v["vid_common"])),
        f.block(2).vid_common.as_ref()
    );
}

#[tokio::test]
async fn payload_stored_without_vid_data_gets_re_derived_common_data() {
    let f = Fixture::new().await;
    let b = f.block(PAYLOAD_ONLY);
    assert!(b.vid_common.is_none());
    let (proof, common, v) = fetch(&f, PAYLOAD_ONLY, 7).await;
    assert_eq!(v["transactions"], serde_json::json!([hx(b"h4-b")]));
    proof
        .verify(NamespaceId(7), &common, &b.leaf.header.payload_commitment)
        .expect("verifies with the re-derived common data");
}
