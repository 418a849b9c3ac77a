//! Soundness of the opening AIR: each tamper class, built directly into the recursion
//! witness (no native pre-check in the way), violates the constraint group that names
//! its reason, at the row where the reason lies.
//!
//! Witness-level tampers (a wrong opened value, sibling, index or root) regenerate the
//! whole trace from the bad opening, as a cheating prover would: every permutation is
//! genuine, and only the root check can fail. Schedule-level tampers (a prover that does
//! not follow the step schedule) edit one row, re-fill its permutation so that it stays
//! genuine, and rebuild the rest of the block honestly from there: the schedule
//! constraint of the edited step fails, and the root (now of other data) with it.

use std::collections::BTreeSet;

use p3_baby_bear::BabyBear;
use p3_field::PrimeCharacteristicRing;
use p3_matrix::dense::RowMajorMatrix;
use sq_prover_circuits::poseidon2_air::{fill_perm, perm};
use sq_prover_recursion::opening_air::{col, constraint_group};
use sq_prover_recursion::opening_trace::generate;
use sq_prover_recursion::{violations, Opening, OpeningError, OpeningShape};

use crate::common::{commit_and_open, random_matrix, Committed};

type F = BabyBear;

/// 11-element rows (absorb steps 0 and 1, the second partial: lanes 0..3 fresh), depth 4
/// (compress steps 2..=5), period 8, four openings.
fn fixture() -> Committed {
    commit_and_open(random_matrix(11, 4, 7), &[5, 12, 0, 9])
}

/// The violated groups, each with the first row it fails at.
fn failed(c: &Committed, trace: &RowMajorMatrix<F>, root: &[F; 8]) -> Vec<(&'static str, usize)> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for f in violations(&c.shape, trace, root) {
        let group = constraint_group(f.constraint).expect("a known constraint");
        if seen.insert(group) {
            out.push((group, f.row));
        }
    }
    out.sort();
    out
}

fn row_mut(trace: &mut RowMajorMatrix<F>, row: usize) -> &mut [F] {
    &mut trace.values[row * col::WIDTH..(row + 1) * col::WIDTH]
}

fn input(trace: &RowMajorMatrix<F>, row: usize) -> [F; 16] {
    core::array::from_fn(|i| trace.values[row * col::WIDTH + col::LANE + perm::INPUT + i])
}

fn output(trace: &RowMajorMatrix<F>, row: usize) -> [F; 16] {
    core::array::from_fn(|i| trace.values[row * col::WIDTH + col::LANE + perm::OUTPUT + i])
}

/// Sets a row's lane input and re-fills its permutation (so it stays genuine).
fn refill(trace: &mut RowMajorMatrix<F>, row: usize, new_input: [F; 16]) {
    let _out = fill_perm(row_mut(trace, row), col::LANE, new_input);
}

/// Recomputes the steps after `step` of block `block` honestly from that step's output:
/// absorb steps keep their fresh lanes and carry the rest, compress steps keep their bit
/// and sibling and take the new node.
fn rebuild_after(c: &Committed, trace: &mut RowMajorMatrix<F>, block: usize, step: usize) {
    let base = block * c.shape.period();
    for s in step + 1..=c.shape.root_step() {
        let (row, prev) = (base + s, output(trace, base + s - 1));
        let mut new_input = input(trace, row);
        if s < c.shape.absorb_steps() {
            new_input[c.shape.fresh_lanes(s)..].copy_from_slice(&prev[c.shape.fresh_lanes(s)..]);
        } else {
            let bit = trace.values[row * col::WIDTH + col::BIT] == F::ONE;
            let node = if bit { 8 } else { 0 };
            new_input[node..node + 8].copy_from_slice(&prev[..8]);
        }
        refill(trace, row, new_input);
    }
}

/// The trace of the fixture with opening `k` replaced by `tamper(opening)`.
fn with_opening(c: &Committed, k: usize, tamper: impl Fn(&mut Opening)) -> RowMajorMatrix<F> {
    let mut openings = c.openings.clone();
    tamper(&mut openings[k]);
    generate(&c.shape, &openings).expect("still fits the shape")
}

fn root_row(c: &Committed, block: usize) -> usize {
    block * c.shape.period() + c.shape.root_step()
}

#[test]
fn the_honest_fixture_satisfies_every_constraint() {
    let c = fixture();
    let trace = generate(&c.shape, &c.openings).expect("trace");
    assert!(failed(&c, &trace, &c.root).is_empty());
}

#[test]
fn a_wrong_opened_value_fails_the_root_check() {
    let c = fixture();
    // Lane 3 of the full block, and lane 1 of the partial block.
    for position in [3, 9] {
        let trace = with_opening(&c, 1, |o| o.values[position] += F::ONE);
        assert_eq!(failed(&c, &trace, &c.root), vec![("root", root_row(&c, 1))]);
    }
}

#[test]
fn a_wrong_sibling_at_any_level_fails_the_root_check() {
    let c = fixture();
    for level in 0..c.shape.depth() {
        let trace = with_opening(&c, 2, |o| o.siblings[level][level] += F::ONE);
        assert_eq!(
            failed(&c, &trace, &c.root),
            vec![("root", root_row(&c, 2))],
            "{level}"
        );
    }
}

#[test]
fn a_wrong_index_bit_fails_the_root_check() {
    let c = fixture();
    for level in 0..c.shape.depth() {
        let trace = with_opening(&c, 3, |o| o.index ^= 1 << level);
        assert_eq!(
            failed(&c, &trace, &c.root),
            vec![("root", root_row(&c, 3))],
            "{level}"
        );
    }
}

