//! The SQLite dialect: connection setup and write transactions.
//!
//! Durability: the database runs in WAL mode with `synchronous = FULL`, so the WAL is fsynced
//! at every commit and an acknowledged write survives `kill -9` and power loss (given a disk
//! that honours fsync). Foreign keys are enforced. SQLite has one writer at a time: writers
//! serialize on the database lock and wait up to [`Options::sqlite_busy_timeout`] for it.

use std::str::FromStr;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Sqlite, Transaction};

use crate::{DbError, Dialect, Options};

/// The error of a SQLite database that cannot be opened.
fn connect_error(options: &Options) -> impl Fn(sqlx::Error) -> DbError + '_ {
    |source| DbError::Connect {
        dialect: Dialect::Sqlite,
        name: options.name,
        source,
    }
}

/// Options parsed from a `sqlite://path` (or `sqlite:path`) URL.
pub(crate) fn options_from_url(
    url: &str,
    options: &Options,
) -> Result<SqliteConnectOptions, DbError> {
    SqliteConnectOptions::from_str(url).map_err(connect_error(options))
}

/// Opens (creating if missing) the database with the durability settings of this module;
/// `in_memory` gets a single connection.
pub(crate) async fn open(
    connect: SqliteConnectOptions,
    in_memory: bool,
    options: &Options,
) -> Result<SqlitePool, DbError> {
    let connect = connect
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(options.sqlite_busy_timeout)
        .foreign_keys(true);
    SqlitePoolOptions::new()
        .max_connections(if in_memory {
            1
        } else {
            options.sqlite_max_connections
        })
        .connect_with(connect)
        .await
        .map_err(connect_error(options))
}

/// Starts a write transaction with `BEGIN IMMEDIATE`, taking the write lock up front (waiting
/// up to the busy timeout). A deferred transaction that reads before it writes fails at once
/// with `SQLITE_BUSY` ("database is locked", no busy wait) when another connection commits
/// between its read and its first write, because WAL cannot upgrade a stale read snapshot.
/// Under the one writer, picks and read-modify-write transitions are serialized.
///
/// # Errors
/// The driver's error: retryable ([`crate::is_retryable`]) when the lock stayed taken past
/// the busy timeout or the pool timed out.
pub async fn begin_write(pool: &SqlitePool) -> Result<Transaction<'static, Sqlite>, sqlx::Error> {
    pool.begin_with("BEGIN IMMEDIATE").await
}
