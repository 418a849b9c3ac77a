//! Read-only reports for `prover-cli status` and the metrics: batch states, one batch's jobs
//! per stage (live and archived), queue depths and throughput. Nothing here writes; a report
//! over several tables reads them in one transaction.

use std::time::SystemTime;

use sq_db::on_pool;

use super::ProverDal;
use crate::rows::{self, from_sql, job_from_row, opt_from_sql, to_sql, JobRow};
use crate::types::{
    BatchState, BatchStatusReport, QueueDepth, Stage, StageReport, StageStats, StatsReport,
};
use crate::DalError;

impl ProverDal {
    /// How many batches are in each status (`received`, `witness_generated`, `proven`,
    /// `sent_to_server`, …), sorted by status; statuses with no batch are absent.
    ///
    /// # Errors
    /// [`DalError::Corrupt`] for a negative count; [`DalError::Database`].
    pub async fn batches_by_status(&self) -> Result<Vec<(String, u64)>, DalError> {
        let rows: Vec<(String, i64)> = on_pool!(self.pool, pool => {
            sqlx::query_as("SELECT status, COUNT(*) FROM batches GROUP BY status ORDER BY status")
                .fetch_all(pool)
                .await?
        });
        rows.into_iter()
            .map(|(s, n)| Ok((s, from_sql("count", n)?)))
            .collect()
    }

