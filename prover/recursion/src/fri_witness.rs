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
use sq_prover_circuits::stark::{fri_parameters, val_mmcs, ChunkStarkConfig, FRI_PARAMS};

use crate::child::ChildError;
use crate::circuit::fri::FriConfig;
use crate::circuit::Ext;

type SC = ChunkStarkConfig;
type Challenger = <SC as StarkGenericConfig>::Challenger;

/// The FRI parameters of the chunk configuration, without an MMCS (for shapes).
fn params() -> FriParameters<()> {
    fri_parameters(())
}

/// The circuit's FRI configuration for committed matrices of these LDE log-heights
/// (any order, repeats allowed).
///
/// # Panics
/// When `log_heights` is empty.
pub fn fri_config(log_heights: &[usize]) -> FriConfig {
    let p = FRI_PARAMS;
    let mut input_log_heights = log_heights.to_vec();
    input_log_heights.sort_unstable_by(|a, b| b.cmp(a));
    input_log_heights.dedup();
    FriConfig {
        log_arities: fold_schedule(
            &input_log_heights,
            p.log_blowup + p.log_final_poly_len,
            p.max_log_arity,
        ),
        input_log_heights,
        num_queries: p.num_queries,
        query_pow_bits: p.query_pow_bits,
    }
}

/// One committed matrix natively: its LDE log-height and its claimed openings.
#[derive(Clone, Debug)]
pub struct NativeMatrix {
    /// log2 of its committed (LDE) height.
    pub log_height: usize,
    /// Each opening point and the claimed values there.
    pub points: Vec<(Ext, Vec<Ext>)>,
}

/// One commitment natively: its root and its matrices in commit order.
#[derive(Clone, Debug)]
pub struct NativeCommitment {
    /// The root (cap height 0).
    pub root: [BabyBear; 8],
    /// Its matrices.
    pub matrices: Vec<NativeMatrix>,
}

/// Records what a domain separator absorbs.
#[derive(Default)]
struct Recorder(Vec<BabyBear>);

impl CanObserve<BabyBear> for Recorder {
    fn observe(&mut self, x: BabyBear) {
        self.0.push(x);
    }
}

/// The seed elements of the PCS and FRI domain separators for these claims (they
/// depend on the claims' shape only: commitments, matrices, points, widths, heights).
pub fn seeds(claims: &[NativeCommitment]) -> (Vec<BabyBear>, Vec<BabyBear>) {
    let mut pcs = Recorder::default();
    pcs_shape(claims)
        .domain_separator::<BabyBear, Ext>()
        .seed(&mut pcs);
    let mut fri = Recorder::default();
    let cfg = fri_config(&log_heights(claims));
    FriShape::new(&params(), &cfg.input_log_heights, cfg.log_height())
        .domain_separator::<BabyBear, Ext>()
        .seed(&mut fri);
    (pcs.0, fri.0)
}

/// The seeds of a chunk proof's claims (trace of `width` columns at two points, `k`
/// quotient chunks), without its values.
pub fn chunk_seeds(width: usize, degree_bits: usize, k: usize) -> (Vec<BabyBear>, Vec<BabyBear>) {
    let h = degree_bits + FRI_PARAMS.log_blowup;
    let zero = |n: usize| vec![Ext::ZERO; n];
    let trace = NativeCommitment {
        root: [BabyBear::ZERO; 8],
        matrices: vec![NativeMatrix {
            log_height: h,
            points: vec![(Ext::ZERO, zero(width)), (Ext::ZERO, zero(width))],
        }],
    };
    let quotient = NativeCommitment {
        root: [BabyBear::ZERO; 8],
        matrices: (0..k)
            .map(|_| NativeMatrix {
                log_height: h,
                points: vec![(Ext::ZERO, zero(4))],
            })
            .collect(),
    };
    seeds(&[trace, quotient])
}

fn log_heights(claims: &[NativeCommitment]) -> Vec<usize> {
    claims
        .iter()
        .flat_map(|c| c.matrices.iter().map(|m| m.log_height))
        .collect()
}

fn pcs_shape(claims: &[NativeCommitment]) -> PcsShape {
    PcsShape {
        claimed_evaluation_counts: claims
            .iter()
            .map(|c| {
                c.matrices
                    .iter()
                    .map(|m| m.points.iter().map(|(_, v)| v.len()).collect())
                    .collect()
            })
            .collect(),
        batch_pow_bits: FRI_PARAMS.batch_pow_bits,
    }
}

fn coords(x: &Ext) -> &[BabyBear] {
    x.as_basis_coefficients_slice()
}

