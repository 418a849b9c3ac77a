//! The aggregation tree of one batch, as positions of prover jobs (pure; no I/O).
//!
//! A batch of `n` chunks is proven by `n` basic jobs (round 0, sequence number = chunk
//! index). Consecutive chunks are grouped [`LEAF_CHUNKS`] at a time into `m = ⌈n / W⌉`
//! leaf jobs (round 1, sequence number = leaf index). Leaves are merged by node jobs
//! (round 2) over a binary tree: the node over leaves `[lo, hi)` (`hi − lo ≥ 2`) has the
//! children `[lo, mid)` and `[mid, hi)` with `mid − lo` the largest power of two below
//! `hi − lo`, so every left subtree is complete. A node's job is stored at depth
//! [`Position::level`] = `⌈log2(hi − lo)⌉` and sequence number `lo`: along a left spine the
//! levels strictly fall, so `(level, lo)` names one node. The tree's root (the one leaf
//! when `m = 1`) is the scheduler's input.

use serde::{Deserialize, Serialize};

/// Chunk proofs one leaf job verifies (the last leaf of a batch may verify fewer).
pub const LEAF_CHUNKS: u64 = 2;

/// The aggregation round of leaf jobs.
pub const LEAF_ROUND: u8 = 1;
/// The circuit id of leaf jobs.
pub const LEAF_CIRCUIT_ID: u8 = 2;
/// The aggregation round of node jobs.
pub const NODE_ROUND: u8 = 2;
/// The circuit id of node jobs.
pub const NODE_CIRCUIT_ID: u8 = 3;

/// A job of the aggregation tree above round 0: a leaf or a node over leaves `[lo, hi)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    /// First leaf covered.
    pub lo: u64,
    /// One past the last leaf covered.
    pub hi: u64,
}

impl Position {
    /// Whether this is one leaf.
    #[must_use]
    pub const fn is_leaf(self) -> bool {
        self.hi == self.lo + 1
    }

    /// `(aggregation_round, circuit_id, depth, sequence_number)` of this position's job.
    #[must_use]
    pub fn job_key(self) -> (u8, u8, u32, u64) {
        if self.is_leaf() {
            (LEAF_ROUND, LEAF_CIRCUIT_ID, 0, self.lo)
        } else {
            (NODE_ROUND, NODE_CIRCUIT_ID, self.level(), self.lo)
        }
    }

    /// `⌈log2(hi − lo)⌉`: 0 for a leaf.
    #[must_use]
    pub fn level(self) -> u32 {
        (self.hi - self.lo).next_power_of_two().trailing_zeros()
    }

    /// The two children of a node (`None` for a leaf).
    #[must_use]
    pub fn children(self) -> Option<(Position, Position)> {
        let len = self.hi - self.lo;
        if len < 2 {
            return None;
        }
        let mid = self.lo + (len.next_power_of_two() >> 1);
        Some((
            Position {
                lo: self.lo,
                hi: mid,
            },
            Position {
                lo: mid,
                hi: self.hi,
            },
        ))
    }
}

/// Leaves of a batch of `chunks` chunks.
#[must_use]
pub const fn leaves(chunks: u64) -> u64 {
    chunks.div_ceil(LEAF_CHUNKS)
}

/// The chunks `[lo, hi)` that leaf `leaf` of a batch of `chunks` chunks verifies.
#[must_use]
pub fn leaf_chunks(chunks: u64, leaf: u64) -> (u64, u64) {
    let lo = leaf * LEAF_CHUNKS;
    (lo, (lo + LEAF_CHUNKS).min(chunks))
}

/// The root of the tree over `leaves` leaves (`leaves ≥ 1`).
#[must_use]
pub const fn root(leaves: u64) -> Position {
    Position { lo: 0, hi: leaves }
}

/// The parent of `pos` in the tree over `leaves` leaves: `None` for the root or a
/// position that is not in that tree.
#[must_use]
pub fn parent(leaves: u64, pos: Position) -> Option<Position> {
    let mut at = root(leaves);
    while let Some((left, right)) = at.children() {
        if left == pos || right == pos {
            return Some(at);
        }
        at = if pos.hi <= left.hi { left } else { right };
    }
    None
}

/// The node at `(level, lo)` in the tree over `leaves` leaves (see the module docs),
/// `None` if there is none.
#[must_use]
pub fn node_at(leaves: u64, level: u32, lo: u64) -> Option<Position> {
    let mut at = root(leaves);
    loop {
        if at.lo == lo && at.level() == level {
            return Some(at);
        }
        let (left, right) = at.children()?;
        at = if lo < left.hi { left } else { right };
    }
}

/// The input of a leaf or node job (stored as JSON in `prover_jobs.input`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AggregationInput {
    /// A leaf: the chunk proofs `[lo, hi)` (round-0 sequence numbers), in order.
    Leaf {
        /// First chunk.
        lo: u64,
        /// One past the last chunk.
        hi: u64,
    },
    /// A node: the proofs of its two children, left then right.
    Node {
        /// The left child.
        left: Position,
        /// The right child.
        right: Position,
    },
}

/// What finishing one job makes ready ([`ready`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ready {
    /// Nothing new: inputs of the next job are still missing.
    Nothing,
    /// The job at this position, with this input, can be queued.
    Job(Position, AggregationInput),
    /// The root is proven: the scheduler job can be queued.
    Scheduler,
}

