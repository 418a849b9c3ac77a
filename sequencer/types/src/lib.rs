//! Core sequencer types: views, heights, namespaces, headers, leaves, certificates, BLS keys and bounded codecs.
//!
//! Everything a sequencer node, the L1 contracts or the prover must agree on byte for byte lives
//! here. Commitments are keccak-256 over the canonical encodings documented on each type, so that
//! Solidity can recompute them with `keccak256(abi.encodePacked(...))`.
//!
//! Decoders never trust a length prefix: every variable-length field has an explicit maximum
//! (see [`codec::limits`]) and every failure is a typed [`codec::DecodeError`].
#![cfg_attr(not(test), forbid(unsafe_code))]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::panic))]

pub mod bls;
pub mod certificate;
pub mod codec;
pub mod commitment;
pub mod crypto;
pub mod header;
pub mod ids;
pub mod leaf;
pub mod payload;
pub mod stake;
pub mod transaction;

pub use bls::{BlsKeyPair, BlsPublicKey, BlsSecretKey, BlsSignature, ProofOfPossession};
pub use certificate::{QuorumCertificate, SignerBitmap, TimeoutCertificate};
pub use commitment::Commitment;
pub use crypto::{BlsCrypto, Crypto};
pub use header::{Header, NsTable, NsTableEntry};
pub use ids::{Height, NamespaceId, NodeIndex, View};
pub use leaf::Leaf;
pub use stake::{StakeEntry, StakeTable};
pub use transaction::Transaction;