    /// Every batch number with a `batches` or witness row, ascending.
    ///
    /// # Errors
    /// [`DalError::Database`].
    pub async fn batch_numbers(&self) -> Result<Vec<u64>, DalError> {
        let rows: Vec<i64> = on_pool!(self.pool, pool => {
            sqlx::query_scalar(
                "SELECT batch FROM batches UNION SELECT batch FROM witness_inputs ORDER BY 1",
            )
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(|b| from_sql("batch", b)).collect()
    }

    /// Everything stored about `batch`, per stage (for `prover-cli status batch`); `None` if
    /// neither a `batches` row nor a witness job exists.
    ///
    /// # Errors
    /// [`DalError::Corrupt`]; [`DalError::Database`].
    pub async fn batch_status(&self, batch: u64) -> Result<Option<BatchStatusReport>, DalError> {
        let b = to_sql("batch", batch)?;
        type BatchRow = (String, String, i64, Option<i64>, Option<i64>);
        let (batch_row, per_stage, archived, chunks) = on_pool!(self.pool, pool => {
            let mut tx = pool.begin().await?;
            let batch_row: Option<BatchRow> = sqlx::query_as(
                "SELECT status, protocol_version, created_at, proven_at, sent_at \
                 FROM batches WHERE batch = $1",
            )
            .bind(b)
            .fetch_optional(&mut *tx)
            .await?;
            let mut per_stage: Vec<Vec<JobRow>> = Vec::with_capacity(Stage::ALL.len());
            for stage in Stage::ALL {
                per_stage.push(
                    sqlx::query_as(&rows::jobs_of_batch_sql(stage, stage.table()))
                        .bind(b)
                        .fetch_all(&mut *tx)
                        .await?,
                );
            }
            let archived: Vec<JobRow> =
                sqlx::query_as(&rows::jobs_of_batch_sql(Stage::BasicProof, "prover_jobs_archive"))
                    .bind(b)
                    .fetch_all(&mut *tx)
                    .await?;
            let chunks: Option<i64> =
                sqlx::query_scalar("SELECT number_of_chunks FROM scheduler_jobs WHERE batch = $1")
                    .bind(b)
                    .fetch_optional(&mut *tx)
                    .await?;
            tx.commit().await?;
            (batch_row, per_stage, archived, chunks)
        });
        let witness_version = per_stage
            .first()
            .and_then(|jobs| jobs.first())
            .map(|j| j.13.clone());
        let (state, protocol_version, created, proven, sent) = match batch_row {
            Some((status, version, created, proven, sent)) => (
                Some(
                    status
                        .parse::<BatchState>()
                        .map_err(|e| DalError::Corrupt {
                            what: "batches.status",
                            detail: e.to_string(),
                        })?,
                ),
                version,
                Some(created),
                proven,
                sent,
            ),
            None => match witness_version {
                Some(version) => (None, version, None, None, None),
                None => return Ok(None),
            },
        };
        let mut stages = Vec::with_capacity(Stage::ALL.len());
        for (stage, jobs) in Stage::ALL.into_iter().zip(per_stage) {
            let mut infos = jobs
                .into_iter()
                .map(|r| job_from_row(r, false))
                .collect::<Result<Vec<_>, _>>()?;
            if stage == Stage::BasicProof {
                for r in archived.iter().cloned() {
                    infos.push(job_from_row(r, true)?);
                }
                infos.sort_by_key(|j| (j.aggregation_round, j.sequence_number, j.id));
            }
            stages.push(StageReport { stage, jobs: infos });
        }
        Ok(Some(BatchStatusReport {
            batch,
            state,
            protocol_version,
            created_at_ms: opt_from_sql("created_at", created.map(Some).unwrap_or(None))?,
            proven_at_ms: opt_from_sql("proven_at", proven)?,
            sent_at_ms: opt_from_sql("sent_at", sent)?,
            number_of_chunks: chunks
                .map(|n| from_sql("number_of_chunks", n))
                .transpose()?,
            stages,
        }))
    }

    /// Queued and in-progress counts per (stage, aggregation round, circuit, protocol
    /// version), groups with neither omitted; ordered by stage, then round, circuit, version.
    ///
    /// # Errors
    /// [`DalError::Database`].
    pub async fn queue_report(&self) -> Result<Vec<QueueDepth>, DalError> {
        type QueueRow = (i64, i64, String, i64, i64);
        let per_stage: Vec<Vec<QueueRow>> = on_pool!(self.pool, pool => {
            let mut per_stage = Vec::with_capacity(Stage::ALL.len());
            for stage in Stage::ALL {
                let rows: Vec<QueueRow> = sqlx::query_as(&rows::queue_sql(stage))
                    .fetch_all(pool)
                    .await?;
                per_stage.push(rows);
            }
            per_stage
        });
        let mut out = Vec::new();
        for (stage, rows) in Stage::ALL.into_iter().zip(per_stage) {
            for (round, circuit, protocol_version, queued, in_progress) in rows {
                out.push(QueueDepth {
                    stage,
                    aggregation_round: from_sql("aggregation_round", round)?,
                    circuit_id: from_sql("circuit_id", circuit)?,
                    protocol_version,
                    queued: from_sql("count", queued)?,
                    in_progress: from_sql("count", in_progress)?,
                });
            }
        }
        Ok(out)
    }

    /// Batches received, proven and sent since `since`, and per stage the jobs that became
    /// successful since then with the mean and maximum of their `time_taken_ms`.
    ///
    /// # Errors
    /// [`DalError::Database`].
    pub async fn stats(&self, since: SystemTime) -> Result<StatsReport, DalError> {
        let since_ms = rows::ms_of(since);
        type StageRow = (i64, Option<f64>, Option<i64>);
        let (counts, per_stage): ((i64, i64, i64), Vec<StageRow>) = on_pool!(self.pool, pool => {
            let counts: (i64, i64, i64) = sqlx::query_as(
                "SELECT COUNT(CASE WHEN created_at >= $1 THEN 1 END), \
                 COUNT(CASE WHEN proven_at >= $1 THEN 1 END), \
                 COUNT(CASE WHEN sent_at >= $1 THEN 1 END) FROM batches",
            )
            .bind(since_ms)
            .fetch_one(pool)
            .await?;
            let mut per_stage = Vec::with_capacity(Stage::ALL.len());
            for stage in Stage::ALL {
                let row: StageRow = sqlx::query_as(&rows::stage_stats_sql(stage))
                    .bind(since_ms)
                    .fetch_one(pool)
                    .await?;
                per_stage.push(row);
            }
            (counts, per_stage)
        });
        let mut stages = Vec::with_capacity(Stage::ALL.len());
        for (stage, (n, avg, max)) in Stage::ALL.into_iter().zip(per_stage) {
            stages.push(StageStats {
                stage,
                successful: from_sql("count", n)?,
                avg_time_taken_ms: avg,
                max_time_taken_ms: opt_from_sql("time_taken_ms", max)?,
            });
        }
        Ok(StatsReport {
            since_ms: from_sql("since", since_ms)?,
            batches_received: from_sql("count", counts.0)?,
            batches_proven: from_sql("count", counts.1)?,
            batches_sent: from_sql("count", counts.2)?,
            stages,
        })
    }
}
