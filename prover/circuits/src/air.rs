//! The basic (round 0) chunk AIR: one trace proves one [`crate::witness::ChunkWitness`].
//!
//! # Shape
//!
//! One table, [`WIDTH`] columns, height a power of two. Every row carries **two Poseidon2
//! lanes** (A and B): the full width-16 permutation of the lane's 16 input cells, with its
//! round states committed ([`perm`] layout: 298 cells per lane, x^7 S-box split as
//! `x3 = x^3`, `out = x3^2 * x`). The permutation constraints hold on **every** row, so
//! any lane output that other constraints read is a genuine Poseidon2 output.
//!
//! Each transfer is a block of [`STEPS`] = 56 rows, selected by a one-hot step column
//! `e[0..56]` (plus `pad` for padding rows):
//!
//! | step | row | lane A | lane B |
//! |------|-----|--------|--------|
//! | 0 | sender leaf | `hash16(old preimage)` | `hash16(new preimage)` |
//! | 1..=16 | sender Merkle level 0..15 | old path node | new path node |
//! | 17 | recipient leaf | old (zero digest when new) | new |
//! | 18..=33 | recipient levels | | |
//! | 34 | fee-recipient leaf | old (zero digest when new) | new |
//! | 35..=50 | fee-recipient levels | | |
//! | 51..=54 | sponge blocks 0..3 of `Transfer::encode` | sponge state | (unused) |
//! | 55 | `compress(commitment, digest)` | | (unused) |
//!
//! After the last block come padding rows (`pad = 1`, at least one): they change nothing.
//!
//! # What is constrained
//!
//! - **Schedule**: `e`/`pad` boolean and one-hot; `e[k] → e[k+1]`; `e[55] → e[0] | pad`;
//!   `pad → pad`; the first row is `e[0]` or `pad`; the last row is `pad`. So the trace is
//!   a whole number of complete transfer blocks followed by padding.
//! - **State**: `root` (8) and `comm` (8) columns are carried unchanged except: at each
//!   top-level Merkle row (steps 16, 33, 50) lane A's output must equal `root` (old path
//!   folds to the current root) and the next `root` is lane B's output (the new root); at
//!   step 55 the next `comm` is lane A's output. First row: `root = root_before`,
//!   `comm = commitment_before`; last row: `root = root_after`, `comm = commitment_after`.
//! - **Leaf rows**: lane inputs are the 16-element preimages (tag 1, 6 address limbs,
//!   8 balance limbs, nonce). The new leaf's address is `from` (sender), `to` (recipient)
//!   or the public fee recipient; the old leaf has the same address unless `is_new`.
//!   `is_new` (boolean, only on recipient / fee-recipient leaf rows) makes the old leaf
//!   the zero digest and forces old balance and nonce to 0. Nonces: sender old = transfer
//!   nonce, new = old + 1; others unchanged. Every new nonce is `< 2^30` (16 + 14-bit split).
//!   Balances, limb by limb with carries `c_i = ca_i + cb_i ∈ {0,1,2}` and final carry 0:
//!   sender `new + value + fee = old`, recipient `old + value = new`, fee recipient
//!   `old + fee = new`, all as exact integers because every limb involved is range-checked.
//! - **Merkle levels**: lane inputs are `(node, sibling)` or `(sibling, node)` by the
//!   boolean index bit, the same sibling and bit for lanes A and B; `node` is the previous
//!   row's output (lane A: the `node_a` column, which zeroes a new account's leaf).
//! - **Range checks** (16 bits, bit-decomposed, two slots per row): on the 16 level rows
//!   of each update slot 1 checks that update's 8 old and 8 new balance limbs (carried in
//!   `bal`); on the sender's level rows slot 2 checks the 8 value and 8 fee limbs; on each
//!   leaf row slots 1/2 check the new nonce's low 16 bits and 4 × its high 14 bits.
//! - **Transfer**: the transfer's fields (`tx`) are constant over its block, feed the
//!   leaf constraints above and the 4 sponge rows (overwrite-mode, rate 8, the capacity
//!   carried from the previous row's output), whose digest row 55 compresses into `comm`.
//!
//! Maximum constraint degree: 3 (so the quotient has 2 chunks).

use p3_air::{Air, AirBuilder, BaseAir, WindowAccess};
use p3_baby_bear::BabyBear;
use p3_field::PrimeCharacteristicRing;

use crate::poseidon2_air::eval_perm;
pub(crate) use crate::poseidon2_air::fill_perm;
pub use crate::poseidon2_air::perm;

use crate::account::LEAF_TAG;
use crate::transfer::TRANSFER_TAG;
use crate::witness::PUBLIC_INPUTS_LEN;

/// Rows per transfer block.
pub const STEPS: usize = 56;

