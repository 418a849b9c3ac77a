//! Quorum and timeout certificates, the signer bitmap, and the digests that votes sign.
//!
//! # Signed digests
//!
//! Every consensus signature is over a 32-byte keccak digest (integers big-endian):
//!
//! | vote      | digest                                                              |
//! |-----------|---------------------------------------------------------------------|
//! | quorum    | `keccak256("sq/quorum/v1" ‖ view:u64 ‖ height:u64 ‖ leaf:bytes32)`  |
//! | timeout   | `keccak256("sq/timeout/v1" ‖ view:u64)`                             |
//! | proposal  | `keccak256("sq/proposal/v1" ‖ view:u64 ‖ leaf:bytes32)`             |
//!
//! In Solidity the quorum digest is
//! `keccak256(abi.encodePacked("sq/quorum/v1", uint64(view), uint64(height), leaf))`.

use crate::codec::{limits, put_len, Decode, DecodeError, Encode, Reader};
use crate::{Commitment, Height, NodeIndex, StakeTable, View};

/// Domain tag of quorum votes.
pub const QUORUM_TAG: &[u8] = b"sq/quorum/v1";
/// Domain tag of timeout votes.
pub const TIMEOUT_TAG: &[u8] = b"sq/timeout/v1";
/// Domain tag of leader proposals.
pub const PROPOSAL_TAG: &[u8] = b"sq/proposal/v1";

/// The digest a quorum vote for `leaf` at (`view`, `height`) signs.
#[must_use]
pub fn quorum_digest(view: View, height: Height, leaf: &Commitment) -> Commitment {
    Commitment::keccak(&[
        QUORUM_TAG,
        &view.0.to_be_bytes(),
        &height.0.to_be_bytes(),
        &leaf.0,
    ])
}

/// The digest a timeout vote for `view` signs.
#[must_use]
pub fn timeout_digest(view: View) -> Commitment {
    Commitment::keccak(&[TIMEOUT_TAG, &view.0.to_be_bytes()])
}

/// The digest a leader signs to propose `leaf` in `view`.
#[must_use]
pub fn proposal_digest(view: View, leaf: &Commitment) -> Commitment {
    Commitment::keccak(&[PROPOSAL_TAG, &view.0.to_be_bytes(), &leaf.0])
}

/// A 96-byte signature or aggregate signature, opaque to this module. With [`crate::BlsCrypto`]
/// it is a compressed BLS12-381 G2 point; [`crate::Crypto`] implementations interpret it.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct SignatureBytes(pub [u8; 96]);

impl std::fmt::Debug for SignatureBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Sig(0x{})", hex::encode(&self.0[..4]))
    }
}

impl Encode for SignatureBytes {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.0);
    }
}

impl Decode for SignatureBytes {
    fn decode_from(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(SignatureBytes(r.array()?))
    }
}

/// Which nodes signed: bit `i` (byte `i / 8`, bit `i % 8`, least significant first) is node `i`.
///
/// Encoding: `bits: u32 BE` then `⌈bits/8⌉` bytes; bits past `bits` must be zero, so that the
/// encoding is unique. At most [`limits::MAX_NODES`] bits.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct SignerBitmap {
    bits: usize,
    bytes: Vec<u8>,
}

impl SignerBitmap {
    /// An empty bitmap over `n` nodes.
    #[must_use]
    pub fn new(n: usize) -> SignerBitmap {
        SignerBitmap {
            bits: n,
            bytes: vec![0; n.div_ceil(8)],
        }
    }

    /// Number of nodes the bitmap covers.
    #[must_use]
    pub fn len(&self) -> usize {
        self.bits
    }

    /// True when it covers no node.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.bits == 0
    }

    /// Marks node `i` as a signer. Out-of-range indices are ignored.
    pub fn set(&mut self, i: NodeIndex) {
        let i = i.as_usize();
        if i < self.bits {
            self.bytes[i / 8] |= 1 << (i % 8);
        }
    }

    /// Whether node `i` signed.
    #[must_use]
    pub fn get(&self, i: NodeIndex) -> bool {
        let i = i.as_usize();
        i < self.bits && self.bytes[i / 8] & (1 << (i % 8)) != 0
    }

    /// The signers' indices, ascending.
    pub fn signers(&self) -> impl Iterator<Item = NodeIndex> + '_ {
        (0..self.bits).filter_map(|i| {
            let idx = NodeIndex(i as u32);
            self.get(idx).then_some(idx)
        })
    }

    /// The packed bytes (for the L1 contract).
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Total stake of the signers in `table`; `None` if the bitmap's size differs from the table.
    #[must_use]
    pub fn stake(&self, table: &StakeTable) -> Option<u128> {
        if self.bits != table.len() {
            return None;
        }
        Some(
            self.signers()
                .filter_map(|i| table.get(i))
                .map(|e| u128::from(e.stake))
                .sum(),
        )
    }
}

impl Encode for SignerBitmap {
    fn encode_to(&self, out: &mut Vec<u8>) {
        put_len(out, self.bits);
        out.extend_from_slice(&self.bytes);
    }
}

impl Decode for SignerBitmap {
    fn decode_from(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let bits = r.len_prefix("signer bitmap", limits::MAX_NODES)?;
        let bytes = r.bytes(bits.div_ceil(8))?.to_vec();
        if bits % 8 != 0 {
            let last = bytes.last().copied().unwrap_or(0);
            if last >> (bits % 8) != 0 {
                return Err(DecodeError::Invalid {
                    what: "signer bitmap",
                    reason: "bits set past the end".into(),
                });
            }
        }
        Ok(SignerBitmap { bits, bytes })
    }
}

