//! Node identity binding: a BLS-signed statement "stake-table node `i` speaks as libp2p peer `P`".
//!
//! libp2p authenticates peers by their libp2p key (noise handshake, signed gossipsub messages),
//! but consensus names nodes by [`NodeIndex`]. Every node therefore publishes a
//! [`PeerBinding`] on the [`PEERS_TOPIC`](super::PEERS_TOPIC): its index, its peer id, and a BLS
//! signature with its stake-table key over
//! `keccak256("sq/p2p-binding/v1" ‖ peer_id_bytes)` ([`binding_digest`]). A receiver checks the
//! signature against the key registered at that index, and additionally that the gossipsub
//! *author* of the binding message is the bound peer itself, so a third party cannot replay an
//! old binding to redirect traffic.
//!
//! The binding also carries up to [`MAX_BINDING_ADDRS`] listen addresses. They are *not* covered
//! by the BLS signature; they are authenticated by the gossipsub signature of the bound peer,
//! and are only used as dial hints.
//!
//! Wire layout (big-endian, via [`sq_types::codec`]):
//! `node: u32 ‖ peer_id: u32 len ‖ bytes (≤ 64) ‖ signature: 96 bytes compressed G2 ‖
//! addr_count: u8 (≤ 8) ‖ addr_count × (u32 len ‖ multiaddr bytes (≤ 256))`.

use libp2p::{Multiaddr, PeerId};
use sq_types::codec::{put_var_bytes, Decode, DecodeError, Encode, Reader};
use sq_types::{BlsKeyPair, BlsSignature, Commitment, NodeIndex, StakeTable};
use thiserror::Error;

/// Domain tag hashed in front of the peer id bytes before signing.
pub const BINDING_TAG: &[u8] = b"sq/p2p-binding/v1";
/// Longest accepted peer id encoding, in bytes (an Ed25519 peer id is 38).
pub const MAX_PEER_ID_BYTES: usize = 64;
/// Most listen addresses carried in one binding.
pub const MAX_BINDING_ADDRS: usize = 8;
/// Longest accepted multiaddr encoding, in bytes.
pub const MAX_ADDR_BYTES: usize = 256;

/// Why a binding was rejected.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum BindingError {
    /// The bytes are not a well-formed binding.
    #[error("malformed binding: {0}")]
    Decode(#[from] DecodeError),
    /// The claimed index is not in the stake table.
    #[error("binding claims unknown node {0}")]
    UnknownNode(NodeIndex),
    /// The signature does not verify under the stake-table key of the claimed index.
    #[error("binding signature does not verify for node {0}")]
    BadSignature(NodeIndex),
}

/// The digest a node signs to bind its peer id: `keccak256("sq/p2p-binding/v1" ‖ peer_id_bytes)`.
#[must_use]
pub fn binding_digest(peer: &PeerId) -> Commitment {
    Commitment::keccak(&[BINDING_TAG, &peer.to_bytes()])
}

/// A signed statement that stake-table node `node` uses libp2p peer id `peer`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeerBinding {
    /// The stake-table index claimed.
    pub node: NodeIndex,
    /// The libp2p peer id it speaks as.
    pub peer: PeerId,
    /// BLS signature by the key at `node` over [`binding_digest`]`(peer)`.
    pub signature: BlsSignature,
    /// Dial hints: where `peer` listens (at most [`MAX_BINDING_ADDRS`], unsigned).
    pub addrs: Vec<Multiaddr>,
}

impl PeerBinding {
    /// Signs a binding of `node` to `peer` with `key`; `addrs` beyond [`MAX_BINDING_ADDRS`] (or
    /// longer than [`MAX_ADDR_BYTES`]) are left out.
    #[must_use]
    pub fn sign(key: &BlsKeyPair, node: NodeIndex, peer: PeerId, addrs: Vec<Multiaddr>) -> Self {
        let signature = key.sign(&binding_digest(&peer));
        PeerBinding {
            node,
            peer,
            signature,
            addrs: clamp_addrs(addrs),
        }
    }

    /// Checks the signature against the key registered at `self.node` in `table`.
    ///
    /// # Errors
    /// [`BindingError::UnknownNode`] or [`BindingError::BadSignature`].
    pub fn verify(&self, table: &StakeTable) -> Result<(), BindingError> {
        let entry = table
            .get(self.node)
            .ok_or(BindingError::UnknownNode(self.node))?;
        if entry
            .key
            .verify(&binding_digest(&self.peer), &self.signature)
        {
            Ok(())
        } else {
            Err(BindingError::BadSignature(self.node))
        }
    }

