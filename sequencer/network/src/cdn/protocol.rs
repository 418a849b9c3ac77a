//! The CDN wire protocol: the messages inside [`super::frame`]s, their tags and layouts, the
//! authentication digest, and the [`NetworkConfig`] the server distributes.
//!
//! Every message body starts with a one-byte tag; integers are big-endian; byte strings carry a
//! `u32` length prefix and a limit checked before allocation (the `sq_types` codec). Client and
//! server tags live in different ranges so that a message sent the wrong way is an unknown tag.
//!
//! | dir | tag | message | layout after the tag |
//! |-----|-----|---------|----------------------|
//! | c→s | `0x01` | [`ClientMessage::Hello`] | `key[48] ‖ pop[96]` |
//! | c→s | `0x02` | [`ClientMessage::Auth`] | `signature[96]` |
//! | c→s | `0x03` | [`ClientMessage::Broadcast`] | `topic u8 ‖ len u32 ‖ bytes` |
//! | c→s | `0x04` | [`ClientMessage::Direct`] | `to u32 ‖ len u32 ‖ bytes` |
//! | s→c | `0x81` | [`ServerMessage::Challenge`] | `nonce[32]` |
//! | s→c | `0x82` | [`ServerMessage::Error`] | `code u8 ‖ len u32 ‖ utf8 message (≤ 1024)` |
//! | s→c | `0x83` | [`ServerMessage::Config`] | [`NetworkConfig`] |
//! | s→c | `0x84` | [`ServerMessage::Deliver`] | `from u32 ‖ option(topic u8) ‖ len u32 ‖ bytes` |
//!
//! Topics: `0` global, `1` DA. Payloads (`bytes`) are at most [`crate::MAX_MESSAGE_BYTES`].
//!
//! Handshake: the client sends `Hello` (its key and proof of possession); the server answers
//! `Challenge` with a fresh random nonce; the client answers `Auth`, a BLS signature
//! ([`sq_types::BlsKeyPair::sign`]) over [`auth_digest`]; once the stake table is complete the
//! server sends `Config`, and from then on relays `Broadcast`/`Direct` as `Deliver`. Any
//! refusal is an `Error` frame followed by the server closing the connection.

use crate::{Topic, MAX_MESSAGE_BYTES};
use sq_types::codec::{put_var_bytes, Decode, DecodeError, Encode, Reader};
use sq_types::{BlsPublicKey, BlsSignature, Commitment, NodeIndex, ProofOfPossession, StakeTable};
use std::fmt;

/// Domain tag hashed into the authentication digest.
pub const AUTH_TAG: &[u8] = b"sq/cdn-auth/v1";

/// Longest [`ServerMessage::Error`] text, in bytes.
pub const MAX_ERROR_MESSAGE_BYTES: usize = 1024;

/// The digest a client signs to answer a challenge:
/// `keccak256("sq/cdn-auth/v1" ‖ nonce[32] ‖ pk_compressed[48])`.
///
/// Binding the key stops a signature being replayed for another key; the fresh nonce stops it
/// being replayed on another connection.
#[must_use]
pub fn auth_digest(nonce: &[u8; 32], key: &BlsPublicKey) -> Commitment {
    Commitment::keccak(&[AUTH_TAG, nonce, &key.to_compressed()])
}

/// A message from a client (a sequencer node) to the CDN server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientMessage {
    /// First message on a connection: who the client claims to be.
    Hello {
        /// The node's BLS public key.
        key: BlsPublicKey,
        /// Its proof of possession, checked before the challenge is issued.
        pop: ProofOfPossession,
    },
    /// The answer to [`ServerMessage::Challenge`]: a signature over [`auth_digest`].
    Auth {
        /// `BlsKeyPair::sign(auth_digest(nonce, key))`.
        signature: BlsSignature,
    },
    /// Relay `bytes` to every other node on `topic`.
    Broadcast {
        /// The topic.
        topic: Topic,
        /// The payload, at most [`MAX_MESSAGE_BYTES`].
        bytes: Vec<u8>,
    },
    /// Relay `bytes` to one node.
    Direct {
        /// The recipient's index in the stake table.
        to: NodeIndex,
        /// The payload, at most [`MAX_MESSAGE_BYTES`].
        bytes: Vec<u8>,
    },
}