fn transcript_error(what: &str) -> ChildError {
    ChildError::Transcript(what.to_string())
}

/// The opening proof of the chunk configuration's PCS.
pub type OpeningProof = p3_batch_stark::PcsProof<SC>;

/// The batching challenge, the folding challenges and the query indices, replayed with
/// Plonky3's challenger `ch` (in its state where the PCS takes over).
fn replay(
    fri: &OpeningProof,
    claims: &[NativeCommitment],
    cfg: &FriConfig,
    mut ch: Challenger,
) -> Result<(Ext, Vec<Ext>, Vec<usize>), ChildError> {
    pcs_shape(claims)
        .domain_separator::<BabyBear, Ext>()
        .seed(&mut ch);
    for claim in claims {
        for m in &claim.matrices {
            for (_, values) in &m.points {
                for v in values {
                    for &c in coords(v) {
                        ch.observe(c);
                    }
                }
            }
        }
    }
    let alpha: Ext = ch.sample();
    FriShape::new(&params(), &cfg.input_log_heights, cfg.log_height())
        .domain_separator::<BabyBear, Ext>()
        .seed(&mut ch);
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
        .map(|_| ch.sample_bits(cfg.log_height()))
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

/// The reduced openings of query `q` at `index`, tallest height first (module docs of
/// [`crate::circuit::fri`]).
fn reduced_openings(
    fri: &OpeningProof,
    claims: &[NativeCommitment],
    cfg: &FriConfig,
    alpha: Ext,
    q: usize,
    index: usize,
) -> Vec<(usize, Ext)> {
    let big_h = cfg.log_height();
    cfg.input_log_heights
        .iter()
        .map(|&h| {
            let i = index >> (big_h - h);
            let x = BabyBear::GENERATOR
                * BabyBear::two_adic_generator(h).exp_u64(reverse_bits_len(i, h) as u64);
            let mut ro = Ext::ZERO;
            let mut pow = Ext::ONE;
            for (c, claim) in claims.iter().enumerate() {
                for (m, matrix) in claim.matrices.iter().enumerate() {
                    if matrix.log_height != h {
                        continue;
                    }
                    let row = &fri.input_openings[c].opened_values[q][m];
                    for (z, values) in &matrix.points {
                        let mut num = Ext::ZERO;
                        for (&y, &r) in values.iter().zip(row) {
                            num += pow * (y - r);
                            pow *= alpha;
                        }
                        ro += num / (*z - x);
                    }
                }
            }
            (h, ro)
        })
        .collect()
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
/// together), with the lower heights' reduced openings rolled in: each query's round
/// hints. Fails unless every chain ends at the final polynomial.
fn fold_chain(
    fri: &OpeningProof,
    claims: &[NativeCommitment],
    cfg: &FriConfig,
    alpha: Ext,
    betas: &[Ext],
    indices: &[usize],
) -> Result<Vec<Vec<RoundHint>>, ChildError> {
    let mut reduced: Vec<Vec<(usize, Ext)>> = indices
        .iter()
        .enumerate()
        .map(|(q, &i)| reduced_openings(fri, claims, cfg, alpha, q, i))
        .collect();
    let mut folded: Vec<Ext> = reduced.iter_mut().map(|r| r.remove(0).1).collect();
    let mut idx = indices.to_vec();
    let mut height = cfg.log_height();
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
            if let Some(p) = reduced[q].iter().position(|(h, _)| *h == height) {
                let (_, ro) = reduced[q].remove(p);
                folded[q] += beta.exp_power_of_2(a) * ro;
            }
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

/// The opening argument's hints, in the circuit's order
/// ([`crate::circuit::fri::allocate`]): commit-phase commitments, the final polynomial,
/// the proof-of-work witness, then per query: per commitment its matrices' rows and its
/// path; per round the row's other values and its path. `ch` is Plonky3's challenger
/// where the PCS takes over.
///
/// # Errors
/// [`ChildError::Transcript`] when the proof is malformed or does not verify (its proof
/// of work, its paths, or its folds fail).
pub fn fri_hints(
    fri: &OpeningProof,
    claims: &[NativeCommitment],
    ch: Challenger,
) -> Result<Vec<Ext>, ChildError> {
    let cfg = fri_config(&log_heights(claims));
    check_shape(fri, claims, &cfg)?;
    let (alpha, betas, indices) = replay(fri, claims, &cfg, ch)?;
    let big_h = cfg.log_height();
    let base = |x: &BabyBear| Ext::from(*x);
    let mut hints: Vec<Ext> = Vec::new();
    for commit in &fri.commit_phase_commits {
        hints.extend(commit.roots()[0].iter().map(base));
    }
    hints.extend(fri.final_poly.iter().copied());
    hints.push(Ext::from(fri.query_pow_witness));
    if fri.input_openings.len() != claims.len() {
        return Err(transcript_error("one opening per commitment"));
    }
    let mut all_paths = Vec::with_capacity(claims.len());
    for (claim, opening) in claims.iter().zip(&fri.input_openings) {
        let dims: Vec<Dimensions> = claim
            .matrices
            .iter()
            .map(|m| Dimensions {
                width: m.points.first().map_or(0, |(_, v)| v.len()),
                height: 1 << m.log_height,
            })
            .collect();
        let tallest = claim
            .matrices
            .iter()
            .map(|m| m.log_height)
            .max()
            .unwrap_or(0);
        let shifted: Vec<usize> = indices.iter().map(|i| i >> (big_h - tallest)).collect();
        all_paths.push(paths(
            &dims,
            &shifted,
            &opening.opened_values,
            &opening.opening_proof,
        )?);
    }
    let rounds = fold_chain(fri, claims, &cfg, alpha, &betas, &indices)?;
    for (q, rounds) in rounds.into_iter().enumerate() {
        for (opening, paths) in fri.input_openings.iter().zip(&all_paths) {
            hints.extend(opening.opened_values[q].iter().flatten().map(base));
            hints.extend(paths[q].siblings.iter().flatten().map(base));
        }
        for RoundHint { others, path } in rounds {
            hints.extend(others);
            hints.extend(path.iter().flatten().map(base));
        }
    }
    Ok(hints)
}

/// Checks that everything [`fri_hints`] reads from an untrusted opening proof has the
/// sizes `claims` imply, and that its 0-bit grinding witnesses are zero (as the native
/// verifier requires; the circuit does not read them).
fn check_shape(
    fri: &OpeningProof,
    claims: &[NativeCommitment],
    cfg: &FriConfig,
) -> Result<(), ChildError> {
    let rounds = cfg.log_arities.len();
    let ok = fri.commit_phase_commits.len() == rounds
        && fri.commit_phase_commits.iter().all(|c| c.num_roots() == 1)
        && fri.commit_phase_openings.len() == rounds
        && fri
            .commit_phase_openings
            .iter()
            .zip(&cfg.log_arities)
            .all(|(o, &a)| {
                o.sibling_values.len() == cfg.num_queries
                    && o.sibling_values.iter().all(|s| s.len() == (1 << a) - 1)
            })
        && fri.final_poly.len() == 1
        && fri.input_openings.len() == claims.len()
        && fri.input_openings.iter().zip(claims).all(|(o, c)| {
            o.opened_values.len() == cfg.num_queries
                && o.opened_values.iter().all(|rows| {
                    rows.len() == c.matrices.len()
                        && rows
                            .iter()
                            .zip(&c.matrices)
                            .all(|(r, m)| r.len() == m.points.first().map_or(0, |(_, v)| v.len()))
                })
        });
    if !ok {
        return Err(transcript_error("the opening proof has the wrong shape"));
    }
    let zero_pow = fri.batch_pow_witness == BabyBear::ZERO
        && fri.commit_pow_witnesses.len() == rounds
        && fri
            .commit_pow_witnesses
            .iter()
            .all(|w| *w == BabyBear::ZERO);
    if !zero_pow {
        return Err(transcript_error("a 0-bit grinding witness is not zero"));
    }
    Ok(())
}

/// A chunk proof's claims natively: the trace at ζ and gζ, each quotient chunk at ζ.
pub fn chunk_claims(proof: &Proof<SC>, zeta: Ext) -> Result<Vec<NativeCommitment>, ChildError> {
    let o = &proof.opened_values;
    let h = proof.degree_bits + FRI_PARAMS.log_blowup;
    let next = o
        .trace_next
        .clone()
        .ok_or_else(|| transcript_error("no next row"))?;
    let zeta_next = zeta * BabyBear::two_adic_generator(proof.degree_bits);
    Ok(vec![
        NativeCommitment {
            root: proof.commitments.trace.roots()[0],
            matrices: vec![NativeMatrix {
                log_height: h,
                points: vec![(zeta, o.trace_local.clone()), (zeta_next, next)],
            }],
        },
        NativeCommitment {
            root: proof.commitments.quotient_chunks.roots()[0],
            matrices: o
                .quotient_chunks
                .iter()
                .map(|chunk| NativeMatrix {
                    log_height: h,
                    points: vec![(zeta, chunk.clone())],
                })
                .collect(),
        },
    ])
}
