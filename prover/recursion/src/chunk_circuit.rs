//! The recursion circuit of one chunk proof: the whole uni-STARK verifier of the chunk
//! configuration as circuit code — the transcript (checks 1), the out-of-domain
//! constraint check of the chunk AIR (2), the Merkle openings (3) and FRI (4) — for
//! children of one [`ChildShape`].
//!
//! Inputs: the child's public values are the circuit's public values; everything else
//! the child proof carries is hints, in the order of [`hints`].

use p3_uni_stark::Proof;
use sq_prover_circuits::air::ChunkAir;
use sq_prover_circuits::stark::ChunkStarkConfig;
use sq_prover_circuits::witness::PUBLIC_INPUTS_LEN;

use crate::child::{replay_to_zeta, seeded_challenger, ChildError};
use crate::circuit::challenger::{stark_challenges, Challenger};
use crate::circuit::fri::{allocate, assert_fri, CommitmentClaim, FriInputs, MatrixClaim};
use crate::circuit::hash::{digest_hint, DigestSlots};
use crate::circuit::ood::{assert_ood, OodInputs};
use crate::circuit::{Builder, Circuit, Ext, Slot};
use crate::fri_witness::{chunk_claims, chunk_seeds, fri_config, fri_hints};
use crate::shape::ShapeError;
use p3_air::symbolic::AirLayout;
use p3_baby_bear::BabyBear;
use p3_field::{PrimeCharacteristicRing, TwoAdicField};
use p3_uni_stark::get_log_num_quotient_chunks;
use sq_prover_circuits::stark::{FRI_PARAMS, MAX_DEGREE_BITS};

/// What fixes the circuit of a chunk proof: its trace height, and the quotient chunk
/// count the chunk AIR's constraint degree gives at that height (the AIR's width and
/// public-value count are constants).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ChildShape {
    /// log2 of the child's trace height.
    pub degree_bits: usize,
    /// Chunks of the child's quotient.
    pub quotient_chunks: usize,
}

impl ChildShape {
    /// The shape of chunk proofs with traces of `2^degree_bits` rows: the quotient chunk
    /// count as the uni-STARK verifier derives it (never taken from a proof).
    ///
    /// # Errors
    /// [`ChildError::Shape`] when `degree_bits` is 0 or above
    /// [`sq_prover_circuits::stark::MAX_DEGREE_BITS`].
    pub fn new(degree_bits: usize) -> Result<Self, ChildError> {
        if degree_bits == 0 || degree_bits > MAX_DEGREE_BITS {
            return Err(ChildError::Shape(ShapeError::Depth(degree_bits)));
        }
        let log_chunks = get_log_num_quotient_chunks::<BabyBear, _>(
            &ChunkAir,
            AirLayout::from_air(&ChunkAir),
            1 << degree_bits,
            0,
        );
        Ok(ChildShape {
            degree_bits,
            quotient_chunks: 1 << log_chunks,
        })
    }

    /// The shape of `proof`, after checking that everything the circuit reads from it has
    /// this shape's sizes (an untrusted proof must not panic or misalign the hints).
    ///
    /// # Errors
    /// [`ChildError::Shape`] for an out-of-range height, [`ChildError::Transcript`] for
    /// opened values, commitments or an opening proof of the wrong size.
    pub fn of(proof: &Proof<ChunkStarkConfig>) -> Result<Self, ChildError> {
        let shape = ChildShape::new(proof.degree_bits)?;
        let bad = |what: &str| Err(ChildError::Transcript(what.to_string()));
        let o = &proof.opened_values;
        let width = sq_prover_circuits::air::WIDTH;
        if o.trace_local.len() != width || o.trace_next.as_ref().map(Vec::len) != Some(width) {
            return bad("the opened trace rows have the wrong width");
        }
        if o.quotient_chunks.len() != shape.quotient_chunks
            || o.quotient_chunks.iter().any(|c| c.len() != 4)
        {
            return bad("the opened quotient chunks have the wrong shape");
        }
        if o.preprocessed.is_some() || o.random.is_some() {
            return bad("unexpected preprocessed or random openings");
        }
        let c = &proof.commitments;
        if c.trace.num_roots() != 1 || c.quotient_chunks.num_roots() != 1 || c.random.is_some() {
            return bad("unexpected commitment shape");
        }
        Ok(shape)
    }
}

/// The circuit and the slots of its derived challenges.
#[derive(Clone, Debug)]
pub struct ChunkCircuit {
    /// The circuit.
    pub circuit: Circuit,
    /// The constraint-folding challenge α, derived in-circuit.
    pub alpha: Slot,
    /// The out-of-domain point ζ, derived in-circuit.
    pub zeta: Slot,
}

/// Builds the circuit for children of `shape`: the child's public values are the
/// circuit's.
pub fn build(shape: ChildShape) -> ChunkCircuit {
    let mut b = Builder::new();
    let publics: Vec<Slot> = (0..PUBLIC_INPUTS_LEN).map(|_| b.public()).collect();
    let (alpha, zeta) = verify_chunk(&mut b, shape, publics);
    ChunkCircuit {
        circuit: Circuit::new(b.build()),
        alpha,
        zeta,
    }
}

