//! The message a DA vote signs.
//!
//! HotShot paper, Tiramisu DA layer: a DA committee member votes for a block once it has
//! *stored* its share, and a DA certificate (DAC) is a quorum of those votes. Here:
//!
//! - a node signs [`da_vote_message`] only after [`crate::VidShare::verify`] succeeded **and**
//!   the share (with the [`crate::VidCommon`]) has been persisted, so that a certificate implies
//!   that at least `⌊2n/3⌋ + 1 - f ≥ k` honest nodes can serve their shares;
//! - a DA certificate is an aggregate BLS12-381 signature over this message by at least
//!   ⌊2n/3⌋ + 1 of the stake, with a signer bitmap. Aggregation and quorum checks are those of
//!   `sq_types::QuorumCertificate` and the `Crypto` trait; this crate only fixes the message.
//!
//! Layout: `keccak256("sq-da/da-vote/v1" ‖ view u64 BE ‖ payload commitment [32])`, a 56-byte
//! pre-image, i.e. Solidity `keccak256(abi.encodePacked("sq-da/da-vote/v1", uint64 view,
//! bytes32 commitment))`. The domain tag keeps a DA vote from ever being replayed as a consensus
//! vote over the same 32 bytes.

use sq_types::{Commitment, View};

const DA_VOTE_DOMAIN: &[u8] = b"sq-da/da-vote/v1";

/// The 32-byte digest a DA vote for `commitment` in `view` signs (layout in the module docs).
#[must_use]
pub fn da_vote_message(view: View, commitment: &Commitment) -> Commitment {
    Commitment::keccak(&[DA_VOTE_DOMAIN, &view.0.to_be_bytes(), &commitment.0])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_binds_view_and_commitment_and_has_fixed_preimage() {
        let c = Commitment([7; 32]);
        let m = da_vote_message(View(3), &c);
        let mut pre = b"sq-da/da-vote/v1".to_vec();
        pre.extend_from_slice(&3u64.to_be_bytes());
        pre.extend_from_slice(&[7; 32]);
        assert_eq!(pre.len(), 56);
        assert_eq!(m, Commitment::keccak(&[&pre]));
        assert_ne!(m, da_vote_message(View(4), &c));
        assert_ne!(m, da_vote_message(View(3), &Commitment([8; 32])));
        assert_ne!(m, c);
    }
}
