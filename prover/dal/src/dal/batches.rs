//! `batches`: one row per batch fetched from the server, `received` → `proven` →
//! `sent_to_server`. Inserting a batch queues its witness job in the same transaction;
//! marking it sent moves its prover jobs into `prover_jobs_archive` in the same transaction,
//! so a crash never leaves a sent batch with live jobs (nor an archived job of an unsent one).

use sq_db::on_pool;
use tracing::{debug, info};

use super::ProverDal;
use crate::rows::{from_sql, now_ms, to_sql};
use crate::DalError;

impl ProverDal {
    /// Records a batch fetched from the server: a `batches` row `received` and its
    /// witness-generation job `queued`, in one transaction. Returns `false` (writing nothing)
    /// if the batch is already stored.
    ///
    /// # Errors
    /// [`DalError::OutOfRange`] for a batch above `i64::MAX`; [`DalError::Database`].
    pub async fn insert_batch(
        &self,
        batch: u64,
        witness: &[u8],
        protocol_version: &str,
    ) -> Result<bool, DalError> {
        let b = to_sql("batch", batch)?;
        let now = now_ms();
        let fresh = on_pool!(self.pool, pool, dialect in (crate::sqlite, crate::postgres) => {
            let mut tx = dialect::begin_write(pool).await?;
            let fresh = sqlx::query(
                "INSERT INTO batches (batch, status, protocol_version, created_at, updated_at) \
                 VALUES ($1, 'received', $2, $3, $3) ON CONFLICT (batch) DO NOTHING",
            )
            .bind(b)
            .bind(protocol_version)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected()
                == 1;
            if fresh {
                sqlx::query(
                    "INSERT INTO witness_inputs (batch, witness, status, attempts, created_at, \
                     updated_at, protocol_version) VALUES ($1, $2, 'queued', 0, $3, $3, $4) \
                     ON CONFLICT (batch) DO NOTHING",
                )
                .bind(b)
                .bind(witness)
                .bind(now)
                .bind(protocol_version)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            fresh
        });
        debug!(target: "prover_dal", batch, fresh, "batch inserted");
        Ok(fresh)
    }

    /// The lowest batch whose status is `proven` (not yet sent) and its compression result.
    ///
    /// # Errors
    /// [`DalError::Corrupt`]; [`DalError::Database`].
    pub async fn next_proof_to_send(&self) -> Result<Option<(u64, Vec<u8>)>, DalError> {
        let row: Option<(i64, Vec<u8>)> = on_pool!(self.pool, pool => {
            sqlx::query_as(
                "SELECT b.batch, c.result FROM batches b \
                 JOIN compression_jobs c ON c.batch = b.batch \
                 WHERE b.status = 'proven' AND c.result IS NOT NULL \
                 ORDER BY b.batch LIMIT 1",
            )
            .fetch_optional(pool)
            .await?
        });
        row.map(|(b, proof)| Ok((from_sql("batch", b)?, proof)))
            .transpose()
    }

    /// Marks `batch` `sent_to_server` and moves its prover jobs into `prover_jobs_archive`
    /// (one transaction). Idempotent for a batch already sent.
    ///
    /// # Errors
    /// [`DalError::NotFound`] for an unknown batch; [`DalError::WrongState`] for a batch not
    /// yet proven; [`DalError::Database`].
    pub async fn mark_sent(&self, batch: u64) -> Result<(), DalError> {
        let b = to_sql("batch", batch)?;
        let now = now_ms();
        let outcome: Result<u64, Option<String>> = on_pool!(self.pool, pool, dialect in (crate::sqlite, crate::postgres) => {
            let mut tx = dialect::begin_write(pool).await?;
            let updated = sqlx::query(
                "UPDATE batches SET status = 'sent_to_server', \
                 sent_at = COALESCE(sent_at, $2), updated_at = $2 \
                 WHERE batch = $1 AND status IN ('proven', 'sent_to_server')",
            )
            .bind(b)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if updated == 1 {
                let moved = sqlx::query(
                    "INSERT INTO prover_jobs_archive (id, batch, aggregation_round, circuit_id, \
                     depth, sequence_number, input, proof, status, attempts, error, picked_by, \
                     created_at, updated_at, processing_started_at, time_taken_ms, \
                     protocol_version, archived_at) \
                     SELECT id, batch, aggregation_round, circuit_id, depth, sequence_number, \
                     input, proof, status, attempts, error, picked_by, created_at, updated_at, \
                     processing_started_at, time_taken_ms, protocol_version, $2 \
                     FROM prover_jobs WHERE batch = $1",
                )
                .bind(b)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                sqlx::query("DELETE FROM prover_jobs WHERE batch = $1")
                    .bind(b)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(moved)
            } else {
                let status: Option<String> =
                    sqlx::query_scalar("SELECT status FROM batches WHERE batch = $1")
                        .bind(b)
                        .fetch_optional(&mut *tx)
                        .await?;
                tx.rollback().await?;
                Err(status)
            }
        });
        match outcome {
            Ok(archived) => {
                info!(target: "prover_dal", batch, archived, "proof sent, prover jobs archived");
                Ok(())
            }
            Err(None) => Err(DalError::NotFound {
                stage: "batch",
                id: b,
            }),
            Err(Some(status)) => Err(DalError::WrongState {
                stage: "batch",
                id: b,
                status,
                action: "mark it sent before it is proven",
            }),
        }
    }
}
