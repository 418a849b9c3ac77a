//! The byte form of a [`BatchProof`]: the 4-byte magic [`MAGIC`] (`SQB3`: one scheduler
//! or compressed proof; `SQB2`, the scheduler proof alone, and `SQBP`, the earlier list of
//! chunk proofs, are no longer accepted), then the postcard encoding of the proof
//! (postcard for the reasons given in `sq_prover_circuits::stark`).

use crate::BatchProof;

/// The first four bytes of every encoded batch proof.
pub const MAGIC: [u8; 4] = *b"SQB3";

/// Largest encoded batch proof accepted, in bytes (256 MiB).
pub const MAX_BATCH_PROOF_BYTES: usize = 256 << 20;

/// Why bytes are not a batch proof.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    /// Larger than [`MAX_BATCH_PROOF_BYTES`].
    #[error("batch proof of {len} bytes exceeds the {max}-byte limit")]
    TooLarge {
        /// The length given.
        len: usize,
        /// [`MAX_BATCH_PROOF_BYTES`].
        max: usize,
    },
    /// Does not start with [`MAGIC`] (not a batch proof at all).
    #[error("not a batch proof: missing the SQB3 magic")]
    BadMagic,
    /// The input ends before the proof does.
    #[error("batch proof truncated: the input ends before the proof does")]
    Truncated,
    /// The bytes do not decode.
    #[error("malformed batch proof: {0}")]
    Malformed(String),
    /// Bytes follow a complete proof.
    #[error("{0} unexpected bytes after the batch proof")]
    TrailingBytes(usize),
    /// Encoding failed.
    #[error("encoding the batch proof: {0}")]
    Encode(String),
}

impl BatchProof {
    /// Encodes the proof: [`MAGIC`] then postcard.
    ///
    /// # Errors
    /// [`CodecError::Encode`]; [`CodecError::TooLarge`] when the result exceeds the cap.
    pub fn to_bytes(&self) -> Result<Vec<u8>, CodecError> {
        let mut out = MAGIC.to_vec();
        let body = postcard::to_allocvec(self).map_err(|e| CodecError::Encode(e.to_string()))?;
        out.extend_from_slice(&body);
        if out.len() > MAX_BATCH_PROOF_BYTES {
            return Err(CodecError::TooLarge {
                len: out.len(),
                max: MAX_BATCH_PROOF_BYTES,
            });
        }
        Ok(out)
    }

    /// Decodes [`BatchProof::to_bytes`]. The chunk proofs inside are not verified here.
    ///
    /// # Errors
    /// [`CodecError::TooLarge`], [`CodecError::BadMagic`], [`CodecError::Truncated`],
    /// [`CodecError::Malformed`], [`CodecError::TrailingBytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<BatchProof, CodecError> {
        if bytes.len() > MAX_BATCH_PROOF_BYTES {
            return Err(CodecError::TooLarge {
                len: bytes.len(),
                max: MAX_BATCH_PROOF_BYTES,
            });
        }
        let body = match bytes.strip_prefix(&MAGIC) {
            Some(body) => body,
            None if MAGIC.starts_with(bytes) => return Err(CodecError::Truncated),
            None => return Err(CodecError::BadMagic),
        };
        match postcard::take_from_bytes::<BatchProof>(body) {
            Ok((proof, [])) => Ok(proof),
            Ok((_, rest)) => Err(CodecError::TrailingBytes(rest.len())),
            Err(postcard::Error::DeserializeUnexpectedEnd) => Err(CodecError::Truncated),
            Err(e) => Err(CodecError::Malformed(e.to_string())),
        }
    }
}
