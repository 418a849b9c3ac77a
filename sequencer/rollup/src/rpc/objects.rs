//! The execution-apis objects (block, transaction, receipt) built from the rollup's records
//! with alloy's RPC types, which carry the spec's field names.
//!
//! What the rollup does not have is filled as Ethereum does for the same situation: no
//! uncles (`sha3Uncles` is the empty-list hash), no logs (`logsBloom` zero), difficulty 0
//! and `totalDifficulty` 0 (proof of stake), zero `mixHash` and `nonce`. `size` is the RLP
//! length of the block with its transactions. `transactionsRoot` and `receiptsRoot` are
//! not tries (see [`crate::chain::eth_header`]).

use alloy::consensus::transaction::Recovered;
use alloy::consensus::{
    Eip658Value, Header as ConsensusHeader, Receipt, ReceiptEnvelope, ReceiptWithBloom,
    Transaction as _, TxEnvelope,
};
use alloy::eips::eip2718::Decodable2718;
use alloy::primitives::{Bloom, B256, U256};
use alloy::rlp::Encodable;
use alloy::rpc::types::{Block, BlockTransactions, Header, Log, Transaction, TransactionReceipt};

use super::api::RollupReceipt;
use super::error::RpcError;
use crate::records::{BlockRecord, ReceiptRecord};
use crate::service::PendingTx;

/// Decodes a stored raw transaction (it decoded when it was executed).
pub(crate) fn envelope(raw: &[u8]) -> Result<TxEnvelope, RpcError> {
    let mut buf = raw;
    TxEnvelope::decode_2718(&mut buf).map_err(RpcError::internal)
}

/// An executed transaction, at its place in its block.
pub(crate) fn executed_transaction(r: &ReceiptRecord) -> Result<Transaction, RpcError> {
    Ok(Transaction {
        inner: Recovered::new_unchecked(envelope(&r.raw)?, r.from),
        block_hash: Some(r.block_hash),
        block_number: Some(r.block_number),
        transaction_index: Some(u64::from(r.index)),
        effective_gas_price: Some(r.effective_gas_price),
    })
}

/// A transaction accepted but not executed: block fields null; `gasPrice` of a type-2
/// transaction is its fee cap, as the spec says for a transaction not yet in a block.
pub(crate) fn pending_transaction(p: &PendingTx) -> Result<Transaction, RpcError> {
    let tx = envelope(&p.tx.raw)?;
    let cap = tx.max_fee_per_gas();
    Ok(Transaction {
        inner: Recovered::new_unchecked(tx, p.tx.from),
        block_hash: None,
        block_number: None,
        transaction_index: None,
        effective_gas_price: Some(cap),
    })
}

/// The receipt of `r`; `cumulative_gas_used` is the gas of this and every earlier
/// transaction of its block.
pub(crate) fn receipt(
    r: &ReceiptRecord,
    cumulative_gas_used: u64,
) -> Result<RollupReceipt, RpcError> {
    let receipt = ReceiptWithBloom {
        receipt: Receipt {
            status: Eip658Value::Eip658(r.success),
            cumulative_gas_used,
            logs: Vec::<Log>::new(),
        },
        logs_bloom: Bloom::ZERO,
    };
    let inner = match envelope(&r.raw)? {
        TxEnvelope::Legacy(_) => ReceiptEnvelope::Legacy(receipt),
        _ => ReceiptEnvelope::Eip1559(receipt),
    };
    Ok(RollupReceipt {
        receipt: TransactionReceipt {
            inner,
            transaction_hash: r.hash,
            transaction_index: Some(u64::from(r.index)),
            block_hash: Some(r.block_hash),
            block_number: Some(r.block_number),
            gas_used: r.gas_used,
            effective_gas_price: r.effective_gas_price,
            blob_gas_used: None,
            blob_gas_price: None,
            from: r.from,
            to: Some(r.to),
            contract_address: None,
        },
        revert_reason: r.error.clone(),
    })
}

/// The block object of `header` (whose hash is `hash`) with the receipts of its
/// transactions in order; `full` picks transaction objects over hashes.
pub(crate) fn block(
    header: ConsensusHeader,
    hash: B256,
    receipts: &[ReceiptRecord],
    full: bool,
) -> Result<Block, RpcError> {
    let envelopes = receipts
        .iter()
        .map(|r| envelope(&r.raw))
        .collect::<Result<Vec<_>, _>>()?;
    let size = rlp_size(&header, &envelopes);
    let transactions = if full {
        let txs = receipts.iter().map(executed_transaction);
        BlockTransactions::Full(txs.collect::<Result<_, _>>()?)
    } else {
        BlockTransactions::Hashes(receipts.iter().map(|r| r.hash).collect())
    };
    Ok(Block {
        header: Header {
            hash,
            inner: header,
            total_difficulty: Some(U256::ZERO),
            size: Some(U256::from(size)),
        },
        uncles: Vec::new(),
        transactions,
        withdrawals: None,
    })
}

/// RLP length of `[header, [transactions…], []]`, the block's `size`.
fn rlp_size(header: &ConsensusHeader, txs: &[TxEnvelope]) -> usize {
    let txs_payload: usize = txs.iter().map(Encodable::length).sum();
    let txs_len = alloy::rlp::length_of_length(txs_payload) + txs_payload;
    let uncles_len = 1;
    let payload = header.length() + txs_len + uncles_len;
    alloy::rlp::length_of_length(payload) + payload
}

/// The header record shown as block 0: the genesis state, no transactions.
pub(crate) fn genesis_record(state_root: sq_prover_circuits::hash::Digest) -> BlockRecord {
    BlockRecord {
        number: 0,
        hash: B256::ZERO,
        parent_hash: B256::ZERO,
        timestamp: 0,
        state_root,
        transactions: Vec::new(),
        gas_used: 0,
        bytes: 0,
        timestamp_ms: 0,
        witness: Vec::new(),
    }
}
