//! Operator actions (`prover-cli`): requeue a batch's failed jobs, restart a batch or a job,
//! delete batches. Each is one transaction; protocol versions are never deleted.

use sq_db::on_pool;
use tracing::info;

use super::ProverDal;
use crate::rows::{from_sql, now_ms, to_sql};
use crate::types::Stage;
use crate::DalError;

impl ProverDal {
    /// `prover-cli requeue -b`: every job of `batch`, in every stage, that is `failed` or
    /// `in_progress` with `attempts >= max_attempts` goes back to `queued` with attempts reset
    /// to 0. Returns how many jobs were requeued.
    ///
    /// # Errors
    /// [`DalError::Database`].
    pub async fn requeue_batch(&self, batch: u64, max_attempts: u32) -> Result<u64, DalError> {
        let b = to_sql("batch", batch)?;
        let now = now_ms();
        let max = i64::from(max_attempts);
        let n = on_pool!(self.pool, pool, dialect in (crate::sqlite, crate::postgres) => {
            let mut tx = dialect::begin_write(pool).await?;
            let mut n = 0;
            for stage in Stage::ALL {
                n += sqlx::query(&format!(
                    "UPDATE {table} SET status = 'queued', attempts = 0, picked_by = NULL, \
                     processing_started_at = NULL, updated_at = $2 \
                     WHERE batch = $1 AND (status = 'failed' \
                     OR (status = 'in_progress' AND attempts >= $3))",
                    table = stage.table()
                ))
                .bind(b)
                .bind(now)
                .bind(max)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            }
            tx.commit().await?;
            n
        });
        info!(target: "prover_dal", batch, requeued = n, "batch requeued");
        Ok(n)
    }

    /// Restarts `batch` from witness generation: deletes its prover (live and archived),
    /// scheduler and compression jobs, resets its witness job to `queued` with attempts 0,
    /// and its `batches` row to `received` (one transaction).
    ///
    /// # Errors
    /// [`DalError::NotFound`] if the batch has no witness job; [`DalError::Database`].
    pub async fn restart_batch(&self, batch: u64) -> Result<(), DalError> {
        let b = to_sql("batch", batch)?;
        let now = now_ms();
        let found = on_pool!(self.pool, pool, dialect in (crate::sqlite, crate::postgres) => {
            let mut tx = dialect::begin_write(pool).await?;
            let found = sqlx::query(
                "UPDATE witness_inputs SET status = 'queued', attempts = 0, error = NULL, \
                 picked_by = NULL, processing_started_at = NULL, time_taken_ms = NULL, \
                 updated_at = $2 WHERE batch = $1",
            )
            .bind(b)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected()
                == 1;
            if found {
                for table in ["prover_jobs", "prover_jobs_archive", "scheduler_jobs", "compression_jobs"] {
                    sqlx::query(&format!("DELETE FROM {table} WHERE batch = $1"))
                        .bind(b)
                        .execute(&mut *tx)
                        .await?;
                }
                sqlx::query(
                    "UPDATE batches SET status = 'received', proven_at = NULL, sent_at = NULL, \
                     updated_at = $2 WHERE batch = $1",
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
                stage: Stage::WitnessGeneration.as_str(),
                id: b,
            });
        }
        info!(target: "prover_dal", batch, "batch restarted");
        Ok(())
    }

    /// Deletes every row of `batch` from every table (one transaction). Returns `false` if
    /// nothing was stored for it.
    ///
    /// # Errors
    /// [`DalError::Database`].
    pub async fn delete_batch(&self, batch: u64) -> Result<bool, DalError> {
        let b = to_sql("batch", batch)?;
        let deleted = on_pool!(self.pool, pool, dialect in (crate::sqlite, crate::postgres) => {
            let mut tx = dialect::begin_write(pool).await?;
            let mut deleted = 0;
            for table in DATA_TABLES {
                deleted += sqlx::query(&format!("DELETE FROM {table} WHERE batch = $1"))
                    .bind(b)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
            }
            tx.commit().await?;
            deleted
        });
        info!(target: "prover_dal", batch, rows = deleted, "batch deleted");
        Ok(deleted > 0)
    }

    /// Deletes every batch and job (protocol versions are kept), in one transaction.
    /// Returns the number of batches that were stored.
    ///
    /// # Errors
    /// [`DalError::Database`].
    pub async fn delete_all(&self) -> Result<u64, DalError> {
        let n: i64 = on_pool!(self.pool, pool, dialect in (crate::sqlite, crate::postgres) => {
            let mut tx = dialect::begin_write(pool).await?;
            let n: i64 = sqlx::query_scalar(BATCH_COUNT).fetch_one(&mut *tx).await?;
            for table in DATA_TABLES {
                sqlx::query(&format!("DELETE FROM {table}"))
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            n
        });
        info!(target: "prover_dal", batches = n, "all batches deleted");
        from_sql("batch count", n)
    }
}

/// Every table holding per-batch rows (all but `protocol_versions`).
const DATA_TABLES: [&str; 6] = [
    "prover_jobs",
    "prover_jobs_archive",
    "scheduler_jobs",
    "compression_jobs",
    "witness_inputs",
    "batches",
];

/// The number of distinct batches stored.
const BATCH_COUNT: &str = "SELECT COUNT(*) FROM \
     (SELECT batch FROM batches UNION SELECT batch FROM witness_inputs) AS b";
