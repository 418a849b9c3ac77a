//! Prometheus metrics of a node, each declared with its meaning (STYLE.md §17).

use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

/// The node's metrics and their registry.
pub struct Metrics {
    registry: Registry,
    /// Current consensus view.
    pub view: Gauge,
    /// Height of the last decided leaf.
    pub height: Gauge,
    /// Leaves decided since start.
    pub decided_blocks: Counter,
    /// Transactions in decided leaves whose payload this node holds.
    pub decided_transactions: Counter,
    /// Payload bytes of decided leaves whose payload this node holds.
    pub decided_payload_bytes: Counter,
    /// Seconds from a leaf's proposal timestamp to its decide on this node. Buckets grow by
    /// 20% from 1 ms to about 47 s, so quantiles read off them are within 20%.
    pub decide_latency: Histogram,
    /// Seconds between entering a view and entering the next one (QC or TC formation time).
    pub view_duration: Histogram,
    /// Proposals this node did not vote for.
    pub proposals_rejected: Counter,
    /// Messages from peers that failed to decode.
    pub malformed_messages: Counter,
    /// Messages the network refused to queue (full queue or closed).
    pub send_drops: Counter,
    /// Transactions waiting in the mempool.
    pub mempool_size: Gauge,
    /// Height of the last leaf `HotShotCommitments` on L1 has certified, as this node's
    /// commitment task last read it (0 when the task is not running).
    pub l1_certified_height: Gauge,
    /// Headers this node's commitment task posted to L1 since start.
    pub l1_posted_headers: Counter,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    /// Registers every metric under the `sequencer_` prefix.
    #[must_use]
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("sequencer");
        let m = Metrics {
            view: Gauge::default(),
            height: Gauge::default(),
            decided_blocks: Counter::default(),
            decided_transactions: Counter::default(),
            decided_payload_bytes: Counter::default(),
            decide_latency: Histogram::new(exponential_buckets(0.001, 1.2, 60)),
            view_duration: Histogram::new(exponential_buckets(0.005, 2.0, 14)),
            proposals_rejected: Counter::default(),
            malformed_messages: Counter::default(),
            send_drops: Counter::default(),
            mempool_size: Gauge::default(),
            l1_certified_height: Gauge::default(),
            l1_posted_headers: Counter::default(),
            registry: Registry::default(),
        };
        registry.register("view", "Current consensus view", m.view.clone());
        registry.register(
            "height",
            "Height of the last decided leaf",
            m.height.clone(),
        );
        registry.register(
            "decided_blocks",
            "Leaves decided since start",
            m.decided_blocks.clone(),
        );
        registry.register(
            "decided_transactions",
            "Transactions in decided leaves",
            m.decided_transactions.clone(),
        );
        registry.register(
            "decided_payload_bytes",
            "Payload bytes of decided leaves",
            m.decided_payload_bytes.clone(),
        );
        registry.register(
            "decide_latency_seconds",
            "Proposal timestamp to local decide",
            m.decide_latency.clone(),
        );
        registry.register(
            "view_duration_seconds",
            "Time from entering a view to entering the next",
            m.view_duration.clone(),
        );
        registry.register(
            "proposals_rejected",
            "Proposals this node did not vote for",
            m.proposals_rejected.clone(),
        );
        registry.register(
            "malformed_messages",
            "Peer messages that failed to decode",
            m.malformed_messages.clone(),
        );
        registry.register(
            "send_drops",
            "Messages the network refused to queue",
            m.send_drops.clone(),
        );
        registry.register(
            "mempool_transactions",
            "Transactions waiting in the mempool",
            m.mempool_size.clone(),
        );
        registry.register(
            "l1_certified_height",
            "Height certified by the L1 commitments contract, as last read",
            m.l1_certified_height.clone(),
        );
        registry.register(
            "l1_posted_headers",
            "Headers this node posted to L1",
            m.l1_posted_headers.clone(),
        );
        Metrics { registry, ..m }
    }

    /// The OpenMetrics text exposition ([`sq_telemetry::encode_metrics`]).
    #[must_use]
    pub fn render(&self) -> String {
        sq_telemetry::encode_metrics(&self.registry)
    }
}
