//! What a node publishes about itself for `GET /v0/status` and the logs.

/// What the actor publishes for the API and the logs, updated after every input.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NodeStatus {
    /// This node's index in the stake table.
    pub node: u32,
    /// Current view.
    pub view: u64,
    /// Height of the last decided leaf.
    pub height: u64,
    /// Commitment of the last decided leaf (hex).
    pub last_leaf: String,
    /// Unix milliseconds of the last decide on this node (0 before the first).
    pub last_decide_unix_ms: u64,
    /// Leaves decided since start.
    pub decided_blocks: u64,
    /// Transactions decided since start.
    pub decided_transactions: u64,
    /// Proposals this node did not vote for.
    pub proposals_rejected: u64,
}

impl NodeStatus {
    /// Decided leaves per view so far: the fraction of views that produced a block (1.0 means
    /// every view decided one; 0 before the first view).
    #[must_use]
    pub fn success_rate(&self) -> f64 {
        if self.view == 0 {
            0.0
        } else {
            (self.height as f64 / self.view as f64).min(1.0)
        }
    }
}