/// A quorum certificate: an aggregate signature of a quorum of stake over
/// [`quorum_digest`]`(view, height, leaf)` (HotShot paper §3, "quorum certificate").
///
/// The genesis QC (view 0, the genesis leaf, no signers) is valid by definition.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct QuorumCertificate {
    /// The view the certified leaf was proposed in.
    pub view: View,
    /// The certified leaf's height.
    pub height: Height,
    /// The certified leaf's commitment.
    pub leaf: Commitment,
    /// Who signed.
    pub signers: SignerBitmap,
    /// The aggregate signature.
    pub signature: SignatureBytes,
}

impl QuorumCertificate {
    /// The QC of the genesis leaf.
    #[must_use]
    pub fn genesis(genesis_leaf: Commitment) -> QuorumCertificate {
        QuorumCertificate {
            view: View(0),
            height: Height(0),
            leaf: genesis_leaf,
            signers: SignerBitmap::default(),
            signature: SignatureBytes([0; 96]),
        }
    }

    /// True for a QC shaped like [`QuorumCertificate::genesis`] (view 0, no signers). Whether its
    /// leaf is *the* genesis leaf is for the verifier to check.
    #[must_use]
    pub fn is_genesis_shaped(&self) -> bool {
        self.view == View(0) && self.height == Height(0) && self.signers.is_empty()
    }

    /// The digest its signers signed.
    #[must_use]
    pub fn digest(&self) -> Commitment {
        quorum_digest(self.view, self.height, &self.leaf)
    }
}

impl Encode for QuorumCertificate {
    /// Layout: `view u64 ‖ height u64 ‖ leaf 32 ‖ signers ‖ signature 96`.
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.view.0.to_be_bytes());
        out.extend_from_slice(&self.height.0.to_be_bytes());
        out.extend_from_slice(&self.leaf.0);
        self.signers.encode_to(out);
        self.signature.encode_to(out);
    }
}

impl Decode for QuorumCertificate {
    fn decode_from(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(QuorumCertificate {
            view: View(r.u64()?),
            height: Height(r.u64()?),
            leaf: Commitment(r.array()?),
            signers: SignerBitmap::decode_from(r)?,
            signature: SignatureBytes::decode_from(r)?,
        })
    }
}

/// A timeout certificate: an aggregate signature of a quorum over [`timeout_digest`]`(view)`,
/// plus the highest QC reported in the timeout votes it was built from.
///
/// `high_qc` is not covered by the aggregate signature (each QC is self-certifying); replicas
/// never rely on it being the true maximum, only on it being a valid QC.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TimeoutCertificate {
    /// The view that timed out.
    pub view: View,
    /// The highest QC among the timeout votes, as chosen by the certificate's builder.
    pub high_qc: QuorumCertificate,
    /// Who signed.
    pub signers: SignerBitmap,
    /// The aggregate signature.
    pub signature: SignatureBytes,
}

impl TimeoutCertificate {
    /// The digest its signers signed.
    #[must_use]
    pub fn digest(&self) -> Commitment {
        timeout_digest(self.view)
    }
}

impl Encode for TimeoutCertificate {
    /// Layout: `view u64 ‖ high_qc ‖ signers ‖ signature 96`.
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.view.0.to_be_bytes());
        self.high_qc.encode_to(out);
        self.signers.encode_to(out);
        self.signature.encode_to(out);
    }
}

impl Decode for TimeoutCertificate {
    fn decode_from(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(TimeoutCertificate {
            view: View(r.u64()?),
            high_qc: QuorumCertificate::decode_from(r)?,
            signers: SignerBitmap::decode_from(r)?,
            signature: SignatureBytes::decode_from(r)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bitmap_layout_and_padding_rule() {
        let mut b = SignerBitmap::new(10);
        b.set(NodeIndex(0));
        b.set(NodeIndex(9));
        b.set(NodeIndex(10)); // ignored: out of range
        assert_eq!(b.as_bytes(), &[0b0000_0001, 0b0000_0010]);
        assert_eq!(
            b.signers().collect::<Vec<_>>(),
            vec![NodeIndex(0), NodeIndex(9)]
        );
        assert_eq!(SignerBitmap::decode(&b.encode()), Ok(b.clone()));
        let mut enc = b.encode();
        *enc.last_mut().expect("non-empty") |= 0b1000_0000; // bit 15 of a 10-bit map
        assert!(matches!(
            SignerBitmap::decode(&enc),
            Err(DecodeError::Invalid { .. })
        ));
    }

    #[test]
    fn digests_are_domain_separated() {
        let c = Commitment([9; 32]);
        assert_ne!(
            quorum_digest(View(1), Height(1), &c),
            proposal_digest(View(1), &c)
        );
        assert_ne!(
            quorum_digest(View(1), Height(1), &c),
            quorum_digest(View(2), Height(1), &c)
        );
        assert_ne!(timeout_digest(View(1)), timeout_digest(View(2)));
    }

    #[test]
    fn certificates_round_trip() {
        let mut signers = SignerBitmap::new(4);
        signers.set(NodeIndex(2));
        let qc = QuorumCertificate {
            view: View(3),
            height: Height(2),
            leaf: Commitment([1; 32]),
            signers: signers.clone(),
            signature: SignatureBytes([7; 96]),
        };
        assert_eq!(QuorumCertificate::decode(&qc.encode()), Ok(qc.clone()));
        let tc = TimeoutCertificate {
            view: View(4),
            high_qc: qc,
            signers,
            signature: SignatureBytes([8; 96]),
        };
        assert_eq!(TimeoutCertificate::decode(&tc.encode()), Ok(tc.clone()));
        let enc = tc.encode();
        assert!(TimeoutCertificate::decode(&enc[..enc.len() - 1]).is_err());
    }
}
