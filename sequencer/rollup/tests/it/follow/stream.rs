//! [`LeafStream`] against a [`FakeNode`]: a tampered namespace proof is refused (not executed,
//! counted) until the node answers honestly; a node restart is survived without a skipped or
//! repeated block. Block `h ≥ 1` holds one transfer of key 1 with nonce `h - 1`, so a skipped
//! block would leave later transfers with a nonce gap and a repeated one would be refused.

use std::sync::atomic::Ordering;
use std::time::Duration;

use sq_api::client::Client;
use sq_rollup::follow::LeafStream;
use sq_rollup::sequencer::Sequencer;
use sq_rollup::{BatchLimits, Rollup, RollupDb};
use sq_storage::DecidedBlock;
use sq_testing::chain::decided_chain;
use sq_types::{NamespaceId, Transaction};

use crate::common::*;
use crate::follow::fake_node::{Control, FakeNode};

const NS: u64 = sq_rollup::config::DEFAULT_NAMESPACE;

/// Blocks `0..count`; block `h ≥ 1` holds key 1's transfer with nonce `h - 1` and a
/// transaction of another namespace.
fn chain(count: u64) -> Vec<DecidedBlock> {
    decided_chain(count, 4, |h| {
        let mut txs = vec![Transaction {
            namespace: NamespaceId(7),
            payload: format!("other-{h}").into_bytes(),
        }];
        if h >= 1 {
            txs.push(Transaction {
                namespace: NamespaceId(NS),
                payload: transfer(&key(1), h - 1, key(2).address(), 1),
            });
        }
        txs
    })
}

/// A rollup following `node_url` from its own SQLite database in `dir`.
async fn follower(dir: &std::path::Path, node_url: &str) -> Rollup {
    let db = RollupDb::open_sqlite_file(&dir.join("rollup.sqlite"))
        .await
        .expect("db");
    let client = Client::new(node_url).expect("client");
    let rollup = Rollup::open(
        db,
        config(3, BatchLimits::default()),
        Sequencer::Api(client.clone()),
    )
    .await
    .expect("open");
    tokio::spawn(rollup.clone().follow(LeafStream::new(client, NS)));
    rollup
}

/// Waits (at most 30 s) until `rollup` has executed `height`.
async fn reach(rollup: &Rollup, height: u64) {
    for _ in 0..300 {
        if rollup.block_number() >= height {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "the rollup is at {} after 30 s, not {height}",
        rollup.block_number()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_block_whose_namespace_proof_does_not_verify_is_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let control = Control::default();
    control.tamper_height.store(3, Ordering::SeqCst);
    let node = FakeNode::start(dir.path().join("node"), 0, &chain(6), control.clone()).await;
    let rollup = follower(dir.path(), &node.url).await;
    reach(&rollup, 2).await;
    for _ in 0..300 {
        if rollup.metrics().blocks_refused.get() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        rollup.metrics().blocks_refused.get() >= 2,
        "refused again on retry"
    );
    assert_eq!(
        rollup.block_number(),
        2,
        "the tampered block 3 is not executed"
    );
    assert_eq!(rollup.account(&key(1).address()).nonce, 2);

    control.tamper_height.store(0, Ordering::SeqCst);
    reach(&rollup, 5).await;
    assert_eq!(rollup.block_number(), 5);
    assert_eq!(
        rollup.account(&key(1).address()).nonce,
        5,
        "every transfer executed once"
    );
    assert_eq!(rollup.metrics().failed.get(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_stream_resumes_after_a_node_restart_without_skipping_or_repeating() {
    let dir = tempfile::tempdir().expect("dir");
    let blocks = chain(9);
    let control = Control::default();
    let node = FakeNode::start(dir.path().join("node"), 0, &blocks[..5], control.clone()).await;
    let port = node.port();
    let rollup = follower(dir.path(), &node.url).await;
    reach(&rollup, 4).await;
    node.store(&blocks[5..6]).await;
    reach(&rollup, 5).await;

    node.kill();
    // While the node is down the rollup waits; it restarts with more blocks stored.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(rollup.block_number(), 5);
    let node = FakeNode::start(dir.path().join("node"), port, &blocks[6..], control.clone()).await;
    reach(&rollup, 8).await;
    assert_eq!(rollup.block_number(), 8);
    assert_eq!(
        rollup.account(&key(1).address()).nonce,
        8,
        "no block skipped or repeated"
    );
    assert_eq!(
        rollup.metrics().failed.get(),
        0,
        "no transfer with a nonce gap"
    );
    assert_eq!(rollup.metrics().blocks_refused.get(), 0);

    let requests = control.stream_requests.lock().expect("lock").clone();
    assert_eq!(
        requests.first(),
        Some(&Some("0".to_owned())),
        "{requests:?}"
    );
    assert!(
        requests.iter().skip(1).any(|id| id.as_deref() == Some("5")),
        "the reconnect resumed after height 5: {requests:?}"
    );
    drop(node);
}
