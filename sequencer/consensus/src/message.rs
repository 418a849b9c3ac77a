//! Consensus wire messages and their canonical encoding.
//!
//! Every message is `tag: u8` followed by its fields in the order listed on the variant. The
//! whole encoding is at most [`limits::MAX_MESSAGE_BYTES`]; payloads at most
//! [`limits::MAX_PAYLOAD_BYTES`].

use sq_types::certificate::SignatureBytes;
use sq_types::codec::{limits, put_option, put_var_bytes, Decode, DecodeError, Encode, Reader};
use sq_types::{Commitment, Height, Leaf, NodeIndex, QuorumCertificate, TimeoutCertificate, View};

/// A leader's proposal for its view (HotShot paper §3, "proposal").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proposal {
    /// The proposed leaf; `leaf.header.view` is the proposal's view.
    pub leaf: Leaf,
    /// Present when `leaf.justify_qc` is not from the previous view: the timeout certificate
    /// for the previous view, which lets the leader propose (view change).
    pub tc: Option<TimeoutCertificate>,
    /// The block payload (at most [`limits::MAX_PAYLOAD_BYTES`]).
    pub payload: Vec<u8>,
    /// The leader's signature over `proposal_digest(view, leaf commitment)`.
    pub signature: SignatureBytes,
}

/// A replica's vote for a leaf, sent to the next view's leader.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Vote {
    /// The view of the leaf voted for.
    pub view: View,
    /// Its height.
    pub height: Height,
    /// Its commitment.
    pub leaf: Commitment,
    /// The voter.
    pub signer: NodeIndex,
    /// Signature over `quorum_digest(view, height, leaf)`.
    pub signature: SignatureBytes,
}

/// A replica's timeout vote for a view, broadcast to everyone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Timeout {
    /// The view that timed out.
    pub view: View,
    /// The sender's highest QC (its lock).
    pub high_qc: QuorumCertificate,
    /// The sender's latest timeout certificate, so that lagging replicas can catch up.
    pub high_tc: Option<TimeoutCertificate>,
    /// The voter.
    pub signer: NodeIndex,
    /// Signature over `timeout_digest(view)`.
    pub signature: SignatureBytes,
}

/// Every consensus message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    /// Tag 0.
    Proposal(Proposal),
    /// Tag 1.
    Vote(Vote),
    /// Tag 2.
    Timeout(Timeout),
    /// Tag 3: asks peers for the leaf with this commitment (to fill a gap before deciding).
    LeafRequest(Commitment),
    /// Tag 4: a leaf asked for by [`Message::LeafRequest`]; checked against its commitment.
    LeafResponse(Leaf),
}

impl Message {
    /// Short name of the variant, for logs and metrics.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Message::Proposal(_) => "proposal",
            Message::Vote(_) => "vote",
            Message::Timeout(_) => "timeout",
            Message::LeafRequest(_) => "leaf_request",
            Message::LeafResponse(_) => "leaf_response",
        }
    }

    /// Decodes a message received from the network, enforcing [`limits::MAX_MESSAGE_BYTES`]
    /// before parsing.
    ///
    /// # Errors
    /// [`DecodeError`] for oversized, truncated or malformed input.
    pub fn from_wire(bytes: &[u8]) -> Result<Message, DecodeError> {
        if bytes.len() > limits::MAX_MESSAGE_BYTES {
            return Err(DecodeError::TooLong {
                what: "message",
                len: bytes.len(),
                max: limits::MAX_MESSAGE_BYTES,
            });
        }
        Message::decode(bytes)
    }
}

