//! Trace generation for the [`crate::opening_air::OpeningAir`]: one block per opening.

use p3_baby_bear::BabyBear;
use p3_field::PrimeCharacteristicRing;
use p3_matrix::dense::RowMajorMatrix;
use sq_prover_circuits::poseidon2_air::fill_perm;

use crate::opening_air::col;
use crate::shape::{OpeningShape, RATE};

/// Fewest rows of an opening trace (Plonky3's FRI needs a few rows to fold).
pub const MIN_ROWS: usize = 16;

/// One opened row and its authentication path, as Plonky3's `MerkleTreeMmcs` returns it
/// for a single matrix: `siblings[k]` is the sibling at level `k` (leaf level first).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Opening {
    /// The row index in the committed matrix.
    pub index: usize,
    /// The opened row's elements.
    pub values: Vec<BabyBear>,
    /// The sibling digests, leaf level first.
    pub siblings: Vec<[BabyBear; 8]>,
}

/// Why openings do not fit a shape.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpeningError {
    /// No opening was given.
    #[error("no openings to verify")]
    Empty,
    /// An opened row has the wrong number of elements.
    #[error("opening {opening} has {got} elements, the shape has {expected}")]
    Width {
        /// Position in the list.
        opening: usize,
        /// Its element count.
        got: usize,
        /// The shape's leaf width.
        expected: usize,
    },
    /// A path has the wrong number of siblings.
    #[error("opening {opening} has {got} siblings, the shape's depth is {expected}")]
    Depth {
        /// Position in the list.
        opening: usize,
        /// Its sibling count.
        got: usize,
        /// The shape's depth.
        expected: usize,
    },
    /// An index is not below `2^depth`.
    #[error("opening {opening} has index {index}, beyond the tree's 2^{depth} rows")]
    Index {
        /// Position in the list.
        opening: usize,
        /// The index.
        index: usize,
        /// The shape's depth.
        depth: usize,
    },
}

/// Blocks in the trace of `openings` openings: a power of two, with at least
/// [`MIN_ROWS`] rows in all. Blocks past the openings repeat the last opening.
pub fn blocks(shape: &OpeningShape, openings: usize) -> usize {
    let min_blocks = MIN_ROWS.div_ceil(shape.period());
    openings.next_power_of_two().max(min_blocks)
}

/// Checks `openings` against `shape`.
///
/// # Errors
/// [`OpeningError`]: none given, or a width, depth or index that does not fit.
pub fn check(shape: &OpeningShape, openings: &[Opening]) -> Result<(), OpeningError> {
    if openings.is_empty() {
        return Err(OpeningError::Empty);
    }
    for (i, o) in openings.iter().enumerate() {
        if o.values.len() != shape.leaf_width() {
            return Err(OpeningError::Width {
                opening: i,
                got: o.values.len(),
                expected: shape.leaf_width(),
            });
        }
        if o.siblings.len() != shape.depth() {
            return Err(OpeningError::Depth {
                opening: i,
                got: o.siblings.len(),
                expected: shape.depth(),
            });
        }
        if o.index >> shape.depth() != 0 {
            return Err(OpeningError::Index {
                opening: i,
                index: o.index,
                depth: shape.depth(),
            });
        }
    }
    Ok(())
}

/// The trace of `openings` (see [`blocks`] for its height). It does not check that the
/// openings are valid: an invalid one gives a trace that violates the `root` constraint,
/// which is what the soundness tests rely on.
///
/// # Errors
/// As [`check`].
pub fn generate(
    shape: &OpeningShape,
    openings: &[Opening],
) -> Result<RowMajorMatrix<BabyBear>, OpeningError> {
    check(shape, openings)?;
    let period = shape.period();
    let n = blocks(shape, openings.len());
    let mut values = vec![BabyBear::ZERO; n * period * col::WIDTH];
    for (b, block) in values.chunks_exact_mut(period * col::WIDTH).enumerate() {
        let opening = &openings[b.min(openings.len() - 1)];
        fill_block(shape, opening, block);
    }
    Ok(RowMajorMatrix::new(values, col::WIDTH))
}

/// Fills the `period` rows of one block.
fn fill_block(shape: &OpeningShape, opening: &Opening, block: &mut [BabyBear]) {
    let mut rows = block.chunks_exact_mut(col::WIDTH);
    let mut state = [BabyBear::ZERO; 16];
    for (step, chunk) in opening.values.chunks(RATE).enumerate() {
        debug_assert_eq!(chunk.len(), shape.fresh_lanes(step));
        state[..chunk.len()].copy_from_slice(chunk);
        let row = rows.next().expect("a block holds every absorb step");
        state = fill_perm(row, col::LANE, state);
    }
    let mut acc = 0u32;
    for (level, sibling) in opening.siblings.iter().enumerate() {
        let bit = (opening.index >> level) & 1;
        let node: [BabyBear; 8] = state[..8].try_into().expect("8 lanes");
        let (left, right) = if bit == 0 {
            (node, *sibling)
        } else {
            (*sibling, node)
        };
        let mut input = [BabyBear::ZERO; 16];
        input[..8].copy_from_slice(&left);
        input[8..].copy_from_slice(&right);
        acc += (bit as u32) << level;
        let row = rows.next().expect("a block holds every compress step");
        row[col::BIT] = BabyBear::from_usize(bit);
        row[col::ACC] = BabyBear::from_u32(acc);
        state = fill_perm(row, col::LANE, input);
    }
    for row in rows {
        let _idle = fill_perm(row, col::LANE, [BabyBear::ZERO; 16]);
    }
}
