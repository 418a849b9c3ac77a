//! `prover_jobs`: stage 2, basic (round 0) proofs, one job per chunk, keyed by an
//! autoincrement id and unique by (batch, round, circuit, depth, sequence). Saving the last
//! chunk proof of a batch queues its scheduler job in the same transaction (the gating); on
//! PostgreSQL the scheduler row is locked first, so two concurrent last saves cannot both miss
//! each other's proof.

use sq_db::on_pool;
use tracing::{debug, info};

use super::ProverDal;
use crate::rows::{now_ms, to_sql};
use crate::types::{PickedJob, Stage};
use crate::DalError;

impl ProverDal {
    /// Picks the next queued basic prover job of `protocol_version` among the
    /// `(aggregation_round, circuit_id)` pairs in `groups` (empty: any), lowest batch, round
    /// and sequence number first. [`PickedJob::id`] is the prover-job id; `input` the chunk
    /// witness.
    ///
    /// # Errors
    /// [`DalError::Database`].
    pub async fn pick_prover_job(
        &self,
        picked_by: &str,
        protocol_version: &str,
        groups: &[(u8, u8)],
    ) -> Result<Option<PickedJob>, DalError> {
        self.pick(Stage::BasicProof, picked_by, protocol_version, groups)
            .await
    }

    /// Stores the proof of prover job `id` and marks it `successful`; in the same
    /// transaction the batch's scheduler job moves from `waiting_for_proofs` to `queued` once
    /// the count of successful round-0 jobs reaches its `number_of_chunks`. Saving a proof
    /// again replaces it.
    ///
    /// # Errors
    /// [`DalError::NotFound`] for an unknown (or archived) job; [`DalError::Database`].
    pub async fn save_proof(
        &self,
        id: i64,
        proof: &[u8],
        time_taken_ms: u64,
    ) -> Result<(), DalError> {
        let taken = to_sql("time_taken_ms", time_taken_ms)?;
        let now = now_ms();
        let (batch, gated) = on_pool!(self.pool, pool, dialect in (crate::sqlite, crate::postgres) => {
            let mut tx = dialect::begin_write(pool).await?;
            let batch: Option<i64> = sqlx::query_scalar(
                "UPDATE prover_jobs SET status = 'successful', proof = $2, time_taken_ms = $3, \
                 updated_at = $4, error = NULL WHERE id = $1 RETURNING batch",
            )
            .bind(id)
            .bind(proof)
            .bind(taken)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            let mut gated = false;
            if let Some(b) = batch {
                if let Some(lock) = dialect::LOCK_SCHEDULER {
                    sqlx::query(lock).bind(b).execute(&mut *tx).await?;
                }
                gated = sqlx::query(QUEUE_SCHEDULER_IF_COMPLETE)
                    .bind(b)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected()
                    == 1;
            }
            tx.commit().await?;
            (batch, gated)
        });
        let Some(batch) = batch else {
            return Err(DalError::NotFound {
                stage: Stage::BasicProof.as_str(),
                id,
            });
        };
        debug!(target: "prover_dal", id, batch, scheduler_queued = gated, "proof saved");
        Ok(())
    }

    /// The proofs of `batch`'s successful round-0 prover jobs (live or archived), ordered by
    /// sequence number.
    ///
    /// # Errors
    /// [`DalError::OutOfRange`]; [`DalError::Database`].
    pub async fn chunk_proofs(&self, batch: u64) -> Result<Vec<Vec<u8>>, DalError> {
        let b = to_sql("batch", batch)?;
        let proofs: Vec<Option<Vec<u8>>> = on_pool!(self.pool, pool => {
            sqlx::query_scalar(
                "SELECT proof FROM (SELECT sequence_number, proof FROM prover_jobs \
                 WHERE batch = $1 AND aggregation_round = 0 AND status = 'successful' \
                 UNION ALL SELECT sequence_number, proof FROM prover_jobs_archive \
                 WHERE batch = $1 AND aggregation_round = 0 AND status = 'successful') AS p \
                 ORDER BY sequence_number",
            )
            .bind(b)
            .fetch_all(pool)
            .await?
        });
        Ok(proofs.into_iter().map(Option::unwrap_or_default).collect())
    }

    /// Puts prover job `id` back to `queued` with attempts 0 (proof, error and times
    /// cleared). If its batch's scheduler job was `queued` (not yet picked), it goes back to
    /// `waiting_for_proofs`. Returns `false` if no such (live) job exists.
    ///
    /// # Errors
    /// [`DalError::Database`].
    pub async fn restart_job(&self, id: i64) -> Result<bool, DalError> {
        let now = now_ms();
        let batch = on_pool!(self.pool, pool, dialect in (crate::sqlite, crate::postgres) => {
            let mut tx = dialect::begin_write(pool).await?;
            let batch: Option<i64> = sqlx::query_scalar(
                "UPDATE prover_jobs SET status = 'queued', attempts = 0, error = NULL, \
                 picked_by = NULL, proof = NULL, processing_started_at = NULL, \
                 time_taken_ms = NULL, updated_at = $2 WHERE id = $1 RETURNING batch",
            )
            .bind(id)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(b) = batch {
                if let Some(lock) = dialect::LOCK_SCHEDULER {
                    sqlx::query(lock).bind(b).execute(&mut *tx).await?;
                }
                sqlx::query(
                    "UPDATE scheduler_jobs SET status = 'waiting_for_proofs', updated_at = $2 \
                     WHERE batch = $1 AND status = 'queued'",
                )
                .bind(b)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            batch
        });
        info!(target: "prover_dal", id, restarted = batch.is_some(), "prover job restarted");
        Ok(batch.is_some())
    }
}

/// Moves batch `$1`'s scheduler job from `waiting_for_proofs` to `queued` (at `$2` ms)
/// when its successful round-0 jobs number `number_of_chunks`.
const QUEUE_SCHEDULER_IF_COMPLETE: &str = "UPDATE scheduler_jobs SET status = 'queued', \
     updated_at = $2 WHERE batch = $1 AND status = 'waiting_for_proofs' AND number_of_chunks <= \
     (SELECT COUNT(*) FROM prover_jobs WHERE batch = $1 AND aggregation_round = 0 \
     AND status = 'successful')";
