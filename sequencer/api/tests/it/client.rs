//! The typed client (`sq_api::client`) against the real router on a TCP port: every route it
//! covers answers the fixture's data, decoded; 404s are `None`; refusals carry the server's
//! error code; an unreachable node is `Unreachable`.

use crate::common::*;
use sq_api::client::{Client, ClientError};
use sq_api::ErrorCode;
use sq_da::VidCommon;
use sq_types::codec::Decode;

/// Serves the fixture's router on a free port; the client for it.
async fn serve(f: &Fixture) -> Client {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let router = f.router();
    tokio::spawn(async move { axum::serve(listener, router).await });
    Client::new(&format!("http://{addr}/")).expect("client")
}

#[tokio::test]
async fn every_route_answers_the_stored_data_decoded() {
    let f = Fixture::new().await;
    let c = serve(&f).await;
    assert!(!c.base().ends_with('/'));

    let status = c.status().await.expect("status");
    assert_eq!(
        (status.block_height, status.node, status.stored_height),
        (LEAF_ONLY, 2, LEAF_ONLY)
    );
    assert!(c.metrics().await.expect("metrics").contains("sq_up 1"));

    let b = f.block(1);
    assert_eq!(
        c.leaf(1).await.expect("leaf"),
        Some((b.leaf.clone(), b.qc.clone()))
    );
    let leaves = c.leaves(1, 3).await.expect("leaves");
    assert_eq!(
        leaves
            .iter()
            .map(|(l, _)| l.header.height.0)
            .collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
    assert_eq!(leaves[0], (b.leaf.clone(), b.qc.clone()));
    let header = c.header(1).await.expect("header").expect("stored");
    assert_eq!(header.hash, b.leaf.commit());
    let payload = c.payload(1).await.expect("payload").expect("stored");
    assert_eq!(Some(payload.payload.clone()), b.payload);
    let block = c.block(1).await.expect("block").expect("stored");
    assert_eq!(block.payload, payload.payload);
    assert_eq!(
        block
            .transactions
            .iter()
            .map(|t| t.hash)
            .collect::<Vec<_>>(),
        b.transactions
            .iter()
            .map(|t| t.commit())
            .collect::<Vec<_>>()
    );
    let ns = c.namespace(1, 7).await.expect("namespace").expect("stored");
    assert_eq!(ns.transactions, vec![b"h1-b".to_vec()]);
    let first = &b.transactions[0];
    let found = c
        .transaction_by_hash(&first.commit())
        .await
        .expect("transaction")
        .expect("decided");
    assert_eq!(
        (found.height, found.payload.clone()),
        (1, first.payload.clone())
    );
    let (common, _share) = c.vid_share(1).await.expect("vid").expect("stored");
    assert_eq!(
        Some(common),
        b.vid_common
            .as_deref()
            .map(|v| VidCommon::decode(v).expect("fixture"))
    );
}

#[tokio::test]
async fn missing_data_is_none_and_refusals_carry_the_code() {
    let f = Fixture::new().await;
    let c = serve(&f).await;
    assert_eq!(c.leaf(99).await.expect("answers"), None);
    assert!(c.leaves(99, 10).await.expect("answers").is_empty());
    assert_eq!(c.payload(LEAF_ONLY).await.expect("answers"), None);
    assert_eq!(c.vid_share(PAYLOAD_ONLY).await.expect("answers"), None);
    assert_eq!(c.block(99).await.expect("answers"), None);

    let e = c.leaves(0, 101).await.expect_err("limit over 100");
    assert!(e.is(ErrorCode::BadRequest), "{e}");
    assert!(!e.is_retryable());

    let t = tx(9, "hello");
    let commitment = c.submit(9, &t.payload).await.expect("accepted");
    assert_eq!(commitment, t.commit());
    let e = c.submit(9, &t.payload).await.expect_err("duplicate");
    assert!(
        matches!(e, ClientError::Status { status: 409, .. }),
        "{e:?}"
    );
    assert_eq!(e.code(), Some("duplicate_transaction"));
}

#[tokio::test]
async fn an_unreachable_node_is_unreachable_and_retryable() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let c = Client::new(&format!("http://127.0.0.1:{port}")).expect("client");
    let e = c.status().await.expect_err("nothing listens");
    assert!(matches!(e, ClientError::Unreachable { .. }), "{e:?}");
    assert!(e.is_retryable());
}
