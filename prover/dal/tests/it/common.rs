//! Fixtures shared by the integration tests: a fresh database per test on either dialect
//! (sq-db's test harness).
//!
//! PostgreSQL: the admin URL comes from `SQ_TEST_POSTGRES_URL` (see [`sq_db::testing`]); each
//! test creates its own database `sq_dal_test_<random>` and drops it at the end, so tests
//! run in parallel. An unreachable server fails the test; it never skips.
#![allow(dead_code, unreachable_pub)] // each test binary uses a subset

use std::future::Future;

use sq_db::testing::TestDatabase;
pub use sq_db::Dialect as Kind;
use sq_prover_dal::ProverDal;

/// Generates one test per listed body and dialect, as `sqlite::NAME` and `postgres::NAME`
/// (see [`sq_db::on_both_dialects`]). Each body is an `async fn NAME(db: TestDb)`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        sq_db::on_both_dialects!($crate::common::run; $($name),*);
    };
}

/// A fresh, empty database and a [`ProverDal`] connected to it.
pub struct TestDb {
    pub kind: Kind,
    /// The URL [`ProverDal::connect`] accepts for this database.
    pub url: String,
    pub dal: ProverDal,
    database: TestDatabase,
}

impl TestDb {
    /// Creates the database (a file in a new temporary directory, or a new PostgreSQL
    /// database) and connects.
    pub async fn new(kind: Kind) -> TestDb {
        let database = TestDatabase::create(kind, "sq_dal_test", "prover.sqlite").await;
        let url = database.url().to_owned();
        let dal = ProverDal::connect(&url).await.expect("connect");
        TestDb {
            kind,
            url,
            dal,
            database,
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
    let pg_database = db.database.pg_database().map(str::to_owned);
    sq_db::testing::run(pg_database, test(db)).await;
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
