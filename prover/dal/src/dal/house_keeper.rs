//! The house keeper's transitions: failure reports and the periodic requeue of stuck and
//! failed jobs across every stage. Each call is one transaction; a late failure report never
//! undoes a result, and a job that used every attempt stays `failed` until an operator acts
//! (see `maintenance.rs`).

use std::time::Duration;

use sq_db::on_pool;
use tracing::{debug, info, warn};

use super::{ProverDal, MAX_ERROR_LEN};
use crate::rows::{self, now_ms};
use crate::types::{RequeueReport, Stage};
use crate::DalError;

impl ProverDal {
    /// Marks a `queued`, `in_progress` or `failed` job of `stage` `failed` with `error`
    /// (cut to [`MAX_ERROR_LEN`] bytes). `id` is the prover-job id for
    /// [`Stage::BasicProof`], the batch otherwise. A job already `successful` (or
    /// `waiting_for_proofs`) is left as it is: a late failure report does not undo a result.
    ///
    /// # Errors
    /// [`DalError::NotFound`] for an unknown job; [`DalError::Database`].
    pub async fn fail_job(&self, stage: Stage, id: i64, error: &str) -> Result<(), DalError> {
        let error = rows::truncate(error, MAX_ERROR_LEN);
        let now = now_ms();
        let (table, key) = (stage.table(), stage.key());
        let outcome: Result<(), Option<String>> = on_pool!(self.pool, pool, dialect in (crate::sqlite, crate::postgres) => {
            let mut tx = dialect::begin_write(pool).await?;
            let updated = sqlx::query(&format!(
                "UPDATE {table} SET status = 'failed', error = $2, updated_at = $3 \
                 WHERE {key} = $1 AND status IN ('queued', 'in_progress', 'failed')"
            ))
            .bind(id)
            .bind(error)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            let outcome = if updated == 1 {
                Ok(())
            } else {
                let status: Option<String> =
                    sqlx::query_scalar(&format!("SELECT status FROM {table} WHERE {key} = $1"))
                        .bind(id)
                        .fetch_optional(&mut *tx)
                        .await?;
                Err(status)
            };
            tx.commit().await?;
            outcome
        });
        match outcome {
            Ok(()) => {
                warn!(target: "prover_dal", %stage, id, error, "job failed");
                Ok(())
            }
            Err(Some(status)) => {
                debug!(target: "prover_dal", %stage, id, status, "failure of a finished job ignored");
                Ok(())
            }
            Err(None) => Err(DalError::NotFound {
                stage: stage.as_str(),
                id,
            }),
        }
    }

    /// Records that the worker `picked_by` is still working on job `id` of `stage`: its
    /// `updated_at` becomes now, so [`ProverDal::requeue_stuck`] leaves it alone. Workers
    /// send this while a long job (an aggregation round takes minutes) runs; a frozen or
    /// killed worker stops sending it. Returns `false` when the job is no longer
    /// `in_progress` for that worker (requeued and picked by another, or finished).
    ///
    /// # Errors
    /// [`DalError::Database`].
    pub async fn heartbeat(
        &self,
        stage: Stage,
        id: i64,
        picked_by: &str,
    ) -> Result<bool, DalError> {
        let now = now_ms();
        let (table, key) = (stage.table(), stage.key());
        let n = on_pool!(self.pool, pool => {
            sqlx::query(&format!(
                "UPDATE {table} SET updated_at = $1 WHERE {key} = $2 \
                 AND status = 'in_progress' AND picked_by = $3"
            ))
            .bind(now)
            .bind(id)
            .bind(picked_by)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(n == 1)
    }

    /// The house keeper's sweep over every stage, in one transaction: jobs `in_progress`
    /// with no sign of life (pick or [`ProverDal::heartbeat`]) for at least
    /// `processing_timeout`, and `failed` jobs, go back to `queued` (picked_by cleared)
    /// while `attempts < max_attempts`. Timed-out `in_progress` jobs that used every
    /// attempt become `failed` (error "processing timed out") and stay so: they are "stuck"
    /// until `requeue_batch`/`restart_*`.
    ///
    /// # Errors
    /// [`DalError::Database`].
    pub async fn requeue_stuck(
        &self,
        processing_timeout: Duration,
        max_attempts: u32,
    ) -> Result<RequeueReport, DalError> {
        let now = now_ms();
        let timeout = i64::try_from(processing_timeout.as_millis()).unwrap_or(i64::MAX);
        let cutoff = now.saturating_sub(timeout);
        let max = i64::from(max_attempts);
        let timeout_error = format!(
            "processing timed out (no sign of life for more than {} ms)",
            processing_timeout.as_millis()
        );
        let mut report = RequeueReport::default();
        on_pool!(self.pool, pool, dialect in (crate::sqlite, crate::postgres) => {
            let mut tx = dialect::begin_write(pool).await?;
            for stage in Stage::ALL {
                let table = stage.table();
                let requeued = sqlx::query(&format!(
                    "UPDATE {table} SET status = 'queued', picked_by = NULL, updated_at = $1, \
                     error = CASE WHEN status = 'in_progress' THEN $4 ELSE error END \
                     WHERE attempts < $3 AND (status = 'failed' \
                     OR (status = 'in_progress' AND updated_at <= $2))"
                ))
                .bind(now)
                .bind(cutoff)
                .bind(max)
                .bind(timeout_error.as_str())
                .execute(&mut *tx)
                .await?
                .rows_affected();
                report.set(stage, requeued);
                report.timed_out_at_max_attempts += sqlx::query(&format!(
                    "UPDATE {table} SET status = 'failed', updated_at = $1, error = $4 \
                     WHERE attempts >= $3 AND status = 'in_progress' \
                     AND updated_at <= $2"
                ))
                .bind(now)
                .bind(cutoff)
                .bind(max)
                .bind(timeout_error.as_str())
                .execute(&mut *tx)
                .await?
                .rows_affected();
            }
            tx.commit().await?;
        });
        if report.total() > 0 || report.timed_out_at_max_attempts > 0 {
            info!(target: "prover_dal", ?report, "requeued stuck jobs");
        }
        Ok(report)
    }
}
