//! The shape of a batch of Merkle openings, and the fixed row schedule derived from it.
//!
//! A child proof's commitment is a Plonky3 `MerkleTreeMmcs` over one matrix
//! ([`sq_prover_circuits::stark::ValMmcs`]: binary, cap height 0). Opening row `r` of a
//! matrix of width `w` and height `2^d` takes, natively:
//! - the leaf digest: the Poseidon2 sponge over the row (rate 8, overwrite mode, no
//!   padding: the last, partial block overwrites only its own lanes), `A = ⌈w / 8⌉`
//!   permutations;
//! - `d` compressions up the path, `(node, sibling)` or `(sibling, node)` by bit `k` of the
//!   index, ending at the root.
//!
//! The opening AIR gives each opening a **block** of `P` rows (`P` = the next power of two
//! ≥ `A + d`): `A` absorb steps, `d` compress steps, then idle steps. What each step does
//! is fixed by the shape alone, so it is given to the AIR as **periodic columns** of
//! period `P` ([`schedule`]): computed by prover and verifier alike from `(w, d)`, never
//! committed, never chosen by the prover.

use p3_baby_bear::BabyBear;
use p3_field::PrimeCharacteristicRing;

/// Field elements absorbed per sponge permutation (the sponge's rate).
pub const RATE: usize = 8;

/// Largest leaf width a shape accepts, in field elements.
pub const MAX_LEAF_WIDTH: usize = 1 << 16;

/// Largest tree depth a shape accepts: index weights `2^k` stay below the BabyBear
/// modulus (≈ 2^31) and the index fits BabyBear's two-adic domains (2^27).
pub const MAX_DEPTH: usize = 27;

/// Indices of the periodic columns of [`schedule`] (37 columns).
pub mod periodic {
    /// `ZERO + i` (16): this row's input lane `i` must be 0 (the sponge's initial state).
    pub const ZERO: usize = 0;
    /// `KEEP + i` (16): the next row's input lane `i` must equal this row's output lane
    /// `i` (the sponge's capacity, and the rate lanes a partial block does not overwrite).
    pub const KEEP: usize = 16;
    /// This row is a compress step (its `bit` is boolean).
    pub const COMPRESS: usize = 32;
    /// The next row is a compress step: its node half is this row's output digest.
    pub const NODE_NEXT: usize = 33;
    /// The next row is a compress step after the first: it adds to this row's index.
    pub const ACC_NEXT: usize = 34;
    /// The next row's index weight `2^k` (k = its level), 0 when it is no compress step.
    pub const WEIGHT_NEXT: usize = 35;
    /// This row is the last step of the path: its output digest is the root.
    pub const ROOT: usize = 36;
    /// Number of periodic columns.
    pub const COUNT: usize = 37;
}

/// Why a shape or a set of openings was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShapeError {
    /// The leaf width is 0 or above [`MAX_LEAF_WIDTH`].
    #[error("leaf width {0} is outside 1..={MAX_LEAF_WIDTH}")]
    LeafWidth(usize),
    /// The depth is above [`MAX_DEPTH`].
    #[error("tree depth {0} exceeds {MAX_DEPTH}")]
    Depth(usize),
}

/// The shape of the openings one opening AIR verifies: every opened row has
/// `leaf_width` elements and every path `depth` siblings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpeningShape {
    leaf_width: usize,
    depth: usize,
}

impl OpeningShape {
    /// The shape of rows of `leaf_width` elements in a tree of height `2^depth`.
    ///
    /// # Errors
    /// [`ShapeError::LeafWidth`], [`ShapeError::Depth`].
    pub fn new(leaf_width: usize, depth: usize) -> Result<Self, ShapeError> {
        if leaf_width == 0 || leaf_width > MAX_LEAF_WIDTH {
            return Err(ShapeError::LeafWidth(leaf_width));
        }
        if depth > MAX_DEPTH {
            return Err(ShapeError::Depth(depth));
        }
        Ok(OpeningShape { leaf_width, depth })
    }

    /// Elements per opened row.
    pub const fn leaf_width(&self) -> usize {
        self.leaf_width
    }

    /// Siblings per path (log2 of the committed matrix's height).
    pub const fn depth(&self) -> usize {
        self.depth
    }

    /// Absorb steps per block: `⌈leaf_width / 8⌉`.
    pub const fn absorb_steps(&self) -> usize {
        self.leaf_width.div_ceil(RATE)
    }

    /// Rows per block: a power of two ≥ absorb steps + depth.
    pub const fn period(&self) -> usize {
        (self.absorb_steps() + self.depth).next_power_of_two()
    }

    /// The step whose output digest is the root: the last compress step (the last absorb
    /// step when `depth` is 0).
    pub const fn root_step(&self) -> usize {
        self.absorb_steps() + self.depth - 1
    }