/// Why the server refused a connection or a message. Sent in [`ServerMessage::Error`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// `1`: the key is not in the (complete) stake table.
    UnknownKey,
    /// `2`: the key is already authenticated on another live connection.
    DuplicateKey,
    /// `3`: the challenge signature does not verify.
    BadSignature,
    /// `4`: the proof of possession does not verify.
    BadProofOfPossession,
    /// `5`: a frame did not decode.
    Malformed,
    /// `6`: a frame exceeded the size limit.
    TooLarge,
    /// `7`: the server has no room for another connection.
    Full,
    /// `8`: a valid message that is not allowed in the connection's state (for example
    /// `Broadcast` before `Auth`).
    Unexpected,
    /// `9`: the handshake took too long.
    Timeout,
}

impl ErrorCode {
    /// Every code, in tag order.
    pub const ALL: [ErrorCode; 9] = [
        ErrorCode::UnknownKey,
        ErrorCode::DuplicateKey,
        ErrorCode::BadSignature,
        ErrorCode::BadProofOfPossession,
        ErrorCode::Malformed,
        ErrorCode::TooLarge,
        ErrorCode::Full,
        ErrorCode::Unexpected,
        ErrorCode::Timeout,
    ];

    /// The wire byte.
    #[must_use]
    pub fn to_u8(self) -> u8 {
        match self {
            ErrorCode::UnknownKey => 1,
            ErrorCode::DuplicateKey => 2,
            ErrorCode::BadSignature => 3,
            ErrorCode::BadProofOfPossession => 4,
            ErrorCode::Malformed => 5,
            ErrorCode::TooLarge => 6,
            ErrorCode::Full => 7,
            ErrorCode::Unexpected => 8,
            ErrorCode::Timeout => 9,
        }
    }

    /// The code for a wire byte, if any.
    #[must_use]
    pub fn from_u8(b: u8) -> Option<ErrorCode> {
        ErrorCode::ALL.into_iter().find(|c| c.to_u8() == b)
    }

    /// A short `snake_case` name, used as a metrics label.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::UnknownKey => "unknown_key",
            ErrorCode::DuplicateKey => "duplicate_key",
            ErrorCode::BadSignature => "bad_signature",
            ErrorCode::BadProofOfPossession => "bad_proof_of_possession",
            ErrorCode::Malformed => "malformed",
            ErrorCode::TooLarge => "too_large",
            ErrorCode::Full => "full",
            ErrorCode::Unexpected => "unexpected",
            ErrorCode::Timeout => "timeout",
        }
    }

    /// Whether trying again later may succeed: a duplicate key (the server has not yet noticed
    /// that our previous connection died), a full server, or a timeout. Bad keys and signatures
    /// will fail again.
    #[must_use]
    pub fn is_retryable(self) -> bool {
        matches!(
            self,
            ErrorCode::DuplicateKey | ErrorCode::Full | ErrorCode::Timeout
        )
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The network configuration the CDN server sends every node once the stake table is complete.
///
/// Layout: `stake_table ‖ view_timeout_ms u64 ‖ max_view_timeout_ms u64 ‖ max_block_bytes u64 ‖
/// start_unix_ms u64` (the stake table as [`StakeTable`]'s encoding, at most
/// `sq_types::codec::limits::MAX_NODES` entries). Decoding rejects a zero view timeout and a
/// maximum below the base timeout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetworkConfig {
    /// Every node's key and stake; a node's [`NodeIndex`] is its position.
    pub stake_table: StakeTable,
    /// Base view timeout, milliseconds (non-zero).
    pub view_timeout_ms: u64,
    /// Cap of the exponential view-timeout back-off, milliseconds (`>= view_timeout_ms`).
    pub max_view_timeout_ms: u64,
    /// Largest block payload a leader may propose, bytes.
    pub max_block_bytes: u64,
    /// When consensus starts, Unix milliseconds; nodes wait until then before view 1.
    pub start_unix_ms: u64,
}

