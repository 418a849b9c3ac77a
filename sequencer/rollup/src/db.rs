//! The rollup's own database on sq-db: accounts, executed blocks, receipts, batches and the
//! executed height (`migrations/sqlite`, `migrations/postgres`; tables `rollup_*`). It holds
//! no sequencer table, and no sequencer database holds these: the node's in-process rollup and
//! the standalone `rollup` binary each open a database of their own (by default
//! `rollup.sqlite` in their data directory).
//!
//! Values are opaque bytes encoded by [`crate::store`]; this module only keys and orders
//! them.
//!
//! # Contracts
//!
//! - **Durability.** [`RollupDb::apply_block`] writes everything one executed block changes
//!   in one SQL transaction; once it returns `Ok` the block is on disk (sq-db: WAL with
//!   `synchronous = FULL` on SQLite, `synchronous_commit = on` on PostgreSQL).
//! - **Restart.** After a crash the rollup resumes from a consistent executed height: a block
//!   is either entirely stored or not at all, and a block at or below the executed height is
//!   refused, so replaying the sequencer from there is safe.
//! - **Failure.** Every error is a [`RollupDbError`]; [`RollupDbError::is_retryable`] tells a
//!   dead or busy database from a corrupt row or bad input.
//!
//! # Schema (version 1)
//!
//! | table | key | notes |
//! |-------|-----|-------|
//! | `rollup_accounts` | `address` (20 bytes) | `idx` (unique leaf index), `account` |
//! | `rollup_blocks` | `height` (sequencer height) | `block` |
//! | `rollup_receipts` | `hash` (32 bytes) | `height`, `idx`, `receipt` |
//! | `rollup_batches` | `number` (from 1) | `first_height`, `last_height`, `record`, `proof` (null until verified) |
//! | `rollup_meta` | `key` | `executed_height` |

use sq_db::{on_pool, DbError, Dialect, Migrations, Options, Pool};
use sqlx::migrate::Migrator;
use tracing::info;

/// The file name of the default SQLite rollup database inside a data directory.
pub const SQLITE_FILE_NAME: &str = "rollup.sqlite";

/// `migrations/sqlite`, built into the binary.
static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
/// `migrations/postgres`, built into the binary.
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// The rollup schema, per dialect.
const MIGRATIONS: Migrations = Migrations {
    sqlite: &SQLITE_MIGRATIONS,
    postgres: &POSTGRES_MIGRATIONS,
};

/// Errors call it "the SQLite rollup database"; sq-db's defaults otherwise (SQLite waits up
/// to 5 s for a lock; pools of 4 and 8 connections).
const OPTIONS: Options = Options::new("rollup database");

/// Why a rollup database operation failed.
#[derive(Debug, thiserror::Error)]
pub enum RollupDbError {
    /// The database driver failed: connection refused or lost, pool timeout, SQL error, …
    #[error("rollup database error: {0}")]
    Database(#[from] sqlx::Error),
    /// Opening the database failed: unsupported URL scheme, unreachable database, failed
    /// migration or file-system error.
    #[error(transparent)]
    Db(#[from] DbError),
    /// [`RollupDb::apply_block`] was handed a height at or below the executed height. Nothing
    /// was written.
    #[error("rollup block {height} is not above the executed height {executed}")]
    NotAboveExecuted {
        /// The height handed in.
        height: u64,
        /// The stored executed height.
        executed: u64,
    },
    /// An integer argument does not fit the database's signed 64-bit column.
    #[error("{what} {value} does not fit a signed 64-bit column")]
    OutOfRange {
        /// Which integer.
        what: &'static str,
        /// Its value.
        value: u64,
    },
    /// A rollup table holds an integer outside its type's range (negative, or an index
    /// above `u32::MAX`): the database was modified outside this crate.
    #[error("corrupt {what} in the rollup tables")]
    Corrupt {
        /// Which column.
        what: &'static str,
    },
}

impl RollupDbError {
    /// True when the same call may succeed later without any change by the caller: the
    /// database is unreachable or busy (sq-db's classification). False for bad input and
    /// corrupt rows.
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        match self {
            RollupDbError::Database(e) => sq_db::is_retryable(e),
            RollupDbError::Db(e) => e.is_retryable(),
            RollupDbError::NotAboveExecuted { .. }
            | RollupDbError::OutOfRange { .. }
            | RollupDbError::Corrupt { .. } => false,
        }
    }
}

/// A handle on the rollup database: a connection pool, cheap to clone and safe to share.
#[derive(Clone, Debug)]
pub struct RollupDb {
    pool: Pool,
}

impl RollupDb {
    /// Opens the rollup database at `url` (`sqlite://PATH`, `postgres://…`; see
    /// [`sq_db::connect`]) and brings its schema up to date.
    ///
    /// # Errors
    /// [`RollupDbError::Db`]: an unsupported scheme, an unreachable database (retryable), a
    /// failed migration.
    pub async fn connect(url: &str) -> Result<RollupDb, RollupDbError> {
        let pool = sq_db::connect(url, &MIGRATIONS, &OPTIONS).await?;
        info!(target: "rollup", dialect = %pool.dialect(), "rollup database opened");
        Ok(RollupDb { pool })
    }

