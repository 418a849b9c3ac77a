//! Poseidon2 over BabyBear, width 16: the one hash of the state tree, the transfer
//! commitment and (through Plonky3's config) the proof system.
//!
//! Permutation: Plonky3's `default_babybear_poseidon2_16` (x^7 S-box, 8 external and 13
//! internal rounds, Grain-LFSR constants; Poseidon2 paper, ePrint 2023/323, §3).
//! Compression of two digests: the permutation of `left ‖ right` truncated to its first 8
//! elements (Plonky3's `TruncatedPermutation`), which is how Plonky3 hashes Merkle nodes.

use std::sync::OnceLock;

use p3_baby_bear::{default_babybear_poseidon2_16, BabyBear, Poseidon2BabyBear};
use p3_field::{PrimeCharacteristicRing, PrimeField32};
use p3_symmetric::Permutation;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The field: BabyBear, p = 2^31 − 2^27 + 1.
pub type F = BabyBear;

/// The permutation width in field elements.
pub const WIDTH: usize = 16;

/// Field elements in a [`Digest`].
pub const DIGEST_ELEMS: usize = 8;

/// The shared permutation instance (built once).
pub fn permutation() -> &'static Poseidon2BabyBear<WIDTH> {
    static PERM: OnceLock<Poseidon2BabyBear<WIDTH>> = OnceLock::new();
    PERM.get_or_init(default_babybear_poseidon2_16)
}

/// Applies the permutation to a full 16-element state.
pub fn permute(state: [F; WIDTH]) -> [F; WIDTH] {
    permutation().permute(state)
}

/// A hash output: 8 BabyBear elements (≈ 248 bits).
///
/// Its byte form ([`Digest::to_bytes`], the hex of JSON) is the 8 canonical `u32` values,
/// big-endian, in order: 32 bytes.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Digest(pub [F; DIGEST_ELEMS]);

impl Digest {
    /// The all-zero digest: the value of an empty leaf.
    pub const ZERO: Digest = Digest([F::ZERO; DIGEST_ELEMS]);

    /// The 32-byte form: 8 big-endian canonical `u32`s.
    pub fn to_bytes(&self) -> [u8; 32] {
        let mut out = [0u8; 32];
        for (chunk, x) in out.chunks_exact_mut(4).zip(self.0.iter()) {
            chunk.copy_from_slice(&x.as_canonical_u32().to_be_bytes());
        }
        out
    }

    /// Parses the 32-byte form.
    ///
    /// # Errors
    /// [`DigestError::NotCanonical`] when a 4-byte word is ≥ p.
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<Digest, DigestError> {
        let mut elems = [F::ZERO; DIGEST_ELEMS];
        for (i, chunk) in bytes.chunks_exact(4).enumerate() {
            let word = u32::from_be_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
            if word >= F::ORDER_U32 {
                return Err(DigestError::NotCanonical { word: i });
            }
            elems[i] = F::new(word);
        }
        Ok(Digest(elems))
    }

    /// The canonical `u32` values.
    pub fn to_u32s(&self) -> [u32; DIGEST_ELEMS] {
        self.0.map(|x| x.as_canonical_u32())
    }

    /// `0x`-prefixed lowercase hex of [`Digest::to_bytes`] (66 characters).
    pub fn to_hex(&self) -> String {
        format!("0x{}", hex::encode(self.to_bytes()))
    }

    /// Parses [`Digest::to_hex`] (the `0x` prefix is optional).
    ///
    /// # Errors
    /// [`DigestError::BadHex`] for anything but 64 hex digits; [`DigestError::NotCanonical`].
    pub fn from_hex(s: &str) -> Result<Digest, DigestError> {
        let s = s.strip_prefix("0x").unwrap_or(s);
        let bytes: [u8; 32] = hex::decode(s)
            .ok()
            .and_then(|v| v.try_into().ok())
            .ok_or(DigestError::BadHex)?;
        Digest::from_bytes(&bytes)
    }
}

impl std::fmt::Debug for Digest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Digest({})", self.to_hex())
    }
}

impl std::fmt::Display for Digest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl Serialize for Digest {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for Digest {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Digest, D::Error> {
        let s = String::deserialize(d)?;
        Digest::from_hex(&s).map_err(serde::de::Error::custom)
    }
}

/// A digest that did not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DigestError {
    /// Not 64 hex digits.
    #[error("a digest is 64 hex digits (32 bytes)")]
    BadHex,
    /// A 4-byte word is not a canonical BabyBear element.
    #[error("digest word {word} is not below the BabyBear modulus")]
    NotCanonical {
        /// Index of the word, 0..8.
        word: usize,
    },
}

/// 2-to-1 compression: `permute(left ‖ right)[0..8]`.
pub fn compress(left: &Digest, right: &Digest) -> Digest {
    let mut state = [F::ZERO; WIDTH];
    state[..DIGEST_ELEMS].copy_from_slice(&left.0);
    state[DIGEST_ELEMS..].copy_from_slice(&right.0);
    truncate(permute(state))
}

/// Hashes exactly 16 elements: `permute(input)[0..8]`. Used for account leaves, whose
/// first element is a domain tag ([`crate::account::LEAF_TAG`]).
pub fn hash16(input: [F; WIDTH]) -> Digest {
    truncate(permute(input))
}

/// The first 8 elements of a state.
pub fn truncate(state: [F; WIDTH]) -> Digest {
    let mut out = [F::ZERO; DIGEST_ELEMS];
    out.copy_from_slice(&state[..DIGEST_ELEMS]);
    Digest(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_bytes_and_hex_round_trip() {
        let d = compress(&Digest::ZERO, &hash16([F::ONE; WIDTH]));
        assert_eq!(Digest::from_bytes(&d.to_bytes()).expect("test value"), d);
        assert_eq!(Digest::from_hex(&d.to_hex()).expect("test value"), d);
        let json = serde_json::to_string(&d).expect("test value");
        assert_eq!(
            serde_json::from_str::<Digest>(&json).expect("test value"),
            d
        );
    }

    #[test]
    fn non_canonical_and_malformed_digests_are_refused() {
        let mut bytes = [0u8; 32];
        bytes[4..8].copy_from_slice(&F::ORDER_U32.to_be_bytes());
        assert_eq!(
            Digest::from_bytes(&bytes),
            Err(DigestError::NotCanonical { word: 1 })
        );
        assert_eq!(Digest::from_hex("0x1234"), Err(DigestError::BadHex));
        assert_eq!(Digest::from_hex(&"zz".repeat(32)), Err(DigestError::BadHex));
    }

    #[test]
    fn compression_is_order_sensitive() {
        let a = hash16([F::ONE; WIDTH]);
        let b = hash16([F::TWO; WIDTH]);
        assert_ne!(compress(&a, &b), compress(&b, &a));
        assert_ne!(compress(&a, &b), Digest::ZERO);
    }
}
