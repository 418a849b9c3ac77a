//! `witness_inputs`: stage 1, witness generation, one job per batch (keyed by batch).
//! Finishing it creates the batch's basic prover jobs and its scheduler job in the same
//! transaction, so a crash in between leaves either none or all of them.

use sq_db::on_pool;
use tracing::debug;

use super::ProverDal;
use crate::rows::{now_ms, to_sql};
use crate::types::{PickedJob, Stage, BASIC_CIRCUIT_ID, BASIC_ROUND};
use crate::DalError;

impl ProverDal {
    /// Picks the next queued witness-generation job of `protocol_version` (lowest batch).
    /// [`PickedJob::id`] is the batch; `input` is the batch witness.
    ///
    /// # Errors
    /// [`DalError::Database`] (retryable when the database is busy or unreachable).
    pub async fn pick_witness_job(
        &self,
        picked_by: &str,
        protocol_version: &str,
    ) -> Result<Option<PickedJob>, DalError> {
        self.pick(Stage::WitnessGeneration, picked_by, protocol_version, &[])
            .await
    }

    /// Finishes witness generation of `batch` in one transaction: the job `successful`, one
    /// basic prover job `queued` per chunk (round [`BASIC_ROUND`], circuit
    /// [`BASIC_CIRCUIT_ID`], depth 0, sequence `0..n` in `chunks` order), and the scheduler
    /// job `waiting_for_proofs` with `number_of_chunks = n`. Calling it again for the same
    /// batch keeps the jobs already created.
    ///
    /// # Errors
    /// [`DalError::InvalidArgument`] for no chunks; [`DalError::NotFound`] if the batch has no
    /// witness job; [`DalError::Database`].
    pub async fn finish_witness_job(
        &self,
        batch: u64,
        chunks: &[Vec<u8>],
        time_taken_ms: u64,
    ) -> Result<(), DalError> {
        if chunks.is_empty() {
            return Err(DalError::InvalidArgument("a batch has at least one chunk"));
        }
        let b = to_sql("batch", batch)?;
        let taken = to_sql("time_taken_ms", time_taken_ms)?;
        let n = to_sql("number_of_chunks", chunks.len() as u64)?;
        let now = now_ms();
        let found = on_pool!(self.pool, pool, dialect in (crate::sqlite, crate::postgres) => {
            let mut tx = dialect::begin_write(pool).await?;
            let version: Option<String> = sqlx::query_scalar(
                "UPDATE witness_inputs SET status = 'successful', time_taken_ms = $2, \
                 updated_at = $3, error = NULL WHERE batch = $1 RETURNING protocol_version",
            )
            .bind(b)
            .bind(taken)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(version) = &version {
                for (seq, chunk) in chunks.iter().enumerate() {
                    sqlx::query(
                        "INSERT INTO prover_jobs (batch, aggregation_round, circuit_id, depth, \
                         sequence_number, input, status, attempts, created_at, updated_at, \
                         protocol_version) VALUES ($1, $2, $3, 0, $4, $5, 'queued', 0, $6, $6, $7) \
                         ON CONFLICT (batch, aggregation_round, circuit_id, depth, sequence_number) \
                         DO NOTHING",
                    )
                    .bind(b)
                    .bind(i64::from(BASIC_ROUND))
                    .bind(i64::from(BASIC_CIRCUIT_ID))
                    .bind(seq as i64)
                    .bind(chunk.as_slice())
                    .bind(now)
                    .bind(version.as_str())
                    .execute(&mut *tx)
                    .await?;
                }
                sqlx::query(
                    "INSERT INTO scheduler_jobs (batch, number_of_chunks, status, attempts, \
                     created_at, updated_at, protocol_version) \
                     VALUES ($1, $2, 'waiting_for_proofs', 0, $3, $3, $4) \
                     ON CONFLICT (batch) DO NOTHING",
                )
                .bind(b)
                .bind(n)
                .bind(now)
                .bind(version.as_str())
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            version.is_some()
        });
        if !found {
            return Err(DalError::NotFound {
                stage: Stage::WitnessGeneration.as_str(),
                id: b,
            });
        }
        debug!(target: "prover_dal", batch, chunks = chunks.len(), "witness job finished");
        Ok(())
    }
}
