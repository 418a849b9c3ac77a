//! Native witness generation for the opening argument of a chunk proof: the transcript
//! replayed with Plonky3's own challenger to find the query indices, the full Merkle
//! paths restored from the proof's pruned multi-proofs, and the fold chain that fills
//! each commit round's row. The circuit ([`crate::circuit::fri`]) recomputes and checks
//! all of it; this only finds the values.

use std::marker::PhantomData;

use p3_baby_bear::BabyBear;
use p3_challenger::{CanObserve, CanSample, CanSampleBits};
use p3_field::{BasedVectorSpace, Field, PrimeCharacteristicRing, TwoAdicField};
use p3_fri::{
    fold_schedule, FriFoldingStrategy, FriParameters, FriShape, PcsShape, TwoAdicFriFolding,
};
use p3_matrix::Dimensions;
use p3_merkle_tree::{MerkleAuthPath, PrunedMerklePaths};
use p3_uni_stark::{Proof, StarkGenericConfig};
use p3_util::reverse_bits_len;
use sq_prover_circuits::stark::{val_mmcs, ChunkStarkConfig, FRI_PARAMS};

use crate::child::ChildError;
use crate::circuit::fri::FriConfig;
use crate::circuit::Ext;

type SC = ChunkStarkConfig;
type Challenger = <SC as StarkGenericConfig>::Challenger;

/// The FRI parameters of the chunk configuration, without an MMCS (for shapes).
fn params() -> FriParameters<()> {
    let p = FRI_PARAMS;
    FriParameters {
        log_blowup: p.log_blowup,
        log_final_poly_len: p.log_final_poly_len,
        max_log_arity: p.max_log_arity,
        num_queries: p.num_queries,
        batch_proof_of_work_bits: p.batch_pow_bits,
        commit_proof_of_work_bits: p.commit_pow_bits,
        query_proof_of_work_bits: p.query_pow_bits,
        mmcs: (),
    }
}

/// The circuit's FRI configuration for a chunk trace of `2^degree_bits` rows.
pub fn fri_config(degree_bits: usize) -> FriConfig {
    let p = FRI_PARAMS;
    let log_height = degree_bits + p.log_blowup;
    FriConfig {
        log_height,
        log_arities: fold_schedule(
            &[log_height],
            p.log_blowup + p.log_final_poly_len,
            p.max_log_arity,
        ),
        num_queries: p.num_queries,
        query_pow_bits: p.query_pow_bits,
    }
}

/// Records what a domain separator absorbs.
#[derive(Default)]
struct Recorder(Vec<BabyBear>);

impl CanObserve<BabyBear> for Recorder {
    fn observe(&mut self, x: BabyBear) {
        self.0.push(x);
    }
}

/// The seed elements of the PCS and FRI domain separators of a chunk proof (they
/// depend on the trace width and height and the quotient chunk count only).
pub fn seeds(
    width: usize,
    degree_bits: usize,
    quotient_chunks: usize,
) -> (Vec<BabyBear>, Vec<BabyBear>) {
    let mut pcs = Recorder::default();
    pcs_shape(width, quotient_chunks)
        .domain_separator::<BabyBear, Ext>()
        .seed(&mut pcs);
    let mut fri = Recorder::default();
    let h = degree_bits + FRI_PARAMS.log_blowup;
    FriShape::new(&params(), &[h], h)
        .domain_separator::<BabyBear, Ext>()
        .seed(&mut fri);
    (pcs.0, fri.0)
}

fn pcs_shape(width: usize, quotient_chunks: usize) -> PcsShape {
    PcsShape {
        claimed_evaluation_counts: vec![vec![vec![width, width]], vec![vec![4]; quotient_chunks]],
        batch_pow_bits: FRI_PARAMS.batch_pow_bits,
    }
}

fn coords(x: &Ext) -> &[BabyBear] {
    x.as_basis_coefficients_slice()
}

fn transcript_error(what: &str) -> ChildError {
    ChildError::Transcript(what.to_string())
}

