//! The rows of each table, derived from a [`Program`]: what the preprocessed (fixed)
//! columns hold, and the main traces from the program's witness.

use p3_baby_bear::BabyBear;
use p3_field::{BasedVectorSpace, PrimeCharacteristicRing};
use p3_matrix::dense::RowMajorMatrix;

use sq_prover_circuits::poseidon2_air::{fill_perm, perm};

use super::program::{Ext, Op, Program, Slot};

/// Fewest rows of any table (a power of two).
pub const MIN_ROWS: usize = 8;

/// Coordinates of an [`Ext`] value over BabyBear.
pub const D: usize = 4;

/// The rows of every table of one program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    /// Slots (witness-table rows before padding).
    pub slots: usize,
    /// `(slot, value)` of every constant.
    pub consts: Vec<(Slot, Ext)>,
    /// Row `j` of the public table: the slot of public value `j`.
    pub publics: Vec<Slot>,
    /// Addition rows `(a, b, c)` with `a + b = c`.
    pub adds: Vec<[Slot; 3]>,
    /// Multiplication rows `(a, b, c)` with `a · b = c`.
    pub muls: Vec<[Slot; 3]>,
    /// Permutation rows: 16 input slots then 16 output slots.
    pub perms: Vec<[Slot; 32]>,
}

/// `n` rows padded to a power of two of at least [`MIN_ROWS`].
pub fn padded(n: usize) -> usize {
    n.next_power_of_two().max(MIN_ROWS)
}

impl Layout {
    /// The table rows of `program`. Subtraction and division become addition and
    /// multiplication rows with the result as an operand (`out + b = a`, `out · b = a`);
    /// an asserted zero is the addition row `0 + 0 = a`.
    pub fn of(program: &Program) -> Layout {
        let mut l = Layout {
            slots: program.slots(),
            consts: Vec::new(),
            publics: vec![Slot(0); program.publics()],
            adds: Vec::new(),
            muls: Vec::new(),
            perms: Vec::new(),
        };
        for op in program.ops() {
            match *op {
                Op::Const { out, value } => l.consts.push((out, value)),
                Op::Public { out, index } => l.publics[index] = out,
                Op::Hint { .. } | Op::BitOf { .. } | Op::CoordOf { .. } => {}
                Op::Add { a, b, out } => l.adds.push([a, b, out]),
                Op::Sub { a, b, out } => l.adds.push([out, b, a]),
                Op::AssertZero { a, zero, .. } => l.adds.push([zero, zero, a]),
                Op::Mul { a, b, out } => l.muls.push([a, b, out]),
                Op::Div { a, b, out } => l.muls.push([out, b, a]),
                Op::Permute { input, output } => {
                    l.perms.push(core::array::from_fn(|i| {
                        if i < 16 {
                            input[i]
                        } else {
                            output[i - 16]
                        }
                    }));
                }
            }
        }
        l
    }

    /// Witness-table height.
    pub fn witness_rows(&self) -> usize {
        padded(self.slots)
    }

    /// How many times the public, arithmetic and permutation rows read each slot.
    pub fn reads(&self) -> Vec<u32> {
        let mut reads = vec![0u32; self.slots];
        let rows = self.adds.iter().chain(&self.muls).flatten();
        let perms = self.perms.iter().flatten();
        for s in rows.chain(perms).chain(&self.publics) {
            reads[s.index()] += 1;
        }
        reads
    }
}

fn slot(s: Slot) -> BabyBear {
    BabyBear::from_u32(s.0)
}

fn coords(x: &Ext) -> &[BabyBear] {
    x.as_basis_coefficients_slice()
}

/// Preprocessed witness table: `[idx, is_const, c0, c1, c2, c3]` per row.
pub fn witness_fixed(l: &Layout) -> RowMajorMatrix<BabyBear> {
    let rows = l.witness_rows();
    let mut m = RowMajorMatrix::new(vec![BabyBear::ZERO; rows * 6], 6);
    for (i, row) in m.values.chunks_exact_mut(6).enumerate() {
        row[0] = BabyBear::from_usize(i);
    }
    for (s, value) in &l.consts {
        let row = &mut m.values[s.index() * 6..s.index() * 6 + 6];
        row[1] = BabyBear::ONE;
        row[2..].copy_from_slice(coords(value));
    }
    m
}

