//! Namespace commitments and proofs: a rollup fetches only its namespace's bytes of a block and
//! checks them against the header's payload commitment.
//!
//! # Layout (all integers big-endian)
//!
//! Entry `j` of the `NsTable` covers `payload[start_j..end_j]`, `start_j` being the previous
//! entry's `end` (0 for the first entry).
//!
//! ```text
//! ns leaf j = keccak256(0x02 ‖ namespace u64 ‖ start_j u32 ‖ end_j u32 ‖ keccak256(payload[start_j..end_j]))
//! ns_root   = keccak256("sq-da/ns/empty")                                      for an empty table
//!           = keccak256("sq-da/ns/v1" ‖ count u32 ‖ root of the crate::merkle tree over the leaves)
//! ```
//!
//! Deviation from a bare Merkle root: the entry count is hashed into `ns_root` so that a proof's
//! `entry_count`, which fixes the shape of the Merkle path, is itself committed.
//!
//! # What a namespace proof does and does not show
//!
//! [`NamespaceProof::verify`] shows that the bytes are the ones the leader committed to for that
//! namespace in `ns_root`, and that `ns_root` is part of the payload commitment. It does **not**
//! show that `ns_root` agrees with the erasure-coded payload behind `vid_root`: DA voters hold
//! only their own share and cannot check it. That agreement is checked by anyone who recovers
//! the payload ([`crate::recover()`] returns [`DaError::InconsistentDispersal`] otherwise), so a
//! rollup that needs it must recover the block or trust that some honest node did. HotShot's
//! ADVZ scheme avoids this with polynomial commitments, where every share is checked against the
//! payload itself.
//!
//! Absence of a namespace is not proven here: the header's `NsTable` (certified by the QC over
//! the header) lists the namespaces present; [`namespace_proof`] returns `None` for the others.

use sq_types::codec::{limits, put_len, put_var_bytes, Decode, DecodeError, Encode, Reader};
use sq_types::{Commitment, NamespaceId, NsTable};

use crate::merkle::{keccak, Hash, MerkleProof, MerkleTree, MAX_PROOF_DEPTH};
use crate::{DaError, VidCommon};

/// `keccak256(0x02 ‖ namespace ‖ start ‖ end ‖ bytes_hash)` (49-byte pre-image).
#[must_use]
pub fn ns_leaf(namespace: NamespaceId, start: u32, end: u32, bytes_hash: &Hash) -> Hash {
    keccak(&[
        &[0x02],
        &namespace.0.to_be_bytes(),
        &start.to_be_bytes(),
        &end.to_be_bytes(),
        bytes_hash,
    ])
}

/// Validates the table against the payload, then returns the leaves in table order, each with
/// its `(start, end)`.
fn leaves(payload: &[u8], ns_table: &NsTable) -> Result<Vec<(u32, u32, Hash)>, DaError> {
    ns_table
        .validate(payload.len())
        .map_err(DaError::InvalidNsTable)?;
    let mut start = 0u32;
    let mut out = Vec::with_capacity(ns_table.0.len());
    for e in &ns_table.0 {
        // In range: validate() checked monotone ends and the last end == payload.len().
        let bytes = payload
            .get(start as usize..e.end as usize)
            .unwrap_or_default();
        out.push((
            start,
            e.end,
            ns_leaf(e.namespace, start, e.end, &keccak(&[bytes])),
        ));
        start = e.end;
    }
    Ok(out)
}

fn wrap_root(count: u32, tree_root: &Hash) -> Hash {
    keccak(&[b"sq-da/ns/v1", &count.to_be_bytes(), tree_root])
}

fn tree(leaves: &[(u32, u32, Hash)]) -> Option<MerkleTree> {
    MerkleTree::new(leaves.iter().map(|l| l.2).collect())
}

/// The namespace root of `payload` under `ns_table` (layout in the module docs). Hashes the
/// whole payload once.
///
/// # Errors
/// [`DaError::InvalidNsTable`] when the table does not cover exactly `payload`.
pub fn ns_root(payload: &[u8], ns_table: &NsTable) -> Result<Hash, DaError> {
    let leaves = leaves(payload, ns_table)?;
    Ok(match tree(&leaves) {
        None => keccak(&[b"sq-da/ns/empty"]),
        Some(t) => wrap_root(leaves.len() as u32, &t.root()),
    })
}

