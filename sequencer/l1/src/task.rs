//! The commitment task: posts decided leaves with their QCs to `HotShotCommitments` in runs of
//! consecutive heights.
//!
//! Contract with the host:
//! * hand [`follow`] a [`DecidedSource`] (the node's decided-block store): each round reads the
//!   contract's height `h` and queues the stored leaves from `h + 1`, so a restart, a slow L1
//!   or a busy host never leaves a gap and no height is posted twice;
//! * or drive a [`CommitmentTask`] by hand: [`CommitmentTask::push`] decided `(leaf, qc)`
//!   pairs in any order, duplicates allowed (leaves at or below the contract's height are
//!   dropped), then [`CommitmentTask::post_next`];
//! * L1 errors are retried with exponential back-off; a revert also re-reads the contract's
//!   height before the next attempt.

use crate::convert::{header_to_abi, qc_to_abi};
use crate::L1Error;
use alloy::primitives::Address;
use alloy::providers::Provider;
use backon::BackoffBuilder;
use sq_bindings::hot_shot_commitments::HotShotCommitments::{self, HotShotCommitmentsInstance};
use sq_types::{Leaf, QuorumCertificate};
use std::collections::BTreeMap;
use std::convert::Infallible;
use std::future::Future;
use std::time::Duration;

/// Tuning of the commitment task.
#[derive(Clone, Debug)]
pub struct TaskConfig {
    /// Most headers in one `newBlocks` transaction.
    pub max_run: usize,
    /// First retry delay after an error, milliseconds.
    pub retry_initial_ms: u64,
    /// Largest retry delay, milliseconds.
    pub retry_max_ms: u64,
    /// Gas limit per header of a `newBlocks` transaction (plus 100,000 per transaction). Set
    /// explicitly so that sending skips `eth_estimateGas`, whose binary search re-executes
    /// every BLS check about 20 times; `newBlocks` costs about 215,000 gas per header at 4–10
    /// signers and 274,000 at 100 (contracts/README.md), and unused gas is not paid for.
    pub gas_per_header: u64,
}

impl Default for TaskConfig {
    fn default() -> Self {
        TaskConfig {
            max_run: 20,
            retry_initial_ms: 200,
            retry_max_ms: 10_000,
            gas_per_header: 320_000,
        }
    }
}

/// The longest run of consecutive heights starting right after `on_chain`, at most `max` long.
/// Pure: the I/O loop posts what this returns.
#[must_use]
pub fn next_run(
    pending: &BTreeMap<u64, (Leaf, QuorumCertificate)>,
    on_chain: u64,
    max: usize,
) -> Vec<(Leaf, QuorumCertificate)> {
    let mut run = Vec::new();
    let mut want = on_chain + 1;
    while run.len() < max {
        match pending.get(&want) {
            Some(item) => run.push(item.clone()),
            None => break,
        }
        want += 1;
    }
    run
}

/// Posts decided leaves to the commitments contract. See the module docs.
pub struct CommitmentTask<P: Provider + Clone> {
    contract: HotShotCommitmentsInstance<P>,
    cfg: TaskConfig,
    pending: BTreeMap<u64, (Leaf, QuorumCertificate)>,
    on_chain: u64,
}

impl<P: Provider + Clone> CommitmentTask<P> {
    /// A task for the contract at `address`, starting from its current height.
    ///
    /// # Errors
    /// [`L1Error`] if the height cannot be read.
    pub async fn new(provider: P, address: Address, cfg: TaskConfig) -> Result<Self, L1Error> {
        let contract = HotShotCommitments::new(address, provider);
        let on_chain = contract.latestHeight().call().await?;
        Ok(CommitmentTask {
            contract,
            cfg,
            pending: BTreeMap::new(),
            on_chain,
        })
    }

    /// The contract's height as last read.
    #[must_use]
    pub fn on_chain_height(&self) -> u64 {
        self.on_chain
    }

    /// Queues a decided leaf and the QC that certifies it.
    pub fn push(&mut self, leaf: Leaf, qc: QuorumCertificate) {
        let h = leaf.header.height.0;
        if h > self.on_chain {
            self.pending.insert(h, (leaf, qc));
        }
    }

    /// Leaves queued but not yet on L1.
    #[must_use]
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// Re-reads the contract's height, then posts the next run of consecutive heights, if any.
    /// Returns how many headers were certified on L1.
    ///
    /// # Errors
    /// [`L1Error`] from the calls; the queue is kept, so a later call retries.
    pub async fn post_next(&mut self) -> Result<usize, L1Error> {
        self.on_chain = self.contract.latestHeight().call().await?;
        let on_chain = self.on_chain;
        self.pending.retain(|&h, _| h > on_chain);
        let run = next_run(&self.pending, self.on_chain, self.cfg.max_run);
        if run.is_empty() {
            return Ok(0);
        }
        let headers = run.iter().map(|(l, _)| header_to_abi(&l.header)).collect();
        let qcs = run
            .iter()
            .map(|(_, qc)| qc_to_abi(qc))
            .collect::<Result<Vec<_>, _>>()?;
        let gas = 100_000 + self.cfg.gas_per_header.saturating_mul(run.len() as u64);
        let call = self.contract.newBlocks(headers, qcs).gas(gas);
        // Simulate first: a revert (bad QC, gap, replay) is reported without sending a
        // transaction, so no nonce is spent on it.
        call.call().await?;
        let receipt = call.send().await?.get_receipt().await?;
        if !receipt.status() {
            return Err(L1Error::Reverted(receipt.transaction_hash.to_string()));
        }
        let (first, count) = (self.on_chain + 1, run.len());
        self.on_chain += count as u64;
        let on_chain = self.on_chain;
        self.pending.retain(|&h, _| h > on_chain);
        tracing::info!(target: "l1::commitments", first, count, "certified blocks on L1");
        Ok(count)
    }
}

