//! Blocking access to the stack's HTTP endpoints, for synchronous tests and the demo's threads.
//!
//! Our own APIs are read with their typed clients: a node's `/v0` with
//! [`sq_api::client::Client`] ([`node_api`]), a rollup's proof-data-handler with
//! [`sq_prover_circuits::pdh::client::PdhClient`] ([`pdh`]). Run their futures with
//! [`block_on`]. What has no typed client of ours is read raw: Prometheus text ([`get_text`])
//! and the rollup's Ethereum JSON-RPC ([`json_rpc`], whose typed client is alloy's provider).

use std::future::Future;
use std::sync::OnceLock;
use std::time::Duration;

use sq_api::client::Client;
use sq_prover_circuits::pdh::client::PdhClient;

/// Per-request timeout of the clients made here.
pub const TIMEOUT: Duration = Duration::from_secs(5);

/// Per-request timeout of [`pdh`]: a witness or a proof can take a while to serve or verify.
pub const PDH_TIMEOUT: Duration = Duration::from_secs(60);

/// The runtime behind [`block_on`]: one worker thread for the clients' connection tasks, shared
/// by every caller so that pooled connections stay usable.
fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        #[allow(clippy::expect_used)]
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("sq-testing-http")
            .enable_all()
            .build()
            .expect("a tokio runtime for the test HTTP clients")
    })
}

/// Runs `f` to completion on a shared runtime and returns its output. Callable from plain
/// threads and from inside another runtime (then `f` runs on a helper thread, so an async
/// test may call the synchronous helpers of this crate).
///
/// # Panics
/// When `f` panics.
pub fn block_on<F>(f: F) -> F::Output
where
    F: Future + Send,
    F::Output: Send,
{
    if tokio::runtime::Handle::try_current().is_err() {
        return runtime().block_on(f);
    }
    std::thread::scope(|s| {
        s.spawn(|| runtime().block_on(f))
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// The typed client of the node whose API listens on `127.0.0.1:port`, with [`TIMEOUT`].
///
/// # Panics
/// When no HTTP client can be built (no resolver or TLS backend on this machine).
#[must_use]
pub fn node_api(port: u16) -> Client {
    #[allow(clippy::expect_used)]
    Client::with_timeout(&format!("http://127.0.0.1:{port}"), TIMEOUT).expect("an HTTP client")
}

/// The typed client of the proof-data-handler on `127.0.0.1:port`, with [`PDH_TIMEOUT`].
///
/// # Panics
/// When no HTTP client can be built.
#[must_use]
pub fn pdh(port: u16) -> PdhClient {
    #[allow(clippy::expect_used)]
    PdhClient::new(&format!("http://127.0.0.1:{port}"), PDH_TIMEOUT).expect("an HTTP client")
}

fn raw_client() -> &'static reqwest::Client {
    static HTTP: OnceLock<reqwest::Client> = OnceLock::new();
    HTTP.get_or_init(|| {
        #[allow(clippy::expect_used)]
        reqwest::Client::builder()
            .timeout(TIMEOUT)
            .build()
            .expect("an HTTP client")
    })
}

/// `GET http://127.0.0.1:{port}{path}`: the status and the body as text (a `/metrics` page);
/// `None` when nothing answers within [`TIMEOUT`].
#[must_use]
pub fn get_text(port: u16, path: &str) -> Option<(u16, String)> {
    let url = format!("http://127.0.0.1:{port}{path}");
    block_on(async {
        let resp = raw_client().get(&url).send().await.ok()?;
        let status = resp.status().as_u16();
        Some((status, resp.text().await.ok()?))
    })
}

/// One Ethereum JSON-RPC call to `http://127.0.0.1:{port}/`: the whole response object
/// (`result` or `error`); `None` when nothing answers within [`TIMEOUT`] or the answer is not
/// JSON.
#[must_use]
pub fn json_rpc(port: u16, method: &str, params: serde_json::Value) -> Option<serde_json::Value> {
    let url = format!("http://127.0.0.1:{port}/");
    let body = serde_json::json!({ "jsonrpc": "2.0", "id": 1, "method": method, "params": params });
    block_on(async {
        let resp = raw_client().post(&url).json(&body).send().await.ok()?;
        resp.json().await.ok()
    })
}
