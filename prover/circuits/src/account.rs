//! An account leaf `(address, balance, nonce)` and its encoding as 16 field elements.
//!
//! Layout of the 16-element preimage (all limbs little-endian, lowest limb first):
//!
//! | index | content |
//! |-------|---------|
//! | 0     | [`LEAF_TAG`] = 1 |
//! | 1..7  | address as a 160-bit big-endian integer, 6 limbs: 5 × 30 bits, then the top 10 bits |
//! | 7..15 | balance in wei (u128), 8 limbs of 16 bits |
//! | 15    | nonce, one element, below [`NONCE_LIMIT`] |
//!
//! The leaf value is [`crate::hash::hash16`] of that preimage. An unused leaf is
//! [`crate::hash::Digest::ZERO`]. Every limb is far below p, so no encoding wraps; the
//! circuit range-checks the balance limbs so that arithmetic on them cannot wrap either.

use p3_field::PrimeCharacteristicRing;
use serde::{Deserialize, Serialize};

use crate::hash::{hash16, Digest, F, WIDTH};

/// The domain tag in element 0 of every account preimage.
pub const LEAF_TAG: u32 = 1;

/// Address limbs in the preimage.
pub const ADDRESS_LIMBS: usize = 6;

/// Bits per address limb (the last limb holds the remaining 10).
pub const ADDRESS_LIMB_BITS: u32 = 30;

/// Balance limbs in the preimage.
pub const BALANCE_LIMBS: usize = 8;

/// Bits per balance limb.
pub const BALANCE_LIMB_BITS: u32 = 16;

/// Exclusive upper bound on an account nonce (2^30), so that `nonce + 1` never wraps mod p.
/// The executor refuses a transaction whose nonce would reach it.
pub const NONCE_LIMIT: u64 = 1 << 30;

/// A 20-byte Ethereum address.
pub type Address = [u8; 20];

/// One account: what a leaf commits to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// The 20-byte address, hex in JSON.
    #[serde(with = "address_hex")]
    pub address: Address,
    /// Balance in wei.
    #[serde(with = "u128_string")]
    pub balance: u128,
    /// Transactions sent so far; below [`NONCE_LIMIT`].
    pub nonce: u64,
}

impl Account {
    /// The 16-element preimage (layout in the module docs).
    ///
    /// # Panics
    /// If `nonce >= NONCE_LIMIT` (the executor never stores such an account).
    pub fn preimage(&self) -> [F; WIDTH] {
        assert!(self.nonce < NONCE_LIMIT, "account nonce above NONCE_LIMIT");
        let mut out = [F::ZERO; WIDTH];
        out[0] = F::from_u32(LEAF_TAG);
        out[1..7].copy_from_slice(&address_limbs(&self.address));
        out[7..15].copy_from_slice(&balance_limbs(self.balance));
        out[15] = F::from_u64(self.nonce);
        out
    }

    /// The leaf value: [`hash16`] of the preimage.
    pub fn leaf(&self) -> Digest {
        hash16(self.preimage())
    }
}

/// The leaf value of an optional account: [`Digest::ZERO`] for `None`.
pub fn leaf_of(account: Option<&Account>) -> Digest {
    account.map_or(Digest::ZERO, Account::leaf)
}

/// The 6 address limbs (5 × 30 bits, then 10 bits), lowest first.
pub fn address_limbs(address: &Address) -> [F; ADDRESS_LIMBS] {
    let mut value = [0u8; 32];
    value[12..].copy_from_slice(address);
    // 160-bit big-endian integer as two u128 halves: high 32 bits and low 128 bits.
    let hi = u128::from(u32::from_be_bytes([
        value[12], value[13], value[14], value[15],
    ]));
    let lo = u128::from_be_bytes(value[16..32].try_into().unwrap_or([0; 16]));
    let mut out = [F::ZERO; ADDRESS_LIMBS];
    let mask = (1u128 << ADDRESS_LIMB_BITS) - 1;
    for (i, limb) in out.iter_mut().enumerate() {
        let shift = ADDRESS_LIMB_BITS as usize * i;
        let bits = if shift + 30 <= 128 {
            (lo >> shift) & mask
        } else if shift >= 128 {
            (hi >> (shift - 128)) & mask
        } else {
            ((lo >> shift) | (hi << (128 - shift))) & mask
        };
        *limb = F::from_u32(bits as u32);
    }
    out
}

