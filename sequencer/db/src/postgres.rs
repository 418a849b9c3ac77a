//! The PostgreSQL dialect: connection setup and write transactions.
//!
//! Durability is the server's: a commit acknowledged with the default
//! `synchronous_commit = on` and `fsync = on` survives a server crash.

use std::str::FromStr;

use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};
use sqlx::{Connection, Postgres, Transaction};

use crate::{DbError, Dialect, Options};

/// Connects to `url` (`postgres://…` or `postgresql://…`).
///
/// One direct connection is tried first, so that a dead server is reported at once rather
/// than after the pool has retried for [`Options::postgres_acquire_timeout`].
pub(crate) async fn open(url: &str, options: &Options) -> Result<PgPool, DbError> {
    let connect_error = |source| DbError::Connect {
        dialect: Dialect::Postgres,
        name: options.name,
        source,
    };
    let connect = PgConnectOptions::from_str(url).map_err(connect_error)?;
    PgConnection::connect_with(&connect)
        .await
        .map_err(connect_error)?
        .close()
        .await
        .map_err(connect_error)?;
    PgPoolOptions::new()
        .max_connections(options.postgres_max_connections)
        .acquire_timeout(options.postgres_acquire_timeout)
        .connect_with(connect)
        .await
        .map_err(connect_error)
}

/// Starts a write transaction (`BEGIN`, `READ COMMITTED`; row locks are taken by the
/// statements themselves, e.g. `FOR UPDATE SKIP LOCKED`).
///
/// # Errors
/// The driver's error: retryable ([`crate::is_retryable`]) for a dropped connection or a pool
/// timeout.
pub async fn begin_write(pool: &PgPool) -> Result<Transaction<'static, Postgres>, sqlx::Error> {
    pool.begin().await
}
