//! FRI's folding arithmetic recorded from Plonky3 (`TwoAdicFriFolding::fold_row` and
//! `fold_schedule`), for checking the on-chain library (`contracts/src/verifier/FriFold.sol`):
//! rows of every arity the L1 configuration uses (2, 4 and 8) at several heights, with seeded
//! values, fold schedules of several input-height sets, and whole fold chains of one query
//! (`fold_query`) with the final polynomial's point.
//!
//! The checked-in fixture is `contracts/test/fixtures/l1_fri.json` (`just fixtures`); a test
//! here fails when it is stale.

use core::marker::PhantomData;

use p3_baby_bear::BabyBear;
use p3_field::{HornerIter, PrimeCharacteristicRing, PrimeField32, TwoAdicField};
use p3_fri::verifier::fold_query;
use p3_fri::{fold_schedule, CommitPhaseMultiStep, FriFoldingStrategy, TwoAdicFriFolding};
use p3_merkle_tree::PrunedMerklePaths;
use serde::{Deserialize, Serialize};

use crate::l1::L1ChallengeMmcs;
use crate::l1_field_fixture::{coefficients, random_ext, Ext};
use crate::l1_transcript_fixture::next;

/// Evaluations stored per row case: rows are padded with zeros to the largest arity.
pub const MAX_ARITY: usize = 8;

/// Parallel arrays. Row case `i`: `row_*[i]` for scalars, extension elements as 4 canonical
/// coefficients at `4i..4i + 4`, evaluations at `4·MAX_ARITY·i..` (evaluation `j` at
/// `4·(MAX_ARITY·i + j)`). Schedule case `i`: its inputs are the next
/// `schedule_input_lens[i]` entries of `schedule_inputs`, its rounds the next
/// `schedule_round_lens[i]` entries of `schedule_rounds`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FriScript {
    /// The group index at the folded height.
    pub row_index: Vec<u64>,
    /// The folded log-height.
    pub row_log_height: Vec<u64>,
    /// The round's log-arity.
    pub row_log_arity: Vec<u64>,
    /// The folding challenge β.
    pub row_beta: Vec<u32>,
    /// The row's evaluations (bit-reversed order, zero-padded).
    pub row_evals: Vec<u32>,
    /// Plonky3's folded value.
    pub row_result: Vec<u32>,
    /// Input log-heights of each schedule case (strictly decreasing).
    pub schedule_inputs: Vec<u64>,
    /// How many inputs each schedule case has.
    pub schedule_input_lens: Vec<u64>,
    /// The final log-height.
    pub schedule_final: Vec<u64>,
    /// The arity cap (log).
    pub schedule_max_log_arity: Vec<u64>,
    /// Plonky3's schedule: the log-arity of each round.
    pub schedule_rounds: Vec<u64>,
    /// How many rounds each schedule has.
    pub schedule_round_lens: Vec<u64>,
    /// Whole fold chains of one query (`fold_query`).
    pub chains: Vec<FoldChainCase>,
}

/// One query's fold chain through every round, with seeded challenges, siblings and reduced
/// openings, and what Plonky3's `fold_query` makes of it. Extension elements are 4 canonical
/// coefficients each, flat.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FoldChainCase {
    /// The query index at the tallest height.
    pub index: u64,
    /// log2 of the tallest height.
    pub log_max_height: u64,
    /// log2 of the final height.
    pub log_final_height: u64,
    /// Each round's β.
    pub betas: Vec<u32>,
    /// Each round's log-arity (`fold_schedule` of the inputs' heights, cap 3).
    pub log_arities: Vec<u64>,
    /// Each round's arity − 1 siblings, in row order without the query's position.
    pub siblings: Vec<u32>,
    /// The reduced openings' log-heights (the inputs' heights), decreasing.
    pub ro_log_heights: Vec<u64>,
    /// The reduced openings' values.
    pub ro_values: Vec<u32>,
    /// The folded value `fold_query` returns.
    pub folded: Vec<u32>,
    /// The index after the last round.
    pub final_index: u64,
    /// Each round's rebuilt row, flat.
    pub rows: Vec<u32>,
    /// Each round's group index.
    pub groups: Vec<u64>,
    /// The final-polynomial check's point for this query (`verify_fri`'s x).
    pub query_point: u32,
    /// A seeded polynomial of 4 coefficients (low degree first)...
    pub poly: Vec<u32>,
    /// ...and its value at `query_point` (`horner`).
    pub poly_at_point: Vec<u32>,
}

