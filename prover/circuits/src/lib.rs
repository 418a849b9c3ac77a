//! The rollup's state hash (Poseidon2 over BabyBear), its witness types, and the Plonky3 AIRs that prove each chunk of a batch.
//!
//! The rollup executor (`sq-rollup`) and the prover share this crate so that the state root
//! the executor computes is, bit for bit, the one the circuit constrains:
//! - [`hash`]: the width-16 Poseidon2 permutation, 2-to-1 compression and [`hash::Digest`];
//! - [`account`]: the layout of an account leaf `(address, balance, nonce)` as 16 field elements;
//! - [`merkle`]: the fixed-depth tree ([`merkle::DEPTH`]), empty subtrees and path folding;
//! - [`transfer`]: a transfer's field encoding and the running transfer commitment;
//! - [`witness`]: the witness inputs of a batch and their split into chunks;
//! - [`pdh`]: the bodies of the rollup's proof-data-handler API, which serves those witnesses
//!   and takes proofs (and, with feature `client`, its typed client);
//! - [`poseidon2_air`]: one Poseidon2 permutation as AIR cells (layout, constraints,
//!   trace filler), shared with the recursion AIRs;
//! - [`air`]: the basic (round 0) chunk AIR, one uni-STARK table (layout and constraint
//!   list in its docs), and [`trace`]: its trace generator;
//! - [`l1`]: the L1 proof configuration (Keccak-256 Merkle trees and transcript), in which
//!   the compression round proves what an L1 contract verifies, [`l1_calldata`]: the
//!   packed calldata its proofs travel in, and [`l1_transcript_fixture`]: a recorded run
//!   of its transcript for the on-chain replay,
//!   [`l1_merkle_fixture`]: Merkle multi-openings, [`l1_field_fixture`]: challenge-field
//!   arithmetic, [`l1_fri_fixture`]: FRI's folding arithmetic, and
//!   [`l1_fri_inputs_fixture`]: FRI's reduced openings, each for checking the on-chain
//!   verifier's pieces, and [`l1_pcs_fixture`]: a whole PCS opening proof with the
//!   transcript Plonky3 verifies it with;
//! - [`stark`]: the Plonky3 configuration (FRI parameters, security estimate), and
//!   [`prove_chunk`] / [`verify_chunk`] / [`vk_hash`].
//!
//! # What a chunk proof establishes
//!
//! Exactly the relation of [`witness::ChunkWitness::check`]: starting from the public
//! `root_before` / `commitment_before`, each transfer updates the sender, recipient and
//! fee-recipient leaves in order along valid Merkle paths (new accounts from empty
//! leaves), with exact 128-bit balance arithmetic (no wrap; the sender covers
//! value + fee), nonce check and increment (new nonces below 2^30), fees credited to the
//! public fee recipient, and the running commitment extended by each transfer's digest,
//! ending at the public `root_after` / `commitment_after`.
//!
//! # Not proven
//!
//! - Transaction signatures are checked by the rollup executor before a transfer enters a
//!   batch; they are **not** proven inside the circuit (planned work).
//! - That a newly created account's address appears in no other leaf (the executor's
//!   address map guarantees it; see [`witness`]).
//! - Old leaves' nonces are not range-checked on their own: every nonce the circuit
//!   writes is checked below 2^30, so the bound holds for every leaf by induction from a
//!   genesis state whose nonces are below [`account::NONCE_LIMIT`] (the executor's).
//! - Proofs are not zero-knowledge, and a batch's chunk proofs are not aggregated into a
//!   succinct proof (see `sq-prover-verifier`).

pub mod account;
pub mod air;
pub mod hash;
pub mod l1;
pub mod l1_calldata;
pub mod l1_field_fixture;
pub mod l1_fri_fixture;
pub mod l1_fri_inputs_fixture;
pub mod l1_merkle_fixture;
pub mod l1_pcs_fixture;
pub mod l1_transcript_fixture;
pub mod merkle;
pub mod pdh;
pub mod poseidon2_air;
pub mod stark;
#[doc(hidden)]
pub mod testing;
pub mod trace;
pub mod transfer;
pub mod witness;

#[doc(hidden)]
pub use stark::{check_constraints_unchecked, prove_chunk_forced, prove_chunk_unchecked};
pub use stark::{
    circuit_id, prove_chunk, verify_chunk, vk_hash, ChunkProof, ProveError, VerifyError,
};
