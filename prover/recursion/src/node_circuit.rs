//! The node round's circuit: verifies two proofs of the round below (leaf or node
//! circuits, each pinned by its [`ChildKey`]) and merges their claims, as the leaf
//! merges chunks ([`crate::leaf_circuit::merge_claims`]). A tree of nodes over a
//! batch's leaves ends in one proof whose claim is the batch's; its circuit's
//! preprocessed commitment pins every circuit below it.

use p3_baby_bear::BabyBear;
use sq_prover_circuits::witness::PUBLIC_INPUTS_LEN;

use crate::batch_verifier::{hints, verify_circuit_proof, ChildKey};
use crate::child::ChildError;
use crate::circuit::{Builder, Circuit, CircuitProof, Ext, Slot};
use crate::leaf_circuit::merge_claims;

/// The node circuit over a left child of `left`'s circuit and a right child of
/// `right`'s: its public values are the merged claim (chunk layout).
pub fn build(left: &ChildKey, right: &ChildKey) -> Circuit {
    let mut b = Builder::new();
    let claim: Vec<Slot> = (0..PUBLIC_INPUTS_LEN).map(|_| b.public()).collect();
    let mut children = Vec::with_capacity(2);
    for key in [left, right] {
        let publics: Vec<Slot> = (0..PUBLIC_INPUTS_LEN).map(|_| b.hint()).collect();
        verify_circuit_proof(&mut b, key, &publics);
        children.push(publics);
    }
    merge_claims(&mut b, &children, &claim);
    Circuit::new(b.build())
}

/// One child of a node: its circuit's key, its proof and its claim.
pub struct NodeChild<'a> {
    /// The key of the circuit that made the proof.
    pub key: &'a ChildKey,
    /// The proof.
    pub proof: &'a CircuitProof,
    /// Its public values (a claim in the chunk layout).
    pub claim: &'a [BabyBear],
}

/// The hints of a node: per child, its claim then its proof's hints.
///
/// # Errors
/// [`ChildError`] when a child's proof is malformed or does not verify natively.
pub fn node_hints(left: &NodeChild<'_>, right: &NodeChild<'_>) -> Result<Vec<Ext>, ChildError> {
    let mut out = Vec::new();
    for c in [left, right] {
        out.extend(c.claim.iter().map(|&x| Ext::from(x)));
        out.extend(hints(c.key, c.proof, c.claim)?);
    }
    Ok(out)
}
