//! `GET /metrics` (Prometheus text) and `GET /queue_report` (JSON, for autoscalers).
//!
//! Metrics: `prover_jobs{stage,aggregation_round,circuit_id,protocol_version,status}` (queued
//! and in-progress counts from the database, so every process reports the whole queue),
//! `prover_queue_depth` (queued, all stages), `prover_batches{status}`, and this process's proving counters
//! `prover_chunk_proofs_total`, `prover_proving_ms_total`, `prover_proven_transfers_total`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use sq_prover_dal::ProverDal;

/// This process's proving counters.
#[derive(Debug, Default)]
pub struct Metrics {
    proofs: AtomicU64,
    proving_ms: AtomicU64,
    transfers: AtomicU64,
}

impl Metrics {
    /// Records one chunk proof of `transfers` transfers that took `ms` milliseconds.
    pub fn record_proof(&self, ms: u64, transfers: u64) {
        self.proofs.fetch_add(1, Ordering::Relaxed);
        self.proving_ms.fetch_add(ms, Ordering::Relaxed);
        self.transfers.fetch_add(transfers, Ordering::Relaxed);
    }
}

#[derive(Clone)]
struct AppState {
    dal: ProverDal,
    metrics: Arc<Metrics>,
}

/// The router serving `/metrics` and `/queue_report`.
pub fn router(dal: ProverDal, metrics: Arc<Metrics>) -> Router {
    Router::new()
        .route("/metrics", get(render))
        .route("/queue_report", get(queue_report))
        .with_state(AppState { dal, metrics })
}

async fn queue_report(
    State(s): State<AppState>,
) -> Result<Json<serde_json::Value>, (StatusCode, String)> {
    let q = s
        .dal
        .queue_report()
        .await
        .map_err(|e| (StatusCode::SERVICE_UNAVAILABLE, e.to_string()))?;
    Ok(Json(serde_json::to_value(q).unwrap_or_default()))
}

async fn render(State(s): State<AppState>) -> Result<String, (StatusCode, String)> {
    let q = s
        .dal
        .queue_report()
        .await
        .map_err(|e| (StatusCode::SERVICE_UNAVAILABLE, e.to_string()))?;
    let mut out = String::from("# HELP prover_jobs Jobs by stage and status (from the shared database).\n# TYPE prover_jobs gauge\n");
    let mut depth = 0;
    for d in &q {
        for (status, n) in [("queued", d.queued), ("in_progress", d.in_progress)] {
            out.push_str(&format!(
                "prover_jobs{{stage=\"{}\",aggregation_round=\"{}\",circuit_id=\"{}\",protocol_version=\"{}\",status=\"{status}\"}} {n}\n",
                d.stage, d.aggregation_round, d.circuit_id, d.protocol_version
            ));
        }
        depth += d.queued;
    }
    let batches = s
        .dal
        .batches_by_status()
        .await
        .map_err(|e| (StatusCode::SERVICE_UNAVAILABLE, e.to_string()))?;
    out.push_str("# HELP prover_batches Batches by status (from the shared database).\n# TYPE prover_batches gauge\n");
    for (status, n) in &batches {
        out.push_str(&format!("prover_batches{{status=\"{status}\"}} {n}\n"));
    }
    let m = &s.metrics;
    out.push_str(&format!("# HELP prover_queue_depth Queued jobs, all stages.\n# TYPE prover_queue_depth gauge\nprover_queue_depth {depth}\n"));
    for (name, help, v) in [
        (
            "prover_chunk_proofs_total",
            "Chunk proofs made by this process.",
            m.proofs.load(Ordering::Relaxed),
        ),
        (
            "prover_proving_ms_total",
            "Milliseconds spent proving chunks in this process.",
            m.proving_ms.load(Ordering::Relaxed),
        ),
        (
            "prover_proven_transfers_total",
            "Transfers proven by this process.",
            m.transfers.load(Ordering::Relaxed),
        ),
    ] {
        out.push_str(&format!(
            "# HELP {name} {help}\n# TYPE {name} counter\n{name} {v}\n"
        ));
    }
    Ok(out)
}
