//! Node-to-node transport: the Network trait and its CDN, libp2p, in-memory and combined (primary plus fallback) implementations.
//!
//! A [`Network`] moves opaque byte strings (encoded consensus messages) between the nodes of
//! one stake table, identified by [`NodeIndex`]. Authentication of the sender is the
//! transport's job (the CDN checks a BLS signature over a challenge; libp2p binds peer ids to
//! registered keys); the consensus layer still checks every signature inside the messages.
//!
//! Contract for every implementation:
//! * `send` never blocks: it enqueues into a bounded queue and returns
//!   [`NetworkError::QueueFull`] when the queue is full (the caller drops the message; consensus
//!   recovers through timeouts and re-broadcasts);
//! * delivery is best-effort and may duplicate or reorder;
//! * `recv` returns `None` only once the network is shut down for good;
//! * a node never receives its own broadcasts.

pub mod cdn;
pub mod combined;
pub mod memory;
pub mod p2p;

use sq_types::NodeIndex;
use std::future::Future;
use thiserror::Error;

/// Largest message a transport carries, in bytes: a consensus message plus framing.
pub const MAX_MESSAGE_BYTES: usize = sq_types::codec::limits::MAX_MESSAGE_BYTES + 1024;

/// A broadcast topic. The CDN relays each topic separately; the DA topic carries VID shares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Topic {
    /// Consensus messages: proposals, timeouts, leaf requests.
    Global,
    /// Data-availability messages.
    Da,
}

/// Where a message goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Recipient {
    /// Every other node subscribed to the topic.
    Broadcast(Topic),
    /// One node.
    Direct(NodeIndex),
}

/// A message received from a peer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inbound {
    /// The authenticated sender.
    pub from: NodeIndex,
    /// The bytes it sent.
    pub bytes: Vec<u8>,
}

/// Why a message could not be handed to the network.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum NetworkError {
    /// The outgoing queue is full; the message was dropped.
    #[error("outgoing queue full; message dropped")]
    QueueFull,
    /// The message exceeds [`MAX_MESSAGE_BYTES`].
    #[error("message of {0} bytes exceeds the limit of {MAX_MESSAGE_BYTES}")]
    TooLarge(usize),
    /// The destination is not in the stake table.
    #[error("unknown node {0}")]
    UnknownNode(NodeIndex),
    /// The network has shut down.
    #[error("network closed")]
    Closed,
}

/// A transport between the nodes of one stake table. See the crate docs for the contract.
pub trait Network: Send + 'static {
    /// Enqueues `bytes` for `to` without blocking.
    ///
    /// # Errors
    /// [`NetworkError`] when the message is dropped.
    fn send(&self, to: Recipient, bytes: Vec<u8>) -> Result<(), NetworkError>;

    /// The next message from a peer; `None` once the network has shut down.
    fn recv(&mut self) -> impl Future<Output = Option<Inbound>> + Send;

    /// Whether the transport believes it can deliver right now (for example, the CDN client is
    /// connected and authenticated). The combined network also sends on its fallback when the
    /// primary is not healthy.
    fn is_healthy(&self) -> bool {
        true
    }
}
