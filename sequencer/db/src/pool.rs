//! [`Dialect`], [`Pool`] and [`on_pool!`](crate::on_pool): one body of SQL code over both
//! drivers.

use std::fmt;

use sqlx::postgres::PgPool;
use sqlx::sqlite::SqlitePool;

/// Which database a [`Pool`] talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// An embedded SQLite file (or a private in-memory database).
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

impl fmt::Display for Dialect {
    /// `SQLite` or `PostgreSQL`, as error messages and logs name the database.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Dialect::Sqlite => "SQLite",
            Dialect::Postgres => "PostgreSQL",
        })
    }
}

/// A connection pool of either dialect, cheap to clone and safe to share between tasks.
///
/// Code that runs the same SQL on both dialects matches on it with [`on_pool!`](crate::on_pool).
#[derive(Clone, Debug)]
pub enum Pool {
    /// A SQLite pool (WAL, `synchronous = FULL`; see [`crate::sqlite`]).
    Sqlite(SqlitePool),
    /// A PostgreSQL pool (see [`crate::postgres`]).
    Postgres(PgPool),
}

impl Pool {
    /// Which database this pool talks to.
    #[must_use]
    pub fn dialect(&self) -> Dialect {
        match self {
            Pool::Sqlite(_) => Dialect::Sqlite,
            Pool::Postgres(_) => Dialect::Postgres,
        }
    }

    /// Closes every pooled connection, waiting for those in use to be returned. Later calls
    /// on the pool fail with a non-retryable [`sqlx::Error::PoolClosed`].
    pub async fn close(&self) {
        crate::on_pool!(self, pool => pool.close().await);
    }
}

/// Runs `$body` once per arm of a [`Pool`] with `$pool` bound to that arm's pool
/// (`&SqlitePool` or `&PgPool`). The body is the same text for both arms; each arm
/// type-checks it against its own driver, so a `?` or `return` in it leaves the caller.
///
/// Three forms:
///
/// - `on_pool!(POOL, pool => BODY)`: `POOL` is an expression of type [`Pool`] (it is matched
///   by reference).
/// - `on_pool!(POOL, pool, dialect => BODY)`: also binds the module name `dialect` to
///   [`crate::sqlite`] or [`crate::postgres`] (e.g. `dialect::begin_write(pool)`).
/// - `on_pool!(POOL, pool, dialect in (crate::sqlite, crate::postgres) => BODY)`: binds
///   `dialect` to the caller's own module per arm, for statements that differ per dialect
///   (those modules typically re-export [`crate::sqlite::begin_write`] beside their own
///   items).
///
/// ```
/// # async fn demo(db: &sq_db::Pool) -> Result<i64, sqlx::Error> {
/// let one: i64 = sq_db::on_pool!(db, pool => {
///     sqlx::query_scalar("SELECT 1").fetch_one(pool).await?
/// });
/// # Ok(one)
/// # }
/// ```
#[macro_export]
macro_rules! on_pool {
    ($db:expr, $pool:ident => $body:expr) => {
        match &$db {
            $crate::Pool::Sqlite($pool) => $body,
            $crate::Pool::Postgres($pool) => $body,
        }
    };
    ($db:expr, $pool:ident, $dialect:ident => $body:expr) => {
        match &$db {
            $crate::Pool::Sqlite($pool) => {
                #[allow(unused_imports)]
                use $crate::sqlite as $dialect;
                $body
            }
            $crate::Pool::Postgres($pool) => {
                #[allow(unused_imports)]
                use $crate::postgres as $dialect;
                $body
            }
        }
    };
    ($db:expr, $pool:ident, $dialect:ident in
        ($($sqlite:ident)::+, $($postgres:ident)::+) => $body:expr) => {
        match &$db {
            $crate::Pool::Sqlite($pool) => {
                #[allow(unused_imports)]
                use $($sqlite)::+ as $dialect;
                $body
            }
            $crate::Pool::Postgres($pool) => {
                #[allow(unused_imports)]
                use $($postgres)::+ as $dialect;
                $body
            }
        }
    };
}
