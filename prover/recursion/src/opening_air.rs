//! The Merkle-opening AIR: every block of rows opens one row of a child's committed
//! matrix against the child's commitment root (the public values).
//!
//! # Row layout ([`col`])
//!
//! One Poseidon2 lane ([`sq_prover_circuits::poseidon2_air::perm`], 298 cells: input,
//! round states, output), the path bit and the index accumulator: 300 columns.
//!
//! # Constraints, in evaluation order ([`CONSTRAINT_GROUPS`])
//!
//! With `Z`, `K`, … the periodic columns of [`crate::shape::schedule`], `in`/`out` the
//! lane's input and output, `'` the next row, and `pv` the root (8 public values):
//!
//! | group | constraint | count |
//! |-------|-----------|-------|
//! | `zero` | `Z_i · in_i = 0` | 16 |
//! | `carry` | `K_i · (in'_i − out_i) = 0` | 16 |
//! | `bit` | `COMPRESS · bit · (bit − 1) = 0` | 1 |
//! | `node` | `NODE_NEXT · ((1 − bit')(in'_i − out_i) + bit'(in'_{8+i} − out_i)) = 0` | 8 |
//! | `index` | `NODE_NEXT · (acc' − ACC_NEXT · acc − WEIGHT_NEXT · bit') = 0` | 1 |
//! | `root` | `ROOT · (out_i − pv_i) = 0` | 8 |
//! | `permutation` | the lane is a genuine Poseidon2 permutation | 250 |
//!
//! Maximum degree 3. The lane inputs the schedule leaves free are the witness: the opened
//! row's elements (the fresh rate lanes of absorb steps, in order) and the siblings (the
//! half of a compress step's input that is not the node).
//!
//! # Soundness
//!
//! Every row's lane is a Poseidon2 permutation. Within a block, step 0 starts the sponge
//! from the zero state (`zero`), each further absorb step carries the capacity and the
//! lanes its block does not overwrite (`carry`), so the output of the last absorb step is
//! exactly the native leaf digest of the elements in the fresh lanes. Each compress step
//! takes the previous output's digest as its left or right half, by its boolean `bit`
//! (`bit`, `node`); the root step's output equals the public root (`root`). This is,
//! step for step, `MerkleTreeMmcs::verify_batch` for one matrix with cap height 0, so a
//! satisfying block exhibits a row and a path to the root, and by Poseidon2's collision
//! resistance the row is the committed row at index `acc` (read at the root step;
//! `index`). The schedule is periodic, hence fixed by `(leaf_width, depth)`: the prover
//! cannot re-order, skip or re-purpose steps. Blocks are independent: nothing carries
//! across a block boundary, because every `K`, `NODE_NEXT` entry of a block's last step
//! is 0.
//!
//! What this table does not bind: that `acc` is the index the child's transcript
//! samples, and that the opened elements are the ones the FRI check reduces. It is an
//! experiment kept for its cost (no bus traffic for the sponge's intermediate states):
//! the chunk circuit verifies its openings with the circuit's own Merkle gadget
//! ([`crate::circuit::hash`]), and this table is not joined to the circuit's bus.

use std::borrow::Cow;

use p3_air::{Air, AirBuilder, BaseAir, WindowAccess};
use p3_baby_bear::BabyBear;
use p3_field::PrimeCharacteristicRing;
use sq_prover_circuits::poseidon2_air::{eval_perm, perm};

use crate::shape::{periodic, schedule, OpeningShape};

/// Column offsets of a row.
pub mod col {
    use super::perm;
    /// The Poseidon2 lane ([`perm`] layout).
    pub const LANE: usize = 0;
    /// The path bit of a compress step: 1 when the node is the right half.
    pub const BIT: usize = LANE + perm::LANE;
    /// The index accumulated over the path so far (compress steps).
    pub const ACC: usize = BIT + 1;
    /// Total width.
    pub const WIDTH: usize = ACC + 1;
}

/// Elements of the root digest: the public values.
pub const ROOT_ELEMS: usize = 8;

