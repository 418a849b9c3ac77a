//! The scheduler round's circuit: verifies the one proof at the top of a batch's tree
//! (a node, or the leaf of a one-chunk batch) and states the **batch claim** the rollup
//! holds, plus the circuit digest.
//!
//! Public values ([`SchedulerClaim::to_fields`], 50 elements): batch number (4 × 16-bit
//! limbs, little-endian), root before (8), root after (8), transfer commitment (8), fee
//! recipient (6 limbs), protocol version digest (8), circuit digest (8).
//!
//! Constraints: the child's claim starts the batch (its commitment before is the zero
//! digest, as every batch's transfer commitment starts from zero), its roots, commitment
//! after and fee recipient are the batch claim's, the protocol version digest is the one
//! the scheduler circuit is built for (a constant), and the circuit digest is the child
//! circuit's preprocessed commitment — which pins that circuit's program, and through
//! the constants in it, every circuit below.
//!
//! The **batch number is not proven**: nothing below the scheduler knows batch numbers
//! (chunk proofs are about state roots and transfer commitments), so a holder of a top
//! proof can state it under any batch number. A verifier must take the number from its
//! own records and check the roots: the claim's root before must be the state root it
//! holds after the previous batch. The number is in the public values so that the proof
//! names the batch it was made for; it binds nothing else.

use p3_baby_bear::BabyBear;
use p3_field::PrimeCharacteristicRing;
use sq_prover_circuits::hash;
use sq_prover_circuits::witness::{PublicInputs, PUBLIC_INPUTS_LEN};

use crate::batch_verifier::{hints, verify_circuit_proof, ChildKey};
use crate::child::ChildError;
use crate::circuit::hash::base_constant;
use crate::circuit::{Builder, Circuit, CircuitProof, Ext, Slot};

/// Elements of the scheduler's public values.
pub const SCHEDULER_PUBLICS: usize = 50;

/// The batch claim a scheduler proof states.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchedulerClaim {
    /// The batch number.
    pub batch: u64,
    /// Root before, root after, commitment after and fee recipient (commitment before is
    /// zero for a whole batch).
    pub state: PublicInputs,
    /// The protocol version the proof is for.
    pub protocol_version: String,
    /// The child circuit's preprocessed commitment.
    pub circuit_digest: [BabyBear; 8],
}

/// A protocol version string as 8 field elements: the Poseidon2 sponge of its UTF-8
/// bytes, one byte per element.
pub fn protocol_version_digest(version: &str) -> [BabyBear; 8] {
    let bytes: Vec<BabyBear> = version.bytes().map(BabyBear::from_u8).collect();
    let mut state = [BabyBear::ZERO; 16];
    for block in bytes.chunks(8) {
        state[..block.len()].copy_from_slice(block);
        state = hash::permute(state);
    }
    core::array::from_fn(|i| state[i])
}

impl SchedulerClaim {
    /// The public values (layout in the module docs).
    pub fn to_fields(&self) -> Vec<BabyBear> {
        scheduler_publics(
            self.batch,
            &self.state.to_fields(),
            &self.protocol_version,
            self.circuit_digest,
        )
    }
}

/// The scheduler's public values for a top proof whose claim is `child_claim` (chunk
/// layout, [`PUBLIC_INPUTS_LEN`] elements; its commitment before is not repeated, being
/// zero): the layout of [`SchedulerClaim::to_fields`].
///
/// # Panics
/// When `child_claim` is shorter than [`PUBLIC_INPUTS_LEN`].
pub fn scheduler_publics(
    batch: u64,
    child_claim: &[BabyBear],
    protocol_version: &str,
    circuit_digest: [BabyBear; 8],
) -> Vec<BabyBear> {
    let mut out: Vec<BabyBear> = (0..4)
        .map(|i| BabyBear::from_u64((batch >> (16 * i)) & 0xffff))
        .collect();
    out.extend_from_slice(&child_claim[0..16]);
    out.extend_from_slice(&child_claim[24..PUBLIC_INPUTS_LEN]);
    out.extend(protocol_version_digest(protocol_version));
    out.extend(circuit_digest);
    out
}

/// The scheduler circuit over a top proof of `child`'s circuit, for `protocol_version`.
pub fn build(child: &ChildKey, protocol_version: &str) -> Circuit {
    let mut b = Builder::new();
    let public: Vec<Slot> = (0..SCHEDULER_PUBLICS).map(|_| b.public()).collect();
    let claim: Vec<Slot> = (0..PUBLIC_INPUTS_LEN).map(|_| b.hint()).collect();
    verify_circuit_proof(&mut b, child, &claim);
    b.check("batch start");
    for &c in &claim[16..24] {
        b.assert_zero(c);
    }
    b.check("batch claim");
    // roots (public 4..20 ↔ claim 0..16), commitment after and fee recipient
    // (public 20..34 ↔ claim 24..38).
    for (p, c) in public[4..20].iter().zip(&claim[0..16]) {
        b.assert_eq(*p, *c);
    }
    for (p, c) in public[20..34].iter().zip(&claim[24..PUBLIC_INPUTS_LEN]) {
        b.assert_eq(*p, *c);
    }
    b.check("protocol version");
    for (p, &d) in public[34..42]
        .iter()
        .zip(&protocol_version_digest(protocol_version))
    {
        let d = base_constant(&mut b, d);
        b.assert_eq(*p, d);
    }
    b.check("circuit digest");
    for (p, &d) in public[42..50].iter().zip(&child.digest()) {
        let d = base_constant(&mut b, d);
        b.assert_eq(*p, d);
    }
    Circuit::new(b.build())
}

/// The scheduler's hints: the child's claim, then its proof's hints.
///
/// # Errors
/// [`ChildError`] when the child proof is malformed or does not verify natively.
pub fn scheduler_hints(
    child: &ChildKey,
    proof: &CircuitProof,
    claim: &[BabyBear],
) -> Result<Vec<Ext>, ChildError> {
    let mut out: Vec<Ext> = claim.iter().map(|&x| Ext::from(x)).collect();
    out.extend(hints(child, proof, claim)?);
    Ok(out)
}
