//! Connecting: a dead server, an unknown scheme, a missing directory, an in-memory database.

use sq_prover_dal::{DalError, DbError, Dialect, ProverDal};

use crate::common::V1;

#[tokio::test]
async fn a_dead_database_is_a_clear_retryable_error() {
    // Nothing listens on port 1.
    let err = ProverDal::connect("postgres://postgres:secret@127.0.0.1:1/prover")
        .await
        .expect_err("closed port");
    assert!(err.is_retryable(), "{err:?}");
    let message = err.to_string();
    assert!(
        message.starts_with("cannot open the PostgreSQL prover database:"),
        "{message}"
    );
    assert!(!message.contains("secret"), "{message}");
    let err = ProverDal::connect("mysql://x@y/z")
        .await
        .expect_err("scheme");
    assert!(matches!(err, DalError::Db(DbError::UnsupportedUrl { .. })) && !err.is_retryable());
    let err = ProverDal::connect("sqlite:///nonexistent-dir-for-sure/x/prover.sqlite")
        .await
        .expect_err("no directory");
    assert!(
        matches!(
            err,
            DalError::Db(DbError::Connect {
                dialect: Dialect::Sqlite,
                ..
            })
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_in_memory_sqlite_database_works() {
    let dal = ProverDal::connect("sqlite::memory:").await.expect("memory");
    assert!(dal.insert_batch(1, b"w", V1).await.expect("insert"));
    assert!(dal
        .pick_witness_job("wg", V1)
        .await
        .expect("pick")
        .is_some());
}
