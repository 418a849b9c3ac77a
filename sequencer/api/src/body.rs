//! The JSON bodies of the availability routes. Byte strings and commitments are `0x`-hex
//! strings; integers are JSON numbers (heights, views, namespaces: `u64`; offsets and indices:
//! `u32`; times: Unix milliseconds). Every type also deserializes, so a peer or a client can
//! read what this node serves.

use serde::{Deserialize, Serialize};
use sq_types::codec::{Decode, DecodeError, Encode};
use sq_types::{Commitment, Header, Leaf, QuorumCertificate, Transaction};
use utoipa::ToSchema;

/// One namespace table entry: `namespace` owns the payload bytes up to `end` (exclusive),
/// starting where the previous entry ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NsEntryBody {
    /// The namespace id.
    pub namespace: u64,
    /// Exclusive end offset in the payload, bytes.
    pub end: u32,
}

/// A block header (`GET /v0/availability/header/{height}`, and the first fields of a leaf).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct HeaderBody {
    /// Block height.
    pub height: u64,
    /// View it was proposed in.
    pub view: u64,
    /// The leaf (= header) commitment.
    #[serde(with = "crate::hexstr::commitment")]
    #[schema(value_type = String, pattern = "^0x[0-9a-f]*$")]
    pub hash: Commitment,
    /// The parent leaf commitment.
    #[serde(with = "crate::hexstr::commitment")]
    #[schema(value_type = String, pattern = "^0x[0-9a-f]*$")]
    pub parent: Commitment,
    /// The VID payload commitment (`sq_da::VidCommon::commitment`).
    #[serde(with = "crate::hexstr::commitment")]
    #[schema(value_type = String, pattern = "^0x[0-9a-f]*$")]
    pub payload_commitment: Commitment,
    /// Proposer's clock, Unix milliseconds.
    pub timestamp_ms: u64,
    /// L1 block number the proposer had seen.
    pub l1_head: u64,
    /// The namespace table, ascending by namespace.
    pub ns_table: Vec<NsEntryBody>,
}

impl From<&Header> for HeaderBody {
    fn from(h: &Header) -> HeaderBody {
        HeaderBody {
            height: h.height.0,
            view: h.view.0,
            hash: h.commit(),
            parent: h.parent,
            payload_commitment: h.payload_commitment,
            timestamp_ms: h.timestamp_ms,
            l1_head: h.l1_head,
            ns_table: h
                .ns_table
                .0
                .iter()
                .map(|e| NsEntryBody {
                    namespace: e.namespace.0,
                    end: e.end,
                })
                .collect(),
        }
    }
}

/// The quorum certificate that decided a leaf, in readable form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct QcBody {
    /// The certified leaf's view.
    pub view: u64,
    /// The certified leaf's height.
    pub height: u64,
    /// The certified leaf's commitment.
    #[serde(with = "crate::hexstr::commitment")]
    #[schema(value_type = String, pattern = "^0x[0-9a-f]*$")]
    pub leaf: Commitment,
    /// The signer bitmap's packed bytes (bit `i` = node `i`, least significant bit first).
    #[serde(with = "crate::hexstr::bytes")]
    #[schema(value_type = String, pattern = "^0x[0-9a-f]*$")]
    pub signers: Vec<u8>,
    /// The 96-byte aggregate signature.
    #[serde(with = "crate::hexstr::bytes")]
    #[schema(value_type = String, pattern = "^0x[0-9a-f]*$")]
    pub signature: Vec<u8>,
}

impl From<&QuorumCertificate> for QcBody {
    fn from(qc: &QuorumCertificate) -> QcBody {
        QcBody {
            view: qc.view.0,
            height: qc.height.0,
            leaf: qc.leaf,
            signers: qc.signers.as_bytes().to_vec(),
            signature: qc.signature.0.to_vec(),
        }
    }
}

/// A decided leaf with its certificate (`GET /v0/availability/leaf/{height}`, `…/leaves`, and
/// the `leaf` events of the stream): the header fields, flattened, then `qc`, `leaf_bytes` and
/// `qc_bytes`. The JSON fields are a readable view; a peer verifies [`LeafBody::decode`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LeafBody {
    /// The header.
    #[serde(flatten)]
    pub header: HeaderBody,
    /// The QC that certifies this leaf.
    pub qc: QcBody,
    /// `sq_types` encoding of the [`Leaf`] (header and justify QC).
    #[serde(with = "crate::hexstr::bytes")]
    #[schema(value_type = String, pattern = "^0x[0-9a-f]*$")]
    pub leaf_bytes: Vec<u8>,
    /// `sq_types` encoding of the certifying [`QuorumCertificate`].
    #[serde(with = "crate::hexstr::bytes")]
    #[schema(value_type = String, pattern = "^0x[0-9a-f]*$")]
    pub qc_bytes: Vec<u8>,
}

impl LeafBody {
    /// The body for a stored leaf and its QC.
    #[must_use]
    pub fn new(leaf: &Leaf, qc: &QuorumCertificate) -> LeafBody {
        LeafBody {
            header: HeaderBody::from(&leaf.header),
            qc: QcBody::from(qc),
            leaf_bytes: leaf.encode(),
            qc_bytes: qc.encode(),
        }
    }