/// What the success of the job `finished` (`(aggregation_round, depth, sequence_number)`)
/// makes ready in a batch of `chunks` chunks, given every successful job `done` (the
/// finished one included). Jobs outside the batch's tree make nothing ready.
#[must_use]
pub fn ready(chunks: u64, done: &[(u8, u32, u64)], finished: (u8, u32, u64)) -> Ready {
    let m = leaves(chunks);
    let is_done = |p: Position| {
        let (round, _, depth, seq) = p.job_key();
        done.contains(&(round, depth, seq))
    };
    let pos = match finished {
        (0, _, chunk) if chunk < chunks => {
            let leaf = chunk / LEAF_CHUNKS;
            let (lo, hi) = leaf_chunks(chunks, leaf);
            let all = (lo..hi).all(|c| done.contains(&(0, 0, c)));
            return if all {
                Ready::Job(
                    Position {
                        lo: leaf,
                        hi: leaf + 1,
                    },
                    AggregationInput::Leaf { lo, hi },
                )
            } else {
                Ready::Nothing
            };
        }
        (LEAF_ROUND, 0, leaf) if leaf < m => Position {
            lo: leaf,
            hi: leaf + 1,
        },
        (NODE_ROUND, level, lo) => match node_at(m, level, lo) {
            Some(p) if !p.is_leaf() => p,
            _ => return Ready::Nothing,
        },
        _ => return Ready::Nothing,
    };
    if pos == root(m) {
        return Ready::Scheduler;
    }
    match parent(m, pos).and_then(|p| Some((p, p.children()?))) {
        Some((p, (left, right))) if is_done(left) && is_done(right) => {
            Ready::Job(p, AggregationInput::Node { left, right })
        }
        _ => Ready::Nothing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_positions(at: Position, out: &mut Vec<Position>) {
        out.push(at);
        if let Some((l, r)) = at.children() {
            all_positions(l, out);
            all_positions(r, out);
        }
    }

    #[test]
    fn every_tree_up_to_64_leaves_is_consistent() {
        for m in 1..=64u64 {
            let mut all = Vec::new();
            all_positions(root(m), &mut all);
            // 2m − 1 positions, m of them leaves, covering each leaf once.
            assert_eq!(all.len() as u64, 2 * m - 1, "m = {m}");
            let leaves: Vec<u64> = all.iter().filter(|p| p.is_leaf()).map(|p| p.lo).collect();
            assert_eq!(leaves, (0..m).collect::<Vec<_>>(), "m = {m}");
            let mut keys: Vec<_> = all.iter().map(|p| p.job_key()).collect();
            keys.sort_unstable();
            keys.dedup();
            assert_eq!(keys.len(), all.len(), "job keys are unique, m = {m}");
            for &p in &all {
                if p != root(m) {
                    let up = parent(m, p).expect("parent");
                    let (l, r) = up.children().expect("children");
                    assert!(l == p || r == p, "m = {m}, {p:?}");
                } else {
                    assert_eq!(parent(m, p), None);
                }
                if !p.is_leaf() {
                    assert_eq!(node_at(m, p.level(), p.lo), Some(p), "m = {m}");
                }
            }
        }
    }

    #[test]
    fn left_subtrees_are_complete_and_positions_outside_are_refused() {
        let (l, r) = root(5).children().expect("node");
        assert_eq!(
            (l, r),
            (Position { lo: 0, hi: 4 }, Position { lo: 4, hi: 5 })
        );
        assert_eq!(parent(5, Position { lo: 5, hi: 6 }), None);
        assert_eq!(parent(5, Position { lo: 1, hi: 3 }), None);
        assert_eq!(node_at(5, 2, 1), None);
        assert_eq!(leaf_chunks(5, 2), (4, 5));
        assert_eq!(leaves(5), 3);
        assert_eq!(leaves(1), 1);
    }

    #[test]
    fn a_job_is_ready_only_when_all_its_inputs_are_done() {
        // 5 chunks: leaves [0,2) [2,4) [4,5); root = node(0..3) over node(0..2) and leaf 2.
        let leaf = |i: u64| Position { lo: i, hi: i + 1 };
        let mut done = vec![(0, 0, 0)];
        assert_eq!(ready(5, &done, (0, 0, 0)), Ready::Nothing);
        done.push((0, 0, 1));
        assert_eq!(
            ready(5, &done, (0, 0, 1)),
            Ready::Job(leaf(0), AggregationInput::Leaf { lo: 0, hi: 2 })
        );
        done.push((0, 0, 4));
        assert_eq!(
            ready(5, &done, (0, 0, 4)),
            Ready::Job(leaf(2), AggregationInput::Leaf { lo: 4, hi: 5 })
        );
        done.extend([(1, 0, 0), (1, 0, 2)]);
        assert_eq!(
            ready(5, &done, (1, 0, 2)),
            Ready::Nothing,
            "node(0..2) missing"
        );
        done.push((1, 0, 1));
        let pair = Position { lo: 0, hi: 2 };
        assert_eq!(
            ready(5, &done, (1, 0, 1)),
            Ready::Job(
                pair,
                AggregationInput::Node {
                    left: leaf(0),
                    right: leaf(1)
                }
            )
        );
        done.push((2, 1, 0));
        assert_eq!(
            ready(5, &done, (2, 1, 0)),
            Ready::Job(
                root(3),
                AggregationInput::Node {
                    left: pair,
                    right: leaf(2)
                }
            )
        );
        done.push((2, 2, 0));
        assert_eq!(ready(5, &done, (2, 2, 0)), Ready::Scheduler);
        // One chunk: its leaf is the root.
        assert_eq!(
            ready(1, &[(0, 0, 0), (1, 0, 0)], (1, 0, 0)),
            Ready::Scheduler
        );
        // Jobs outside the tree make nothing ready.
        assert_eq!(ready(5, &done, (0, 0, 9)), Ready::Nothing);
        assert_eq!(ready(5, &done, (1, 0, 7)), Ready::Nothing);
        assert_eq!(ready(5, &done, (2, 3, 0)), Ready::Nothing);
    }
}
