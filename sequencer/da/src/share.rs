//! The two things a DA node receives from the leader: the [`VidCommon`] data (identical for all
//! nodes) and its own [`VidShare`]; their canonical codecs and their verification.
//!
//! # Encodings (all integers big-endian)
//!
//! ```text
//! VidCommon = n u32 ‖ payload_len u64 ‖ shard_bytes u32 ‖ vid_root [32] ‖ ns_root [32]   -- 80 bytes
//! VidShare  = index u32 ‖ len u32 ‖ data [len] ‖ MerkleProof                   -- 16 + len + 32·depth
//! MerkleProof = index u32 ‖ count u32 ‖ count × sibling [32]                   (crate::merkle)
//! ```
//!
//! Decoders are bounded and canonical: `n` must be in `1..=MAX_VID_NODES`, `payload_len` at
//! most [`crate::MAX_DISPERSAL_BYTES`], `shard_bytes` exactly the value that follows from `n`
//! and `payload_len`, share data at most [`MAX_SHARE_BYTES`], proofs at most
//! [`crate::merkle::MAX_PROOF_DEPTH`] siblings. A share's index and its proof's index are both
//! encoded so that decoding is the exact inverse of encoding; [`VidShare::verify`] rejects a
//! share whose two indices differ.

use sq_types::codec::{limits, put_var_bytes, Decode, DecodeError, Encode, Reader};
use sq_types::{Commitment, NodeIndex};

use crate::merkle::{Hash, MerkleProof};
use crate::vid::{payload_commitment, vid_leaf, VidParams, MAX_DISPERSAL_BYTES};
use crate::DaError;

/// Largest share a decoder accepts, in bytes: the whole framed payload of a
/// `sq_types::codec::limits::MAX_PAYLOAD_BYTES` block at `k = 1`, plus the 8-byte length prefix
/// and padding. Shares of bigger (benchmark-only) payloads disperse and recover in memory but
/// do not decode from the wire.
pub const MAX_SHARE_BYTES: usize = limits::MAX_PAYLOAD_BYTES + 16;

/// The dispersal-wide data a share is verified against. Every node gets the same value; it is
/// bound to the header by [`VidCommon::commitment`] `==` `Header::payload_commitment`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct VidCommon {
    /// Number of shares (nodes).
    pub n: u32,
    /// Payload length, in bytes.
    pub payload_len: u64,
    /// Length of every share, in bytes (`VidParams::shard_bytes(payload_len)`).
    pub shard_bytes: u32,
    /// Merkle root over the `n` VID leaves.
    pub vid_root: Hash,
    /// Root over the namespace table entries ([`crate::namespace::ns_root`]).
    pub ns_root: Hash,
}

impl VidCommon {
    /// The payload commitment these fields imply (pre-image in [`crate::vid`]).
    #[must_use]
    pub fn commitment(&self) -> Commitment {
        payload_commitment(self.n, self.payload_len, &self.vid_root, &self.ns_root)
    }

    /// Checks the fields are mutually consistent (see the module docs) and returns the
    /// parameters they imply.
    ///
    /// # Errors
    /// [`DaError::InvalidCommon`] naming the broken rule.
    pub fn params(&self) -> Result<VidParams, DaError> {
        let params = VidParams::new(self.n).map_err(|_| DaError::InvalidCommon {
            reason: "n out of range",
        })?;
        if self.payload_len > MAX_DISPERSAL_BYTES {
            return Err(DaError::InvalidCommon {
                reason: "payload length above the dispersal limit",
            });
        }
        if u64::from(self.shard_bytes) != params.shard_bytes(self.payload_len) {
            return Err(DaError::InvalidCommon {
                reason: "shard size does not follow from n and the payload length",
            });
        }
        Ok(params)
    }

    /// [`VidCommon::params`], then checks that `self` hashes to `commitment`.
    ///
    /// # Errors
    /// [`DaError::InvalidCommon`] or [`DaError::CommitmentMismatch`].
    pub fn check(&self, commitment: &Commitment) -> Result<VidParams, DaError> {
        let params = self.params()?;
        if self.commitment() != *commitment {
            return Err(DaError::CommitmentMismatch);
        }
        Ok(params)
    }
}

/// Node `index`'s share: `shard_bytes` bytes of erasure-coded payload and the Merkle path from
/// its leaf to `vid_root`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct VidShare {
    /// Which share this is; share `i` belongs to node `i` of the stake table.
    pub index: NodeIndex,
    /// The share bytes (an original shard for `index < k`, a recovery shard otherwise).
    pub data: Vec<u8>,
    /// Path from `vid_leaf(index, data)` to `vid_root`.
    pub proof: MerkleProof,
}

impl VidShare {
    /// Checks `common` against `commitment`, then this share against `common`. A node stores
    /// its share, and only then votes, after this returns `Ok`.
    ///
    /// # Errors
    /// From [`VidCommon::check`], then [`DaError::ShareIndexOutOfRange`],
    /// [`DaError::ProofIndexMismatch`], [`DaError::ShareSizeMismatch`] or
    /// [`DaError::BadMerkleProof`].
    pub fn verify(&self, common: &VidCommon, commitment: &Commitment) -> Result<(), DaError> {
        common.check(commitment)?;
        self.verify_against(common)
    }

    /// The share checks of [`VidShare::verify`], for a `common` already checked.
    pub(crate) fn verify_against(&self, common: &VidCommon) -> Result<(), DaError> {
        let index = self.index;
        if index.0 >= common.n {
            return Err(DaError::ShareIndexOutOfRange { index, n: common.n });
        }
        if self.proof.index != index.0 {
            return Err(DaError::ProofIndexMismatch {
                share: index,
                proof: self.proof.index,
            });
        }
        if self.data.len() != common.shard_bytes as usize {
            return Err(DaError::ShareSizeMismatch {
                index,
                expected: common.shard_bytes as usize,
                got: self.data.len(),
            });
        }
        let leaf = vid_leaf(index.0, &self.data);
        if !self.proof.verify(&leaf, common.n, &common.vid_root) {
            return Err(DaError::BadMerkleProof { index });
        }
        Ok(())
    }
}

impl Encode for VidCommon {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.n.to_be_bytes());
        out.extend_from_slice(&self.payload_len.to_be_bytes());
        out.extend_from_slice(&self.shard_bytes.to_be_bytes());
        out.extend_from_slice(&self.vid_root);
        out.extend_from_slice(&self.ns_root);
    }
}

impl Decode for VidCommon {
    fn decode_from(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let common = VidCommon {
            n: r.u32()?,
            payload_len: r.u64()?,
            shard_bytes: r.u32()?,
            vid_root: r.array()?,
            ns_root: r.array()?,
        };
        common.params().map_err(|e| DecodeError::Invalid {
            what: "VID common data",
            reason: e.to_string(),
        })?;
        Ok(common)
    }
}

impl Encode for VidShare {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.index.0.to_be_bytes());
        put_var_bytes(out, &self.data);
        self.proof.encode_to(out);
    }
}

impl Decode for VidShare {
    fn decode_from(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(VidShare {
            index: NodeIndex(r.u32()?),
            data: r.var_bytes("VID share", MAX_SHARE_BYTES)?,
            proof: MerkleProof::decode_from(r)?,
        })
    }
}
