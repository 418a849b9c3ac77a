//! Errors of the L1 client.

use sq_bindings::hot_shot_commitments::HotShotCommitments::HotShotCommitmentsErrors;
use sq_bindings::stake_table::StakeTable::StakeTableErrors;
use thiserror::Error;

/// Why an L1 operation failed.
#[derive(Debug, Error)]
pub enum L1Error {
    /// The RPC call or transaction failed (network or node error, or an undecodable revert).
    #[error("L1 contract call failed: {0}")]
    Contract(alloy::contract::Error),
    /// `StakeTable` reverted with one of its custom errors.
    #[error("StakeTable reverted: {0:?}")]
    StakeTableRevert(StakeTableErrors),
    /// `HotShotCommitments` reverted with one of its custom errors.
    #[error("HotShotCommitments reverted: {0:?}")]
    CommitmentsRevert(HotShotCommitmentsErrors),
    /// Waiting for a transaction receipt failed.
    #[error("L1 transaction not confirmed: {0}")]
    Pending(#[from] alloy::providers::PendingTransactionError),
    /// A transaction was mined but reverted.
    #[error("L1 transaction {0} reverted")]
    Reverted(String),
    /// The contract holds data the Rust types reject (a bad key, an invalid table).
    #[error("invalid data from L1: {0}")]
    InvalidData(String),
    /// A signature in a QC is not a valid compressed G2 point.
    #[error("invalid QC signature: {0}")]
    BadSignature(String),
    /// Reading or writing a local file (addresses, keys) failed.
    #[error("{path}: {source}")]
    File {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// An Ethereum private key is not 32 bytes of hex (the key itself is not repeated).
    #[error("invalid Ethereum private key: {0}")]
    InvalidKey(String),
    /// A local file has the wrong format.
    #[error("{path}: {reason}")]
    Format {
        /// The file.
        path: String,
        /// What is wrong.
        reason: String,
    },
}

impl From<alloy::contract::Error> for L1Error {
    /// Decodes a revert into the contract's named custom error when it is one of ours.
    fn from(e: alloy::contract::Error) -> Self {
        if let Some(err) = e.as_decoded_interface_error::<StakeTableErrors>() {
            return L1Error::StakeTableRevert(err);
        }
        if let Some(err) = e.as_decoded_interface_error::<HotShotCommitmentsErrors>() {
            return L1Error::CommitmentsRevert(err);
        }
        L1Error::Contract(e)
    }
}

impl L1Error {
    /// Whether retrying the same call later may succeed (transport and node errors), as opposed
    /// to a revert or bad data, which will fail the same way again.
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        match self {
            L1Error::Contract(e) => e.as_revert_data().is_none(),
            L1Error::Pending(_) => true,
            _ => false,
        }
    }
}
