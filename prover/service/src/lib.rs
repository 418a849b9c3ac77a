//! The prover binary: gateway, witness generator, prover (basic, leaf and node rounds), scheduler, compressor and house keeper over the shared job database.
//!
//! Every component is a loop over [`sq_prover_dal::ProverDal`]: it picks one job of its
//! stage for this process's protocol version, does the work, and records the result in one
//! transaction, so that any number of processes on any number of machines can share one
//! PostgreSQL database, and a killed process leaves a row the house keeper requeues.
//!
//! - [`gateway`]: pulls sealed batches from the rollup's proof-data-handler API into the
//!   database, and submits each finished proof back (the batch becomes `sent_to_server`).
//! - [`workers`]: the witness generator (batch witness → chunk witnesses), the prover (round
//!   0: one Plonky3 proof per chunk; round 1: a leaf proof over consecutive chunk proofs;
//!   round 2: a node proof over two adjacent proofs), the scheduler (round 3: the batch
//!   proof) and the compressor (round 4: the scheduler proof re-proven in the L1
//!   configuration, the proof the gateway submits).
//! - [`housekeeper`]: requeues timed-out and failed jobs below the attempt limit.
//! - [`version`]: the start-up check binding a process to one protocol version.
//! - [`metrics`]: `/metrics` and `/queue_report`.
//!
//! What the final proof is (printed at start-up): one recursive proof per batch (the
//! compression round's, `sq_prover_recursion`, in the L1 configuration) over every chunk
//! proof, which **no** L1 contract verifies yet; and transaction signatures are checked by
//! the rollup executor, **not** inside the proof.

pub mod config;
pub mod gateway;
pub mod housekeeper;
pub mod metrics;
pub mod version;
pub mod workers;

pub use config::ProverConfig;

/// The line every component logs at start-up about what is and is not proven.
pub const WHAT_IS_PROVEN: &str = "chunk proofs (Plonky3 STARK) of balances, nonces, fees and Poseidon2 Merkle updates; \
leaf, node and scheduler rounds aggregate them recursively into one proof per batch, compressed into the L1 configuration (Keccak); NO L1 contract verifies it yet; \
transaction signatures are checked by the rollup executor, NOT inside the proof";
