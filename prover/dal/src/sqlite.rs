//! The SQLite dialect: connection options, migrations and what differs from PostgreSQL.
//!
//! SQLite has one writer at a time: every write transaction starts with `BEGIN IMMEDIATE`,
//! so it holds the write lock from its first statement and picks are serialized (the
//! `SKIP LOCKED` of PostgreSQL has nothing to skip). WAL mode with `synchronous = FULL`, as
//! in sq-storage; writers wait up to [`BUSY_TIMEOUT`] for the lock.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Sqlite, Transaction};

use crate::{DalError, Dialect};

/// Connections in the pool (one for an in-memory database, which is per connection).
const MAX_CONNECTIONS: u32 = 4;

/// How long a statement waits for another connection's lock before `SQLITE_BUSY`.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Appended to a pick's inner `SELECT`: nothing (the write lock serializes picks).
pub(crate) const SKIP_LOCKED: &str = "";

/// Locks a batch's scheduler row before gating it: not needed under one writer.
pub(crate) const LOCK_SCHEDULER: Option<&str> = None;

/// Opens (creating if missing) the database at a `sqlite:` URL and applies
/// `migrations/sqlite`.
pub(crate) async fn open(url: &str) -> Result<SqlitePool, DalError> {
    let connect_error = |source| DalError::Connect {
        dialect: Dialect::Sqlite,
        source,
    };
    let options = SqliteConnectOptions::from_str(url)
        .map_err(connect_error)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(BUSY_TIMEOUT);
    let in_memory = url.contains(":memory:") || url.contains("mode=memory");
    let pool = SqlitePoolOptions::new()
        .max_connections(if in_memory { 1 } else { MAX_CONNECTIONS })
        .connect_with(options)
        .await
        .map_err(connect_error)?;
    sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
    Ok(pool)
}

/// Starts a write transaction holding the database's write lock (`BEGIN IMMEDIATE`).
pub(crate) async fn begin_write(
    pool: &SqlitePool,
) -> Result<Transaction<'static, Sqlite>, DalError> {
    Ok(pool.begin_with("BEGIN IMMEDIATE").await?)
}
