//! `kill -9` durability on SQLite: every height acknowledged by `insert_decided` before the
//! process is killed is in the database afterwards, and decodes.
//!
//! The parent test re-executes this test binary running only [`durability_child`], which
//! inserts blocks in a loop and prints `ACK <height>` after each `insert_decided` returns. The
//! parent reads [`ACKS_BEFORE_KILL`] acknowledgements, SIGKILLs the child mid-stream and
//! reopens the file. (Power loss cannot be simulated here; `synchronous = FULL` is what covers
//! it.)

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use crate::common::{child, genesis};
use sq_storage::Storage;
use sq_types::Height;

/// Set in the child's environment to the database URL; absent, the child test does nothing.
const CHILD_DB_VAR: &str = "SQ_STORAGE_DURABILITY_CHILD_DB";

/// Acknowledgements the parent waits for before killing the child.
const ACKS_BEFORE_KILL: usize = 25;

/// Most blocks the child writes, so that an orphaned child stops by itself.
const CHILD_MAX_BLOCKS: u64 = 100_000;

#[test]
fn kill_9_loses_no_acknowledged_block() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}", dir.path().join("durable.sqlite").display());
    let exe = std::env::current_exe().expect("test binary");
    let mut child = Command::new(exe)
        .args([
            "--exact",
            "durability::durability_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_DB_VAR, &url)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn child");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut acked = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("child stdout");
        if let Some(h) = line.strip_prefix("ACK ") {
            acked.push(h.parse::<u64>().expect("height"));
            if acked.len() == ACKS_BEFORE_KILL {
                break;
            }
        }
    }
    assert_eq!(acked.len(), ACKS_BEFORE_KILL, "child ended early");
    child.kill().expect("SIGKILL");
    let status = child.wait().expect("reap child");
    assert!(!status.success(), "child was killed, not finished");

    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let s = Storage::connect(&url).await.expect("reopen after kill");
        let latest = s.latest_height().await.expect("latest").expect("non-empty");
        assert!(latest.0 >= *acked.last().expect("acks"));
        for h in acked {
            let (leaf, qc) = s.leaf(Height(h)).await.expect("decodes").expect("present");
            assert_eq!(leaf.header.height, Height(h));
            assert_eq!(qc.leaf, leaf.commit());
            if h > 0 {
                assert!(s.payload(Height(h)).await.expect("payload").is_some());
                let tx = s.transaction_at(Height(h), 1).await.expect("tx");
                assert!(tx.is_some(), "transaction of height {h}");
            }
        }
        // The block being written when the child died, acknowledged or not, is whole.
        assert!(s.payload(latest).await.expect("payload").is_some() || latest.0 == 0);
        assert!(s.vid_share(latest).await.expect("vid").is_some() || latest.0 == 0);
        for i in 0..3 {
            let tx = s.transaction_at(latest, i).await.expect("tx");
            assert!(
                tx.is_some() || latest.0 == 0,
                "transaction {i} of the last block"
            );
        }
    });
}

/// The child role of [`kill_9_loses_no_acknowledged_block`]; a no-op in a normal test run.
#[test]
fn durability_child() {
    let Ok(url) = std::env::var(CHILD_DB_VAR) else {
        return;
    };
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let s = Storage::connect(&url).await.expect("child connect");
        let mut block = genesis();
        let mut out = std::io::stdout().lock();
        for _ in 0..CHILD_MAX_BLOCKS {
            s.insert_decided(&block).await.expect("child insert");
            writeln!(out, "ACK {}", block.leaf.header.height).expect("parent gone");
            out.flush().expect("parent gone");
            block = child(&block, 3);
        }
    });
}
