//! `GET /metrics`: the rollup's counters in the Prometheus text format.

use std::sync::atomic::Ordering;

use axum::extract::State;
use axum::routing::get;
use axum::Router;

use crate::service::Rollup;

/// The router serving `/metrics`.
pub fn router(rollup: Rollup) -> Router {
    Router::new()
        .route("/metrics", get(render))
        .with_state(rollup)
}

async fn render(State(rollup): State<Rollup>) -> String {
    let m = rollup.metrics();
    let counters = [
        (
            "rollup_transfers_total",
            "Transfers executed successfully.",
            m.transfers.load(Ordering::Relaxed),
        ),
        (
            "rollup_failed_transactions_total",
            "Transactions with a failed receipt.",
            m.failed.load(Ordering::Relaxed),
        ),
        (
            "rollup_rejected_payloads_total",
            "Namespace payloads that did not decode.",
            m.rejected.load(Ordering::Relaxed),
        ),
        (
            "rollup_batches_sealed_total",
            "Batches sealed since start.",
            m.batches_sealed.load(Ordering::Relaxed),
        ),
        (
            "rollup_batches_proven_total",
            "Batches whose proof verified since start.",
            m.batches_proven.load(Ordering::Relaxed),
        ),
        (
            "rollup_proofs_rejected_total",
            "Submitted proofs refused.",
            m.proofs_rejected.load(Ordering::Relaxed),
        ),
    ];
    let mut out = String::new();
    for (name, help, v) in counters {
        out.push_str(&format!(
            "# HELP {name} {help}\n# TYPE {name} counter\n{name} {v}\n"
        ));
    }
    let gauges = [
        (
            "rollup_block_number",
            "Last executed sequencer height.",
            rollup.block_number(),
        ),
        (
            "rollup_pending_transactions",
            "Accepted, not yet executed.",
            rollup.pending_len() as u64,
        ),
    ];
    for (name, help, v) in gauges {
        out.push_str(&format!(
            "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {v}\n"
        ));
    }
    out
}
