//! Pure data availability: VID erasure coding of block payloads into Merkle-committed shares, payload recovery, and namespace proofs.
//!
//! This is AVID-M (DispersedLedger, Yang et al., NSDI '22) in the role the HotShot paper gives
//! its VID scheme in the Tiramisu DA layer: the leader [`disperse`]s a payload into `n` shares
//! (share `i` for node `i`) plus one [`VidCommon`]; each node checks its [`VidShare`] against
//! the header's payload commitment ([`VidShare::verify`]) and stores it before its consensus
//! vote (which is therefore also its DA vote: `sq_consensus::da`); any `k = ⌊n/3⌋ + 1` valid shares [`recover()`] the payload, and recovery
//! re-encodes it to catch a leader that dispersed an inconsistent block. A rollup checks its
//! namespace's bytes with a [`NamespaceProof`].
//!
//! Like `sq-consensus`, the crate is pure: no async runtime, no I/O, no clock, no threads. The
//! DA actor in `node` does the waiting and the storing.
//!
//! # Deviations from HotShot's VID (ADVZ)
//!
//! - Shares are committed with a keccak Merkle tree, not KZG. A share is checked only against
//!   the root, so consistency of the whole dispersal is established at recovery time, as in
//!   AVID-M, and [`DaError::InconsistentDispersal`] is the possible outcome of a bad leader.
//! - Namespace proofs are Merkle paths over the namespace table; DA voters cannot check that the
//!   namespace root matches the erasure-coded payload (see [`namespace`] for the consequence).
//!
//! Modules: [`vid`] (parameters, layout, dispersal), [`share`] (common data, shares, codecs,
//! verification), [`recover()`](mod@recover), [`namespace`], [`merkle`], [`error`].
#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::panic))]

pub mod error;
pub mod merkle;
pub mod namespace;
pub mod recover;
pub mod share;
pub mod vid;

pub use error::DaError;
pub use merkle::{Hash, MerkleProof, MerkleTree};
pub use namespace::{namespace_proof, ns_root, NamespaceProof};
pub use recover::{recover, Recovered};
pub use share::{VidCommon, VidShare, MAX_SHARE_BYTES};
pub use vid::{
    disperse, encode_shares, payload_commitment, vid_leaf, Dispersal, VidParams,
    MAX_DISPERSAL_BYTES, MAX_VID_NODES,
};
