//! What the rollup stores per block, transaction and batch (JSON in the `rollup_*` tables).

use alloy::primitives::{Address, B256};
use serde::{Deserialize, Serialize};
use sq_prover_circuits::account::u128_string;
use sq_prover_circuits::hash::Digest;
use sq_prover_circuits::witness::TransferWitness;

/// One executed sequencer height: a rollup block (possibly without transactions).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockRecord {
    /// The sequencer height = the rollup block number.
    pub number: u64,
    /// keccak256 of the RLP of the Ethereum-style header this block is shown as.
    pub hash: B256,
    /// The previous block's hash (zero for the first executed block).
    pub parent_hash: B256,
    /// Header time, Unix seconds.
    pub timestamp: u64,
    /// The state root after the block (the Poseidon2 digest's 32-byte form).
    pub state_root: Digest,
    /// Hashes of the rollup transactions in the block, successful or failed, in order.
    pub transactions: Vec<B256>,
    /// Gas used by the successful transfers (21,000 each).
    pub gas_used: u64,
    /// Raw bytes of the namespace's transactions.
    pub bytes: u64,
    /// Header time, Unix milliseconds (for batch ages).
    pub timestamp_ms: u64,
    /// The witnesses of the successful transfers, in order.
    pub witness: Vec<TransferWitness>,
}

/// A transaction's outcome.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptRecord {
    /// Transaction hash.
    pub hash: B256,
    /// Block number.
    pub block_number: u64,
    /// Block hash.
    pub block_hash: B256,
    /// Index in the block.
    pub index: u32,
    /// Sender.
    pub from: Address,
    /// Recipient.
    pub to: Address,
    /// Whether it executed.
    pub success: bool,
    /// Why it failed.
    pub error: Option<String>,
    /// Gas used: 21,000 on success, 0 on failure (a failed transfer pays nothing).
    pub gas_used: u64,
    /// Effective gas price, wei per gas (0 if the price was below the base fee).
    #[serde(with = "u128_string")]
    pub effective_gas_price: u128,
    /// The raw signed transaction.
    #[serde(with = "hex_bytes")]
    pub raw: Vec<u8>,
}

/// A sealed batch and its status: one definition shared with the proof-data-handler's clients
/// (see [`sq_prover_circuits::pdh`]), since `GET /batches/{n}` serves the record as stored.
pub use sq_prover_circuits::pdh::{BatchRecord, BatchStatus};

pub(crate) mod hex_bytes {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("0x{}", hex::encode(v)))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        hex::decode(s.strip_prefix("0x").unwrap_or(&s)).map_err(serde::de::Error::custom)
    }
}
