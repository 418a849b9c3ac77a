//! Fixtures shared by the integration tests: a fresh database per test on either backend, and
//! chains of decided blocks built with the real sq-types constructors.
//!
//! PostgreSQL: the admin URL comes from `SQ_TEST_POSTGRES_URL` (default
//! [`DEFAULT_ADMIN_URL`]); each test creates its own database `sq_test_<random>` and drops it
//! at the end, so tests run in parallel. An unreachable server fails the test; it never skips.
#![allow(dead_code, unreachable_pub)] // each test binary uses a subset

use std::future::Future;

use rand::Rng;
use sq_storage::{DecidedBlock, Storage};
use sq_types::certificate::SignatureBytes;
use sq_types::header::payload_commitment;
use sq_types::{
    Header, Leaf, NamespaceId, NodeIndex, NsTable, QuorumCertificate, SignerBitmap, Transaction,
    View,
};
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
                #[tokio::test]
                async fn $name() {
                    $crate::common::run($crate::common::Kind::Sqlite, super::$name).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
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

/// A fresh, empty database and a [`Storage`] connected to it.
pub struct TestDb {
    pub kind: Kind,
    /// The URL [`Storage::connect`] accepts for this database.
    pub url: String,
    pub storage: Storage,
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
                let url = format!("sqlite://{}", dir.path().join("test.sqlite").display());
                (url, None, Some(dir))
            }
            Kind::Postgres => {
                let name = format!("sq_test_{:016x}", rand::thread_rng().gen::<u64>());
                admin()
                    .await
                    .execute(format!("CREATE DATABASE {name}").as_str())
                    .await
                    .expect("CREATE DATABASE");
                (with_database(&admin_url(), &name), Some(name), None)
            }
        };
        let storage = Storage::connect(&url).await.expect("connect");
        TestDb {
            kind,
            url,
            storage,
            pg_database,
            _dir: dir,
        }
    }

    /// A second handle on the same database.
    pub async fn reopen(&self) -> Storage {
        Storage::connect(&self.url).await.expect("reopen")
    }

    /// Runs `sql` with one blob parameter `$1` on a connection of its own, bypassing
    /// [`Storage`] (to corrupt rows on purpose).
    pub async fn exec_raw(&self, sql: &str, blob: &[u8]) {
        match self.kind {
            Kind::Sqlite => {
                let mut c = sqlx::SqliteConnection::connect(&self.url)
                    .await
                    .expect("raw sqlite");
                sqlx::query(sql)
                    .bind(blob)
                    .execute(&mut c)
                    .await
                    .expect("raw sql");
            }
            Kind::Postgres => {
                let mut c = sqlx::PgConnection::connect(&self.url)
                    .await
                    .expect("raw postgres");
                sqlx::query(sql)
                    .bind(blob)
                    .execute(&mut c)
                    .await
                    .expect("raw sql");
            }
        }
    }

    /// The PostgreSQL database name, if any.
    pub fn pg_database(&self) -> Option<&str> {
        self.pg_database.as_deref()
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

/// The decided genesis block: no payload, no VID data, no transactions.
pub fn genesis() -> DecidedBlock {
    let leaf = Leaf::genesis();
    DecidedBlock {
        qc: QuorumCertificate::genesis(leaf.commit()),
        leaf,
        payload: None,
        vid_common: None,
        vid_share: None,
        transactions: Vec::new(),
    }
}

/// The `i`-th transaction of the block at `height`: namespace `100 + i % 3`, a payload
/// naming its position, padded with `pad` bytes.
pub fn transaction(height: u64, i: usize, pad: usize) -> Transaction {
    let mut payload = format!("tx {height}/{i}").into_bytes();
    payload.resize(payload.len() + pad, 0xAB);
    Transaction {
        namespace: NamespaceId(100 + (i % 3) as u64),
        payload,
    }
}

/// The QC certifying `leaf`, signed (not validly: storage does not check) by nodes 0 and 2
/// of 4.
pub fn qc_for(leaf: &Leaf) -> QuorumCertificate {
    let mut signers = SignerBitmap::new(4);
    signers.set(NodeIndex(0));
    signers.set(NodeIndex(2));
    QuorumCertificate {
        view: leaf.header.view,
        height: leaf.header.height,
        leaf: leaf.commit(),
        signers,
        signature: SignatureBytes([(leaf.header.height.0 % 251) as u8; 96]),
    }
}

/// The block after `parent`, two views later, with `txs` transactions, a payload of their
/// concatenated bytes, and VID common data and share.
pub fn child(parent: &DecidedBlock, txs: usize) -> DecidedBlock {
    let height = parent.leaf.header.height.next();
    let transactions: Vec<Transaction> = (0..txs).map(|i| transaction(height.0, i, 0)).collect();
    let payload: Vec<u8> = transactions
        .iter()
        .flat_map(|t| t.payload.clone())
        .collect();
    let view = View(parent.leaf.header.view.0 + 2);
    let header = Header {
        height,
        view,
        parent: parent.leaf.commit(),
        payload_commitment: payload_commitment(&payload),
        timestamp_ms: 1_700_000_000_000 + view.0 * 1_000,
        l1_head: 100 + view.0,
        ns_table: NsTable::default(),
    };
    let leaf = Leaf {
        header,
        justify_qc: parent.qc.clone(),
    };
    DecidedBlock {
        qc: qc_for(&leaf),
        leaf,
        payload: Some(payload),
        vid_common: Some(format!("common {height}").into_bytes()),
        vid_share: Some(format!("share {height}").into_bytes()),
        transactions,
    }
}

/// Genesis and `len - 1` children with `txs` transactions each (heights `0..len`).
pub fn chain(len: usize, txs: usize) -> Vec<DecidedBlock> {
    let mut blocks = vec![genesis()];
    while blocks.len() < len {
        let next = child(blocks.last().expect("non-empty"), txs);
        blocks.push(next);
    }
    blocks.truncate(len);
    blocks
}

/// Inserts every block, panicking on error.
pub async fn insert_all(storage: &Storage, blocks: &[DecidedBlock]) {
    for b in blocks {
        storage.insert_decided(b).await.expect("insert_decided");
    }
}
