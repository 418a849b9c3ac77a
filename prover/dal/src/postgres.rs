//! The PostgreSQL dialect: connection pool, migrations and what differs from SQLite.
//!
//! Picks are one `UPDATE … WHERE id = (SELECT … FOR UPDATE SKIP LOCKED) RETURNING …`, so
//! concurrent workers on different connections never wait for, nor receive, the same row.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};
use sqlx::{Connection, Postgres, Transaction};

use crate::{DalError, Dialect};

/// Connections in the pool.
const MAX_CONNECTIONS: u32 = 8;

/// How long a call waits for a pooled connection before [`sqlx::Error::PoolTimedOut`].
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

/// Appended to a pick's inner `SELECT`.
pub(crate) const SKIP_LOCKED: &str = " FOR UPDATE SKIP LOCKED";

/// Locks a batch's scheduler row before the gating count, so that two transactions saving
/// the last two chunk proofs at once cannot both miss each other's proof.
pub(crate) const LOCK_SCHEDULER: Option<&str> =
    Some("SELECT batch FROM scheduler_jobs WHERE batch = $1 FOR UPDATE");

/// Connects to `url` and applies `migrations/postgres`. One direct connection is tried
/// first, so that a dead server is reported at once rather than after the pool's retries.
pub(crate) async fn open(url: &str) -> Result<PgPool, DalError> {
    let connect_error = |source| DalError::Connect {
        dialect: Dialect::Postgres,
        source,
    };
    let options = PgConnectOptions::from_str(url).map_err(connect_error)?;
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

/// Starts a transaction (`READ COMMITTED`; row locks do the rest).
pub(crate) async fn begin_write(pool: &PgPool) -> Result<Transaction<'static, Postgres>, DalError> {
    Ok(pool.begin().await?)
}