impl Encode for Message {
    fn encode_to(&self, out: &mut Vec<u8>) {
        match self {
            Message::Proposal(p) => {
                out.push(0);
                p.leaf.encode_to(out);
                put_option(out, p.tc.as_ref());
                put_var_bytes(out, &p.payload);
                p.signature.encode_to(out);
            }
            Message::Vote(v) => {
                out.push(1);
                out.extend_from_slice(&v.view.0.to_be_bytes());
                out.extend_from_slice(&v.height.0.to_be_bytes());
                out.extend_from_slice(&v.leaf.0);
                out.extend_from_slice(&v.signer.0.to_be_bytes());
                v.signature.encode_to(out);
            }
            Message::Timeout(t) => {
                out.push(2);
                out.extend_from_slice(&t.view.0.to_be_bytes());
                t.high_qc.encode_to(out);
                put_option(out, t.high_tc.as_ref());
                out.extend_from_slice(&t.signer.0.to_be_bytes());
                t.signature.encode_to(out);
            }
            Message::LeafRequest(c) => {
                out.push(3);
                out.extend_from_slice(&c.0);
            }
            Message::LeafResponse(l) => {
                out.push(4);
                l.encode_to(out);
            }
        }
    }
}

impl Decode for Message {
    fn decode_from(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(match r.u8()? {
            0 => Message::Proposal(Proposal {
                leaf: Leaf::decode_from(r)?,
                tc: r.option("timeout certificate")?,
                payload: r.var_bytes("payload", limits::MAX_PAYLOAD_BYTES)?,
                signature: SignatureBytes::decode_from(r)?,
            }),
            1 => Message::Vote(Vote {
                view: View(r.u64()?),
                height: Height(r.u64()?),
                leaf: Commitment(r.array()?),
                signer: NodeIndex(r.u32()?),
                signature: SignatureBytes::decode_from(r)?,
            }),
            2 => Message::Timeout(Timeout {
                view: View(r.u64()?),
                high_qc: QuorumCertificate::decode_from(r)?,
                high_tc: r.option("timeout certificate")?,
                signer: NodeIndex(r.u32()?),
                signature: SignatureBytes::decode_from(r)?,
            }),
            3 => Message::LeafRequest(Commitment(r.array()?)),
            4 => Message::LeafResponse(Leaf::decode_from(r)?),
            tag => {
                return Err(DecodeError::UnknownTag {
                    what: "message",
                    tag,
                })
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn samples() -> Vec<Message> {
        let g = Leaf::genesis();
        let qc = g.justify_qc.clone();
        vec![
            Message::Proposal(Proposal {
                leaf: g.clone(),
                tc: Some(TimeoutCertificate {
                    view: View(3),
                    high_qc: qc.clone(),
                    signers: Default::default(),
                    signature: SignatureBytes([1; 96]),
                }),
                payload: b"payload".to_vec(),
                signature: SignatureBytes([2; 96]),
            }),
            Message::Vote(Vote {
                view: View(1),
                height: Height(1),
                leaf: Commitment([3; 32]),
                signer: NodeIndex(2),
                signature: SignatureBytes([4; 96]),
            }),
            Message::Timeout(Timeout {
                view: View(5),
                high_qc: qc,
                high_tc: None,
                signer: NodeIndex(0),
                signature: SignatureBytes([5; 96]),
            }),
            Message::LeafRequest(Commitment([6; 32])),
            Message::LeafResponse(g),
        ]
    }

    #[test]
    fn every_message_round_trips() {
        for m in samples() {
            assert_eq!(
                Message::from_wire(&m.encode()),
                Ok(m.clone()),
                "{}",
                m.kind()
            );
        }
    }

    #[test]
    fn every_truncation_and_unknown_tag_is_rejected() {
        for m in samples() {
            let enc = m.encode();
            for cut in 0..enc.len() {
                assert!(
                    Message::from_wire(&enc[..cut]).is_err(),
                    "{} cut at {cut}",
                    m.kind()
                );
            }
        }
        assert_eq!(
            Message::from_wire(&[9]),
            Err(DecodeError::UnknownTag {
                what: "message",
                tag: 9
            })
        );
    }

    #[test]
    fn oversized_input_is_rejected_before_parsing() {
        let big = vec![0u8; limits::MAX_MESSAGE_BYTES + 1];
        assert!(matches!(
            Message::from_wire(&big),
            Err(DecodeError::TooLong { .. })
        ));
    }
}
