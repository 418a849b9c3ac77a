//! Proving and verifying the [`OpeningAir`] in the chunk configuration
//! ([`sq_prover_circuits::stark::config`]): the configuration a leaf-round proof is made
//! in, so that the next round verifies it with the same tables.

use p3_air::{check_all_constraints, ConstraintFailure};
use p3_baby_bear::BabyBear;
use p3_matrix::dense::RowMajorMatrix;
use p3_uni_stark::{prove, verify, Proof};
use sq_prover_circuits::stark::{config, ChunkStarkConfig};

use crate::opening_air::{constraint_group, OpeningAir};
use crate::opening_trace::{generate, Opening, OpeningError};
use crate::shape::OpeningShape;

/// Why an opening proof could not be made or was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpeningProofError {
    /// The openings do not fit the shape.
    #[error(transparent)]
    Opening(#[from] OpeningError),
    /// The trace violates a constraint: some opening does not open to the root.
    #[error("the trace violates a `{group}` constraint at row {row}")]
    Unsatisfied {
        /// The first violating row.
        row: usize,
        /// Its constraint group ([`crate::opening_air::CONSTRAINT_GROUPS`]).
        group: &'static str,
    },
    /// The Plonky3 prover failed.
    #[error("prover backend: {0}")]
    Backend(String),
    /// The STARK verifier rejected the proof.
    #[error("proof rejected: {0}")]
    Rejected(String),
}

/// Every constraint violation of `trace` for `root`, in row order (Plonky3's debug
/// checker, which evaluates each row over concrete values).
pub fn violations(
    shape: &OpeningShape,
    trace: &RowMajorMatrix<BabyBear>,
    root: &[BabyBear; 8],
) -> Vec<ConstraintFailure> {
    check_all_constraints(&OpeningAir::new(*shape), trace, root, None).failures
}

/// Proves that every opening opens to `root`. The trace is checked first, so invalid
/// openings give [`OpeningProofError::Unsatisfied`], not a proof.
///
/// # Errors
/// [`OpeningProofError::Opening`], [`OpeningProofError::Unsatisfied`],
/// [`OpeningProofError::Backend`].
pub fn prove_openings(
    shape: &OpeningShape,
    root: &[BabyBear; 8],
    openings: &[Opening],
) -> Result<Proof<ChunkStarkConfig>, OpeningProofError> {
    let trace = generate(shape, openings)?;
    if let Some(f) = violations(shape, &trace, root).first() {
        return Err(OpeningProofError::Unsatisfied {
            row: f.row,
            group: constraint_group(f.constraint).unwrap_or("public boundary"),
        });
    }
    prove_trace(shape, trace, root)
}

/// Proves `trace` as it is, without the pre-check: the stand-in for a cheating prover in
/// soundness tests. In debug builds Plonky3's prover itself panics on an unsatisfied
/// trace; in release builds it returns a proof that [`verify_openings`] must reject.
///
/// # Errors
/// [`OpeningProofError::Backend`].
#[doc(hidden)]
pub fn prove_trace(
    shape: &OpeningShape,
    trace: RowMajorMatrix<BabyBear>,
    root: &[BabyBear; 8],
) -> Result<Proof<ChunkStarkConfig>, OpeningProofError> {
    prove(&config(), &OpeningAir::new(*shape), trace, root)
        .map_err(|e| OpeningProofError::Backend(e.to_string()))
}

/// Verifies a proof that openings of `shape` open to `root`.
///
/// # Errors
/// [`OpeningProofError::Rejected`] with the STARK verifier's reason.
pub fn verify_openings(
    shape: &OpeningShape,
    root: &[BabyBear; 8],
    proof: &Proof<ChunkStarkConfig>,
) -> Result<(), OpeningProofError> {
    verify(&config(), &OpeningAir::new(*shape), proof, root)
        .map_err(|e| OpeningProofError::Rejected(e.to_string()))
}
