//! Every error code of the read routes, with its status: `not_found` for each lookup kind,
//! `pruned`, `bad_request`, `storage_unavailable` and `internal`.

use crate::common::*;
use axum::http::StatusCode;

#[tokio::test]
async fn absent_heights_hashes_and_indices_are_not_found() {
    let f = Fixture::new().await;
    let r = f.router();
    let missing_hash = format!("0x{}", "ab".repeat(32));
    for uri in [
        "/v0/availability/leaf/99".to_owned(),
        "/v0/availability/header/99".to_owned(),
        "/v0/availability/payload/99".to_owned(),
        "/v0/availability/block/99".to_owned(),
        "/v0/availability/block/99/namespace/1".to_owned(),
        "/v0/availability/vid/share/99".to_owned(),
        "/v0/availability/transaction/99/0".to_owned(),
        "/v0/availability/transaction/1/99".to_owned(),
        format!("/v0/availability/transaction/hash/{missing_hash}"),
        // The leaf is stored but this node never had the payload or a share.
        format!("/v0/availability/payload/{LEAF_ONLY}"),
        format!("/v0/availability/block/{LEAF_ONLY}"),
        format!("/v0/availability/block/{LEAF_ONLY}/namespace/1"),
        format!("/v0/availability/vid/share/{LEAF_ONLY}"),
        format!("/v0/availability/vid/share/{PAYLOAD_ONLY}"),
        format!("/v0/availability/transaction/{LEAF_ONLY}/0"),
        // A height above i64::MAX cannot be stored.
        format!("/v0/availability/leaf/{}", u64::MAX),
        "/v0/no/such/route".to_owned(),
    ] {
        let got = get(&r, &uri).await;
        assert_error(&got, StatusCode::NOT_FOUND, "not_found");
    }
}

#[tokio::test]
async fn pruned_data_is_pruned_while_leaves_stay() {
    let f = Fixture::new().await;
    f.storage.prune(1).await.expect("prunes");
    let r = f.router();
    for uri in [
        "/v0/availability/payload/1",
        "/v0/availability/block/1",
        "/v0/availability/block/1/namespace/1",
        "/v0/availability/vid/share/1",
        "/v0/availability/transaction/1/0",
    ] {
        let got = get(&r, uri).await;
        assert_error(&got, StatusCode::NOT_FOUND, "pruned");
    }
    let (status, v) = get(&r, "/v0/availability/leaf/1").await;
    assert_eq!((status, &v["height"]), (StatusCode::OK, &1.into()));
    let (status, _) = get(&r, "/v0/availability/header/1").await;
    assert_eq!(status, StatusCode::OK);
    // Above the pruned height, a payload this node never had is still just not found.
    let got = get(&r, &format!("/v0/availability/payload/{LEAF_ONLY}")).await;
    assert_error(&got, StatusCode::NOT_FOUND, "not_found");
    // A pruned transaction's hash is no longer known.
    let tx = &f.block(1).transactions[0];
    let got = get(
        &r,
        &format!("/v0/availability/transaction/hash/{}", tx.commit()),
    )
    .await;
    assert_error(&got, StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn malformed_parameters_are_bad_requests() {
    let f = Fixture::new().await;
    let r = f.router();
    for uri in [
        "/v0/availability/leaf/abc",
        "/v0/availability/leaf/-1",
        "/v0/availability/header/1.5",
        "/v0/availability/payload/x",
        "/v0/availability/block/x",
        "/v0/availability/block/1/namespace/x",
        "/v0/availability/vid/share/x",
        "/v0/availability/transaction/1/x",
        "/v0/availability/transaction/1/4294967296", // index above u32
        "/v0/availability/transaction/hash/0xzz",
        "/v0/availability/transaction/hash/0x1234", // not 32 bytes
        "/v0/availability/leaves",                  // from is required
        "/v0/availability/leaves?from=x",
        "/v0/availability/leaves?from=0&limit=101",
        "/v0/availability/leaves?from=0&limit=-1",
        "/v0/availability/stream/leaves/x",
    ] {
        let got = get(&r, uri).await;
        assert_error(&got, StatusCode::BAD_REQUEST, "bad_request");
    }
}

#[tokio::test]
async fn a_closed_storage_is_unavailable() {
    let f = Fixture::new().await;
    // What the API sees: sqlx's PoolClosed, which sq-storage calls non-retryable.
    f.storage.close().await;
    let err = f
        .storage
        .leaf(sq_types::Height(1))
        .await
        .expect_err("closed");
    assert!(
        matches!(
            err,
            sq_storage::StorageError::Database(sqlx::Error::PoolClosed)
        ),
        "{err:?}"
    );
    assert!(!err.is_retryable());
    let r = f.router();
    for uri in [
        "/v0/availability/leaf/1",
        "/v0/availability/leaves?from=0",
        "/v0/availability/payload/1",
        "/v0/availability/block/1/namespace/1",
        "/v0/availability/transaction/hash/0x0000000000000000000000000000000000000000000000000000000000000000",
    ] {
        let got = get(&r, uri).await;
        assert_error(&got, StatusCode::SERVICE_UNAVAILABLE, "storage_unavailable");
    }
}

#[tokio::test]
async fn a_corrupt_row_is_internal_and_says_what() {
    let f = Fixture::new().await;
    let path = f.dir.path().join(sq_storage::SQLITE_FILE_NAME);
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display()))
        .await
        .expect("second connection");
    sqlx::query("UPDATE leaves SET leaf = x'00' WHERE height = 1")
        .execute(&pool)
        .await
        .expect("corrupts");
    pool.close().await;
    let got = get(&f.router(), "/v0/availability/leaf/1").await;
    assert_error(&got, StatusCode::INTERNAL_SERVER_ERROR, "internal");
    let message = got.1["message"].as_str().unwrap_or_default();
    assert!(message.contains("corrupt leaf at height 1"), "{message}");
}
