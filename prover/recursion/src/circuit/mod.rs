//! The recursion circuit: verifier logic written as straight-line programs over
//! BabyBear⁴ ([`program`]), proven by five tables joined by a LogUp bus ([`tables`]):
//! witness, public, add, mul and Poseidon2 permutations.
//!
//! This is the layer the verifier's transcript replay, constraint evaluation and FRI
//! folding are written on: each becomes program code, and a child AIR's constraints are
//! turned into program code from their symbolic form.
//!
//! - [`program`]: slots, ops, the builder and native execution;
//! - [`layout`]: the rows of each table derived from a program (fixed and main columns);
//! - [`tables`]: the AIRs and their soundness argument;
//! - [`field`]: BabyBear⁴ coordinates, powers, selection;
//! - [`fri`]: the opening argument (FRI, Merkle openings, query transcript);
//! - [`hash`]: the Merkle sponge, compression and path check over the permutation table;
//! - [`bits`]: unique bit decompositions (sampled bits, proof of work);
//! - [`challenger`]: the duplex challenger (the child's transcript);
//! - [`symbolic`]: Plonky3 symbolic constraints compiled into program ops;
//! - [`ood`]: the out-of-domain constraint check of a child proof, compiled from the
//!   child AIR's symbolic constraints;
//! - [`proof`]: proving and verifying a program's execution.

pub mod bits;
pub mod challenger;
pub mod field;
pub mod fri;
pub mod hash;
pub mod layout;
pub mod ood;
pub mod program;
pub mod proof;
pub mod symbolic;
pub mod tables;

pub use program::{Builder, Ext, Op, Program, RunError, Slot};
pub use proof::{Circuit, CircuitError, CircuitProof, L1CircuitProof};
