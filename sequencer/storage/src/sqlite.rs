//! The SQLite dialect: connection options, migrations and the statements that differ.
//!
//! Durability: the database runs in WAL mode with `synchronous = FULL`, so the WAL is fsynced
//! at every commit and a write acknowledged by [`crate::Storage`] survives `kill -9` and power
//! loss (given a disk that honours fsync). Writers serialize on SQLite's database lock and wait
//! up to [`BUSY_TIMEOUT`] for it.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteSynchronous,
};

use crate::rows::TxRows;
use crate::{Dialect, StorageError};

/// Connections in the pool: WAL lets readers proceed beside the one writer.
const MAX_CONNECTIONS: u32 = 4;

/// How long a statement waits for another connection's lock before failing with
/// `SQLITE_BUSY` (which [`StorageError::is_retryable`] reports as retryable).
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Inserts one transaction unless its hash is stored: `$1` hash, `$2` height, `$3` index,
/// `$4` namespace, `$5` payload. SQLite runs in-process, so one statement per row is cheap.
const INSERT_TX: &str = "INSERT INTO transactions (hash, height, idx, namespace, payload) \
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (hash) DO NOTHING";

/// Options parsed from a `sqlite://path` (or `sqlite:path`) URL.
pub(crate) fn options_from_url(url: &str) -> Result<SqliteConnectOptions, StorageError> {
    Ok(SqliteConnectOptions::from_str(url)?)
}

/// Options for the database file at `path`.
pub(crate) fn options_for_file(path: &Path) -> SqliteConnectOptions {
    SqliteConnectOptions::new().filename(path)
}

/// Opens (creating if missing) the database and applies `migrations/sqlite`.
pub(crate) async fn open(options: SqliteConnectOptions) -> Result<SqlitePool, StorageError> {
    let options = options
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(BUSY_TIMEOUT)
        .foreign_keys(true);
    let pool = SqlitePoolOptions::new()
        .max_connections(MAX_CONNECTIONS)
        .connect_with(options)
        .await
        .map_err(|source| StorageError::Connect {
            dialect: Dialect::Sqlite,
            source,
        })?;
    sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
    Ok(pool)
}

/// Starts a write transaction with `BEGIN IMMEDIATE`, taking the write lock up front (waiting
/// up to [`BUSY_TIMEOUT`]). A deferred transaction that reads before it writes fails at once
/// with `SQLITE_BUSY` ("database is locked", no busy wait) when another connection commits
/// between its read and its first write, because WAL cannot upgrade a stale read snapshot.
pub(crate) async fn begin_write(
    pool: &SqlitePool,
) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
    pool.begin_with("BEGIN IMMEDIATE").await
}

/// Inserts the transactions of the block at `height` inside the caller's SQL transaction.
pub(crate) async fn insert_transactions(
    conn: &mut SqliteConnection,
    height: i64,
    txs: &TxRows,
) -> Result<(), sqlx::Error> {
    for (((hash, idx), ns), payload) in txs
        .hashes
        .iter()
        .zip(&txs.idxs)
        .zip(&txs.namespaces)
        .zip(&txs.payloads)
    {
        sqlx::query(INSERT_TX)
            .bind(hash.as_slice())
            .bind(height)
            .bind(*idx)
            .bind(*ns)
            .bind(payload.as_slice())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}
