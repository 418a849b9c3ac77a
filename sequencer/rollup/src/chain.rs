//! The rollup chain: executes one sequencer block at a time and cuts batches. Pure: no I/O.
//!
//! Every sequencer height is one rollup block (empty when the namespace is absent). Raw bytes
//! that do not decode as an acceptable transfer ([`crate::tx::decode`]) are skipped without a
//! receipt: no valid signer is known for them. Decoded transfers that break an execution rule
//! get a failed receipt ([`crate::execute`]). A batch is sealed after the block that reaches a
//! [`BatchLimits`] limit; the limits use header time, so every node cuts the same batches.

use alloy::consensus::Header;
use alloy::primitives::{keccak256, Address, B256};
use sq_prover_circuits::account::Account;
use sq_prover_circuits::hash::Digest;
use sq_prover_circuits::transfer::absorb;
use tracing::debug;

use crate::config::BatchLimits;
use crate::execute::{execute, fee_of, ExecParams};
use crate::records::{BatchRecord, BlockRecord, ReceiptRecord};
use crate::state::State;
use crate::tx::{decode, TRANSFER_GAS};

/// Gas limit shown in block headers.
pub const BLOCK_GAS_LIMIT: u64 = 30_000_000;

/// The batch being filled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenBatch {
    /// First height, once a block was added.
    pub first_height: Option<u64>,
    /// Root before the batch.
    pub root_before: Digest,
    /// Running transfer commitment.
    pub commitment: Digest,
    /// Successful transfers so far.
    pub transfers: u64,
    /// Raw namespace bytes so far.
    pub bytes: u64,
    /// Header time of the first block with a transfer, ms.
    pub first_transfer_ms: Option<u64>,
}

impl OpenBatch {
    /// An empty batch starting at `root`.
    pub fn new(root: Digest) -> OpenBatch {
        OpenBatch {
            first_height: None,
            root_before: root,
            commitment: Digest::ZERO,
            transfers: 0,
            bytes: 0,
            first_transfer_ms: None,
        }
    }

    /// Adds an executed block to the batch.
    pub fn add(&mut self, block: &BlockRecord) {
        self.first_height.get_or_insert(block.number);
        for w in &block.witness {
            self.commitment = absorb(&self.commitment, &w.transfer);
        }
        self.transfers += block.witness.len() as u64;
        self.bytes += block.bytes;
        if !block.witness.is_empty() {
            self.first_transfer_ms.get_or_insert(block.timestamp_ms);
        }
    }

    /// Whether the batch is due after a block at `now_ms`. A batch without a transfer is
    /// never due (nothing to prove).
    pub fn is_due(&self, limits: &BatchLimits, now_ms: u64) -> bool {
        self.transfers > 0 && self.due_by_limits(limits, now_ms)
    }

    fn due_by_limits(&self, limits: &BatchLimits, now_ms: u64) -> bool {
        self.transfers >= limits.max_transfers
            || self.bytes >= limits.max_bytes
            || self
                .first_transfer_ms
                .is_some_and(|t| now_ms.saturating_sub(t) >= limits.max_age_ms)
    }
}

/// A sequencer block as the rollup sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockInput {
    /// Sequencer height.
    pub height: u64,
    /// Header time, Unix ms.
    pub timestamp_ms: u64,
    /// The namespace's transaction payloads, in order.
    pub transactions: Vec<Vec<u8>>,
}

/// What executing one block produced.
#[derive(Clone, Debug)]
pub struct BlockOutcome {
    /// The block.
    pub block: BlockRecord,
    /// Receipts, in order.
    pub receipts: Vec<ReceiptRecord>,
    /// Accounts written, with their leaf index (last write of each; every account for the
    /// first executed block).
    pub accounts: Vec<(u32, Account)>,
    /// The batch this block sealed.
    pub sealed: Option<BatchRecord>,
    /// Raw payloads skipped because they do not decode (with the reason).
    pub rejected: Vec<String>,
}

/// The executed chain: state, last block, and the open batch.
#[derive(Clone, Debug)]
pub struct Chain {
    /// Account state after `height`.
    pub state: State,
    /// Last executed height (0 before the first).
    pub height: u64,
    /// Hash of the last executed block (zero before the first).
    pub last_hash: B256,
    /// The batch being filled.
    pub open: OpenBatch,
    /// The number the next sealed batch gets.
    pub next_batch: u64,
    /// Chain id.
    pub chain_id: u64,
    /// Fee parameters.
    pub params: ExecParams,
    /// Batch limits.
    pub limits: BatchLimits,
}

