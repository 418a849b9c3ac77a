//! FRI's reduced openings recorded from Plonky3 (`p3_fri::verifier::open_inputs`), for checking
//! the on-chain library (`contracts/src/verifier/FriInputs.sol`): two batches of seeded
//! matrices of three LDE heights, committed with the L1 Merkle scheme and opened at seeded
//! queries, with claimed evaluations at one or two points per matrix; Plonky3 checks the
//! openings against the commitments and reduces them per height.
//!
//! The checked-in fixture is `contracts/test/fixtures/l1_fri_inputs.json` (`just fixtures`);
//! a test here fails when it is stale.

use p3_baby_bear::BabyBear;
use p3_commit::{CommitmentOpening, MatrixOpening, Mmcs, PointOpening};
use p3_field::coset::TwoAdicMultiplicativeCoset;
use p3_field::{Field, PrimeField32};
use p3_fri::verifier::open_inputs;
use p3_fri::BatchMultiOpening;
use p3_matrix::dense::RowMajorMatrix;
use p3_matrix::Matrix;
use serde::{Deserialize, Serialize};

use crate::l1::{l1_val_mmcs, L1ChallengeMmcs, L1ValMmcs, L1_FRI_PARAMS};
use crate::l1_field_fixture::{coefficients, random_ext, Ext};
use crate::l1_transcript_fixture::{element, next};
use crate::stark::fri_parameters_of;

/// The matrices of both batches, in (batch, matrix) order, with what each query opened and
/// what Plonky3 reduced. Extension elements are 4 canonical coefficients each, flat.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputsScript {
    /// The batching challenge α.
    pub alpha: Vec<u32>,
    /// log2 of the tallest LDE height.
    pub log_max_height: u64,
    /// The FRI blowup's log.
    pub log_blowup: u64,
    /// Each matrix's LDE log-height.
    pub mat_log_heights: Vec<u64>,
    /// Each matrix's number of opening points.
    pub mat_point_counts: Vec<u64>,
    /// The opening points, matrices in order.
    pub points: Vec<u32>,
    /// The claimed values: per matrix, per point, a row of its width.
    pub claims: Vec<u32>,
    /// The query indices at the tallest height.
    pub indices: Vec<u64>,
    /// Per query, every matrix's opened row (base elements), flat.
    pub rows: Vec<u32>,
    /// The reduced openings' log-heights (decreasing; the same for every query).
    pub ro_log_heights: Vec<u64>,
    /// Per query, its reduced openings in that order.
    pub ro_values: Vec<u32>,
}

/// (batch, trace log-height, width, opening points): batch 0 holds heights 2^5 and 2^3,
/// batch 1 another 2^5 and a 2^4; the first matrix is opened at two points.
const MATRICES: [(usize, usize, usize, usize); 4] =
    [(0, 5, 3, 2), (0, 3, 2, 1), (1, 5, 4, 1), (1, 4, 1, 1)];

