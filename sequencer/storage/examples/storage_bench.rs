//! Decided-block write rate of `sq-storage` on SQLite and PostgreSQL, as a markdown table.
//!
//! ```text
//! cargo run --release -p sq-storage --example storage_bench
//! ```
//!
//! Each row writes a fresh database with blocks of one payload size (0, 10 KiB, 1 MiB), each
//! with 100 transactions that split the payload (16-byte transactions for the empty payload)
//! and no VID data, one `insert_decided` after another. MB/s counts 10^6 bytes of the block as
//! handed to storage (payload, transaction payloads, encoded leaf and QC) per second.
//!
//! SQLite writes a file in a temporary directory (`synchronous = FULL`: one fsync per block).
//! PostgreSQL uses a scratch database created through the admin URL in `SQ_BENCH_POSTGRES_URL`
//! (else `SQ_TEST_POSTGRES_URL`, else `postgres://postgres@127.0.0.1:5432/postgres`) and
//! dropped afterwards.

use std::time::{Duration, Instant};

use sq_storage::{DecidedBlock, Storage};
use sq_types::certificate::SignatureBytes;
use sq_types::codec::Encode;
use sq_types::header::payload_commitment;
use sq_types::{
    Header, Leaf, NamespaceId, NodeIndex, NsTable, QuorumCertificate, SignerBitmap, Transaction,
    View,
};
use sqlx::{Connection, Executor};

const TXS_PER_BLOCK: usize = 100;

/// (label, payload bytes, blocks written).
const SIZES: [(&str, usize, u64); 3] = [
    ("0 B", 0, 400),
    ("10 KiB", 10 * 1024, 400),
    ("1 MiB", 1024 * 1024, 40),
];

fn qc_for(leaf: &Leaf) -> QuorumCertificate {
    let mut signers = SignerBitmap::new(4);
    for i in 0..3 {
        signers.set(NodeIndex(i));
    }
    QuorumCertificate {
        view: leaf.header.view,
        height: leaf.header.height,
        leaf: leaf.commit(),
        signers,
        signature: SignatureBytes([7; 96]),
    }
}

/// The block after `parent` carrying `payload_len` bytes in [`TXS_PER_BLOCK`] transactions.
fn next_block(parent: &Leaf, parent_qc: &QuorumCertificate, payload_len: usize) -> DecidedBlock {
    let height = parent.header.height.next();
    let tx_len = (payload_len / TXS_PER_BLOCK).max(16);
    let transactions: Vec<Transaction> = (0..TXS_PER_BLOCK)
        .map(|i| {
            let mut payload = height.0.to_be_bytes().to_vec();
            payload.extend_from_slice(&(i as u64).to_be_bytes());
            payload.resize(tx_len, (i % 251) as u8);
            Transaction {
                namespace: NamespaceId(1 + (i % 4) as u64),
                payload,
            }
        })
        .collect();
    let payload: Vec<u8> = if payload_len == 0 {
        Vec::new()
    } else {
        let mut p: Vec<u8> = transactions
            .iter()
            .flat_map(|t| t.payload.clone())
            .collect();
        p.resize(payload_len, 0);
        p
    };
    let header = Header {
        height,
        view: View(parent.header.view.0 + 1),
        parent: parent.commit(),
        payload_commitment: payload_commitment(&payload),
        timestamp_ms: 1_700_000_000_000 + height.0,
        l1_head: height.0,
        ns_table: NsTable::default(),
    };
    let leaf = Leaf {
        header,
        justify_qc: parent_qc.clone(),
    };
    DecidedBlock {
        qc: qc_for(&leaf),
        leaf,
        payload: Some(payload),
        vid_common: None,
        vid_share: None,
        transactions,
    }
}

fn block_bytes(b: &DecidedBlock) -> usize {
    b.payload.as_ref().map_or(0, Vec::len)
        + b.transactions
            .iter()
            .map(|t| t.payload.len())
            .sum::<usize>()
        + b.leaf.encode().len()
        + b.qc.encode().len()
}

/// Writes `blocks` blocks of `payload_len` bytes; returns (elapsed, bytes).
async fn run(storage: &Storage, payload_len: usize, blocks: u64) -> (Duration, usize) {
    let mut leaf = Leaf::genesis();
    let mut qc = QuorumCertificate::genesis(leaf.commit());
    // Build first so that only storage is timed.
    let mut all = Vec::new();
    for _ in 0..blocks {
        let b = next_block(&leaf, &qc, payload_len);
        leaf = b.leaf.clone();
        qc = b.qc.clone();
        all.push(b);
    }
    let bytes = all.iter().map(block_bytes).sum();
    let start = Instant::now();
    for b in &all {
        storage.insert_decided(b).await.expect("insert_decided");
    }
    (start.elapsed(), bytes)
}

fn row(backend: &str, label: &str, blocks: u64, elapsed: Duration, bytes: usize) {
    let secs = elapsed.as_secs_f64();
    println!(
        "| {backend} | {label} | {TXS_PER_BLOCK} | {blocks} | {:.0} | {:.1} |",
        blocks as f64 / secs,
        bytes as f64 / secs / 1e6
    );
}

fn admin_url() -> String {
    std::env::var("SQ_BENCH_POSTGRES_URL")
        .or_else(|_| std::env::var("SQ_TEST_POSTGRES_URL"))
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// `url` with its database name replaced by `db`.
fn with_database(url: &str, db: &str) -> String {
    let authority = url.find("://").map_or(0, |i| i + 3);
    let base = url[authority..]
        .find('/')
        .map_or(url, |i| &url[..authority + i]);
    format!("{base}/{db}")
}

#[tokio::main]
async fn main() {
    println!("| backend | payload | txs/block | blocks | blocks/s | MB/s |");
    println!("|---------|---------|-----------|--------|----------|------|");
    for (label, payload_len, blocks) in SIZES {
        let dir = tempfile::tempdir().expect("tempdir");
        let storage = Storage::open_sqlite_dir(dir.path()).await.expect("sqlite");
        let (elapsed, bytes) = run(&storage, payload_len, blocks).await;
        storage.close().await;
        row("SQLite", label, blocks, elapsed, bytes);
    }
    let admin = admin_url();
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL at {admin} unreachable: {e}"));
    for (label, payload_len, blocks) in SIZES {
        let name = format!("sq_bench_{}", std::process::id());
        conn.execute(format!("DROP DATABASE IF EXISTS {name}").as_str())
            .await
            .expect("drop");
        conn.execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .expect("create");
        let storage = Storage::connect(&with_database(&admin, &name))
            .await
            .expect("postgres");
        let (elapsed, bytes) = run(&storage, payload_len, blocks).await;
        storage.close().await;
        conn.execute(format!("DROP DATABASE {name} WITH (FORCE)").as_str())
            .await
            .expect("drop");
        row("PostgreSQL", label, blocks, elapsed, bytes);
    }
}