/// Step of the sender, recipient and fee-recipient leaf rows.
pub const LEAF_STEPS: [usize; 3] = [0, 17, 34];

/// First sponge step (blocks at 51..55).
pub const SPONGE_STEP: usize = 51;

/// The commitment step.
pub const COMMIT_STEP: usize = 55;

/// Column offsets of the chunk trace.
pub mod col {
    use super::{perm, STEPS};
    /// One-hot step `e[0..56]`.
    pub const E: usize = 0;
    /// Padding flag.
    pub const PAD: usize = E + STEPS;
    /// Current state root (8).
    pub const ROOT: usize = PAD + 1;
    /// Current transfer commitment (8).
    pub const COMM: usize = ROOT + 8;
    /// Transfer sender address limbs (6).
    pub const FROM: usize = COMM + 8;
    /// Transfer recipient address limbs (6).
    pub const TO: usize = FROM + 6;
    /// Transfer value limbs (8 × 16 bits).
    pub const VALUE: usize = TO + 6;
    /// Transfer fee limbs (8 × 16 bits).
    pub const FEE: usize = VALUE + 8;
    /// Transfer nonce (the sender's nonce before).
    pub const NONCE: usize = FEE + 8;
    /// Transfer columns, constant over a block: `FROM..TX_END`.
    pub const TX_END: usize = NONCE + 1;
    /// New-account flag (leaf rows of recipient / fee recipient only).
    pub const IS_NEW: usize = TX_END;
    /// Lane A's node digest: `(1 - is_new) * laneA.out[0..8]` (8).
    pub const NODE_A: usize = IS_NEW + 1;
    /// Merkle sibling (8), level rows.
    pub const SIB: usize = NODE_A + 8;
    /// Merkle index bit, level rows.
    pub const BIT: usize = SIB + 8;
    /// Carry part a, per balance limb (8, boolean).
    pub const CA: usize = BIT + 1;
    /// Carry part b, per balance limb (8, boolean).
    pub const CB: usize = CA + 8;
    /// Old (0..8) and new (8..16) balance limbs of the current update, carried over its rows.
    pub const BAL: usize = CB + 8;
    /// New nonce, low 16 bits (leaf rows).
    pub const NLO: usize = BAL + 16;
    /// New nonce, high bits (leaf rows), must be below 2^14.
    pub const NHI: usize = NLO + 1;
    /// Range-check slot 1: 16 bits.
    pub const RC1: usize = NHI + 1;
    /// Range-check slot 2: 16 bits.
    pub const RC2: usize = RC1 + 16;
    /// Poseidon2 lane A.
    pub const LANE_A: usize = RC2 + 16;
    /// Poseidon2 lane B.
    pub const LANE_B: usize = LANE_A + perm::LANE;
    /// Total width.
    pub const WIDTH: usize = LANE_B + perm::LANE;
}

/// Trace width in columns.
pub const WIDTH: usize = col::WIDTH;

/// Maximum constraint degree of [`ChunkAir`].
pub const MAX_CONSTRAINT_DEGREE: usize = 3;

/// The chunk AIR. Public values: [`crate::witness::PublicInputs::to_fields`] (38 elements).
#[derive(Clone, Copy, Debug, Default)]
pub struct ChunkAir;

impl BaseAir<BabyBear> for ChunkAir {
    fn width(&self) -> usize {
        WIDTH
    }

    fn num_public_values(&self) -> usize {
        PUBLIC_INPUTS_LEN
    }

    fn max_constraint_degree(&self) -> Option<usize> {
        Some(MAX_CONSTRAINT_DEGREE)
    }
}

