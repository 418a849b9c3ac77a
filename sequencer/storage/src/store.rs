//! [`Storage`]: the public API, one body of code over both dialects.

use std::path::Path;

use sq_db::{on_pool, Dialect, Migrations, Options, Pool};
use sq_types::{Commitment, Height, Leaf, QuorumCertificate, Transaction};
use sqlx::migrate::Migrator;
use tracing::{debug, info, warn};

use crate::rows::{self, BlockRows};
use crate::{sql, DecidedBlock, StorageError};

/// The file [`Storage::open_sqlite_dir`] uses inside its directory.
pub const SQLITE_FILE_NAME: &str = "sequencer.sqlite";

/// `migrations/sqlite`, built into the binary.
static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
/// `migrations/postgres`, built into the binary.
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// The sequencer schema, per dialect.
const MIGRATIONS: Migrations = Migrations {
    sqlite: &SQLITE_MIGRATIONS,
    postgres: &POSTGRES_MIGRATIONS,
};

/// Errors call it "the SQLite database"; SQLite waits up to 5 s for a lock; pools of 4
/// (SQLite) and 8 (PostgreSQL) connections, 10 s to acquire one.
const OPTIONS: Options = Options::new("database");

/// A handle on the sequencer database: a connection pool, cheap to clone and safe to share
/// between tasks.
///
/// Every method is one round of SQL; writes are single SQL transactions, so after a crash a
/// block is either entirely stored or not at all. Lookups return `Ok(None)` for absent rows.
/// Errors that a retry can cure say so through [`StorageError::is_retryable`]; the handle stays
/// usable after any error (the pool reconnects).
#[derive(Clone, Debug)]
pub struct Storage {
    pub(crate) pool: Pool,
}

impl Storage {
    /// Opens the database at `url` and brings its schema up to date.
    ///
    /// - `sqlite://PATH` (or `sqlite:PATH`; `sqlite:///abs/path` for an absolute path): the file
    ///   is created if missing and opened in WAL mode with `synchronous = FULL`.
    /// - `postgres://…` or `postgresql://…`: a standard libpq-style URL (no TLS support).
    ///
    /// # Errors
    /// [`StorageError::Db`] wrapping [`sq_db::DbError::UnsupportedUrl`] for another scheme,
    /// [`sq_db::DbError::Connect`] when the database cannot be reached or opened (retryable
    /// for a dead server), or [`sq_db::DbError::Migrate`] when the schema cannot be applied.
    pub async fn connect(url: &str) -> Result<Storage, StorageError> {
        let pool = sq_db::connect(url, &MIGRATIONS, &OPTIONS).await?;
        let storage = Storage { pool };
        info!(target: "storage", dialect = %storage.dialect(), "storage opened");
        Ok(storage)
    }

    /// Opens (creating `dir` and the file if missing) the SQLite database
    /// `dir/`[`SQLITE_FILE_NAME`], as [`Storage::connect`] does for a `sqlite://` URL.
    ///
    /// # Errors
    /// [`StorageError::Db`] wrapping [`sq_db::DbError::Io`] if `dir` cannot be created;
    /// otherwise as [`Storage::connect`].
    pub async fn open_sqlite_dir(dir: &Path) -> Result<Storage, StorageError> {
        let path = dir.join(SQLITE_FILE_NAME);
        let pool = sq_db::open_sqlite_file(&path, &MIGRATIONS, &OPTIONS).await?;
        info!(target: "storage", path = %path.display(), "storage opened");
        Ok(Storage { pool })
    }

    /// Which database this handle talks to.
    #[must_use]
    pub fn dialect(&self) -> Dialect {
        self.pool.dialect()
    }

