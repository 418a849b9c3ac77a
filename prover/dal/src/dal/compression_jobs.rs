//! `compression_jobs`: stage 4, one job per batch wrapping the scheduler result into the final
//! proof. Finishing it marks the batch `proven` in the same transaction.

use sq_db::on_pool;
use tracing::debug;

use super::ProverDal;
use crate::rows::{now_ms, to_sql};
use crate::types::{PickedJob, Stage};
use crate::DalError;

impl ProverDal {
    /// Picks the next queued compression job of `protocol_version`. [`PickedJob::id`] is the
    /// batch; `input` is the scheduler result.
    ///
    /// # Errors
    /// [`DalError::Database`].
    pub async fn pick_compression_job(
        &self,
        picked_by: &str,
        protocol_version: &str,
    ) -> Result<Option<PickedJob>, DalError> {
        self.pick(Stage::Compression, picked_by, protocol_version, &[])
            .await
    }

    /// Finishes the compression job of `batch`: `successful` with `result` (the final
    /// proof), and the batch `proven` (one transaction).
    ///
    /// # Errors
    /// [`DalError::NotFound`] if the batch has no compression job; [`DalError::Database`].
    pub async fn finish_compression_job(
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
            let found = sqlx::query(
                "UPDATE compression_jobs SET status = 'successful', result = $2, \
                 time_taken_ms = $3, updated_at = $4, error = NULL WHERE batch = $1",
            )
            .bind(b)
            .bind(result)
            .bind(taken)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected()
                == 1;
            if found {
                sqlx::query(
                    "UPDATE batches SET status = 'proven', proven_at = $2, updated_at = $2 \
                     WHERE batch = $1 AND status = 'received'",
                )
                .bind(b)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            found
        });
        if !found {
            return Err(DalError::NotFound {
                stage: Stage::Compression.as_str(),
                id: b,
            });
        }
        debug!(target: "prover_dal", batch, "batch proven");
        Ok(())
    }
}
