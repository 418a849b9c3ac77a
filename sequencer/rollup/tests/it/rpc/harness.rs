//! A rollup on a temporary SQLite database, its JSON-RPC on a free port, a stub sequencer
//! node that accepts every submission, and raw JSON-RPC calls.

use alloy::primitives::{Address, B256};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};
use sq_api::client::Client as NodeClient;
use sq_rollup::chain::BlockInput;
use sq_rollup::sequencer::Sequencer;
use sq_rollup::RollupDb;
use sq_rollup::{BatchLimits, Rollup};

use crate::common::*;

/// A running rollup and its JSON-RPC URL.
pub(crate) struct Harness {
    pub(crate) rollup: Rollup,
    pub(crate) url: String,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
}

/// Binds a free local port.
fn listener() -> std::net::TcpListener {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.set_nonblocking(true).expect("nonblocking");
    l
}

/// A stub node: `POST /v0/submit` always succeeds. Returns its base URL.
fn stub_node() -> String {
    let l = tokio::net::TcpListener::from_std(listener()).expect("listener");
    let url = format!("http://{}", l.local_addr().expect("addr"));
    let app = Router::new().route(
        "/v0/submit",
        post(|| async { Json(json!({ "commitment": format!("{:#x}", B256::ZERO) })) }),
    );
    tokio::spawn(async move { axum::serve(l, app).await });
    url
}

impl Harness {
    /// Three funded accounts (keys 1–3); `node_up` false points at a closed port.
    pub(crate) async fn start(node_up: bool) -> Harness {
        let dir = tempfile::tempdir().expect("dir");
        let url = format!("sqlite://{}/rollup.sqlite", dir.path().display());
        let node = if node_up {
            stub_node()
        } else {
            "http://127.0.0.1:9".into()
        };
        let rollup = Rollup::open(
            RollupDb::connect(&url).await.expect("db"),
            config(3, BatchLimits::default()),
            Sequencer::Api(NodeClient::new(&node).expect("client")),
        )
        .await
        .expect("open");
        let l = listener();
        let url = format!("http://{}", l.local_addr().expect("addr"));
        tokio::spawn(sq_rollup::rpc::serve(rollup.clone(), l).expect("serve"));
        Harness {
            rollup,
            url,
            http: reqwest::Client::new(),
            _dir: dir,
        }
    }

    /// Executes block `height` (header time `height` seconds) with `txs`.
    pub(crate) async fn apply(&self, height: u64, txs: Vec<Vec<u8>>) {
        self.rollup
            .apply(&BlockInput {
                height,
                timestamp_ms: height * 1000,
                transactions: txs,
            })
            .await
            .expect("apply");
    }

    /// POSTs `body` as it is; the parsed answer (`Null` for an empty one).
    pub(crate) async fn post(&self, body: &str) -> Value {
        let text = self
            .http
            .post(&self.url)
            .header("content-type", "application/json")
            .body(body.to_owned())
            .send()
            .await
            .expect("rpc")
            .text()
            .await
            .expect("body");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    /// One call; the whole answer.
    pub(crate) async fn call(&self, method: &str, params: Value) -> Value {
        let body = json!({ "jsonrpc": "2.0", "id": 1, "method": method, "params": params });
        self.post(&body.to_string()).await
    }

    /// The `result` of a call that must succeed.
    pub(crate) async fn result(&self, method: &str, params: Value) -> Value {
        let v = self.call(method, params).await;
        assert!(v.get("error").is_none(), "{method}: {v}");
        v["result"].clone()
    }

    /// The message of a call that must fail with `code`.
    pub(crate) async fn error(&self, method: &str, params: Value, code: i64) -> String {
        let v = self.call(method, params).await;
        assert_eq!(v["error"]["code"].as_i64(), Some(code), "{method}: {v}");
        v["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
}

/// Hex of raw bytes, `0x`-prefixed.
pub(crate) fn hex0x(raw: &[u8]) -> String {
    format!("0x{}", hex::encode(raw))
}

/// The transaction hash of a raw transaction.
pub(crate) fn tx_hash(raw: &[u8]) -> B256 {
    alloy::primitives::keccak256(raw)
}

/// An address nobody holds a key of.
pub(crate) fn stranger() -> Address {
    Address::repeat_byte(0x77)
}