    /// Closes every pooled connection, waiting for those in use to be returned. Later calls
    /// fail with a non-retryable [`sqlx::Error::PoolClosed`].
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Stores a decided block — leaf, QC, payload, VID common data and share, transactions —
    /// in one SQL transaction: once this returns `Ok` all of it is durable; on error none of it
    /// is written.
    ///
    /// Idempotent: when the same leaf (same leaf hash) is already stored at its height, what is
    /// stored is kept and only what is missing is added: a payload (with its transactions) and
    /// a VID share for a leaf stored without them, as catch-up fetches them later. Stored
    /// fields are never compared or replaced. Transactions get indices `0..` in `block.transactions` order and are keyed by
    /// [`Transaction::commit`]; a transaction whose hash is already stored (earlier in this
    /// block or at an earlier height) keeps its first position and the repeat is not stored,
    /// so [`Storage::transaction_at`] returns `None` at the repeat's index.
    ///
    /// # Errors
    /// [`StorageError::Conflict`] if a different leaf is stored at the height;
    /// [`StorageError::InvalidBlock`] if the QC does not certify the leaf or only one of the VID
    /// fields is present; [`StorageError::OutOfRange`] for a height or view above `i64::MAX`;
    /// [`StorageError::Database`] for driver failures.
    pub async fn insert_decided(&self, block: &DecidedBlock) -> Result<(), StorageError> {
        let rows = BlockRows::new(block)?;
        let height = block.leaf.header.height;
        let l = &rows.leaf;
        let fresh = on_pool!(self.pool, pool, dialect in (crate::sqlite, crate::postgres) => {
            let mut tx = pool.begin().await?;
            // The first statement writes, so SQLite takes its write lock at once.
            let fresh = sqlx::query(sql::INSERT_LEAF)
                .bind(l.height)
                .bind(l.view)
                .bind(l.leaf_hash.as_slice())
                .bind(l.leaf.as_slice())
                .bind(l.qc.as_slice())
                .execute(&mut *tx)
                .await?
                .rows_affected()
                == 1;
            if !fresh {
                // `None`: the height is free but the leaf hash is stored at another height.
                let stored: Option<Vec<u8>> = sqlx::query_scalar(sql::LEAF_HASH_AT)
                    .bind(l.height)
                    .fetch_optional(&mut *tx)
                    .await?;
                if stored.as_deref() != Some(l.leaf_hash.as_slice()) {
                    tx.rollback().await?;
                    warn!(target: "storage", %height, "conflicting leaf at a stored height");
                    return Err(StorageError::Conflict { height });
                }
            }
            // For a stored leaf, this fills in what it lacked (a payload fetched by catch-up)
            // and keeps what it had; transactions come with a newly stored payload only.
            let mut payload_new = false;
            if let Some(payload) = &block.payload {
                payload_new = sqlx::query(sql::INSERT_PAYLOAD)
                    .bind(l.height)
                    .bind(payload.as_slice())
                    .execute(&mut *tx)
                    .await?
                    .rows_affected()
                    == 1;
            }
            if let (Some(common), Some(share)) = (&block.vid_common, &block.vid_share) {
                sqlx::query(sql::INSERT_VID)
                    .bind(l.height)
                    .bind(common.as_slice())
                    .bind(share.as_slice())
                    .execute(&mut *tx)
                    .await?;
            }
            if fresh || payload_new {
                dialect::insert_transactions(&mut tx, l.height, &rows.txs).await?;
            }
            tx.commit().await?;
            fresh
        });
        debug!(
            target: "storage",
            %height,
            fresh,
            transactions = rows.txs.hashes.len(),
            "decided block stored"
        );
        Ok(())
    }

    /// The highest stored height, or `None` for an empty database.
    ///
    /// # Errors
    /// [`StorageError::Database`].
    pub async fn latest_height(&self) -> Result<Option<Height>, StorageError> {
        let h: Option<i64> = on_pool!(self.pool, pool => {
            sqlx::query_scalar(sql::LATEST_HEIGHT).fetch_optional(pool).await?
        });
        h.map(rows::height_from_sql).transpose()
    }

    /// The leaf stored at `height` and the QC certifying it.
    ///
    /// # Errors
    /// [`StorageError::Corrupt`] if the row does not decode; [`StorageError::Database`].
    pub async fn leaf(
        &self,
        height: Height,
    ) -> Result<Option<(Leaf, QuorumCertificate)>, StorageError> {
        let Some(h) = rows::key(height.0) else {
            return Ok(None);
        };
        let row: Option<(i64, Vec<u8>, Vec<u8>)> = on_pool!(self.pool, pool => {
            sqlx::query_as(sql::LEAF_AT).bind(h).fetch_optional(pool).await?
        });
        row.map(|(h, leaf, qc)| rows::leaf_from_row(h, &leaf, &qc))
            .transpose()
    }

    /// The leaf whose commitment is `leaf_hash`, and the QC certifying it.
    ///
    /// # Errors
    /// As [`Storage::leaf`].
    pub async fn leaf_by_hash(
        &self,
        leaf_hash: &Commitment,
    ) -> Result<Option<(Leaf, QuorumCertificate)>, StorageError> {
        let key = rows::commitment_to_sql(leaf_hash);
        let row: Option<(i64, Vec<u8>, Vec<u8>)> = on_pool!(self.pool, pool => {
            sqlx::query_as(sql::LEAF_BY_HASH)
                .bind(key.as_slice())
                .fetch_optional(pool)
                .await?
        });
        row.map(|(h, leaf, qc)| rows::leaf_from_row(h, &leaf, &qc))
            .transpose()
    }

    /// Up to `limit` stored leaves with height `>= from`, ascending, each with its QC (for
    /// catch-up). Heights missing from the database are skipped, not reported.
    ///
    /// # Errors
    /// [`StorageError::Corrupt`] if any returned row does not decode; [`StorageError::Database`].
    pub async fn leaves(
        &self,
        from: Height,
        limit: usize,
    ) -> Result<Vec<(Leaf, QuorumCertificate)>, StorageError> {
        let Some(from) = rows::key(from.0) else {
            return Ok(Vec::new());
        };
        let found: Vec<(i64, Vec<u8>, Vec<u8>)> = on_pool!(self.pool, pool => {
            sqlx::query_as(sql::LEAVES_FROM)
                .bind(from)
                .bind(rows::limit(limit))
                .fetch_all(pool)
                .await?
        });
        found
            .iter()
            .map(|(h, leaf, qc)| rows::leaf_from_row(*h, leaf, qc))
            .collect()
    }

