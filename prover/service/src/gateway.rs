//! The gateway between the rollup node and the job database.
//!
//! - Fetch: `POST {rollup}/proof_generation_data` with `{"after": N}` (N = the highest batch
//!   the database knows) → a batch witness, inserted with its protocol version.
//! - Send: the lowest `proven` batch → `POST {rollup}/submit_proof/{batch}`; on 200 (accepted)
//!   or 409 (already proven) the batch becomes `sent_to_server` and its jobs are archived.

use std::time::Duration;

use serde_json::{json, Value};
use sq_prover_dal::ProverDal;
use tracing::{info, warn};

use crate::workers::StepResult;

/// HTTP access to the rollup's proof-data-handler API.
#[derive(Clone, Debug)]
pub struct Gateway {
    http: reqwest::Client,
    base: String,
}

impl Gateway {
    /// A gateway for `base` (e.g. `http://127.0.0.1:3320`); calls time out after 120 s.
    ///
    /// # Errors
    /// If the HTTP client cannot be built.
    pub fn new(base: &str) -> anyhow::Result<Gateway> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(120))
            .build()?;
        Ok(Gateway {
            http,
            base: base.trim_end_matches('/').to_owned(),
        })
    }

    /// Pulls the next batch after the highest known one; `true` if one was inserted.
    ///
    /// # Errors
    /// Unreachable API, a malformed answer, or the database's.
    pub async fn fetch_step(&self, dal: &ProverDal) -> StepResult {
        let after = dal.batch_numbers().await?.into_iter().max().unwrap_or(0);
        let resp = self
            .http
            .post(format!("{}/proof_generation_data", self.base))
            .json(&json!({ "after": after }))
            .send()
            .await?
            .error_for_status()?;
        let v: Value = resp.json().await?;
        let data = &v["data"];
        if data.is_null() {
            return Ok(false);
        }
        let batch = data["batch"]
            .as_u64()
            .ok_or_else(|| anyhow::anyhow!("answer without a batch number"))?;
        let version = data["protocol_version"]
            .as_str()
            .ok_or_else(|| anyhow::anyhow!("answer without a protocol version"))?;
        let witness = serde_json::to_vec(&data["witness"])?;
        let inserted = dal.insert_batch(batch, &witness, version).await?;
        if inserted {
            info!(target: "prover", batch, protocol_version = version, bytes = witness.len(), "gateway: batch received");
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
        let resp = self
            .http
            .post(format!("{}/submit_proof/{batch}", self.base))
            .header("content-type", "application/octet-stream")
            .body(proof)
            .send()
            .await?;
        let status = resp.status().as_u16();
        let body = resp.text().await.unwrap_or_default();
        match status {
            200 | 409 => {
                dal.mark_sent(batch).await?;
                info!(target: "prover", batch, status, "gateway: proof delivered; batch sent_to_server");
                Ok(true)
            }
            _ => {
                warn!(target: "prover", batch, status, %body, "gateway: the node refused the proof");
                anyhow::bail!("the node refused the proof of batch {batch} ({status}): {body}")
            }
        }
    }
}
