//! The L1 commitment follower: posts this node's decided leaves, read back from its
//! decided-block database, with the quorum certificates that certify them to the
//! `HotShotCommitments` contract (DESIGN.md "What the system does", step 4).
//!
//! It reads from storage rather than from the decide channel, so a restart, a slow L1 or a
//! full channel never leaves a gap: each round it re-reads the contract's height `h` and
//! queues the stored leaves `h+1 ..= h+max_run`, and [`CommitmentTask::post_next`] posts the
//! longest consecutive run. Run it on one node per network (any node works; two would race
//! and the loser's simulated call reverts without spending gas).

use std::sync::Arc;
use std::time::Duration;

use alloy::network::EthereumWallet;
use alloy::primitives::Address;
use alloy::providers::ProviderBuilder;
use alloy::signers::local::PrivateKeySigner;
use sq_l1::task::{CommitmentTask, TaskConfig};
use sq_storage::Storage;
use sq_types::Height;

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

/// Builds the signer; fails fast at start-up on a malformed key.
///
/// # Errors
/// A key that is not 32 bytes of hex.
pub fn signer(private_key: &str) -> anyhow::Result<PrivateKeySigner> {
    private_key
        .trim()
        .parse()
        .map_err(|e| anyhow::anyhow!("invalid --l1-private-key: {e}"))
}

/// Runs forever: connects (retrying), then posts stored leaves as they are decided. L1 errors
/// are logged and retried with exponential back-off from 200 ms to 10 s.
///
/// # Errors
/// Only a malformed URL or key; everything else is retried.
pub async fn run(storage: Storage, cfg: L1Config, metrics: Arc<Metrics>) -> anyhow::Result<()> {
    let url: alloy::transports::http::reqwest::Url = cfg
        .rpc_url
        .parse()
        .map_err(|e| anyhow::anyhow!("invalid --l1-url {}: {e}", cfg.rpc_url))?;
    let wallet = EthereumWallet::from(signer(&cfg.private_key)?);
    let provider = ProviderBuilder::new().wallet(wallet).connect_http(url);
    let task_cfg = TaskConfig {
        max_run: cfg.max_run.max(1),
        ..TaskConfig::default()
    };
    let (initial, max_backoff) = (task_cfg.retry_initial_ms, task_cfg.retry_max_ms);
    let max_run = task_cfg.max_run as u64;
    let mut backoff = initial;
    let mut task = loop {
        match CommitmentTask::new(provider.clone(), cfg.commitments, task_cfg.clone()).await {
            Ok(t) => break t,
            Err(e) => {
                tracing::warn!(target: "node::l1", error = %e, retry_ms = backoff, "cannot read the L1 commitments contract yet");
                tokio::time::sleep(Duration::from_millis(backoff)).await;
                backoff = (backoff * 2).min(max_backoff);
            }
        }
    };
    tracing::info!(target: "node::l1", contract = %cfg.commitments, height = task.on_chain_height(), "commitment task started");
    backoff = initial;
    loop {
        let on_chain = task.on_chain_height();
        metrics.l1_certified_height.set(on_chain as i64);
        let queued = queue_stored(&storage, &mut task, on_chain, max_run).await;
        let outcome = match queued {
            Ok(()) => task.post_next().await.map_err(anyhow::Error::from),
            Err(e) => Err(e),
        };
        match outcome {
            Ok(0) => {
                backoff = initial;
                tokio::time::sleep(Duration::from_millis(cfg.poll_ms)).await;
            }
            Ok(n) => {
                backoff = initial;
                metrics.l1_posted_headers.inc_by(n as u64);
                metrics
                    .l1_certified_height
                    .set(task.on_chain_height() as i64);
            }
            Err(e) => {
                tracing::warn!(target: "node::l1", error = %e, retry_ms = backoff, "posting to L1 failed");
                tokio::time::sleep(Duration::from_millis(backoff)).await;
                backoff = (backoff * 2).min(max_backoff);
            }
        }
    }
}

/// Queues the stored leaves above `on_chain`, at most `max_run`, stopping at the first height
/// not stored (a gap that catch-up has not filled yet).
async fn queue_stored<P: alloy::providers::Provider + Clone>(
    storage: &Storage,
    task: &mut CommitmentTask<P>,
    on_chain: u64,
    max_run: u64,
) -> anyhow::Result<()> {
    let stored = storage.latest_height().await?.map_or(0, |h| h.0);
    for h in (on_chain + 1)..=stored.min(on_chain + max_run) {
        match storage.leaf(Height(h)).await? {
            Some((leaf, qc)) => task.push(leaf, qc),
            None => break,
        }
    }
    Ok(())
}
