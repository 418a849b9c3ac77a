//! The running rollup: the executed chain in memory, the database, the pending pool, and the
//! submission path used by `eth_sendRawTransaction`. The follower loop is in [`crate::follow`].

use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::histogram::Histogram;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use crate::db::RollupDb;
use alloy::primitives::{Address, B256};
use sq_prover_circuits::account::Account;
use tracing::info;

use crate::chain::{BlockInput, Chain};
use crate::config::RollupConfig;
use crate::execute::fee_of;
use crate::follow::BlockSource;
use crate::records::{BlockRecord, ReceiptRecord};
use crate::sequencer::{Sequencer, SequencerError};
use crate::store::{self, StoreError};
use crate::tx::{decode, SignedTransfer, TxError};

/// A transaction accepted by the JSON-RPC and not yet executed.
#[derive(Clone, Debug)]
pub struct PendingTx {
    /// The decoded transfer.
    pub tx: SignedTransfer,
    /// `value + fee` at the base fee, wei.
    pub cost: u128,
}

/// Why `eth_sendRawTransaction` refused a transaction. Messages are for a wallet user.
#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    /// It does not decode or breaks a static rule.
    #[error(transparent)]
    Tx(#[from] TxError),
    /// Already executed or pending.
    #[error("already known")]
    AlreadyKnown,
    /// Nonce below the next usable one.
    #[error("nonce too low: next nonce {next}, transaction nonce {got}")]
    NonceTooLow {
        /// The next usable nonce.
        next: u64,
        /// The transaction's.
        got: u64,
    },
    /// Nonce above the next usable one (a gap).
    #[error("nonce too high: next nonce {next}, transaction nonce {got}")]
    NonceTooHigh {
        /// The next usable nonce.
        next: u64,
        /// The transaction's.
        got: u64,
    },
    /// Not enough balance for this and the sender's pending transactions.
    #[error("insufficient funds for gas * price + value: balance {available}, cost {cost}")]
    InsufficientFunds {
        /// Balance minus pending costs, wei.
        available: u128,
        /// This transaction's value + fee, wei.
        cost: u128,
    },
    /// The sequencer refused it or is down.
    #[error("the sequencer did not take the transaction: {0}")]
    Node(#[from] SequencerError),
}

/// Upper bounds of the `rollup_lag_blocks` histogram buckets, blocks.
pub const LAG_BUCKETS: [f64; 7] = [0.0, 1.0, 2.0, 4.0, 8.0, 16.0, 64.0];

/// Counters for `/metrics` (`prometheus-client` counters, rendered by [`crate::metrics`] as
/// `rollup_<name>_total`) and the demo's status line.
#[derive(Debug)]
pub struct RollupMetrics {
    /// Transfers executed successfully.
    pub transfers: Counter,
    /// Transactions with a failed receipt.
    pub failed: Counter,
    /// Namespace payloads that did not decode.
    pub rejected: Counter,
    /// Batches sealed.
    pub batches_sealed: Counter,
    /// Batches whose proof was verified.
    pub batches_proven: Counter,
    /// Proofs refused at submission.
    pub proofs_rejected: Counter,
    /// Blocks the node served that did not verify (never executed).
    pub blocks_refused: Counter,
    /// After each executed block: how many decided blocks the source knew of beyond it.
    pub lag_blocks: Histogram,
}

impl Default for RollupMetrics {
    fn default() -> Self {
        RollupMetrics {
            transfers: Counter::default(),
            failed: Counter::default(),
            rejected: Counter::default(),
            batches_sealed: Counter::default(),
            batches_proven: Counter::default(),
            proofs_rejected: Counter::default(),
            blocks_refused: Counter::default(),
            lag_blocks: Histogram::new(LAG_BUCKETS),
        }
    }
}

struct Inner {
    config: RollupConfig,
    db: RollupDb,
    chain: RwLock<Chain>,
    pending: Mutex<HashMap<B256, PendingTx>>,
    sequencer: Sequencer,
    metrics: RollupMetrics,
}

/// A cheap-to-clone handle on the running rollup.
#[derive(Clone)]
pub struct Rollup {
    inner: Arc<Inner>,
}

/// An account as the JSON-RPC reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AccountView {
    /// Balance after the last executed block, wei.
    pub balance: u128,
    /// Nonce after the last executed block.
    pub nonce: u64,
    /// Nonce after the sender's pending transactions.
    pub pending_nonce: u64,
}

