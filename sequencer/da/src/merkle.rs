//! Binary keccak-256 Merkle trees with fixed leaf counts, used for the VID shares
//! ([`crate::vid`]) and the namespace table ([`crate::namespace`]).
//!
//! # Layout
//!
//! Leaves are 32-byte hashes that the caller has already domain-separated (VID leaves start with
//! `0x00`, namespace leaves with `0x02`). An internal node is
//!
//! ```text
//! node = keccak256(0x01 ‖ left (32 bytes) ‖ right (32 bytes))      -- 65-byte pre-image
//! ```
//!
//! Level 0 is the leaves in index order. Level `ℓ+1` pairs positions `(2p, 2p+1)` of level `ℓ`;
//! when a level has an odd number of nodes, its last node is **promoted unchanged** to the next
//! level (no hashing, no sibling in proofs). Promotion rather than duplication avoids the
//! Bitcoin CVE-2012-2459 ambiguity where `[a, b, c]` and `[a, b, c, c]` share a root. The root of
//! a one-leaf tree is that leaf.
//!
//! A [`MerkleProof`] lists the siblings from the leaf upwards, skipping promoted levels. The
//! verifier knows the leaf count (it is committed: `n` for VID, the entry count for namespaces),
//! so it knows at which levels index `i` is promoted and how many siblings to expect; any other
//! sibling count is rejected. Since the left/right pattern of the path is a function of
//! `(index, leaf_count)`, a proof for index `i` does not verify as index `j ≠ i` (checked
//! exhaustively for small trees in the tests).

use sq_types::codec::{put_len, Decode, DecodeError, Encode, Reader};

/// A 32-byte keccak-256 digest.
pub type Hash = [u8; 32];

/// Deepest proof a decoder accepts: 32 siblings cover any `u32` leaf count.
pub const MAX_PROOF_DEPTH: usize = 32;

/// `keccak256(parts[0] ‖ parts[1] ‖ …)`.
#[must_use]
pub fn keccak(parts: &[&[u8]]) -> Hash {
    sq_types::Commitment::keccak(parts).0
}

/// An internal node: `keccak256(0x01 ‖ left ‖ right)`.
#[must_use]
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    keccak(&[&[0x01], left, right])
}

/// A Merkle tree that keeps every level, so it can produce proofs.
///
/// Memory: about `2 × leaf_count × 32` bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MerkleTree {
    /// `levels[0]` are the leaves, the last level holds only the root.
    levels: Vec<Vec<Hash>>,
}

impl MerkleTree {
    /// Builds the tree over `leaves` (see the module docs for the layout).
    ///
    /// Returns `None` for an empty leaf list, which has no root; callers define their own
    /// empty-case commitment.
    #[must_use]
    pub fn new(leaves: Vec<Hash>) -> Option<MerkleTree> {
        if leaves.is_empty() {
            return None;
        }
        let mut levels = vec![leaves];
        while let Some(level) = levels.last().filter(|l| l.len() > 1) {
            let next = level
                .chunks(2)
                .map(|pair| match *pair {
                    [l, r] => node_hash(&l, &r),
                    // The last node of an odd level (`chunks(2)` never yields an empty slice).
                    [single] => single,
                    _ => Hash::default(),
                })
                .collect();
            levels.push(next);
        }
        Some(MerkleTree { levels })
    }

    /// The root hash.
    #[must_use]
    pub fn root(&self) -> Hash {
        // `new` guarantees a non-empty last level.
        self.levels
            .last()
            .and_then(|l| l.first())
            .copied()
            .unwrap_or_default()
    }

    /// Number of leaves.
    #[must_use]
    pub fn leaf_count(&self) -> usize {
        self.levels.first().map_or(0, Vec::len)
    }

    /// The proof for leaf `index`, or `None` when `index` is out of range.
    #[must_use]
    pub fn proof(&self, index: u32) -> Option<MerkleProof> {
        let mut pos = index as usize;
        if pos >= self.leaf_count() {
            return None;
        }
        let mut siblings = Vec::new();
        for level in &self.levels[..self.levels.len() - 1] {
            let sibling = pos ^ 1;
            if let Some(s) = level.get(sibling) {
                siblings.push(*s);
            }
            pos /= 2;
        }
        Some(MerkleProof { index, siblings })
    }
}

/// A Merkle path: the leaf's index and its siblings from the bottom level up (promoted levels
/// contribute no sibling).
///
/// Encoding: `index: u32 BE ‖ count: u32 BE ‖ count × 32-byte sibling`, `count ≤`
/// [`MAX_PROOF_DEPTH`]; `8 + 32·count` bytes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MerkleProof {
    /// Index of the proven leaf (0-based).
    pub index: u32,
    /// Sibling hashes, bottom-up.
    pub siblings: Vec<Hash>,
}

