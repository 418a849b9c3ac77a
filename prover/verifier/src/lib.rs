//! Verifies a batch's chunk proofs and their chaining against the batch claim the rollup node holds.
//!
//! A [`BatchProof`] is the list of basic (round 0) chunk proofs of one batch
//! ([`sq_prover_circuits::ChunkProof`]). [`verify_batch`] verifies **every** chunk proof
//! with the STARK verifier and then performs the "scheduler" check natively: chunk 0
//! starts at the claimed `root_before` and the zero commitment, each chunk starts where
//! the previous one ended, the last one ends at the claimed `root_after` and
//! `commitment`, and every chunk credits fees to the claimed fee recipient.
//!
//! **This is not recursive or succinct aggregation.** Verification cost and proof size
//! grow linearly with the number of chunks: no recursion (a STARK verifier circuit in
//! Plonky3) is available on crates.io yet, so the chunk proofs are not folded into one
//! proof. [`VerifiedBatch::succinct`] is `false` to make that explicit to callers.
//!
//! **Transaction signatures are not proven.** The rollup executor checks each
//! transaction's signature before the transfer enters a batch; the circuit takes the
//! sender as given. Likewise the uniqueness of an address across leaves is guaranteed by
//! the executor's address map, not by the proof (see `sq_prover_circuits::witness`).

pub mod codec;

use serde::{Deserialize, Serialize};
use sq_prover_circuits::account::{address_hex, Address};
use sq_prover_circuits::hash::Digest;
use sq_prover_circuits::{verify_chunk, vk_hash, ChunkProof};

pub use codec::{CodecError, MAX_BATCH_PROOF_BYTES};

/// The protocol version this build of the verifier speaks: chunk proofs of the circuit
/// identified by [`sq_prover_circuits::vk_hash`].
pub const PROTOCOL_VERSION: &str = "0.1.0";

/// Most chunk proofs one batch proof may carry.
pub const MAX_CHUNKS: usize = 4096;

/// The note carried by every [`VerifiedBatch`].
pub const NOTE: &str = "verified every chunk proof individually and their chaining; NOT recursive \
     or succinct aggregation (cost linear in chunks); transaction signatures are checked by the \
     rollup executor, not inside the proof";

/// A batch proof as a prover submits it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchProof {
    /// The protocol version the prover built the proofs for (e.g. `"0.1.0"`).
    pub protocol_version: String,
    /// The batch number.
    pub batch: u64,
    /// The chunk proofs, in execution order.
    pub chunks: Vec<ChunkProof>,
}

/// What the rollup node knows about a batch and expects the proof to establish.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchClaim {
    /// The batch number.
    pub batch: u64,
    /// The state root before the batch.
    pub root_before: Digest,
    /// The state root after the batch.
    pub root_after: Digest,
    /// The transfer commitment of the whole batch (from [`Digest::ZERO`]).
    pub commitment: Digest,
    /// The account credited with every fee.
    #[serde(with = "address_hex")]
    pub fee_recipient: Address,
}

/// The outcome of a successful [`verify_batch`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifiedBatch {
    /// The batch number.
    pub batch: u64,
    /// The protocol version verified against.
    pub protocol_version: String,
    /// [`sq_prover_circuits::vk_hash`] of the circuit the chunk proofs were checked with.
    pub circuit_id: [u8; 32],
    /// Number of chunk proofs verified.
    pub chunks: usize,
    /// The state root before the batch.
    pub root_before: Digest,
    /// The state root after the batch.
    pub root_after: Digest,
    /// The batch's transfer commitment.
    pub commitment: Digest,
    /// Always `false`: the chunks were verified one by one, not through one succinct
    /// (recursive) proof.
    pub succinct: bool,
    /// Plain-language caveats: [`NOTE`].
    pub note: String,
}

