//! The PostgreSQL dialect: connection pool, migrations and the statements that differ.
//!
//! Durability is the server's: a commit acknowledged with the default `synchronous_commit = on`
//! and `fsync = on` survives a server crash.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};
use sqlx::Connection;

use crate::rows::TxRows;
use crate::{Dialect, StorageError};

/// Connections in the pool.
const MAX_CONNECTIONS: u32 = 8;

/// How long a call waits for a pooled connection (or a new one) before
/// [`sqlx::Error::PoolTimedOut`].
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

/// Inserts a block's transactions in one round trip from parallel arrays: `$1` hashes,
/// `$2` height, `$3` indices, `$4` namespaces, `$5` payloads. Hashes already stored are
/// skipped.
const INSERT_TXS: &str = "INSERT INTO transactions (hash, height, idx, namespace, payload) \
     SELECT t.hash, $2, t.idx, t.namespace, t.payload \
     FROM UNNEST($1::BYTEA[], $3::BIGINT[], $4::BIGINT[], $5::BYTEA[]) \
     AS t (hash, idx, namespace, payload) \
     ON CONFLICT (hash) DO NOTHING";

/// Connects to `url` (`postgres://…` or `postgresql://…`) and applies `migrations/postgres`.
///
/// One direct connection is tried first, so that a dead server is reported at once rather
/// than after the pool has retried for [`ACQUIRE_TIMEOUT`].
pub(crate) async fn open(url: &str) -> Result<PgPool, StorageError> {
    let connect_error = |source| StorageError::Connect {
        dialect: Dialect::Postgres,
        source,
    };
    let options = PgConnectOptions::from_str(url)?;
    PgConnection::connect_with(&options)
        .await
        .map_err(connect_error)?
        .close()
        .await
        .map_err(connect_error)?;
    let pool = PgPoolOptions::new()
        .max_connections(MAX_CONNECTIONS)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .connect_with(options)
        .await
        .map_err(connect_error)?;
    sqlx::migrate!("./migrations/postgres").run(&pool).await?;
    Ok(pool)
}

/// Starts a write transaction (`BEGIN`; row locks are taken by the statements themselves).
pub(crate) async fn begin_write(
    pool: &PgPool,
) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, sqlx::Error> {
    pool.begin().await
}

/// Inserts the transactions of the block at `height` inside the caller's SQL transaction.
pub(crate) async fn insert_transactions(
    conn: &mut PgConnection,
    height: i64,
    txs: &TxRows,
) -> Result<(), sqlx::Error> {
    if txs.hashes.is_empty() {
        return Ok(());
    }
    sqlx::query(INSERT_TXS)
        .bind(txs.hashes.as_slice())
        .bind(height)
        .bind(txs.idxs.as_slice())
        .bind(txs.namespaces.as_slice())
        .bind(txs.payloads.as_slice())
        .execute(conn)
        .await?;
    Ok(())
}
