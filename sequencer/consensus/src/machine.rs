//! The [`Consensus`] struct: construction, the `apply` entry point, persistence gating, view
//! changes and message dispatch. The protocol rules live in `replica.rs` (voting), `leader.rs`
//! (proposing and forming certificates), `certs.rs` (verification) and `decide.rs` (the 2-chain
//! commit rule).

use crate::certs::Accumulator;
use crate::io::{Config, Input, Output, PersistRecord, SafetyState};
use crate::message::{Message, Timeout};
use sq_types::{
    Commitment, Crypto, Leaf, NodeIndex, QuorumCertificate, StakeTable, TimeoutCertificate, View,
};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// Votes and timeouts further than this many views ahead of the current view are dropped, so
/// that a Byzantine signer cannot grow the accumulators without bound.
pub(crate) const FUTURE_VIEWS: u64 = 1_000;

/// What a restarted node reads back from its storage.
#[derive(Clone, Debug)]
pub struct Restored {
    /// The last persisted safety state.
    pub safety: SafetyState,
    /// Leaves from persisted proposals that were not yet decided.
    pub leaves: Vec<Leaf>,
}

impl Restored {
    /// A node that has never run.
    #[must_use]
    pub fn genesis() -> Restored {
        Restored {
            safety: SafetyState::genesis(),
            leaves: Vec::new(),
        }
    }
}

fn restored_table_leader(table: &StakeTable, leaf: &Leaf) -> NodeIndex {
    table.leader(leaf.header.view)
}

/// Where a message goes once the records it depends on are durable.
#[derive(Debug)]
pub(crate) enum Delivery {
    /// To everyone, this node included.
    All(Message),
    /// To one node (possibly this one).
    To(NodeIndex, Message),
}

/// One node's consensus state machine. See the crate docs for the protocol and its deviations.
///
/// It is deterministic: the same inputs in the same order give the same outputs.
pub struct Consensus<C: Crypto> {
    pub(crate) cfg: Config,
    pub(crate) crypto: C,
    pub(crate) table: StakeTable,
    pub(crate) me: NodeIndex,
    pub(crate) genesis: Commitment,
    pub(crate) view: View,
    pub(crate) safety: SafetyState,
    pub(crate) high_tc: Option<TimeoutCertificate>,
    /// Known, validated leaves above the decided height.
    pub(crate) leaves: BTreeMap<Commitment, Leaf>,
    /// Recently decided leaves, for answering peers' leaf requests.
    pub(crate) decided_cache: BTreeMap<Commitment, Leaf>,
    pub(crate) decided_order: VecDeque<Commitment>,
    /// The first valid proposal seen in each recent view.
    pub(crate) proposals_seen: BTreeMap<View, Commitment>,
    /// The highest view this node asked to build a block for.
    pub(crate) build_requested: View,
    /// The highest view this node proposed in.
    pub(crate) proposed: View,
    pub(crate) votes: BTreeMap<(View, Commitment), Accumulator>,
    pub(crate) vote_seen: BTreeSet<(View, NodeIndex)>,
    pub(crate) timeouts: BTreeMap<View, Accumulator>,
    pub(crate) timeout_high_qc: BTreeMap<View, QuorumCertificate>,
    pub(crate) my_timeout: Option<Timeout>,
    pub(crate) verified: BTreeSet<Commitment>,
    pub(crate) fetching: BTreeSet<Commitment>,
    pub(crate) pending_decide: Option<QuorumCertificate>,
    pub(crate) backoff: u32,
    pub(crate) seq: u64,
    pub(crate) acked: u64,
    pub(crate) held: VecDeque<(u64, Delivery)>,
    pub(crate) out: Vec<Output>,
    pub(crate) local: VecDeque<Message>,
}

impl<C: Crypto> Consensus<C> {
    /// A node with index `me` in `table`, resuming from `restored`. Feed [`Input::Start`] next.
    #[must_use]
    pub fn new(
        cfg: Config,
        crypto: C,
        table: StakeTable,
        me: NodeIndex,
        restored: Restored,
    ) -> Self {
        let genesis = Leaf::genesis().commit();
        let decided_height = restored.safety.decided.header.height;
        // A leader persists its proposal before sending it, so after a restart every view it may
        // have proposed in is either <= its last voted view or the view of a restored leaf that it
        // leads: it must not build a second, different proposal there.
        let me_leads = |l: &Leaf| restored_table_leader(&table, l) == me;
        let proposed_before = restored
            .leaves
            .iter()
            .filter(|l| me_leads(l))
            .map(|l| l.header.view)
            .max()
            .unwrap_or(View(0))
            .max(restored.safety.last_voted_view);
        let leaves = restored
            .leaves
            .into_iter()
            .filter(|l| l.header.height > decided_height)
            .map(|l| (l.commit(), l))
            .collect();
        let mut node = Consensus {
            cfg,
            crypto,
            table,
            me,
            genesis,
            view: View(0),
            high_tc: None,
            leaves,
            decided_cache: BTreeMap::new(),
            decided_order: VecDeque::new(),
            proposals_seen: BTreeMap::new(),
            build_requested: proposed_before,
            proposed: proposed_before,
            votes: BTreeMap::new(),
            vote_seen: BTreeSet::new(),
            timeouts: BTreeMap::new(),
            timeout_high_qc: BTreeMap::new(),
            my_timeout: None,
            verified: BTreeSet::new(),
            fetching: BTreeSet::new(),
            pending_decide: None,
            backoff: 0,
            seq: 0,
            acked: 0,
            held: VecDeque::new(),
            out: Vec::new(),
            local: VecDeque::new(),
            safety: restored.safety,
        };
        let decided = node.safety.decided.clone();
        node.remember_decided(decided);
        node
    }

