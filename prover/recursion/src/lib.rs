//! Recursive verification of the prover's uni-STARK proofs inside AIRs: the tables that
//! the aggregation rounds (leaf, node, scheduler, compression) are built from.
//!
//! No published crate does this for our Plonky3 line (0.8): `p3-recursion` and
//! `p3-circuit` 0.1.0 on crates.io are empty placeholders (checked 2026-12-07), so the
//! verifier is written here, on `p3-air` and `p3-uni-stark`.
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
//! # Layout (planned; [`opening_air`] built)
//!
//! Every check is a sequence of Poseidon2 permutations and extension-field operations
//! whose order is fixed by the child's shape (trace width, height, FRI parameters).
//! The verifier is therefore a set of tables whose schedules are **periodic columns**
//! derived from that shape: fixed by the verifying key, never chosen by the prover.
//!
//! | table | rows | checks | status |
//! |-------|------|--------|--------|
//! | [`opening_air`] | one Poseidon2 permutation | 3: leaf sponge and path of each opened row against a commitment root | **built, tested** |
//! | transcript | one Poseidon2 permutation | 1: the duplex challenger's absorb/squeeze, PoW, index bits | planned |
//! | extension | one `a·b + c` over BabyBear⁴ | 2 and 4: a straight-line program generated from the child AIR's symbolic constraints (`p3_air`'s symbolic builder), the reduced openings and the folds | planned |
//! | links | — | that the values one table consumes are those another produces (index bits, opened elements, challenges) | planned: `p3-batch-stark` + `p3-lookup` buses |
//!
//! The opening table handles the commit-phase rows of FRI too: `ExtensionMmcs` flattens
//! each extension element into its 4 base coordinates, so a commit-phase leaf is a base
//! row of `arity × 4` elements.
//!
//! # What is not built yet
//!
//! The transcript, extension and link tables; the aggregation rounds of the prover
//! pipeline (leaf, node, scheduler, compression) and their jobs; the L1 configuration of
//! the compression round; the rollup's check of one proof per batch. Until they exist a
//! batch is accepted on its chunk proofs, each verified natively (`sq-prover-verifier`).
//!
//! # Modules
//!
//! - [`shape`]: the shape of a batch of openings and its periodic schedule;
//! - [`opening_air`]: the Merkle-opening AIR, its constraints and soundness argument;
//! - [`opening_trace`]: its trace generator;
//! - [`opening_proof`]: proving and verifying it in the chunk configuration;
//! - [`child`]: witness generation from a chunk proof (full paths of its trace openings).

pub mod child;
pub mod chunk_circuit;
pub mod circuit;
pub mod opening_air;
pub mod opening_proof;
pub mod opening_trace;
pub mod shape;

pub use child::{trace_openings, ChildError, ChildOpenings};
pub use opening_air::OpeningAir;
pub use opening_proof::{prove_openings, verify_openings, violations, OpeningProofError};
pub use opening_trace::{Opening, OpeningError};
pub use shape::{OpeningShape, ShapeError};