    /// The wire encoding (see the module docs).
    #[must_use]
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(160);
        out.extend_from_slice(&self.node.0.to_be_bytes());
        put_var_bytes(&mut out, &self.peer.to_bytes());
        self.signature.encode_to(&mut out);
        let addrs = &self.addrs[..self.addrs.len().min(MAX_BINDING_ADDRS)];
        // At most MAX_BINDING_ADDRS (8), so the count fits in a byte.
        out.push(addrs.len() as u8);
        for a in addrs {
            put_var_bytes(&mut out, &a.to_vec());
        }
        out
    }

    /// Decodes the wire encoding, enforcing every size limit. Does not check the signature.
    ///
    /// # Errors
    /// [`BindingError::Decode`] on truncation, trailing bytes, an oversized field, an invalid
    /// peer id, signature or multiaddr.
    pub fn decode(bytes: &[u8]) -> Result<Self, BindingError> {
        let mut r = Reader::new(bytes);
        let node = NodeIndex(r.u32()?);
        let peer_bytes = r.var_bytes("peer id", MAX_PEER_ID_BYTES)?;
        let peer = PeerId::from_bytes(&peer_bytes).map_err(|e| DecodeError::Invalid {
            what: "peer id",
            reason: e.to_string(),
        })?;
        let signature = BlsSignature::decode_from(&mut r)?;
        let count = usize::from(r.u8()?);
        if count > MAX_BINDING_ADDRS {
            return Err(DecodeError::TooLong {
                what: "binding addresses",
                len: count,
                max: MAX_BINDING_ADDRS,
            }
            .into());
        }
        let mut addrs = Vec::with_capacity(count);
        for _ in 0..count {
            let raw = r.var_bytes("multiaddr", MAX_ADDR_BYTES)?;
            addrs.push(Multiaddr::try_from(raw).map_err(|e| DecodeError::Invalid {
                what: "multiaddr",
                reason: e.to_string(),
            })?);
        }
        r.finish()?;
        Ok(PeerBinding {
            node,
            peer,
            signature,
            addrs,
        })
    }
}

fn clamp_addrs(addrs: Vec<Multiaddr>) -> Vec<Multiaddr> {
    addrs
        .into_iter()
        .filter(|a| a.len() <= MAX_ADDR_BYTES)
        .take(MAX_BINDING_ADDRS)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(n: u8) -> Vec<BlsKeyPair> {
        (1..=n)
            .map(|i| BlsKeyPair::from_ikm(&[i; 32]).expect("ikm"))
            .collect()
    }

    fn table(keys: &[BlsKeyPair]) -> StakeTable {
        StakeTable::equal_stake(keys.iter().map(|k| &k.public)).expect("valid table")
    }

    fn addr() -> Multiaddr {
        "/ip4/127.0.0.1/tcp/4001".parse().expect("multiaddr")
    }

    #[test]
    fn signed_binding_round_trips_and_verifies() {
        let k = keys(3);
        let t = table(&k);
        let b = PeerBinding::sign(&k[1], NodeIndex(1), PeerId::random(), vec![addr()]);
        let decoded = PeerBinding::decode(&b.encode()).expect("decodes");
        assert_eq!(decoded, b);
        assert_eq!(decoded.verify(&t), Ok(()));
    }

    #[test]
    fn wrong_index_tampered_peer_and_unknown_index_are_rejected() {
        let k = keys(3);
        let t = table(&k);
        // Node 1's key claiming index 2.
        let b = PeerBinding::sign(&k[1], NodeIndex(2), PeerId::random(), vec![]);
        assert_eq!(b.verify(&t), Err(BindingError::BadSignature(NodeIndex(2))));
        // A valid binding whose peer id is swapped.
        let mut b = PeerBinding::sign(&k[0], NodeIndex(0), PeerId::random(), vec![]);
        b.peer = PeerId::random();
        assert_eq!(b.verify(&t), Err(BindingError::BadSignature(NodeIndex(0))));
        let b = PeerBinding::sign(&k[0], NodeIndex(9), PeerId::random(), vec![]);
        assert_eq!(b.verify(&t), Err(BindingError::UnknownNode(NodeIndex(9))));
    }

    #[test]
    fn decoder_enforces_limits() {
        let k = keys(1);
        let b = PeerBinding::sign(&k[0], NodeIndex(0), PeerId::random(), vec![addr(); 20]);
        assert_eq!(
            b.addrs.len(),
            MAX_BINDING_ADDRS,
            "sign clamps the address list"
        );
        let enc = b.encode();
        assert!(
            PeerBinding::decode(&enc[..enc.len() - 1]).is_err(),
            "truncated"
        );
        let mut trailing = enc.clone();
        trailing.push(0);
        assert!(PeerBinding::decode(&trailing).is_err(), "trailing byte");
        // Patch the address count (right after node, peer id and signature) above the limit.
        let count_at = 4 + 4 + b.peer.to_bytes().len() + 96;
        let mut too_many = enc;
        too_many[count_at] = (MAX_BINDING_ADDRS + 1) as u8;
        assert!(matches!(
            PeerBinding::decode(&too_many),
            Err(BindingError::Decode(DecodeError::TooLong { .. }))
        ));
        // An oversized peer id length prefix is refused before allocation.
        let mut huge = vec![0, 0, 0, 0];
        huge.extend_from_slice(&u32::MAX.to_be_bytes());
        assert!(matches!(
            PeerBinding::decode(&huge),
            Err(BindingError::Decode(DecodeError::TooLong { .. }))
        ));
    }
}
