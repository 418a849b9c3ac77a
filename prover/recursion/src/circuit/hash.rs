//! Hashing as circuit code over the permutation table: the sponge and compression of the
//! chunk configuration's Merkle trees ([`sq_prover_circuits::stark::ValMmcs`]), and a
//! Merkle path check.

use p3_baby_bear::BabyBear;

use super::program::{Builder, Ext, Slot};

/// Elements absorbed per permutation.
pub const RATE: usize = 8;

/// A digest: 8 base-field slots.
pub type DigestSlots = [Slot; 8];

/// Plonky3's `PaddingFreeSponge<_, 16, 8, 8>` over `values`: from the zero state, each
/// block of up to 8 overwrites the first lanes and permutes; the digest is lanes 0..8.
/// An empty input hashes to the zero state's lanes (no permutation), as natively.
pub fn sponge(b: &mut Builder, values: &[Slot]) -> DigestSlots {
    let zero = b.zero();
    let mut state = [zero; 16];
    for block in values.chunks(RATE) {
        state[..block.len()].copy_from_slice(block);
        state = b.permute(state);
    }
    core::array::from_fn(|i| state[i])
}

/// Plonky3's `TruncatedPermutation<_, 2, 8, 16>`: the first 8 lanes of
/// `Poseidon2(left ‖ right)`.
pub fn compress(b: &mut Builder, left: DigestSlots, right: DigestSlots) -> DigestSlots {
    let input: [Slot; 16] = core::array::from_fn(|i| if i < 8 { left[i] } else { right[i - 8] });
    let out = b.permute(input);
    core::array::from_fn(|i| out[i])
}

/// Constrains `bit ∈ {0, 1}`.
pub fn assert_bool(b: &mut Builder, bit: Slot) {
    let one = b.one();
    let bit_minus_one = b.sub(bit, one);
    let product = b.mul(bit, bit_minus_one);
    b.assert_zero(product);
}

/// `(x, y)` when `bit = 0`, `(y, x)` when `bit = 1` (bit assumed boolean).
pub fn swap_if(b: &mut Builder, bit: Slot, x: Slot, y: Slot) -> (Slot, Slot) {
    let diff = b.sub(y, x);
    let delta = b.mul(bit, diff);
    let first = b.add(x, delta);
    let second = b.sub(y, delta);
    (first, second)
}

/// Constrains that the row `values` opens at the index whose little-endian bits are
/// `index_bits` (leaf level first, already constrained boolean) to `root`, with
/// `siblings[k]` the sibling at level `k`: `MerkleTreeMmcs::verify_batch` for one
/// matrix with cap height 0.
///
/// # Panics
/// When `index_bits` and `siblings` differ in length (a bug in the circuit's author).
pub fn assert_merkle_path(
    b: &mut Builder,
    values: &[Slot],
    index_bits: &[Slot],
    siblings: &[DigestSlots],
    root: DigestSlots,
) {
    assert_batch_opening(
        b,
        &[(index_bits.len(), values.to_vec())],
        index_bits,
        siblings,
        root,
    );
}

/// Constrains a batch opening of a `MerkleTreeMmcs` commitment over matrices of several
/// power-of-two heights (`verify_batch` of p3-merkle-tree 0.8, binary, cap height 0):
/// `rows[m] = (log_height, row)` is matrix `m`'s opened row (at the index's top
/// `log_height` bits), `index_bits` are the tallest matrix's row index bits, leaf level
/// first. The leaf hashes the rows of the tallest matrices (in matrix order); after the
/// compression that reaches height `2^h`, the rows of the matrices of that height are
/// hashed and compressed in as the right child.
///
/// The index bits must already be constrained boolean (the FRI's come from
/// [`super::bits::decompose`]); this check does not re-check them.
///
/// # Panics
/// When `index_bits` and `siblings` differ in length, no row is given, or a row's
/// height exceeds the tallest (a bug in the circuit's author).
pub fn assert_batch_opening(
    b: &mut Builder,
    rows: &[(usize, Vec<Slot>)],
    index_bits: &[Slot],
    siblings: &[DigestSlots],
    root: DigestSlots,
) {
    assert_eq!(index_bits.len(), siblings.len(), "one bit per level");
    let max = rows
        .iter()
        .map(|(h, _)| *h)
        .max()
        .expect("at least one row");
    assert_eq!(max, index_bits.len(), "the tallest matrix fixes the depth");
    let at = |h: usize| -> Vec<Slot> {
        rows.iter()
            .filter(|(rh, _)| *rh == h)
            .flat_map(|(_, r)| r.iter().copied())
            .collect()
    };
    let mut node = sponge(b, &at(max));
    for (level, (&bit, sibling)) in index_bits.iter().zip(siblings).enumerate() {
        let mut left = node;
        let mut right = *sibling;
        for i in 0..8 {
            (left[i], right[i]) = swap_if(b, bit, node[i], sibling[i]);
        }
        node = compress(b, left, right);
        let injected = at(max - level - 1);
        if !injected.is_empty() {
            let digest = sponge(b, &injected);
            node = compress(b, node, digest);
        }
    }
    for (n, r) in node.iter().zip(root) {
        b.assert_eq(*n, r);
    }
}

/// A digest's 8 slots as the next 8 hints.
pub fn digest_hint(b: &mut Builder) -> DigestSlots {
    core::array::from_fn(|_| b.hint())
}

/// A base-field constant slot.
pub fn base_constant(b: &mut Builder, x: BabyBear) -> Slot {
    b.constant(Ext::from(x))
}
