//! One Poseidon2 permutation as AIR cells: the lane layout, its constraints and its
//! trace filler, shared by the chunk AIR (two lanes per row) and the recursion AIRs
//! (`sq-prover-recursion`, one lane per row).
//!
//! The permutation is [`crate::hash::permutation`] (BabyBear, width 16, x^7 S-box,
//! 4 + 4 full rounds, 13 partial rounds; Poseidon2 paper, ePrint 2023/323, §3). Each
//! S-box `y = x^7` is split as `x3 = x^3` (a committed cell) and `y = x3^2 · x`, so
//! every constraint has degree 3.

use p3_air::AirBuilder;
use p3_baby_bear::{
    BabyBear, GenericPoseidon2LinearLayersBabyBear, BABYBEAR_POSEIDON2_RC_16_EXTERNAL_FINAL,
    BABYBEAR_POSEIDON2_RC_16_EXTERNAL_INITIAL, BABYBEAR_POSEIDON2_RC_16_INTERNAL,
};
use p3_field::PrimeCharacteristicRing;
use p3_poseidon2::GenericPoseidon2LinearLayers;

/// Poseidon2 lane layout: offsets inside one lane of [`perm::LANE`] cells.
pub mod perm {
    /// Half the number of full rounds.
    pub const HALF_FULL: usize = 4;
    /// Partial rounds.
    pub const PARTIAL: usize = 13;
    /// The 16 input cells.
    pub const INPUT: usize = 0;
    /// First beginning full round: 16 S-box registers (`x^3`) then 16 post-round cells.
    pub const BEGIN: usize = 16;
    /// First partial round: 1 S-box register then the post-S-box cell, per round.
    pub const PARTIALS: usize = BEGIN + HALF_FULL * 32;
    /// First ending full round.
    pub const END: usize = PARTIALS + 2 * PARTIAL;
    /// The 16 output cells (the last ending round's post cells).
    pub const OUTPUT: usize = END + (HALF_FULL - 1) * 32 + 16;
    /// Cells per lane.
    pub const LANE: usize = END + HALF_FULL * 32;
}

/// Poseidon2 linear layers, generic over the expression ring.
type Layers = GenericPoseidon2LinearLayersBabyBear;

/// Constrains one Poseidon2 lane starting at column `o` of `row`: every cell of the
/// [`perm`] layout at `row[o..o + perm::LANE]` is the genuine round state of the
/// permutation of its 16 input cells (14 × 16 + 13 × 2 = 250 constraints, degree 3).
pub fn eval_perm<AB: AirBuilder<F = BabyBear>>(builder: &mut AB, row: &[AB::Var], o: usize) {
    let cell = |i: usize| -> AB::Expr { row[o + i].into() };
    let mut state: [AB::Expr; 16] = core::array::from_fn(|i| cell(perm::INPUT + i));
    Layers::external_linear_layer(&mut state);
    let full_round =
        |builder: &mut AB, state: &mut [AB::Expr; 16], base: usize, rc: &[BabyBear; 16]| {
            for i in 0..16 {
                let x = state[i].clone() + rc[i];
                let x3 = cell(base + i);
                builder.assert_eq(x3.clone(), x.cube());
                state[i] = x3.square() * x;
            }
            Layers::external_linear_layer(state);
            for (i, s) in state.iter_mut().enumerate() {
                let post = cell(base + 16 + i);
                builder.assert_eq(s.clone(), post.clone());
                *s = post;
            }
        };
    for (r, rc) in BABYBEAR_POSEIDON2_RC_16_EXTERNAL_INITIAL.iter().enumerate() {
        full_round(builder, &mut state, perm::BEGIN + 32 * r, rc);
    }
    for (r, rc) in BABYBEAR_POSEIDON2_RC_16_INTERNAL.iter().enumerate() {
        let x = state[0].clone() + *rc;
        let x3 = cell(perm::PARTIALS + 2 * r);
        builder.assert_eq(x3.clone(), x.cube());
        let post = cell(perm::PARTIALS + 2 * r + 1);
        builder.assert_eq(x3.square() * x, post.clone());
        state[0] = post;
        Layers::internal_linear_layer(&mut state);
    }
    for (r, rc) in BABYBEAR_POSEIDON2_RC_16_EXTERNAL_FINAL.iter().enumerate() {
        full_round(builder, &mut state, perm::END + 32 * r, rc);
    }
}

/// Fills one Poseidon2 lane at column `o` of `row` for `input`; returns the output state.
///
/// # Panics
/// When `row` is shorter than `o + perm::LANE`.
pub fn fill_perm(row: &mut [BabyBear], o: usize, input: [BabyBear; 16]) -> [BabyBear; 16] {
    row[o..o + 16].copy_from_slice(&input);
    let mut s = input;
    Layers::external_linear_layer(&mut s);
    let full_round =
        |row: &mut [BabyBear], s: &mut [BabyBear; 16], base: usize, rc: &[BabyBear; 16]| {
            for i in 0..16 {
                let x = s[i] + rc[i];
                let x3 = x.cube();
                row[o + base + i] = x3;
                s[i] = x3.square() * x;
            }
            Layers::external_linear_layer(s);
            row[o + base + 16..o + base + 32].copy_from_slice(s);
        };
    for (r, rc) in BABYBEAR_POSEIDON2_RC_16_EXTERNAL_INITIAL.iter().enumerate() {
        full_round(row, &mut s, perm::BEGIN + 32 * r, rc);
    }
    for (r, rc) in BABYBEAR_POSEIDON2_RC_16_INTERNAL.iter().enumerate() {
        let x = s[0] + *rc;
        let x3 = x.cube();
        row[o + perm::PARTIALS + 2 * r] = x3;
        s[0] = x3.square() * x;
        row[o + perm::PARTIALS + 2 * r + 1] = s[0];
        Layers::internal_linear_layer(&mut s);
    }
    for (r, rc) in BABYBEAR_POSEIDON2_RC_16_EXTERNAL_FINAL.iter().enumerate() {
        full_round(row, &mut s, perm::END + 32 * r, rc);
    }
    s
}
