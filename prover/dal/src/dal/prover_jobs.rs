//! `prover_jobs`: the proofs of rounds 0 (basic, one job per chunk), 1 (leaf) and 2 (node),
//! keyed by an autoincrement id and unique by (batch, round, circuit, depth, sequence).
//! Saving a proof creates the job whose inputs it completes, or queues the scheduler job
//! for the tree's root, in the same transaction (the gating, [`crate::plan`]); on
//! PostgreSQL the scheduler row is locked first, so two concurrent saves of a job's last
//! two inputs cannot both miss each other's proof.

use sq_db::on_pool;
use tracing::{debug, info};

use super::ProverDal;
use crate::plan::{self, Ready};
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

    /// Stores the proof of prover job `id` (any round) and marks it `successful`; in the
    /// same transaction the job this proof completes the inputs of is created `queued`
    /// (a leaf once its chunk proofs are all done, a node once both children are; see
    /// [`crate::plan`]; an existing one that `failed` is queued again with attempts 0), or,
    /// for the tree's root, the batch's scheduler job moves from `waiting_for_proofs` (or
    /// `failed`) to `queued`. Saving a proof again replaces it.
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
        let (found, made) = on_pool!(self.pool, pool, dialect in (crate::sqlite, crate::postgres) => {
            let mut tx = dialect::begin_write(pool).await?;
            let found: Option<(i64, i64, i64, i64, String)> = sqlx::query_as(
                "UPDATE prover_jobs SET status = 'successful', proof = $2, time_taken_ms = $3, \
                 updated_at = $4, error = NULL WHERE id = $1 \
                 RETURNING batch, aggregation_round, depth, sequence_number, protocol_version",
            )
            .bind(id)
            .bind(proof)
            .bind(taken)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            let mut made = Ready::Nothing;
            if let Some((b, round, depth, seq, version)) = &found {
                if let Some(lock) = dialect::LOCK_SCHEDULER {
                    sqlx::query(lock).bind(b).execute(&mut *tx).await?;
                }
                let chunks: Option<i64> = sqlx::query_scalar(
                    "SELECT number_of_chunks FROM scheduler_jobs WHERE batch = $1",
                )
                .bind(b)
                .fetch_optional(&mut *tx)
                .await?;
                let done: Vec<(i64, i64, i64)> = sqlx::query_as(
                    "SELECT aggregation_round, depth, sequence_number FROM prover_jobs \
                     WHERE batch = $1 AND status = 'successful'",
                )
                .bind(b)
                .fetch_all(&mut *tx)
                .await?;
                made = gate(chunks, &done, (*round, *depth, *seq));
                match made {
                    Ready::Nothing => {}
                    Ready::Scheduler => {
                        sqlx::query(
                            "UPDATE scheduler_jobs SET status = 'queued', error = NULL, \
                             attempts = CASE WHEN status = 'failed' THEN 0 ELSE attempts END, \
                             updated_at = $2 \
                             WHERE batch = $1 AND status IN ('waiting_for_proofs', 'failed')",
                        )
                        .bind(b)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                    }
                    Ready::Job(pos, input) => {
                        let (round, circuit, depth, seq) = pos.job_key();
                        sqlx::query(
                            "INSERT INTO prover_jobs (batch, aggregation_round, circuit_id, depth, \
                             sequence_number, input, status, attempts, created_at, updated_at, \
                             protocol_version) VALUES ($1, $2, $3, $4, $5, $6, 'queued', 0, $7, $7, $8) \
                             ON CONFLICT (batch, aggregation_round, circuit_id, depth, sequence_number) \
                             DO UPDATE SET status = 'queued', attempts = 0, error = NULL, \
                             picked_by = NULL, updated_at = excluded.updated_at \
                             WHERE prover_jobs.status = 'failed'",
                        )
                        .bind(b)
                        .bind(i64::from(round))
                        .bind(i64::from(circuit))
                        .bind(i64::from(depth))
                        .bind(to_sql("sequence_number", seq)?)
                        .bind(serde_json::to_vec(&input).map_err(|e| DalError::Corrupt {
                            what: "prover_jobs.input",
                            detail: e.to_string(),
                        })?)
                        .bind(now)
                        .bind(version.as_str())
                        .execute(&mut *tx)
                        .await?;
                    }
                }
            }
            tx.commit().await?;
            (found.map(|f| f.0), made)
        });
        let Some(batch) = found else {
            return Err(DalError::NotFound {
                stage: Stage::BasicProof.as_str(),
                id,
            });
        };
        debug!(target: "prover_dal", id, batch, ready = ?made, "proof saved");
        Ok(())
    }

    /// The proofs of `batch`'s successful prover jobs of `aggregation_round` at `depth`
    /// with sequence numbers in `[lo, hi)` (live or archived), ordered by sequence number.
    /// Fewer than `hi − lo` proofs are returned when some are missing.
    ///
    /// # Errors
    /// [`DalError::OutOfRange`]; [`DalError::Database`].
    pub async fn round_proofs(
        &self,
        batch: u64,
        aggregation_round: u8,
        depth: u32,
        (lo, hi): (u64, u64),
    ) -> Result<Vec<Vec<u8>>, DalError> {
        let b = to_sql("batch", batch)?;
        let (lo, hi) = (
            to_sql("sequence_number", lo)?,
            to_sql("sequence_number", hi)?,
        );
        let proofs: Vec<Option<Vec<u8>>> = on_pool!(self.pool, pool => {
            sqlx::query_scalar(
                "SELECT proof FROM (SELECT sequence_number, proof FROM prover_jobs \
                 WHERE batch = $1 AND aggregation_round = $2 AND depth = $3 \
                 AND sequence_number >= $4 AND sequence_number < $5 AND status = 'successful' \
                 UNION ALL SELECT sequence_number, proof FROM prover_jobs_archive \
                 WHERE batch = $1 AND aggregation_round = $2 AND depth = $3 \
                 AND sequence_number >= $4 AND sequence_number < $5 AND status = 'successful') AS p \
                 ORDER BY sequence_number",
            )
            .bind(b)
            .bind(i64::from(aggregation_round))
            .bind(i64::from(depth))
            .bind(lo)
            .bind(hi)
            .fetch_all(pool)
            .await?
        });
        Ok(proofs.into_iter().map(Option::unwrap_or_default).collect())
    }

    /// The proof at the root of `batch`'s aggregation tree (the scheduler's input), if
    /// it is done.
    ///
    /// # Errors
    /// [`DalError::NotFound`] when the batch has no scheduler job; [`DalError::OutOfRange`];
    /// [`DalError::Database`].
    pub async fn root_proof(&self, batch: u64) -> Result<Option<Vec<u8>>, DalError> {
        let b = to_sql("batch", batch)?;
        let chunks: Option<i64> = on_pool!(self.pool, pool => {
            sqlx::query_scalar("SELECT number_of_chunks FROM scheduler_jobs WHERE batch = $1")
                .bind(b)
                .fetch_optional(pool)
                .await?
        });
        let chunks = chunks.ok_or(DalError::NotFound {
            stage: Stage::Scheduler.as_str(),
            id: b,
        })?;
        let root = plan::root(plan::leaves(u64::try_from(chunks).unwrap_or(0)));
        let (round, _, depth, seq) = root.job_key();
        let proofs = self
            .round_proofs(batch, round, depth, (seq, seq + 1))
            .await?;
        Ok(proofs.into_iter().next())
    }

    /// The proofs of `batch`'s successful round-0 prover jobs (live or archived), ordered by
    /// sequence number.
    ///
    /// # Errors
    /// [`DalError::OutOfRange`]; [`DalError::Database`].
    pub async fn chunk_proofs(&self, batch: u64) -> Result<Vec<Vec<u8>>, DalError> {
        self.round_proofs(batch, 0, 0, (0, u64::from(u32::MAX)))
            .await
    }

    /// Puts prover job `id` back to `queued` with attempts 0 (proof, error and times
    /// cleared). If it is the root of its batch's tree and the batch's scheduler job was
    /// `queued` (not yet picked), the scheduler goes back to `waiting_for_proofs` until the
    /// root is proven again. Jobs above that already succeeded keep their proofs; one that
    /// fails meanwhile for want of this input (or a scheduler that does) is queued again
    /// with fresh attempts when this job's new proof is saved ([`ProverDal::save_proof`]).
    /// Returns `false` if no such (live) job exists.
    ///
    /// # Errors
    /// [`DalError::Database`].
    pub async fn restart_job(&self, id: i64) -> Result<bool, DalError> {
        let now = now_ms();
        let found = on_pool!(self.pool, pool, dialect in (crate::sqlite, crate::postgres) => {
            let mut tx = dialect::begin_write(pool).await?;
            let found: Option<(i64, i64, i64, i64)> = sqlx::query_as(
                "UPDATE prover_jobs SET status = 'queued', attempts = 0, error = NULL, \
                 picked_by = NULL, proof = NULL, processing_started_at = NULL, \
                 time_taken_ms = NULL, updated_at = $2 WHERE id = $1 \
                 RETURNING batch, aggregation_round, depth, sequence_number",
            )
            .bind(id)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some((b, round, depth, seq)) = found {
                if let Some(lock) = dialect::LOCK_SCHEDULER {
                    sqlx::query(lock).bind(b).execute(&mut *tx).await?;
                }
                let chunks: Option<i64> = sqlx::query_scalar(
                    "SELECT number_of_chunks FROM scheduler_jobs WHERE batch = $1",
                )
                .bind(b)
                .fetch_optional(&mut *tx)
                .await?;
                if is_root(chunks, (round, depth, seq)) {
                    sqlx::query(
                        "UPDATE scheduler_jobs SET status = 'waiting_for_proofs', updated_at = $2 \
                         WHERE batch = $1 AND status = 'queued'",
                    )
                    .bind(b)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                }
            }
            tx.commit().await?;
            found.is_some()
        });
        info!(target: "prover_dal", id, restarted = found, "prover job restarted");
        Ok(found)
    }
}

