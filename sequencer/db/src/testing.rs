//! The test-database harness (cargo feature `testing`; enable it from dev-dependencies only):
//! a fresh, empty database per test on either dialect.
//!
//! PostgreSQL: the admin URL comes from [`ADMIN_URL_VAR`] (default [`DEFAULT_ADMIN_URL`]);
//! each test creates its own database `<prefix>_<random>` and [`run`] drops it at the end
//! (even when the test panicked), so tests run in parallel. An unreachable server fails the
//! test; it never skips. SQLite: a file in a new temporary directory, removed with the
//! [`TestDatabase`].
#![allow(clippy::panic)] // a harness that cannot set up its database fails the test

use std::future::Future;

use rand::Rng;
use sqlx::{Connection, Executor};
use tempfile::TempDir;

use crate::Dialect;

/// The environment variable naming the PostgreSQL admin URL.
pub const ADMIN_URL_VAR: &str = "SQ_TEST_POSTGRES_URL";
/// The admin URL when [`ADMIN_URL_VAR`] is unset.
pub const DEFAULT_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// The PostgreSQL admin URL: [`ADMIN_URL_VAR`] or [`DEFAULT_ADMIN_URL`].
#[must_use]
pub fn admin_url() -> String {
    std::env::var(ADMIN_URL_VAR).unwrap_or_else(|_| DEFAULT_ADMIN_URL.to_owned())
}

/// `url` with its database name replaced by `db` (query parameters kept).
#[must_use]
pub fn with_database(url: &str, db: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let authority = base.find("://").map_or(0, |i| i + 3);
    let base = base[authority..]
        .find('/')
        .map_or(base, |i| &base[..authority + i]);
    match query {
        Some(q) => format!("{base}/{db}?{q}"),
        None => format!("{base}/{db}"),
    }
}

/// A connection to the PostgreSQL admin database.
///
/// # Panics
/// If the server is unreachable, naming [`ADMIN_URL_VAR`].
pub async fn admin() -> sqlx::PgConnection {
    let url = admin_url();
    sqlx::PgConnection::connect(&url).await.unwrap_or_else(|e| {
        panic!(
            "PostgreSQL at {url} is unreachable ({e}). These tests need a PostgreSQL server: \
             start one or set {ADMIN_URL_VAR} to its admin URL."
        )
    })
}

/// A fresh, empty database of one dialect, not yet migrated: connect to [`TestDatabase::url`]
/// with the crate under test.
#[derive(Debug)]
pub struct TestDatabase {
    dialect: Dialect,
    url: String,
    pg_database: Option<String>,
    _dir: Option<TempDir>,
}

impl TestDatabase {
    /// Creates the database: for SQLite the URL of `sqlite_file` in a new temporary directory
    /// (the file is created by the first connect); for PostgreSQL a new database
    /// `<pg_prefix>_<16 hex digits>`.
    ///
    /// # Panics
    /// If the temporary directory or the PostgreSQL database cannot be created.
    pub async fn create(dialect: Dialect, pg_prefix: &str, sqlite_file: &str) -> TestDatabase {
        match dialect {
            Dialect::Sqlite => {
                let dir = tempfile::tempdir().expect("temporary directory");
                let url = format!("sqlite://{}", dir.path().join(sqlite_file).display());
                TestDatabase {
                    dialect,
                    url,
                    pg_database: None,
                    _dir: Some(dir),
                }
            }
            Dialect::Postgres => {
                let name = format!("{pg_prefix}_{:016x}", rand::thread_rng().gen::<u64>());
                admin()
                    .await
                    .execute(format!("CREATE DATABASE {name}").as_str())
                    .await
                    .expect("CREATE DATABASE");
                TestDatabase {
                    dialect,
                    url: with_database(&admin_url(), &name),
                    pg_database: Some(name),
                    _dir: None,
                }
            }
        }
    }

    /// Which dialect.
    #[must_use]
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// The URL `connect` accepts for this database.
    #[must_use]
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The PostgreSQL database name, `None` for SQLite.
    #[must_use]
    pub fn pg_database(&self) -> Option<&str> {
        self.pg_database.as_deref()
    }
}

/// Runs `test` (which owns the [`TestDatabase`] of `pg_database`, if any) on its own task,
/// then drops the PostgreSQL database `pg_database` even if the test panicked, and re-raises
/// the panic.
///
/// # Panics
/// When `test` panicked, with its panic; if the database cannot be dropped.
pub async fn run<Fut>(pg_database: Option<String>, test: Fut)
where
    Fut: Future<Output = ()> + Send + 'static,
{
    let outcome = tokio::spawn(test).await;
    if let Some(name) = pg_database {
        admin()
            .await
            .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
            .await
            .expect("DROP DATABASE");
    }
    if let Err(e) = outcome {
        if let Ok(panic) = e.try_into_panic() {
            std::panic::resume_unwind(panic);
        }
        panic!("test task cancelled");
    }
}

/// Generates one `#[tokio::test]` (multi-threaded, two workers) per listed test body and
/// dialect, as `sqlite::NAME` and `postgres::NAME`. Each body is an `async fn NAME(db: T)` in
/// the invoking module; `$run` is an absolute path (`crate::…`) to an
/// `async fn(sq_db::Dialect, F)` that builds `T` and runs `F` on it (typically through
/// [`run`]).
#[macro_export]
macro_rules! on_both_dialects {
    ($run:path; $($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    $run($crate::Dialect::Sqlite, super::$name).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    $run($crate::Dialect::Postgres, super::$name).await;
                }
            )*
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn with_database_replaces_only_the_name() {
        assert_eq!(
            with_database("postgres://u@h:5432/postgres", "t1"),
            "postgres://u@h:5432/t1"
        );
        assert_eq!(
            with_database("postgres://u@h/postgres?sslmode=disable", "t1"),
            "postgres://u@h/t1?sslmode=disable"
        );
        assert_eq!(with_database("postgres://u@h", "t1"), "postgres://u@h/t1");
    }
}
