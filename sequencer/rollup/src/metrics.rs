//! `GET /metrics`: the rollup's counters and gauges, rendered by `prometheus-client`
//! ([`sq_telemetry::encode_metrics`]).
//!
//! Series: `rollup_transfers_total`, `rollup_failed_transactions_total`,
//! `rollup_rejected_payloads_total`, `rollup_batches_sealed_total`,
//! `rollup_batches_proven_total`, `rollup_proofs_rejected_total`,
//! `rollup_blocks_refused_total` (counters of [`crate::service::RollupMetrics`]), the
//! histogram `rollup_lag_blocks` (after each executed block, the decided blocks the node had
//! beyond it; observed only where the source knows the node's tip, i.e. inside a node), and
//! the gauges `rollup_block_number` (last executed sequencer height) and
//! `rollup_pending_transactions` (accepted, not yet executed), read at each scrape.

use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

use crate::service::Rollup;

/// The router serving `/metrics`.
pub fn router(rollup: Rollup) -> Router {
    Router::new()
        .route("/metrics", get(render))
        .with_state(rollup)
}

async fn render(State(rollup): State<Rollup>) -> impl IntoResponse {
    (
        [(CONTENT_TYPE, sq_telemetry::METRICS_CONTENT_TYPE)],
        sq_telemetry::encode_metrics(&registry(&rollup)),
    )
}

/// A registry for one scrape: the long-lived counters (clones share their values) and the
/// gauges as they are now.
fn registry(rollup: &Rollup) -> Registry {
    let mut r = Registry::with_prefix("rollup");
    let m = rollup.metrics();
    for (name, help, counter) in [
        ("transfers", "Transfers executed successfully", &m.transfers),
        (
            "failed_transactions",
            "Transactions with a failed receipt",
            &m.failed,
        ),
        (
            "rejected_payloads",
            "Namespace payloads that did not decode",
            &m.rejected,
        ),
        (
            "batches_sealed",
            "Batches sealed since start",
            &m.batches_sealed,
        ),
        (
            "batches_proven",
            "Batches whose proof verified since start",
            &m.batches_proven,
        ),
        (
            "proofs_rejected",
            "Submitted proofs refused",
            &m.proofs_rejected,
        ),
        (
            "blocks_refused",
            "Served blocks that did not verify (not executed)",
            &m.blocks_refused,
        ),
    ] {
        r.register(name, help, counter.clone());
    }
    r.register(
        "lag_blocks",
        "Decided blocks the node had beyond each block when it was executed",
        m.lag_blocks.clone(),
    );
    for (name, help, value) in [
        (
            "block_number",
            "Last executed sequencer height",
            rollup.block_number(),
        ),
        (
            "pending_transactions",
            "Accepted, not yet executed",
            rollup.pending_len() as u64,
        ),
    ] {
        let gauge = Gauge::<i64>::default();
        gauge.set(i64::try_from(value).unwrap_or(i64::MAX));
        r.register(name, help, gauge);
    }
    r
}