/// The Ethereum-style header shown for `block` (`eth_getBlockByNumber`); its
/// `hash_slow()` is [`BlockRecord::hash`]. `transactionsRoot` is keccak256 of the
/// concatenated transaction hashes (not a trie), `receiptsRoot` is zero.
pub fn eth_header(block: &BlockRecord, base_fee: u128, fee_recipient: Address) -> Header {
    let mut hashes = Vec::with_capacity(32 * block.transactions.len());
    for h in &block.transactions {
        hashes.extend_from_slice(h.as_slice());
    }
    Header {
        parent_hash: block.parent_hash,
        beneficiary: fee_recipient,
        state_root: B256::from(block.state_root.to_bytes()),
        transactions_root: keccak256(&hashes),
        number: block.number,
        gas_limit: BLOCK_GAS_LIMIT,
        gas_used: block.gas_used,
        timestamp: block.timestamp,
        base_fee_per_gas: Some(u64::try_from(base_fee).unwrap_or(u64::MAX)),
        ..Header::default()
    }
}

impl Chain {
    /// Executes `input` (its height must be `self.height + 1` or later; skipped heights are
    /// treated as empty) and seals a batch when one is due.
    pub fn apply(&mut self, input: &BlockInput) -> BlockOutcome {
        let mut receipts = Vec::new();
        let mut witness = Vec::new();
        let mut rejected = Vec::new();
        let mut touched: Vec<Address> = Vec::new();
        let mut bytes = 0u64;
        for raw in &input.transactions {
            bytes += raw.len() as u64;
            let tx = match decode(raw, self.chain_id) {
                Ok(tx) => tx,
                Err(e) => {
                    debug!(target: "rollup", height = input.height, error = %e, "payload skipped");
                    rejected.push(e.to_string());
                    continue;
                }
            };
            let index = receipts.len() as u32;
            let (success, error, gas_used, price) =
                match execute(&mut self.state, &tx, &self.params) {
                    Ok(done) => {
                        touched.extend([tx.from, tx.to, self.params.fee_recipient]);
                        witness.push(done.witness);
                        (true, None, TRANSFER_GAS, done.effective_gas_price)
                    }
                    Err(e) => {
                        let price = fee_of(&tx, self.params.base_fee).map_or(0, |(p, _)| p);
                        (false, Some(e.to_string()), 0, price)
                    }
                };
            receipts.push(ReceiptRecord {
                hash: tx.hash,
                block_number: input.height,
                block_hash: B256::ZERO,
                index,
                from: tx.from,
                to: tx.to,
                success,
                error,
                gas_used,
                effective_gas_price: price,
                raw: tx.raw,
            });
        }
        let mut block = BlockRecord {
            number: input.height,
            hash: B256::ZERO,
            parent_hash: self.last_hash,
            timestamp: input.timestamp_ms / 1000,
            state_root: self.state.root(),
            transactions: receipts.iter().map(|r| r.hash).collect(),
            gas_used: TRANSFER_GAS * witness.len() as u64,
            bytes,
            timestamp_ms: input.timestamp_ms,
            witness,
        };
        block.hash =
            eth_header(&block, self.params.base_fee, self.params.fee_recipient).hash_slow();
        for r in &mut receipts {
            r.block_hash = block.hash;
        }
        touched.sort();
        touched.dedup();
        // The first executed block also stores the genesis accounts, so that the stored
        // accounts always form the whole tree.
        let accounts = if self.height == 0 {
            self.state
                .accounts()
                .iter()
                .enumerate()
                .map(|(i, a)| (i as u32, *a))
                .collect()
        } else {
            touched
                .iter()
                .filter_map(|a| Some((self.state.index_of(a)?, *self.state.account(a)?)))
                .collect()
        };

        self.open.add(&block);
        let sealed = if self.open.is_due(&self.limits, input.timestamp_ms) {
            let open = std::mem::replace(&mut self.open, OpenBatch::new(block.state_root));
            let record = BatchRecord {
                number: self.next_batch,
                first_height: open.first_height.unwrap_or(input.height),
                last_height: input.height,
                root_before: open.root_before,
                root_after: block.state_root,
                commitment: open.commitment,
                transfers: open.transfers,
                sealed_at_ms: input.timestamp_ms,
            };
            self.next_batch += 1;
            Some(record)
        } else {
            None
        };
        self.height = input.height;
        self.last_hash = block.hash;
        BlockOutcome {
            block,
            receipts,
            accounts,
            sealed,
            rejected,
        }
    }
}