    /// Feeds one input and returns what the host must do, in order.
    pub fn apply(&mut self, input: Input) -> Vec<Output> {
        match input {
            Input::Start => {
                let start = self
                    .safety
                    .last_voted_view
                    .max(self.safety.locked_qc.view.next());
                self.enter_view(start);
            }
            Input::Message { from, message } => self.on_message(from, message),
            Input::TimerFired { view } => self.on_timer(view),
            Input::Persisted { seq } => self.on_persisted(seq),
            Input::BlockBuilt {
                view,
                payload,
                ns_table,
                timestamp_ms,
                l1_head,
            } => {
                self.on_block_built(view, payload, ns_table, timestamp_ms, l1_head);
            }
        }
        while let Some(message) = self.local.pop_front() {
            self.on_message(self.me, message);
        }
        std::mem::take(&mut self.out)
    }

    /// The current view.
    #[must_use]
    pub fn view(&self) -> View {
        self.view
    }

    /// The safety state as it stands (not necessarily persisted yet).
    #[must_use]
    pub fn safety(&self) -> &SafetyState {
        &self.safety
    }

    /// The latest timeout certificate seen.
    #[must_use]
    pub fn high_tc(&self) -> Option<&TimeoutCertificate> {
        self.high_tc.as_ref()
    }

    /// A known leaf (undecided, or recently decided) by commitment.
    #[must_use]
    pub fn leaf(&self, commit: &Commitment) -> Option<&Leaf> {
        self.leaves
            .get(commit)
            .or_else(|| self.decided_cache.get(commit))
    }

    /// This node's index.
    #[must_use]
    pub fn index(&self) -> NodeIndex {
        self.me
    }

    /// The stake table.
    #[must_use]
    pub fn table(&self) -> &StakeTable {
        &self.table
    }

    fn on_message(&mut self, from: NodeIndex, message: Message) {
        match message {
            Message::Proposal(p) => self.on_proposal(p),
            Message::Vote(v) => self.on_vote(v),
            Message::Timeout(t) => self.on_timeout_vote(t),
            Message::LeafRequest(c) => {
                if from != self.me {
                    if let Some(leaf) = self.leaf(&c).cloned() {
                        self.out.push(Output::Send {
                            to: from,
                            message: Message::LeafResponse(leaf),
                        });
                    }
                }
            }
            Message::LeafResponse(leaf) => self.on_leaf_response(leaf),
        }
    }

    /// Moves to view `view` if it is ahead: arms the timer and, as leader, asks for a block.
    pub(crate) fn enter_view(&mut self, view: View) {
        if view <= self.view {
            return;
        }
        self.view = view;
        self.my_timeout = None;
        let keep_from = View(view.0.saturating_sub(1));
        self.votes.retain(|(v, _), _| *v >= keep_from);
        self.vote_seen.retain(|(v, _)| *v >= keep_from);
        self.timeouts.retain(|v, _| *v >= keep_from);
        self.timeout_high_qc.retain(|v, _| *v >= keep_from);
        self.proposals_seen.retain(|v, _| *v >= keep_from);
        if self.verified.len() > 4_096 {
            self.verified.clear();
        }
        self.out.push(Output::ViewChanged(view));
        let after_ms = self
            .cfg
            .view_timeout_ms
            .saturating_mul(1u64 << self.backoff.min(16))
            .min(self.cfg.max_view_timeout_ms.max(self.cfg.view_timeout_ms));
        self.out.push(Output::SetTimer { view, after_ms });
        self.try_propose();
    }

    /// Emits `record` for persistence and returns its sequence number.
    pub(crate) fn persist(&mut self, record: PersistRecord) -> u64 {
        self.seq += 1;
        self.out.push(Output::Persist {
            seq: self.seq,
            record,
        });
        self.seq
    }

    /// Persists the current safety state and returns its sequence number.
    pub(crate) fn persist_safety(&mut self) -> u64 {
        self.persist(PersistRecord::Safety(self.safety.clone()))
    }

    /// Sends `delivery` once record `seq` is durable.
    pub(crate) fn send_after(&mut self, seq: u64, delivery: Delivery) {
        if seq <= self.acked && self.held.is_empty() {
            self.deliver(delivery);
        } else {
            self.held.push_back((seq, delivery));
        }
    }

    fn deliver(&mut self, delivery: Delivery) {
        match delivery {
            Delivery::All(message) => {
                self.out.push(Output::Broadcast(message.clone()));
                self.local.push_back(message);
            }
            Delivery::To(to, message) if to == self.me => self.local.push_back(message),
            Delivery::To(to, message) => self.out.push(Output::Send { to, message }),
        }
    }

    fn on_persisted(&mut self, seq: u64) {
        self.acked = self.acked.max(seq.min(self.seq));
        while self.held.front().is_some_and(|(s, _)| *s <= self.acked) {
            if let Some((_, delivery)) = self.held.pop_front() {
                self.deliver(delivery);
            }
        }
    }

    /// Records a decided leaf in the bounded window used to answer leaf requests.
    pub(crate) fn remember_decided(&mut self, leaf: Leaf) {
        let commit = leaf.commit();
        if self.decided_cache.insert(commit, leaf).is_none() {
            self.decided_order.push_back(commit);
        }
        while self.decided_order.len() > self.cfg.decided_window.max(1) {
            if let Some(old) = self.decided_order.pop_front() {
                self.decided_cache.remove(&old);
            }
        }
    }
}
