//! [`LeafStream`]: the standalone rollup's [`BlockSource`], a remote node's SSE leaf stream
//! plus one checked namespace request per block.

use std::pin::Pin;

use futures::{Stream, StreamExt};
use sq_api::client::{Client, LeafStreamItem};
use sq_types::Leaf;

use super::verify::{check_leaf, namespace_transactions};
use super::{BlockSource, SourceError};
use crate::chain::BlockInput;

type Leaves = Pin<Box<dyn Stream<Item = LeafStreamItem> + Send>>;

/// Follows a node's `GET /v0/availability/stream/leaves/{from}`.
///
/// The stream is opened at the first height asked for, with `Last-Event-ID` set to the height
/// before it, so that after a broken connection or a node restart it resumes exactly there:
/// no block is skipped (a height the stream jumps over is asked for again on a new
/// connection) and none repeated (a leaf below the height asked for is dropped). For every
/// leaf, the QC must name it and the namespace answer must carry a proof that verifies against
/// its header ([`super::verify`]); otherwise the block is [`SourceError::Refused`].
pub struct LeafStream {
    client: Client,
    namespace: u64,
    leaves: Option<Leaves>,
    /// The last leaf taken from the stream, kept until its block is given out, so that a
    /// retry of the same height does not need the stream again.
    held: Option<Leaf>,
}

impl LeafStream {
    /// A source over `client`'s node for `namespace`. Nothing is opened before the first
    /// [`BlockSource::block`].
    #[must_use]
    pub fn new(client: Client, namespace: u64) -> LeafStream {
        LeafStream {
            client,
            namespace,
            leaves: None,
            held: None,
        }
    }

    /// The certified leaf at `height`, from the held one or the stream.
    async fn leaf(&mut self, height: u64) -> Result<Leaf, SourceError> {
        if let Some(leaf) = self.held.take().filter(|l| l.header.height.0 == height) {
            return Ok(leaf);
        }
        let unavailable = |reason: String| SourceError::Unavailable { height, reason };
        loop {
            let leaves = match &mut self.leaves {
                Some(leaves) => leaves,
                None => {
                    let last = height.checked_sub(1);
                    let opened = self
                        .client
                        .leaf_stream(height, last)
                        .await
                        .map_err(|e| unavailable(format!("opening the leaf stream: {e}")))?;
                    self.leaves.insert(Box::pin(opened))
                }
            };
            let body = match leaves.next().await {
                Some(Ok(body)) => body,
                Some(Err(e)) => {
                    self.leaves = None;
                    return Err(unavailable(format!("the leaf stream failed: {e}")));
                }
                None => {
                    self.leaves = None;
                    return Err(unavailable("the leaf stream ended".into()));
                }
            };
            let got = body.header.height;
            if got < height {
                continue;
            }
            if got > height {
                // The node has no leaf at `height` stored yet: ask again on a new connection.
                self.leaves = None;
                return Err(unavailable(format!("the node's stream went on at {got}")));
            }
            return check_leaf(&body).map_err(|refusal| SourceError::Refused { height, refusal });
        }
    }
}

impl BlockSource for LeafStream {
    async fn block(&mut self, height: u64) -> Result<BlockInput, SourceError> {
        let leaf = self.leaf(height).await?;
        let answer = match self.client.namespace(height, self.namespace).await {
            Ok(Some(answer)) => answer,
            Ok(None) => {
                self.held = Some(leaf);
                return Err(SourceError::Unavailable {
                    height,
                    reason: "the node does not serve its payload yet".into(),
                });
            }
            Err(e) => {
                self.held = Some(leaf);
                return Err(SourceError::Unavailable {
                    height,
                    reason: e.to_string(),
                });
            }
        };
        match namespace_transactions(&leaf, self.namespace, &answer) {
            Ok(transactions) => Ok(BlockInput {
                height,
                timestamp_ms: leaf.header.timestamp_ms,
                transactions,
            }),
            Err(refusal) => {
                self.held = Some(leaf);
                Err(SourceError::Refused { height, refusal })
            }
        }
    }

    fn tip(&self) -> Option<u64> {
        None
    }
}