    /// Decodes `leaf_bytes` and `qc_bytes`: exactly what was certified. Checking the QC's
    /// signatures and that it certifies the leaf is the caller's job.
    ///
    /// # Errors
    /// [`DecodeError`] if either encoding is malformed.
    pub fn decode(&self) -> Result<(Leaf, QuorumCertificate), DecodeError> {
        Ok((
            Leaf::decode(&self.leaf_bytes)?,
            QuorumCertificate::decode(&self.qc_bytes)?,
        ))
    }
}

/// A block payload (`GET /v0/availability/payload/{height}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PayloadBody {
    /// Block height.
    pub height: u64,
    /// The payload bytes (layout: `sq_types::payload`).
    #[serde(with = "crate::hexstr::bytes")]
    #[schema(value_type = String, pattern = "^0x[0-9a-f]*$")]
    pub payload: Vec<u8>,
    /// The header's payload commitment.
    #[serde(with = "crate::hexstr::commitment")]
    #[schema(value_type = String, pattern = "^0x[0-9a-f]*$")]
    pub payload_commitment: Commitment,
}

/// One transaction inside a [`BlockBody`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BlockTransactionBody {
    /// Position in the block (payload order: namespace by namespace).
    pub index: u32,
    /// The namespace.
    pub namespace: u64,
    /// [`Transaction::commit`].
    #[serde(with = "crate::hexstr::commitment")]
    #[schema(value_type = String, pattern = "^0x[0-9a-f]*$")]
    pub hash: Commitment,
    /// The transaction payload.
    #[serde(with = "crate::hexstr::bytes")]
    #[schema(value_type = String, pattern = "^0x[0-9a-f]*$")]
    pub payload: Vec<u8>,
}

impl BlockTransactionBody {
    pub(crate) fn new(index: u32, tx: &Transaction) -> BlockTransactionBody {
        BlockTransactionBody {
            index,
            namespace: tx.namespace.0,
            hash: tx.commit(),
            payload: tx.payload.clone(),
        }
    }
}

/// A whole block (`GET /v0/availability/block/{height}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BlockBody {
    /// The header.
    pub header: HeaderBody,
    /// The payload bytes.
    #[serde(with = "crate::hexstr::bytes")]
    #[schema(value_type = String, pattern = "^0x[0-9a-f]*$")]
    pub payload: Vec<u8>,
    /// The payload's transactions, in order.
    pub transactions: Vec<BlockTransactionBody>,
}

/// One decided transaction (`GET /v0/availability/transaction/…`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TransactionBody {
    /// Height of the block holding it (its first occurrence, for a repeated transaction).
    pub height: u64,
    /// Its index in that block.
    pub index: u32,
    /// [`Transaction::commit`].
    #[serde(with = "crate::hexstr::commitment")]
    #[schema(value_type = String, pattern = "^0x[0-9a-f]*$")]
    pub hash: Commitment,
    /// The namespace.
    pub namespace: u64,
    /// The transaction payload.
    #[serde(with = "crate::hexstr::bytes")]
    #[schema(value_type = String, pattern = "^0x[0-9a-f]*$")]
    pub payload: Vec<u8>,
}

impl TransactionBody {
    pub(crate) fn new(height: u64, index: u32, tx: &Transaction) -> TransactionBody {
        TransactionBody {
            height,
            index,
            hash: tx.commit(),
            namespace: tx.namespace.0,
            payload: tx.payload.clone(),
        }
    }
}

/// One namespace of a block with its proof
/// (`GET /v0/availability/block/{height}/namespace/{ns}`).
///
/// To check it: decode `vid_common` as `sq_da::VidCommon` and `proof` as
/// `sq_da::NamespaceProof`, then `proof.verify(namespace, &common, &payload_commitment)` where
/// `payload_commitment` comes from a header the client trusts (a QC-certified leaf). When the
/// namespace is absent from the header's table, `proof` is `null` and `transactions` empty: the
/// certified `ns_table` is the evidence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NamespaceBody {
    /// Block height.
    pub height: u64,
    /// The namespace asked for.
    pub namespace: u64,
    /// The namespace's transaction payloads, in order.
    #[serde(with = "crate::hexstr::bytes_list")]
    #[schema(value_type = Vec<String>)]
    pub transactions: Vec<Vec<u8>>,
    /// `sq_da::NamespaceProof` encoding, or `null` for an absent namespace.
    #[serde(with = "crate::hexstr::opt_bytes")]
    #[schema(value_type = Option<String>, pattern = "^0x[0-9a-f]*$", required = true)]
    pub proof: Option<Vec<u8>>,
    /// `sq_da::VidCommon` encoding (80 bytes).
    #[serde(with = "crate::hexstr::bytes")]
    #[schema(value_type = String, pattern = "^0x[0-9a-f]*$")]
    pub vid_common: Vec<u8>,
    /// The header's payload commitment.
    #[serde(with = "crate::hexstr::commitment")]
    #[schema(value_type = String, pattern = "^0x[0-9a-f]*$")]
    pub payload_commitment: Commitment,
}

/// This node's VID share of a block (`GET /v0/availability/vid/share/{height}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct VidShareBody {
    /// Block height.
    pub height: u64,
    /// `sq_da::VidCommon` encoding.
    #[serde(with = "crate::hexstr::bytes")]
    #[schema(value_type = String, pattern = "^0x[0-9a-f]*$")]
    pub common: Vec<u8>,
    /// `sq_da::VidShare` encoding (this node's share, with its Merkle proof).
    #[serde(with = "crate::hexstr::bytes")]
    #[schema(value_type = String, pattern = "^0x[0-9a-f]*$")]
    pub share: Vec<u8>,
}