    /// Rate lanes the absorb step `step` overwrites (8, fewer on the last, partial block).
    pub fn fresh_lanes(&self, step: usize) -> usize {
        debug_assert!(step < self.absorb_steps());
        (self.leaf_width - step * RATE).min(RATE)
    }

    fn is_compress(&self, step: usize) -> bool {
        (self.absorb_steps()..self.absorb_steps() + self.depth).contains(&step)
    }
}

/// The periodic columns of `shape` ([`periodic`] indices), each `shape.period()` long.
pub fn schedule(shape: &OpeningShape) -> Vec<Vec<BabyBear>> {
    let steps: Vec<[BabyBear; periodic::COUNT]> =
        (0..shape.period()).map(|s| step_values(shape, s)).collect();
    (0..periodic::COUNT)
        .map(|c| steps.iter().map(|v| v[c]).collect())
        .collect()
}

/// The values of every periodic column at step `s` of a block.
fn step_values(shape: &OpeningShape, s: usize) -> [BabyBear; periodic::COUNT] {
    let mut v = [BabyBear::ZERO; periodic::COUNT];
    let one = BabyBear::ONE;
    let next = s + 1;
    if s == 0 {
        v[periodic::ZERO + shape.fresh_lanes(0)..periodic::ZERO + 16].fill(one);
    }
    if next < shape.absorb_steps() {
        v[periodic::KEEP + shape.fresh_lanes(next)..periodic::KEEP + 16].fill(one);
    }
    if shape.is_compress(s) {
        v[periodic::COMPRESS] = one;
    }
    if next < shape.period() && shape.is_compress(next) {
        let level = next - shape.absorb_steps();
        v[periodic::NODE_NEXT] = one;
        v[periodic::WEIGHT_NEXT] = BabyBear::from_u32(1 << level);
        if level > 0 {
            v[periodic::ACC_NEXT] = one;
        }
    }
    if s == shape.root_step() {
        v[periodic::ROOT] = one;
    }
    v
}

#[cfg(test)]
mod tests {
    use p3_field::PrimeField32;

    use super::*;

    fn ones(col: &[BabyBear]) -> Vec<usize> {
        (0..col.len())
            .filter(|&s| col[s] == BabyBear::ONE)
            .collect()
    }

    #[test]
    fn schedule_of_a_partial_leaf_and_a_three_level_path() {
        // 11 elements: two absorb steps (8 + 3 fresh lanes), 3 levels, period 8.
        let shape = OpeningShape::new(11, 3).expect("shape");
        assert_eq!(
            (shape.absorb_steps(), shape.period(), shape.root_step()),
            (2, 8, 4)
        );
        let cols = schedule(&shape);
        assert_eq!(ones(&cols[periodic::ZERO + 7]), Vec::<usize>::new());
        assert_eq!(ones(&cols[periodic::ZERO + 8]), vec![0]);
        // Step 1 overwrites lanes 0..3: lanes 3.. are carried from step 0.
        assert_eq!(ones(&cols[periodic::KEEP + 2]), Vec::<usize>::new());
        assert_eq!(ones(&cols[periodic::KEEP + 3]), vec![0]);
        assert_eq!(ones(&cols[periodic::KEEP + 15]), vec![0]);
        assert_eq!(ones(&cols[periodic::COMPRESS]), vec![2, 3, 4]);
        assert_eq!(ones(&cols[periodic::NODE_NEXT]), vec![1, 2, 3]);
        assert_eq!(ones(&cols[periodic::ACC_NEXT]), vec![2, 3]);
        let weights: Vec<u32> = [1, 2, 3]
            .iter()
            .map(|&s| cols[periodic::WEIGHT_NEXT][s].as_canonical_u32())
            .collect();
        assert_eq!(weights, vec![1, 2, 4]);
        assert_eq!(ones(&cols[periodic::ROOT]), vec![4]);
    }

    #[test]
    fn a_one_row_tree_checks_the_root_on_the_last_absorb_step() {
        let shape = OpeningShape::new(16, 0).expect("shape");
        assert_eq!((shape.period(), shape.root_step()), (2, 1));
        let cols = schedule(&shape);
        assert_eq!(ones(&cols[periodic::ROOT]), vec![1]);
        assert_eq!(ones(&cols[periodic::NODE_NEXT]), Vec::<usize>::new());
    }

    #[test]
    fn out_of_range_shapes_are_refused() {
        assert_eq!(OpeningShape::new(0, 3), Err(ShapeError::LeafWidth(0)));
        assert_eq!(
            OpeningShape::new(MAX_LEAF_WIDTH + 1, 3),
            Err(ShapeError::LeafWidth(MAX_LEAF_WIDTH + 1))
        );
        assert_eq!(
            OpeningShape::new(8, MAX_DEPTH + 1),
            Err(ShapeError::Depth(28))
        );
    }
}