/// The batching challenge, the folding challenges and the query indices, replayed with
/// Plonky3's challenger `ch` (in its state right after ζ).
fn replay(
    proof: &Proof<SC>,
    mut ch: Challenger,
) -> Result<(Ext, Vec<Ext>, Vec<usize>), ChildError> {
    let o = &proof.opened_values;
    let width = o.trace_local.len();
    let cfg = fri_config(proof.degree_bits);
    pcs_shape(width, o.quotient_chunks.len())
        .domain_separator::<BabyBear, Ext>()
        .seed(&mut ch);
    let next = o
        .trace_next
        .as_deref()
        .ok_or_else(|| transcript_error("no next row"))?;
    for v in o
        .trace_local
        .iter()
        .chain(next)
        .chain(o.quotient_chunks.iter().flatten())
    {
        for &c in coords(v) {
            ch.observe(c);
        }
    }
    let alpha: Ext = ch.sample();
    FriShape::new(&params(), &[cfg.log_height], cfg.log_height)
        .domain_separator::<BabyBear, Ext>()
        .seed(&mut ch);
    let fri = &proof.opening_proof;
    let mut betas = Vec::new();
    for commit in &fri.commit_phase_commits {
        ch.observe(commit.clone());
        betas.push(ch.sample());
    }
    let final_poly = fri
        .final_poly
        .first()
        .ok_or_else(|| transcript_error("no final polynomial"))?;
    for &c in coords(final_poly) {
        ch.observe(c);
    }
    ch.observe(fri.query_pow_witness);
    if ch.sample_bits(cfg.query_pow_bits) != 0 {
        return Err(transcript_error("the query proof of work does not hold"));
    }
    let indices = (0..cfg.num_queries)
        .map(|_| ch.sample_bits(cfg.log_height))
        .collect();
    Ok((alpha, betas, indices))
}

/// Full per-query paths from a pruned multi-proof (Plonky3's own restoration).
fn paths(
    dims: &[Dimensions],
    indices: &[usize],
    rows: &[Vec<Vec<BabyBear>>],
    proof: &PrunedMerklePaths<BabyBear, 8>,
) -> Result<Vec<MerkleAuthPath<BabyBear, 8>>, ChildError> {
    val_mmcs()
        .restore_and_recompute_paths(dims, indices, rows, proof)
        .map_err(|e| ChildError::Transcript(format!("restoring Merkle paths: {e:?}")))
}

/// The reduced opening of the query at `index` (module docs of [`crate::circuit::fri`]).
fn reduced_opening(proof: &Proof<SC>, zeta: Ext, alpha: Ext, q: usize, index: usize) -> Ext {
    let o = &proof.opened_values;
    let h = proof.degree_bits + FRI_PARAMS.log_blowup;
    let x = BabyBear::GENERATOR
        * BabyBear::two_adic_generator(h).exp_u64(reverse_bits_len(index, h) as u64);
    let zeta_next = zeta * BabyBear::two_adic_generator(proof.degree_bits);
    let inputs = &proof.opening_proof.input_openings;
    let trace_row = &inputs[0].opened_values[q][0];
    let next = o.trace_next.as_deref().unwrap_or_default();
    let mut at_zeta = Ext::ZERO;
    let mut at_next = Ext::ZERO;
    let mut pow = Ext::ONE;
    let w = trace_row.len();
    let alpha_w = alpha.exp_u64(w as u64);
    for (c, &t) in trace_row.iter().enumerate() {
        at_zeta += pow * (o.trace_local[c] - t);
        at_next += alpha_w * pow * (next[c] - t);
        pow *= alpha;
    }
    let mut pow = alpha_w * alpha_w;
    for (j, chunk) in o.quotient_chunks.iter().enumerate() {
        for (c, &claimed) in chunk.iter().enumerate() {
            at_zeta += pow * (claimed - inputs[1].opened_values[q][j][c]);
            pow *= alpha;
        }
    }
    at_zeta / (zeta - x) + at_next / (zeta_next - x)
}

/// One commit round's hints for one query: the row's values other than the folded one,
/// and the row's full Merkle path.
struct RoundHint {
    others: Vec<Ext>,
    path: Vec<[BabyBear; 8]>,
}

/// The rows of one commit round over all queries: the folded value inserted at each
/// query's position among the proof's siblings. Shifts `idx` past the round's bits and
/// returns the rows and positions.
fn round_rows(
    step_siblings: &[Vec<Ext>],
    folded: &[Ext],
    idx: &mut [usize],
    a: usize,
) -> Result<(Vec<Vec<Ext>>, Vec<usize>), ChildError> {
    let n = 1usize << a;
    let mut rows = Vec::with_capacity(idx.len());
    let mut positions = Vec::with_capacity(idx.len());
    for (q, i) in idx.iter_mut().enumerate() {
        let siblings = step_siblings
            .get(q)
            .ok_or_else(|| transcript_error("missing siblings"))?;
        if siblings.len() != n - 1 {
            return Err(transcript_error("a commit round's row has the wrong arity"));
        }
        let pos = *i & (n - 1);
        let mut row = siblings.clone();
        row.insert(pos, folded[q]);
        *i >>= a;
        rows.push(row);
        positions.push(pos);
    }
    Ok((rows, positions))
}

