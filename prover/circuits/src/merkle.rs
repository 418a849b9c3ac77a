//! The fixed-depth account tree: [`DEPTH`] levels of [`compress`] over account leaves.
//!
//! Leaves are allocated left to right from index 0, so [`Tree`] stores each level as a dense
//! prefix and treats everything to the right as an empty subtree, whose value at level `k` is
//! [`empty_root`]`(k)`. A path ([`Path`]) is the [`DEPTH`] sibling digests from the leaf level
//! up; bit `k` of the leaf index says whether the node at level `k` is a right child.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::hash::{compress, Digest};

/// Levels of the tree: 2^16 = 65,536 accounts.
pub const DEPTH: usize = 16;

/// The number of leaves: 2^[`DEPTH`].
pub const CAPACITY: u32 = 1 << DEPTH;

/// The value of an empty subtree of height `level` (0 = an empty leaf = [`Digest::ZERO`]).
///
/// # Panics
/// If `level > DEPTH`.
pub fn empty_root(level: usize) -> Digest {
    static EMPTY: OnceLock<Vec<Digest>> = OnceLock::new();
    EMPTY.get_or_init(|| {
        let mut out = vec![Digest::ZERO];
        for k in 0..DEPTH {
            out.push(compress(&out[k], &out[k]));
        }
        out
    })[level]
}

/// The siblings of one leaf, leaf level first: exactly [`DEPTH`] digests.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Path {
    /// The leaf index, below [`CAPACITY`].
    pub index: u32,
    /// `siblings[k]` is the sibling at level `k`.
    pub siblings: Vec<Digest>,
}

impl Path {
    /// The root reached from `leaf` along this path.
    ///
    /// # Errors
    /// [`PathError`] if the index is out of range or there are not [`DEPTH`] siblings.
    pub fn root(&self, leaf: Digest) -> Result<Digest, PathError> {
        if self.index >= CAPACITY {
            return Err(PathError::IndexOutOfRange { index: self.index });
        }
        if self.siblings.len() != DEPTH {
            return Err(PathError::WrongLength {
                len: self.siblings.len(),
            });
        }
        let mut node = leaf;
        for (k, sibling) in self.siblings.iter().enumerate() {
            node = if (self.index >> k) & 1 == 0 {
                compress(&node, sibling)
            } else {
                compress(sibling, &node)
            };
        }
        Ok(node)
    }
}

/// A path that cannot be folded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    /// The leaf index is not below [`CAPACITY`].
    #[error("leaf index {index} is outside the tree of {CAPACITY} leaves")]
    IndexOutOfRange {
        /// The index given.
        index: u32,
    },
    /// Not [`DEPTH`] siblings.
    #[error("a path has {DEPTH} siblings, this one has {len}")]
    WrongLength {
        /// The number given.
        len: usize,
    },
}

/// The account tree in memory: level `k` holds the non-empty prefix of its nodes.
#[derive(Clone, Debug)]
pub struct Tree {
    levels: Vec<Vec<Digest>>,
}

impl Default for Tree {
    fn default() -> Self {
        Tree::new()
    }
}

impl Tree {
    /// An empty tree; its root is `empty_root(DEPTH)`.
    pub fn new() -> Tree {
        Tree {
            levels: vec![Vec::new(); DEPTH + 1],
        }
    }

    /// Builds a tree whose leaves `0..leaves.len()` are `leaves`, in O(n) compressions.
    ///
    /// # Errors
    /// [`PathError::IndexOutOfRange`] for more than [`CAPACITY`] leaves.
    pub fn from_leaves(leaves: Vec<Digest>) -> Result<Tree, PathError> {
        if leaves.len() > CAPACITY as usize {
            return Err(PathError::IndexOutOfRange { index: CAPACITY });
        }
        let mut levels = vec![leaves];
        for k in 0..DEPTH {
            let below = &levels[k];
            let above = below
                .chunks(2)
                .map(|pair| compress(&pair[0], pair.get(1).unwrap_or(&empty_root(k))))
                .collect();
            levels.push(above);
        }
        Ok(Tree { levels })
    }

    /// Leaves in use (the next free index).
    pub fn len(&self) -> u32 {
        self.levels[0].len() as u32
    }

