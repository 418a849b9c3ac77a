//! The rollup's own database.
//!
//! - It holds the rollup's tables and no sequencer table, on SQLite and PostgreSQL.
//! - SQLite: a rollup block write that reads before it writes waits for another connection's
//!   write lock instead of failing with "database is locked" (seen as retry warnings of the
//!   rollup follower in the demo before `apply_block` began with `BEGIN IMMEDIATE`).

use std::time::Duration;

use sq_db::testing::TestDatabase;
use sq_db::Dialect;
use sq_rollup::db::RollupBlockWrite;
use sq_rollup::RollupDb;
use sqlx::Connection;

/// The tables of the database at `url`, sorted.
async fn tables(dialect: Dialect, url: &str) -> Vec<String> {
    let mut names: Vec<String> = match dialect {
        Dialect::Sqlite => {
            let mut c = sqlx::SqliteConnection::connect(url).await.expect("sqlite");
            sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table'")
                .fetch_all(&mut c)
                .await
                .expect("tables")
        }
        Dialect::Postgres => {
            let mut c = sqlx::PgConnection::connect(url).await.expect("postgres");
            sqlx::query_scalar(
                "SELECT table_name::TEXT FROM information_schema.tables \
                 WHERE table_schema = 'public'",
            )
            .fetch_all(&mut c)
            .await
            .expect("tables")
        }
    };
    names.sort();
    names
}

async fn holds_only_rollup_tables(dialect: Dialect) {
    let db = TestDatabase::create(dialect, "sq_rollup_test", "rollup.sqlite").await;
    let pg = db.pg_database().map(str::to_owned);
    sq_db::testing::run(pg, async move {
        let rollup = RollupDb::connect(db.url()).await.expect("open");
        rollup.close().await;
        let names = tables(dialect, db.url()).await;
        let ours: Vec<&str> = names
            .iter()
            .map(String::as_str)
            .filter(|n| !n.starts_with("_sqlx") && !n.starts_with("sqlite_"))
            .collect();
        assert_eq!(
            ours,
            [
                "rollup_accounts",
                "rollup_batches",
                "rollup_blocks",
                "rollup_meta",
                "rollup_receipts"
            ],
            "{dialect}: {names:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn a_sqlite_rollup_database_has_no_sequencer_tables() {
    holds_only_rollup_tables(Dialect::Sqlite).await;
}

#[tokio::test]
async fn a_postgres_rollup_database_has_no_sequencer_tables() {
    holds_only_rollup_tables(Dialect::Postgres).await;
}

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
    let storage = RollupDb::connect(&url).await.expect("open");
    storage.apply_block(&write(1)).await.expect("block 1");

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
    let pending = tokio::spawn(async move { s.apply_block(&write(2)).await });
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
    assert_eq!(storage.executed_height().await.expect("height"), Some(2));
}
