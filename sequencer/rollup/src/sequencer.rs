//! Where the rollup's accepted transactions go: the mempool of the node it runs inside, or a
//! remote node's `POST /v0/submit`.

use std::sync::{Arc, Mutex};

use sq_api::client::{Client, ClientError};
use sq_api::mempool::{Mempool, SubmitError as MempoolError};
use sq_types::{NamespaceId, Transaction};

/// The sequencer a rollup submits to. Cheap to clone.
#[derive(Clone)]
pub enum Sequencer {
    /// The node this rollup runs inside: transactions enter its mempool directly, with the
    /// same checks (size, namespace, duplicate, capacity) as `POST /v0/submit`.
    Mempool(Arc<Mutex<Mempool>>),
    /// A node reached over its `/v0` API.
    Api(Client),
}

/// Why the sequencer did not take a transaction.
#[derive(Debug, thiserror::Error)]
pub enum SequencerError {
    /// The in-process mempool refused it.
    #[error(transparent)]
    Mempool(#[from] MempoolError),
    /// The remote node refused it or could not be reached.
    #[error(transparent)]
    Api(#[from] ClientError),
}

impl Sequencer {
    /// Submits `raw` under `namespace`.
    ///
    /// # Errors
    /// [`SequencerError`]: the mempool's refusal, or the remote node's error.
    pub async fn submit(&self, namespace: u64, raw: &[u8]) -> Result<(), SequencerError> {
        match self {
            Sequencer::Mempool(mempool) => {
                let tx = Transaction {
                    namespace: NamespaceId(namespace),
                    payload: raw.to_vec(),
                };
                mempool
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .submit(tx)?;
            }
            Sequencer::Api(client) => {
                client.submit(namespace, raw).await?;
            }
        }
        Ok(())
    }
}
