//! The L1 commitment follower: posts this node's decided leaves, read back from its
//! decided-block database, with the quorum certificates that certify them to the
//! `HotShotCommitments` contract (DESIGN.md "What the system does", step 4).
//!
//! The loop is [`sq_l1::task::follow`]; this module gives it the node's database as its
//! [`DecidedSource`] and the node's metrics as its observer. Reading from storage rather than
//! from the decide path means a restart, a slow L1 or a busy node never leaves a gap. Run it
//! on one node per network (any node works; two would race and the loser's simulated call
//! reverts without spending gas).

use std::sync::Arc;
use std::time::Duration;

use alloy::network::EthereumWallet;
use alloy::primitives::Address;
use alloy::providers::ProviderBuilder;
use sq_l1::task::{follow, DecidedSource, Progress, TaskConfig};
use sq_storage::{Storage, StorageError};
use sq_types::{Height, Leaf, QuorumCertificate};

use crate::metrics::Metrics;

/// Where and as whom to post.
#[derive(Clone, Debug)]
pub struct L1Config {
    /// The L1 JSON-RPC endpoint, e.g. `http://127.0.0.1:8545`.
    pub rpc_url: String,
    /// The `HotShotCommitments` contract.
    pub commitments: Address,
    /// The poster's Ethereum private key (hex, 32 bytes); it pays the gas.
    pub private_key: String,
    /// Wait between rounds when nothing new is stored, milliseconds.
    pub poll_ms: u64,
    /// Most headers per `newBlocks` transaction.
    pub max_run: usize,
}

/// The node's decided-block database as the follower's source.
struct StoredLeaves(Storage);

impl DecidedSource for StoredLeaves {
    type Error = StorageError;

    /// The stored leaves from `from`, stopping at the first height not stored (a gap that
    /// catch-up has not filled yet).
    async fn decided_from(
        &self,
        from: u64,
        max: usize,
    ) -> Result<Vec<(Leaf, QuorumCertificate)>, StorageError> {
        let stored = self.0.latest_height().await?.map_or(0, |h| h.0);
        let mut leaves = Vec::new();
        for h in from..=stored.min(from.saturating_add(max as u64).saturating_sub(1)) {
            match self.0.leaf(Height(h)).await? {
                Some(item) => leaves.push(item),
                None => break,
            }
        }
        Ok(leaves)
    }
}

/// Checks the URL and key, then spawns the follower, which runs for the life of the process:
/// it connects (retrying), then posts stored leaves as they are decided; L1 errors are logged
/// and retried with exponential back-off from 200 ms to 10 s.
///
/// # Errors
/// Only a malformed URL or key, at once; everything later is retried.
pub fn spawn(storage: Storage, cfg: L1Config, metrics: Arc<Metrics>) -> anyhow::Result<()> {
    let url: alloy::transports::http::reqwest::Url = cfg
        .rpc_url
        .parse()
        .map_err(|e| anyhow::anyhow!("invalid --l1-url {}: {e}", cfg.rpc_url))?;
    let signer = sq_l1::parse_private_key(&cfg.private_key)
        .map_err(|e| anyhow::anyhow!("--l1-private-key: {e}"))?;
    let provider = ProviderBuilder::new()
        .wallet(EthereumWallet::from(signer))
        .connect_http(url);
    let task_cfg = TaskConfig {
        max_run: cfg.max_run.max(1),
        ..TaskConfig::default()
    };
    let observe = move |p: Progress| {
        metrics.l1_certified_height.set(p.on_chain as i64);
        metrics.l1_posted_headers.inc_by(p.posted as u64);
    };
    tokio::spawn(follow(
        provider,
        cfg.commitments,
        task_cfg,
        StoredLeaves(storage),
        Duration::from_millis(cfg.poll_ms),
        observe,
    ));
    Ok(())
}
