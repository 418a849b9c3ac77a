//! The success bodies of the status and availability routes, field by field, against the
//! fixture chain in real SQLite storage.

use crate::common::*;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use sq_api::LeafBody;
use sq_types::codec::Encode;

#[tokio::test]
async fn leaf_body_has_every_field_and_its_bytes_decode_to_what_was_certified() {
    let f = Fixture::new().await;
    let b = f.block(2);
    let (status, v) = get(&f.router(), "/v0/availability/leaf/2").await;
    assert_eq!(status, StatusCode::OK);
    let h = &b.leaf.header;
    assert_eq!(v["height"], 2);
    assert_eq!(v["view"], h.view.0);
    assert_eq!(v["hash"], b.leaf.commit().to_string());
    assert_eq!(v["parent"], f.block(1).leaf.commit().to_string());
    assert_eq!(v["payload_commitment"], h.payload_commitment.to_string());
    assert_eq!(v["timestamp_ms"], h.timestamp_ms);
    assert_eq!(v["l1_head"], h.l1_head);
    assert_eq!(
        v["ns_table"],
        serde_json::json!([
            {"namespace": 1, "end": h.ns_table.0[0].end},
            {"namespace": 7, "end": h.ns_table.0[1].end},
        ])
    );
    assert_eq!(v["qc"]["view"], b.qc.view.0);
    assert_eq!(v["qc"]["height"], 2);
    assert_eq!(v["qc"]["leaf"], b.leaf.commit().to_string());
    assert_eq!(v["qc"]["signers"], hx(b.qc.signers.as_bytes()));
    assert_eq!(v["qc"]["signature"], hx(&b.qc.signature.0));
    assert_eq!(unhex(&v["leaf_bytes"]), b.leaf.encode());
    assert_eq!(unhex(&v["qc_bytes"]), b.qc.encode());
    let body: LeafBody = serde_json::from_value(v).expect("deserializes");
    assert_eq!(
        body.decode().expect("decodes"),
        (b.leaf.clone(), b.qc.clone())
    );
}

#[tokio::test]
async fn leaves_are_ascending_bounded_by_limit_and_default_to_a_full_page() {
    let f = Fixture::new().await;
    let (status, v) = get(&f.router(), "/v0/availability/leaves?from=1&limit=2").await;
    assert_eq!(status, StatusCode::OK);
    let heights: Vec<_> = v
        .as_array()
        .expect("array")
        .iter()
        .map(|l| l["height"].clone())
        .collect();
    assert_eq!(heights, vec![1, 2]);
    assert_eq!(unhex(&v[1]["leaf_bytes"]), f.block(2).leaf.encode());
    let (_, v) = get(&f.router(), "/v0/availability/leaves?from=0").await;
    assert_eq!(v.as_array().map(Vec::len), Some(LEAF_ONLY as usize + 1));
    let (_, v) = get(&f.router(), "/v0/availability/leaves?from=1&limit=100").await;
    assert_eq!(v.as_array().map(Vec::len), Some(LEAF_ONLY as usize));
    let (status, v) = get(&f.router(), "/v0/availability/leaves?from=50").await;
    assert_eq!((status, v), (StatusCode::OK, serde_json::json!([])));
}

