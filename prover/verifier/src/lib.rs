//! Verifies a batch's one recursive (scheduler) proof against the batch claim the rollup node holds.
//!
//! A [`BatchProof`] carries the scheduler proof of `sq_prover_recursion::aggregation`:
//! the batch's chunk proofs were verified inside leaf proofs, those inside a tree of node
//! proofs, and the top one inside the scheduler proof, whose public values are the batch
//! claim (batch number, state roots before and after, transfer commitment, fee
//! recipient), the protocol version and the digest of the tree's top circuit.
//! [`verify_batch`] verifies that one proof against the claim the node computed itself;
//! its cost does not grow with the number of chunks beyond rebuilding the tree's
//! circuits (cached per shape).
//!
//! **The batch number is a public value, not proven** (nothing below the scheduler knows
//! batch numbers): the caller's claim pins it, and the root before must be the caller's
//! own state root after the previous batch, which is what binds a proof to a batch.
//!
//! **Transaction signatures are not proven.** The rollup executor checks each
//! transaction's signature before the transfer enters a batch; the circuit takes the
//! sender as given. Likewise the uniqueness of an address across leaves is guaranteed by
//! the executor's address map, not by the proof (see `sq_prover_circuits::witness`).
//!
//! **Not yet for L1.** The scheduler proof is made in the chunk configuration (Poseidon2
//! Merkle trees and transcript); the compression round into the L1 configuration
//! (Keccak) is not built, so the compressor stage passes this proof on unchanged.

pub mod codec;

use p3_baby_bear::BabyBear;
use p3_field::{PrimeCharacteristicRing, PrimeField32};
use serde::{Deserialize, Serialize};
use sq_prover_circuits::account::{address_hex, Address};
use sq_prover_circuits::hash::Digest;
use sq_prover_circuits::vk_hash;
use sq_prover_circuits::witness::PublicInputs;
use sq_prover_recursion::aggregation::{verify_scheduler, SchedulerProof};

pub use codec::{CodecError, MAX_BATCH_PROOF_BYTES};
pub use sq_prover_recursion::aggregation::{TreeShape, MAX_TREE_CHUNKS as MAX_CHUNKS};

/// The protocol version this build of the verifier speaks: scheduler proofs over chunk
/// proofs of the circuit identified by [`sq_prover_circuits::vk_hash`].
pub const PROTOCOL_VERSION: &str = "0.1.0";

/// The note carried by every [`VerifiedBatch`].
pub const NOTE: &str = "verified one recursive (scheduler) proof over every chunk proof of the \
     batch; not yet compressed for L1; transaction signatures are checked by the rollup \
     executor, not inside the proof";

/// A batch proof as a prover submits it.
#[derive(Serialize, Deserialize)]
pub struct BatchProof {
    /// The protocol version the prover built the proofs for (e.g. `"0.1.0"`).
    pub protocol_version: String,
    /// The batch number.
    pub batch: u64,
    /// The scheduler proof.
    pub proof: SchedulerProof,
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
    /// The digest of the tree's top circuit (its preprocessed commitment, 8 BabyBear
    /// elements as little-endian `u32`s), which pins every circuit below it.
    pub circuit_digest: [u8; 32],
    /// Number of chunk proofs aggregated.
    pub chunks: usize,
    /// The state root before the batch.
    pub root_before: Digest,
    /// The state root after the batch.
    pub root_after: Digest,
    /// The batch's transfer commitment.
    pub commitment: Digest,
    /// `true`: one recursive proof was verified, not each chunk proof.
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
    /// The proof's tree is out of bounds (too many chunks, too deep, …).
    #[error("{0}")]
    Shape(String),
    /// The claim the proof states starts at another root than the claim's root before.
    #[error("the proof starts at root {got}, the claim's root before is {expected}")]
    RootBefore {
        /// The claim's root.
        expected: Digest,
        /// The proof's root before.
        got: Digest,
    },
    /// The proof states a non-zero commitment before (it does not start a batch).
    #[error("the proof starts at commitment {got}, not the zero commitment")]
    CommitmentStart {
        /// The proof's commitment before.
        got: Digest,
    },
    /// The proof credits fees to another account.
    #[error("the proof credits fees to another account than the claimed fee recipient")]
    FeeRecipient,
    /// The proof ends at another root than the claim's root after.
    #[error("the proof ends at root {got}, the claim's root after is {expected}")]
    RootAfter {
        /// The claim's root.
        expected: Digest,
        /// The proof's root after.
        got: Digest,
    },
    /// The proof ends at another commitment than the claim's.
    #[error("the proof ends at commitment {got}, the claim's commitment is {expected}")]
    Commitment {
        /// The claim's commitment.
        expected: Digest,
        /// The proof's commitment after.
        got: Digest,
    },
    /// The scheduler proof does not verify against the claim.
    #[error("the batch proof does not verify: {0}")]
    Proof(String),
}