    /// Whether no leaf is in use.
    pub fn is_empty(&self) -> bool {
        self.levels[0].is_empty()
    }

    /// The root.
    pub fn root(&self) -> Digest {
        self.node(DEPTH, 0)
    }

    /// The leaf at `index` ([`Digest::ZERO`] when unused).
    pub fn leaf(&self, index: u32) -> Digest {
        self.node(0, index)
    }

    fn node(&self, level: usize, index: u32) -> Digest {
        self.levels[level]
            .get(index as usize)
            .copied()
            .unwrap_or_else(|| empty_root(level))
    }

    /// The path of `index`.
    ///
    /// # Errors
    /// [`PathError::IndexOutOfRange`] for an index not below [`CAPACITY`].
    pub fn path(&self, index: u32) -> Result<Path, PathError> {
        if index >= CAPACITY {
            return Err(PathError::IndexOutOfRange { index });
        }
        let siblings = (0..DEPTH).map(|k| self.node(k, (index >> k) ^ 1)).collect();
        Ok(Path { index, siblings })
    }

    /// Sets the leaf at `index` and rehashes its path. Indices are allocated densely: `index`
    /// is at most [`Tree::len`].
    ///
    /// # Errors
    /// [`PathError::IndexOutOfRange`] for an index beyond the next free one or the capacity.
    pub fn set(&mut self, index: u32, leaf: Digest) -> Result<(), PathError> {
        if index >= CAPACITY || index > self.len() {
            return Err(PathError::IndexOutOfRange { index });
        }
        let mut i = index as usize;
        let mut node = leaf;
        for k in 0..=DEPTH {
            let level = &mut self.levels[k];
            if i == level.len() {
                level.push(node);
            } else {
                level[i] = node;
            }
            if k == DEPTH {
                break;
            }
            let sibling = self.node(k, (i ^ 1) as u32);
            node = if i & 1 == 0 {
                compress(&node, &sibling)
            } else {
                compress(&sibling, &node)
            };
            i >>= 1;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::{hash16, F, WIDTH};
    use p3_field::PrimeCharacteristicRing;

    fn leaf(i: u32) -> Digest {
        hash16([F::from_u32(i + 1); WIDTH])
    }

    #[test]
    fn an_empty_tree_has_the_empty_root() {
        assert_eq!(Tree::new().root(), empty_root(DEPTH));
        assert_eq!(
            Tree::from_leaves(vec![]).expect("test value").root(),
            empty_root(DEPTH)
        );
    }

    #[test]
    fn incremental_and_bulk_builds_agree_and_paths_fold_to_the_root() {
        let mut tree = Tree::new();
        for i in 0..37 {
            tree.set(i, leaf(i)).expect("test value");
            let path = tree.path(i).expect("test value");
            assert_eq!(path.root(leaf(i)).expect("test value"), tree.root());
        }
        let bulk = Tree::from_leaves((0..37).map(leaf).collect()).expect("test value");
        assert_eq!(bulk.root(), tree.root());
        for i in [0, 1, 17, 36, 37, 1000] {
            let path = tree.path(i).expect("test value");
            assert_eq!(path.root(tree.leaf(i)).expect("test value"), tree.root());
        }
        // Overwriting a leaf changes the root, and its old path folds the new leaf to the new root.
        let before = tree.path(5).expect("test value");
        tree.set(5, leaf(99)).expect("test value");
        assert_eq!(before.root(leaf(99)).expect("test value"), tree.root());
    }

    #[test]
    fn bad_paths_and_indices_are_refused() {
        let mut tree = Tree::new();
        assert_eq!(
            tree.set(1, leaf(0)),
            Err(PathError::IndexOutOfRange { index: 1 })
        );
        assert!(tree.path(CAPACITY).is_err());
        let short = Path {
            index: 0,
            siblings: vec![Digest::ZERO; DEPTH - 1],
        };
        assert_eq!(
            short.root(Digest::ZERO),
            Err(PathError::WrongLength { len: DEPTH - 1 })
        );
        // A wrong sibling gives a different root.
        tree.set(0, leaf(0)).expect("test value");
        let mut path = tree.path(0).expect("test value");
        path.siblings[3] = leaf(7);
        assert_ne!(path.root(leaf(0)).expect("test value"), tree.root());
    }
}
