//! Encoding of the rollup's records into its own database ([`crate::db::RollupDb`]), and the
//! restart path.

use crate::db::{RollupBatchRow, RollupBlockWrite, RollupDb, RollupDbError};
use alloy::primitives::B256;
use sq_prover_circuits::account::Account;
use sq_prover_circuits::witness::BatchWitness;

use crate::chain::{BlockOutcome, Chain, OpenBatch};
use crate::config::RollupConfig;
use crate::execute::ExecParams;
use crate::records::{BatchRecord, BlockRecord, ReceiptRecord};
use crate::state::State;

/// A failure to read or write the rollup's tables.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database failed.
    #[error(transparent)]
    Db(#[from] RollupDbError),
    /// A stored value does not decode.
    #[error("corrupt rollup {what}: {reason}")]
    Corrupt {
        /// What was read.
        what: &'static str,
        /// Why it does not decode.
        reason: String,
    },
    /// The genesis is unusable.
    #[error(transparent)]
    Genesis(#[from] crate::config::GenesisError),
}

fn corrupt(what: &'static str) -> impl Fn(serde_json::Error) -> StoreError {
    move |e| StoreError::Corrupt {
        what,
        reason: e.to_string(),
    }
}

fn json<T: serde::Serialize>(v: &T) -> Vec<u8> {
    // Serialising these plain records cannot fail (no maps with non-string keys).
    serde_json::to_vec(v).unwrap_or_default()
}

/// Writes one executed block atomically.
///
/// # Errors
/// [`StoreError::Db`]; nothing is written on error.
pub async fn save_block(db: &RollupDb, out: &BlockOutcome) -> Result<(), StoreError> {
    let write = RollupBlockWrite {
        height: out.block.number,
        block: json(&out.block),
        accounts: out
            .accounts
            .iter()
            .map(|(i, a)| (a.address.to_vec(), *i, json(a)))
            .collect(),
        receipts: out
            .receipts
            .iter()
            .map(|r| (r.hash.to_vec(), r.index, json(r)))
            .collect(),
        batch: out.sealed.as_ref().map(|b| RollupBatchRow {
            number: b.number,
            first_height: b.first_height,
            last_height: b.last_height,
            record: json(b),
            proof: None,
        }),
    };
    db.apply_block(&write).await?;
    Ok(())
}

/// Rebuilds the chain from the database, or from genesis for an empty one.
///
/// # Errors
/// [`StoreError`] when the tables cannot be read or do not decode.
pub async fn load_chain(db: &RollupDb, config: &RollupConfig) -> Result<Chain, StoreError> {
    let g = &config.genesis;
    let params = ExecParams {
        base_fee: g.base_fee,
        fee_recipient: g.fee_recipient,
    };
    let Some(height) = db.executed_height().await? else {
        let state = State::genesis(g)?;
        let root = state.root();
        return Ok(Chain {
            state,
            height: 0,
            last_hash: B256::ZERO,
            open: OpenBatch::new(root),
            next_batch: 1,
            chain_id: g.chain_id,
            params,
            limits: config.batch,
        });
    };
    let rows = db.accounts().await?;
    let mut accounts = Vec::with_capacity(rows.len());
    for (i, (_, idx, enc)) in rows.iter().enumerate() {
        if *idx as usize != i {
            return Err(StoreError::Corrupt {
                what: "account index",
                reason: format!("gap at {i}"),
            });
        }
        accounts.push(serde_json::from_slice::<Account>(enc).map_err(corrupt("account"))?);
    }
    let state = State::from_accounts(accounts).map_err(|e| StoreError::Corrupt {
        what: "accounts",
        reason: e.to_string(),
    })?;
    let last = block(db, height).await?.ok_or(StoreError::Corrupt {
        what: "block",
        reason: format!("executed height {height} has no block"),
    })?;
    let (next_batch, open_from, open_root) = match db.last_batch().await? {
        Some(row) => {
            let b = batch_record(&row)?;
            (b.number + 1, b.last_height + 1, b.root_after)
        }
        None => (1, 1, State::genesis(g)?.root()),
    };
    let mut open = OpenBatch::new(open_root);
    for (_, enc) in db.blocks(open_from, height).await? {
        open.add(&serde_json::from_slice::<BlockRecord>(&enc).map_err(corrupt("block"))?);
    }
    if state.root() != last.state_root {
        return Err(StoreError::Corrupt {
            what: "state",
            reason: "the accounts do not hash to the last block's state root".into(),
        });
    }
    Ok(Chain {
        state,
        height,
        last_hash: last.hash,
        open,
        next_batch,
        chain_id: g.chain_id,
        params,
        limits: config.batch,
    })
}

/// The block at `height`.
///
/// # Errors
/// [`StoreError`].
pub async fn block(db: &RollupDb, height: u64) -> Result<Option<BlockRecord>, StoreError> {
    db.block(height)
        .await?
        .map(|enc| serde_json::from_slice(&enc).map_err(corrupt("block")))
        .transpose()
}

/// The receipt of `hash`.
///
/// # Errors
/// [`StoreError`].
pub async fn receipt(db: &RollupDb, hash: &B256) -> Result<Option<ReceiptRecord>, StoreError> {
    db.receipt(hash.as_slice())
        .await?
        .map(|(_, _, enc)| serde_json::from_slice(&enc).map_err(corrupt("receipt")))
        .transpose()
}

/// Decodes a batch row's record.
///
/// # Errors
/// [`StoreError::Corrupt`].
pub fn batch_record(row: &RollupBatchRow) -> Result<BatchRecord, StoreError> {
    serde_json::from_slice(&row.record).map_err(corrupt("batch"))
}

/// The witness inputs of a sealed batch: its blocks' transfer witnesses in order.
///
/// # Errors
/// [`StoreError`], including a batch whose blocks are missing.
pub async fn batch_witness(
    db: &RollupDb,
    record: &BatchRecord,
    fee_recipient: alloy::primitives::Address,
) -> Result<BatchWitness, StoreError> {
    let mut transfers = Vec::new();
    for (_, enc) in db.blocks(record.first_height, record.last_height).await? {
        let b: BlockRecord = serde_json::from_slice(&enc).map_err(corrupt("block"))?;
        transfers.extend(b.witness);
    }
    if transfers.len() as u64 != record.transfers {
        return Err(StoreError::Corrupt {
            what: "batch",
            reason: format!(
                "batch {} lists {} transfers, its blocks hold {}",
                record.number,
                record.transfers,
                transfers.len()
            ),
        });
    }
    Ok(BatchWitness {
        batch: record.number,
        fee_recipient: fee_recipient.0 .0,
        root_before: record.root_before,
        root_after: record.root_after,
        commitment: record.commitment,
        transfers,
    })
}