impl Rollup {
    /// Loads (or creates from genesis) the chain in `db`, the rollup's own database;
    /// accepted transactions go to `sequencer`.
    ///
    /// # Errors
    /// [`StoreError`] when the database cannot be read or holds a state that does not hash
    /// to its last root.
    pub async fn open(
        db: RollupDb,
        config: RollupConfig,
        sequencer: Sequencer,
    ) -> Result<Rollup, StoreError> {
        let chain = store::load_chain(&db, &config).await?;
        info!(
            target: "rollup",
            height = chain.height,
            accounts = chain.state.len(),
            root = %chain.state.root(),
            next_batch = chain.next_batch,
            "rollup state loaded"
        );
        Ok(Rollup {
            inner: Arc::new(Inner {
                config,
                db,
                chain: RwLock::new(chain),
                pending: Mutex::new(HashMap::new()),
                sequencer,
                metrics: RollupMetrics::default(),
            }),
        })
    }

    fn chain(&self) -> std::sync::RwLockReadGuard<'_, Chain> {
        self.inner
            .chain
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn pending(&self) -> std::sync::MutexGuard<'_, HashMap<B256, PendingTx>> {
        self.inner
            .pending
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The configuration.
    pub fn config(&self) -> &RollupConfig {
        &self.inner.config
    }

    /// The database.
    pub fn db(&self) -> &RollupDb {
        &self.inner.db
    }

    /// The counters.
    pub fn metrics(&self) -> &RollupMetrics {
        &self.inner.metrics
    }

    /// The last executed height (= `eth_blockNumber`).
    pub fn block_number(&self) -> u64 {
        self.chain().height
    }

    /// The current state root.
    pub fn state_root(&self) -> sq_prover_circuits::hash::Digest {
        self.chain().state.root()
    }

    /// The account view of `address` (zeros for an unknown address).
    pub fn account(&self, address: &Address) -> AccountView {
        let (balance, nonce) = self
            .chain()
            .state
            .account(address)
            .map_or((0, 0), |a| (a.balance, a.nonce));
        let pending_nonce = self
            .pending()
            .values()
            .filter(|p| p.tx.from == *address)
            .map(|p| p.tx.nonce + 1)
            .max()
            .unwrap_or(0)
            .max(nonce);
        AccountView {
            balance,
            nonce,
            pending_nonce,
        }
    }

    /// Every account (leaf order).
    pub fn accounts(&self) -> Vec<Account> {
        self.chain().state.accounts().to_vec()
    }

    /// A pending transaction.
    pub fn pending_tx(&self, hash: &B256) -> Option<PendingTx> {
        self.pending().get(hash).cloned()
    }

    /// Number of pending transactions.
    pub fn pending_len(&self) -> usize {
        self.pending().len()
    }

