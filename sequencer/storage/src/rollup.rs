//! The example rollup's persistence (schema v2, `migrations/*/0002_rollup.sql`): accounts,
//! executed blocks, receipts, batches and the executed height.
//!
//! Values are opaque bytes encoded by `sq-rollup`; this module only keys and orders them.
//! [`Storage::rollup_apply_block`] writes everything one executed block changes in one SQL
//! transaction, so after a crash the rollup resumes from a consistent executed height.

use sq_db::on_pool;

use crate::store::Storage;
use crate::StorageError;

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

fn key(v: u64) -> Result<i64, StorageError> {
    i64::try_from(v).map_err(|_| StorageError::OutOfRange {
        what: "rollup height or number",
        value: v,
    })
}

fn unkey(what: &'static str, v: i64) -> Result<u64, StorageError> {
    u64::try_from(v).map_err(|_| StorageError::CorruptRollup { what })
}

fn batch_from(t: BatchTuple) -> Result<RollupBatchRow, StorageError> {
    Ok(RollupBatchRow {
        number: unkey("rollup batch number", t.0)?,
        first_height: unkey("rollup batch first height", t.1)?,
        last_height: unkey("rollup batch last height", t.2)?,
        record: t.3,
        proof: t.4,
    })
}

impl Storage {
    /// Writes one executed block in one SQL transaction: the block, its receipts, the
    /// changed accounts, a sealed batch if any, and `executed_height = write.height`.
    ///
    /// # Errors
    /// [`StorageError::InvalidBlock`] if `write.height` is not above the executed height
    /// (nothing is written); [`StorageError::OutOfRange`] above `i64::MAX`;
    /// [`StorageError::Database`] (nothing is written).
    pub async fn rollup_apply_block(&self, write: &RollupBlockWrite) -> Result<(), StorageError> {
        let height = key(write.height)?;
        let batch = write
            .batch
            .as_ref()
            .map(|b| {
                Ok::<_, StorageError>((key(b.number)?, key(b.first_height)?, key(b.last_height)?))
            })
            .transpose()?;
        on_pool!(self.pool, pool, dialect => {
            // It reads before it writes: on SQLite take the write lock first (see begin_write).
            let mut tx = dialect::begin_write(pool).await?;
            let executed: Option<i64> = sqlx::query_scalar(EXECUTED).fetch_optional(&mut *tx).await?;
            if executed.is_some_and(|e| e >= height) {
                tx.rollback().await?;
                return Err(StorageError::InvalidBlock {
                    height: sq_types::Height(write.height),
                    reason: "rollup block at or below the executed height",
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
    /// [`StorageError::Database`]; [`StorageError::Corrupt`] for a negative value.
    pub async fn rollup_executed_height(&self) -> Result<Option<u64>, StorageError> {
        let v: Option<i64> = on_pool!(self.pool, pool => {
            sqlx::query_scalar(EXECUTED).fetch_optional(pool).await?
        });
        v.map(|v| unkey("rollup executed height", v)).transpose()
    }

    /// Every account row, by leaf index.
    ///
    /// # Errors
    /// [`StorageError::Database`]; [`StorageError::Corrupt`] for an index outside `u32`.
    pub async fn rollup_accounts(&self) -> Result<Vec<RollupAccountRow>, StorageError> {
        let rows: Vec<(Vec<u8>, i64, Vec<u8>)> = on_pool!(self.pool, pool => {
            sqlx::query_as(ACCOUNTS).fetch_all(pool).await?
        });
        rows.into_iter()
            .map(|(a, i, e)| {
                let idx = u32::try_from(i).map_err(|_| StorageError::CorruptRollup {
                    what: "rollup account index",
                })?;
                Ok((a, idx, e))
            })
            .collect()
    }

    /// The block encoding executed at `height`.
    ///
    /// # Errors
    /// [`StorageError::Database`].
    pub async fn rollup_block(&self, height: u64) -> Result<Option<Vec<u8>>, StorageError> {
        let Ok(h) = key(height) else { return Ok(None) };
        Ok(on_pool!(self.pool, pool => {
            sqlx::query_scalar(BLOCK_AT).bind(h).fetch_optional(pool).await?
        }))
    }

    /// The blocks with `from <= height <= to`, ascending.
    ///
    /// # Errors
    /// [`StorageError::Database`]; [`StorageError::OutOfRange`].
    pub async fn rollup_blocks(
        &self,
        from: u64,
        to: u64,
    ) -> Result<Vec<(u64, Vec<u8>)>, StorageError> {
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
    /// [`StorageError::Database`].
    pub async fn rollup_receipt(
        &self,
        hash: &[u8],
    ) -> Result<Option<(u64, u32, Vec<u8>)>, StorageError> {
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
    /// [`StorageError::Database`]; [`StorageError::Corrupt`].
    pub async fn rollup_batch(&self, number: u64) -> Result<Option<RollupBatchRow>, StorageError> {
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
    /// [`StorageError::Database`]; [`StorageError::Corrupt`].
    pub async fn rollup_lowest_unproven_batch(
        &self,
        after: u64,
    ) -> Result<Option<RollupBatchRow>, StorageError> {
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
    /// [`StorageError::Database`]; [`StorageError::Corrupt`].
    pub async fn rollup_last_batch(&self) -> Result<Option<RollupBatchRow>, StorageError> {
        let sql = format!("{BATCH_COLS} ORDER BY number DESC LIMIT 1");
        let row: Option<BatchTuple> = on_pool!(self.pool, pool => {
            sqlx::query_as(&sql).fetch_optional(pool).await?
        });
        row.map(batch_from).transpose()
    }

    /// Counts of `(batches, proven batches)`.
    ///
    /// # Errors
    /// [`StorageError::Database`].
    pub async fn rollup_batch_counts(&self) -> Result<(u64, u64), StorageError> {
        let (all, proven): (i64, i64) = on_pool!(self.pool, pool => {
            sqlx::query_as("SELECT COUNT(*), COUNT(proof) FROM rollup_batches").fetch_one(pool).await?
        });
        Ok((all.max(0) as u64, proven.max(0) as u64))
    }

    /// Stores the verified proof of batch `number`. Returns `false` (and changes nothing) if
    /// the batch is unknown or already has a proof.
    ///
    /// # Errors
    /// [`StorageError::Database`].
    pub async fn rollup_mark_proven(
        &self,
        number: u64,
        proof: &[u8],
    ) -> Result<bool, StorageError> {
        let n = key(number)?;
        let affected = on_pool!(self.pool, pool => {
            sqlx::query(MARK_PROVEN).bind(n).bind(proof).execute(pool).await?.rows_affected()
        });
        Ok(affected == 1)
    }
}
