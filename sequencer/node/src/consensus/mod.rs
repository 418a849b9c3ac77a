//! The consensus actor: hosts the pure state machine and carries out its outputs (send, arm
//! timers, fsync records, build blocks, record decides). `actor.rs` holds the loop; this file
//! its configuration and the status it publishes.

mod actor;

pub use actor::ConsensusActor;

use crate::mempool::Mempool;
use crate::metrics::Metrics;
use sq_types::{Commitment, Height, Leaf, QuorumCertificate, View};
use std::sync::{Arc, Mutex};
use tokio::sync::{mpsc, watch};

/// What the consensus actor shares with the rest of the node.
#[derive(Clone)]
pub struct Handles {
    /// The mempool the API submits into and the leader builds blocks from.
    pub mempool: Arc<Mutex<Mempool>>,
    /// The node's metrics.
    pub metrics: Arc<Metrics>,
    /// Where the actor publishes its [`NodeStatus`] after every input.
    pub status: watch::Sender<NodeStatus>,
    /// Receives every decided leaf with its QC, when given (the L1 commitment task). Bounded:
    /// a full channel drops the leaf with a warning rather than stall consensus.
    pub decided_tx: Option<mpsc::Sender<(Leaf, QuorumCertificate)>>,
}

/// What the actor publishes for the API and the logs, updated after every input.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
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

/// One decided leaf as the node reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecidedBlock {
    /// Its height.
    pub height: Height,
    /// Its view.
    pub view: View,
    /// Its commitment.
    pub leaf: Commitment,
    /// Transactions in it, when this node holds the payload.
    pub transactions: Option<usize>,
}