    /// The block at `number`.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn block(&self, number: u64) -> Result<Option<BlockRecord>, StoreError> {
        store::block(&self.inner.db, number).await
    }

    /// The receipt of `hash`.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn receipt(&self, hash: &B256) -> Result<Option<ReceiptRecord>, StoreError> {
        store::receipt(&self.inner.db, hash).await
    }

    /// Validates `raw` (chain id, signature, fee, nonce, funds, replay) and submits it to the
    /// sequencer under the rollup's namespace. Returns the transaction hash.
    ///
    /// # Errors
    /// [`SubmitError`], in that order of checks.
    pub async fn submit(&self, raw: &[u8]) -> Result<B256, SubmitError> {
        let cfg = &self.inner.config.genesis;
        let tx = decode(raw, cfg.chain_id)?;
        let (_, fee) = fee_of(&tx, cfg.base_fee).map_err(|e| match e {
            crate::execute::ExecError::Fee(t) => SubmitError::Tx(t),
            _ => SubmitError::Tx(TxError::ValueTooLarge),
        })?;
        let cost = tx
            .value
            .checked_add(fee)
            .ok_or(SubmitError::Tx(TxError::ValueTooLarge))?;
        if self.pending().contains_key(&tx.hash)
            || self.receipt(&tx.hash).await.ok().flatten().is_some()
        {
            return Err(SubmitError::AlreadyKnown);
        }
        {
            let view = self.account(&tx.from);
            if tx.nonce < view.pending_nonce {
                return Err(SubmitError::NonceTooLow {
                    next: view.pending_nonce,
                    got: tx.nonce,
                });
            }
            if tx.nonce > view.pending_nonce {
                return Err(SubmitError::NonceTooHigh {
                    next: view.pending_nonce,
                    got: tx.nonce,
                });
            }
            let reserved: u128 = self
                .pending()
                .values()
                .filter(|p| p.tx.from == tx.from)
                .map(|p| p.cost)
                .fold(0u128, u128::saturating_add);
            let available = view.balance.saturating_sub(reserved);
            if available < cost {
                return Err(SubmitError::InsufficientFunds { available, cost });
            }
        }
        self.inner.sequencer.submit(cfg.namespace, raw).await?;
        let hash = tx.hash;
        self.pending().insert(hash, PendingTx { tx, cost });
        Ok(hash)
    }

    /// Executes and stores one block; returns the stored block.
    ///
    /// # Errors
    /// [`StoreError`]; the in-memory chain is unchanged on error.
    pub async fn apply(&self, input: &BlockInput) -> Result<BlockRecord, StoreError> {
        let mut next = self.chain().clone();
        let out = next.apply(input);
        store::save_block(&self.inner.db, &out).await?;
        *self
            .inner
            .chain
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = next;
        let m = &self.inner.metrics;
        let ok = out.receipts.iter().filter(|r| r.success).count() as u64;
        m.transfers.inc_by(ok);
        m.failed.inc_by(out.receipts.len() as u64 - ok);
        m.rejected.inc_by(out.rejected.len() as u64);
        if let Some(b) = &out.sealed {
            m.batches_sealed.inc();
            info!(target: "rollup", batch = b.number, first = b.first_height, last = b.last_height,
                transfers = b.transfers, root = %b.root_after, "batch sealed");
        }
        {
            let chain = self.chain();
            let mut pending = self.pending();
            for r in &out.receipts {
                pending.remove(&r.hash);
            }
            pending.retain(|_, p| {
                chain.state.account(&p.tx.from).map_or(0, |a| a.nonce) <= p.tx.nonce
            });
        }
        Ok(out.block)
    }

    /// Records the lag behind the source's tip after executing a block.
    pub(crate) fn observe_lag(&self, blocks: u64) {
        self.inner.metrics.lag_blocks.observe(blocks as f64);
    }
}

/// Binds the JSON-RPC on `rpc_addr` and the proof-data-handler API plus `/metrics` on
/// `pdh_addr`, then follows `source` until the process ends.
///
/// # Errors
/// When an address cannot be bound or a server fails.
pub async fn serve(
    rollup: Rollup,
    rpc_addr: std::net::SocketAddr,
    pdh_addr: std::net::SocketAddr,
    source: impl BlockSource,
) -> anyhow::Result<()> {
    bind(rollup, rpc_addr, pdh_addr, source).await?.await
}

/// Binds both listeners (so that a taken port is reported at once) and returns the future
/// that runs the servers and the follower of `source`; see [`serve`].
///
/// # Errors
/// When an address cannot be bound.
pub async fn bind(
    rollup: Rollup,
    rpc_addr: std::net::SocketAddr,
    pdh_addr: std::net::SocketAddr,
    source: impl BlockSource,
) -> anyhow::Result<impl std::future::Future<Output = anyhow::Result<()>>> {
    use anyhow::Context;
    use std::future::IntoFuture;
    let rpc = tokio::net::TcpListener::bind(rpc_addr)
        .await
        .with_context(|| format!("binding the rollup JSON-RPC on {rpc_addr}"))?;
    let pdh = tokio::net::TcpListener::bind(pdh_addr)
        .await
        .with_context(|| format!("binding the proof-data-handler API on {pdh_addr}"))?;
    info!(target: "rollup", rpc = %rpc.local_addr()?, pdh = %pdh.local_addr()?,
        chain_id = rollup.config().genesis.chain_id, namespace = rollup.config().genesis.namespace,
        "rollup serving (signatures are checked by this executor, not inside the proofs)");
    let rpc_server = crate::rpc::serve(rollup.clone(), rpc.into_std()?)
        .context("starting the rollup JSON-RPC")?;
    let pdh_app = crate::pdh::router(rollup.clone()).merge(crate::metrics::router(rollup.clone()));
    Ok(async move {
        tokio::spawn(rollup.follow(source));
        tokio::select! {
            () = rpc_server => anyhow::bail!("the rollup JSON-RPC stopped"),
            served = axum::serve(pdh, pdh_app).into_future() => served?,
        }
        Ok(())
    })
}
