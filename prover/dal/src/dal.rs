//! [`ProverDal`]: the public API, one body of code over both dialects.

use std::fmt;
use std::time::{Duration, SystemTime};

use sqlx::postgres::PgPool;
use sqlx::sqlite::SqlitePool;
use tracing::{debug, info, warn};

use crate::rows::{
    self, from_sql, job_from_row, now_ms, opt_from_sql, picked_from_row, to_sql, JobRow, PickRow,
};
use crate::types::{
    BatchState, BatchStatusReport, PickedJob, QueueDepth, RequeueReport, Stage, StageReport,
    StageStats, StatsReport, BASIC_CIRCUIT_ID, BASIC_ROUND,
};
use crate::DalError;

/// Longest error text stored by [`ProverDal::fail_job`], in bytes; longer text is cut.
pub const MAX_ERROR_LEN: usize = 4096;

/// Which database a [`ProverDal`] talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// An embedded SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Dialect::Sqlite => "SQLite",
            Dialect::Postgres => "PostgreSQL",
        })
    }
}

#[derive(Clone, Debug)]
enum Backend {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to the backend's pool and `$dialect` to its module
/// (`crate::sqlite` or `crate::postgres`). The body is the same text for both arms; each arm
/// type-checks it against its own driver.
macro_rules! on_pool {
    ($self:ident, $pool:ident, $dialect:ident => $body:expr) => {
        match &$self.backend {
            Backend::Sqlite($pool) => {
                #[allow(unused_imports)]
                use crate::sqlite as $dialect;
                $body
            }
            Backend::Postgres($pool) => {
                #[allow(unused_imports)]
                use crate::postgres as $dialect;
                $body
            }
        }
    };
}

/// A handle on the prover database: a connection pool, cheap to clone and safe to share
/// between tasks and workers.
///
/// Every state transition is one SQL statement or one SQL transaction, so a worker killed at
/// any point leaves each job either untouched, `in_progress` (requeued by
/// [`ProverDal::requeue_stuck`] after its timeout) or finished. A pick never hands the same
/// job to two callers. Timestamps are Unix milliseconds taken from this process's clock.
#[derive(Clone, Debug)]
pub struct ProverDal {
    backend: Backend,
}

impl ProverDal {
    /// Opens the database at `url` and brings its schema up to date.
    ///
    /// - `sqlite://PATH` / `sqlite:PATH` (`sqlite:///abs/path` for an absolute path,
    ///   `sqlite::memory:` for a private in-memory database): created if missing, WAL mode,
    ///   `synchronous = FULL`.
    /// - `postgres://…` / `postgresql://…`: a libpq-style URL (no TLS).
    ///
    /// # Errors
    /// [`DalError::UnsupportedUrl`] for another scheme; [`DalError::Connect`] when the
    /// database cannot be reached or opened (retryable for a dead server);
    /// [`DalError::Migrate`] when the schema cannot be applied.
    pub async fn connect(url: &str) -> Result<ProverDal, DalError> {
        let scheme = url.split_once(':').map_or(url, |(scheme, _)| scheme);
        let backend = match scheme {
            "sqlite" => Backend::Sqlite(crate::sqlite::open(url).await?),
            "postgres" | "postgresql" => Backend::Postgres(crate::postgres::open(url).await?),
            other => {
                return Err(DalError::UnsupportedUrl {
                    scheme: other.to_owned(),
                })
            }
        };
        let dal = ProverDal { backend };
        info!(target: "prover_dal", dialect = %dal.dialect(), "prover database opened");
        Ok(dal)
    }

    /// Which database this handle talks to.
    #[must_use]
    pub fn dialect(&self) -> Dialect {
        match self.backend {
            Backend::Sqlite(_) => Dialect::Sqlite,
            Backend::Postgres(_) => Dialect::Postgres,
        }
    }

    /// Closes every pooled connection; later calls fail with [`sqlx::Error::PoolClosed`].
    pub async fn close(&self) {
        on_pool!(self, pool, _d => pool.close().await);
    }