/// The low `bits` bits of `x`, reversed (Plonky3's `reverse_bits_len`).
fn reverse_bits_len(x: usize, bits: usize) -> usize {
    (0..bits).fold(0, |r, i| (r << 1) | ((x >> i) & 1))
}

/// The schedule cases: (input log-heights, final log-height, log-arity cap).
const SCHEDULES: [(&[usize], usize, usize); 7] = [
    (&[20], 3, 3),
    (&[20, 18, 14], 3, 3),
    (&[10, 9, 8, 4], 3, 3),
    (&[5], 3, 1),
    (&[3], 3, 3),
    (&[20, 2], 3, 3),
    (&[21, 20, 19, 17], 0, 2),
];

/// Records fold rows for log-arities 1–3 at folded log-heights 0, 1, 2, 5 and 17 (seeded
/// index, β and evaluations), one row per arity whose β is a point of its coset (the
/// interpolant's value there is that evaluation), and the schedules of [`SCHEDULES`].
pub fn fri_script(seed: u64) -> FriScript {
    let folding = TwoAdicFriFolding::<(), ()>(PhantomData);
    let mut s = FriScript {
        row_index: vec![],
        row_log_height: vec![],
        row_log_arity: vec![],
        row_beta: vec![],
        row_evals: vec![],
        row_result: vec![],
        schedule_inputs: vec![],
        schedule_input_lens: vec![],
        schedule_final: vec![],
        schedule_max_log_arity: vec![],
        schedule_rounds: vec![],
        schedule_round_lens: vec![],
        chains: vec![],
    };
    let mut rng = seed;
    for log_arity in 1..=3usize {
        for (case, log_height) in [0usize, 1, 2, 5, 17, 5].into_iter().enumerate() {
            let index = (next(&mut rng) % (1u64 << log_height)) as usize;
            let evals: Vec<Ext> = (0..1 << log_arity).map(|_| random_ext(&mut rng)).collect();
            // The last case puts β on the coset: at s, the group's first point.
            let beta = if case == 5 {
                Ext::from(
                    BabyBear::two_adic_generator(log_height + log_arity)
                        .exp_u64(reverse_bits_len(index, log_height) as u64),
                )
            } else {
                random_ext(&mut rng)
            };
            let result = FriFoldingStrategy::<BabyBear, Ext>::fold_row(
                &folding,
                index,
                log_height,
                log_arity,
                beta,
                evals.iter().copied(),
            );
            s.row_index.push(index as u64);
            s.row_log_height.push(log_height as u64);
            s.row_log_arity.push(log_arity as u64);
            s.row_beta.extend(coefficients(beta));
            for j in 0..MAX_ARITY {
                s.row_evals
                    .extend(coefficients(evals.get(j).copied().unwrap_or_default()));
            }
            s.row_result.extend(coefficients(result));
        }
    }
    for (inputs, final_height, cap) in SCHEDULES {
        let rounds = fold_schedule(inputs, final_height, cap);
        s.schedule_inputs.extend(inputs.iter().map(|&h| h as u64));
        s.schedule_input_lens.push(inputs.len() as u64);
        s.schedule_final.push(final_height as u64);
        s.schedule_max_log_arity.push(cap as u64);
        s.schedule_round_lens.push(rounds.len() as u64);
        s.schedule_rounds.extend(rounds.iter().map(|&a| a as u64));
    }
    for heights in CHAINS {
        s.chains.push(fold_chain(heights, &mut rng));
    }
    s
}

