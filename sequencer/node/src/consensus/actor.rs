//! The actor loop. Inputs: network messages, timer firings, fsync acknowledgements. Outputs are
//! carried out in order; a vote leaves only after the records it depends on are durable, which
//! the state machine enforces through `Persist`/`Persisted`.

mod rejoin;

use super::{DecidedBlock, Handles, NodeStatus};
use crate::metrics::Metrics;
use crate::store::{HeldProposal, SafetyStore};
use sq_api::mempool::Mempool;
use sq_consensus::{Config, Consensus, Input, Message, Output, PersistRecord};
use sq_network::{Network, Recipient, Topic};
use sq_types::codec::Encode;
use sq_types::payload;
use sq_types::{BlsCrypto, Commitment, Leaf, QuorumCertificate, Transaction, View};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::sync::{mpsc, watch};

/// A proposal this node persisted, with its transactions decoded and hashed once, when it is
/// held: the mempool, the decide path and the storage writer all use these.
struct Held {
    proposal: HeldProposal,
    /// `None`: the payload does not decode against the header's namespace table.
    transactions: Option<Vec<Transaction>>,
    /// The transactions' commitments (hashes), in order; empty when they do not decode.
    commits: Vec<Commitment>,
}

impl Held {
    fn new(proposal: HeldProposal) -> Held {
        let transactions =
            payload::all_transactions(&proposal.payload, &proposal.leaf.header.ns_table).ok();
        let commits = transactions
            .iter()
            .flatten()
            .map(Transaction::commit)
            .collect();
        Held {
            proposal,
            transactions,
            commits,
        }
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// The consensus actor of one node. Build with [`ConsensusActor::new`], then `run`.
pub struct ConsensusActor<N: Network> {
    machine: Consensus<BlsCrypto>,
    net: N,
    mempool: Arc<Mutex<Mempool>>,
    metrics: Arc<Metrics>,
    status: watch::Sender<NodeStatus>,
    store_tx: Option<mpsc::Sender<crate::writer::DecidedRecord>>,
    storage: Option<sq_storage::Storage>,
    /// What rebuilding the state machine after a long catch-up needs.
    cfg: Config,
    crypto: BlsCrypto,
    /// The host's sequence number of the last record sent to the fsync thread, and the one the
    /// current state machine's sequence numbers start after (they restart at 1 when the machine
    /// is rebuilt; stale acknowledgements of the old machine's records are dropped).
    host_seq: u64,
    seq_base: u64,
    rejoin_tx: mpsc::UnboundedSender<(Leaf, QuorumCertificate)>,
    rejoin_rx: mpsc::UnboundedReceiver<(Leaf, QuorumCertificate)>,
    rejoin_pending: bool,
    persist_tx: std::sync::mpsc::Sender<(u64, PersistRecord)>,
    persisted_rx: mpsc::UnboundedReceiver<u64>,
    timer_tx: mpsc::UnboundedSender<View>,
    timer_rx: mpsc::UnboundedReceiver<View>,
    /// Proposals this node persisted and that are not decided yet, by leaf commitment.
    payloads: HashMap<Commitment, Held>,
    recent: VecDeque<Commitment>,
    /// Decided transactions since the mempool's duplicate set was last trimmed.
    decided_since_trim: usize,
    view_started: Instant,
}

impl<N: Network> ConsensusActor<N> {
    /// Wires the actor. `store` is moved to a dedicated thread that fsyncs records in order and
    /// acknowledges them; `payloads` are the restored undecided proposals.
    #[must_use]
    pub fn new(
        cfg: Config,
        crypto: BlsCrypto,
        machine: Consensus<BlsCrypto>,
        net: N,
        store: SafetyStore,
        payloads: Vec<HeldProposal>,
        handles: Handles,
    ) -> Self {
        let Handles {
            mempool,
            metrics,
            status,
            store_tx,
            storage,
        } = handles;
        let (persist_tx, persist_rx) = std::sync::mpsc::channel::<(u64, PersistRecord)>();
        let (acked_tx, persisted_rx) = mpsc::unbounded_channel();
        std::thread::Builder::new()
            .name("fsync".into())
            .spawn(move || {
                for (seq, record) in persist_rx {
                    match store.persist(&record) {
                        Ok(()) => {
                            if acked_tx.send(seq).is_err() {
                                return;
                            }
                        }
                        Err(e) => {
                            // Without durable safety state this node must not vote again:
                            // stop acknowledging, which holds every later vote back.
                            tracing::error!(target: "node::store", error = %e, "persisting consensus state failed; this node stops voting");
                            return;
                        }
                    }
                }
            })
            .ok();
        let (timer_tx, timer_rx) = mpsc::unbounded_channel();
        let (rejoin_tx, rejoin_rx) = mpsc::unbounded_channel();
        let payloads = payloads
            .into_iter()
            .map(|h| (h.leaf.commit(), Held::new(h)))
            .collect();
        ConsensusActor {
            machine,
            net,
            mempool,
            metrics,
            status,
            store_tx,
            storage,
            cfg,
            crypto,
            host_seq: 0,
            seq_base: 0,
            rejoin_tx,
            rejoin_rx,
            rejoin_pending: false,
            persist_tx,
            persisted_rx,
            timer_tx,
            timer_rx,
            payloads,
            recent: VecDeque::new(),
            decided_since_trim: 0,
            view_started: Instant::now(),
        }
    }

    /// Runs until the network shuts down.
    ///
    /// # Errors
    /// When the network closes for good.
    pub async fn run(mut self) -> anyhow::Result<()> {
        self.apply(Input::Start);
        loop {
            tokio::select! {
                inbound = self.net.recv() => {
                    let Some(inbound) = inbound else { anyhow::bail!("network closed") };
                    match Message::from_wire(&inbound.bytes) {
                        Ok(message) => self.apply(Input::Message { from: inbound.from, message }),
                        Err(e) => {
                            self.metrics.malformed_messages.inc();
                            tracing::debug!(target: "node::consensus", from = %inbound.from, error = %e, "dropped malformed message");
                        }
                    }
                }
                Some(view) = self.timer_rx.recv() => self.apply(Input::TimerFired { view }),
                Some(seq) = self.persisted_rx.recv() => {
                    // Acknowledgements of a replaced machine's records are stale.
                    if seq > self.seq_base {
                        self.apply(Input::Persisted { seq: seq - self.seq_base });
                    }
                }
                Some((leaf, qc)) = self.rejoin_rx.recv() => self.rejoin(leaf, qc),
            }
        }
    }

    fn apply(&mut self, input: Input) {
        let mut work = VecDeque::from([input]);
        while let Some(input) = work.pop_front() {
            for out in self.machine.apply(input) {
                if let Some(next) = self.carry_out(out) {
                    work.push_back(next);
                }
            }
        }
        let height = self.machine.safety().decided.header.height.0;
        self.status.send_modify(|s| {
            s.view = self.machine.view().0;
            s.height = height;
        });
    }

    fn send(&self, to: Recipient, message: &Message) {
        if let Err(e) = self.net.send(to, message.encode()) {
            self.metrics.send_drops.inc();
            tracing::debug!(target: "node::consensus", error = %e, kind = message.kind(), "message dropped");
        }
    }

    /// Carries out one output; a built block comes back as the next input.
    fn carry_out(&mut self, out: Output) -> Option<Input> {
        match out {
            Output::Broadcast(m) => self.send(Recipient::Broadcast(Topic::Global), &m),
            Output::Send { to, message } => self.send(Recipient::Direct(to), &message),
            Output::SetTimer { view, after_ms } => {
                let tx = self.timer_tx.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_millis(after_ms)).await;
                    tx.send(view).ok();
                });
            }
            Output::Persist { seq, record } => {
                if let PersistRecord::Proposal {
                    leaf,
                    payload,
                    common,
                    share,
                } = &record
                {
                    let held = Held::new(HeldProposal {
                        leaf: leaf.clone(),
                        payload: payload.clone(),
                        common: *common,
                        share: share.clone(),
                    });
                    // Another leader's block holds these: don't propose them again while it
                    // may still be decided.
                    if held.transactions.is_some() {
                        self.lock_mempool()
                            .proposed(leaf.header.view, &held.commits);
                    }
                    self.payloads.insert(leaf.commit(), held);
                }
                self.host_seq = self.seq_base + seq;
                if self.persist_tx.send((self.host_seq, record)).is_err() {
                    tracing::error!(target: "node::store", "fsync thread stopped; votes stay held");
                }
            }
            Output::BuildBlock { view, .. } => {
                let txs = self.lock_mempool().take_block(view);
                let (payload, ns_table) = match payload::build(&txs) {
                    Ok(built) => built,
                    Err(e) => {
                        tracing::error!(target: "node::consensus", error = %e, "block did not fit; proposing an empty one");
                        (Vec::new(), sq_types::NsTable::default())
                    }
                };
                return Some(Input::BlockBuilt {
                    view,
                    payload,
                    ns_table,
                    timestamp_ms: now_ms(),
                    l1_head: 0,
                });
            }
            Output::Decided(chain) => self.on_decided(chain),
            Output::ViewChanged(view) => {
                self.metrics.view.set(view.0 as i64);
                self.metrics
                    .view_duration
                    .observe(self.view_started.elapsed().as_secs_f64());
                self.view_started = Instant::now();
                let mut pool = self.lock_mempool();
                pool.requeue_stale(view);
                self.metrics.mempool_size.set(pool.len() as i64);
            }
            Output::ProposalRejected { view, reason } => {
                self.metrics.proposals_rejected.inc();
                self.status.send_modify(|s| s.proposals_rejected += 1);
                tracing::debug!(target: "node::consensus", view = view.0, ?reason, "proposal rejected");
            }
            Output::CatchUpNeeded { height, leaf } => self.await_catch_up(height, leaf),
            Output::Conflict { height } => {
                tracing::error!(target: "node::consensus", height = height.0, "certified chain conflicts with a decided leaf: more than a third of the stake is Byzantine");
            }
        }
        None
    }

    fn lock_mempool(&self) -> std::sync::MutexGuard<'_, Mempool> {
        // A poisoned lock means a panic elsewhere already; the data is still consistent.
        self.mempool
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn on_decided(&mut self, chain: Vec<(Leaf, QuorumCertificate)>) {
        let now = now_ms();
        for (leaf, qc) in chain {
            let commit = leaf.commit();
            // Decided: the writer takes the held proposal from here on.
            let held = self.payloads.remove(&commit);
            if let Some(h) = &held {
                self.metrics
                    .decided_payload_bytes
                    .inc_by(h.proposal.payload.len() as u64);
            }
            let txs = held.as_ref().and_then(|h| h.transactions.as_ref());
            let block = DecidedBlock {
                height: leaf.header.height,
                view: leaf.header.view,
                leaf: commit,
                transactions: txs.map(Vec::len),
            };
            if let Some(h) = held.as_ref().filter(|h| h.transactions.is_some()) {
                self.lock_mempool().decided(&h.commits);
                self.decided_since_trim += h.commits.len();
                self.metrics
                    .decided_transactions
                    .inc_by(h.commits.len() as u64);
                self.recent.extend(h.commits.iter().copied());
            }
            self.metrics.decided_blocks.inc();
            self.metrics.height.set(block.height.0 as i64);
            self.metrics
                .decide_latency
                .observe(now.saturating_sub(leaf.header.timestamp_ms) as f64 / 1000.0);
            tracing::info!(target: "node::consensus", height = block.height.0, view = block.view.0, leaf = %block.leaf, transactions = ?block.transactions, "decided");
            self.status.send_modify(|s| {
                s.height = block.height.0;
                s.last_leaf = block.leaf.to_string();
                s.last_decide_unix_ms = now;
                s.decided_blocks += 1;
                s.decided_transactions += block.transactions.unwrap_or(0) as u64;
            });
            if let Some(tx) = &self.store_tx {
                let (held, transactions) = match held {
                    Some(h) => (Some(h.proposal), h.transactions.unwrap_or_default()),
                    None => (None, Vec::new()),
                };
                let record = crate::writer::DecidedRecord {
                    leaf,
                    qc,
                    held,
                    transactions,
                };
                if tx.try_send(record).is_err() {
                    tracing::warn!(target: "node::storage", height = block.height.0, "storage writer is behind; catch-up will refill this block");
                }
            }
        }
        let decided = self.machine.safety().decided.header.height.0;
        self.payloads
            .retain(|_, h| h.proposal.leaf.header.height.0 > decided);
        while self.recent.len() > 100_000 {
            self.recent.pop_front();
        }
        let mempool = self.mempool.clone();
        let mut pool = mempool
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Trimming walks the whole duplicate set: do it once per 1024 decided transactions.
        if self.decided_since_trim >= 1024 {
            pool.forget_decided(self.recent.make_contiguous());
            self.decided_since_trim = 0;
        }
        self.metrics.mempool_size.set(pool.len() as i64);
    }
}