/// One namespace's bytes with the path from its table entry to `ns_root`.
///
/// Encoding: `namespace u64 ‖ entry_index u32 ‖ entry_count u32 ‖ start u32 ‖ end u32 ‖
/// len u32 ‖ bytes [len] ‖ sibling count u32 ‖ siblings [32 each]`, with `len ≤`
/// `sq_types::codec::limits::MAX_PAYLOAD_BYTES`, `entry_count ≤` `MAX_NAMESPACES`, at most
/// [`MAX_PROOF_DEPTH`] siblings.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct NamespaceProof {
    /// The namespace whose bytes these are.
    pub namespace: NamespaceId,
    /// Position of its entry in the table.
    pub entry_index: u32,
    /// Number of table entries (committed in `ns_root`).
    pub entry_count: u32,
    /// Start offset of the bytes in the payload.
    pub start: u32,
    /// Exclusive end offset of the bytes in the payload.
    pub end: u32,
    /// `payload[start..end]`.
    pub bytes: Vec<u8>,
    /// Merkle siblings from the entry's leaf up to the tree root.
    pub siblings: Vec<Hash>,
}

/// The proof for `namespace`, or `None` when the table has no entry for it. Hashes the whole
/// payload (to rebuild the tree).
///
/// # Errors
/// [`DaError::InvalidNsTable`] when the table does not cover exactly `payload`.
pub fn namespace_proof(
    payload: &[u8],
    ns_table: &NsTable,
    namespace: NamespaceId,
) -> Result<Option<NamespaceProof>, DaError> {
    let leaves = leaves(payload, ns_table)?;
    let Some(j) = ns_table.0.iter().position(|e| e.namespace == namespace) else {
        return Ok(None);
    };
    let (Some(tree), Some(&(start, end, _))) = (tree(&leaves), leaves.get(j)) else {
        return Ok(None);
    };
    let entry_index = j as u32;
    Ok(tree.proof(entry_index).map(|p| NamespaceProof {
        namespace,
        entry_index,
        entry_count: leaves.len() as u32,
        start,
        end,
        bytes: payload
            .get(start as usize..end as usize)
            .unwrap_or_default()
            .to_vec(),
        siblings: p.siblings,
    }))
}

impl NamespaceProof {
    /// Checks that these are `namespace`'s bytes in the payload committed to by `commitment`,
    /// and returns them. `common` is the 80-byte [`VidCommon`] any DA node serves; it is itself
    /// checked against `commitment`. See the module docs for what this does not prove.
    ///
    /// # Errors
    /// [`DaError::WrongNamespace`]; [`DaError::InvalidCommon`] or
    /// [`DaError::CommitmentMismatch`] for a bad `common`; [`DaError::BadNamespaceProof`] when
    /// the range is outside the payload, the byte count differs from the range, or the path does
    /// not lead to `common.ns_root` (any changed byte, range or sibling).
    pub fn verify(
        &self,
        namespace: NamespaceId,
        common: &VidCommon,
        commitment: &Commitment,
    ) -> Result<&[u8], DaError> {
        if self.namespace != namespace {
            return Err(DaError::WrongNamespace {
                expected: namespace,
                got: self.namespace,
            });
        }
        common.check(commitment)?;
        let bad = |reason| DaError::BadNamespaceProof { namespace, reason };
        if self.start > self.end || u64::from(self.end) > common.payload_len {
            return Err(bad("range outside the payload"));
        }
        if self.bytes.len() != (self.end - self.start) as usize {
            return Err(bad("byte count differs from the range"));
        }
        let leaf = ns_leaf(namespace, self.start, self.end, &keccak(&[&self.bytes]));
        let path = MerkleProof {
            index: self.entry_index,
            siblings: self.siblings.clone(),
        };
        let root = path
            .compute_root(&leaf, self.entry_count)
            .ok_or_else(|| bad("malformed Merkle path"))?;
        if wrap_root(self.entry_count, &root) != common.ns_root {
            return Err(bad("does not match the committed namespace root"));
        }
        Ok(&self.bytes)
    }
}

impl Encode for NamespaceProof {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.namespace.0.to_be_bytes());
        for v in [self.entry_index, self.entry_count, self.start, self.end] {
            out.extend_from_slice(&v.to_be_bytes());
        }
        put_var_bytes(out, &self.bytes);
        put_len(out, self.siblings.len());
        for s in &self.siblings {
            out.extend_from_slice(s);
        }
    }
}

impl Decode for NamespaceProof {
    fn decode_from(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let namespace = NamespaceId(r.u64()?);
        let entry_index = r.u32()?;
        let entry_count = r.u32()?;
        if entry_count as usize > limits::MAX_NAMESPACES {
            return Err(DecodeError::TooLong {
                what: "namespace table",
                len: entry_count as usize,
                max: limits::MAX_NAMESPACES,
            });
        }
        let (start, end) = (r.u32()?, r.u32()?);
        let bytes = r.var_bytes("namespace bytes", limits::MAX_PAYLOAD_BYTES)?;
        let count = r.len_prefix("namespace proof", MAX_PROOF_DEPTH)?;
        let siblings = (0..count).map(|_| r.array()).collect::<Result<_, _>>()?;
        Ok(NamespaceProof {
            namespace,
            entry_index,
            entry_count,
            start,
            end,
            bytes,
            siblings,
        })
    }
}
