//! The mempool: a bounded FIFO of submitted transactions, with duplicate detection, that the
//! leader drains into blocks. Pure: no I/O, no clock.

use sq_types::codec::limits;
use sq_types::{Commitment, NamespaceId, Transaction, View};
use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use thiserror::Error;

/// Limits of a mempool.
#[derive(Clone, Debug)]
pub struct MempoolConfig {
    /// Most transactions waiting.
    pub max_transactions: usize,
    /// Most bytes of payload waiting.
    pub max_bytes: usize,
    /// Largest single transaction payload, bytes.
    pub max_transaction_bytes: usize,
    /// Largest block payload the leader builds, bytes.
    pub max_block_bytes: usize,
    /// Views after which a transaction put in a block that was not decided is queued again.
    pub requeue_after_views: u64,
    /// The namespaces this sequencer accepts submissions for; `None` accepts any namespace.
    /// Only [`Mempool::submit`] checks it (transactions seen in other leaders' proposals are
    /// tracked whatever their namespace).
    pub allowed_namespaces: Option<BTreeSet<NamespaceId>>,
}

impl Default for MempoolConfig {
    fn default() -> Self {
        MempoolConfig {
            max_transactions: 100_000,
            max_bytes: 256 * 1024 * 1024,
            max_transaction_bytes: limits::MAX_TRANSACTION_BYTES,
            max_block_bytes: 4 * 1024 * 1024,
            requeue_after_views: 10,
            allowed_namespaces: None,
        }
    }
}

/// Why a transaction was refused. Each has a stable code for the API.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum SubmitError {
    /// The payload is larger than the per-transaction limit.
    #[error("transaction payload of {len} bytes exceeds the limit of {max} bytes")]
    TooLarge {
        /// Its size.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The same transaction is already waiting or in a recent block.
    #[error("duplicate transaction {0}")]
    Duplicate(Commitment),
    /// The namespace is not in [`MempoolConfig::allowed_namespaces`].
    #[error("namespace {0} is not served by this sequencer")]
    UnknownNamespace(NamespaceId),
    /// The mempool is at its transaction or byte limit.
    #[error("mempool full; retry later")]
    Full,
}

impl SubmitError {
    /// Stable machine-readable code.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            SubmitError::TooLarge { .. } => "transaction_too_large",
            SubmitError::Duplicate(_) => "duplicate_transaction",
            SubmitError::UnknownNamespace(_) => "unknown_namespace",
            SubmitError::Full => "mempool_full",
        }
    }
}

/// The mempool. See the module docs.
#[derive(Debug)]
pub struct Mempool {
    cfg: MempoolConfig,
    queue: VecDeque<(Commitment, Transaction)>,
    known: HashSet<Commitment>,
    in_flight: HashMap<Commitment, (Transaction, View)>,
    bytes: usize,
}

impl Mempool {
    /// An empty mempool.
    #[must_use]
    pub fn new(cfg: MempoolConfig) -> Mempool {
        Mempool {
            cfg,
            queue: VecDeque::new(),
            known: HashSet::new(),
            in_flight: HashMap::new(),
            bytes: 0,
        }
    }

    /// Transactions waiting to be put in a block.
    #[must_use]
    pub fn len(&self) -> usize {
        self.queue.len()
    }