/// The chain cases' input log-heights (final log-height 3, arity cap 3): a mixed schedule
/// with roll-ins (2, 3, 3, 1), one input (3, 3), and arity-2 rounds that each roll one in.
const CHAINS: [&[usize]; 3] = [&[12, 10, 7], &[9], &[8, 7, 6, 5, 4]];

/// Runs Plonky3's `fold_query` for one seeded query over inputs of `heights`.
fn fold_chain(heights: &[usize], rng: &mut u64) -> FoldChainCase {
    let (log_max, log_final) = (heights[0], 3);
    let log_arities = fold_schedule(heights, log_final, 3);
    let index = (next(rng) % (1u64 << log_max)) as usize;
    let betas: Vec<Ext> = log_arities.iter().map(|_| random_ext(rng)).collect();
    let steps: Vec<CommitPhaseMultiStep<Ext, L1ChallengeMmcs>> = log_arities
        .iter()
        .map(|&a| CommitPhaseMultiStep {
            sibling_values: vec![(1..1 << a).map(|_| random_ext(rng)).collect()],
            opening_proof: PrunedMerklePaths {
                sibling_hashes: vec![],
            },
        })
        .collect();
    let openings: Vec<(usize, Ext)> = heights.iter().map(|&h| (h, random_ext(rng))).collect();
    let (mut groups, mut rows) = (
        vec![vec![]; log_arities.len()],
        vec![vec![]; log_arities.len()],
    );
    let mut final_index = index;
    let folded = fold_query::<_, BabyBear, Ext, L1ChallengeMmcs>(
        &TwoAdicFriFolding::<(), ()>(PhantomData),
        0,
        &mut final_index,
        &betas,
        &log_arities,
        &steps,
        openings.clone(),
        log_max,
        log_final,
        &mut groups,
        &mut rows,
    )
    .expect("Plonky3 folds its own chain");
    let point = BabyBear::two_adic_generator(log_max)
        .exp_u64(reverse_bits_len(final_index, log_max) as u64);
    let poly: Vec<Ext> = (0..4).map(|_| random_ext(rng)).collect();
    let poly_at_point: Ext = poly.iter().copied().horner(point);
    let flat = |xs: &mut dyn Iterator<Item = Ext>| xs.flat_map(coefficients).collect::<Vec<u32>>();
    FoldChainCase {
        index: index as u64,
        log_max_height: log_max as u64,
        log_final_height: log_final as u64,
        betas: flat(&mut betas.iter().copied()),
        log_arities: log_arities.iter().map(|&a| a as u64).collect(),
        siblings: flat(&mut steps.iter().flat_map(|s| s.sibling_values[0].clone())),
        ro_log_heights: heights.iter().map(|&h| h as u64).collect(),
        ro_values: flat(&mut openings.iter().map(|&(_, v)| v)),
        folded: coefficients(folded),
        final_index: final_index as u64,
        rows: flat(&mut rows.iter().flat_map(|r| r[0][0].clone())),
        groups: groups.iter().map(|g| g[0] as u64).collect(),
        query_point: point.as_canonical_u32(),
        poly: flat(&mut poly.iter().copied()),
        poly_at_point: coefficients(poly_at_point),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fixture forge checks is what Plonky3 computes today; regenerate with `just
    /// fixtures` when this fails.
    #[test]
    fn the_checked_in_forge_fixture_is_current() {
        let checked_in: FriScript =
            serde_json::from_str(include_str!("../../../contracts/test/fixtures/l1_fri.json"))
                .expect("fixture parses");
        assert_eq!(
            checked_in,
            fri_script(19),
            "stale fixture: run `just fixtures`"
        );
    }

    /// A row whose β lies on its coset folds to that point's evaluation, which forge checks
    /// through the same fixture.
    #[test]
    fn beta_on_the_coset_folds_to_that_evaluation() {
        let s = fri_script(19);
        for case in [5usize, 11, 17] {
            let first = 4 * MAX_ARITY * case;
            assert_eq!(
                s.row_result[4 * case..4 * case + 4],
                s.row_evals[first..first + 4]
            );
        }
    }
}
