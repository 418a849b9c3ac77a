//! The data-availability step of voting (DESIGN.md "Consensus"; HotShot paper, Tiramisu DA with
//! VID): the header's payload commitment is the AVID-M commitment of `sq-da` over the stake
//! table's `n` nodes, and a replica votes only once its own VID share is durable.
//!
//! Every node is a member of the DA committee here: the proposal carries the whole payload, each
//! replica re-disperses it (checking the commitment exactly, which a share-only node cannot do),
//! keeps its own share with its Merkle proof, and persists both with the proposal before the
//! vote leaves. A QC is therefore also the DA certificate: its ⌊2n/3⌋+1 stake of votes were each
//! cast after storing a verified share, so at least `f+1` honest nodes hold shares and any
//! `⌊n/3⌋+1` of them rebuild the payload (`sq_da::recover`). Deviation from HotShot: no separate
//! DA-vote round and no share-only (non-DA) nodes yet.

use sq_da::{DaError, Dispersal, VidParams};
use sq_types::NsTable;

/// Disperses `payload` with its namespace table for a stake table of `n` nodes: the commitment
/// for the header, the common data and one share per node.
///
/// # Errors
/// [`DaError`] when `n` is outside `1..=4096`, the namespace table does not cover the payload
/// exactly, or the payload is too large.
pub fn disperse(n: usize, payload: &[u8], ns_table: &NsTable) -> Result<Dispersal, DaError> {
    let params = VidParams::new(u32::try_from(n).unwrap_or(u32::MAX))?;
    sq_da::disperse(params, payload, ns_table)
}
