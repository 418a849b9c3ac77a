//! `POST /v0/submit`: the accepted shape and every refusal (bad_request,
//! transaction_too_large for the payload and for the body, duplicate_transaction,
//! unknown_namespace, mempool_full, rate_limited).

use std::convert::Infallible;

use crate::common::*;
use axum::body::{Body, Bytes};
use axum::http::StatusCode;
use sq_api::mempool::MempoolConfig;
use sq_types::NamespaceId;
use tokio::sync::oneshot;

#[tokio::test]
async fn accepted_transactions_answer_their_commitment_and_reach_the_mempool() {
    let f = Fixture::new().await;
    let t = tx(9, "hello");
    let (status, v) = submit(&f.router(), &submission(&t)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v, serde_json::json!({"commitment": t.commit().to_string()}));
    // Without the 0x prefix too.
    let t2 = tx(9, "again");
    let body = format!(
        r#"{{"namespace": 9, "payload": "{}"}}"#,
        hex_of(&t2.payload)
    );
    let (status, _) = submit(&f.router(), &body).await;
    assert_eq!(status, StatusCode::OK);
    let mut pool = f.state.mempool.lock().expect("lock");
    assert_eq!(pool.len(), 2);
    assert_eq!(pool.take_block(sq_types::View(1)), vec![t, t2]);
}

#[tokio::test]
async fn malformed_submissions_are_bad_requests() {
    let f = Fixture::new().await;
    let r = f.router();
    for body in [
        r#"{"namespace": 1, "payload": "0xzz"}"#,
        r#"{"namespace": 1, "payload": "0x123"}"#,
        r#"{"namespace": -1, "payload": "0x00"}"#,
        r#"{"payload": "0x00"}"#,
        r#"{"namespace": 1"#,
        "not json",
    ] {
        let got = submit(&r, body).await;
        assert_error(&got, StatusCode::BAD_REQUEST, "bad_request");
    }
    let req = axum::http::Request::post("/v0/submit")
        .body(Body::from(submission(&tx(1, "x"))))
        .expect("request");
    let (status, bytes) = send(&r, req).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "no JSON content type");
    let v: serde_json::Value = serde_json::from_slice(&bytes).expect("JSON");
    assert_eq!(v["code"], "bad_request");
}

#[tokio::test]
async fn oversized_payloads_and_bodies_are_too_large() {
    let f = Fixture::with_mempool(MempoolConfig {
        max_transaction_bytes: 16,
        ..MempoolConfig::default()
    })
    .await;
    let r = f.router();
    let got = submit(&r, &submission(&tx(1, &"x".repeat(17)))).await;
    assert_error(&got, StatusCode::PAYLOAD_TOO_LARGE, "transaction_too_large");
    assert!(got.1["message"]
        .as_str()
        .unwrap_or_default()
        .contains("limit of 16 bytes"));
    // The body limit is 2 × 16 + 4096 bytes; a bigger body is refused before it is parsed.
    assert_eq!(f.state.body_limit(), 4128);
    let got = submit(&r, &submission(&tx(1, &"x".repeat(3000)))).await;
    assert_error(&got, StatusCode::PAYLOAD_TOO_LARGE, "transaction_too_large");
    assert!(got.1["message"]
        .as_str()
        .unwrap_or_default()
        .contains("4128"));
    // Also without a content length (a streamed body).
    let chunks = vec![Ok::<_, Infallible>(Bytes::from(submission(&tx(
        1,
        &"y".repeat(3000),
    ))))];
    let req = submit_request(Body::from_stream(futures::stream::iter(chunks)));
    let (status, bytes) = send(&r, req).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let v: serde_json::Value = serde_json::from_slice(&bytes).expect("JSON body");
    assert_eq!(v["code"], "transaction_too_large");
}

#[tokio::test]
async fn duplicates_unknown_namespaces_and_a_full_mempool_are_refused() {
    let f = Fixture::with_mempool(MempoolConfig {
        max_transactions: 2,
        allowed_namespaces: Some([NamespaceId(1), NamespaceId(2)].into()),
        ..MempoolConfig::default()
    })
    .await;
    let r = f.router();
    let (status, _) = submit(&r, &submission(&tx(1, "a"))).await;
    assert_eq!(status, StatusCode::OK);
    let got = submit(&r, &submission(&tx(1, "a"))).await;
    assert_error(&got, StatusCode::CONFLICT, "duplicate_transaction");
    let got = submit(&r, &submission(&tx(3, "b"))).await;
    assert_error(&got, StatusCode::BAD_REQUEST, "unknown_namespace");
    let (status, _) = submit(&r, &submission(&tx(2, "b"))).await;
    assert_eq!(status, StatusCode::OK);
    let got = submit(&r, &submission(&tx(2, "c"))).await;
    assert_error(&got, StatusCode::TOO_MANY_REQUESTS, "mempool_full");
}

#[tokio::test]
async fn submissions_over_the_in_flight_limit_are_shed_not_queued() {
    let mut f = Fixture::new().await;
    f.config.max_submits_in_flight = 1;
    let r = f.router();
    // The first submission holds the only slot: its body arrives only when released.
    let (polled_tx, polled_rx) = oneshot::channel::<()>();
    let (release_tx, release_rx) = oneshot::channel::<()>();
    let first = tx(1, "slow");
    let body = submission(&first);
    let slow = futures::stream::once(async move {
        let _ = polled_tx.send(());
        let _ = release_rx.await;
        Ok::<_, Infallible>(Bytes::from(body))
    });
    let r1 = r.clone();
    let pending =
        tokio::spawn(async move { send(&r1, submit_request(Body::from_stream(slow))).await });
    polled_rx
        .await
        .expect("the handler is reading the first body");

    let got = submit(&r, &submission(&tx(1, "fast"))).await;
    assert_error(&got, StatusCode::TOO_MANY_REQUESTS, "rate_limited");
    // Reads are not limited.
    let (status, _) = get(&r, "/v0/status").await;
    assert_eq!(status, StatusCode::OK);

    release_tx.send(()).expect("first request waits");
    let (status, bytes) = pending.await.expect("joins");
    assert_eq!(
        status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&bytes)
    );
    let (status, _) = submit(&r, &submission(&tx(1, "fast"))).await;
    assert_eq!(status, StatusCode::OK, "the slot is free again");
}
