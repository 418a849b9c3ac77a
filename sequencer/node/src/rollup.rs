//! The example rollup inside this node: it reads decided blocks from this node's storage as
//! soon as the writer has stored them ([`StoredBlocks`], woken by the stored-height channel),
//! and its accepted transactions enter this node's mempool directly. No HTTP between the two.

use std::path::Path;
use std::sync::{Arc, Mutex};

use sq_api::mempool::Mempool;
use sq_rollup::chain::BlockInput;
use sq_rollup::follow::{BlockSource, SourceError};
use sq_rollup::sequencer::Sequencer;
use sq_rollup::{Rollup, RollupArgs};
use sq_storage::Storage;
use sq_types::{payload, Height, NamespaceId};
use tokio::sync::watch;

/// This node's decided blocks, for its in-process rollup.
pub struct StoredBlocks {
    storage: Storage,
    stored: watch::Receiver<u64>,
    namespace: NamespaceId,
}

impl StoredBlocks {
    /// Blocks of `namespace` from `storage`; `stored` is the writer's stored-height channel
    /// (raised only after a block is durably stored).
    #[must_use]
    pub fn new(storage: Storage, stored: watch::Receiver<u64>, namespace: u64) -> StoredBlocks {
        StoredBlocks {
            storage,
            stored,
            namespace: NamespaceId(namespace),
        }
    }
}

impl BlockSource for StoredBlocks {
    /// Waits until the stored height reaches `height`, then reads its leaf and payload.
    /// A height stored without its payload (catch-up has not fetched it yet) or not stored
    /// at all (catch-up stores out of order) is [`SourceError::Unavailable`].
    async fn block(&mut self, height: u64) -> Result<BlockInput, SourceError> {
        let unavailable = |reason: String| SourceError::Unavailable { height, reason };
        while *self.stored.borrow_and_update() < height {
            if self.stored.changed().await.is_err() {
                return Err(unavailable("the node is stopping".into()));
            }
        }
        let read = |e: sq_storage::StorageError| unavailable(format!("reading storage: {e}"));
        let (leaf, _) = self
            .storage
            .leaf(Height(height))
            .await
            .map_err(read)?
            .ok_or_else(|| unavailable("not stored yet".into()))?;
        let payload = self
            .storage
            .payload(Height(height))
            .await
            .map_err(read)?
            .ok_or_else(|| unavailable("its payload is not stored yet".into()))?;
        // The payload was checked against the header before it was stored; a namespace
        // range that does not split is executed as no transactions, as every node does.
        let transactions =
            payload::namespace_transactions(&payload, &leaf.header.ns_table, self.namespace)
                .map(|txs| txs.into_iter().map(|t| t.payload).collect())
                .unwrap_or_default();
        Ok(BlockInput {
            height,
            timestamp_ms: leaf.header.timestamp_ms,
            transactions,
        })
    }

    fn tip(&self) -> Option<u64> {
        Some(*self.stored.borrow())
    }
}

/// Starts the rollup described by `args` in this process: its own database (default
/// `data_dir/rollup.sqlite`), blocks from `storage` as `stored` rises, submissions into
/// `mempool`. Returns once both listeners are bound; the rollup then runs in a task.
///
/// # Errors
/// A missing or invalid genesis, a database that cannot be opened, a port that cannot be
/// bound.
pub async fn start(
    args: &RollupArgs,
    data_dir: &Path,
    storage: Storage,
    stored: watch::Receiver<u64>,
    mempool: Arc<Mutex<Mempool>>,
) -> anyhow::Result<()> {
    let config = args.config()?;
    let db = args.open_database(data_dir).await?;
    let source = StoredBlocks::new(storage, stored, config.genesis.namespace);
    let rollup = Rollup::open(db, config, Sequencer::Mempool(mempool)).await?;
    let running =
        sq_rollup::service::bind(rollup, args.rollup_rpc_addr, args.rollup_pdh_addr, source)
            .await?;
    tokio::spawn(async move {
        if let Err(e) = running.await {
            tracing::error!(target: "rollup", error = %e, "the rollup stopped");
        }
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use sq_testing::chain::decided_chain;
    use sq_types::Transaction;
    use std::time::Duration;

    const NS: u64 = 42;

    fn txs(h: u64) -> Vec<Transaction> {
        [(NS, "a"), (7, "b"), (NS, "c")]
            .iter()
            .map(|(ns, p)| Transaction {
                namespace: NamespaceId(*ns),
                payload: format!("{p}{h}").into_bytes(),
            })
            .collect()
    }

    #[tokio::test]
    async fn blocks_come_from_storage_once_the_stored_height_reaches_them() {
        let dir = tempfile::tempdir().expect("dir");
        let storage = Storage::open_sqlite_dir(dir.path()).await.expect("storage");
        let mut blocks = decided_chain(5, 4, txs);
        blocks[4].payload = None; // a leaf stored without its payload
        blocks[4].transactions.clear();
        for b in &blocks {
            storage.insert_decided(b).await.expect("stores");
        }
        let (stored, rx) = watch::channel(2);
        let mut source = StoredBlocks::new(storage, rx, NS);
        assert_eq!(source.tip(), Some(2));

        let one = source.block(1).await.expect("stored");
        assert_eq!(one.height, 1);
        assert_eq!(one.timestamp_ms, blocks[1].leaf.header.timestamp_ms);
        assert_eq!(one.transactions, vec![b"a1".to_vec(), b"c1".to_vec()]);
        source.block(2).await.expect("stored");

        // Block 3 is in storage, but the writer has not published it: the source waits on
        // the channel instead of reading ahead.
        let early = tokio::time::timeout(Duration::from_millis(200), source.block(3)).await;
        assert!(
            early.is_err(),
            "block 3 given before its height was published"
        );
        stored.send_replace(4);
        let three = source.block(3).await.expect("published");
        assert_eq!(three.transactions, vec![b"a3".to_vec(), b"c3".to_vec()]);
        assert_eq!(source.tip(), Some(4));

        let four = source.block(4).await;
        assert!(
            matches!(four, Err(SourceError::Unavailable { height: 4, .. })),
            "{four:?}"
        );
        drop(stored);
        let gone = source.block(5).await;
        assert!(
            matches!(gone, Err(SourceError::Unavailable { height: 5, .. })),
            "{gone:?}"
        );
    }
}
