//! Four full node actors (real BLS, fsynced stores, mempools) over the in-memory network decide
//! blocks that carry submitted transactions.

use sq_api::mempool::{Mempool, MempoolConfig};
use sq_consensus::{Config, Consensus};
use sq_network::memory::MemoryNetwork;
use sq_node::consensus::{ConsensusActor, Handles, NodeStatus};
use sq_node::metrics::Metrics;
use sq_node::store::SafetyStore;
use sq_types::{BlsCrypto, BlsKeyPair, NamespaceId, NodeIndex, StakeTable, Transaction};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_nodes_decide_blocks_with_submitted_transactions() {
    let keys: Vec<BlsKeyPair> = (1..=4u8)
        .map(|i| BlsKeyPair::from_ikm(&[i; 32]).expect("ikm"))
        .collect();
    let table = StakeTable::equal_stake(keys.iter().map(|k| &k.public)).expect("table");
    let dirs: Vec<_> = (0..4)
        .map(|_| tempfile::tempdir().expect("tempdir"))
        .collect();
    let mut statuses = Vec::new();
    let mut pools = Vec::new();
    for (i, net) in MemoryNetwork::hub(4, 4096).into_iter().enumerate() {
        let store = SafetyStore::open(dirs[i].path()).expect("store");
        let (restored, payloads) = store.restore().expect("restore");
        let cfg = Config {
            view_timeout_ms: 1_000,
            max_view_timeout_ms: 4_000,
            decided_window: 1_024,
        };
        let me = NodeIndex(i as u32);
        let crypto = BlsCrypto::new(keys[i].clone(), &table);
        let machine = Consensus::new(cfg.clone(), crypto.clone(), table.clone(), me, restored);
        let pool = Arc::new(Mutex::new(Mempool::new(MempoolConfig::default())));
        let (status_tx, status_rx) = watch::channel(NodeStatus {
            node: i as u32,
            ..NodeStatus::default()
        });
        let actor = ConsensusActor::new(
            cfg,
            crypto,
            machine,
            net,
            store,
            payloads,
            Handles {
                mempool: pool.clone(),
                metrics: Arc::new(Metrics::new()),
                status: status_tx,
                store_tx: None,
                storage: None,
            },
        );
        tokio::spawn(actor.run());
        statuses.push(status_rx);
        pools.push(pool);
    }
    // Submit to every node's mempool (any leader may pick them up).
    let txs: Vec<Transaction> = (0..20u8)
        .map(|i| Transaction {
            namespace: NamespaceId(1 + u64::from(i % 3)),
            payload: vec![i; 100],
        })
        .collect();
    for pool in &pools {
        for tx in &txs {
            pool.lock()
                .expect("lock")
                .submit(tx.clone())
                .expect("accepted");
        }
    }
    let done = tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            let all = statuses.iter().all(|s| {
                let s = s.borrow();
                s.height >= 10 && s.decided_transactions >= 20
            });
            if all {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
    let snapshot: Vec<NodeStatus> = statuses.iter().map(|s| s.borrow().clone()).collect();
    assert!(
        done.is_ok(),
        "nodes did not decide 10 blocks with all transactions: {snapshot:?}"
    );
    // Every transaction was decided exactly once on each node: the count matches exactly once
    // the leaders stop re-proposing (duplicates are refused by each mempool).
    for s in &snapshot {
        assert!(s.decided_transactions >= 20, "{s:?}");
    }
}
