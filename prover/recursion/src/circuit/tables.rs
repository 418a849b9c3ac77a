//! The five tables that prove a program's execution, joined by one LogUp bus.
//!
//! | table | fixed columns | main columns | constraints | on the `witness` bus |
//! |-------|---------------|--------------|-------------|----------------------|
//! | witness | `idx, is_const, c[4]` | `v[4], reads` | `is_const · (v − c) = 0` | provides `(idx, v)` `reads` times |
//! | public | `slot, sel[P]` | `v` | `sel_j · (v − pv_j) = 0` | reads `(slot, v, 0, 0, 0)` once per row with a `sel` |
//! | add | `a, b, c, active` | `a[4], b[4], c[4]` | `active · (a + b − c) = 0` | reads `(a, a[4])`, `(b, b[4])`, `(c, c[4])` when active |
//! | mul | `a, b, c, active` | `a[4], b[4], c[4]` | `active · (a · b − c) = 0` in BabyBear⁴ | the same |
//! | poseidon2 | `in[16], out[16], active` | one Poseidon2 lane (298 cells) | the lane is a genuine permutation (every row) | reads `(in_i, lane input_i, 0, 0, 0)` and `(out_i, lane output_i, 0, 0, 0)` when active |
//!
//! # Soundness
//!
//! The fixed columns are the program: committed once (the preprocessed commitment is
//! part of the verifying key), so the prover cannot change which slots a row relates.
//! The witness table has one row per slot (`idx` is the row number, fixed), so it
//! defines one value per slot. LogUp over the `witness` bus (Plonky3's `p3-lookup`,
//! checked by `p3-batch-stark` across the four tables; eprint 2022/1530) shows that
//! every `(slot, value)` a public, add or mul row reads is an entry of the witness
//! table, i.e. every read of a slot sees that slot's one value. Each row's constraint
//! then holds over the slots' values, constants are pinned by `is_const`, and public
//! slots equal the proof's public values, and each permutation row's 32 reads are its
//! lane's inputs and outputs — read as `(slot, v, 0, 0, 0)`, so every slot that enters or
//! leaves a permutation holds a base-field value (which the coordinate splits of
//! [`super::field::coords`] rely on). So the witness table is an execution of the
//! program on the public values, for some hints: the statement the program encodes.
//! Read counts (`reads`) are prover-chosen; LogUp needs the total number of lookups,
//! `Σ weight · height` over every lookup, below the field size (p3-lookup's
//! multiplicity bound). The native verifier checks it, and so does
//! [`crate::batch_verifier::ChildKey::of`] for the circuits it verifies.

use std::sync::Arc;

use p3_air::{Air, AirBuilder, BaseAir, PermutationAirBuilder, WindowAccess};
use p3_baby_bear::BabyBear;
use p3_field::PrimeCharacteristicRing;
use p3_lookup::{Count, InteractionBuilder, LookupBus};
use p3_matrix::dense::RowMajorMatrix;

use sq_prover_circuits::poseidon2_air::{eval_perm, perm};

use super::layout::{arith_fixed, perm_fixed, public_fixed, witness_fixed, Layout, D};

/// The bus every read of a slot goes through: messages `(slot, v0, v1, v2, v3)`.
pub const WITNESS_BUS: LookupBus<'static> = LookupBus::new("witness");

/// BabyBear⁴'s binomial constant: `x⁴ = W`.
pub const W: u32 = 11;

/// Which table an AIR instance is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Table {
    /// One row per slot: its value and read count.
    Witness,
    /// One row per public value.
    Public,
    /// Addition rows.
    Add,
    /// Multiplication rows.
    Mul,
    /// Poseidon2 permutation rows.
    Poseidon2,
}

/// Every table, in batch order.
pub const TABLES: [Table; 5] = [
    Table::Witness,
    Table::Public,
    Table::Add,
    Table::Mul,
    Table::Poseidon2,
];

/// One table of one program, as a Plonky3 AIR.
#[derive(Clone, Debug)]
pub struct TableAir {
    table: Table,
    layout: Arc<Layout>,
}

impl TableAir {
    /// The AIR of `table` for the program laid out as `layout`.
    pub fn new(table: Table, layout: Arc<Layout>) -> Self {
        TableAir { table, layout }
    }

    /// Which table.
    pub const fn table(&self) -> Table {
        self.table
    }

    fn fixed(&self) -> RowMajorMatrix<BabyBear> {
        match self.table {
            Table::Witness => witness_fixed(&self.layout),
            Table::Public => public_fixed(&self.layout),
            Table::Add => arith_fixed(&self.layout.adds),
            Table::Mul => arith_fixed(&self.layout.muls),
            Table::Poseidon2 => perm_fixed(&self.layout.perms),
        }
    }
}

impl BaseAir<BabyBear> for TableAir {
    fn width(&self) -> usize {
        match self.table {
            Table::Witness => D + 1,
            Table::Public => 1,
            Table::Add | Table::Mul => 3 * D,
            Table::Poseidon2 => perm::LANE,
        }
    }

    fn preprocessed_trace(&self) -> Option<RowMajorMatrix<BabyBear>> {
        Some(self.fixed())
    }

    fn preprocessed_width(&self) -> usize {
        match self.table {
            Table::Witness => 2 + D,
            Table::Public => 1 + self.layout.publics.len(),
            Table::Add | Table::Mul => 4,
            Table::Poseidon2 => 33,
        }
    }