impl NetworkConfig {
    /// Checks the timing invariants that decoding enforces.
    ///
    /// # Errors
    /// A description of the first violated invariant.
    pub fn validate(&self) -> Result<(), &'static str> {
        if self.view_timeout_ms == 0 {
            return Err("view timeout must be non-zero");
        }
        if self.max_view_timeout_ms < self.view_timeout_ms {
            return Err("max view timeout is below the view timeout");
        }
        Ok(())
    }
}

impl Encode for NetworkConfig {
    fn encode_to(&self, out: &mut Vec<u8>) {
        self.stake_table.encode_to(out);
        for v in [
            self.view_timeout_ms,
            self.max_view_timeout_ms,
            self.max_block_bytes,
            self.start_unix_ms,
        ] {
            out.extend_from_slice(&v.to_be_bytes());
        }
    }
}

impl Decode for NetworkConfig {
    fn decode_from(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let config = NetworkConfig {
            stake_table: StakeTable::decode_from(r)?,
            view_timeout_ms: r.u64()?,
            max_view_timeout_ms: r.u64()?,
            max_block_bytes: r.u64()?,
            start_unix_ms: r.u64()?,
        };
        config.validate().map_err(|reason| DecodeError::Invalid {
            what: "network config",
            reason: reason.into(),
        })?;
        Ok(config)
    }
}

/// A message from the CDN server to a client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ServerMessage {
    /// Answer to `Hello`: sign [`auth_digest`] of this nonce.
    Challenge {
        /// 32 fresh random bytes, never reused.
        nonce: [u8; 32],
    },
    /// A refusal; the server closes the connection after sending it.
    Error {
        /// Machine-readable reason.
        code: ErrorCode,
        /// Human-readable detail, at most [`MAX_ERROR_MESSAGE_BYTES`] of UTF-8.
        message: String,
    },
    /// The network configuration, sent once the stake table is complete (and on every later
    /// authentication).
    Config(NetworkConfig),
    /// A relayed message.
    Deliver {
        /// The authenticated sender.
        from: NodeIndex,
        /// The broadcast topic, or `None` for a direct message.
        topic: Option<Topic>,
        /// The payload, at most [`MAX_MESSAGE_BYTES`].
        bytes: Vec<u8>,
    },
}

impl Topic {
    /// The wire byte: `0` global, `1` DA.
    #[must_use]
    pub fn to_u8(self) -> u8 {
        match self {
            Topic::Global => 0,
            Topic::Da => 1,
        }
    }

    /// A short name, used as a metrics label and in logs.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Topic::Global => "global",
            Topic::Da => "da",
        }
    }
}

impl Encode for Topic {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.push(self.to_u8());
    }
}

impl Decode for Topic {
    fn decode_from(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        match r.u8()? {
            0 => Ok(Topic::Global),
            1 => Ok(Topic::Da),
            tag => Err(DecodeError::UnknownTag { what: "topic", tag }),
        }
    }
}

mod tag {
    pub(super) const HELLO: u8 = 0x01;
    pub(super) const AUTH: u8 = 0x02;
    pub(super) const BROADCAST: u8 = 0x03;
    pub(super) const DIRECT: u8 = 0x04;
    pub(super) const CHALLENGE: u8 = 0x81;
    pub(super) const ERROR: u8 = 0x82;
    pub(super) const CONFIG: u8 = 0x83;
    pub(super) const DELIVER: u8 = 0x84;
}

