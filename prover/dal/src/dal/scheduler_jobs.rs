//! `scheduler_jobs`: stage 3, one job per batch aggregating its chunk proofs. It waits in
//! `waiting_for_proofs` until the gating in `prover_jobs` queues it; finishing it queues the
//! compression job in the same transaction.

use sq_db::on_pool;
use tracing::debug;

use super::ProverDal;
use crate::rows::{now_ms, to_sql};
use crate::types::{PickedJob, Stage};
use crate::DalError;

impl ProverDal {
    /// Picks the next queued scheduler job of `protocol_version`. [`PickedJob::id`] is the
    /// batch; `input` is empty: read [`ProverDal::chunk_proofs`].
    ///
    /// # Errors
    /// [`DalError::Database`].
    pub async fn pick_scheduler_job(
        &self,
        picked_by: &str,
        protocol_version: &str,
    ) -> Result<Option<PickedJob>, DalError> {
        self.pick(Stage::Scheduler, picked_by, protocol_version, &[])
            .await
    }

    /// Finishes the scheduler job of `batch`: `successful` with `result`, and its compression
    /// job `queued` (one transaction).
    ///
    /// # Errors
    /// [`DalError::NotFound`] if the batch has no scheduler job; [`DalError::Database`].
    pub async fn finish_scheduler_job(
        &self,
        batch: u64,
        result: &[u8],
        time_taken_ms: u64,
    ) -> Result<(), DalError> {
        let b = to_sql("batch", batch)?;
        let taken = to_sql("time_taken_ms", time_taken_ms)?;
        let now = now_ms();
        let found = on_pool!(self.pool, pool, dialect in (crate::sqlite, crate::postgres) => {
            let mut tx = dialect::begin_write(pool).await?;
            let version: Option<String> = sqlx::query_scalar(
                "UPDATE scheduler_jobs SET status = 'successful', result = $2, \
                 time_taken_ms = $3, updated_at = $4, error = NULL WHERE batch = $1 \
                 RETURNING protocol_version",
            )
            .bind(b)
            .bind(result)
            .bind(taken)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(version) = &version {
                sqlx::query(
                    "INSERT INTO compression_jobs (batch, status, attempts, created_at, \
                     updated_at, protocol_version) VALUES ($1, 'queued', 0, $2, $2, $3) \
                     ON CONFLICT (batch) DO NOTHING",
                )
                .bind(b)
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
                stage: Stage::Scheduler.as_str(),
                id: b,
            });
        }
        debug!(target: "prover_dal", batch, "scheduler job finished");
        Ok(())
    }
}