/// Why a batch proof was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The proof is for another protocol version.
    #[error("protocol version {got:?} is not the expected {expected:?}")]
    ProtocolVersion {
        /// What the node expects.
        expected: String,
        /// What the proof says.
        got: String,
    },
    /// The proof is for another batch.
    #[error("proof is for batch {got}, the claim is for batch {expected}")]
    WrongBatch {
        /// The claim's batch.
        expected: u64,
        /// The proof's batch.
        got: u64,
    },
    /// No chunk proofs (a batch, even an empty one, has at least one chunk).
    #[error("the batch proof has no chunks")]
    NoChunks,
    /// More than [`MAX_CHUNKS`] chunk proofs.
    #[error("the batch proof has {got} chunks, at most {max} are accepted")]
    TooManyChunks {
        /// The number given.
        got: usize,
        /// [`MAX_CHUNKS`].
        max: usize,
    },
    /// Chunk 0 does not start at the claimed root before.
    #[error("chunk 0 starts at root {got}, the claim's root before is {expected}")]
    RootBefore {
        /// The claim's root.
        expected: Digest,
        /// Chunk 0's root before.
        got: Digest,
    },
    /// Chunk 0's commitment before is not [`Digest::ZERO`].
    #[error("chunk 0 starts at commitment {got}, not the zero commitment")]
    CommitmentStart {
        /// Chunk 0's commitment before.
        got: Digest,
    },
    /// A chunk does not start where the previous one ended (a missing, extra or
    /// reordered chunk).
    #[error("chunk {chunk} does not start where chunk {} ended", chunk - 1)]
    Discontinuity {
        /// Index of the chunk that does not chain.
        chunk: usize,
    },
    /// A chunk credits fees to another account.
    #[error("chunk {chunk} credits fees to another account than the claimed fee recipient")]
    FeeRecipient {
        /// Index of the chunk.
        chunk: usize,
    },
    /// The last chunk does not end at the claimed root after.
    #[error("the last chunk ends at root {got}, the claim's root after is {expected}")]
    RootAfter {
        /// The claim's root.
        expected: Digest,
        /// The last chunk's root after.
        got: Digest,
    },
    /// The last chunk does not end at the claimed commitment.
    #[error("the last chunk ends at commitment {got}, the claim's commitment is {expected}")]
    Commitment {
        /// The claim's commitment.
        expected: Digest,
        /// The last chunk's commitment after.
        got: Digest,
    },
    /// A chunk proof does not verify.
    #[error("chunk {chunk}: {source}")]
    Chunk {
        /// Index of the chunk.
        chunk: usize,
        /// The chunk verifier's error.
        source: sq_prover_circuits::VerifyError,
    },
}

/// Verifies `proof` against `claim` for `expected_protocol_version`.
///
/// The cheap checks (version, batch, chaining, claim) run before any STARK verification,
/// so a mismatched submission is rejected without verifying proofs. Chunk proofs are
/// verified one by one (not succinct: see the crate docs).
///
/// # Errors
/// The first [`VerifyError`] found.
pub fn verify_batch(
    proof: &BatchProof,
    claim: &BatchClaim,
    expected_protocol_version: &str,
) -> Result<VerifiedBatch, VerifyError> {
    if proof.protocol_version != expected_protocol_version {
        return Err(VerifyError::ProtocolVersion {
            expected: expected_protocol_version.to_owned(),
            got: proof.protocol_version.clone(),
        });
    }
    if proof.batch != claim.batch {
        return Err(VerifyError::WrongBatch {
            expected: claim.batch,
            got: proof.batch,
        });
    }
    let (first, last) = match (proof.chunks.first(), proof.chunks.last()) {
        (Some(f), Some(l)) => (f, l),
        _ => return Err(VerifyError::NoChunks),
    };
    if proof.chunks.len() > MAX_CHUNKS {
        return Err(VerifyError::TooManyChunks {
            got: proof.chunks.len(),
            max: MAX_CHUNKS,
        });
    }
    if first.public.root_before != claim.root_before {
        return Err(VerifyError::RootBefore {
            expected: claim.root_before,
            got: first.public.root_before,
        });
    }
    if first.public.commitment_before != Digest::ZERO {
        return Err(VerifyError::CommitmentStart {
            got: first.public.commitment_before,
        });
    }
    for (i, pair) in proof.chunks.windows(2).enumerate() {
        let (prev, next) = (&pair[0].public, &pair[1].public);
        if next.root_before != prev.root_after || next.commitment_before != prev.commitment_after {
            return Err(VerifyError::Discontinuity { chunk: i + 1 });
        }
    }
    if let Some(chunk) = proof
        .chunks
        .iter()
        .position(|c| c.public.fee_recipient != claim.fee_recipient)
    {
        return Err(VerifyError::FeeRecipient { chunk });
    }
    if last.public.root_after != claim.root_after {
        return Err(VerifyError::RootAfter {
            expected: claim.root_after,
            got: last.public.root_after,
        });
    }
    if last.public.commitment_after != claim.commitment {
        return Err(VerifyError::Commitment {
            expected: claim.commitment,
            got: last.public.commitment_after,
        });
    }
    for (chunk, c) in proof.chunks.iter().enumerate() {
        verify_chunk(c).map_err(|source| VerifyError::Chunk { chunk, source })?;
    }
    Ok(VerifiedBatch {
        batch: proof.batch,
        protocol_version: proof.protocol_version.clone(),
        circuit_id: vk_hash(),
        chunks: proof.chunks.len(),
        root_before: claim.root_before,
        root_after: claim.root_after,
        commitment: claim.commitment,
        succinct: false,
        note: NOTE.to_owned(),
    })
}
