//! What goes into the state machine and what comes out. Each output states the obligation it
//! places on the host (STYLE.md §2).

use crate::message::Message;

use sq_types::{Commitment, Height, Leaf, NodeIndex, NsTable, QuorumCertificate, View};

/// An event the host feeds to [`crate::Consensus::apply`].
// Inputs are moved once per event; boxing the large message variant would only add an allocation.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    /// Start (or restart) the node: enter the current view, arm its timer and, when leader,
    /// ask for a block. Feed it once, before anything else.
    Start,
    /// A decoded message from an authenticated peer. `from` is informational: proposals and
    /// votes are checked by their signatures, not by the sender.
    Message {
        /// The peer it arrived from.
        from: NodeIndex,
        /// The message.
        message: Message,
    },
    /// The timer set by [`Output::SetTimer`] for `view` fired.
    TimerFired {
        /// The view the timer was set for.
        view: View,
    },
    /// Every [`Output::Persist`] with a sequence number `<= seq` is durable (fsynced).
    /// Acknowledgements must arrive in order.
    Persisted {
        /// The highest durable sequence number.
        seq: u64,
    },
    /// The block the host built in answer to [`Output::BuildBlock`].
    BlockBuilt {
        /// The view it was built for.
        view: View,
        /// The payload bytes.
        payload: Vec<u8>,
        /// The namespace table of `payload`.
        ns_table: NsTable,
        /// Unix milliseconds.
        timestamp_ms: u64,
        /// The latest L1 block number seen.
        l1_head: u64,
    },
}

/// A record the host must make durable before acknowledging it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PersistRecord {
    /// The safety state; replaces the previous one.
    Safety(SafetyState),
    /// A proposal this node is about to vote for (or, as leader, to send): the leaf, its
    /// payload, and this node's VID share with the common data that verifies it. The vote
    /// depends on holding the share (HotShot §4), so it waits for this record.
    Proposal {
        /// The leaf.
        leaf: Leaf,
        /// Its payload.
        payload: Vec<u8>,
        /// `n`, the payload length and the roots the share is checked against.
        common: sq_da::VidCommon,
        /// This node's share (index = its stake-table index) with its Merkle proof.
        share: sq_da::VidShare,
    },
}

/// Why a proposal got no vote. Informational: the host logs it and counts it in metrics.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RejectReason {
    /// The signature is not the view leader's.
    BadSignature,
    /// The header does not extend its justify QC, or the payload does not match the header.
    Malformed(String),
    /// A certificate failed verification.
    InvalidCertificate(String),
    /// The proposal is for a view other than the node's current one.
    WrongView {
        /// The node's view.
        current: View,
    },
    /// The justify QC is not from the previous view and no TC for the previous view came with it.
    NoViewEntryProof,
    /// The node already voted (or timed out) in this view.
    AlreadyVoted,
    /// The leader sent a different proposal for the same view.
    Equivocation,
    /// The justify QC is older than the node's locked QC (the safety rule).
    ViolatesLock {
        /// The lock's view.
        locked: View,
        /// The justify QC's view.
        justify: View,
    },
}

/// Something the host must do, in the order given.
#[must_use = "every output carries an obligation for the host"]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Output {
    /// Send `0` to every other node. The machine has already handled its own copy.
    Broadcast(Message),
    /// Send `message` to node `to` (never this node itself).
    Send {
        /// Destination.
        to: NodeIndex,
        /// The message.
        message: Message,
    },
    /// Arm a timer that feeds [`Input::TimerFired`] for `view` after `after_ms` milliseconds.
    /// Earlier timers may be left to fire: stale ones are ignored.
    SetTimer {
        /// The view it belongs to.
        view: View,
        /// Delay, milliseconds.
        after_ms: u64,
    },
    /// Make `record` durable, then feed [`Input::Persisted`] with `seq` (in order). Votes that
    /// depend on it are held back until then.
    Persist {
        /// Sequence number, increasing by one per record.
        seq: u64,
        /// What to persist.
        record: PersistRecord,
    },
    /// This node leads `view`: build a block extending `parent` and feed [`Input::BlockBuilt`].
    BuildBlock {
        /// The view to propose in.
        view: View,
        /// The QC the block will extend.
        parent: QuorumCertificate,
    },
    /// These leaves are decided, in ascending height, continuing the previous decide without a
    /// gap. Each comes with the QC that certifies it. The host stores them (idempotently: after a
    /// restart the same heights may be decided again, with the same leaves).
    Decided(Vec<(Leaf, QuorumCertificate)>),
    /// The node entered `view`.
    ViewChanged(View),
    /// A proposal got no vote.
    ProposalRejected {
        /// The proposal's view.
        view: View,
        /// Why.
        reason: RejectReason,
    },
    /// Deciding needs leaves older than the in-memory window: the host must fetch decided leaves
    /// up to `height` (ending at `leaf`) from peers' APIs, verify them, and restart the node.
    CatchUpNeeded {
        /// The height of the newly decided leaf.
        height: Height,
        /// Its commitment.
        leaf: Commitment,
    },
    /// A certified chain conflicts with what this node decided. Only possible with more than a
    /// third of the stake Byzantine: the host must stop and alert an operator.
    Conflict {
        /// The height at which the chains differ.
        height: Height,
    },
}

/// The state that must survive a restart for the node never to equivocate (DESIGN.md "Layering
/// rules"): it is persisted before every vote that depends on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SafetyState {
    /// The highest view this node voted in or sent a timeout vote for. It never votes again in
    /// a view `<=` this.
    pub last_voted_view: View,
    /// The locked QC: the highest QC the node has seen. It only votes for proposals whose
    /// justify QC is at least this high.
    pub locked_qc: QuorumCertificate,
    /// The last decided leaf.
    pub decided: Leaf,
}

impl SafetyState {
    /// The state of a node that has seen nothing but genesis.
    #[must_use]
    pub fn genesis() -> SafetyState {
        let g = Leaf::genesis();
        SafetyState {
            last_voted_view: View(0),
            locked_qc: g.justify_qc.clone(),
            decided: g,
        }
    }
}

/// Timing and window parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Time in a view before sending a timeout vote, milliseconds.
    pub view_timeout_ms: u64,
    /// Upper bound of the exponential back-off applied after consecutive timeouts, milliseconds.
    pub max_view_timeout_ms: u64,
    /// How many recently decided leaves are kept in memory to answer peers' leaf requests.
    pub decided_window: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            view_timeout_ms: 1_000,
            max_view_timeout_ms: 10_000,
            decided_window: 1_024,
        }
    }
}

impl sq_types::codec::Encode for SafetyState {
    /// Layout: `last_voted_view u64 ‖ locked_qc ‖ decided leaf`.
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.last_voted_view.0.to_be_bytes());
        self.locked_qc.encode_to(out);
        self.decided.encode_to(out);
    }
}

impl sq_types::codec::Decode for SafetyState {
    fn decode_from(
        r: &mut sq_types::codec::Reader<'_>,
    ) -> Result<Self, sq_types::codec::DecodeError> {
        Ok(SafetyState {
            last_voted_view: View(r.u64()?),
            locked_qc: QuorumCertificate::decode_from(r)?,
            decided: Leaf::decode_from(r)?,
        })
    }
}
