//! Failures outside the data: a dead server, connections killed under the pool, bad URLs, and
//! opening a SQLite directory.

use crate::common::{chain, insert_all, Kind, TestDb};
use sq_db::testing::admin_url;
use sq_storage::{DbError, Dialect, Storage, StorageError, SQLITE_FILE_NAME};
use sq_types::Height;
use sqlx::Connection;

#[tokio::test]
async fn a_dead_database_is_a_retryable_error_not_a_panic() {
    // Nothing listens on port 1.
    let err = Storage::connect("postgres://postgres@127.0.0.1:1/postgres")
        .await
        .expect_err("closed port");
    assert!(err.is_retryable(), "{err:?}");
    assert!(
        matches!(
            err,
            StorageError::Db(DbError::Connect {
                dialect: Dialect::Postgres,
                ..
            })
        ),
        "{err:?}"
    );
    let message = err.to_string();
    println!("dead database: {message}");
    assert!(
        message.starts_with("cannot open the PostgreSQL database:"),
        "{message}"
    );
}

#[tokio::test]
async fn connections_killed_by_the_server_are_replaced() {
    crate::common::run(Kind::Postgres, |db: TestDb| async move {
        insert_all(&db.storage, &chain(2, 1)).await;
        let name = db.pg_database().expect("postgres").to_owned();
        let mut admin = sqlx::PgConnection::connect(&admin_url())
            .await
            .expect("admin");
        sqlx::query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = $1 AND pid <> pg_backend_pid()",
        )
        .bind(&name)
        .execute(&mut admin)
        .await
        .expect("terminate");
        // The first call may see the dead connection; if it fails, it must say "retry".
        if let Err(e) = db.storage.latest_height().await {
            assert!(e.is_retryable(), "{e:?}");
        }
        let latest = db.storage.latest_height().await.expect("reconnected");
        assert_eq!(latest, Some(Height(1)));
    })
    .await;
}

#[tokio::test]
async fn an_unknown_url_scheme_is_refused_without_echoing_the_url() {
    let err = Storage::connect("mysql://user:secret@host/db")
        .await
        .expect_err("mysql");
    assert!(
        matches!(&err, StorageError::Db(DbError::UnsupportedUrl { scheme }) if scheme == "mysql"),
        "{err:?}"
    );
    assert!(!err.is_retryable());
    assert!(!err.to_string().contains("secret"));
}

#[tokio::test]
async fn open_sqlite_dir_creates_the_directory_and_file() {
    let root = tempfile::tempdir().expect("tempdir");
    let dir = root.path().join("data").join("node0");
    let s = Storage::open_sqlite_dir(&dir).await.expect("open");
    assert_eq!(s.dialect(), Dialect::Sqlite);
    insert_all(&s, &chain(2, 1)).await;
    s.close().await;
    assert!(dir.join(SQLITE_FILE_NAME).is_file());
    let url = format!("sqlite://{}", dir.join(SQLITE_FILE_NAME).display());
    let again = Storage::connect(&url).await.expect("same file by URL");
    assert_eq!(
        again.latest_height().await.expect("latest"),
        Some(Height(1))
    );
}
