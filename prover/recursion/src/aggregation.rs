//! The rounds as whole steps, for the prover's workers and the rollup's verifier: a
//! leaf proof from chunk proofs, a node proof from two round proofs, the scheduler proof
//! from the tree's top proof, and the scheduler proof's verification against a batch
//! claim.
//!
//! Every round proof carries the [`TreeShape`] of the subtree it covers. The shape fixes
//! every circuit below (the leaf circuit from its chunks' trace heights, a node circuit
//! from its children's keys), so the verifier rebuilds the scheduler circuit from the
//! proof's shape alone. The shape is untrusted: any shape gives a circuit that verifies
//! real chunk proofs of the chunk AIR (which has no other parameter than its height) and
//! chains their claims, so a prover gains nothing by choosing one; [`TreeShape::check`]
//! bounds the cost of rebuilding (chunks, depth, distinct circuits).
//!
//! Circuits are built once per shape and process and kept in a cache; building one
//! compiles its verifier program and commits its preprocessed trace (seconds in release
//! for a node).

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, LazyLock, Mutex};

use p3_baby_bear::BabyBear;
use p3_uni_stark::Proof;
use serde::{Deserialize, Serialize};
use sq_prover_circuits::stark::ChunkStarkConfig;
use sq_prover_circuits::witness::PUBLIC_INPUTS_LEN;

use crate::batch_verifier::ChildKey;
use crate::child::ChildError;
use crate::chunk_circuit::ChildShape;
use crate::circuit::{Circuit, CircuitError, CircuitProof};
use crate::leaf_circuit::{self, leaf_claim, leaf_hints};
use crate::node_circuit::{self, node_hints, NodeChild};
use crate::scheduler_circuit::{self, scheduler_hints, scheduler_publics};

/// Most chunks one tree may cover.
pub const MAX_TREE_CHUNKS: usize = 4096;
/// Most chunks one leaf may verify.
pub const MAX_LEAF_CHUNKS: usize = 8;
/// Deepest tree accepted (levels of nodes above the leaves).
pub const MAX_TREE_DEPTH: usize = 16;
/// Most distinct circuits (distinct subtree shapes) a tree may need. The pipeline's trees
/// (leaves alike but the last, left subtrees complete) need at most `2·depth + 2`, 24 at
/// [`MAX_TREE_CHUNKS`]; the bound caps what a hostile shape can make a verifier build.
pub const MAX_DISTINCT_CIRCUITS: usize = 32;
/// Circuits kept by the per-process cache before it is emptied.
const CACHE_CAPACITY: usize = 32;

/// The shape of the subtree a round proof covers.
///
/// Encoded flat, as its pre-order token list ([`ShapeToken`]), and decoded without
/// recursion: a nested encoding would let a hostile proof of a few hundred KB (one byte
/// per level) overflow the decoder's stack before [`TreeShape::check`] could run.
/// Decoding refuses more than [`MAX_TREE_DEPTH`] levels or `2·`[`MAX_TREE_CHUNKS`]
/// tokens.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "Vec<ShapeToken>", into = "Vec<ShapeToken>")]
pub enum TreeShape {
    /// A leaf over consecutive chunk proofs with traces of `2^degree_bits` rows, in order.
    Leaf(Vec<u8>),
    /// A node over a left and a right subtree.
    Node(Box<TreeShape>, Box<TreeShape>),
}

/// One token of a [`TreeShape`]'s pre-order encoding: a node is followed by its left
/// then its right subtree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ShapeToken {
    /// A leaf and its chunks' log2 trace heights.
    Leaf(Vec<u8>),
    /// A node; its two subtrees follow.
    Node,
}

impl From<TreeShape> for Vec<ShapeToken> {
    fn from(shape: TreeShape) -> Self {
        let mut out = Vec::new();
        let mut todo = vec![shape];
        while let Some(s) = todo.pop() {
            match s {
                TreeShape::Leaf(bits) => out.push(ShapeToken::Leaf(bits)),
                TreeShape::Node(l, r) => {
                    out.push(ShapeToken::Node);
                    todo.push(*r);
                    todo.push(*l);
                }
            }
        }
        out
    }
}

impl TryFrom<Vec<ShapeToken>> for TreeShape {
    type Error = String;