    /// True when nothing is waiting.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// Queues a transaction and returns its commitment.
    ///
    /// # Errors
    /// [`SubmitError`] for an oversized submission, one in a namespace outside
    /// [`MempoolConfig::allowed_namespaces`], a duplicate, or one that would overflow the
    /// mempool (checked in that order); nothing is queued.
    pub fn submit(&mut self, tx: Transaction) -> Result<Commitment, SubmitError> {
        if tx.payload.len() > self.cfg.max_transaction_bytes {
            return Err(SubmitError::TooLarge {
                len: tx.payload.len(),
                max: self.cfg.max_transaction_bytes,
            });
        }
        if let Some(allowed) = &self.cfg.allowed_namespaces {
            if !allowed.contains(&tx.namespace) {
                return Err(SubmitError::UnknownNamespace(tx.namespace));
            }
        }
        let commit = tx.commit();
        if self.known.contains(&commit) {
            return Err(SubmitError::Duplicate(commit));
        }
        if self.queue.len() >= self.cfg.max_transactions
            || self.bytes + tx.payload.len() > self.cfg.max_bytes
        {
            return Err(SubmitError::Full);
        }
        self.bytes += tx.payload.len();
        self.known.insert(commit);
        self.queue.push_back((commit, tx));
        Ok(commit)
    }

    /// Takes transactions, oldest first, up to the block size limit (counting the 4-byte length
    /// prefix of each), for a block proposed in `view`.
    pub fn take_block(&mut self, view: View) -> Vec<Transaction> {
        let mut out = Vec::new();
        let mut size = 0usize;
        while let Some((_, tx)) = self.queue.front() {
            let need = tx.payload.len() + 4;
            if size + need > self.cfg.max_block_bytes {
                break;
            }
            size += need;
            if let Some((commit, tx)) = self.queue.pop_front() {
                self.bytes -= tx.payload.len();
                self.in_flight.insert(commit, (tx.clone(), view));
                out.push(tx);
            }
        }
        out
    }

    /// Marks transactions seen in a proposal for `view` (from any leader) as in flight: they
    /// leave the queue and come back only if that block is not decided in time.
    pub fn proposed(&mut self, view: View, commits: &[Commitment]) {
        let set: HashSet<&Commitment> = commits.iter().collect();
        let mut moved = Vec::new();
        self.queue.retain(|(c, tx)| {
            let hit = set.contains(c);
            if hit {
                moved.push((*c, tx.clone()));
            }
            !hit
        });
        for (c, tx) in moved {
            self.bytes -= tx.payload.len();
            self.in_flight.insert(c, (tx, view));
        }
        self.known.extend(commits.iter().copied());
    }

    /// Forgets transactions that were decided, wherever they wait (they stay known, so a
    /// resubmission is a duplicate until [`Mempool::forget_decided`] trims them).
    pub fn decided(&mut self, commits: &[Commitment]) {
        let set: HashSet<&Commitment> = commits.iter().collect();
        let before = self.queue.len();
        let mut freed = 0;
        self.queue.retain(|(c, tx)| {
            let hit = set.contains(c);
            if hit {
                freed += tx.payload.len();
            }
            !hit
        });
        if self.queue.len() != before {
            self.bytes -= freed;
        }
        for c in commits {
            self.in_flight.remove(c);
            self.known.insert(*c);
        }
    }

    /// Re-queues in-flight transactions whose block was proposed more than
    /// `requeue_after_views` before `view` and never decided.
    pub fn requeue_stale(&mut self, view: View) {
        let horizon = view.0.saturating_sub(self.cfg.requeue_after_views);
        let stale: Vec<Commitment> = self
            .in_flight
            .iter()
            .filter(|(_, (_, v))| v.0 < horizon)
            .map(|(c, _)| *c)
            .collect();
        for c in stale {
            if let Some((tx, _)) = self.in_flight.remove(&c) {
                self.bytes += tx.payload.len();
                self.queue.push_back((c, tx));
            }
        }
    }