    /// The block payload at `height`; `None` if never stored or pruned.
    ///
    /// # Errors
    /// [`StorageError::Database`].
    pub async fn payload(&self, height: Height) -> Result<Option<Vec<u8>>, StorageError> {
        let Some(h) = rows::key(height.0) else {
            return Ok(None);
        };
        Ok(on_pool!(self.pool, pool => {
            sqlx::query_scalar(sql::PAYLOAD_AT).bind(h).fetch_optional(pool).await?
        }))
    }

    /// This node's VID `(common, share)` at `height`; `None` if never stored or pruned.
    ///
    /// # Errors
    /// [`StorageError::Database`].
    pub async fn vid_share(
        &self,
        height: Height,
    ) -> Result<Option<(Vec<u8>, Vec<u8>)>, StorageError> {
        let Some(h) = rows::key(height.0) else {
            return Ok(None);
        };
        Ok(on_pool!(self.pool, pool => {
            sqlx::query_as(sql::VID_AT).bind(h).fetch_optional(pool).await?
        }))
    }

    /// The transaction with commitment `hash`: its height, index in the block, and itself. For
    /// a hash that occurs several times in the chain this is its first stored occurrence.
    ///
    /// # Errors
    /// [`StorageError::Corrupt`] if the row does not hash to `hash` or is malformed;
    /// [`StorageError::Database`].
    pub async fn transaction_by_hash(
        &self,
        hash: &Commitment,
    ) -> Result<Option<(Height, u32, Transaction)>, StorageError> {
        let key = rows::commitment_to_sql(hash);
        let row: Option<rows::TxRow> = on_pool!(self.pool, pool => {
            sqlx::query_as(sql::TX_BY_HASH)
                .bind(key.as_slice())
                .fetch_optional(pool)
                .await?
        });
        row.map(rows::tx_from_row).transpose()
    }

    /// The transaction at index `idx` of the block at `height`; `None` if absent, pruned, or a
    /// repeat of an earlier transaction (see [`Storage::insert_decided`]).
    ///
    /// # Errors
    /// As [`Storage::transaction_by_hash`].
    pub async fn transaction_at(
        &self,
        height: Height,
        idx: u32,
    ) -> Result<Option<Transaction>, StorageError> {
        let Some(h) = rows::key(height.0) else {
            return Ok(None);
        };
        let row: Option<rows::TxRow> = on_pool!(self.pool, pool => {
            sqlx::query_as(sql::TX_AT)
                .bind(h)
                .bind(i64::from(idx))
                .fetch_optional(pool)
                .await?
        });
        row.map(|row| rows::tx_from_row(row).map(|(_, _, tx)| tx))
            .transpose()
    }

    /// Removes the payloads, VID shares and transactions of every stored block except the
    /// `keep` newest (by height), in one SQL transaction, and returns the number of rows
    /// removed. `keep = 0` removes them all. Leaves and QCs are never removed, so the chain of
    /// headers stays verifiable from genesis and lookups by height keep working.
    ///
    /// Pruning only happens when this is called. Afterwards [`Storage::pruned_through`] is the
    /// highest pruned height; blocks inserted later below it are stored in full.
    ///
    /// # Errors
    /// [`StorageError::Database`].
    pub async fn prune(&self, keep: u64) -> Result<u64, StorageError> {
        let offset = rows::key(keep).unwrap_or(i64::MAX);
        let (cutoff, removed) = on_pool!(self.pool, pool => {
            let cutoff: Option<i64> = sqlx::query_scalar(sql::PRUNE_CUTOFF)
                .bind(offset)
                .fetch_optional(pool)
                .await?;
            let Some(cutoff) = cutoff else {
                return Ok(0);
            };
            let mut tx = pool.begin().await?;
            let mut removed = 0;
            for statement in [sql::PRUNE_PAYLOADS, sql::PRUNE_VID, sql::PRUNE_TXS] {
                removed += sqlx::query(statement)
                    .bind(cutoff)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
            }
            sqlx::query(sql::SET_PRUNED_THROUGH)
                .bind(cutoff)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            (cutoff, removed)
        });
        info!(target: "storage", through = cutoff, removed, "pruned");
        Ok(removed)
    }

    /// The highest height ever pruned by [`Storage::prune`], or `None` if nothing was.
    ///
    /// # Errors
    /// [`StorageError::Database`].
    pub async fn pruned_through(&self) -> Result<Option<Height>, StorageError> {
        let v: Option<i64> = on_pool!(self.pool, pool => {
            sqlx::query_scalar(sql::PRUNED_THROUGH).fetch_optional(pool).await?
        });
        Ok(v.and_then(|v| u64::try_from(v).ok()).map(Height))
    }
}