/// Commits, opens and reduces with Plonky3; `queries` seeded query indices.
pub fn inputs_script(queries: usize, seed: u64) -> InputsScript {
    let mut rng = seed;
    let log_blowup = L1_FRI_PARAMS.log_blowup;
    let log_max = 5 + log_blowup;
    let mmcs = l1_val_mmcs();
    let alpha = random_ext(&mut rng);
    let indices: Vec<usize> = (0..queries)
        .map(|_| (next(&mut rng) % (1 << log_max)) as usize)
        .collect();
    let mut claims = Vec::new();
    let mut openings = Vec::new();
    for batch in 0..2 {
        let shapes: Vec<_> = MATRICES.iter().filter(|m| m.0 == batch).collect();
        let matrices: Vec<RowMajorMatrix<BabyBear>> = shapes
            .iter()
            .map(|&&(_, log_h, width, _)| {
                let cells = (0..(width << (log_h + log_blowup))).map(|_| element(&mut rng));
                RowMajorMatrix::new(cells.collect(), width)
            })
            .collect();
        let max_height = matrices.iter().map(|m| m.height()).max().expect("matrices");
        let shift = log_max - max_height.ilog2() as usize;
        let reduced: Vec<usize> = indices.iter().map(|&i| i >> shift).collect();
        let (commitment, data) = mmcs.commit(matrices);
        let (opened_values, opening_proof) = mmcs.open_multi_batch(&reduced, &data);
        openings.push(BatchMultiOpening::<BabyBear, L1ValMmcs> {
            opened_values,
            opening_proof,
        });
        let mats = shapes
            .iter()
            .map(|&&(_, log_h, width, points)| MatrixOpening {
                domain: TwoAdicMultiplicativeCoset::new(BabyBear::GENERATOR, log_h)
                    .expect("a small domain"),
                points: (0..points)
                    .map(|_| PointOpening {
                        point: random_ext(&mut rng),
                        values: (0..width).map(|_| random_ext(&mut rng)).collect(),
                    })
                    .collect(),
            })
            .collect();
        claims.push(CommitmentOpening {
            commitment,
            matrices: mats,
        });
    }
    let params = fri_parameters_of(L1_FRI_PARAMS, L1ChallengeMmcs::new(mmcs.clone()));
    let reduced = open_inputs(&params, log_max, &indices, &openings, alpha, &mmcs, &claims)
        .expect("Plonky3 reduces its own openings");
    record(alpha, log_max, &indices, &openings, &claims, &reduced)
}

type Claims = [CommitmentOpening<
    Ext,
    p3_merkle_tree::MerkleCap<BabyBear, [u8; 32]>,
    TwoAdicMultiplicativeCoset<BabyBear>,
>];

fn record(
    alpha: Ext,
    log_max: usize,
    indices: &[usize],
    openings: &[BatchMultiOpening<BabyBear, L1ValMmcs>],
    claims: &Claims,
    reduced: &[Vec<(usize, Ext)>],
) -> InputsScript {
    let mats = || claims.iter().flat_map(|c| c.matrices.iter());
    let exts = |xs: &mut dyn Iterator<Item = Ext>| xs.flat_map(coefficients).collect::<Vec<u32>>();
    InputsScript {
        alpha: coefficients(alpha),
        log_max_height: log_max as u64,
        log_blowup: L1_FRI_PARAMS.log_blowup as u64,
        mat_log_heights: mats()
            .map(|m| (m.domain.log_size() + L1_FRI_PARAMS.log_blowup) as u64)
            .collect(),
        mat_point_counts: mats().map(|m| m.points.len() as u64).collect(),
        points: exts(&mut mats().flat_map(|m| m.points.iter().map(|p| p.point))),
        claims: exts(&mut mats().flat_map(|m| m.points.iter().flat_map(|p| p.values.clone()))),
        indices: indices.iter().map(|&i| i as u64).collect(),
        rows: (0..indices.len())
            .flat_map(|q| {
                openings
                    .iter()
                    .flat_map(move |b| b.opened_values[q].concat())
            })
            .map(|x| x.as_canonical_u32())
            .collect(),
        ro_log_heights: reduced[0].iter().map(|&(h, _)| h as u64).collect(),
        ro_values: exts(&mut reduced.iter().flat_map(|r| r.iter().map(|&(_, v)| v))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fixture forge checks is what Plonky3 computes today; regenerate with `just
    /// fixtures` when this fails.
    #[test]
    fn the_checked_in_forge_fixture_is_current() {
        let checked_in: InputsScript = serde_json::from_str(include_str!(
            "../../../contracts/test/fixtures/l1_fri_inputs.json"
        ))
        .expect("fixture parses");
        assert_eq!(
            checked_in,
            inputs_script(5, 23),
            "stale fixture: run `just fixtures`"
        );
    }

    /// Three distinct heights (2^8, 2^7, 2^6 with blowup 8), each reduced per query.
    #[test]
    fn the_script_reduces_three_heights() {
        let s = inputs_script(5, 23);
        assert_eq!(s.ro_log_heights, vec![8, 7, 6]);
        assert_eq!(s.ro_values.len(), 5 * 3 * 4);
    }
}