    /// Registers protocol `version` (`0.MINOR.PATCH`) with the hash of its verification key.
    /// Idempotent for the same hash.
    ///
    /// # Errors
    /// [`DalError::InvalidProtocolVersion`] for a malformed version;
    /// [`DalError::VersionConflict`] if it is stored with another hash;
    /// [`DalError::Database`].
    pub async fn insert_protocol_version(
        &self,
        version: &str,
        vk_hash: [u8; 32],
    ) -> Result<(), DalError> {
        if !rows::valid_version(version) {
            return Err(DalError::InvalidProtocolVersion(version.to_owned()));
        }
        let now = now_ms();
        let stored: Option<Vec<u8>> = on_pool!(self, pool, dialect => {
            let mut tx = dialect::begin_write(pool).await?;
            let fresh = sqlx::query(
                "INSERT INTO protocol_versions (version, vk_hash, created_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (version) DO NOTHING",
            )
            .bind(version)
            .bind(vk_hash.as_slice())
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected()
                == 1;
            let stored = if fresh {
                None
            } else {
                sqlx::query_scalar("SELECT vk_hash FROM protocol_versions WHERE version = $1")
                    .bind(version)
                    .fetch_optional(&mut *tx)
                    .await?
            };
            tx.commit().await?;
            stored
        });
        match stored {
            Some(stored) if stored != vk_hash => Err(DalError::VersionConflict {
                version: version.to_owned(),
                stored_hex: hex_of(&stored),
            }),
            _ => Ok(()),
        }
    }