    fn num_public_values(&self) -> usize {
        match self.table {
            Table::Public => self.layout.publics.len(),
            _ => 0,
        }
    }

    fn main_next_row_columns(&self) -> Vec<usize> {
        vec![]
    }

    fn preprocessed_next_row_columns(&self) -> Vec<usize> {
        vec![]
    }
}

impl<AB> Air<AB> for TableAir
where
    AB: PermutationAirBuilder<F = BabyBear> + InteractionBuilder,
{
    fn eval(&self, builder: &mut AB) {
        let main: Vec<AB::Expr> = builder
            .main()
            .current_slice()
            .iter()
            .map(|&v| v.into())
            .collect();
        let fixed: Vec<AB::Expr> = builder
            .preprocessed()
            .current_slice()
            .iter()
            .map(|&v| v.into())
            .collect();
        match self.table {
            Table::Witness => eval_witness(builder, &fixed, &main),
            Table::Public => eval_public(builder, &fixed, &main),
            Table::Add => eval_arith(builder, &fixed, &main, add),
            Table::Mul => eval_arith(builder, &fixed, &main, mul),
            Table::Poseidon2 => eval_poseidon2(builder, &fixed, &main),
        }
    }
}

fn eval_poseidon2<AB>(builder: &mut AB, fixed: &[AB::Expr], main: &[AB::Expr])
where
    AB: AirBuilder<F = BabyBear> + InteractionBuilder,
{
    let row = builder.main();
    eval_perm(builder, row.current_slice(), 0);
    let active = fixed[32].clone();
    for (i, slot) in fixed.iter().take(32).enumerate() {
        let cell = if i < 16 {
            perm::INPUT + i
        } else {
            perm::OUTPUT + i - 16
        };
        let key = [
            slot.clone(),
            main[cell].clone(),
            AB::Expr::ZERO,
            AB::Expr::ZERO,
            AB::Expr::ZERO,
        ];
        WITNESS_BUS.lookup_key(builder, key, Count::bounded(active.clone(), 1));
    }
}

fn eval_witness<AB>(builder: &mut AB, fixed: &[AB::Expr], main: &[AB::Expr])
where
    AB: AirBuilder + InteractionBuilder,
{
    let is_const = fixed[1].clone();
    for k in 0..D {
        builder.assert_zero(is_const.clone() * (main[k].clone() - fixed[2 + k].clone()));
    }
    let key: Vec<AB::Expr> = std::iter::once(fixed[0].clone())
        .chain(main[..D].iter().cloned())
        .collect();
    WITNESS_BUS.table_entry(builder, key, main[D].clone());
}

fn eval_public<AB>(builder: &mut AB, fixed: &[AB::Expr], main: &[AB::Expr])
where
    AB: AirBuilder + InteractionBuilder,
{
    let publics: Vec<AB::Expr> = builder.public_values().iter().map(|&v| v.into()).collect();
    let v = main[0].clone();
    let mut active = AB::Expr::ZERO;
    for (sel, pv) in fixed[1..].iter().zip(publics) {
        builder.assert_zero(sel.clone() * (v.clone() - pv));
        active += sel.clone();
    }
    let key = [
        fixed[0].clone(),
        v,
        AB::Expr::ZERO,
        AB::Expr::ZERO,
        AB::Expr::ZERO,
    ];
    WITNESS_BUS.lookup_key(builder, key, Count::bounded(active, 1));
}

/// A row relation over the operands' coordinates: zero when the row is correct.
type Relation<E> = fn(&[E], &[E], &[E]) -> [E; D];

/// `a + b − c`, coordinate-wise.
fn add<E: PrimeCharacteristicRing + Clone>(a: &[E], b: &[E], c: &[E]) -> [E; D] {
    core::array::from_fn(|k| a[k].clone() + b[k].clone() - c[k].clone())
}

/// `a · b − c` in BabyBear\[x\] / (x⁴ − W).
fn mul<E: PrimeCharacteristicRing + Clone>(a: &[E], b: &[E], c: &[E]) -> [E; D] {
    core::array::from_fn(|k| {
        let mut acc = E::ZERO;
        for (i, ai) in a.iter().enumerate().take(D) {
            let j = (k + D - i) % D;
            let term = ai.clone() * b[j].clone();
            acc += if i + j >= D {
                term * E::from_u32(W)
            } else {
                term
            };
        }
        acc - c[k].clone()
    })
}

fn eval_arith<AB>(
    builder: &mut AB,
    fixed: &[AB::Expr],
    main: &[AB::Expr],
    relation: Relation<AB::Expr>,
) where
    AB: AirBuilder + InteractionBuilder,
{
    let active = fixed[3].clone();
    let (a, rest) = main.split_at(D);
    let (b, c) = rest.split_at(D);
    for r in relation(a, b, c) {
        builder.assert_zero(active.clone() * r);
    }
    for (k, operand) in [a, b, c].into_iter().enumerate() {
        let key: Vec<AB::Expr> = std::iter::once(fixed[k].clone())
            .chain(operand.iter().cloned())
            .collect();
        WITNESS_BUS.lookup_key(builder, key, Count::bounded(active.clone(), 1));
    }
}