impl MerkleProof {
    /// The root that `leaf` at `self.index` implies in a tree of `leaf_count` leaves, or `None`
    /// when the index is out of range or the sibling count is not exactly the path length.
    #[must_use]
    pub fn compute_root(&self, leaf: &Hash, leaf_count: u32) -> Option<Hash> {
        let (mut pos, mut width) = (self.index, leaf_count);
        if pos >= width {
            return None;
        }
        let mut hash = *leaf;
        let mut siblings = self.siblings.iter();
        while width > 1 {
            if pos % 2 == 1 {
                hash = node_hash(siblings.next()?, &hash);
            } else if pos + 1 < width {
                hash = node_hash(&hash, siblings.next()?);
            } // else: last node of an odd level, promoted unchanged.
            pos /= 2;
            width = width.div_ceil(2);
        }
        siblings.next().is_none().then_some(hash)
    }

    /// True when `leaf` at `self.index` of a `leaf_count`-leaf tree has root `root`.
    #[must_use]
    pub fn verify(&self, leaf: &Hash, leaf_count: u32, root: &Hash) -> bool {
        self.compute_root(leaf, leaf_count).as_ref() == Some(root)
    }
}

impl Encode for MerkleProof {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.index.to_be_bytes());
        put_len(out, self.siblings.len());
        for s in &self.siblings {
            out.extend_from_slice(s);
        }
    }
}

impl Decode for MerkleProof {
    fn decode_from(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let index = r.u32()?;
        let count = r.len_prefix("Merkle proof", MAX_PROOF_DEPTH)?;
        let siblings = (0..count).map(|_| r.array()).collect::<Result<_, _>>()?;
        Ok(MerkleProof { index, siblings })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaves(count: u32) -> Vec<Hash> {
        (0..count).map(|i| keccak(&[&i.to_be_bytes()])).collect()
    }

    #[test]
    fn every_index_verifies_and_no_proof_verifies_at_another_index() {
        for count in 1..=40u32 {
            let ls = leaves(count);
            let tree = MerkleTree::new(ls.clone()).expect("non-empty");
            let root = tree.root();
            assert_eq!(tree.proof(count), None);
            for i in 0..count {
                let proof = tree.proof(i).expect("in range");
                assert!(proof.verify(&ls[i as usize], count, &root), "{count}/{i}");
                for j in 0..count {
                    let moved = MerkleProof {
                        index: j,
                        ..proof.clone()
                    };
                    if j != i {
                        // Same leaf hash, same siblings, claimed at another position.
                        assert!(
                            !moved.verify(&ls[i as usize], count, &root),
                            "{count}/{i}->{j}"
                        );
                    }
                }
                if count > 1 {
                    let other = &ls[(i as usize + 1) % ls.len()];
                    assert!(!proof.verify(other, count, &root), "wrong leaf {count}/{i}");
                }
            }
        }
    }

    #[test]
    fn odd_node_is_promoted_not_duplicated() {
        let ls = leaves(3);
        let root = MerkleTree::new(ls.clone()).expect("non-empty").root();
        assert_eq!(root, node_hash(&node_hash(&ls[0], &ls[1]), &ls[2]));
        let four = vec![ls[0], ls[1], ls[2], ls[2]];
        assert_ne!(MerkleTree::new(four).expect("non-empty").root(), root);
        assert_eq!(MerkleTree::new(vec![ls[0]]).expect("one").root(), ls[0]);
        assert_eq!(MerkleTree::new(Vec::new()), None);
    }

    #[test]
    fn extra_or_missing_siblings_are_rejected() {
        let ls = leaves(5);
        let tree = MerkleTree::new(ls.clone()).expect("non-empty");
        let mut proof = tree.proof(1).expect("in range");
        proof.siblings.push([7; 32]);
        assert_eq!(proof.compute_root(&ls[1], 5), None);
        proof.siblings.truncate(1);
        assert_eq!(proof.compute_root(&ls[1], 5), None);
        let last = tree.proof(4).expect("in range");
        assert_eq!(last.siblings.len(), 1, "index 4 of 5 is promoted twice");
    }

    #[test]
    fn proof_codec_round_trips_and_rejects_truncation() {
        let tree = MerkleTree::new(leaves(9)).expect("non-empty");
        let proof = tree.proof(6).expect("in range");
        let enc = proof.encode();
        assert_eq!(enc.len(), 8 + 32 * proof.siblings.len());
        assert_eq!(MerkleProof::decode(&enc), Ok(proof));
        for cut in 0..enc.len() {
            assert!(matches!(
                MerkleProof::decode(&enc[..cut]),
                Err(DecodeError::Truncated { .. })
            ));
        }
        let mut deep = 1u32.to_be_bytes().to_vec();
        deep.extend_from_slice(&33u32.to_be_bytes());
        assert!(matches!(
            MerkleProof::decode(&deep),
            Err(DecodeError::TooLong { len: 33, .. })
        ));
    }
}