/// Main witness table: `[v0, v1, v2, v3, reads]` per row.
pub fn witness_main(l: &Layout, w: &[Ext]) -> RowMajorMatrix<BabyBear> {
    let rows = l.witness_rows();
    let mut m = RowMajorMatrix::new(vec![BabyBear::ZERO; rows * 5], 5);
    for ((row, value), reads) in m.values.chunks_exact_mut(5).zip(w).zip(l.reads()) {
        row[..D].copy_from_slice(coords(value));
        row[D] = BabyBear::from_u32(reads);
    }
    m
}

/// Preprocessed public table: `[slot, sel_0 … sel_{P−1}]`, `sel_j` one on row `j` only.
pub fn public_fixed(l: &Layout) -> RowMajorMatrix<BabyBear> {
    let p = l.publics.len();
    let width = 1 + p;
    let mut m = RowMajorMatrix::new(vec![BabyBear::ZERO; padded(p) * width], width);
    for (j, s) in l.publics.iter().enumerate() {
        m.values[j * width] = slot(*s);
        m.values[j * width + 1 + j] = BabyBear::ONE;
    }
    m
}

/// Main public table: `[v]`, the public value of each row.
pub fn public_main(l: &Layout, w: &[Ext]) -> RowMajorMatrix<BabyBear> {
    let mut values = vec![BabyBear::ZERO; padded(l.publics.len())];
    for (v, s) in values.iter_mut().zip(&l.publics) {
        *v = coords(&w[s.index()])[0];
    }
    RowMajorMatrix::new(values, 1)
}

/// Preprocessed arithmetic table: `[a, b, c, active]` per row.
pub fn arith_fixed(rows: &[[Slot; 3]]) -> RowMajorMatrix<BabyBear> {
    let mut m = RowMajorMatrix::new(vec![BabyBear::ZERO; padded(rows.len()) * 4], 4);
    for (row, abc) in m.values.chunks_exact_mut(4).zip(rows) {
        for (cell, s) in row.iter_mut().zip(abc) {
            *cell = slot(*s);
        }
        row[3] = BabyBear::ONE;
    }
    m
}

/// Main arithmetic table: `[a0..a3, b0..b3, c0..c3]` per row.
pub fn arith_main(rows: &[[Slot; 3]], w: &[Ext]) -> RowMajorMatrix<BabyBear> {
    let width = 3 * D;
    let mut m = RowMajorMatrix::new(vec![BabyBear::ZERO; padded(rows.len()) * width], width);
    for (row, abc) in m.values.chunks_exact_mut(width).zip(rows) {
        for (k, s) in abc.iter().enumerate() {
            row[k * D..(k + 1) * D].copy_from_slice(coords(&w[s.index()]));
        }
    }
    m
}

/// Preprocessed permutation table: `[in slot × 16, out slot × 16, active]` per row.
pub fn perm_fixed(rows: &[[Slot; 32]]) -> RowMajorMatrix<BabyBear> {
    let width = 33;
    let mut m = RowMajorMatrix::new(vec![BabyBear::ZERO; padded(rows.len()) * width], width);
    for (row, slots) in m.values.chunks_exact_mut(width).zip(rows) {
        for (cell, s) in row.iter_mut().zip(slots) {
            *cell = slot(*s);
        }
        row[32] = BabyBear::ONE;
    }
    m
}

/// Main permutation table: one Poseidon2 lane per row (padding rows permute zeros).
pub fn perm_main(rows: &[[Slot; 32]], w: &[Ext]) -> RowMajorMatrix<BabyBear> {
    let width = perm::LANE;
    let mut m = RowMajorMatrix::new(vec![BabyBear::ZERO; padded(rows.len()) * width], width);
    for (i, row) in m.values.chunks_exact_mut(width).enumerate() {
        let input: [BabyBear; 16] = match rows.get(i) {
            Some(slots) => core::array::from_fn(|k| coords(&w[slots[k].index()])[0]),
            None => [BabyBear::ZERO; 16],
        };
        let _output = fill_perm(row, 0, input);
    }
    m
}
