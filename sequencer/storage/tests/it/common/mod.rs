//! Fixtures shared by the integration tests: a fresh database per test on either dialect
//! (sq-db's test harness), and chains of decided blocks built with the real sq-types
//! constructors.
//!
//! PostgreSQL: the admin URL comes from `SQ_TEST_POSTGRES_URL` (see [`sq_db::testing`]); each
//! test creates its own database `sq_test_<random>` and drops it at the end, so tests run in
//! parallel. An unreachable server fails the test; it never skips.
#![allow(dead_code, unreachable_pub)] // each test binary uses a subset

use std::future::Future;

use sq_db::testing::TestDatabase;
pub use sq_db::Dialect as Kind;
use sq_storage::{DecidedBlock, Storage};
use sq_types::certificate::SignatureBytes;
use sq_types::header::payload_commitment;
use sq_types::{
    Header, Leaf, NamespaceId, NodeIndex, NsTable, QuorumCertificate, SignerBitmap, Transaction,
    View,
};
use sqlx::Connection;

/// Generates one test per listed body and dialect, as `sqlite::NAME` and `postgres::NAME`
/// (see [`sq_db::on_both_dialects`]). Each body is an `async fn NAME(db: TestDb)`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        sq_db::on_both_dialects!($crate::common::run; $($name),*);
    };
}

/// A fresh, empty database and a [`Storage`] connected to it.
pub struct TestDb {
    pub kind: Kind,
    /// The URL [`Storage::connect`] accepts for this database.
    pub url: String,
    pub storage: Storage,
    database: TestDatabase,
}

impl TestDb {
    /// Creates the database (a file in a new temporary directory, or a new PostgreSQL
    /// database) and connects.
    pub async fn new(kind: Kind) -> TestDb {
        let database = TestDatabase::create(kind, "sq_test", "test.sqlite").await;
        let url = database.url().to_owned();
        let storage = Storage::connect(&url).await.expect("connect");
        TestDb {
            kind,
            url,
            storage,
            database,
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

    /// The names of the database's tables, on a connection of its own.
    pub async fn table_names(&self) -> Vec<String> {
        match self.kind {
            Kind::Sqlite => {
                let mut c = sqlx::SqliteConnection::connect(&self.url)
                    .await
                    .expect("raw sqlite");
                sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table'")
                    .fetch_all(&mut c)
                    .await
                    .expect("tables")
            }
            Kind::Postgres => {
                let mut c = sqlx::PgConnection::connect(&self.url)
                    .await
                    .expect("raw postgres");
                sqlx::query_scalar(
                    "SELECT table_name::TEXT FROM information_schema.tables \
                     WHERE table_schema = 'public'",
                )
                .fetch_all(&mut c)
                .await
                .expect("tables")
            }
        }
    }

    /// The PostgreSQL database name, if any.
    pub fn pg_database(&self) -> Option<&str> {
        self.database.pg_database()
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
    let pg_database = db.pg_database().map(str::to_owned);
    sq_db::testing::run(pg_database, test(db)).await;
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
