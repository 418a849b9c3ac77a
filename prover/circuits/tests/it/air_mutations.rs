//! Trace-level tests: a prover that writes the trace by hand (not through the witness)
//! must still be caught. Each test mutates an honest trace in one place and asserts that
//! Plonky3's non-panicking constraint checker reports a violation.

use p3_air::check_all_constraints;
use p3_field::PrimeCharacteristicRing;
use p3_matrix::dense::RowMajorMatrix;
use sq_prover_circuits::air::{col, perm, ChunkAir, COMMIT_STEP, LEAF_STEPS, STEPS, WIDTH};
use sq_prover_circuits::hash::{permute, F};
use sq_prover_circuits::testing::{genesis, honest_transfers};
use sq_prover_circuits::trace::generate;
use sq_prover_circuits::witness::ChunkWitness;

fn honest() -> (ChunkWitness, RowMajorMatrix<F>) {
    let w = genesis()
        .and_then(|mut s| s.chunk(honest_transfers))
        .expect("honest chunk");
    let t = generate(&w);
    (w, t)
}

fn ok(w: &ChunkWitness, t: &RowMajorMatrix<F>) -> bool {
    check_all_constraints(&ChunkAir, t, &w.public.to_fields(), Some(1)).is_ok()
}

fn cell(t: &mut RowMajorMatrix<F>, row: usize, c: usize) -> &mut F {
    &mut t.values[row * WIDTH + c]
}

#[test]
fn honest_trace_satisfies_the_air_and_lanes_match_the_permutation() {
    let (w, t) = honest();
    assert!(ok(&w, &t));
    for row in [0, 1, 17, 52, STEPS * 4] {
        let r = &t.values[row * WIDTH..(row + 1) * WIDTH];
        for lane in [col::LANE_A, col::LANE_B] {
            let input: [F; 16] = core::array::from_fn(|i| r[lane + perm::INPUT + i]);
            let output: [F; 16] = core::array::from_fn(|i| r[lane + perm::OUTPUT + i]);
            assert_eq!(permute(input), output, "row {row} lane {lane}");
        }
    }
}

#[test]
fn single_cell_mutations_are_caught() {
    let (w, honest) = honest();
    // (what, row, column): each cell takes part in some constraint at that row.
    let leaf_r = STEPS + LEAF_STEPS[1]; // transfer 1: recipient leaf (new account)
    let cases = [
        ("lane A S-box register", 3, col::LANE_A + perm::BEGIN + 5),
        ("lane B output", 5, col::LANE_B + perm::OUTPUT + 2),
        ("root", 10, col::ROOT + 1),
        ("commitment", 30, col::COMM),
        ("transfer value", 20, col::VALUE),
        ("sender nonce", 0, col::NONCE),
        ("is_new", leaf_r, col::IS_NEW),
        ("carry", 0, col::CA + 1),
        ("sibling", 4, col::SIB + 7),
        ("index bit", 6, col::BIT),
        ("carried balance limb", 9, col::BAL + 2),
        ("range-check bit", 12, col::RC1 + 15),
        ("nonce split", 0, col::NHI),
        ("node_a", 2, col::NODE_A + 4),
        ("step", 40, col::E + 40),
        ("pad flag", STEPS * 4 + 3, col::PAD),
        ("commit input", COMMIT_STEP, col::LANE_A + perm::INPUT + 1),
    ];
    for (what, row, c) in cases {
        let mut t = honest.clone();
        *cell(&mut t, row, c) += F::ONE;
        assert!(!ok(&w, &t), "{what}: mutated cell accepted");
    }
}

#[test]
fn truncated_schedule_is_caught() {
    // Turning the last transfer's commit row into padding (dropping its commitment) is
    // caught by the schedule.
    let (w, mut t) = honest();
    let row = 3 * STEPS + COMMIT_STEP;
    *cell(&mut t, row, col::E + COMMIT_STEP) = F::ZERO;
    *cell(&mut t, row, col::PAD) = F::ONE;
    assert!(!ok(&w, &t));
}