/// Maximum constraint degree.
pub const MAX_CONSTRAINT_DEGREE: usize = 3;

/// The constraint groups in evaluation order, with their sizes (see the module docs).
pub const CONSTRAINT_GROUPS: [(&str, usize); 7] = [
    ("zero", 16),
    ("carry", 16),
    ("bit", 1),
    ("node", 8),
    ("index", 1),
    ("root", ROOT_ELEMS),
    ("permutation", 250),
];

/// The group of the constraint at `index` in one row's evaluation (the `constraint`
/// field of Plonky3's debug checker), or `None` past the last.
pub fn constraint_group(index: usize) -> Option<&'static str> {
    let mut start = 0;
    for (name, len) in CONSTRAINT_GROUPS {
        if index < start + len {
            return Some(name);
        }
        start += len;
    }
    None
}

/// The opening AIR for one [`OpeningShape`]. Public values: the root (8 elements).
#[derive(Clone, Debug)]
pub struct OpeningAir {
    shape: OpeningShape,
    periodic: Vec<Vec<BabyBear>>,
}

impl OpeningAir {
    /// The AIR of `shape`, with its schedule.
    pub fn new(shape: OpeningShape) -> Self {
        OpeningAir {
            shape,
            periodic: schedule(&shape),
        }
    }

    /// Its shape.
    pub const fn shape(&self) -> &OpeningShape {
        &self.shape
    }
}

impl BaseAir<BabyBear> for OpeningAir {
    fn width(&self) -> usize {
        col::WIDTH
    }

    fn num_public_values(&self) -> usize {
        ROOT_ELEMS
    }

    fn max_constraint_degree(&self) -> Option<usize> {
        Some(MAX_CONSTRAINT_DEGREE)
    }

    fn num_periodic_columns(&self) -> usize {
        periodic::COUNT
    }

    fn periodic_columns(&self) -> Cow<'_, [Vec<BabyBear>]> {
        Cow::Borrowed(&self.periodic)
    }
}

impl<AB: AirBuilder<F = BabyBear>> Air<AB> for OpeningAir {
    fn eval(&self, builder: &mut AB) {
        let main = builder.main();
        let local = main.current_slice();
        let next = main.next_slice();
        let per: Vec<AB::Expr> = builder
            .periodic_values()
            .iter()
            .map(|&v| v.into())
            .collect();
        let root: Vec<AB::Expr> = builder.public_values().iter().map(|&v| v.into()).collect();
        let cur = |i: usize| -> AB::Expr { local[i].into() };
        let nxt = |i: usize| -> AB::Expr { next[i].into() };
        let input = |i: usize| cur(col::LANE + perm::INPUT + i);
        let output = |i: usize| cur(col::LANE + perm::OUTPUT + i);
        let input_next = |i: usize| nxt(col::LANE + perm::INPUT + i);

        for i in 0..16 {
            builder.assert_zero(per[periodic::ZERO + i].clone() * input(i));
        }
        for i in 0..16 {
            builder.assert_zero(per[periodic::KEEP + i].clone() * (input_next(i) - output(i)));
        }
        let bit = cur(col::BIT);
        builder.assert_zero(per[periodic::COMPRESS].clone() * bit.clone() * (bit - AB::Expr::ONE));
        let bit_next = nxt(col::BIT);
        for i in 0..8 {
            let left = input_next(i) - output(i);
            let right = input_next(8 + i) - output(i);
            let node = (AB::Expr::ONE - bit_next.clone()) * left + bit_next.clone() * right;
            builder.assert_zero(per[periodic::NODE_NEXT].clone() * node);
        }
        let acc_step = nxt(col::ACC)
            - per[periodic::ACC_NEXT].clone() * cur(col::ACC)
            - per[periodic::WEIGHT_NEXT].clone() * bit_next;
        builder.assert_zero(per[periodic::NODE_NEXT].clone() * acc_step);
        for (i, r) in root.iter().enumerate() {
            builder.assert_zero(per[periodic::ROOT].clone() * (output(i) - r.clone()));
        }
        eval_perm(builder, local, col::LANE);
    }
}
