//! Fixtures shared by the integration tests: a fresh database per test on either backend.
//!
//! PostgreSQL: the admin URL comes from `SQ_TEST_POSTGRES_URL` (default
//! [`DEFAULT_ADMIN_URL`]); each test creates its own database `sq_dal_test_<random>` and
//! drops it at the end, so tests run in parallel. An unreachable server fails the test; it
//! never skips.
#![allow(dead_code, unreachable_pub)] // each test binary uses a subset

use std::future::Future;

use rand::Rng;
use sq_prover_dal::ProverDal;
use sqlx::{Connection, Executor};
use tempfile::TempDir;

/// The environment variable naming the PostgreSQL admin URL.
pub const ADMIN_URL_VAR: &str = "SQ_TEST_POSTGRES_URL";
/// The admin URL when [`ADMIN_URL_VAR`] is unset.
pub const DEFAULT_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// Which backend a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    Postgres,
}

/// Generates one `#[tokio::test]` per listed test body and backend, as `sqlite::NAME` and
/// `postgres::NAME`. Each body is an `async fn NAME(db: TestDb)` in the invoking module.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    $crate::common::run($crate::common::Kind::Sqlite, super::$name).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    $crate::common::run($crate::common::Kind::Postgres, super::$name).await;
                }
            )*
        }
    };
}

/// The PostgreSQL admin URL.
pub fn admin_url() -> String {
    std::env::var(ADMIN_URL_VAR).unwrap_or_else(|_| DEFAULT_ADMIN_URL.to_owned())
}

/// `url` with its database name replaced by `db` (query parameters kept).
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

async fn admin() -> sqlx::PgConnection {
    let url = admin_url();
    sqlx::PgConnection::connect(&url).await.unwrap_or_else(|e| {
        panic!(
            "PostgreSQL at {url} is unreachable ({e}). These tests need a PostgreSQL server: \
             start one or set {ADMIN_URL_VAR} to its admin URL."
        )
    })
}

/// A fresh, empty database and a [`ProverDal`] connected to it.
pub struct TestDb {
    pub kind: Kind,
    /// The URL [`ProverDal::connect`] accepts for this database.
    pub url: String,
    pub dal: ProverDal,
    pg_database: Option<String>,
    _dir: Option<TempDir>,
}

impl TestDb {
    /// Creates the database (a file in a new temporary directory, or a new PostgreSQL
    /// database) and connects.
    pub async fn new(kind: Kind) -> TestDb {
        let (url, pg_database, dir) = match kind {
            Kind::Sqlite => {
                let dir = tempfile::tempdir().expect("temporary directory");
                let url = format!("sqlite://{}", dir.path().join("prover.sqlite").display());
                (url, None, Some(dir))
            }
            Kind::Postgres => {
                let name = format!("sq_dal_test_{:016x}", rand::thread_rng().gen::<u64>());
                admin()
                    .await
                    .execute(format!("CREATE DATABASE {name}").as_str())
                    .await
                    .expect("CREATE DATABASE");
                (with_database(&admin_url(), &name), Some(name), None)
            }
        };
        let dal = ProverDal::connect(&url).await.expect("connect");
        TestDb {
            kind,
            url,
            dal,
            pg_database,
            _dir: dir,
        }
    }

    /// A second handle (its own pool) on the same database.
    pub async fn reopen(&self) -> ProverDal {
        ProverDal::connect(&self.url).await.expect("reopen")
    }
}

/// Runs `test` on a fresh database of `kind`, then drops the PostgreSQL database even if the
/// test panicked, and re-raises the panic.
pub async fn run<F, Fut>(kind: Kind, test: F)
where
    F: FnOnce(TestDb) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let db = TestDb::new(kind).await;
    let pg_database = db.pg_database.clone();
    let outcome = tokio::spawn(test(db)).await;
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

/// The protocol version the tests use.
pub const V1: &str = "0.1.0";
/// Another protocol version.
pub const V2: &str = "0.2.0";

/// Inserts `batch` with a witness naming it and finishes witness generation with `chunks`
/// chunks (`"b{batch}c{i}"`), through the pick API (worker `wg`).
pub async fn batch_with_chunks(dal: &ProverDal, batch: u64, chunks: usize, version: &str) {
    assert!(dal
        .insert_batch(batch, format!("witness {batch}").as_bytes(), version)
        .await
        .expect("insert_batch"));
    let job = dal
        .pick_witness_job("wg", version)
        .await
        .expect("pick witness")
        .expect("a witness job");
    assert_eq!(job.batch, batch);
    let chunks: Vec<Vec<u8>> = (0..chunks)
        .map(|i| format!("b{batch}c{i}").into_bytes())
        .collect();
    dal.finish_witness_job(batch, &chunks, 5)
        .await
        .expect("finish witness");
}