#[tokio::test]
async fn header_payload_and_block() {
    let f = Fixture::new().await;
    let b = f.block(1);
    let h = &b.leaf.header;
    let (status, v) = get(&f.router(), "/v0/availability/header/1").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["height"], 1);
    assert_eq!(v["hash"], b.leaf.commit().to_string());
    assert_eq!(v["payload_commitment"], h.payload_commitment.to_string());
    assert!(v.get("qc").is_none() && v.get("leaf_bytes").is_none());

    let payload = b.payload.clone().expect("stored");
    let (status, v) = get(&f.router(), "/v0/availability/payload/1").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["height"], 1);
    assert_eq!(unhex(&v["payload"]), payload);
    assert_eq!(v["payload_commitment"], h.payload_commitment.to_string());

    let (status, v) = get(&f.router(), "/v0/availability/block/1").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["header"]["hash"], b.leaf.commit().to_string());
    assert_eq!(unhex(&v["payload"]), payload);
    let txs = v["transactions"].as_array().expect("array");
    assert_eq!(txs.len(), 3);
    for (i, (got, want)) in txs.iter().zip(&b.transactions).enumerate() {
        assert_eq!(got["index"], i);
        assert_eq!(got["namespace"], want.namespace.0);
        assert_eq!(got["hash"], want.commit().to_string());
        assert_eq!(unhex(&got["payload"]), want.payload);
    }
    // Payload order: namespace 1's two transactions, then namespace 7's.
    assert_eq!(txs[1]["payload"], hx(b"h1-c"));
    assert_eq!(txs[2]["namespace"], 7);
}

#[tokio::test]
async fn transactions_by_hash_and_by_position_agree() {
    let f = Fixture::new().await;
    let want = &f.block(3).transactions[2];
    let (status, by_hash) = get(
        &f.router(),
        &format!("/v0/availability/transaction/hash/{}", want.commit()),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let expected = serde_json::json!({
        "height": 3,
        "index": 2,
        "hash": want.commit().to_string(),
        "namespace": 7,
        "payload": hx(&want.payload),
    });
    assert_eq!(by_hash, expected);
    let (status, at) = get(&f.router(), "/v0/availability/transaction/3/2").await;
    assert_eq!((status, at), (StatusCode::OK, expected));
    // Hashes are accepted without the 0x prefix and in upper case too.
    let bare = format!("{}", want.commit())
        .trim_start_matches("0x")
        .to_uppercase();
    let (status, _) = get(
        &f.router(),
        &format!("/v0/availability/transaction/hash/{bare}"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn vid_share_is_the_stored_common_and_share() {
    let f = Fixture::new().await;
    let b = f.block(2);
    let (status, v) = get(&f.router(), "/v0/availability/vid/share/2").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["height"], 2);
    let common = unhex(&v["common"]);
    assert_eq!(Some(&common), b.vid_common.as_ref());
    assert_eq!(Some(&unhex(&v["share"])), b.vid_share.as_ref());
    // What a peer does with it: decode and verify against the header's commitment.
    use sq_types::codec::Decode;
    let common = sq_da::VidCommon::decode(&common).expect("decodes");
    let share = sq_da::VidShare::decode(&unhex(&v["share"])).expect("decodes");
    share
        .verify(&common, &b.leaf.header.payload_commitment)
        .expect("verifies");
}

#[tokio::test]
async fn status_and_metrics() {
    let f = Fixture::new().await;
    let (status, v) = get(&f.router(), "/v0/status").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["block_height"], LEAF_ONLY);
    assert_eq!(v["view"], 12);
    assert_eq!(v["node"], 2);
    assert_eq!(v["success_rate"], LEAF_ONLY as f64 / 12.0);
    assert_eq!(v["time_since_last_decide_ms"], serde_json::Value::Null);
    assert_eq!(v["last_leaf"], f.block(LEAF_ONLY).leaf.commit().to_string());
    assert_eq!(v["decided_blocks"], 6);
    assert_eq!(v["decided_transactions"], 15);
    assert_eq!(v["proposals_rejected"], 1);
    assert_eq!(v["stored_height"], LEAF_ONLY);
    f.status.send_modify(|s| s.last_decide_unix_ms = 1);
    f.stored_height.send_replace(4);
    let (_, v) = get(&f.router(), "/v0/status").await;
    assert!(v["time_since_last_decide_ms"]
        .as_u64()
        .is_some_and(|ms| ms > 0));
    assert_eq!(v["stored_height"], 4);

    for uri in ["/metrics", "/v0/status/metrics"] {
        let req = Request::get(uri).body(Body::empty()).expect("request");
        let (status, bytes) = send(&f.router(), req).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(bytes, b"# HELP sq_up Always 1.\nsq_up 1\n");
    }
}
