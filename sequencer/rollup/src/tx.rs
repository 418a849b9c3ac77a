//! Decoding a raw signed Ethereum transaction into a plain value transfer, with alloy.
//!
//! Accepted: legacy transactions with EIP-155 replay protection and EIP-1559 (type 2)
//! transactions, for the configured chain id, that send value to an address with no calldata
//! and no access list. Refused with a [`TxError`]: anything that does not decode, other types
//! (EIP-2930, EIP-4844, EIP-7702), pre-EIP-155 legacy signatures, another chain id, contract
//! creation, calldata, access lists, a gas limit below 21,000, a value of 2^128 wei or more,
//! and a signature from which no signer can be recovered.

use alloy::consensus::transaction::SignerRecoverable;
use alloy::consensus::{Transaction as _, TxEnvelope};
use alloy::eips::eip2718::Decodable2718;
use alloy::primitives::{Address, B256};

/// Intrinsic gas of a plain transfer; the only gas a transfer uses.
pub const TRANSFER_GAS: u64 = 21_000;

/// Largest raw transaction accepted, in bytes (a signed transfer is about 110 bytes).
pub const MAX_RAW_TX_BYTES: usize = 4096;

/// How the sender prices gas.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FeeKind {
    /// Legacy: one gas price, in wei per gas.
    Legacy {
        /// Gas price.
        gas_price: u128,
    },
    /// EIP-1559: fee cap and tip, in wei per gas.
    Eip1559 {
        /// `max_fee_per_gas`.
        max_fee: u128,
        /// `max_priority_fee_per_gas`.
        max_priority_fee: u128,
    },
}

impl FeeKind {
    /// The effective gas price under `base_fee` (wei per gas): the legacy price, or
    /// `min(max_fee, base_fee + tip)` (EIP-1559 §"Specification").
    ///
    /// # Errors
    /// [`TxError::FeeBelowBaseFee`] when the price or the fee cap is below `base_fee`.
    pub fn effective_gas_price(&self, base_fee: u128) -> Result<u128, TxError> {
        match *self {
            FeeKind::Legacy { gas_price } if gas_price >= base_fee => Ok(gas_price),
            FeeKind::Eip1559 {
                max_fee,
                max_priority_fee,
            } if max_fee >= base_fee => Ok(max_fee.min(base_fee.saturating_add(max_priority_fee))),
            FeeKind::Legacy { gas_price: offered }
            | FeeKind::Eip1559 {
                max_fee: offered, ..
            } => Err(TxError::FeeBelowBaseFee { offered, base_fee }),
        }
    }

    /// The EIP-2718 type byte (0 or 2).
    pub fn type_byte(&self) -> u8 {
        match self {
            FeeKind::Legacy { .. } => 0,
            FeeKind::Eip1559 { .. } => 2,
        }
    }
}

/// A decoded, signature-checked transfer.
#[derive(Clone, Debug)]
pub struct SignedTransfer {
    /// The transaction hash (keccak256 of the EIP-2718 encoding).
    pub hash: B256,
    /// The recovered signer.
    pub from: Address,
    /// The recipient.
    pub to: Address,
    /// Value in wei (below 2^128).
    pub value: u128,
    /// The sender's nonce.
    pub nonce: u64,
    /// Gas limit (at least [`TRANSFER_GAS`]).
    pub gas_limit: u64,
    /// Pricing.
    pub fee: FeeKind,
    /// The decoded envelope (for the JSON-RPC views).
    pub envelope: TxEnvelope,
    /// The raw bytes as received.
    pub raw: Vec<u8>,
}

