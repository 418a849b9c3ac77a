//! The compression round's circuit (round 4): verifies one scheduler proof and restates
//! its public values, and is itself proven in the **L1 configuration**
//! ([`sq_prover_circuits::l1`]: Keccak-256 Merkle trees and transcript) instead of the
//! chunk configuration every round below uses.
//!
//! Public values: exactly the scheduler's ([`crate::scheduler_circuit::SCHEDULER_PUBLICS`]
//! elements, layout of [`crate::scheduler_circuit::SchedulerClaim::to_fields`]: batch
//! number, roots, transfer commitment, fee recipient, protocol version digest, the tree's
//! circuit digest).
//!
//! Constraints: the scheduler proof verifies ([`verify_circuit_proof`]) against the
//! scheduler circuit's key with these public values. Its hints are the scheduler proof's
//! ([`crate::batch_verifier::hints`]). The key is a constant of this
//! circuit, so the compression circuit's own preprocessed commitment (its verifying key
//! in the L1 configuration) pins the scheduler circuit, which pins the protocol version
//! and the tree's top circuit, which pins every circuit below.
//!
//! Why a separate round rather than proving the scheduler in the L1 configuration: the
//! scheduler's proof is verified inside no further circuit only if it is the last one,
//! and a recursion circuit verifies Poseidon2 proofs cheaply (one permutation row per
//! hash) but Keccak proofs expensively; so every round that is verified in a circuit
//! stays in the chunk configuration, and only the last proof, verified on L1, switches.

use crate::batch_verifier::{verify_circuit_proof, ChildKey};
use crate::circuit::{Builder, Circuit, Slot};
use crate::scheduler_circuit::SCHEDULER_PUBLICS;

/// The compression circuit over a proof of the scheduler circuit `scheduler`.
pub fn build(scheduler: &ChildKey) -> Circuit {
    let mut b = Builder::new();
    let public: Vec<Slot> = (0..SCHEDULER_PUBLICS).map(|_| b.public()).collect();
    verify_circuit_proof(&mut b, scheduler, &public);
    Circuit::new(b.build())
}
