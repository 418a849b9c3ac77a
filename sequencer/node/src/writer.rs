//! The storage writer: decided leaves from the consensus actor go to the database
//! (`sq-storage`) in decide order, each with its QC and, when this node holds it, the payload,
//! its transactions and this node's VID share.
//!
//! Failure policy: a retryable error (dead or busy database) is retried with exponential
//! back-off (100 ms doubling to 5 s) until it succeeds, so nothing is dropped while the database
//! is down; the actor's channel then fills and further leaves are dropped with a warning, which
//! catch-up refills from peers once the database is back (`catchup`). A non-retryable error (a
//! conflicting leaf, an invalid block) is logged and the block skipped.

use crate::store::HeldProposal;
use backon::{ExponentialBuilder, Retryable};
use sq_storage::{DecidedBlock, Storage, StorageError};
use sq_types::codec::Encode;
use sq_types::{payload, Leaf, QuorumCertificate, Transaction};
use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// One decided leaf for the writer.
#[derive(Clone, Debug)]
pub struct DecidedRecord {
    /// The leaf.
    pub leaf: Leaf,
    /// The QC that certifies it.
    pub qc: QuorumCertificate,
    /// The proposal this node held for it (payload and own VID share), if any.
    pub held: Option<HeldProposal>,
    /// `held`'s transactions in payload order, decoded once by whoever decoded the payload
    /// (the consensus actor when it persisted the proposal); empty without a payload or when
    /// the payload does not decode against the header's namespace table.
    pub transactions: Vec<Transaction>,
}

impl DecidedRecord {
    /// A record for a payload fetched from elsewhere (catch-up): decodes its transactions with
    /// the header's namespace table; an undecodable payload is stored without transactions.
    #[must_use]
    pub fn decode(leaf: Leaf, qc: QuorumCertificate, held: HeldProposal) -> DecidedRecord {
        let transactions =
            payload::all_transactions(&held.payload, &leaf.header.ns_table).unwrap_or_default();
        DecidedRecord {
            leaf,
            qc,
            held: Some(held),
            transactions,
        }
    }
}

/// Converts a decided record to the storage row set (moving, not copying, its bytes).
#[must_use]
pub fn to_block(r: DecidedRecord) -> DecidedBlock {
    let (payload, vid_common, vid_share) = match r.held {
        Some(h) => (
            Some(h.payload),
            Some(h.common.encode()),
            Some(h.share.encode()),
        ),
        None => (None, None, None),
    };
    DecidedBlock {
        leaf: r.leaf,
        qc: r.qc,
        payload,
        vid_common,
        vid_share,
        transactions: r.transactions,
    }
}

/// Raises the published stored height to `height`; it never goes down (the writer and
/// catch-up store out of order).
pub fn raise_stored(stored: &watch::Sender<u64>, height: u64) {
    stored.send_if_modified(|h| {
        let raise = height > *h;
        if raise {
            *h = height;
        }
        raise
    });
}

/// Stores `block`, retrying retryable errors with exponential back-off (100 ms doubling to
/// 5 s, no limit on attempts) until it succeeds.
///
/// # Errors
/// The first non-retryable [`StorageError`].
pub async fn store_with_retry(storage: &Storage, block: &DecidedBlock) -> Result<(), StorageError> {
    let height = block.leaf.header.height.0;
    (|| storage.insert_decided(block))
        .retry(
            ExponentialBuilder::default()
                .with_min_delay(Duration::from_millis(100))
                .with_max_delay(Duration::from_secs(5))
                .without_max_times(),
        )
        .when(StorageError::is_retryable)
        .notify(|e, delay| {
            tracing::warn!(target: "node::storage", height, error = %e, retry_ms = delay.as_millis() as u64, "database unavailable; retrying");
        })
        .await
}

/// Runs the writer until the actor's sender is dropped. `stored` is raised to each stored
/// height (it never goes down); with `prune_keep = Some(k)` the database keeps the payloads,
/// shares and transactions of the last `k` blocks only (checked every 100 blocks).
pub async fn run(
    storage: Storage,
    mut rx: mpsc::Receiver<DecidedRecord>,
    stored: watch::Sender<u64>,
    prune_keep: Option<u64>,
) {
    let mut since_prune = 0u64;
    while let Some(record) = rx.recv().await {
        let height = record.leaf.header.height.0;
        let block = to_block(record);
        match store_with_retry(&storage, &block).await {
            Ok(()) => {
                raise_stored(&stored, height);
            }
            Err(e) => {
                tracing::error!(target: "node::storage", height, error = %e, "decided block not stored");
            }
        }
        since_prune += 1;
        if let Some(keep) = prune_keep {
            if since_prune >= 100 {
                since_prune = 0;
                match storage.prune(keep).await {
                    Ok(rows) => {
                        tracing::debug!(target: "node::storage", rows, keep, "pruned");
                    }
                    Err(e) => {
                        tracing::warn!(target: "node::storage", error = %e, "pruning failed");
                    }
                }
            }
        }
    }
}
