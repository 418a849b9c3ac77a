//! A transfer as the circuit sees it, its field encoding, and the running transfer commitment.
//!
//! Encoding ([`Transfer::encode`]): 32 elements, absorbed in 4 blocks of 8:
//!
//! | index  | content |
//! |--------|---------|
//! | 0      | [`TRANSFER_TAG`] = 2 |
//! | 1..7   | sender address, 6 limbs ([`crate::account::address_limbs`]) |
//! | 7..13  | recipient address, 6 limbs |
//! | 13..21 | value in wei, 8 limbs of 16 bits |
//! | 21..29 | fee in wei, 8 limbs of 16 bits |
//! | 29     | the sender's nonce before the transfer |
//! | 30, 31 | zero |
//!
//! Digest ([`Transfer::digest`]): an overwrite-mode sponge, rate 8, over the 4 blocks: start
//! from the zero state; for each block, overwrite elements 0..8 with it and permute; output
//! elements 0..8 (Plonky3's `PaddingFreeSponge<_, 16, 8, 8>`, which the fixed length makes safe).
//!
//! Commitment ([`commit`]): `acc_0 = ZERO`, `acc_{i+1} = compress(acc_i, digest_i)`. A chunk's
//! public inputs carry the commitment before and after its transfers, so the commitment of a
//! batch does not depend on how a prover splits it into chunks.

use p3_field::PrimeCharacteristicRing;
use serde::{Deserialize, Serialize};

use crate::account::{address_hex, address_limbs, balance_limbs, u128_string, Address};
use crate::hash::{compress, permute, truncate, Digest, F, WIDTH};

/// The domain tag in element 0 of a transfer's encoding.
pub const TRANSFER_TAG: u32 = 2;

/// Elements in a transfer's encoding.
pub const ENCODED_LEN: usize = 32;

/// Sponge rate in elements.
pub const RATE: usize = 8;

/// One executed value transfer. The fee is `21,000 × effective gas price`, paid to the
/// rollup's fee recipient.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transfer {
    /// Sender (recovered from the signature by the executor; not proven in-circuit).
    #[serde(with = "address_hex")]
    pub from: Address,
    /// Recipient.
    #[serde(with = "address_hex")]
    pub to: Address,
    /// Value in wei.
    #[serde(with = "u128_string")]
    pub value: u128,
    /// Fee in wei.
    #[serde(with = "u128_string")]
    pub fee: u128,
    /// The sender's nonce before the transfer.
    pub nonce: u64,
}

impl Transfer {
    /// The 32-element encoding (layout in the module docs).
    pub fn encode(&self) -> [F; ENCODED_LEN] {
        let mut out = [F::ZERO; ENCODED_LEN];
        out[0] = F::from_u32(TRANSFER_TAG);
        out[1..7].copy_from_slice(&address_limbs(&self.from));
        out[7..13].copy_from_slice(&address_limbs(&self.to));
        out[13..21].copy_from_slice(&balance_limbs(self.value));
        out[21..29].copy_from_slice(&balance_limbs(self.fee));
        out[29] = F::from_u64(self.nonce);
        out
    }

    /// The sponge digest of [`Transfer::encode`].
    pub fn digest(&self) -> Digest {
        let encoded = self.encode();
        let mut state = [F::ZERO; WIDTH];
        for block in encoded.chunks_exact(RATE) {
            state[..RATE].copy_from_slice(block);
            state = permute(state);
        }
        truncate(state)
    }
}

/// Extends a running commitment by one transfer: `compress(acc, transfer.digest())`.
pub fn absorb(acc: &Digest, transfer: &Transfer) -> Digest {
    compress(acc, &transfer.digest())
}

/// The commitment of an ordered list, starting from `start` (use [`Digest::ZERO`] for a batch).
pub fn commit<'a>(start: Digest, transfers: impl IntoIterator<Item = &'a Transfer>) -> Digest {
    transfers.into_iter().fold(start, |acc, t| absorb(&acc, t))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn transfer(n: u64) -> Transfer {
        Transfer {
            from: [1; 20],
            to: [2; 20],
            value: 1000 + u128::from(n),
            fee: 21_000,
            nonce: n,
        }
    }

    #[test]
    fn the_commitment_depends_on_order_and_membership() {
        let a = transfer(0);
        let b = transfer(1);
        let ab = commit(Digest::ZERO, [&a, &b]);
        assert_ne!(ab, commit(Digest::ZERO, [&b, &a]));
        assert_ne!(ab, commit(Digest::ZERO, [&a]));
        assert_eq!(ab, commit(commit(Digest::ZERO, [&a]), [&b]));
    }

    #[test]
    fn every_field_changes_the_digest() {
        let t = transfer(3);
        let d = t.digest();
        assert_ne!(d, Transfer { from: [9; 20], ..t }.digest());
        assert_ne!(d, Transfer { to: [9; 20], ..t }.digest());
        assert_ne!(d, Transfer { value: 1, ..t }.digest());
        assert_ne!(d, Transfer { fee: 1, ..t }.digest());
        assert_ne!(d, Transfer { nonce: 4, ..t }.digest());
    }
}