/// Where [`follow`] reads decided leaves: the host's decided-block store (the node's
/// database), so that a restart, a slow L1 or a busy host never leaves a gap.
pub trait DecidedSource {
    /// Why a read failed; it is logged and the read retried with back-off.
    type Error: std::fmt::Display;

    /// The decided leaves at consecutive heights `from, from+1, …`, each with the QC that
    /// certifies it, at most `max`, ascending; fewer (or none) when the store has nothing more
    /// yet or a gap follows.
    fn decided_from(
        &self,
        from: u64,
        max: usize,
    ) -> impl Future<Output = Result<Vec<(Leaf, QuorumCertificate)>, Self::Error>> + Send;
}

/// What one round of [`follow`] achieved, handed to the host (for its metrics).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// The contract's height after the round.
    pub on_chain: u64,
    /// Headers certified on L1 in this round (0 when there was nothing to post).
    pub posted: usize,
}

/// The one retry schedule of the task: exponential from `retry_initial_ms` to
/// `retry_max_ms`, doubling, without a limit on attempts.
fn backoff(cfg: &TaskConfig) -> backon::ExponentialBackoff {
    backon::ExponentialBuilder::default()
        .with_min_delay(Duration::from_millis(cfg.retry_initial_ms))
        .with_max_delay(Duration::from_millis(cfg.retry_max_ms))
        .with_factor(2.0)
        .without_max_times()
        .build()
}

/// Follows `source` forever: reads the contract's height (retrying until the contract
/// answers), then each round queues the stored leaves above it and posts the next run,
/// reporting every successful round to `observe`. Sleeps `poll` when nothing was posted; every
/// L1 or source error is logged and retried with the [`TaskConfig`] back-off, which a
/// successful round resets.
pub async fn follow<P, S>(
    provider: P,
    address: Address,
    cfg: TaskConfig,
    source: S,
    poll: Duration,
    mut observe: impl FnMut(Progress),
) -> Infallible
where
    P: Provider + Clone,
    S: DecidedSource,
{
    let mut delays = backoff(&cfg);
    let mut task = loop {
        match CommitmentTask::new(provider.clone(), address, cfg.clone()).await {
            Ok(task) => break task,
            Err(e) => {
                let error = e.to_string();
                retry_after(
                    &mut delays,
                    &cfg,
                    "cannot read the commitments contract",
                    error,
                )
                .await;
            }
        }
    };
    tracing::info!(target: "l1::commitments", contract = %address, height = task.on_chain, "commitment task started");
    delays = backoff(&cfg);
    loop {
        match task.follow_round(&source).await {
            Ok(posted) => {
                delays = backoff(&cfg);
                observe(Progress {
                    on_chain: task.on_chain,
                    posted,
                });
                if posted == 0 {
                    tokio::time::sleep(poll).await;
                }
            }
            Err(error) => retry_after(&mut delays, &cfg, "posting to L1 failed", error).await,
        }
    }
}

/// Logs `error` and sleeps for the next back-off delay.
async fn retry_after(
    delays: &mut backon::ExponentialBackoff,
    cfg: &TaskConfig,
    what: &str,
    error: String,
) {
    let delay = delays
        .next()
        .unwrap_or(Duration::from_millis(cfg.retry_max_ms));
    tracing::warn!(target: "l1::commitments", %error, retry_ms = delay.as_millis() as u64, "{what}");
    tokio::time::sleep(delay).await;
}

impl<P: Provider + Clone> CommitmentTask<P> {
    /// One round of [`follow`]: queues what `source` holds above the contract's height, then
    /// posts the next run. Returns how many headers were certified.
    async fn follow_round<S: DecidedSource>(&mut self, source: &S) -> Result<usize, String> {
        let stored = source
            .decided_from(self.on_chain + 1, self.cfg.max_run)
            .await
            .map_err(|e| format!("reading decided leaves: {e}"))?;
        for (leaf, qc) in stored {
            self.push(leaf, qc);
        }
        self.post_next().await.map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sq_types::{Height, QuorumCertificate};

    fn item(h: u64) -> (u64, (Leaf, QuorumCertificate)) {
        let mut leaf = Leaf::genesis();
        leaf.header.height = Height(h);
        let qc = leaf.justify_qc.clone();
        (h, (leaf, qc))
    }

    #[test]
    fn next_run_takes_consecutive_heights_after_the_chain() {
        let pending: BTreeMap<_, _> = [2, 3, 4, 6].into_iter().map(item).collect();
        let heights = |run: Vec<(Leaf, QuorumCertificate)>| {
            run.iter()
                .map(|(l, _)| l.header.height.0)
                .collect::<Vec<_>>()
        };
        assert_eq!(heights(next_run(&pending, 1, 10)), vec![2, 3, 4]);
        assert_eq!(heights(next_run(&pending, 1, 2)), vec![2, 3]);
        assert_eq!(heights(next_run(&pending, 4, 10)), Vec::<u64>::new());
        assert_eq!(heights(next_run(&pending, 5, 10)), vec![6]);
        assert!(
            next_run(&pending, 0, 10).is_empty(),
            "height 1 missing: nothing to post"
        );
    }
}
