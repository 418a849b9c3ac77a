//! A fake sequencer node: the real `/v0` API (`sq_api::router_with`) over a real SQLite
//! chain, on its own runtime so that a "restart" kills every connection, with a middleware
//! that records the leaf-stream requests and can tamper with one height's namespace answer.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::header::CONTENT_LENGTH;
use axum::middleware::{self, Next};
use axum::response::Response;
use sq_api::mempool::{Mempool, MempoolConfig};
use sq_api::status::NodeStatus;
use sq_api::{router_with, ApiState, NamespaceBody, RouterConfig};
use sq_da::NamespaceProof;
use sq_storage::{DecidedBlock, Storage};
use sq_types::codec::{Decode, Encode};
use tokio::runtime::Runtime;
use tokio::sync::watch;

/// What the fake node shares with the test across restarts.
#[derive(Clone, Default)]
pub(crate) struct Control {
    /// Height whose namespace answer is tampered with; 0 for none.
    pub(crate) tamper_height: Arc<AtomicU64>,
    /// The `Last-Event-ID` of each leaf-stream request, in order (`None` when absent).
    pub(crate) stream_requests: Arc<Mutex<Vec<Option<String>>>>,
}

/// A running fake node.
pub(crate) struct FakeNode {
    runtime: Option<Runtime>,
    stored: Option<watch::Sender<u64>>,
    storage: Storage,
    /// Its base URL.
    pub(crate) url: String,
}

impl FakeNode {
    /// Starts on `port` (0 for any) over the SQLite chain in `dir`, with `blocks` stored.
    pub(crate) async fn start(
        dir: PathBuf,
        port: u16,
        blocks: &[DecidedBlock],
        control: Control,
    ) -> FakeNode {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let blocks = blocks.to_vec();
        let (storage, stored, url) = runtime
            .spawn(async move {
                let storage = Storage::open_sqlite_dir(&dir).await.expect("storage");
                for b in &blocks {
                    storage.insert_decided(b).await.expect("stores");
                }
                let top = storage
                    .latest_height()
                    .await
                    .expect("reads")
                    .map_or(0, |h| h.0);
                let (stored, stored_rx) = watch::channel(top);
                let state = ApiState {
                    storage: storage.clone(),
                    mempool: Arc::new(Mutex::new(Mempool::new(MempoolConfig::default()))),
                    max_transaction_bytes: MempoolConfig::default().max_transaction_bytes,
                    status: watch::channel(NodeStatus::default()).1,
                    stored_height: stored_rx,
                    metrics: Arc::new(String::new),
                    nodes: 4,
                };
                let app = router_with(state, RouterConfig::default())
                    .layer(middleware::from_fn_with_state(control, intercept));
                let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
                    .await
                    .expect("bind");
                let url = format!("http://{}", listener.local_addr().expect("addr"));
                tokio::spawn(async move { axum::serve(listener, app).await });
                (storage, stored, url)
            })
            .await
            .expect("started");
        FakeNode {
            runtime: Some(runtime),
            stored: Some(stored),
            storage,
            url,
        }
    }

    /// Its port.
    pub(crate) fn port(&self) -> u16 {
        self.url
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .expect("port")
    }

    /// Stores `blocks` and publishes the new stored height.
    pub(crate) async fn store(&self, blocks: &[DecidedBlock]) {
        let (storage, blocks) = (self.storage.clone(), blocks.to_vec());
        let top = self
            .runtime
            .as_ref()
            .expect("running")
            .spawn(async move {
                for b in &blocks {
                    storage.insert_decided(b).await.expect("stores");
                }
                storage
                    .latest_height()
                    .await
                    .expect("reads")
                    .map_or(0, |h| h.0)
            })
            .await
            .expect("stored");
        if let Some(s) = &self.stored {
            s.send_replace(top);
        }
    }

    /// Stops the node as a crash would: every task and connection ends at once.
    pub(crate) fn kill(self) {
        drop(self);
    }
}

impl Drop for FakeNode {
    fn drop(&mut self) {
        self.stored = None;
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

/// Records leaf-stream requests; tampers with the namespace answer at the tamper height by
/// flipping the last byte of the proven bytes and of the served transaction together.
async fn intercept(
    axum::extract::State(control): axum::extract::State<Control>,
    req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path().to_owned();
    if path.starts_with("/v0/availability/stream/leaves/") {
        let id = req
            .headers()
            .get("last-event-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        control.stream_requests.lock().expect("lock").push(id);
    }
    let tamper = control.tamper_height.load(Ordering::SeqCst);
    let target = format!("/v0/availability/block/{tamper}/namespace/");
    let resp = next.run(req).await;
    if tamper == 0 || !path.starts_with(&target) {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let bytes = to_bytes(body, usize::MAX).await.expect("body");
    let mut answer: NamespaceBody = serde_json::from_slice(&bytes).expect("namespace body");
    if let Some(p) = &answer.proof {
        let mut proof = NamespaceProof::decode(p).expect("proof");
        if let (Some(b), Some(t)) = (
            proof.bytes.last_mut(),
            answer.transactions.last_mut().and_then(|t| t.last_mut()),
        ) {
            *b ^= 1;
            *t ^= 1;
        }
        answer.proof = Some(proof.encode());
    }
    let json = serde_json::to_vec(&answer).expect("json");
    parts.headers.remove(CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(json))
}