    /// Bounds the duplicate-detection set: keeps only what is waiting or in flight plus the
    /// `keep` most recent decided commitments (given by the caller in decide order).
    pub fn forget_decided(&mut self, recent: &[Commitment]) {
        let mut keep: HashSet<Commitment> = self.queue.iter().map(|(c, _)| *c).collect();
        keep.extend(self.in_flight.keys().copied());
        keep.extend(recent.iter().copied());
        self.known.retain(|c| keep.contains(c));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tx(i: u8, len: usize) -> Transaction {
        let mut payload = vec![i; len];
        payload.push(i);
        Transaction {
            namespace: NamespaceId(1),
            payload,
        }
    }

    fn small() -> Mempool {
        Mempool::new(MempoolConfig {
            max_transactions: 3,
            max_bytes: 100,
            max_transaction_bytes: 50,
            max_block_bytes: 30,
            requeue_after_views: 2,
            allowed_namespaces: None,
        })
    }

    #[test]
    fn rejects_oversized_duplicate_and_overflow_with_codes() {
        let mut m = small();
        let big = tx(0, 60);
        assert_eq!(
            m.submit(big).map_err(|e| e.code()),
            Err("transaction_too_large")
        );
        let a = m.submit(tx(1, 10)).expect("fits");
        assert_eq!(m.submit(tx(1, 10)), Err(SubmitError::Duplicate(a)));
        m.submit(tx(2, 10)).expect("fits");
        m.submit(tx(3, 10)).expect("fits");
        assert_eq!(
            m.submit(tx(4, 10)).map_err(|e| e.code()),
            Err("mempool_full")
        );
        assert_eq!(m.len(), 3);
    }

    #[test]
    fn blocks_respect_the_size_limit_and_stale_blocks_are_requeued() {
        let mut m = small();
        for i in 1..=3 {
            m.submit(tx(i, 10)).expect("fits");
        }
        let block = m.take_block(View(5));
        assert_eq!(block.len(), 2, "two 11-byte txs + prefixes fit in 30 bytes");
        assert_eq!(m.len(), 1);
        m.requeue_stale(View(7));
        assert_eq!(m.len(), 1, "not stale yet");
        m.requeue_stale(View(8));
        assert_eq!(m.len(), 3, "the undecided block's transactions are back");
        let block = m.take_block(View(9));
        m.decided(&block.iter().map(Transaction::commit).collect::<Vec<_>>());
        m.requeue_stale(View(100));
        assert_eq!(m.len(), 1, "decided transactions are not requeued");
        assert!(matches!(
            m.submit(block[0].clone()),
            Err(SubmitError::Duplicate(_))
        ));
        // Another leader's block: the waiting transaction leaves the queue, and is dropped
        // for good once decided.
        let waiting = m.queue.front().expect("one waiting").0;
        m.proposed(View(101), &[waiting]);
        assert_eq!(m.len(), 0);
        m.decided(&[waiting]);
        m.requeue_stale(View(200));
        assert!(m.is_empty());
    }

    #[test]
    fn namespaces_outside_the_allow_list_are_refused_with_their_code() {
        let mut m = Mempool::new(MempoolConfig {
            allowed_namespaces: Some([NamespaceId(1), NamespaceId(3)].into()),
            ..MempoolConfig::default()
        });
        m.submit(tx(1, 10)).expect("namespace 1 is allowed");
        let other = Transaction {
            namespace: NamespaceId(2),
            payload: b"x".to_vec(),
        };
        let err = m.submit(other).expect_err("namespace 2 is not allowed");
        assert_eq!(err, SubmitError::UnknownNamespace(NamespaceId(2)));
        assert_eq!(err.code(), "unknown_namespace");
        assert_eq!(m.len(), 1, "nothing queued for the refused namespace");
        // Size is checked first, so an oversized transaction reports its size either way.
        let big = Transaction {
            namespace: NamespaceId(2),
            payload: vec![0; limits::MAX_TRANSACTION_BYTES + 1],
        };
        assert_eq!(
            m.submit(big).map_err(|e| e.code()),
            Err("transaction_too_large")
        );
    }

    #[test]
    fn too_large_message_names_the_limit() {
        let mut m = small();
        let err = m.submit(tx(0, 60)).expect_err("too large");
        assert_eq!(
            err.to_string(),
            "transaction payload of 61 bytes exceeds the limit of 50 bytes"
        );
    }
}
