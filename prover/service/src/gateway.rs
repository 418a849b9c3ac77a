//! The gateway between the rollup node and the job database.
//!
//! - Fetch: `POST {rollup}/proof_generation_data` with `{"after": N}` (N = the highest batch
//!   the database knows) → a batch witness, inserted with its protocol version.
//! - Send: the lowest `proven` batch → `POST {rollup}/submit_proof/{batch}`; on 200 (accepted)
//!   or 409 (already proven) the batch becomes `sent_to_server` and its jobs are archived.

use std::time::Duration;

use sq_prover_circuits::pdh::client::{PdhClient, PdhError};
use sq_prover_dal::ProverDal;
use tracing::{info, warn};

use crate::workers::StepResult;

/// Access to the rollup's proof-data-handler API through its typed client.
#[derive(Clone, Debug)]
pub struct Gateway {
    pdh: PdhClient,
}

impl Gateway {
    /// A gateway for `base` (e.g. `http://127.0.0.1:3320`); calls time out after 120 s.
    ///
    /// # Errors
    /// If the HTTP client cannot be built.
    pub fn new(base: &str) -> anyhow::Result<Gateway> {
        Ok(Gateway {
            pdh: PdhClient::new(base, Duration::from_secs(120))?,
        })
    }

    /// Pulls the next batch after the highest known one; `true` if one was inserted.
    ///
    /// # Errors
    /// Unreachable API, a malformed answer, or the database's.
    pub async fn fetch_step(&self, dal: &ProverDal) -> StepResult {
        let after = dal.batch_numbers().await?.into_iter().max().unwrap_or(0);
        let Some(data) = self.pdh.proof_generation_data(after).await? else {
            return Ok(false);
        };
        let witness = serde_json::to_vec(&data.witness)?;
        let version = data.protocol_version.as_str();
        let inserted = dal.insert_batch(data.batch, &witness, version).await?;
        if inserted {
            info!(target: "prover", batch = data.batch, protocol_version = version, bytes = witness.len(), "gateway: batch received");
        }
        Ok(inserted)
    }

    /// Sends the lowest proven batch; `true` if one was delivered.
    ///
    /// # Errors
    /// Unreachable API, a refused proof (logged with the node's reason), or the database's.
    pub async fn send_step(&self, dal: &ProverDal) -> StepResult {
        let Some((batch, proof)) = dal.next_proof_to_send().await? else {
            return Ok(false);
        };
        let status = match self.pdh.submit_proof(batch, proof).await {
            Ok(_) => 200,
            Err(PdhError::Status { status: 409, .. }) => 409,
            Err(e @ PdhError::Status { .. }) => {
                warn!(target: "prover", batch, error = %e, "gateway: the node refused the proof");
                anyhow::bail!("the node refused the proof of batch {batch}: {e}")
            }
            Err(e) => return Err(e.into()),
        };
        dal.mark_sent(batch).await?;
        info!(target: "prover", batch, status, "gateway: proof delivered; batch sent_to_server");
        Ok(true)
    }
}
