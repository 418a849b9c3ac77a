//! Checking what a remote node serves before the rollup executes it. Pure: no I/O.
//!
//! A `leaf` event gives the header (its encoding, `leaf_bytes`) and the QC that certifies it.
//! [`check_leaf`] checks that the QC names this leaf; it does **not** check the QC's
//! signatures (that needs the stake table, which this rollup is not given: it trusts its node
//! for the header, as a light client without a stake table must). [`namespace_transactions`]
//! then checks the namespace's bytes against that header with the `sq_da` namespace proof,
//! so a node that changes, drops, adds or reorders a transaction of the rollup's namespace
//! is refused.

use sq_api::{LeafBody, NamespaceBody};
use sq_da::{DaError, NamespaceProof, VidCommon};
use sq_types::codec::{Decode, DecodeError};
use sq_types::{payload, Leaf, NamespaceId};

/// Why a served block is refused. Each tamper class has its own variant.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    /// `leaf_bytes` or `qc_bytes` do not decode.
    #[error("the leaf does not decode: {0}")]
    LeafEncoding(DecodeError),
    /// The QC certifies another leaf, height or view.
    #[error("the QC does not certify this leaf")]
    QcMismatch,
    /// The node answered for another height or namespace, or another payload commitment
    /// than the certified header's.
    #[error("the namespace answer is for {what}, not this block's")]
    WrongBlock {
        /// Which field differs.
        what: &'static str,
    },
    /// The header lists the namespace but no proof came.
    #[error("the header lists the namespace but the answer has no proof")]
    MissingProof,
    /// The header does not list the namespace, yet the answer carries a proof or
    /// transactions.
    #[error("the header does not list the namespace, yet the answer carries data")]
    UnlistedData,
    /// `proof` or `vid_common` do not decode.
    #[error("the proof does not decode: {0}")]
    ProofEncoding(DecodeError),
    /// The proof does not verify against the header's payload commitment.
    #[error("the namespace proof does not verify: {0}")]
    Proof(DaError),
    /// The proven range is not the one the header's namespace table gives.
    #[error("the proven range {got:?} is not the header's {expected:?}")]
    Range {
        /// From the header.
        expected: std::ops::Range<usize>,
        /// From the proof.
        got: std::ops::Range<usize>,
    },
    /// The proven bytes do not split into transactions.
    #[error("the proven namespace bytes are malformed: {0}")]
    Malformed(DecodeError),
    /// The answer's transaction list is not the one the proven bytes hold.
    #[error("the served transactions differ from the proven bytes")]
    TransactionsDiffer,
}

/// The leaf of a `leaf` event, after checking that its QC certifies it.
///
/// # Errors
/// [`Refusal::LeafEncoding`], [`Refusal::QcMismatch`].
pub fn check_leaf(body: &LeafBody) -> Result<Leaf, Refusal> {
    let (leaf, qc) = body.decode().map_err(Refusal::LeafEncoding)?;
    if qc.leaf != leaf.commit() || qc.height != leaf.header.height || qc.view != leaf.header.view {
        return Err(Refusal::QcMismatch);
    }
    Ok(leaf)
}

/// The transaction payloads of `namespace` in the block of `leaf`, from `answer` (the node's
/// `GET /v0/availability/block/{h}/namespace/{ns}`), after checking them against the
/// header: the proof must verify against its payload commitment and cover exactly its
/// namespace-table range, and the served list must be what the proven bytes hold. A namespace
/// the header does not list has no transactions, and the answer must carry none.
///
/// # Errors
/// [`Refusal`], one variant per way the answer can be wrong.
pub fn namespace_transactions(
    leaf: &Leaf,
    namespace: u64,
    answer: &NamespaceBody,
) -> Result<Vec<Vec<u8>>, Refusal> {
    let header = &leaf.header;
    if answer.height != header.height.0 {
        return Err(Refusal::WrongBlock { what: "height" });
    }
    if answer.namespace != namespace {
        return Err(Refusal::WrongBlock { what: "namespace" });
    }
    if answer.payload_commitment != header.payload_commitment {
        return Err(Refusal::WrongBlock {
            what: "payload commitment",
        });
    }
    let ns = NamespaceId(namespace);
    let Some(expected) = header.ns_table.range(ns) else {
        if answer.proof.is_some() || !answer.transactions.is_empty() {
            return Err(Refusal::UnlistedData);
        }
        return Ok(Vec::new());
    };
    let proof_bytes = answer.proof.as_deref().ok_or(Refusal::MissingProof)?;
    let proof = NamespaceProof::decode(proof_bytes).map_err(Refusal::ProofEncoding)?;
    let common = VidCommon::decode(&answer.vid_common).map_err(Refusal::ProofEncoding)?;
    let bytes = proof
        .verify(ns, &common, &header.payload_commitment)
        .map_err(Refusal::Proof)?;
    let got = proof.start as usize..proof.end as usize;
    if got != expected {
        return Err(Refusal::Range { expected, got });
    }
    let transactions: Vec<Vec<u8>> = payload::split_namespace(bytes, ns)
        .map_err(Refusal::Malformed)?
        .into_iter()
        .map(|t| t.payload)
        .collect();
    if transactions != answer.transactions {
        return Err(Refusal::TransactionsDiffer);
    }
    Ok(transactions)
}
