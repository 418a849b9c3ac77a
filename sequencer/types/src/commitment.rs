//! 32-byte keccak-256 commitments.

use sha3::{Digest, Keccak256};
use std::fmt;

/// A keccak-256 digest (32 bytes) that commits to a canonical encoding.
///
/// The all-zero value is used as the parent of genesis.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Commitment(pub [u8; 32]);

impl Commitment {
    /// The all-zero commitment (parent of the genesis header).
    pub const ZERO: Commitment = Commitment([0; 32]);

    /// keccak-256 of the concatenation of `parts`, which is what Solidity's
    /// `keccak256(abi.encodePacked(...))` computes for fixed-size values and `bytes`.
    #[must_use]
    pub fn keccak(parts: &[&[u8]]) -> Commitment {
        let mut hasher = Keccak256::new();
        for part in parts {
            hasher.update(part);
        }
        Commitment(hasher.finalize().into())
    }

    /// The raw 32 bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Debug for Commitment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x{}", hex::encode(&self.0[..6]))
    }
}

impl fmt::Display for Commitment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x{}", hex::encode(self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keccak_of_empty_input_matches_known_vector() {
        // keccak256("") from the Ethereum yellow paper.
        assert_eq!(
            Commitment::keccak(&[]).to_string(),
            "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
        );
    }

    #[test]
    fn keccak_of_parts_equals_keccak_of_concatenation() {
        assert_eq!(
            Commitment::keccak(&[b"ab", b"c"]),
            Commitment::keccak(&[b"abc"])
        );
        assert_ne!(Commitment::keccak(&[b"ab"]), Commitment::keccak(&[b"abc"]));
    }
}
