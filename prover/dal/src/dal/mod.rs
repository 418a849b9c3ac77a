//! [`ProverDal`]: the public API, one body of code over both dialects, one file per stage or
//! table (the shape of zkSync's `fri_*_dal.rs`).
//!
//! `mod.rs` holds the handle, connecting and the pick shared by every stage;
//! `protocol_versions.rs`, `batches.rs`, `witness_inputs.rs`, `prover_jobs.rs`,
//! `scheduler_jobs.rs` and `compression_jobs.rs` the transitions of each table;
//! `house_keeper.rs` failure reports and the periodic requeue; `maintenance.rs` the operator's
//! requeue, restart and delete; `reports.rs` the read-only reports.

use sq_db::{on_pool, Dialect, Migrations, Options, Pool};
use sqlx::migrate::Migrator;
use tracing::{debug, info};

use crate::rows::{self, now_ms, picked_from_row, PickRow};
use crate::types::{PickedJob, Stage};
use crate::DalError;

mod batches;
mod compression_jobs;
mod house_keeper;
mod maintenance;
mod protocol_versions;
mod prover_jobs;
mod reports;
mod scheduler_jobs;
mod witness_inputs;

/// Longest error text stored by [`ProverDal::fail_job`], in bytes; longer text is cut.
pub const MAX_ERROR_LEN: usize = 4096;

/// `migrations/sqlite`, built into the binary.
static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
/// `migrations/postgres`, built into the binary.
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// The job schema, per dialect.
const MIGRATIONS: Migrations = Migrations {
    sqlite: &SQLITE_MIGRATIONS,
    postgres: &POSTGRES_MIGRATIONS,
};

/// Errors call it "the SQLite prover database"; SQLite waits up to 10 s for the write lock
/// (picks by several workers queue on it); pools of 4 (SQLite) and 8 (PostgreSQL)
/// connections, 10 s to acquire one.
const OPTIONS: Options = Options {
    sqlite_busy_timeout: std::time::Duration::from_secs(10),
    ..Options::new("prover database")
};

/// A handle on the prover database: a connection pool, cheap to clone and safe to share
/// between tasks and workers.
///
/// Every state transition is one SQL statement or one SQL transaction, so a worker killed at
/// any point leaves each job either untouched, `in_progress` (requeued by
/// [`ProverDal::requeue_stuck`] after its timeout) or finished. A pick never hands the same
/// job to two callers. Timestamps are Unix milliseconds taken from this process's clock.
#[derive(Clone, Debug)]
pub struct ProverDal {
    pool: Pool,
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
    /// [`DalError::Db`] wrapping [`sq_db::DbError::UnsupportedUrl`] for another scheme,
    /// [`sq_db::DbError::Connect`] when the database cannot be reached or opened (retryable
    /// for a dead server), or [`sq_db::DbError::Migrate`] when the schema cannot be applied.
    pub async fn connect(url: &str) -> Result<ProverDal, DalError> {
        let pool = sq_db::connect(url, &MIGRATIONS, &OPTIONS).await?;
        let dal = ProverDal { pool };
        info!(target: "prover_dal", dialect = %dal.dialect(), "prover database opened");
        Ok(dal)
    }

    /// Which database this handle talks to.
    #[must_use]
    pub fn dialect(&self) -> Dialect {
        self.pool.dialect()
    }

    /// Closes every pooled connection; later calls fail with [`sqlx::Error::PoolClosed`].
    pub async fn close(&self) {
        self.pool.close().await;
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
        let row: Option<PickRow> = on_pool!(self.pool, pool, dialect in (crate::sqlite, crate::postgres) => {
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
}