impl<AB: AirBuilder<F = BabyBear>> Air<AB> for ChunkAir {
    #[allow(clippy::too_many_lines)]
    fn eval(&self, builder: &mut AB) {
        let main = builder.main();
        let local = main.current_slice();
        let next = main.next_slice();
        let pis: Vec<AB::Expr> = builder.public_values().iter().map(|&v| v.into()).collect();
        let l = |i: usize| -> AB::Expr { local[i].into() };
        let n = |i: usize| -> AB::Expr { next[i].into() };
        let c = |v: u32| -> AB::Expr { AB::Expr::from_u32(v) };
        let e = |k: usize| l(col::E + k);
        let ne = |k: usize| n(col::E + k);
        let a_in = |i: usize| l(col::LANE_A + perm::INPUT + i);
        let b_in = |i: usize| l(col::LANE_B + perm::INPUT + i);
        let a_out = |i: usize| l(col::LANE_A + perm::OUTPUT + i);
        let b_out = |i: usize| l(col::LANE_B + perm::OUTPUT + i);
        let na_in = |i: usize| n(col::LANE_A + perm::INPUT + i);
        let nb_in = |i: usize| n(col::LANE_B + perm::INPUT + i);

        // Row-kind selectors (linear in the one-hot step columns).
        let u_s = e(LEAF_STEPS[0]);
        let u_r = e(LEAF_STEPS[1]);
        let u_f = e(LEAF_STEPS[2]);
        let s_leaf = u_s.clone() + u_r.clone() + u_f.clone();
        let level = |get: &dyn Fn(usize) -> AB::Expr, k: usize| {
            get(1 + k) + get(LEAF_STEPS[1] + 1 + k) + get(LEAF_STEPS[2] + 1 + k)
        };
        let s_top = level(&e, 15);
        let next_level: AB::Expr = (0..16).map(|k| level(&ne, k)).sum();
        let is_new = l(col::IS_NEW);
        let pad = l(col::PAD);

        // ---- Schedule ----
        let mut one_hot = pad.clone();
        for k in 0..STEPS {
            builder.assert_bool(e(k));
            one_hot += e(k);
        }
        builder.assert_bool(pad.clone());
        builder.assert_one(one_hot);
        {
            let mut t = builder.when_transition();
            for k in 0..STEPS - 1 {
                t.assert_eq(ne(k + 1), e(k));
            }
            t.assert_eq(ne(0) + n(col::PAD), e(STEPS - 1) + pad.clone());
            t.assert_zero(pad.clone() * ne(0));
        }
        builder.when_first_row().assert_one(e(0) + pad.clone());
        builder.when_last_row().assert_one(pad.clone());

        // ---- Poseidon2 lanes (every row) ----
        eval_perm(builder, local, col::LANE_A);
        eval_perm(builder, local, col::LANE_B);

        // ---- Booleans (every row) ----
        builder.assert_bool(is_new.clone());
        builder.assert_bool(l(col::BIT));
        for i in 0..8 {
            builder.assert_bool(l(col::CA + i));
            builder.assert_bool(l(col::CB + i));
        }
        for i in 0..16 {
            builder.assert_bool(l(col::RC1 + i));
            builder.assert_bool(l(col::RC2 + i));
        }

        // is_new only on recipient / fee-recipient leaf rows.
        builder.assert_zero(is_new.clone() * (c(1) - u_r.clone() - u_f.clone()));
        // node_a = (1 - is_new) * laneA.out[0..8].
        for j in 0..8 {
            builder.assert_eq(l(col::NODE_A + j), a_out(j) - is_new.clone() * a_out(j));
        }

        // ---- Leaf rows ----
        let not_new = c(1) - is_new.clone();
        builder.assert_zero(s_leaf.clone() * (b_in(0) - c(LEAF_TAG)));
        builder.assert_zero(s_leaf.clone() * not_new.clone() * (a_in(0) - c(LEAF_TAG)));
        for j in 0..6 {
            let addr = b_in(1 + j);
            builder.assert_zero(
                u_s.clone() * (addr.clone() - l(col::FROM + j))
                    + u_r.clone() * (addr.clone() - l(col::TO + j))
                    + u_f.clone() * (addr.clone() - pis[32 + j].clone()),
            );
            builder.assert_zero(s_leaf.clone() * not_new.clone() * (a_in(1 + j) - addr));
        }
        for k in 7..16 {
            builder.assert_zero(is_new.clone() * a_in(k));
        }
        // Nonces.
        builder.assert_zero(u_s.clone() * (a_in(15) - l(col::NONCE)));
        builder.assert_zero(u_s.clone() * (b_in(15) - l(col::NONCE) - c(1)));
        builder.assert_zero((u_r.clone() + u_f.clone()) * (b_in(15) - a_in(15)));
        builder.assert_zero(s_leaf.clone() * (b_in(15) - l(col::NLO) - l(col::NHI) * c(1 << 16)));
        // Balances: carried limbs and limb arithmetic.
        for k in 0..8 {
            builder.assert_zero(s_leaf.clone() * (l(col::BAL + k) - a_in(7 + k)));
            builder.assert_zero(s_leaf.clone() * (l(col::BAL + 8 + k) - b_in(7 + k)));
        }
        let carry = |i: usize| l(col::CA + i) + l(col::CB + i);
        for i in 0..8 {
            let old = a_in(7 + i);
            let new = b_in(7 + i);
            let value = l(col::VALUE + i);
            let fee = l(col::FEE + i);
            let cin = if i == 0 { c(0) } else { carry(i - 1) };
            let cout = carry(i) * c(1 << 16);
            builder.assert_zero(
                u_s.clone()
                    * (new.clone() + value.clone() + fee.clone() + cin.clone()
                        - old.clone()
                        - cout.clone())
                    + u_r.clone()
                        * (old.clone() + value + cin.clone() - new.clone() - cout.clone())
                    + u_f.clone() * (old + fee + cin - new - cout),
            );
        }
        builder.assert_zero(s_leaf.clone() * carry(7));

        // ---- Merkle level rows (constrained from the previous row) ----
        {
            let mut t = builder.when_transition();
            let bit = n(col::BIT);
            for j in 0..8 {
                let sib = n(col::SIB + j);
                let node_a = l(col::NODE_A + j);
                let node_b = b_out(j);
                t.assert_zero(
                    next_level.clone()
                        * (na_in(j)
                            - node_a.clone()
                            - bit.clone() * (sib.clone() - node_a.clone())),
                );
                t.assert_zero(
                    next_level.clone()
                        * (na_in(8 + j) - sib.clone() - bit.clone() * (node_a - sib.clone())),
                );
                t.assert_zero(
                    next_level.clone()
                        * (nb_in(j)
                            - node_b.clone()
                            - bit.clone() * (sib.clone() - node_b.clone())),
                );
                t.assert_zero(
                    next_level.clone()
                        * (nb_in(8 + j) - sib.clone() - bit.clone() * (node_b - sib)),
                );
            }
        }

        // ---- Root and commitment state ----
        let s_commit = e(COMMIT_STEP);
        for j in 0..8 {
            builder.assert_zero(s_top.clone() * (l(col::NODE_A + j) - l(col::ROOT + j)));
            builder.assert_zero(s_commit.clone() * (a_in(j) - l(col::COMM + j)));
        }
        {
            let mut t = builder.when_transition();
            for j in 0..8 {
                t.assert_zero(
                    n(col::ROOT + j)
                        - l(col::ROOT + j)
                        - s_top.clone() * (b_out(j) - l(col::ROOT + j)),
                );
                t.assert_zero(
                    n(col::COMM + j)
                        - l(col::COMM + j)
                        - s_commit.clone() * (a_out(j) - l(col::COMM + j)),
                );
            }
        }
        {
            let mut f = builder.when_first_row();
            for j in 0..8 {
                f.assert_eq(l(col::ROOT + j), pis[j].clone());
                f.assert_eq(l(col::COMM + j), pis[16 + j].clone());
            }
        }
        {
            let mut f = builder.when_last_row();
            for j in 0..8 {
                f.assert_eq(l(col::ROOT + j), pis[8 + j].clone());
                f.assert_eq(l(col::COMM + j), pis[24 + j].clone());
            }
        }

        // ---- Carried columns ----
        {
            let carry_bal: AB::Expr =
                s_leaf.clone() + (0..15).map(|k| level(&e, k)).sum::<AB::Expr>();
            let keep_tx = c(1) - s_commit.clone() - pad.clone();
            let mut t = builder.when_transition();
            for k in 0..16 {
                t.assert_zero(carry_bal.clone() * (n(col::BAL + k) - l(col::BAL + k)));
            }
            for k in col::FROM..col::TX_END {
                t.assert_zero(keep_tx.clone() * (n(k) - l(k)));
            }
        }

        // ---- Range checks ----
        let bits = |base: usize| -> AB::Expr { (0..16).map(|i| l(base + i) * c(1 << i)).sum() };
        let mut slot1 = s_leaf.clone() * l(col::NLO);
        for k in 0..16 {
            slot1 += level(&e, k) * l(col::BAL + k);
        }
        builder.assert_eq(slot1, bits(col::RC1));
        let mut slot2 = s_leaf.clone() * l(col::NHI) * c(4);
        for k in 0..8 {
            slot2 += e(1 + k) * l(col::VALUE + k);
            slot2 += e(9 + k) * l(col::FEE + k);
        }
        builder.assert_eq(slot2, bits(col::RC2));
        builder.assert_zero(s_leaf.clone() * l(col::RC2));
        builder.assert_zero(s_leaf * l(col::RC2 + 1));

        // ---- Transfer digest sponge and commitment ----
        let enc = |i: usize| -> AB::Expr {
            match i {
                0 => c(TRANSFER_TAG),
                1..=6 => l(col::FROM + i - 1),
                7..=12 => l(col::TO + i - 7),
                13..=20 => l(col::VALUE + i - 13),
                21..=28 => l(col::FEE + i - 21),
                29 => l(col::NONCE),
                _ => c(0),
            }
        };
        for blk in 0..4 {
            let s = e(SPONGE_STEP + blk);
            for m in 0..8 {
                builder.assert_zero(s.clone() * (a_in(m) - enc(8 * blk + m)));
            }
        }
        for m in 0..8 {
            builder.assert_zero(e(SPONGE_STEP) * a_in(8 + m));
        }
        {
            let mut t = builder.when_transition();
            for blk in 1..4 {
                for m in 0..8 {
                    t.assert_zero(ne(SPONGE_STEP + blk) * (na_in(8 + m) - a_out(8 + m)));
                }
            }
            for m in 0..8 {
                t.assert_zero(ne(COMMIT_STEP) * (na_in(8 + m) - a_out(m)));
            }
        }
    }
}