#[test]
fn a_wrong_root_fails_every_block() {
    let c = fixture();
    let trace = generate(&c.shape, &c.openings).expect("trace");
    let mut root = c.root;
    root[7] += F::ONE;
    let rows: BTreeSet<usize> = violations(&c.shape, &trace, &root)
        .iter()
        .map(|f| {
            assert_eq!(constraint_group(f.constraint), Some("root"));
            f.row
        })
        .collect();
    assert_eq!(rows, (0..4).map(|b| root_row(&c, b)).collect());
}

/// The violated groups after `edit` changes the lane input of block 0's `step` (its
/// permutation re-filled, the rest of the block rebuilt honestly).
fn edited_input(step: usize, edit: impl Fn(&mut [F; 16])) -> Vec<(&'static str, usize)> {
    let c = fixture();
    let mut trace = generate(&c.shape, &c.openings).expect("trace");
    let mut lanes = input(&trace, step);
    edit(&mut lanes);
    refill(&mut trace, step, lanes);
    rebuild_after(&c, &mut trace, 0, step);
    failed(&c, &trace, &c.root)
}

#[test]
fn a_sponge_that_does_not_start_from_zero_fails_the_zero_check() {
    let root = root_row(&fixture(), 0);
    let found = edited_input(0, |lanes| lanes[9] = F::ONE);
    assert_eq!(found, vec![("root", root), ("zero", 0)]);
}

#[test]
fn a_dropped_capacity_fails_the_carry_check() {
    let root = root_row(&fixture(), 0);
    let found = edited_input(1, |lanes| lanes[8..].fill(F::ZERO));
    assert_eq!(found, vec![("carry", 0), ("root", root)]);
}

#[test]
fn an_overwritten_unabsorbed_lane_fails_the_carry_check() {
    // The partial block overwrites lanes 0..3 only: writing lane 5 absorbs a 12th element.
    let root = root_row(&fixture(), 0);
    let found = edited_input(1, |lanes| lanes[5] += F::ONE);
    assert_eq!(found, vec![("carry", 0), ("root", root)]);
}

#[test]
fn a_node_on_the_wrong_side_fails_the_node_check() {
    let c = fixture();
    let mut trace = generate(&c.shape, &c.openings).expect("trace");
    // Compress step of level 1 (step 3): swap the halves, keep the bit.
    let row = 3;
    let old = input(&trace, row);
    let swapped: [F; 16] = core::array::from_fn(|i| old[(i + 8) % 16]);
    refill(&mut trace, row, swapped);
    rebuild_after(&c, &mut trace, 0, 3);
    assert_eq!(
        failed(&c, &trace, &c.root),
        vec![("node", row - 1), ("root", root_row(&c, 0))]
    );
}

#[test]
fn a_non_boolean_bit_fails_the_bit_check() {
    // bit = 2 with the node in both halves satisfies the node constraint
    // (−(node − out) + 2(node − out) = 0); only the bit constraint stands in the way.
    let c = fixture();
    let mut trace = generate(&c.shape, &c.openings).expect("trace");
    let row = 2;
    let node = output(&trace, row - 1);
    let both: [F; 16] = core::array::from_fn(|i| node[i % 8]);
    row_mut(&mut trace, row)[col::BIT] = F::TWO;
    row_mut(&mut trace, row)[col::ACC] = F::TWO;
    refill(&mut trace, row, both);
    rebuild_after(&c, &mut trace, 0, row);
    // The later accumulators follow the new acc so that `index` holds.
    for s in row + 1..=c.shape.root_step() {
        let prev = trace.values[(s - 1) * col::WIDTH + col::ACC];
        let bit = trace.values[s * col::WIDTH + col::BIT];
        row_mut(&mut trace, s)[col::ACC] = prev + bit * F::from_usize(1 << (s - 2));
    }
    assert_eq!(
        failed(&c, &trace, &c.root),
        vec![("bit", row), ("root", root_row(&c, 0))]
    );
}

#[test]
fn a_wrong_index_accumulator_fails_the_index_check() {
    let c = fixture();
    let mut trace = generate(&c.shape, &c.openings).expect("trace");
    let row = root_row(&c, 1);
    row_mut(&mut trace, row)[col::ACC] += F::ONE;
    assert_eq!(failed(&c, &trace, &c.root), vec![("index", row - 1)]);
}

#[test]
fn a_forged_round_state_fails_the_permutation_check() {
    let c = fixture();
    let mut trace = generate(&c.shape, &c.openings).expect("trace");
    // An S-box register of the first partial round of a compress step.
    row_mut(&mut trace, 4)[col::LANE + perm::PARTIALS] += F::ONE;
    let groups = failed(&c, &trace, &c.root);
    assert_eq!(groups, vec![("permutation", 4)]);
}

#[test]
fn openings_of_another_shape_are_refused() {
    let c = fixture();
    let wider = OpeningShape::new(12, 4).expect("shape");
    assert_eq!(
        generate(&wider, &c.openings).expect_err("width"),
        OpeningError::Width {
            opening: 0,
            got: 11,
            expected: 12
        }
    );
    let deeper = OpeningShape::new(11, 5).expect("shape");
    assert!(matches!(
        generate(&deeper, &c.openings),
        Err(OpeningError::Depth { opening: 0, .. })
    ));
    let mut far = c.openings.clone();
    far[2].index = 16;
    assert_eq!(
        generate(&c.shape, &far).expect_err("index"),
        OpeningError::Index {
            opening: 2,
            index: 16,
            depth: 4
        }
    );
    assert_eq!(
        generate(&c.shape, &[]).expect_err("empty"),
        OpeningError::Empty
    );
}