    /// Rebuilds the tree from its pre-order tokens, iteratively (from the last token, a
    /// node takes the two subtrees on top of the stack: left, then right).
    fn try_from(tokens: Vec<ShapeToken>) -> Result<Self, String> {
        if tokens.len() > 2 * MAX_TREE_CHUNKS {
            return Err(format!("a tree shape of {} tokens", tokens.len()));
        }
        let mut stack: Vec<(TreeShape, usize)> = Vec::new();
        for token in tokens.into_iter().rev() {
            match token {
                ShapeToken::Leaf(bits) => stack.push((TreeShape::Leaf(bits), 0)),
                ShapeToken::Node => {
                    let (Some((l, dl)), Some((r, dr))) = (stack.pop(), stack.pop()) else {
                        return Err("a node without two subtrees".into());
                    };
                    let depth = 1 + dl.max(dr);
                    if depth > MAX_TREE_DEPTH {
                        return Err(format!("a tree deeper than {MAX_TREE_DEPTH} levels"));
                    }
                    stack.push((TreeShape::Node(Box::new(l), Box::new(r)), depth));
                }
            }
        }
        match (stack.pop(), stack.is_empty()) {
            (Some((shape, _)), true) => Ok(shape),
            _ => Err("not exactly one tree".into()),
        }
    }
}

