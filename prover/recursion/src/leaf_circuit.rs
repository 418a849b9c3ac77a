//! The leaf round's circuit: verifies consecutive chunk proofs of one batch and merges
//! their claims.
//!
//! Each child is verified in full ([`crate::chunk_circuit::verify_chunk`]) over its own
//! public values (hints here, bound to the child by its transcript). Then:
//! - **chaining**: child `i`'s root after and commitment after equal child `i + 1`'s
//!   root before and commitment before, and every child names the same fee recipient;
//! - **claim**: the leaf's public values, in the chunk layout
//!   ([`sq_prover_circuits::witness::PublicInputs::to_fields`]: root before, root after,
//!   commitment before, commitment after, fee recipient), are the first child's befores,
//!   the last child's afters and the common fee recipient.
//!
//! So a leaf proof is a proof of the range the children cover, and the next round can
//! merge leaf claims the same way.

use p3_baby_bear::BabyBear;
use p3_uni_stark::Proof;
use sq_prover_circuits::stark::ChunkStarkConfig;
use sq_prover_circuits::witness::PUBLIC_INPUTS_LEN;

use crate::child::ChildError;
use crate::chunk_circuit::{hints, verify_chunk, ChildShape};
use crate::circuit::{Builder, Circuit, Ext, Slot};

/// Offsets in the chunk public-value layout.
const ROOT_BEFORE: usize = 0;
const ROOT_AFTER: usize = 8;
const COMMITMENT_BEFORE: usize = 16;
const COMMITMENT_AFTER: usize = 24;
const FEE_RECIPIENT: usize = 32;

/// The leaf circuit for children of these shapes, in order.
///
/// # Panics
/// When `shapes` is empty.
pub fn build(shapes: &[ChildShape]) -> Circuit {
    assert!(!shapes.is_empty(), "a leaf verifies at least one chunk");
    let mut b = Builder::new();
    let claim: Vec<Slot> = (0..PUBLIC_INPUTS_LEN).map(|_| b.public()).collect();
    let mut children: Vec<Vec<Slot>> = Vec::with_capacity(shapes.len());
    for &shape in shapes {
        let publics: Vec<Slot> = (0..PUBLIC_INPUTS_LEN).map(|_| b.hint()).collect();
        let _challenges = verify_chunk(&mut b, shape, publics.clone());
        children.push(publics);
    }
    merge_claims(&mut b, &children, &claim);
    Circuit::new(b.build())
}

/// Whether element `k` of a merged claim comes from the last child (the afters) rather
/// than the first (the befores and the fee recipient).
const fn from_last(k: usize) -> bool {
    matches!(k, ROOT_AFTER..COMMITMENT_BEFORE | COMMITMENT_AFTER..FEE_RECIPIENT)
}

/// Constrains `children`'s claims (chunk layout, in order) to chain — each one's root
/// after and commitment after are the next one's befores, one fee recipient — and
/// `claim` to be their merge: the first's befores, the last's afters, the fee
/// recipient. The node rounds merge their children's claims with the same code.
///
/// # Panics
/// When `children` is empty.
pub fn merge_claims(b: &mut Builder, children: &[Vec<Slot>], claim: &[Slot]) {
    b.check("chaining");
    for pair in children.windows(2) {
        let (prev, next) = (&pair[0], &pair[1]);
        for k in 0..8 {
            b.assert_eq(prev[ROOT_AFTER + k], next[ROOT_BEFORE + k]);
            b.assert_eq(prev[COMMITMENT_AFTER + k], next[COMMITMENT_BEFORE + k]);
        }
        for k in FEE_RECIPIENT..PUBLIC_INPUTS_LEN {
            b.assert_eq(prev[k], next[k]);
        }
    }
    b.check("merged claim");
    let (first, last) = (&children[0], &children[children.len() - 1]);
    for k in 0..PUBLIC_INPUTS_LEN {
        let source = if from_last(k) { last[k] } else { first[k] };
        b.assert_eq(claim[k], source);
    }
}

/// The hints of a leaf: per child, its public values then its proof's hints.
///
/// # Errors
/// [`ChildError`] when a child's proof is malformed or does not verify natively.
pub fn leaf_hints(
    children: &[(&Proof<ChunkStarkConfig>, Vec<BabyBear>)],
) -> Result<Vec<Ext>, ChildError> {
    let mut out = Vec::new();
    for (proof, publics) in children {
        out.extend(publics.iter().map(|&x| Ext::from(x)));
        out.extend(hints(proof, publics)?);
    }
    Ok(out)
}

/// The claim a leaf over children with these public values proves (the merge above;
/// unchecked here: the circuit checks it).
///
/// # Panics
/// When `children` is empty.
pub fn leaf_claim(children: &[Vec<BabyBear>]) -> Vec<BabyBear> {
    let (first, last) = (&children[0], &children[children.len() - 1]);
    (0..PUBLIC_INPUTS_LEN)
        .map(|k| if from_last(k) { last[k] } else { first[k] })
        .collect()
}
