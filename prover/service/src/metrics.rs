//! `GET /metrics` (Prometheus text, rendered by `prometheus-client`) and `GET /queue_report`
//! (JSON, for autoscalers).
//!
//! Metrics:
//! - `prover_jobs{stage,aggregation_round,circuit_id,protocol_version,status}`: queued and
//!   in-progress jobs, read from the database at each scrape, so every process reports the
//!   whole queue;
//! - `prover_queue_depth`: queued jobs, all stages (same source);
//! - `prover_batches{status}`: batches by status (same source);
//! - this process's proving counters `prover_chunk_proofs_total`, `prover_proving_ms_total`
//!   (milliseconds) and `prover_proven_transfers_total`.

use std::sync::Arc;

use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use sq_prover_dal::{DalError, ProverDal, QueueDepth};

/// This process's proving counters. Cheap to share: the counters are atomics.
#[derive(Debug, Default)]
pub struct Metrics {
    /// Chunk proofs made by this process.
    proofs: Counter,
    /// Milliseconds spent proving chunks in this process.
    proving_ms: Counter,
    /// Transfers proven by this process.
    transfers: Counter,
}

impl Metrics {
    /// Records one chunk proof of `transfers` transfers that took `ms` milliseconds.
    pub fn record_proof(&self, ms: u64, transfers: u64) {
        self.proofs.inc();
        self.proving_ms.inc_by(ms);
        self.transfers.inc_by(transfers);
    }

    /// Registers the counters (clones share their values) under their documented names.
    fn register(&self, registry: &mut Registry) {
        registry.register(
            "prover_chunk_proofs",
            "Chunk proofs made by this process",
            self.proofs.clone(),
        );
        registry.register(
            "prover_proving_ms",
            "Milliseconds spent proving chunks in this process",
            self.proving_ms.clone(),
        );
        registry.register(
            "prover_proven_transfers",
            "Transfers proven by this process",
            self.transfers.clone(),
        );
    }
}

/// The labels of `prover_jobs`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct JobLabels {
    stage: String,
    aggregation_round: u8,
    circuit_id: u8,
    protocol_version: String,
    status: &'static str,
}

/// The labels of `prover_batches`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct BatchLabels {
    status: String,
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

/// A database error as a 503 with its message.
fn unavailable(e: DalError) -> (StatusCode, String) {
    (StatusCode::SERVICE_UNAVAILABLE, e.to_string())
}

async fn queue_report(
    State(s): State<AppState>,
) -> Result<Json<Vec<QueueDepth>>, (StatusCode, String)> {
    Ok(Json(s.dal.queue_report().await.map_err(unavailable)?))
}

async fn render(State(s): State<AppState>) -> Result<Response, (StatusCode, String)> {
    let queue = s.dal.queue_report().await.map_err(unavailable)?;
    let batches = s.dal.batches_by_status().await.map_err(unavailable)?;
    let text = encode_metrics(&queue, &batches, &s.metrics);
    Ok(([(CONTENT_TYPE, sq_telemetry::METRICS_CONTENT_TYPE)], text).into_response())
}

/// Renders one scrape: the database-derived gauges as read now, then this process's counters.
/// A fresh registry per scrape, so a label set that left the database leaves the output too.
fn encode_metrics(queue: &[QueueDepth], batches: &[(String, u64)], metrics: &Metrics) -> String {
    let mut registry = Registry::default();
    let jobs = Family::<JobLabels, Gauge>::default();
    let mut depth = 0;
    for d in queue {
        for (status, n) in [("queued", d.queued), ("in_progress", d.in_progress)] {
            let labels = JobLabels {
                stage: d.stage.to_string(),
                aggregation_round: d.aggregation_round,
                circuit_id: d.circuit_id,
                protocol_version: d.protocol_version.clone(),
                status,
            };
            jobs.get_or_create(&labels).set(n as i64);
        }
        depth += d.queued;
    }
    registry.register(
        "prover_jobs",
        "Jobs by stage and status (from the shared database)",
        jobs,
    );
    let by_status = Family::<BatchLabels, Gauge>::default();
    for (status, n) in batches {
        let labels = BatchLabels {
            status: status.clone(),
        };
        by_status.get_or_create(&labels).set(*n as i64);
    }
    registry.register(
        "prover_batches",
        "Batches by status (from the shared database)",
        by_status,
    );
    let queue_depth = Gauge::<i64>::default();
    queue_depth.set(depth as i64);
    registry.register("prover_queue_depth", "Queued jobs, all stages", queue_depth);
    metrics.register(&mut registry);
    sq_telemetry::encode_metrics(&registry)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sq_prover_dal::Stage;

    #[test]
    fn a_scrape_has_every_family_with_its_labels_and_the_counters() {
        let queue = vec![QueueDepth {
            stage: Stage::BasicProof,
            aggregation_round: 0,
            circuit_id: 1,
            protocol_version: "0.1.0".into(),
            queued: 3,
            in_progress: 2,
        }];
        let batches = vec![("proven".to_string(), 7), ("received".to_string(), 1)];
        let m = Metrics::default();
        m.record_proof(40, 4);
        m.record_proof(60, 5);
        let text = encode_metrics(&queue, &batches, &m);
        let stage = Stage::BasicProof.to_string();
        for line in [
            format!("prover_jobs{{stage=\"{stage}\",aggregation_round=\"0\",circuit_id=\"1\",protocol_version=\"0.1.0\",status=\"queued\"}} 3"),
            format!("prover_jobs{{stage=\"{stage}\",aggregation_round=\"0\",circuit_id=\"1\",protocol_version=\"0.1.0\",status=\"in_progress\"}} 2"),
            "prover_batches{status=\"proven\"} 7".into(),
            "prover_batches{status=\"received\"} 1".into(),
            "prover_queue_depth 3".into(),
            "prover_chunk_proofs_total 2".into(),
            "prover_proving_ms_total 100".into(),
            "prover_proven_transfers_total 9".into(),
        ] {
            assert!(text.lines().any(|l| l == line), "missing {line:?} in\n{text}");
        }
    }
}
