//! FRI's folding arithmetic recorded from Plonky3 (`TwoAdicFriFolding::fold_row` and
//! `fold_schedule`), for checking the on-chain library (`contracts/src/verifier/FriFold.sol`):
//! rows of every arity the L1 configuration uses (2, 4 and 8) at several heights, with seeded
//! values, and fold schedules of several input-height sets.
//!
//! The checked-in fixture is `contracts/test/fixtures/l1_fri.json` (`just fixtures`); a test
//! here fails when it is stale.

use core::marker::PhantomData;

use p3_baby_bear::BabyBear;
use p3_field::extension::BinomialExtensionField;
use p3_field::{BasedVectorSpace, PrimeCharacteristicRing, TwoAdicField};
use p3_fri::{fold_schedule, FriFoldingStrategy, TwoAdicFriFolding};
use serde::{Deserialize, Serialize};

use crate::l1_field_fixture::coefficients;
use crate::l1_transcript_fixture::{element, next};

type Ext = BinomialExtensionField<BabyBear, 4>;

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
}

fn random_ext(rng: &mut u64) -> Ext {
    Ext::from_basis_coefficients_fn(|_| element(rng))
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
    s
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
