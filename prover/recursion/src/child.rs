//! Native helpers over a child chunk proof: the replay of its uni-STARK transcript up
//! to ζ ([`challenges`], [`replay_to_zeta`], [`seeded_challenger`]) for the circuits'
//! hints, and the full-path openings of its trace commitment for the standalone
//! Merkle-opening table ([`trace_openings`]).
//!
//! [`trace_openings`] re-commits the child's trace with the same PCS (deterministic: the
//! root must equal the proof's, else [`ChildError::Commitment`]), finds each queried row
//! in the committed LDE by content, and opens it there with its full path. The chunk
//! circuit does not use it: it restores paths from the proof's pruned multi-proofs at
//! the transcript's indices ([`crate::fri_witness`]).

use p3_baby_bear::BabyBear;
use p3_commit::{Mmcs, Pcs};
use p3_matrix::Matrix;
use p3_uni_stark::{Proof, StarkGenericConfig, StarkShape, StarkVerifierTranscript};
use sq_prover_circuits::air::ChunkAir;
use sq_prover_circuits::stark::{config, val_mmcs, ChunkStarkConfig};
use sq_prover_circuits::witness::ChunkWitness;

use crate::opening_trace::Opening;
use crate::shape::{OpeningShape, ShapeError};

type SC = ChunkStarkConfig;
type ChunkPcs = <SC as StarkGenericConfig>::Pcs;
type Challenge = <SC as StarkGenericConfig>::Challenge;
type Challenger = <SC as StarkGenericConfig>::Challenger;

/// The trace-commitment openings of one chunk proof, ready for the opening AIR.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChildOpenings {
    /// Width of the chunk trace, depth of its LDE tree.
    pub shape: OpeningShape,
    /// The proof's trace commitment (cap height 0: one root).
    pub root: [BabyBear; 8],
    /// One opening per FRI query, in query order.
    pub openings: Vec<Opening>,
}

/// Why a child's openings could not be produced.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChildError {
    /// Committing the witness's trace failed.
    #[error("committing the child trace: {0}")]
    Commit(String),
    /// The witness's trace does not commit to the proof's trace commitment: the proof is
    /// not of this witness.
    #[error("the witness's trace does not commit to the proof's trace commitment")]
    Commitment,
    /// The proof carries no trace-commitment openings.
    #[error("the proof opens no trace rows")]
    NoOpenings,
    /// A row the proof opens is not in the committed trace.
    #[error("query {query}: the opened row is not in the committed trace")]
    RowNotFound {
        /// The query's position.
        query: usize,
    },
    /// Replaying the child's transcript failed (a malformed proof).
    #[error("replaying the child transcript: {0}")]
    Transcript(String),
    /// The trace's shape is out of range.
    #[error(transparent)]
    Shape(#[from] ShapeError),
}

/// The full-path openings of `proof`'s trace commitment, re-derived from `witness`.
///
/// # Errors
/// [`ChildError`]: the witness does not match the proof, or the proof opens rows the
/// trace does not hold.
pub fn trace_openings(
    witness: &ChunkWitness,
    proof: &Proof<SC>,
) -> Result<ChildOpenings, ChildError> {
    let cfg = config();
    let pcs = cfg.pcs();
    let main = sq_prover_circuits::trace::generate(witness);
    let domain =
        <ChunkPcs as Pcs<Challenge, Challenger>>::natural_domain_for_degree(pcs, main.height());
    let (commitment, data) =
        <ChunkPcs as Pcs<Challenge, Challenger>>::commit(pcs, [(domain, main)])
            .map_err(|e| ChildError::Commit(format!("{e:?}")))?;
    if commitment != proof.commitments.trace {
        return Err(ChildError::Commitment);
    }
    let mmcs = val_mmcs();
    let lde = mmcs.get_matrices(&data)[0];
    let queried = &proof
        .opening_proof
        .input_openings
        .first()
        .ok_or(ChildError::NoOpenings)?
        .opened_values;
    let mut openings = Vec::with_capacity(queried.len());
    for (query, rows) in queried.iter().enumerate() {
        let row = rows.first().ok_or(ChildError::RowNotFound { query })?;
        let index = (0..lde.height())
            .find(|&i| lde.row_slice(i).is_some_and(|r| r.iter().eq(row.iter())))
            .ok_or(ChildError::RowNotFound { query })?;
        let batch = mmcs.open_batch(index, &data);
        openings.push(Opening {
            index,
            values: batch.opened_values[0].clone(),
            siblings: batch.opening_proof,
        });
    }
    Ok(ChildOpenings {
        shape: OpeningShape::new(lde.width(), lde.height().trailing_zeros() as usize)?,
        root: commitment.roots()[0],
        openings,
    })
}

/// The chunk proof transcript's shape for a trace of `2^degree_bits` rows whose quotient
/// is split in `quotient_chunks` (p3-uni-stark 0.8's `StarkShape`: it seeds the
/// challenger through the domain separator).
fn shape(degree_bits: usize, quotient_chunks: usize) -> StarkShape {
    StarkShape::new::<BabyBear, _>(
        &ChunkAir,
        0,
        degree_bits,
        degree_bits,
        quotient_chunks,
        false,
        config().ood_proof_of_work_bits(),
    )
}

/// The challenger of a chunk proof's transcript right after seeding: where the
/// in-circuit replay starts ([`crate::circuit::challenger::Challenger::from_native`]).
/// It depends on the trace height and quotient chunk count only.
pub fn seeded_challenger(degree_bits: usize, quotient_chunks: usize) -> Challenger {
    let mut challenger = config().initialise_challenger();
    let t = StarkVerifierTranscript::<Challenger, BabyBear, Challenge>::new(
        &mut challenger,
        shape(degree_bits, quotient_chunks),
    );
    // The driver checks on drop that the whole pattern was replayed; only the seeding
    // is wanted here. Forgetting it leaks its few buffers.
    std::mem::forget(t);
    challenger
}

/// The constraint-folding challenge α and the out-of-domain point ζ of a chunk proof,
/// replayed natively from its transcript (Plonky3 0.8's `StarkVerifierTranscript`, the
/// verifier's own).
///
/// # Errors
/// [`ChildError::Transcript`] when the proof does not fit the transcript's shape.
pub fn challenges(
    proof: &Proof<SC>,
    publics: &[BabyBear],
) -> Result<(Challenge, Challenge), ChildError> {
    replay_to_zeta(proof, publics).map(|(alpha, zeta, _)| (alpha, zeta))
}

/// As [`challenges`], with Plonky3's challenger in its state right after ζ (where the
/// opening argument continues).
///
/// # Errors
/// As [`challenges`].
pub fn replay_to_zeta(
    proof: &Proof<SC>,
    publics: &[BabyBear],
) -> Result<(Challenge, Challenge, Challenger), ChildError> {
    let mut challenger = config().initialise_challenger();
    let mut t = StarkVerifierTranscript::<Challenger, BabyBear, Challenge>::new(
        &mut challenger,
        shape(proof.degree_bits, proof.opened_values.quotient_chunks.len()),
    );
    let fail = |e: p3_uni_stark::StarkTranscriptFailure| ChildError::Transcript(format!("{e:?}"));
    let alpha = t
        .constraint_phase(proof.commitments.trace.clone(), None, publics)
        .map_err(fail)?;
    let zeta = t
        .ood_phase(
            proof.commitments.quotient_chunks.clone(),
            None,
            proof.ood_pow_witness,
        )
        .map_err(fail)?;
    // As in `seeded_challenger`: the opening argument is not replayed here.
    std::mem::forget(t);
    Ok((alpha, zeta, challenger))
}
