//! `GET /v0/status`, `GET /v0/status/metrics` and `GET /metrics`.

use std::time::{SystemTime, UNIX_EPOCH};

use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::ApiState;

/// The body of `GET /v0/status`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct StatusBody {
    /// Height of the last decided leaf.
    pub block_height: u64,
    /// Current view.
    pub view: u64,
    /// This node's index in the stake table.
    pub node: u32,
    /// Decided leaves per view, `0.0..=1.0` (see `NodeStatus::success_rate`).
    pub success_rate: f64,
    /// Milliseconds since this node last decided; `null` before its first decide.
    #[schema(required = true)]
    pub time_since_last_decide_ms: Option<u64>,
    /// Commitment of the last decided leaf (hex).
    pub last_leaf: String,
    /// Leaves decided since start.
    pub decided_blocks: u64,
    /// Transactions decided since start.
    pub decided_transactions: u64,
    /// Proposals this node did not vote for.
    pub proposals_rejected: u64,
    /// Highest height in storage (can trail `block_height` while a decide is being stored).
    pub stored_height: u64,
}

/// Node status.
#[utoipa::path(get, path = "/v0/status", responses((status = 200, description = "OK", body = StatusBody)))]
pub(crate) async fn status(State(state): State<ApiState>) -> Json<StatusBody> {
    let s = state.status.borrow().clone();
    let stored_height = *state.stored_height.borrow();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
    let time_since_last_decide_ms =
        (s.last_decide_unix_ms != 0).then(|| now.saturating_sub(s.last_decide_unix_ms));
    Json(StatusBody {
        block_height: s.height,
        view: s.view,
        node: s.node,
        success_rate: s.success_rate(),
        time_since_last_decide_ms,
        last_leaf: s.last_leaf,
        decided_blocks: s.decided_blocks,
        decided_transactions: s.decided_transactions,
        proposals_rejected: s.proposals_rejected,
        stored_height,
    })
}

/// Prometheus metrics (OpenMetrics text format 1.0.0), at `/metrics` and
/// `/v0/status/metrics`.
#[utoipa::path(get, path = "/metrics", responses((status = 200, description = "OK", body = String, content_type = "application/openmetrics-text")))]
pub(crate) async fn metrics(State(state): State<ApiState>) -> Response {
    (
        [(CONTENT_TYPE, sq_telemetry::METRICS_CONTENT_TYPE)],
        (state.metrics)(),
    )
        .into_response()
}
