//! Reading the running stack into a [`Snapshot`]: node 0's status and /metrics, the L1
//! contract, the rollup's batch counts and lag behind node 0 (its /metrics) and the prover's
//! /metrics. A component that does not
//! answer keeps its previous figures.

use std::sync::atomic::Ordering;

use sq_testing::cluster::height;
use sq_testing::http::{block_on, get_text, node_api, pdh};

use crate::l1::latest_height;
use crate::load::LoadCounters;
use crate::observe::{histogram_bound, histogram_quantile, sample, sum_where};
use crate::summary::Snapshot;

/// Where to look.
#[derive(Clone, Debug)]
pub struct Sources {
    /// Node 0's API port.
    pub node_api: u16,
    /// anvil's port and the commitments contract.
    pub anvil: u16,
    /// `HotShotCommitments` address (`0x…`).
    pub commitments: String,
    /// Node 0's rollup proof-data-handler port.
    pub pdh: u16,
    /// The prover's metrics port.
    pub prover: u16,
}

/// A new snapshot, starting from `prev`'s figures for whatever does not answer.
#[must_use]
pub fn read(src: &Sources, prev: &Snapshot, elapsed_s: f64, load: &LoadCounters) -> Snapshot {
    let mut s = prev.clone();
    s.elapsed_s = elapsed_s;
    if let Some(h) = height(src.node_api) {
        s.height = h;
    }
    if let Ok(text) = block_on(node_api(src.node_api).metrics()) {
        if let Some(v) = sample(&text, "sequencer_decided_transactions_total", &[]) {
            s.decided_transactions = v as u64;
        }
        s.decide_p50_ms =
            histogram_quantile(&text, "sequencer_decide_latency_seconds", 0.5).map(|v| v * 1e3);
    }
    if let Ok(h) = latest_height(src.anvil, &src.commitments) {
        s.l1_height = h;
    }
    if let Some((200, text)) = get_text(src.pdh, "/metrics") {
        let count = sample(&text, "rollup_lag_blocks_count", &[]).unwrap_or(0.0);
        let within_1 = sample(&text, "rollup_lag_blocks_bucket", &[("le", "1.0")]).unwrap_or(0.0);
        s.rollup_blocks_observed = count as u64;
        s.rollup_lag_over_1 = (count - within_1).max(0.0) as u64;
        s.rollup_lag_max = histogram_bound(&text, "rollup_lag_blocks");
    }
    if let Ok(b) = block_on(pdh(src.pdh).batches()) {
        s.batches_created = b.sealed;
        s.batches_verified = b.proven;
    }
    if let Some((200, text)) = get_text(src.prover, "/metrics") {
        let status = |st: &str| sample(&text, "prover_batches", &[("status", st)]).unwrap_or(0.0);
        s.batches_proven = (status("proven") + status("sent_to_server")) as u64;
        if let Some(v) = sample(&text, "prover_queue_depth", &[]) {
            s.prover_queue = v as u64;
        }
        for (round, active) in s.prover_rounds.iter_mut().enumerate() {
            let r = round.to_string();
            *active = sum_where(&text, "prover_jobs", &[("aggregation_round", &r)]) as u64;
        }
        if let Some(v) = sample(&text, "prover_proven_transfers_total", &[]) {
            s.proven_transfers = v as u64;
        }
    }
    s.transfers_sent = load.transfers_sent.load(Ordering::Relaxed);
    s.transfers_refused = load.transfers_refused.load(Ordering::Relaxed);
    s.payloads_sent = load.payloads_sent.load(Ordering::Relaxed);
    s
}
