//! The rollup's configuration: chain id, namespace, fees, batch limits and the genesis file.

use std::path::Path;

use alloy::primitives::Address;
use serde::{Deserialize, Serialize};

/// Default chain id (EIP-155): 35353.
pub const DEFAULT_CHAIN_ID: u64 = 35_353;

/// Default sequencer namespace the rollup's transactions travel in.
pub const DEFAULT_NAMESPACE: u64 = 42;

/// Default base fee: 1 gwei per gas.
pub const DEFAULT_BASE_FEE_WEI: u128 = 1_000_000_000;

/// When a batch is sealed: after the block that reaches any limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchLimits {
    /// Successful transfers (default 64).
    pub max_transfers: u64,
    /// Raw transaction bytes of the rollup's namespace (default 256 KiB).
    pub max_bytes: u64,
    /// Milliseconds between the first block's and the current block's header timestamps,
    /// once the batch has at least one transfer (default 2,000 ms). Header time, not the
    /// local clock, so that every node cuts the same batches.
    pub max_age_ms: u64,
}

impl Default for BatchLimits {
    fn default() -> Self {
        BatchLimits {
            max_transfers: 64,
            max_bytes: 256 * 1024,
            max_age_ms: 2_000,
        }
    }
}

/// One genesis account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GenesisAccount {
    /// The address.
    pub address: Address,
    /// Balance in wei, a decimal string.
    #[serde(with = "sq_prover_circuits::account::u128_string")]
    pub balance: u128,
}

/// The genesis file (JSON):
///
/// ```json
/// { "chain_id": 35353, "namespace": 42, "base_fee": "1000000000",
///   "fee_recipient": "0x…", "accounts": [ { "address": "0x…", "balance": "1000…" } ] }
/// ```
///
/// Accounts take leaf indices in file order; the fee recipient, when not listed, takes the
/// next index with balance 0. `chain_id`, `namespace`, `base_fee` default to
/// [`DEFAULT_CHAIN_ID`], [`DEFAULT_NAMESPACE`], [`DEFAULT_BASE_FEE_WEI`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Genesis {
    /// EIP-155 chain id.
    #[serde(default = "default_chain_id")]
    pub chain_id: u64,
    /// Sequencer namespace.
    #[serde(default = "default_namespace")]
    pub namespace: u64,
    /// Base fee, wei per gas, decimal string.
    #[serde(
        default = "default_base_fee",
        with = "sq_prover_circuits::account::u128_string"
    )]
    pub base_fee: u128,
    /// The account credited with every fee.
    pub fee_recipient: Address,
    /// Funded accounts.
    pub accounts: Vec<GenesisAccount>,
}

fn default_chain_id() -> u64 {
    DEFAULT_CHAIN_ID
}
fn default_namespace() -> u64 {
    DEFAULT_NAMESPACE
}
fn default_base_fee() -> u128 {
    DEFAULT_BASE_FEE_WEI
}

/// A genesis file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum GenesisError {
    /// It cannot be read.
    #[error("cannot read the genesis file {path}: {source}")]
    Read {
        /// The path.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// It is not valid genesis JSON.
    #[error("the genesis file {path} is not valid: {source}")]
    Parse {
        /// The path.
        path: String,
        /// The parse error.
        source: serde_json::Error,
    },
    /// An address appears twice.
    #[error("genesis lists {0} twice")]
    Duplicate(Address),
    /// More accounts than the state tree holds.
    #[error("genesis has {0} accounts; the state tree holds {cap}", cap = sq_prover_circuits::merkle::CAPACITY)]
    TooMany(usize),
}

impl Genesis {
    /// Reads and parses a genesis file.
    ///
    /// # Errors
    /// [`GenesisError::Read`], [`GenesisError::Parse`].
    pub fn load(path: &Path) -> Result<Genesis, GenesisError> {
        let text = std::fs::read_to_string(path).map_err(|source| GenesisError::Read {
            path: path.display().to_string(),
            source,
        })?;
        serde_json::from_str(&text).map_err(|source| GenesisError::Parse {
            path: path.display().to_string(),
            source,
        })
    }
}

/// Everything the rollup service needs besides its database and its node.
#[derive(Clone, Debug)]
pub struct RollupConfig {
    /// The genesis (chain id, namespace, base fee, fee recipient, balances).
    pub genesis: Genesis,
    /// Batch sealing limits.
    pub batch: BatchLimits,
    /// The protocol version proofs must carry (`0.minor.patch`).
    pub protocol_version: String,
    /// The suggested tip (`eth_maxPriorityFeePerGas`), wei per gas (default 1 gwei).
    pub suggested_tip: u128,
}
