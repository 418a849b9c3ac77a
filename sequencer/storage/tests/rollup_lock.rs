//! SQLite: a rollup block write that reads before it writes waits for another connection's
//! write lock instead of failing with "database is locked" (seen as retry warnings of the
//! rollup follower in the demo before `rollup_apply_block` began with `BEGIN IMMEDIATE`).

use std::time::Duration;

use sq_storage::{RollupBlockWrite, Storage};
use sqlx::Connection;

fn write(height: u64) -> RollupBlockWrite {
    RollupBlockWrite {
        height,
        block: vec![height as u8; 8],
        accounts: Vec::new(),
        receipts: Vec::new(),
        batch: None,
    }
}

#[tokio::test]
async fn a_rollup_block_write_waits_for_a_concurrent_sqlite_writer() {
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}", dir.path().join("rollup.sqlite").display());
    let storage = Storage::connect(&url).await.expect("open");
    storage
        .rollup_apply_block(&write(1))
        .await
        .expect("block 1");

    // Another connection holds the write lock and changes the database while our write is
    // pending; it commits only after our transaction has started.
    let mut other = sqlx::SqliteConnection::connect(&url)
        .await
        .expect("second connection");
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut other)
        .await
        .expect("lock");
    sqlx::query("UPDATE rollup_meta SET value = value WHERE key = 'executed_height'")
        .execute(&mut other)
        .await
        .expect("write");
    let s = storage.clone();
    let pending = tokio::spawn(async move { s.rollup_apply_block(&write(2)).await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!pending.is_finished(), "the write must wait for the lock");
    sqlx::query("COMMIT")
        .execute(&mut other)
        .await
        .expect("commit");
    pending
        .await
        .expect("join")
        .expect("the write waited for the lock instead of failing");
    assert_eq!(
        storage.rollup_executed_height().await.expect("height"),
        Some(2)
    );
}