/// Whether the job at `(aggregation_round, depth, sequence_number)` is the root of the tree
/// of a batch of `chunks` chunks.
fn is_root(chunks: Option<i64>, (round, depth, seq): (i64, i64, i64)) -> bool {
    let Some(chunks) = chunks.and_then(|c| u64::try_from(c).ok()) else {
        return false;
    };
    let (r, _, d, s) = plan::root(plan::leaves(chunks)).job_key();
    (i64::from(r), i64::from(d), i64::try_from(s).unwrap_or(-1)) == (round, depth, seq)
}

/// [`plan::ready`] over the rows read in [`ProverDal::save_proof`]: `chunks` is the
/// batch's `number_of_chunks` (`None`, negative or out-of-range values make nothing ready).
fn gate(chunks: Option<i64>, done: &[(i64, i64, i64)], finished: (i64, i64, i64)) -> Ready {
    let key = |(r, d, s): (i64, i64, i64)| -> Option<(u8, u32, u64)> {
        Some((
            u8::try_from(r).ok()?,
            u32::try_from(d).ok()?,
            u64::try_from(s).ok()?,
        ))
    };
    let (Some(chunks), Some(finished)) =
        (chunks.and_then(|c| u64::try_from(c).ok()), key(finished))
    else {
        return Ready::Nothing;
    };
    let done: Vec<(u8, u32, u64)> = done.iter().filter_map(|&k| key(k)).collect();
    plan::ready(chunks, &done, finished)
}
