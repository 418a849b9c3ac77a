//! The crate's one error type.
//!
//! Variants fall in three groups, and [`DaError::is_leader_fault`] tells them apart for the
//! caller (the DA actor in `node`):
//!
//! - **bad input from the caller**: [`DaError::InvalidParams`], [`DaError::InvalidNsTable`],
//!   [`DaError::PayloadTooLarge`];
//! - **a bad share, common data or proof from one peer** (drop it, keep going):
//!   [`DaError::CommitmentMismatch`], [`DaError::InvalidCommon`], [`DaError::ShareIndexOutOfRange`],
//!   [`DaError::ProofIndexMismatch`], [`DaError::ShareSizeMismatch`], [`DaError::BadMerkleProof`],
//!   [`DaError::WrongNamespace`], [`DaError::BadNamespaceProof`];
//! - **not enough or contradictory shares**: [`DaError::NotEnoughShares`] (wait for more) and
//!   [`DaError::InconsistentDispersal`] (the leader committed to shares that are not one
//!   Reed–Solomon codeword of one payload: AVID-M's "⊥" outcome; every honest node that recovers
//!   gets the same verdict).

use sq_types::codec::DecodeError;
use sq_types::{NamespaceId, NodeIndex};
use thiserror::Error;

/// Why a dispersal, a share, a recovery or a namespace proof failed.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum DaError {
    /// `n` is outside `1..=`[`crate::MAX_VID_NODES`].
    #[error("invalid VID parameters: n = {n} (must be 1..={max})")]
    InvalidParams {
        /// The requested number of shares.
        n: u32,
        /// The largest supported `n`.
        max: u32,
    },
    /// The namespace table does not describe the payload (see `NsTable::validate`).
    #[error("namespace table does not fit the payload: {0}")]
    InvalidNsTable(DecodeError),
    /// The payload exceeds [`crate::MAX_DISPERSAL_BYTES`].
    #[error("payload of {len} bytes exceeds the dispersal limit of {max} bytes")]
    PayloadTooLarge {
        /// The payload length, in bytes.
        len: u64,
        /// The limit, in bytes.
        max: u64,
    },
    /// The erasure-coding library refused its input. Unreachable for parameters that passed
    /// [`crate::VidParams::new`]; kept typed rather than panicking.
    #[error("erasure coding failed: {0}")]
    ErasureCode(#[from] reed_solomon_simd::Error),
    /// The [`crate::VidCommon`] does not hash to the payload commitment it was checked against.
    #[error("VID common data does not match the payload commitment")]
    CommitmentMismatch,
    /// The [`crate::VidCommon`] is internally inconsistent (bad `n`, or a shard size that does
    /// not follow from `n` and the payload length).
    #[error("invalid VID common data: {reason}")]
    InvalidCommon {
        /// Which rule it broke.
        reason: &'static str,
    },
    /// A share's index is not below `n`.
    #[error("share index {index} out of range for n = {n}")]
    ShareIndexOutOfRange {
        /// The share's index.
        index: NodeIndex,
        /// The number of shares.
        n: u32,
    },
    /// The share's index and its Merkle proof's index differ.
    #[error("share {share} carries a Merkle proof for index {proof}")]
    ProofIndexMismatch {
        /// The share's index.
        share: NodeIndex,
        /// The proof's index.
        proof: u32,
    },
    /// The share's data is not exactly `shard_bytes` long.
    #[error("share {index} has {got} bytes, expected {expected}")]
    ShareSizeMismatch {
        /// The share's index.
        index: NodeIndex,
        /// `VidCommon::shard_bytes`.
        expected: usize,
        /// The share's length.
        got: usize,
    },
    /// The share's Merkle proof does not lead to `vid_root`.
    #[error("share {index}: Merkle proof does not match the VID root")]
    BadMerkleProof {
        /// The share's index.
        index: NodeIndex,
    },
    /// Fewer than `k` distinct valid shares were supplied.
    #[error("not enough valid shares: {valid} of the {needed} needed ({rejected} rejected)")]
    NotEnoughShares {
        /// Distinct shares that verified.
        valid: usize,
        /// The recovery threshold `k`.
        needed: usize,
        /// Shares that failed verification.
        rejected: usize,
    },
    /// The shares verify against the commitment but do not re-encode to it: the leader
    /// dispersed an inconsistent block (AVID-M consistency check failed).
    #[error("inconsistent dispersal: {reason}")]
    InconsistentDispersal {
        /// What did not match.
        reason: &'static str,
    },
    /// A namespace proof is for another namespace than the one asked for.
    #[error("namespace proof is for namespace {got}, expected {expected}")]
    WrongNamespace {
        /// The namespace asked for.
        expected: NamespaceId,
        /// The namespace in the proof.
        got: NamespaceId,
    },
    /// A namespace proof does not verify.
    #[error("namespace {namespace}: {reason}")]
    BadNamespaceProof {
        /// The proof's namespace.
        namespace: NamespaceId,
        /// Which check failed.
        reason: &'static str,
    },
}

impl DaError {
    /// True when the error proves the leader misbehaved: the dispersal as a whole, not one
    /// peer's share, is bad. The block must then be treated as unavailable by everyone.
    #[must_use]
    pub fn is_leader_fault(&self) -> bool {
        matches!(self, DaError::InconsistentDispersal { .. })
    }
}