impl Encode for ClientMessage {
    fn encode_to(&self, out: &mut Vec<u8>) {
        match self {
            ClientMessage::Hello { key, pop } => {
                out.push(tag::HELLO);
                key.encode_to(out);
                pop.0.encode_to(out);
            }
            ClientMessage::Auth { signature } => {
                out.push(tag::AUTH);
                signature.encode_to(out);
            }
            ClientMessage::Broadcast { topic, bytes } => {
                out.push(tag::BROADCAST);
                topic.encode_to(out);
                put_var_bytes(out, bytes);
            }
            ClientMessage::Direct { to, bytes } => {
                out.push(tag::DIRECT);
                out.extend_from_slice(&to.0.to_be_bytes());
                put_var_bytes(out, bytes);
            }
        }
    }
}

impl Decode for ClientMessage {
    fn decode_from(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        match r.u8()? {
            tag::HELLO => Ok(ClientMessage::Hello {
                key: BlsPublicKey::decode_from(r)?,
                pop: ProofOfPossession(BlsSignature::decode_from(r)?),
            }),
            tag::AUTH => Ok(ClientMessage::Auth {
                signature: BlsSignature::decode_from(r)?,
            }),
            tag::BROADCAST => Ok(ClientMessage::Broadcast {
                topic: Topic::decode_from(r)?,
                bytes: r.var_bytes("broadcast payload", MAX_MESSAGE_BYTES)?,
            }),
            tag::DIRECT => Ok(ClientMessage::Direct {
                to: NodeIndex(r.u32()?),
                bytes: r.var_bytes("direct payload", MAX_MESSAGE_BYTES)?,
            }),
            tag => Err(DecodeError::UnknownTag {
                what: "client message",
                tag,
            }),
        }
    }
}

impl Encode for ServerMessage {
    fn encode_to(&self, out: &mut Vec<u8>) {
        match self {
            ServerMessage::Challenge { nonce } => {
                out.push(tag::CHALLENGE);
                out.extend_from_slice(nonce);
            }
            ServerMessage::Error { code, message } => {
                out.push(tag::ERROR);
                out.push(code.to_u8());
                put_var_bytes(
                    out,
                    truncate_utf8(message, MAX_ERROR_MESSAGE_BYTES).as_bytes(),
                );
            }
            ServerMessage::Config(config) => {
                out.push(tag::CONFIG);
                config.encode_to(out);
            }
            ServerMessage::Deliver { from, topic, bytes } => {
                out.push(tag::DELIVER);
                out.extend_from_slice(&from.0.to_be_bytes());
                sq_types::codec::put_option(out, topic.as_ref());
                put_var_bytes(out, bytes);
            }
        }
    }
}

impl Decode for ServerMessage {
    fn decode_from(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        match r.u8()? {
            tag::CHALLENGE => Ok(ServerMessage::Challenge { nonce: r.array()? }),
            tag::ERROR => {
                let raw = r.u8()?;
                let code = ErrorCode::from_u8(raw).ok_or(DecodeError::UnknownTag {
                    what: "error code",
                    tag: raw,
                })?;
                let bytes = r.var_bytes("error message", MAX_ERROR_MESSAGE_BYTES)?;
                let message = String::from_utf8(bytes).map_err(|e| DecodeError::Invalid {
                    what: "error message",
                    reason: e.to_string(),
                })?;
                Ok(ServerMessage::Error { code, message })
            }
            tag::CONFIG => Ok(ServerMessage::Config(NetworkConfig::decode_from(r)?)),
            tag::DELIVER => Ok(ServerMessage::Deliver {
                from: NodeIndex(r.u32()?),
                topic: r.option("deliver topic")?,
                bytes: r.var_bytes("deliver payload", MAX_MESSAGE_BYTES)?,
            }),
            tag => Err(DecodeError::UnknownTag {
                what: "server message",
                tag,
            }),
        }
    }
}

/// The longest prefix of `s` of at most `max` bytes that ends on a character boundary.
fn truncate_utf8(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests;