    /// Opens (creating it and its directory if missing) the SQLite rollup database at
    /// `path`.
    ///
    /// # Errors
    /// As [`RollupDb::connect`], and [`sq_db::DbError::Io`] if the directory cannot be
    /// created.
    pub async fn open_sqlite_file(path: &std::path::Path) -> Result<RollupDb, RollupDbError> {
        let pool = sq_db::open_sqlite_file(path, &MIGRATIONS, &OPTIONS).await?;
        info!(target: "rollup", path = %path.display(), "rollup database opened");
        Ok(RollupDb { pool })
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
}

/// One account row: `(address (20 bytes), leaf index, encoding)`.
pub type RollupAccountRow = (Vec<u8>, u32, Vec<u8>);

/// One receipt row: `(transaction hash (32 bytes), index in its block, encoding)`.
pub type RollupReceiptRow = (Vec<u8>, u32, Vec<u8>);

/// A sealed batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RollupBatchRow {
    /// Batch number, from 1.
    pub number: u64,
    /// First sequencer height in the batch.
    pub first_height: u64,
    /// Last sequencer height in the batch (inclusive).
    pub last_height: u64,
    /// The batch record (sq-rollup encoding).
    pub record: Vec<u8>,
    /// The verified proof, once one was accepted.
    pub proof: Option<Vec<u8>>,
}

/// Everything one executed block changes.
#[derive(Clone, Debug, Default)]
pub struct RollupBlockWrite {
    /// The sequencer height executed; must be above the stored executed height.
    pub height: u64,
    /// The block encoding.
    pub block: Vec<u8>,
    /// Accounts created or changed (upserted by address).
    pub accounts: Vec<RollupAccountRow>,
    /// Receipts of the block's transactions.
    pub receipts: Vec<RollupReceiptRow>,
    /// A batch sealed by this block.
    pub batch: Option<RollupBatchRow>,
}

const UPSERT_ACCOUNT: &str =
    "INSERT INTO rollup_accounts (address, idx, account) VALUES ($1, $2, $3) \
     ON CONFLICT (address) DO UPDATE SET account = excluded.account";
const INSERT_BLOCK: &str = "INSERT INTO rollup_blocks (height, block) VALUES ($1, $2)";
const INSERT_RECEIPT: &str = "INSERT INTO rollup_receipts (hash, height, idx, receipt) \
     VALUES ($1, $2, $3, $4) ON CONFLICT (hash) DO NOTHING";
const INSERT_BATCH: &str =
    "INSERT INTO rollup_batches (number, first_height, last_height, record) \
     VALUES ($1, $2, $3, $4)";
const SET_EXECUTED: &str = "INSERT INTO rollup_meta (key, value) VALUES ('executed_height', $1) \
     ON CONFLICT (key) DO UPDATE SET value = excluded.value";
const EXECUTED: &str = "SELECT value FROM rollup_meta WHERE key = 'executed_height'";
const ACCOUNTS: &str = "SELECT address, idx, account FROM rollup_accounts ORDER BY idx";
const BLOCK_AT: &str = "SELECT block FROM rollup_blocks WHERE height = $1";
const BLOCKS_FROM: &str =
    "SELECT height, block FROM rollup_blocks WHERE height >= $1 AND height <= $2 ORDER BY height";
const RECEIPT: &str = "SELECT height, idx, receipt FROM rollup_receipts WHERE hash = $1";
const BATCH_COLS: &str =
    "SELECT number, first_height, last_height, record, proof FROM rollup_batches";
const MARK_PROVEN: &str =
    "UPDATE rollup_batches SET proof = $2 WHERE number = $1 AND proof IS NULL";

type BatchTuple = (i64, i64, i64, Vec<u8>, Option<Vec<u8>>);

fn key(v: u64) -> Result<i64, RollupDbError> {
    i64::try_from(v).map_err(|_| RollupDbError::OutOfRange {
        what: "rollup height or number",
        value: v,
    })
}

fn unkey(what: &'static str, v: i64) -> Result<u64, RollupDbError> {
    u64::try_from(v).map_err(|_| RollupDbError::Corrupt { what })
}

fn batch_from(t: BatchTuple) -> Result<RollupBatchRow, RollupDbError> {
    Ok(RollupBatchRow {
        number: unkey("rollup batch number", t.0)?,
        first_height: unkey("rollup batch first height", t.1)?,
        last_height: unkey("rollup batch last height", t.2)?,
        record: t.3,
        proof: t.4,
    })
}

impl RollupDb {
    /// Writes one executed block in one SQL transaction: the block, its receipts, the
    /// changed accounts, a sealed batch if any, and `executed_height = write.height`.
    ///
    /// # Errors
    /// [`RollupDbError::InvalidBlock`] if `write.height` is not above the executed height
    /// (nothing is written); [`RollupDbError::OutOfRange`] above `i64::MAX`;
    /// [`RollupDbError::Database`] (nothing is written).
    pub async fn apply_block(&self, write: &RollupBlockWrite) -> Result<(), RollupDbError> {
        let height = key(write.height)?;
        let batch = write
            .batch
            .as_ref()
            .map(|b| {
                Ok::<_, RollupDbError>((key(b.number)?, key(b.first_height)?, key(b.last_height)?))
            })
            .transpose()?;
        on_pool!(self.pool, pool, dialect => {
            // It reads before it writes: on SQLite take the write lock first (see begin_write).
            let mut tx = dialect::begin_write(pool).await?;
            let executed: Option<i64> = sqlx::query_scalar(EXECUTED).fetch_optional(&mut *tx).await?;
            if executed.is_some_and(|e| e >= height) {
                tx.rollback().await?;
                return Err(RollupDbError::NotAboveExecuted {
                    height: write.height,
                    executed: executed.unwrap_or_default().unsigned_abs(),
                });
            }
            sqlx::query(INSERT_BLOCK).bind(height).bind(write.block.as_slice()).execute(&mut *tx).await?;
            for (address, idx, account) in &write.accounts {
                sqlx::query(UPSERT_ACCOUNT)
                    .bind(address.as_slice())
                    .bind(i64::from(*idx))
                    .bind(account.as_slice())
                    .execute(&mut *tx)
                    .await?;
            }
            for (hash, idx, receipt) in &write.receipts {
                sqlx::query(INSERT_RECEIPT)
                    .bind(hash.as_slice())
                    .bind(height)
                    .bind(i64::from(*idx))
                    .bind(receipt.as_slice())
                    .execute(&mut *tx)
                    .await?;
            }
            if let (Some((n, first, last)), Some(b)) = (batch, &write.batch) {
                sqlx::query(INSERT_BATCH)
                    .bind(n)
                    .bind(first)
                    .bind(last)
                    .bind(b.record.as_slice())
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query(SET_EXECUTED).bind(height).execute(&mut *tx).await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// The last executed sequencer height, `None` before the first block.
    ///
    /// # Errors
    /// [`RollupDbError::Database`]; [`RollupDbError::Corrupt`] for a negative value.
    pub async fn executed_height(&self) -> Result<Option<u64>, RollupDbError> {
        let v: Option<i64> = on_pool!(self.pool, pool => {
            sqlx::query_scalar(EXECUTED).fetch_optional(pool).await?
        });
        v.map(|v| unkey("rollup executed height", v)).transpose()
    }

    /// Every account row, by leaf index.
    ///
    /// # Errors
    /// [`RollupDbError::Database`]; [`RollupDbError::Corrupt`] for an index outside `u32`.
    pub async fn accounts(&self) -> Result<Vec<RollupAccountRow>, RollupDbError> {
        let rows: Vec<(Vec<u8>, i64, Vec<u8>)> = on_pool!(self.pool, pool => {
            sqlx::query_as(ACCOUNTS).fetch_all(pool).await?
        });
        rows.into_iter()
            .map(|(a, i, e)| {
                let idx = u32::try_from(i).map_err(|_| RollupDbError::Corrupt {
                    what: "rollup account index",
                })?;
                Ok((a, idx, e))
            })
            .collect()
    }

    /// The block encoding executed at `height`.
    ///
    /// # Errors
    /// [`RollupDbError::Database`].
    pub async fn block(&self, height: u64) -> Result<Option<Vec<u8>>, RollupDbError> {
        let Ok(h) = key(height) else { return Ok(None) };
        Ok(on_pool!(self.pool, pool => {
            sqlx::query_scalar(BLOCK_AT).bind(h).fetch_optional(pool).await?
        }))
    }

    /// The blocks with `from <= height <= to`, ascending.
    ///
    /// # Errors
    /// [`RollupDbError::Database`]; [`RollupDbError::OutOfRange`].
    pub async fn blocks(&self, from: u64, to: u64) -> Result<Vec<(u64, Vec<u8>)>, RollupDbError> {
        let (from, to) = (key(from)?, key(to.min(i64::MAX as u64))?);
        let rows: Vec<(i64, Vec<u8>)> = on_pool!(self.pool, pool => {
            sqlx::query_as(BLOCKS_FROM).bind(from).bind(to).fetch_all(pool).await?
        });
        rows.into_iter()
            .map(|(h, b)| Ok((unkey("rollup block height", h)?, b)))
            .collect()
    }

    /// The receipt of transaction `hash`: `(height, index, encoding)`.
    ///
    /// # Errors
    /// [`RollupDbError::Database`].
    pub async fn receipt(&self, hash: &[u8]) -> Result<Option<(u64, u32, Vec<u8>)>, RollupDbError> {
        let row: Option<(i64, i64, Vec<u8>)> = on_pool!(self.pool, pool => {
            sqlx::query_as(RECEIPT).bind(hash).fetch_optional(pool).await?
        });
        row.map(|(h, i, r)| {
            Ok((
                unkey("rollup receipt height", h)?,
                u32::try_from(i).unwrap_or(u32::MAX),
                r,
            ))
        })
        .transpose()
    }

    /// Batch `number`.
    ///
    /// # Errors
    /// [`RollupDbError::Database`]; [`RollupDbError::Corrupt`].
    pub async fn batch(&self, number: u64) -> Result<Option<RollupBatchRow>, RollupDbError> {
        let Ok(n) = key(number) else { return Ok(None) };
        let sql = format!("{BATCH_COLS} WHERE number = $1");
        let row: Option<BatchTuple> = on_pool!(self.pool, pool => {
            sqlx::query_as(&sql).bind(n).fetch_optional(pool).await?
        });
        row.map(batch_from).transpose()
    }

    /// The lowest-numbered batch above `after` without a proof (`after = 0`: any).
    ///
    /// # Errors
    /// [`RollupDbError::Database`]; [`RollupDbError::Corrupt`].
    pub async fn lowest_unproven_batch(
        &self,
        after: u64,
    ) -> Result<Option<RollupBatchRow>, RollupDbError> {
        let after = key(after)?;
        let sql =
            format!("{BATCH_COLS} WHERE proof IS NULL AND number > $1 ORDER BY number LIMIT 1");
        let row: Option<BatchTuple> = on_pool!(self.pool, pool => {
            sqlx::query_as(&sql).bind(after).fetch_optional(pool).await?
        });
        row.map(batch_from).transpose()
    }

    /// The highest-numbered batch.
    ///
    /// # Errors
    /// [`RollupDbError::Database`]; [`RollupDbError::Corrupt`].
    pub async fn last_batch(&self) -> Result<Option<RollupBatchRow>, RollupDbError> {
        let sql = format!("{BATCH_COLS} ORDER BY number DESC LIMIT 1");
        let row: Option<BatchTuple> = on_pool!(self.pool, pool => {
            sqlx::query_as(&sql).fetch_optional(pool).await?
        });
        row.map(batch_from).transpose()
    }

    /// Counts of `(batches, proven batches)`.
    ///
    /// # Errors
    /// [`RollupDbError::Database`].
    pub async fn batch_counts(&self) -> Result<(u64, u64), RollupDbError> {
        let (all, proven): (i64, i64) = on_pool!(self.pool, pool => {
            sqlx::query_as("SELECT COUNT(*), COUNT(proof) FROM rollup_batches").fetch_one(pool).await?
        });
        Ok((all.max(0) as u64, proven.max(0) as u64))
    }

    /// Stores the verified proof of batch `number`. Returns `false` (and changes nothing) if
    /// the batch is unknown or already has a proof.
    ///
    /// # Errors
    /// [`RollupDbError::Database`].
    pub async fn mark_proven(&self, number: u64, proof: &[u8]) -> Result<bool, RollupDbError> {
        let n = key(number)?;
        let affected = on_pool!(self.pool, pool => {
            sqlx::query(MARK_PROVEN).bind(n).bind(proof).execute(pool).await?.rows_affected()
        });
        Ok(affected == 1)
    }
}
