//! Merkle multi-openings of the L1 configuration's commitment scheme ([`L1ValMmcs`]), for
//! checking the on-chain verifier (`contracts/src/verifier/KeccakMerkle.sol`) against
//! Plonky3: matrices of several heights are committed, rows are opened at a set of query
//! indices with Plonky3's pruned multi-opening (`open_multi_batch`, the form FRI's query
//! phase sends), and the case is kept only if Plonky3's `verify_multi_batch` accepts it.
//!
//! The checked-in fixture is `contracts/test/fixtures/l1_merkle.json` (`just fixtures`); a
//! test here fails when it is stale.

use p3_baby_bear::BabyBear;
use p3_commit::Mmcs;
use p3_field::PrimeField32;
use p3_matrix::dense::RowMajorMatrix;
use p3_matrix::Matrix;
use serde::{Deserialize, Serialize};

use crate::l1::l1_val_mmcs;
use crate::l1_transcript_fixture::{digest_hex as hex32, element, next};

/// One commitment and one multi-opening of it.
///
/// `values` is flat: for each query `q` (in `indices` order, duplicates kept), for each
/// matrix `m` (in `heights` order), the `widths[m]` canonical elements of row
/// `indices[q] >> log2(max height / heights[m])` of matrix `m`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MerkleOpeningCase {
    /// What the case exercises.
    pub name: String,
    /// The Merkle root (cap height 0), `0x`-hex of its 32 bytes.
    pub root: String,
    /// Each matrix's height (rows), a power of two.
    pub heights: Vec<u64>,
    /// Each matrix's width (BabyBear elements per row).
    pub widths: Vec<u64>,
    /// Query indices into the tallest matrix's rows, in the verifier's order.
    pub indices: Vec<u64>,
    /// The opened rows, flat (layout above).
    pub values: Vec<u32>,
    /// The pruned proof's boundary sibling digests in Plonky3's wire order, `0x`-hex.
    pub siblings: Vec<String>,
}

/// The fixture forge reads: every case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MerkleFixture {
    /// The cases, in the order [`merkle_fixture`] builds them.
    pub cases: Vec<MerkleOpeningCase>,
}

/// Commits seeded matrices of the given `(height, width)` shapes with [`l1_val_mmcs`] and
/// opens them at `indices`.
///
/// # Panics
/// If Plonky3 rejects its own opening (a fixture is only written for accepted openings) or
/// a shape is invalid for the tree (Plonky3 panics at commit).
pub fn opening_case(
    name: &str,
    shapes: &[(usize, usize)],
    indices: &[usize],
    seed: u64,
) -> MerkleOpeningCase {
    let mut rng = seed;
    let matrices: Vec<RowMajorMatrix<BabyBear>> = shapes
        .iter()
        .map(|&(height, width)| {
            let cells = (0..height * width).map(|_| element(&mut rng)).collect();
            RowMajorMatrix::new(cells, width)
        })
        .collect();
    let dims: Vec<_> = matrices.iter().map(|m| m.dimensions()).collect();
    let mmcs = l1_val_mmcs();
    let (cap, data) = mmcs.commit(matrices);
    let (opened, proof) = mmcs.open_multi_batch(indices, &data);
    mmcs.verify_multi_batch(&cap, &dims, indices, &opened, &proof)
        .expect("Plonky3 accepts its own opening");
    MerkleOpeningCase {
        name: name.to_owned(),
        root: hex32(&cap.roots()[0]),
        heights: shapes.iter().map(|&(h, _)| h as u64).collect(),
        widths: shapes.iter().map(|&(_, w)| w as u64).collect(),
        indices: indices.iter().map(|&i| i as u64).collect(),
        values: opened
            .iter()
            .flatten()
            .flatten()
            .map(|x| x.as_canonical_u32())
            .collect(),
        siblings: proof.sibling_hashes.iter().map(hex32).collect(),
    }
}

/// The fixture's cases:
/// - `mixed`: five matrices of heights 16, 8, 16, 2 and 1 (two share the leaf layer, out
///   of order; three are injected at three layers, the last one at the root), opened at 7
///   queries with a duplicate, a sibling pair merging at the leaves and two paths merging
///   higher up;
/// - `single`: one column of 8 rows, one query (a plain authentication path);
/// - `fri_sized`: heights 4096 and 1024 (widths 8 and 4) at 27 seeded queries, the
///   L1 configuration's query count, for a gas figure of a realistic opening.
pub fn merkle_fixture() -> MerkleFixture {
    let mut rng = 0x6d65_726b_6c65u64;
    let fri_queries: Vec<usize> = (0..27).map(|_| (next(&mut rng) % 4096) as usize).collect();
    MerkleFixture {
        cases: vec![
            opening_case(
                "mixed",
                &[(16, 3), (8, 5), (16, 2), (2, 1), (1, 2)],
                &[5, 3, 4, 5, 12, 15, 0],
                1,
            ),
            opening_case("single", &[(8, 1)], &[6], 2),
            opening_case("fri_sized", &[(4096, 8), (1024, 4)], &fri_queries, 3),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fixture forge checks is what Plonky3 produces today; regenerate with `just
    /// fixtures` when this fails.
    #[test]
    fn the_checked_in_forge_fixture_is_current() {
        let checked_in: MerkleFixture = serde_json::from_str(include_str!(
            "../../../contracts/test/fixtures/l1_merkle.json"
        ))
        .expect("fixture parses");
        assert_eq!(
            checked_in,
            merkle_fixture(),
            "stale fixture: run `just fixtures`"
        );
    }

    /// The pruned proof of `mixed` is shorter than its queries' full paths (4 levels each),
    /// so the fixture exercises merging, not only single paths.
    #[test]
    fn the_mixed_case_prunes_shared_siblings() {
        let mixed = &merkle_fixture().cases[0];
        assert!(mixed.siblings.len() < mixed.indices.len() * 4);
        assert_eq!(
            mixed.values.len(),
            mixed.indices.len() * (3 + 5 + 2 + 1 + 2)
        );
    }
}
