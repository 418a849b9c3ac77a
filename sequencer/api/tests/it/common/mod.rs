//! Shared fixtures: a real SQLite `Storage` in a tempdir holding decided blocks whose headers
//! carry real `sq_da::disperse` commitments over real `sq_types::payload::build` payloads, an
//! `ApiState` over it, and request helpers.
#![allow(dead_code, unreachable_pub)] // each test binary uses a subset

use std::sync::{Arc, Mutex};

use axum::body::{to_bytes, Body};
use axum::http::{Request, StatusCode};
use axum::Router;
use serde_json::Value;
use sq_api::mempool::{Mempool, MempoolConfig};
use sq_api::status::NodeStatus;
use sq_api::{router_with, ApiState, RouterConfig};
use sq_storage::{DecidedBlock, Storage};
use sq_types::{Leaf, NamespaceId, Transaction};
use tempfile::TempDir;
use tokio::sync::watch;
use tower::ServiceExt;

/// Stake table size of the fixture chain (VID share count).
pub const NODES: u32 = 4;

/// Heights `0..=FULL_TOP` are stored with payload, VID common and share.
pub const FULL_TOP: u64 = 3;
/// Stored with its payload but without VID data (as catch-up stores a fetched payload).
pub const PAYLOAD_ONLY: u64 = 4;
/// Stored as a leaf only: this node never got the payload.
pub const LEAF_ONLY: u64 = 5;

/// A transaction.
pub fn tx(ns: u64, payload: &str) -> Transaction {
    Transaction {
        namespace: NamespaceId(ns),
        payload: payload.as_bytes().to_vec(),
    }
}

/// The transactions of the fixture block at `height`: two in namespace 1, one in namespace 7,
/// given out of namespace order (the payload groups them).
pub fn txs_at(height: u64) -> Vec<Transaction> {
    vec![
        tx(1, &format!("h{height}-a")),
        tx(7, &format!("h{height}-b")),
        tx(1, &format!("h{height}-c")),
    ]
}

/// A decided block at `height` on top of `parent` (None for height 0), with a real dispersal
/// ([`sq_testing::chain::decided_block`] over [`NODES`] shares).
pub fn block(height: u64, parent: Option<&Leaf>, txs: &[Transaction]) -> DecidedBlock {
    sq_testing::chain::decided_block(height, parent, txs, NODES)
}

/// A storage with a chain, the API state over it, and the senders that drive it.
pub struct Fixture {
    pub dir: TempDir,
    pub storage: Storage,
    pub blocks: Vec<DecidedBlock>,
    pub state: ApiState,
    pub config: RouterConfig,
    pub stored_height: watch::Sender<u64>,
    pub status: watch::Sender<NodeStatus>,
}

impl Fixture {
    /// The chain `0..=LEAF_ONLY` (see the constants) with a default mempool.
    pub async fn new() -> Fixture {
        Fixture::with_mempool(MempoolConfig::default()).await
    }

    /// As [`Fixture::new`] with the given mempool limits.
    pub async fn with_mempool(cfg: MempoolConfig) -> Fixture {
        let dir = tempfile::tempdir().expect("tempdir");
        let storage = Storage::open_sqlite_dir(dir.path()).await.expect("opens");
        let mut blocks: Vec<DecidedBlock> = Vec::new();
        for h in 0..=LEAF_ONLY {
            let mut b = block(h, blocks.last().map(|b| &b.leaf), &txs_at(h));
            if h == PAYLOAD_ONLY {
                b.vid_common = None;
                b.vid_share = None;
            }
            if h == LEAF_ONLY {
                b.payload = None;
                b.vid_common = None;
                b.vid_share = None;
                b.transactions.clear();
            }
            storage.insert_decided(&b).await.expect("stores");
            blocks.push(b);
        }
        let (stored_height, stored_rx) = watch::channel(LEAF_ONLY);
        let (status, status_rx) = watch::channel(NodeStatus {
            node: 2,
            view: 12,
            height: LEAF_ONLY,
            last_leaf: blocks[LEAF_ONLY as usize].leaf.commit().to_string(),
            last_decide_unix_ms: 0,
            decided_blocks: 6,
            decided_transactions: 15,
            proposals_rejected: 1,
        });
        let state = ApiState {
            storage: storage.clone(),
            max_transaction_bytes: cfg.max_transaction_bytes,
            mempool: Arc::new(Mutex::new(Mempool::new(cfg))),
            status: status_rx,
            stored_height: stored_rx,
            metrics: Arc::new(|| "# HELP sq_up Always 1.\nsq_up 1\n".to_owned()),
            nodes: NODES,
        };
        Fixture {
            dir,
            storage,
            blocks,
            state,
            config: RouterConfig::default(),
            stored_height,
            status,
        }
    }

    /// The router over this fixture's state.
    pub fn router(&self) -> Router {
        router_with(self.state.clone(), self.config)
    }

    /// The fixture block at `height`.
    pub fn block(&self, height: u64) -> &DecidedBlock {
        &self.blocks[height as usize]
    }
}

/// Sends `req` and returns the status and the body bytes.
pub async fn send(router: &Router, req: Request<Body>) -> (StatusCode, Vec<u8>) {
    let resp = router.clone().oneshot(req).await.expect("infallible");
    let status = resp.status();
    let bytes = to_bytes(resp.into_body(), usize::MAX)
        .await
        .expect("body reads");
    (status, bytes.to_vec())
}

/// `GET uri`, body parsed as JSON.
pub async fn get(router: &Router, uri: &str) -> (StatusCode, Value) {
    let req = Request::get(uri).body(Body::empty()).expect("request");
    let (status, bytes) = send(router, req).await;
    let json = serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("GET {uri}: body is not JSON ({e}): {bytes:?}"));
    (status, json)
}

/// A `POST /v0/submit` request with `body` as JSON text.
pub fn submit_request(body: impl Into<Body>) -> Request<Body> {
    Request::post("/v0/submit")
        .header("content-type", "application/json")
        .body(body.into())
        .expect("request")
}

/// `POST /v0/submit` of `body`, answer parsed as JSON.
pub async fn submit(router: &Router, body: &str) -> (StatusCode, Value) {
    let (status, bytes) = send(router, submit_request(body.to_owned())).await;
    let json = serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("submit: body is not JSON ({e}): {bytes:?}"));
    (status, json)
}

/// The JSON submission of `tx`.
pub fn submission(tx: &Transaction) -> String {
    serde_json::json!({
        "namespace": tx.namespace.0,
        "payload": format!("0x{}", hex_of(&tx.payload)),
    })
    .to_string()
}

/// Lowercase hex without prefix.
pub fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `0x`-hex.
pub fn hx(bytes: &[u8]) -> String {
    format!("0x{}", hex_of(bytes))
}

/// Bytes of a `0x`-hex JSON string.
pub fn unhex(v: &Value) -> Vec<u8> {
    let s = v.as_str().expect("a hex string");
    let s = s.strip_prefix("0x").expect("0x prefix");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

/// Asserts an error response: status and `code`, and a non-empty message.
#[track_caller]
pub fn assert_error(got: &(StatusCode, Value), status: StatusCode, code: &str) {
    assert_eq!(got.0, status, "status of {}", got.1);
    assert_eq!(got.1["code"], code, "code of {}", got.1);
    assert!(
        got.1["message"].as_str().is_some_and(|m| !m.is_empty()),
        "message of {}",
        got.1
    );
    assert_eq!(
        got.1.as_object().map(|o| o.len()),
        Some(2),
        "only code and message"
    );
}
