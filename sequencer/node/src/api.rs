//! The node's HTTP API (axum), versioned under `/v0`:
//! * `POST /v0/submit` with `{"namespace": u64, "payload": "0x…"}` → `{"commitment": "0x…"}`;
//!   errors are JSON `{"code", "message"}`: 400 `bad_request`, 413 `transaction_too_large`,
//!   409 `duplicate_transaction`, 429 `mempool_full`;
//! * `GET /v0/status` → height, view, success rate, time since the last decide, counters;
//! * `GET /metrics` → Prometheus text.
//!
//! The full availability API comes with the DA/storage issue.

use crate::consensus::NodeStatus;
use crate::mempool::{Mempool, SubmitError};
use crate::metrics::Metrics;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use sq_types::{NamespaceId, Transaction};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};
use tokio::sync::watch;

/// What the handlers share.
#[derive(Clone)]
pub struct ApiState {
    /// The mempool submissions go to.
    pub mempool: Arc<Mutex<Mempool>>,
    /// Metrics, for `/metrics`.
    pub metrics: Arc<Metrics>,
    /// The consensus actor's published status.
    pub status: watch::Receiver<NodeStatus>,
    /// Largest transaction payload, bytes (bounds the request body).
    pub max_transaction_bytes: usize,
}

/// A submission.
#[derive(Debug, Deserialize)]
pub struct SubmitRequest {
    /// The rollup namespace.
    pub namespace: u64,
    /// The payload, hex with optional `0x`.
    pub payload: String,
}

/// An API error body.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct ApiError {
    /// Stable machine-readable code.
    pub code: String,
    /// Human-readable explanation.
    pub message: String,
}

fn error(status: StatusCode, code: &str, message: String) -> Response {
    (
        status,
        Json(ApiError {
            code: code.into(),
            message,
        }),
    )
        .into_response()
}

async fn submit(
    State(state): State<ApiState>,
    body: Result<Json<SubmitRequest>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let Json(req) = match body {
        Ok(b) => b,
        Err(e) => return error(StatusCode::BAD_REQUEST, "bad_request", e.body_text()),
    };
    let payload = match hex::decode(req.payload.trim_start_matches("0x")) {
        Ok(p) => p,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                "bad_request",
                format!("payload is not hex: {e}"),
            )
        }
    };
    let tx = Transaction {
        namespace: NamespaceId(req.namespace),
        payload,
    };
    let result = state
        .mempool
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .submit(tx);
    match result {
        Ok(commit) => Json(serde_json::json!({ "commitment": commit.to_string() })).into_response(),
        Err(e) => {
            let status = match e {
                SubmitError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
                SubmitError::Duplicate(_) => StatusCode::CONFLICT,
                SubmitError::Full => StatusCode::TOO_MANY_REQUESTS,
            };
            error(status, e.code(), e.to_string())
        }
    }
}

async fn status(State(state): State<ApiState>) -> Response {
    let s = state.status.borrow().clone();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    let since = if s.last_decide_unix_ms == 0 {
        None
    } else {
        Some(now.saturating_sub(s.last_decide_unix_ms))
    };
    Json(serde_json::json!({
        "block_height": s.height,
        "view": s.view,
        "node": s.node,
        "success_rate": s.success_rate(),
        "time_since_last_decide_ms": since,
        "last_leaf": s.last_leaf,
        "decided_blocks": s.decided_blocks,
        "decided_transactions": s.decided_transactions,
        "proposals_rejected": s.proposals_rejected,
    }))
    .into_response()
}

async fn metrics(State(state): State<ApiState>) -> Response {
    (
        [("content-type", "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
        .into_response()
}

/// The router. Request bodies are capped at twice the transaction limit (hex) plus 4 KiB.
pub fn router(state: ApiState) -> Router {
    let limit = state.max_transaction_bytes * 2 + 4096;
    Router::new()
        .route("/v0/submit", post(submit))
        .route("/v0/status", get(status))
        .route("/metrics", get(metrics))
        .layer(DefaultBodyLimit::max(limit))
        .with_state(state)
}
