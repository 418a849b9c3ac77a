//! Verifies a batch's one recursive proof (the compressed one, or the scheduler's) against the batch claim the rollup node holds.
//!
//! A [`BatchProof`] carries a [`FinalProof`]: the batch's chunk proofs were verified
//! inside leaf proofs, those inside a tree of node proofs, the top one inside the
//! scheduler proof, whose public values are the batch claim (batch number, state roots
//! before and after, transfer commitment, fee recipient), the protocol version and the
//! digest of the tree's top circuit; and the scheduler proof inside the compressed proof
//! (round 4), which restates those public values and is made in the L1 configuration
//! (`sq_prover_circuits::l1`, Keccak). [`verify_batch`] accepts either (the same
//! statement, in two configurations); the rollup node
//! accepts only the compressed one ([`COMPRESSED_ROUND`]), the proof an L1 contract can
//! check, and the pipeline submits that. [`verify_batch`] verifies that one proof against
//! the claim the node computed itself; its cost does not grow with the number of chunks
//! beyond rebuilding the tree's circuits (cached per shape).
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
//! **Not yet on L1.** The compressed proof is in the configuration an L1 contract would
//! check, but no Solidity verifier for it exists yet (the settlement issue).

pub mod codec;
pub mod settlement;

use p3_baby_bear::BabyBear;
use p3_field::{PrimeCharacteristicRing, PrimeField32};
use serde::{Deserialize, Serialize};
use sq_prover_circuits::account::{address_hex, Address};
use sq_prover_circuits::hash::Digest;
use sq_prover_circuits::vk_hash;
use sq_prover_circuits::witness::PublicInputs;
use sq_prover_recursion::aggregation::{verify_scheduler, SchedulerProof};
use sq_prover_recursion::compression::{verify_compressed, CompressedProof};

pub use codec::{CodecError, MAX_BATCH_PROOF_BYTES};
pub use sq_prover_recursion::aggregation::{TreeShape, MAX_TREE_CHUNKS as MAX_CHUNKS};

/// The protocol version this build of the verifier speaks: compressed (or scheduler)
/// proofs over chunk proofs of the circuit identified by [`sq_prover_circuits::vk_hash`].
pub const PROTOCOL_VERSION: &str = "0.1.0";

/// The note carried by every [`VerifiedBatch`].
pub const NOTE: &str = "verified one recursive proof over every chunk proof of the batch; no \
     L1 contract verifies it yet; transaction signatures are checked by the rollup executor, \
     not inside the proof";

/// The aggregation round of a scheduler proof ([`FinalProof::Scheduler`]).
pub const SCHEDULER_ROUND: u8 = 3;

/// The aggregation round of a compressed proof ([`FinalProof::Compressed`]): the one proof
/// of a batch an L1 contract can check, and the only one the rollup node accepts.
pub const COMPRESSED_ROUND: u8 = 4;

/// A batch proof as a prover submits it.
#[derive(Serialize, Deserialize)]
pub struct BatchProof {
    /// The protocol version the prover built the proofs for (e.g. `"0.1.0"`).
    pub protocol_version: String,
    /// The batch number.
    pub batch: u64,
    /// The proof.
    pub proof: FinalProof,
}

/// The one proof of a batch: the scheduler's (round 3, chunk configuration) or the
/// compressed one (round 4, L1 configuration). Both state the same public values.
#[derive(Serialize, Deserialize)]
pub enum FinalProof {
    /// The scheduler round's proof.
    Scheduler(SchedulerProof),
    /// The compression round's proof.
    Compressed(CompressedProof),
}

impl FinalProof {
    /// The tree of chunks the proof covers.
    pub fn shape(&self) -> &TreeShape {
        match self {
            FinalProof::Scheduler(p) => &p.shape,
            FinalProof::Compressed(p) => &p.shape,
        }
    }

    /// The claim the prover states (chunk layout; for error messages only).
    pub fn claim(&self) -> &[BabyBear] {
        match self {
            FinalProof::Scheduler(p) => &p.claim,
            FinalProof::Compressed(p) => &p.claim,
        }
    }

    /// The aggregation round that made it: 3 (scheduler) or 4 (compression).
    pub const fn round(&self) -> u8 {
        match self {
            FinalProof::Scheduler(_) => SCHEDULER_ROUND,
            FinalProof::Compressed(_) => COMPRESSED_ROUND,
        }
    }

    /// Mutable access to the tree and the stated claim, for tools and tamper tests.
    #[doc(hidden)]
    pub fn parts_mut(&mut self) -> (&mut TreeShape, &mut Vec<BabyBear>) {
        match self {
            FinalProof::Scheduler(p) => (&mut p.shape, &mut p.claim),
            FinalProof::Compressed(p) => (&mut p.shape, &mut p.claim),
        }
    }
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
    /// The round of the proof verified: 4 (compressed, L1 configuration) or 3
    /// (scheduler, chunk configuration).
    pub round: u8,
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
    /// The batch's proof does not verify against the claim.
    #[error("the batch proof does not verify: {0}")]
    Proof(String),
}

/// The claim in the chunk layout the scheduler proof states (commitment before zero).
pub(crate) fn claim_fields(claim: &BatchClaim) -> Vec<BabyBear> {
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
    let shape = proof.proof.shape();
    shape
        .check()
        .map_err(|e| VerifyError::Shape(e.to_string()))?;
    compare_claims(proof.proof.claim(), claim)?;
    let fields = claim_fields(claim);
    let digest = match &proof.proof {
        FinalProof::Scheduler(p) => {
            verify_scheduler(p, claim.batch, &fields, expected_protocol_version)
        }
        FinalProof::Compressed(p) => {
            verify_compressed(p, claim.batch, &fields, expected_protocol_version)
        }
    }
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
        chunks: shape.chunks(),
        root_before: claim.root_before,
        root_after: claim.root_after,
        commitment: claim.commitment,
        succinct: true,
        round: proof.proof.round(),
        note: NOTE.to_owned(),
    })
}