/// The fold chain over all queries, round by round (each round's paths restore
/// together): each query's round hints. Fails unless every chain ends at the final
/// polynomial.
fn fold_chain(
    proof: &Proof<SC>,
    zeta: Ext,
    alpha: Ext,
    betas: &[Ext],
    indices: &[usize],
) -> Result<Vec<Vec<RoundHint>>, ChildError> {
    let cfg = fri_config(proof.degree_bits);
    let fri = &proof.opening_proof;
    let mut folded: Vec<Ext> = indices
        .iter()
        .enumerate()
        .map(|(q, &i)| reduced_opening(proof, zeta, alpha, q, i))
        .collect();
    let mut idx = indices.to_vec();
    let mut height = cfg.log_height;
    let mut hints: Vec<Vec<RoundHint>> = indices.iter().map(|_| Vec::new()).collect();
    let folding = TwoAdicFriFolding::<(), ()>(PhantomData);
    let steps = cfg
        .log_arities
        .iter()
        .zip(&fri.commit_phase_openings)
        .zip(betas);
    for ((&a, step), &beta) in steps {
        let (rows, positions) = round_rows(&step.sibling_values, &folded, &mut idx, a)?;
        height -= a;
        let base_rows: Vec<Vec<Vec<BabyBear>>> = rows
            .iter()
            .map(|row| vec![row.iter().flat_map(|v| coords(v).to_vec()).collect()])
            .collect();
        let dims = [Dimensions {
            width: 4 << a,
            height: 1 << height,
        }];
        let round_paths = paths(&dims, &idx, &base_rows, &step.opening_proof)?;
        for (q, mut row) in rows.into_iter().enumerate() {
            folded[q] = <TwoAdicFriFolding<(), ()> as FriFoldingStrategy<BabyBear, Ext>>::fold_row(
                &folding,
                idx[q],
                height,
                a,
                beta,
                row.iter().copied(),
            );
            let _folded_input = row.remove(positions[q]);
            hints[q].push(RoundHint {
                others: row,
                path: round_paths[q].siblings.clone(),
            });
        }
    }
    let final_poly = fri.final_poly.first().copied().unwrap_or_default();
    if folded.iter().any(|&f| f != final_poly) {
        return Err(transcript_error(
            "the fold chain does not end at the final polynomial",
        ));
    }
    Ok(hints)
}

/// The opening argument's hints of `proof`, in the circuit's order (see
/// [`crate::chunk_circuit::build`]): commit-phase commitments, the final polynomial,
/// the proof-of-work witness, then per query the trace row, the quotient rows, their
/// paths, and per round the row's other values and its path. `after_zeta` is Plonky3's
/// challenger right after ζ was drawn; `zeta` is that ζ.
///
/// # Errors
/// [`ChildError::Transcript`] when the proof is malformed or does not verify (its proof
/// of work, its paths, or its folds fail).
pub fn fri_hints(
    proof: &Proof<SC>,
    after_zeta: Challenger,
    zeta: Ext,
) -> Result<Vec<Ext>, ChildError> {
    let (alpha, betas, indices) = replay(proof, after_zeta)?;
    let h = fri_config(proof.degree_bits).log_height;
    let fri = &proof.opening_proof;
    let base = |x: &BabyBear| Ext::from(*x);
    let mut hints: Vec<Ext> = Vec::new();
    for commit in &fri.commit_phase_commits {
        hints.extend(commit.roots()[0].iter().map(base));
    }
    hints.extend(fri.final_poly.iter().copied());
    hints.push(Ext::from(fri.query_pow_witness));

    let inputs = &fri.input_openings;
    if inputs.len() != 2 {
        return Err(transcript_error("expected trace and quotient openings"));
    }
    let width = proof.opened_values.trace_local.len();
    let k = proof.opened_values.quotient_chunks.len();
    let dims = |width| Dimensions {
        width,
        height: 1 << h,
    };
    let trace = &inputs[0];
    let trace_paths = paths(
        &[dims(width)],
        &indices,
        &trace.opened_values,
        &trace.opening_proof,
    )?;
    let quotient = &inputs[1];
    let quotient_dims = vec![dims(4); k];
    let quotient_paths = paths(
        &quotient_dims,
        &indices,
        &quotient.opened_values,
        &quotient.opening_proof,
    )?;
    let rounds = fold_chain(proof, zeta, alpha, &betas, &indices)?;

    for (q, rounds) in rounds.into_iter().enumerate() {
        hints.extend(trace.opened_values[q][0].iter().map(base));
        hints.extend(quotient.opened_values[q].iter().flatten().map(base));
        hints.extend(trace_paths[q].siblings.iter().flatten().map(base));
        hints.extend(quotient_paths[q].siblings.iter().flatten().map(base));
        for RoundHint { others, path } in rounds {
            hints.extend(others);
            hints.extend(path.iter().flatten().map(base));
        }
    }
    Ok(hints)
}