/// Emits the verifier of one chunk proof of `shape` whose public values are `publics`
/// (38 base-field slots), allocating its hints ([`hints`] order). Returns the slots of
/// the derived α and ζ.
pub fn verify_chunk(b: &mut Builder, shape: ChildShape, publics: Vec<Slot>) -> (Slot, Slot) {
    let width = sq_prover_circuits::air::WIDTH;
    let local = (0..width).map(|_| b.hint()).collect();
    let next = (0..width).map(|_| b.hint()).collect();
    let quotient_chunks = (0..shape.quotient_chunks)
        .map(|_| core::array::from_fn(|_| b.hint()))
        .collect();
    let trace_commitment = digest_hint(b);
    let quotient_commitment = digest_hint(b);
    let seeded = seeded_challenger(shape.degree_bits, shape.quotient_chunks);
    let mut challenger = Challenger::from_native(b, &seeded);
    let (alpha, zeta) = stark_challenges(
        b,
        &mut challenger,
        &trace_commitment,
        &publics,
        &quotient_commitment,
    );
    let inputs = OodInputs {
        local,
        next,
        publics,
        quotient_chunks,
        zeta,
        alpha,
        degree_bits: shape.degree_bits,
    };
    assert_ood(b, &ChunkAir, &inputs).expect("the chunk AIR is a plain AIR");
    let fri = fri_inputs(b, shape, &inputs, trace_commitment, quotient_commitment);
    let cfg = fri_config(&[shape.degree_bits + FRI_PARAMS.log_blowup]);
    assert_fri(b, &mut challenger, &fri, &cfg);
    (alpha, zeta)
}

/// The chunk proof's PCS claims (p3-uni-stark's order): the trace at ζ and gζ, then
/// each quotient chunk at ζ, all at the LDE height.
fn claims(
    b: &mut Builder,
    shape: ChildShape,
    ood: &OodInputs,
    trace_commitment: DigestSlots,
    quotient_commitment: DigestSlots,
) -> Vec<CommitmentClaim> {
    let h = shape.degree_bits + FRI_PARAMS.log_blowup;
    let g = b.constant(Ext::from(BabyBear::two_adic_generator(shape.degree_bits)));
    let zeta_next = b.mul(ood.zeta, g);
    vec![
        CommitmentClaim {
            name: "trace opening",
            commitment: trace_commitment,
            matrices: vec![MatrixClaim {
                log_height: h,
                points: vec![(ood.zeta, ood.local.clone()), (zeta_next, ood.next.clone())],
            }],
        },
        CommitmentClaim {
            name: "quotient opening",
            commitment: quotient_commitment,
            matrices: ood
                .quotient_chunks
                .iter()
                .map(|chunk| MatrixClaim {
                    log_height: h,
                    points: vec![(ood.zeta, chunk.to_vec())],
                })
                .collect(),
        },
    ]
}

fn fri_inputs(
    b: &mut Builder,
    shape: ChildShape,
    ood: &OodInputs,
    trace_commitment: DigestSlots,
    quotient_commitment: DigestSlots,
) -> FriInputs {
    let claims = claims(b, shape, ood, trace_commitment, quotient_commitment);
    let cfg = fri_config(&[shape.degree_bits + FRI_PARAMS.log_blowup]);
    let (pcs_seed, fri_seed) =
        chunk_seeds(ood.local.len(), shape.degree_bits, shape.quotient_chunks);
    allocate(b, claims, &cfg, pcs_seed, fri_seed)
}

/// The hints of a chunk proof, in the circuit's order: the trace row at ζ, the row at
/// gζ, each quotient chunk's 4 coordinates at ζ, the trace commitment (8), the quotient
/// commitment (8), then the opening argument's ([`crate::fri_witness::fri_hints`]).
///
/// # Errors
/// [`ChildError`] when the proof is malformed or its opening argument does not verify
/// natively (the witness generator needs the query indices and the fold chain).
pub fn hints(
    proof: &Proof<ChunkStarkConfig>,
    publics: &[BabyBear],
) -> Result<Vec<Ext>, ChildError> {
    let _shape = ChildShape::of(proof)?;
    if publics.len() != PUBLIC_INPUTS_LEN {
        return Err(ChildError::Transcript(
            "wrong number of public values".into(),
        ));
    }
    if proof.ood_pow_witness != BabyBear::ZERO {
        // Natively a 0-bit grinding witness must be zero (p3-uni-stark's verifier).
        return Err(ChildError::Transcript(
            "non-zero out-of-domain witness".into(),
        ));
    }
    let mut hints = ood_hints(proof);
    let (_, zeta, after_zeta) = replay_to_zeta(proof, publics)?;
    let claims = chunk_claims(proof, zeta)?;
    hints.extend(fri_hints(&proof.opening_proof, &claims, after_zeta)?);
    Ok(hints)
}

/// The hints up to the quotient commitment. A proof without a next row (never made by
/// the chunk AIR) gives zeros there, which fails the check.
fn ood_hints(proof: &Proof<ChunkStarkConfig>) -> Vec<Ext> {
    let o = &proof.opened_values;
    let next = o.trace_next.clone().unwrap_or_default();
    let mut hints: Vec<Ext> = o.trace_local.iter().chain(&next).copied().collect();
    hints.resize(2 * o.trace_local.len(), Ext::default());
    hints.extend(o.quotient_chunks.iter().flatten().copied());
    let commitments = [&proof.commitments.trace, &proof.commitments.quotient_chunks];
    hints.extend(commitments.iter().flat_map(|c| c.roots()[0].map(Ext::from)));
    hints
}
