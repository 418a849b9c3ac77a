//! The rollup's state hash (Poseidon2 over BabyBear), its witness types, and the Plonky3 AIRs that prove each chunk of a batch.
//!
//! The rollup executor (`sq-rollup`) and the prover share this crate so that the state root
//! the executor computes is, bit for bit, the one the circuit constrains:
//! - [`hash`]: the width-16 Poseidon2 permutation, 2-to-1 compression and [`hash::Digest`];
//! - [`account`]: the layout of an account leaf `(address, balance, nonce)` as 16 field elements;
//! - [`merkle`]: the fixed-depth tree ([`merkle::DEPTH`]), empty subtrees and path folding;
//! - [`transfer`]: a transfer's field encoding and the running transfer commitment;
//! - [`witness`]: the witness inputs of a batch and their split into chunks.
//!
//! Transaction signatures are checked by the rollup executor before a transfer enters a
//! batch; they are **not** proven inside the circuit (planned work).

pub mod account;
pub mod hash;
pub mod merkle;
pub mod transfer;
pub mod witness;
