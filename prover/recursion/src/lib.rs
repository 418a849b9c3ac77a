//! Recursive aggregation of the prover's proofs: a circuit layer, the verifiers of chunk
//! proofs and of the circuit's own batch proofs written on it, the circuits of the leaf,
//! node and scheduler rounds, and the compression round into the L1 configuration.
//!
//! No published crate does this for our Plonky3 line (0.8): `p3-recursion` and
//! `p3-circuit` 0.1.0 on crates.io are empty placeholders (checked 2026-12-07), so the
//! verifier is written here, on `p3-air`, `p3-uni-stark`, `p3-batch-stark` and
//! `p3-lookup`.
//!
//! # What a verifier AIR must check
//!
//! A chunk proof ([`sq_prover_circuits::stark`]: BabyBear, degree-4 extension, Poseidon2
//! width-16 Merkle trees and duplex challenger, FRI with blowup 4, 42 queries, 16 bits of
//! query proof of work, folding arity up to 8) is accepted natively when:
//!
//! 1. **transcript**: replaying the duplex challenger over the instance, the trace and
//!    quotient commitments, the public values and the opened values yields the
//!    constraint-folding challenge α, the out-of-domain point ζ, the FRI batching
//!    challenge, one folding challenge per commit-phase round, a proof-of-work witness
//!    whose sample has 16 leading zero bits, and the 42 query indices;
//! 2. **constraints at ζ**: the child AIR's constraints, evaluated over the opened values
//!    at ζ and gζ with the selectors at ζ and folded with α, equal the quotient
//!    (recombined from its chunks) times the vanishing polynomial at ζ;
//! 3. **Merkle openings**: at each query index, the opened rows of the trace and quotient
//!    matrices open to their commitments, and each commit-phase row opens to its round's
//!    commitment;
//! 4. **FRI**: at each query, the reduced opening `Σ αᵢ (pᵢ(x) − yᵢ) / (x − z)` enters the
//!    folding chain, each fold is consistent with the opened sibling values and the
//!    round's challenge, and the chain ends at the final polynomial.
//!
//! # Design: a circuit layer, and the verifier written on it
//!
//! The verifier is written as a **straight-line program** over BabyBear⁴ slots
//! ([`circuit::program`]: constants, public values, hints, `+ − · /`, Poseidon2
//! permutations, assertions), and a program's execution is proven by five tables in one
//! `p3-batch-stark` proof, joined by a LogUp bus on which every read of a slot must meet
//! the slot's one value ([`circuit::tables`], soundness argument there):
//!
//! | table | row | fixed (preprocessed) columns |
//! |-------|-----|------------------------------|
//! | witness | one slot: value, read count | slot index, constant flag and value |
//! | public | one public value of the recursion proof | its slot, a one-hot selector |
//! | add / mul | `a + b = c` / `a · b = c` in BabyBear⁴ | the three slots |
//! | poseidon2 | one permutation (the chunk AIR's lane constraints) | 16 input and 16 output slots |
//!
//! The program is the preprocessed trace, so its commitment is part of the verifying key:
//! which child circuit is verified (trace height, quotient chunks, the child AIR's
//! constraints) is fixed by it. The gadgets on top:
//!
//! - [`circuit::hash`]: the Merkle sponge and compression of the chunk configuration and
//!   a Merkle path check;
//! - [`circuit::challenger`]: the duplex challenger, started from the natively seeded
//!   state (a function of the child's shape), and the uni-STARK transcript up to ζ;
//! - [`circuit::ood`]: check 2, compiled from the child AIR's **symbolic constraints**
//!   (`p3_air`'s symbolic builder), so the same code serves any plain AIR;
//! - [`circuit::fri`]: the opening argument: the PCS and FRI transcript (with the domain
//!   separators' seeds), the query proof of work, query indices from unique bit
//!   decompositions, the trace and quotient Merkle openings, reduced openings, the
//!   commit-phase rows and barycentric folds, the final polynomial;
//! - [`chunk_circuit`]: the whole verifier of one chunk proof, and [`leaf_circuit`]: the
//!   leaf round, consecutive chunk proofs verified in full with their claims chained and
//!   merged.
//!
//! [`opening_air`] is a separate, specialised table for Merkle openings (one
//! permutation per row, the schedule as periodic columns, no bus traffic for the
//! sponge's intermediate states). It is proven on its own and is not joined to the bus;
//! it is the candidate for cutting the openings' cost, which dominates the chunk
//! verifier (about 100 permutations per query to hash the 782-column trace row).
//!
//! # Status
//!
//! | piece | status |
//! |-------|--------|
//! | verifier of a chunk proof (checks 1–4) | **built** ([`chunk_circuit`]): proves and verifies on real chunk proofs; every altered part of the child is refused by its own check |
//! | leaf round (chunks of one batch, chained) | **built** ([`leaf_circuit`]) |
//! | verifier of the circuit's own batch proofs | **built** ([`batch_verifier`]): the batch-STARK transcript, each table's constraints with the LogUp gadget's, the terminal sum, FRI over several heights; a proof of another program is refused |
//! | node round (two proofs of the round below, claims merged) | **built** ([`node_circuit`]); a tree of nodes over a batch's leaves ends in one proof, measured by `aggregate_bench` |
//! | scheduler round (the batch claim with batch number and protocol version, the circuit digest exposed) | **built** ([`scheduler_circuit`]): over the tree's top proof; refuses a proof that does not start the batch, another claim, another digest |
//! | the rounds as whole steps with each proof's tree shape, the circuits rebuilt from it (cached), the scheduler proof verified against a batch claim | **built** ([`aggregation`]); the prover pipeline runs them as leaf, node and scheduler jobs |
//! | compression round: the scheduler proof verified in a circuit proven in the L1 configuration (Keccak Merkle trees and transcript, [`sq_prover_circuits::l1`]) | **built** ([`compression_circuit`], [`compression`]); the pipeline's compressor runs it and the rollup node verifies the compressed proof |
//!
//! So one proof per batch exists, in a configuration an L1 contract can check, and is
//! what the rollup checks; no Solidity verifier for it exists yet (the settlement issue),
//! and it is not small (see `aggregate_bench` and the notes on cost in
//! [`batch_verifier`]).
//!
//! # Modules
//!
//! - [`aggregation`]: the rounds as steps for the pipeline and the verifier;
//! - [`circuit`]: programs, tables, gadgets;
//! - [`chunk_circuit`]: the circuit of one chunk proof; [`leaf_circuit`]: the leaf round;
//! - [`batch_verifier`]: the verifier of the circuit's own proofs ([`batch_witness`]: its
//!   native hints); [`node_circuit`]: the
//!   node round; [`scheduler_circuit`]: the scheduler round (the batch claim);
//!   [`compression_circuit`]: the compression round, and [`compression`]: it as a step;
//!   [`l1_calldata`]: a proof in the L1 configuration packed for the L1 verifier;
//! - [`fri_witness`]: the native witness of the opening argument (query indices, full
//!   Merkle paths from the pruned multi-proofs, the fold chain);
//! - [`child`]: witness generation from a chunk proof (full paths of its trace
//!   openings, the seeded challenger, the native α and ζ);
//! - [`shape`], [`opening_air`], [`opening_trace`], [`opening_proof`]: the Merkle-opening
//!   table.

pub mod aggregation;
pub mod batch_verifier;
pub mod batch_witness;
pub mod child;
pub mod chunk_circuit;
pub mod circuit;
pub mod compression;
pub mod compression_circuit;
pub mod fri_witness;
pub mod l1_calldata;
pub mod l1_constraints;
pub mod l1_stark_fixture;
pub mod leaf_circuit;
pub mod node_circuit;
pub mod opening_air;
pub mod opening_proof;
pub mod opening_trace;
pub mod scheduler_circuit;
pub mod shape;

pub use child::{trace_openings, ChildError, ChildOpenings};
pub use opening_air::OpeningAir;
pub use opening_proof::{prove_openings, verify_openings, violations, OpeningProofError};
pub use opening_trace::{Opening, OpeningError};
pub use shape::{OpeningShape, ShapeError};
