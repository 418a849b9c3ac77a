//! The consensus actor: hosts the pure state machine and carries out its outputs (send, arm
//! timers, fsync records, build blocks, record decides). `actor.rs` holds the loop; this file
//! its configuration and the status it publishes.

mod actor;

pub use actor::ConsensusActor;

use crate::metrics::Metrics;
use sq_api::mempool::Mempool;
pub use sq_api::status::NodeStatus;
use sq_types::{Commitment, Height, View};
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
    /// Receives every decided leaf with its QC and held proposal, for the storage writer.
    /// Bounded: a full channel drops the record with a warning; catch-up refills the gap.
    pub store_tx: Option<mpsc::Sender<crate::writer::DecidedRecord>>,
    /// The decided-block database, which catch-up fills; needed to rejoin after falling
    /// further behind than the state machine's window.
    pub storage: Option<sq_storage::Storage>,
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
