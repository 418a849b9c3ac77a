//! Following the sequencer: where decided blocks come from ([`BlockSource`]) and the loop that
//! executes them in height order ([`crate::Rollup::follow`]).
//!
//! Two sources exist. Inside a node, the node itself implements [`BlockSource`] over its
//! storage, woken by its stored-height channel after each block is written (no HTTP, no
//! polling). The standalone `rollup` binary uses [`LeafStream`]: the node's SSE leaf stream,
//! resumed with `Last-Event-ID`, and a namespace proof checked for every block
//! ([`verify`]).

mod leaf_stream;
pub mod verify;

use std::future::Future;
use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBuilder};
use tracing::{error, warn};

use crate::chain::BlockInput;
use crate::service::Rollup;

pub use leaf_stream::LeafStream;

/// Why a source has no block to give now.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// Not available yet (the node lacks its payload, the node is unreachable, the stream
    /// broke): asking again later may succeed.
    #[error("block {height} is not available yet: {reason}")]
    Unavailable {
        /// The height asked for.
        height: u64,
        /// Why.
        reason: String,
    },
    /// The node served the block but it does not check out; it is not executed.
    #[error("block {height} refused: {refusal}")]
    Refused {
        /// The height asked for.
        height: u64,
        /// Which check failed.
        refusal: verify::Refusal,
    },
}

/// Decided sequencer blocks, asked for in height order.
pub trait BlockSource: Send + 'static {
    /// The decided block at `height` with the rollup namespace's transactions, waiting while
    /// the node has not decided it. Callers ask for `height`s in increasing order without
    /// gaps; after an error they ask for the same height again.
    ///
    /// # Errors
    /// [`SourceError`].
    fn block(
        &mut self,
        height: u64,
    ) -> impl Future<Output = Result<BlockInput, SourceError>> + Send;

    /// The highest height this source knows to be decided, when it knows it (for the lag
    /// metric).
    fn tip(&self) -> Option<u64>;
}

/// Back-off between failed attempts at one height: 100 ms doubling to 5 s.
fn backoff() -> impl Iterator<Item = Duration> {
    ExponentialBuilder::default()
        .with_min_delay(Duration::from_millis(100))
        .with_max_delay(Duration::from_secs(5))
        .without_max_times()
        .build()
}

impl Rollup {
    /// Executes the blocks of `source` from the next unexecuted height, forever. A source
    /// error or a database failure leaves the height unexecuted and is retried with
    /// back-off; a refused block is counted (`rollup_blocks_refused_total`) and never
    /// executed. After each block the lag behind [`BlockSource::tip`] is observed
    /// (`rollup_lag_blocks`).
    pub async fn follow(self, mut source: impl BlockSource) {
        let mut delays = backoff();
        loop {
            let height = self.block_number() + 1;
            match source.block(height).await {
                Ok(input) => match self.apply(&input).await {
                    Ok(_) => {
                        if let Some(tip) = source.tip() {
                            self.observe_lag(tip.saturating_sub(height));
                        }
                        delays = backoff();
                        continue;
                    }
                    Err(e) => {
                        warn!(target: "rollup", height, error = %e, "storing the block failed; retrying");
                    }
                },
                Err(e @ SourceError::Refused { .. }) => {
                    self.metrics().blocks_refused.inc();
                    error!(target: "rollup", error = %e, "the node served a block that does not verify; not executing it");
                }
                Err(e @ SourceError::Unavailable { .. }) => {
                    warn!(target: "rollup", error = %e, "waiting for the next block");
                }
            }
            let delay = delays.next().unwrap_or(Duration::from_secs(5));
            tokio::time::sleep(delay).await;
        }
    }
}
