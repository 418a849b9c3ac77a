//! Catch-up against real peer APIs (sq-api over SQLite, on 127.0.0.1): a fresh node rebuilds a
//! chain whose payloads its peers no longer hold whole, from their VID shares, and refuses a
//! peer that serves leaves with a forged QC and a tampered share.

use sq_api::client::Client;
use sq_api::mempool::{Mempool, MempoolConfig};
use sq_api::status::NodeStatus;
use sq_api::{router, ApiState};
use sq_da::VidShare;
use sq_node::catchup::CatchUp;
use sq_storage::{DecidedBlock, Storage};
use sq_types::certificate::{quorum_digest, SignatureBytes};
use sq_types::codec::{Decode, Encode};
use sq_types::{
    payload, BlsCrypto, BlsKeyPair, Crypto, Header, Height, Leaf, NamespaceId, NodeIndex,
    QuorumCertificate, SignerBitmap, StakeTable, Transaction, View,
};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;

const N: usize = 4;

struct Block {
    leaf: Leaf,
    qc: QuorumCertificate,
    payload: Vec<u8>,
    dispersal: sq_da::Dispersal,
}

/// A chain of `len` blocks over genesis, each certified by nodes 0–2 with real BLS signatures.
fn chain(keys: &[BlsCrypto], len: u64) -> Vec<Block> {
    let mut out: Vec<Block> = Vec::new();
    let mut justify = Leaf::genesis().justify_qc;
    for h in 1..=len {
        let txs = vec![
            Transaction {
                namespace: NamespaceId(1),
                payload: format!("block {h} a").into_bytes(),
            },
            Transaction {
                namespace: NamespaceId(7),
                payload: vec![h as u8; 3000],
            },
        ];
        let (payload, ns_table) = payload::build(&txs).expect("payload");
        let dispersal = sq_consensus::da::disperse(N, &payload, &ns_table).expect("disperse");
        let leaf = Leaf {
            header: Header {
                height: Height(h),
                view: View(h),
                parent: justify.leaf,
                payload_commitment: dispersal.commitment,
                timestamp_ms: 1_700_000_000_000 + h,
                l1_head: 0,
                ns_table,
            },
            justify_qc: justify.clone(),
        };
        let digest = quorum_digest(View(h), Height(h), &leaf.commit());
        let mut signers = SignerBitmap::new(N);
        let sigs: Vec<SignatureBytes> = (0..3)
            .map(|i| {
                signers.set(NodeIndex(i as u32));
                keys[i].sign(&digest)
            })
            .collect();
        let qc = QuorumCertificate {
            view: View(h),
            height: Height(h),
            leaf: leaf.commit(),
            signers,
            signature: keys[0].aggregate(&sigs).expect("aggregate"),
        };
        justify = qc.clone();
        out.push(Block {
            leaf,
            qc,
            payload,
            dispersal,
        });
    }
    out
}

/// A peer's API over its own storage, holding every leaf but only its own VID share (the
/// payloads are gone); `forge` replaces each QC signature and flips a byte of each share.
async fn serve_peer(dir: &std::path::Path, index: usize, blocks: &[Block], forge: bool) -> String {
    let storage = Storage::open_sqlite_dir(dir).await.expect("storage");
    for b in blocks {
        let mut qc = b.qc.clone();
        let mut share: VidShare = b.dispersal.shares[index].clone();
        if forge {
            qc.signature.0[10] ^= 0xff;
            share.data[0] ^= 1;
        }
        storage
            .insert_decided(&DecidedBlock {
                leaf: b.leaf.clone(),
                qc,
                payload: None,
                vid_common: Some(b.dispersal.common.encode()),
                vid_share: Some(share.encode()),
                transactions: Vec::new(),
            })
            .await
            .expect("insert");
    }
    let (_, status) = watch::channel(NodeStatus::default());
    let (stored_tx, stored) = watch::channel(blocks.len() as u64);
    std::mem::forget(stored_tx); // keep the stored height published for the test's life
    let app = router(ApiState {
        storage,
        mempool: Arc::new(Mutex::new(Mempool::new(MempoolConfig::default()))),
        max_transaction_bytes: 1024,
        status,
        stored_height: stored,
        metrics: Arc::new(String::new),
        nodes: N as u32,
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fresh_node_recovers_payloads_from_peers_shares_and_refuses_a_forging_peer() {
    let pairs: Vec<BlsKeyPair> = (1..=N as u8)
        .map(|i| BlsKeyPair::from_ikm(&[i; 32]).expect("ikm"))
        .collect();
    let table = StakeTable::equal_stake(pairs.iter().map(|k| &k.public)).expect("table");
    let keys: Vec<BlsCrypto> = pairs
        .iter()
        .map(|k| BlsCrypto::new(k.clone(), &table))
        .collect();
    let blocks = chain(&keys, 4);
    let dirs: Vec<tempfile::TempDir> = (0..N).map(|_| tempfile::tempdir().expect("dir")).collect();
    // Peer 1 forges; peers 2 and 3 are honest. k = 2 shares rebuild a payload at n = 4.
    let mut peers = Vec::new();
    for (i, dir) in dirs.iter().enumerate().skip(1) {
        let url = serve_peer(dir.path(), i, &blocks, i == 1).await;
        peers.push(Client::new(&url).expect("client"));
    }
    let storage = Storage::open_sqlite_dir(dirs[0].path())
        .await
        .expect("storage");
    let (stored_tx, mut stored_rx) = watch::channel(0u64);
    let task = tokio::spawn(
        CatchUp {
            storage: storage.clone(),
            peers,
            crypto: keys[0].clone(),
            table: table.clone(),
            me: 0,
            stored: stored_tx,
            interval: Duration::from_millis(100),
            lag: 0,
        }
        .run(),
    );
    tokio::time::timeout(Duration::from_secs(30), stored_rx.wait_for(|h| *h >= 4))
        .await
        .expect("caught up within 30 s")
        .expect("watch");
    task.abort();
    for b in &blocks {
        let h = b.leaf.header.height;
        let (leaf, qc) = storage.leaf(h).await.expect("read").expect("leaf stored");
        assert_eq!(leaf, b.leaf, "leaf at {h}");
        assert_eq!(qc, b.qc, "the honest QC at {h}, not the forged one");
        let payload = storage.payload(h).await.expect("read").expect("payload");
        assert_eq!(payload, b.payload, "payload at {h} rebuilt exactly");
        let (_, share) = storage
            .vid_share(h)
            .await
            .expect("read")
            .expect("own share");
        let share = VidShare::decode(&share).expect("share decodes");
        assert_eq!(
            share, b.dispersal.shares[0],
            "node 0 keeps its own share at {h}"
        );
        let tx = storage
            .transaction_at(h, 1)
            .await
            .expect("read")
            .expect("transactions indexed");
        assert_eq!(tx.namespace, NamespaceId(7));
    }
}