/// The 8 balance limbs of 16 bits, lowest first.
pub fn balance_limbs(balance: u128) -> [F; BALANCE_LIMBS] {
    std::array::from_fn(|i| F::from_u32(((balance >> (16 * i)) & 0xffff) as u32))
}

/// Serde for a 20-byte address as `0x`-hex (40 digits).
pub mod address_hex {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes `0x`-hex.
    pub fn serialize<S: Serializer>(a: &[u8; 20], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("0x{}", hex::encode(a)))
    }

    /// Reads 40 hex digits, `0x` optional.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 20], D::Error> {
        let s = String::deserialize(d)?;
        let s = s.strip_prefix("0x").unwrap_or(&s);
        hex::decode(s)
            .ok()
            .and_then(|v| v.try_into().ok())
            .ok_or_else(|| serde::de::Error::custom("an address is 40 hex digits"))
    }
}

/// Serde for `u128` as a decimal string (JSON numbers lose precision above 2^53).
pub mod u128_string {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes the decimal string.
    pub fn serialize<S: Serializer>(v: &u128, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&v.to_string())
    }

    /// Reads a decimal string.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u128, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use p3_field::PrimeField32;

    #[test]
    fn address_limbs_reassemble_the_address() {
        let mut address = [0u8; 20];
        for (i, b) in address.iter_mut().enumerate() {
            *b = (i as u8).wrapping_mul(37).wrapping_add(0xa5);
        }
        let limbs = address_limbs(&address);
        let mut value: [u64; 3] = [0; 3]; // 192-bit accumulator, little-endian words
        for (i, limb) in limbs.iter().enumerate() {
            let v = u128::from(limb.as_canonical_u32()) << ((30 * i) % 64);
            let word = 30 * i / 64;
            value[word] |= v as u64;
            if word + 1 < 3 {
                value[word + 1] |= (v >> 64) as u64;
            }
        }
        let mut back = [0u8; 24];
        for (i, w) in value.iter().rev().enumerate() {
            back[8 * i..8 * i + 8].copy_from_slice(&w.to_be_bytes());
        }
        assert_eq!(&back[4..], &address);
        assert!(limbs[5].as_canonical_u32() < 1 << 10);
    }

    #[test]
    fn balance_limbs_reassemble_the_balance() {
        let balance = u128::MAX - 12345;
        let limbs = balance_limbs(balance);
        let back = limbs.iter().rev().fold(0u128, |acc, l| {
            (acc << 16) | u128::from(l.as_canonical_u32())
        });
        assert_eq!(back, balance);
    }

    #[test]
    fn every_field_changes_the_leaf() {
        let a = Account {
            address: [7; 20],
            balance: 10,
            nonce: 3,
        };
        let mut other_address = a;
        other_address.address[19] ^= 1;
        assert_ne!(a.leaf(), other_address.leaf());
        assert_ne!(a.leaf(), Account { balance: 11, ..a }.leaf());
        assert_ne!(a.leaf(), Account { nonce: 4, ..a }.leaf());
        assert_ne!(a.leaf(), Digest::ZERO);
        assert_eq!(leaf_of(None), Digest::ZERO);
    }

    #[test]
    fn accounts_round_trip_through_json() {
        let a = Account {
            address: [0xab; 20],
            balance: u128::MAX,
            nonce: 9,
        };
        let json = serde_json::to_string(&a).expect("test value");
        assert!(json.contains("340282366920938463463374607431768211455"));
        assert_eq!(
            serde_json::from_str::<Account>(&json).expect("test value"),
            a
        );
    }
}