    /// The verification-key hash stored for `version`, or `None` if it is not registered.
    ///
    /// # Errors
    /// [`DalError::Corrupt`] if the stored hash is not 32 bytes; [`DalError::Database`].
    pub async fn protocol_version_vk(&self, version: &str) -> Result<Option<[u8; 32]>, DalError> {
        let stored: Option<Vec<u8>> = on_pool!(self, pool, _d => {
            sqlx::query_scalar("SELECT vk_hash FROM protocol_versions WHERE version = $1")
                .bind(version)
                .fetch_optional(pool)
                .await?
        });
        stored
            .map(|h| {
                <[u8; 32]>::try_from(h.as_slice()).map_err(|_| DalError::Corrupt {
                    what: "vk_hash",
                    detail: format!("{} bytes, expected 32", h.len()),
                })
            })
            .transpose()
    }

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
        let fresh = on_pool!(self, pool, dialect => {
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

    /// Picks the queued job of `stage` first in order (`batch`, then for prover jobs
    /// `aggregation_round`, `sequence_number`) for `protocol_version`, marking it
    /// `in_progress` for `picked_by` in the same statement.
    async fn pick(
        &self,
        stage: Stage,
        picked_by: &str,
        protocol_version: &str,
        groups: &[(u8, u8)],
    ) -> Result<Option<PickedJob>, DalError> {
        let now = now_ms();
        let row: Option<PickRow> = on_pool!(self, pool, dialect => {
            let sql = rows::pick_sql(stage, groups, dialect::SKIP_LOCKED);
            let mut tx = dialect::begin_write(pool).await?;
            let mut row: Option<PickRow> = sqlx::query_as(&sql)
                .bind(picked_by)
                .bind(now)
                .bind(protocol_version)
                .fetch_optional(&mut *tx)
                .await?;
            if let Some(r) = row.as_mut() {
                match stage {
                    Stage::Scheduler => r.7 = None,
                    Stage::Compression => {
                        let input: Option<Option<Vec<u8>>> = sqlx::query_scalar(
                            "SELECT result FROM scheduler_jobs WHERE batch = $1",
                        )
                        .bind(r.1)
                        .fetch_optional(&mut *tx)
                        .await?;
                        r.7 = input.flatten();
                    }
                    Stage::WitnessGeneration | Stage::BasicProof => {}
                }
            }
            tx.commit().await?;
            row
        });
        let job = row.map(picked_from_row).transpose()?;
        if let Some(j) = &job {
            debug!(target: "prover_dal", %stage, id = j.id, batch = j.batch, picked_by, attempts = j.attempts, "job picked");
        }
        Ok(job)
    }

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
        let found = on_pool!(self, pool, dialect => {
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
        let (batch, gated) = on_pool!(self, pool, dialect => {
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

    /// The proofs of `batch`'s successful round-0 prover jobs (live or archived), ordered by
    /// sequence number.
    ///
    /// # Errors
    /// [`DalError::OutOfRange`]; [`DalError::Database`].
    pub async fn chunk_proofs(&self, batch: u64) -> Result<Vec<Vec<u8>>, DalError> {
        let b = to_sql("batch", batch)?;
        let proofs: Vec<Option<Vec<u8>>> = on_pool!(self, pool, _d => {
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
        let found = on_pool!(self, pool, dialect => {
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
        let found = on_pool!(self, pool, dialect => {
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

    /// The lowest batch whose status is `proven` (not yet sent) and its compression result.
    ///
    /// # Errors
    /// [`DalError::Corrupt`]; [`DalError::Database`].
    pub async fn next_proof_to_send(&self) -> Result<Option<(u64, Vec<u8>)>, DalError> {
        let row: Option<(i64, Vec<u8>)> = on_pool!(self, pool, _d => {
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
        let outcome: Result<u64, Option<String>> = on_pool!(self, pool, dialect => {
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
        let outcome: Result<(), Option<String>> = on_pool!(self, pool, dialect => {
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

    /// The house keeper's sweep over every stage, in one transaction: jobs `in_progress`
    /// since at least `processing_timeout`, and `failed` jobs, go back to `queued` (picked_by
    /// cleared) while `attempts < max_attempts`. Timed-out `in_progress` jobs that used every
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
            "processing timed out (in progress for more than {} ms)",
            processing_timeout.as_millis()
        );
        let mut report = RequeueReport::default();
        on_pool!(self, pool, dialect => {
            let mut tx = dialect::begin_write(pool).await?;
            for stage in Stage::ALL {
                let table = stage.table();
                let requeued = sqlx::query(&format!(
                    "UPDATE {table} SET status = 'queued', picked_by = NULL, updated_at = $1, \
                     error = CASE WHEN status = 'in_progress' THEN $4 ELSE error END \
                     WHERE attempts < $3 AND (status = 'failed' \
                     OR (status = 'in_progress' AND processing_started_at <= $2))"
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
                     AND processing_started_at <= $2"
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
        let n = on_pool!(self, pool, dialect => {
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
        let found = on_pool!(self, pool, dialect => {
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

    /// Puts prover job `id` back to `queued` with attempts 0 (proof, error and times
    /// cleared). If its batch's scheduler job was `queued` (not yet picked), it goes back to
    /// `waiting_for_proofs`. Returns `false` if no such (live) job exists.
    ///
    /// # Errors
    /// [`DalError::Database`].
    pub async fn restart_job(&self, id: i64) -> Result<bool, DalError> {
        let now = now_ms();
        let batch = on_pool!(self, pool, dialect => {
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

    /// Deletes every row of `batch` from every table (one transaction). Returns `false` if
    /// nothing was stored for it.
    ///
    /// # Errors
    /// [`DalError::Database`].
    pub async fn delete_batch(&self, batch: u64) -> Result<bool, DalError> {
        let b = to_sql("batch", batch)?;
        let deleted = on_pool!(self, pool, dialect => {
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
        let n: i64 = on_pool!(self, pool, dialect => {
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

    /// How many batches are in each status (`received`, `witness_generated`, `proven`,
    /// `sent_to_server`, …), sorted by status; statuses with no batch are absent.
    ///
    /// # Errors
    /// [`DalError::Corrupt`] for a negative count; [`DalError::Database`].
    pub async fn batches_by_status(&self) -> Result<Vec<(String, u64)>, DalError> {
        let rows: Vec<(String, i64)> = on_pool!(self, pool, _d => {
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
        let rows: Vec<i64> = on_pool!(self, pool, _d => {
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
        let (batch_row, per_stage, archived, chunks) = on_pool!(self, pool, _d => {
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
        let per_stage: Vec<Vec<QueueRow>> = on_pool!(self, pool, _d => {
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
        let (counts, per_stage): ((i64, i64, i64), Vec<StageRow>) = on_pool!(self, pool, _d => {
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

/// Moves batch `$1`'s scheduler job from `waiting_for_proofs` to `queued` (at `$2` ms)
/// when its successful round-0 jobs number `number_of_chunks`.
const QUEUE_SCHEDULER_IF_COMPLETE: &str = "UPDATE scheduler_jobs SET status = 'queued', \
     updated_at = $2 WHERE batch = $1 AND status = 'waiting_for_proofs' AND number_of_chunks <= \
     (SELECT COUNT(*) FROM prover_jobs WHERE batch = $1 AND aggregation_round = 0 \
     AND status = 'successful')";

/// `bytes` as lowercase hex.
fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