/// Why raw bytes are not an acceptable transfer. Messages are written for a wallet user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TxError {
    /// Empty, or larger than [`MAX_RAW_TX_BYTES`].
    #[error("transaction size {size} bytes is outside 1..={MAX_RAW_TX_BYTES}")]
    Size {
        /// Bytes given.
        size: usize,
    },
    /// Not an RLP / EIP-2718 encoding.
    #[error("malformed transaction: {0}")]
    Malformed(String),
    /// A type other than legacy or EIP-1559.
    #[error("transaction type {0} is not supported: send a legacy (EIP-155) or EIP-1559 transfer")]
    UnsupportedType(u8),
    /// A legacy transaction without EIP-155 replay protection.
    #[error("only replay-protected (EIP-155) transactions are allowed")]
    NotReplayProtected,
    /// Signed for another chain.
    #[error("invalid chain id: expected {expected}, got {got}")]
    WrongChainId {
        /// The rollup's chain id.
        expected: u64,
        /// The transaction's.
        got: u64,
    },
    /// No signer recoverable from the signature.
    #[error("invalid signature: {0}")]
    BadSignature(String),
    /// Contract creation.
    #[error("contract creation is not supported: this rollup only runs plain value transfers")]
    ContractCreation,
    /// Non-empty calldata.
    #[error("calldata is not supported: this rollup only runs plain value transfers")]
    Calldata,
    /// Non-empty access list.
    #[error("access lists are not supported: this rollup only runs plain value transfers")]
    AccessList,
    /// Gas limit below the intrinsic 21,000.
    #[error("intrinsic gas too low: have {have}, want {TRANSFER_GAS}")]
    GasTooLow {
        /// The gas limit.
        have: u64,
    },
    /// Value of 2^128 wei or more.
    #[error("value exceeds the largest balance (2^128 - 1 wei)")]
    ValueTooLarge,
    /// EIP-1559 tip above the fee cap.
    #[error("max priority fee per gas higher than max fee per gas")]
    TipAboveFeeCap,
    /// The offered price or fee cap is below the base fee.
    #[error(
        "transaction underpriced: gas price {offered} wei is below the base fee {base_fee} wei"
    )]
    FeeBelowBaseFee {
        /// Gas price or fee cap offered, wei per gas.
        offered: u128,
        /// The rollup's base fee, wei per gas.
        base_fee: u128,
    },
}

/// Decodes and checks `raw` for chain `chain_id`.
///
/// # Errors
/// The first [`TxError`] that applies, in the order of the module docs.
pub fn decode(raw: &[u8], chain_id: u64) -> Result<SignedTransfer, TxError> {
    if raw.is_empty() || raw.len() > MAX_RAW_TX_BYTES {
        return Err(TxError::Size { size: raw.len() });
    }
    let mut buf = raw;
    let envelope =
        TxEnvelope::decode_2718(&mut buf).map_err(|e| TxError::Malformed(e.to_string()))?;
    if !buf.is_empty() {
        return Err(TxError::Malformed(format!("{} trailing bytes", buf.len())));
    }
    let fee = match &envelope {
        TxEnvelope::Legacy(tx) => {
            if tx.tx().chain_id.is_none() {
                return Err(TxError::NotReplayProtected);
            }
            FeeKind::Legacy {
                gas_price: tx.tx().gas_price,
            }
        }
        TxEnvelope::Eip1559(tx) => {
            let t = tx.tx();
            if t.max_priority_fee_per_gas > t.max_fee_per_gas {
                return Err(TxError::TipAboveFeeCap);
            }
            if !t.access_list.0.is_empty() {
                return Err(TxError::AccessList);
            }
            FeeKind::Eip1559 {
                max_fee: t.max_fee_per_gas,
                max_priority_fee: t.max_priority_fee_per_gas,
            }
        }
        other => return Err(TxError::UnsupportedType(other.tx_type() as u8)),
    };
    let got = envelope.chain_id().unwrap_or_default();
    if got != chain_id {
        return Err(TxError::WrongChainId {
            expected: chain_id,
            got,
        });
    }
    let from = envelope
        .recover_signer()
        .map_err(|e| TxError::BadSignature(e.to_string()))?;
    let to = envelope.to().ok_or(TxError::ContractCreation)?;
    if !envelope.input().is_empty() {
        return Err(TxError::Calldata);
    }
    if envelope.gas_limit() < TRANSFER_GAS {
        return Err(TxError::GasTooLow {
            have: envelope.gas_limit(),
        });
    }
    let value = u128::try_from(envelope.value()).map_err(|_| TxError::ValueTooLarge)?;
    Ok(SignedTransfer {
        hash: *envelope.tx_hash(),
        from,
        to,
        value,
        nonce: envelope.nonce(),
        gas_limit: envelope.gas_limit(),
        fee,
        envelope,
        raw: raw.to_vec(),
    })
}