/// The claim in the chunk layout the scheduler proof states (commitment before zero).
fn claim_fields(claim: &BatchClaim) -> Vec<BabyBear> {
    PublicInputs {
        root_before: claim.root_before,
        root_after: claim.root_after,
        commitment_before: Digest::ZERO,
        commitment_after: claim.commitment,
        fee_recipient: claim.fee_recipient,
    }
    .to_fields()
}

/// Compares the claim the proof states with the verifier's, field by field, for a
/// precise error before the proof is verified (against the verifier's claim).
fn compare_claims(stated: &[BabyBear], claim: &BatchClaim) -> Result<(), VerifyError> {
    let digest = |k: usize| {
        let mut d = [BabyBear::ZERO; 8];
        if let Some(s) = stated.get(8 * k..8 * k + 8) {
            d.copy_from_slice(s);
        }
        Digest(d)
    };
    let expected = claim_fields(claim);
    if digest(0) != claim.root_before {
        return Err(VerifyError::RootBefore {
            expected: claim.root_before,
            got: digest(0),
        });
    }
    if digest(2) != Digest::ZERO {
        return Err(VerifyError::CommitmentStart { got: digest(2) });
    }
    if stated.get(32..) != expected.get(32..) {
        return Err(VerifyError::FeeRecipient);
    }
    if digest(1) != claim.root_after {
        return Err(VerifyError::RootAfter {
            expected: claim.root_after,
            got: digest(1),
        });
    }
    if digest(3) != claim.commitment {
        return Err(VerifyError::Commitment {
            expected: claim.commitment,
            got: digest(3),
        });
    }
    Ok(())
}

/// Verifies `proof` against `claim` for `expected_protocol_version`.
///
/// The cheap checks (version, batch, the claim the proof states) run before the STARK
/// verification, so a mismatched submission is rejected without verifying; the proof is
/// then verified against `claim` itself, not against what it states.
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
    proof
        .proof
        .shape
        .check()
        .map_err(|e| VerifyError::Shape(e.to_string()))?;
    compare_claims(&proof.proof.claim, claim)?;
    let digest = verify_scheduler(
        &proof.proof,
        claim.batch,
        &claim_fields(claim),
        expected_protocol_version,
    )
    .map_err(|e| VerifyError::Proof(e.to_string()))?;
    let mut circuit_digest = [0u8; 32];
    for (out, d) in circuit_digest.chunks_mut(4).zip(digest) {
        out.copy_from_slice(&d.as_canonical_u32().to_le_bytes());
    }
    Ok(VerifiedBatch {
        batch: proof.batch,
        protocol_version: proof.protocol_version.clone(),
        circuit_id: vk_hash(),
        circuit_digest,
        chunks: proof.proof.shape.chunks(),
        root_before: claim.root_before,
        root_after: claim.root_after,
        commitment: claim.commitment,
        succinct: true,
        note: NOTE.to_owned(),
    })
}
