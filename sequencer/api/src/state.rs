//! [`ApiState`]: what every handler shares.

use std::sync::{Arc, Mutex};

use sq_storage::Storage;
use tokio::sync::watch;

use crate::mempool::Mempool;
use crate::status::NodeStatus;

/// Renders the node's metrics in the Prometheus text exposition format.
pub type MetricsRender = Arc<dyn Fn() -> String + Send + Sync>;

/// What the handlers share; cheap to clone (handles and `Arc`s).
#[derive(Clone)]
pub struct ApiState {
    /// The decided chain, read by every availability route.
    pub storage: Storage,
    /// Where `POST /v0/submit` queues transactions. Locked for one `submit` call at a time.
    pub mempool: Arc<Mutex<Mempool>>,
    /// Largest transaction payload, bytes. Request bodies are capped at
    /// [`ApiState::body_limit`] = `2 × max_transaction_bytes + 4096` (hex doubles the size;
    /// 4 KiB for the JSON around it).
    pub max_transaction_bytes: usize,
    /// The consensus actor's published status (`GET /v0/status`).
    pub status: watch::Receiver<NodeStatus>,
    /// The highest height in storage. The sender must publish a height only after the block
    /// is durably stored: the leaf stream reads storage up to it, then waits for a change.
    pub stored_height: watch::Receiver<u64>,
    /// Prometheus text for `GET /metrics` and `GET /v0/status/metrics`.
    pub metrics: MetricsRender,
    /// Stake table size `n`, the VID share count. Used to re-derive the VID common data of a
    /// block whose payload is stored without it (a payload fetched by catch-up).
    pub nodes: u32,
}

impl ApiState {
    /// The request body limit, bytes: `2 × max_transaction_bytes + 4096` (saturating).
    #[must_use]
    pub fn body_limit(&self) -> usize {
        self.max_transaction_bytes
            .saturating_mul(2)
            .saturating_add(4096)
    }
}