/// Why a round could not be proven or a proof was refused.
#[derive(Debug, thiserror::Error)]
pub enum AggregationError {
    /// The shape is out of bounds (see [`TreeShape::check`]).
    #[error("tree shape refused: {0}")]
    Shape(String),
    /// A child proof is malformed or does not verify natively.
    #[error("child proof: {0}")]
    Child(#[from] ChildError),
    /// Proving, or verification of the final proof, failed.
    #[error(transparent)]
    Circuit(#[from] CircuitError),
    /// A claim has the wrong length.
    #[error("a claim of {0} elements, {PUBLIC_INPUTS_LEN} expected")]
    Claim(usize),
}

impl TreeShape {
    /// Chunks covered.
    #[must_use]
    pub fn chunks(&self) -> usize {
        match self {
            TreeShape::Leaf(bits) => bits.len(),
            TreeShape::Node(l, r) => l.chunks() + r.chunks(),
        }
    }

    /// Levels of nodes above the leaves (0 for a leaf).
    #[must_use]
    pub fn depth(&self) -> usize {
        match self {
            TreeShape::Leaf(_) => 0,
            TreeShape::Node(l, r) => 1 + l.depth().max(r.depth()),
        }
    }

    fn collect<'a>(&'a self, out: &mut HashSet<&'a TreeShape>) {
        out.insert(self);
        if let TreeShape::Node(l, r) = self {
            l.collect(out);
            r.collect(out);
        }
    }

    /// Checks the bounds: at most [`MAX_TREE_DEPTH`] levels (checked first, so the other
    /// walks are bounded), leaves of 1 to [`MAX_LEAF_CHUNKS`] chunks with valid heights, at
    /// most [`MAX_TREE_CHUNKS`] chunks and [`MAX_DISTINCT_CIRCUITS`] distinct subtrees.
    ///
    /// # Errors
    /// [`AggregationError::Shape`] naming the bound.
    pub fn check(&self) -> Result<(), AggregationError> {
        fn depth_within(s: &TreeShape, left: usize) -> bool {
            match s {
                TreeShape::Leaf(_) => true,
                TreeShape::Node(l, r) => {
                    left > 0 && depth_within(l, left - 1) && depth_within(r, left - 1)
                }
            }
        }
        let bad = |m: String| Err(AggregationError::Shape(m));
        if !depth_within(self, MAX_TREE_DEPTH) {
            return bad(format!("deeper than {MAX_TREE_DEPTH} levels"));
        }
        if self.chunks() > MAX_TREE_CHUNKS {
            return bad(format!("more than {MAX_TREE_CHUNKS} chunks"));
        }
        let mut distinct = HashSet::new();
        self.collect(&mut distinct);
        if distinct.len() > MAX_DISTINCT_CIRCUITS {
            return bad(format!(
                "more than {MAX_DISTINCT_CIRCUITS} distinct circuits"
            ));
        }
        for s in distinct {
            if let TreeShape::Leaf(bits) = s {
                if bits.is_empty() || bits.len() > MAX_LEAF_CHUNKS {
                    return bad(format!("a leaf of {} chunks", bits.len()));
                }
                for &b in bits {
                    ChildShape::new(usize::from(b))?;
                }
            }
        }
        Ok(())
    }
}

/// A proof of the leaf or node round.
#[derive(Serialize, Deserialize)]
pub struct RoundProof {
    /// The subtree it covers.
    pub shape: TreeShape,
    /// Its claim: the merged public values of its chunks (chunk layout,
    /// [`PUBLIC_INPUTS_LEN`] elements).
    pub claim: Vec<BabyBear>,
    /// The recursion proof.
    pub proof: CircuitProof,
}

/// The scheduler round's proof: the batch proof.
#[derive(Serialize, Deserialize)]
pub struct SchedulerProof {
    /// The tree under the scheduler.
    pub shape: TreeShape,
    /// The top proof's claim as the prover stated it (chunk layout): for error messages
    /// only; [`verify_scheduler`] verifies against the verifier's own claim.
    pub claim: Vec<BabyBear>,
    /// The recursion proof; its public values are [`scheduler_publics`] of the batch claim.
    pub proof: CircuitProof,
}

/// A built circuit and its key.
pub(crate) struct Built {
    pub(crate) circuit: Circuit,
    pub(crate) key: ChildKey,
}

/// A process-wide cache of built circuits (or what is built from them) by key; emptied
/// whole when it holds [`CACHE_CAPACITY`] entries.
pub(crate) type Cache<K, V = Built> = LazyLock<Mutex<HashMap<K, Arc<V>>>>;
static TREES: Cache<TreeShape> = LazyLock::new(|| Mutex::new(HashMap::new()));
static SCHEDULERS: Cache<(TreeShape, String)> = LazyLock::new(|| Mutex::new(HashMap::new()));

/// The entry of `cache` under `key`, built by `build` when missing.
pub(crate) fn cached_with<K: std::hash::Hash + Eq + Clone, V>(
    cache: &Cache<K, V>,
    key: &K,
    build: impl FnOnce() -> Result<V, AggregationError>,
) -> Result<Arc<V>, AggregationError> {
    if let Some(b) = cache.lock().ok().and_then(|c| c.get(key).cloned()) {
        return Ok(b);
    }
    // Built outside the lock: building recurses into the cache for the children.
    let built = Arc::new(build()?);
    if let Ok(mut c) = cache.lock() {
        if c.len() >= CACHE_CAPACITY {
            c.clear();
        }
        c.insert(key.clone(), Arc::clone(&built));
    }
    Ok(built)
}

fn cached<K: std::hash::Hash + Eq + Clone>(
    cache: &Cache<K>,
    key: &K,
    build: impl FnOnce() -> Result<Circuit, AggregationError>,
) -> Result<Arc<Built>, AggregationError> {
    cached_with(cache, key, || {
        let circuit = build()?;
        let key = ChildKey::of(&circuit)?;
        Ok(Built { circuit, key })
    })
}

/// The circuit (and key) of the round proofs of `shape`.
pub(crate) fn tree_circuit(shape: &TreeShape) -> Result<Arc<Built>, AggregationError> {
    cached(&TREES, shape, || match shape {
        TreeShape::Leaf(bits) => {
            let shapes = bits
                .iter()
                .map(|&b| ChildShape::new(usize::from(b)))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(leaf_circuit::build(&shapes))
        }
        TreeShape::Node(l, r) => Ok(node_circuit::build(
            &tree_circuit(l)?.key,
            &tree_circuit(r)?.key,
        )),
    })
}

/// The scheduler circuit over a top proof of `shape`, for `protocol_version`.
pub(crate) fn scheduler_circuit(
    shape: &TreeShape,
    protocol_version: &str,
) -> Result<Arc<Built>, AggregationError> {
    cached(
        &SCHEDULERS,
        &(shape.clone(), protocol_version.to_owned()),
        || {
            Ok(scheduler_circuit::build(
                &tree_circuit(shape)?.key,
                protocol_version,
            ))
        },
    )
}

/// The leaf proof over consecutive chunk proofs (each with its public values, chunk
/// layout), in order. The circuit checks that they chain.
///
/// # Errors
/// [`AggregationError::Shape`] for no or too many chunks; [`AggregationError::Child`] for
/// a malformed or invalid chunk proof; [`AggregationError::Circuit`] when proving fails
/// (chunks that do not chain).
pub fn prove_leaf(
    chunks: &[(Proof<ChunkStarkConfig>, Vec<BabyBear>)],
) -> Result<RoundProof, AggregationError> {
    let bits = chunks
        .iter()
        .map(|(p, _)| {
            let s = ChildShape::of(p)?;
            Ok(u8::try_from(s.degree_bits).unwrap_or(u8::MAX))
        })
        .collect::<Result<Vec<u8>, ChildError>>()?;
    let shape = TreeShape::Leaf(bits);
    shape.check()?;
    let built = tree_circuit(&shape)?;
    let children: Vec<_> = chunks.iter().map(|(p, c)| (p, c.clone())).collect();
    let hints = leaf_hints(&children)?;
    let publics: Vec<Vec<BabyBear>> = chunks.iter().map(|(_, c)| c.clone()).collect();
    let claim = leaf_claim(&publics);
    let proof = built.circuit.prove(&claim, &hints)?;
    Ok(RoundProof {
        shape,
        claim,
        proof,
    })
}

/// The node proof over two round proofs of adjacent ranges (left then right).
///
/// # Errors
/// [`AggregationError::Shape`] for a tree out of bounds; [`AggregationError::Child`] for
/// a malformed or invalid child; [`AggregationError::Circuit`] when proving fails (claims
/// that do not chain).
pub fn prove_node(left: &RoundProof, right: &RoundProof) -> Result<RoundProof, AggregationError> {
    for c in [left, right] {
        if c.claim.len() != PUBLIC_INPUTS_LEN {
            return Err(AggregationError::Claim(c.claim.len()));
        }
    }
    let shape = TreeShape::Node(Box::new(left.shape.clone()), Box::new(right.shape.clone()));
    shape.check()?;
    let (l, r) = (tree_circuit(&left.shape)?, tree_circuit(&right.shape)?);
    let built = tree_circuit(&shape)?;
    let hints = node_hints(
        &NodeChild {
            key: &l.key,
            proof: &left.proof,
            claim: &left.claim,
        },
        &NodeChild {
            key: &r.key,
            proof: &right.proof,
            claim: &right.claim,
        },
    )?;
    let claim = leaf_claim(&[left.claim.clone(), right.claim.clone()]);
    let proof = built.circuit.prove(&claim, &hints)?;
    Ok(RoundProof {
        shape,
        claim,
        proof,
    })
}

/// The scheduler proof of batch `batch` over the tree's top proof, for
/// `protocol_version`.
///
/// # Errors
/// As [`prove_node`]; proving fails when the top claim does not start the batch (its
/// commitment before is not zero).
pub fn prove_scheduler(
    top: &RoundProof,
    batch: u64,
    protocol_version: &str,
) -> Result<SchedulerProof, AggregationError> {
    if top.claim.len() != PUBLIC_INPUTS_LEN {
        return Err(AggregationError::Claim(top.claim.len()));
    }
    top.shape.check()?;
    let child = tree_circuit(&top.shape)?;
    let built = scheduler_circuit(&top.shape, protocol_version)?;
    let hints = scheduler_hints(&child.key, &top.proof, &top.claim)?;
    let publics = scheduler_publics(batch, &top.claim, protocol_version, child.key.digest());
    let proof = built.circuit.prove(&publics, &hints)?;
    Ok(SchedulerProof {
        shape: top.shape.clone(),
        claim: top.claim.clone(),
        proof,
    })
}

/// Verifies a scheduler proof of batch `batch` whose whole-batch claim is `claim` (chunk
/// layout: roots, commitment before = zero, commitment after, fee recipient) for
/// `protocol_version`. Returns the circuit digest of the tree's top circuit.
///
/// # Errors
/// [`AggregationError::Shape`] for a shape out of bounds; [`AggregationError::Circuit`]
/// when the proof does not verify (another claim, batch, version or tree included).
pub fn verify_scheduler(
    proof: &SchedulerProof,
    batch: u64,
    claim: &[BabyBear],
    protocol_version: &str,
) -> Result<[BabyBear; 8], AggregationError> {
    if claim.len() != PUBLIC_INPUTS_LEN {
        return Err(AggregationError::Claim(claim.len()));
    }
    proof.shape.check()?;
    let digest = tree_circuit(&proof.shape)?.key.digest();
    let built = scheduler_circuit(&proof.shape, protocol_version)?;
    let publics = scheduler_publics(batch, claim, protocol_version, digest);
    built.circuit.verify(&publics, &proof.proof)?;
    Ok(digest)
}

/// The whole aggregation in one process: leaves over `leaf_chunks` consecutive chunk
/// proofs, nodes over the leaves (the left subtree complete, as the pipeline's plan in
/// `sq_prover_dal::plan`), then the scheduler proof of `batch`. For tests, benchmarks
/// and tools; the prover pipeline runs the same steps as jobs.
///
/// # Errors
/// As [`prove_leaf`], [`prove_node`] and [`prove_scheduler`]; [`AggregationError::Shape`]
/// for no chunks or a `leaf_chunks` of 0.
pub fn prove_batch(
    chunks: &[(Proof<ChunkStarkConfig>, Vec<BabyBear>)],
    leaf_chunks: usize,
    batch: u64,
    protocol_version: &str,
) -> Result<SchedulerProof, AggregationError> {
    if chunks.is_empty() || leaf_chunks == 0 {
        return Err(AggregationError::Shape(
            "no chunks, or leaves of 0 chunks".into(),
        ));
    }
    let leaves = chunks
        .chunks(leaf_chunks)
        .map(prove_leaf)
        .collect::<Result<Vec<_>, _>>()?;
    let top = prove_tree(leaves)?;
    prove_scheduler(&top, batch, protocol_version)
}

/// The node tree over `proofs` (non-empty): split where the left part is the largest
/// power of two below the count.
fn prove_tree(mut proofs: Vec<RoundProof>) -> Result<RoundProof, AggregationError> {
    if proofs.len() == 1 {
        return proofs
            .pop()
            .ok_or_else(|| AggregationError::Shape("an empty subtree".into()));
    }
    let right = proofs.split_off(proofs.len().next_power_of_two() / 2);
    prove_node(&prove_tree(proofs)?, &prove_tree(right)?)
}

/// The digest of the circuit whose proofs cover `shape` (the tree's top circuit when
/// `shape` is a scheduler proof's): what the scheduler exposes as its circuit digest.
/// Builds the circuits (cached).
///
/// # Errors
/// [`AggregationError::Shape`] for a shape out of bounds; [`AggregationError::Circuit`].
pub fn circuit_digest(shape: &TreeShape) -> Result<[BabyBear; 8], AggregationError> {
    shape.check()?;
    Ok(tree_circuit(shape)?.key.digest())
}

/// Verifies a leaf or node proof against the claim it carries, with the circuit of its
/// shape (for benchmarks and tools: a round proof is otherwise checked by the round
/// above it).
///
/// # Errors
/// As [`verify_scheduler`].
pub fn verify_round(proof: &RoundProof) -> Result<(), AggregationError> {
    if proof.claim.len() != PUBLIC_INPUTS_LEN {
        return Err(AggregationError::Claim(proof.claim.len()));
    }
    proof.shape.check()?;
    tree_circuit(&proof.shape)?
        .circuit
        .verify(&proof.claim, &proof.proof)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(tokens: &[ShapeToken]) -> Result<TreeShape, String> {
        let bytes = postcard::to_allocvec(tokens).map_err(|e| e.to_string())?;
        postcard::from_bytes::<TreeShape>(&bytes).map_err(|e| e.to_string())
    }

    #[test]
    fn shapes_round_trip_through_their_flat_encoding() {
        let leaf = |n: u8| TreeShape::Leaf(vec![n; usize::from(n % 3) + 1]);
        let shape = TreeShape::Node(
            Box::new(TreeShape::Node(Box::new(leaf(4)), Box::new(leaf(5)))),
            Box::new(leaf(6)),
        );
        let tokens: Vec<ShapeToken> = shape.clone().into();
        assert_eq!(tokens.len(), 5);
        assert_eq!(tokens[0], ShapeToken::Node);
        assert_eq!(decode(&tokens), Ok(shape));
    }

    #[test]
    fn hostile_encodings_are_refused_without_recursion() {
        // A chain far deeper than any stack: refused by its depth while decoding.
        let mut deep = vec![ShapeToken::Node; 8000];
        deep.extend((0..8001).map(|_| ShapeToken::Leaf(vec![4])));
        let mut chain = Vec::new();
        for _ in 0..4000 {
            chain.push(ShapeToken::Node);
            chain.push(ShapeToken::Leaf(vec![4]));
        }
        chain.push(ShapeToken::Leaf(vec![4]));
        for (tokens, why) in [
            (deep, "tokens"),
            (chain, "deeper"),
            (
                vec![ShapeToken::Node, ShapeToken::Leaf(vec![4])],
                "two subtrees",
            ),
            (vec![ShapeToken::Leaf(vec![4]); 2], "exactly one"),
            (Vec::new(), "exactly one"),
        ] {
            assert!(decode(&tokens).is_err(), "{why}: decoded");
            let e = TreeShape::try_from(tokens).expect_err(why);
            assert!(e.contains(why), "{why}: {e}");
        }
    }
}
