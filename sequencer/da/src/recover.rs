//! Payload recovery from any `k` valid shares, with AVID-M's consistency check.
//!
//! DispersedLedger §4.1 (AVID-M "Retrieve"): decode from `k` chunks that verify against the
//! Merkle root, then re-encode the decoded block, recompute the root, and output ⊥ when it
//! differs. This is what makes a Merkle-committed (rather than polynomial-committed) VID safe:
//! the leader can commit to shares that are not one codeword, and without the check different
//! subsets of shares would decode to different payloads. With it, every honest node that
//! recovers outputs the same payload or the same [`DaError::InconsistentDispersal`].
//!
//! Steps, in order:
//! 1. check `common` against the commitment;
//! 2. verify shares in the order given, skipping (and reporting) invalid ones and duplicate
//!    indices, until `k` distinct valid shares are in hand; later shares are not examined;
//! 3. Reed–Solomon decode the `k` original shards (no decoding when shares `0..k` are all among
//!    them);
//! 4. read the `u64` length prefix; it must equal `common.payload_len`;
//! 5. recompute `ns_root` from the recovered payload and the header's namespace table;
//! 6. re-encode the payload and recompute `vid_root`. Together with step 4 this also rejects
//!    non-zero padding and any shares off the codeword.
//!
//! The namespace table is a parameter (it travels in the header, which the quorum certificate
//! covers) rather than a field of [`VidCommon`], which stays a fixed 80 bytes.

use reed_solomon_simd::ReedSolomonDecoder;
use sq_types::{Commitment, NodeIndex, NsTable};

use crate::namespace::ns_root;
use crate::vid::{encode, VidParams, LENGTH_PREFIX_BYTES};
use crate::{DaError, VidCommon, VidShare};

/// A recovered payload and the shares that were refused on the way.
#[derive(Clone, Debug, PartialEq)]
pub struct Recovered {
    /// The payload, exactly as dispersed.
    pub payload: Vec<u8>,
    /// Shares that failed verification, with the reason (for peer scoring). Duplicates of an
    /// already accepted index are skipped without being listed.
    pub rejected: Vec<(NodeIndex, DaError)>,
}

/// Rebuilds the payload behind `commitment` from `shares` (see the module docs for the steps).
///
/// `ns_table` is the header's namespace table. Cost: keccak over `k` shares, one decode, then a
/// full re-encode and re-hash (about the cost of [`crate::disperse`]).
///
/// # Errors
/// - [`DaError::InvalidCommon`] / [`DaError::CommitmentMismatch`] for a bad `common`;
/// - [`DaError::NotEnoughShares`] when fewer than `k` distinct shares verify;
/// - [`DaError::InconsistentDispersal`] when the verified shares do not re-encode to
///   `commitment`, or `ns_table` does not fit the recovered payload (the leader is at fault).
pub fn recover(
    common: &VidCommon,
    commitment: &Commitment,
    ns_table: &NsTable,
    shares: &[VidShare],
) -> Result<Recovered, DaError> {
    let params = common.check(commitment)?;
    let k = params.k() as usize;
    let mut chosen: Vec<Option<&[u8]>> = vec![None; params.n() as usize];
    let (mut valid, mut rejected) = (0usize, Vec::new());
    for share in shares {
        if valid == k {
            break;
        }
        let slot = share.index.as_usize();
        if chosen.get(slot).is_some_and(Option::is_some) {
            continue;
        }
        match share.verify_against(common) {
            Ok(()) => {
                chosen[slot] = Some(&share.data);
                valid += 1;
            }
            Err(e) => rejected.push((share.index, e)),
        }
    }
    let not_enough = DaError::NotEnoughShares {
        valid,
        needed: k,
        rejected: rejected.len(),
    };
    if valid < k {
        return Err(not_enough);
    }
    let framed = decode_framed(params, common.shard_bytes as usize, &chosen)?.ok_or(not_enough)?;
    let payload = unframe(&framed, common.payload_len)?;
    let inconsistent = |reason| DaError::InconsistentDispersal { reason };
    let recomputed_ns = ns_root(payload, ns_table)
        .map_err(|_| inconsistent("namespace table does not fit the recovered payload"))?;
    if recomputed_ns != common.ns_root {
        return Err(inconsistent(
            "namespace root differs from the recovered payload's",
        ));
    }
    if encode(params, payload)?.tree()?.root() != common.vid_root {
        return Err(inconsistent(
            "shares are not the encoding of the recovered payload",
        ));
    }
    Ok(Recovered {
        payload: payload.to_vec(),
        rejected,
    })
}

/// The `k·s` framed bytes from the chosen shares, or `None` if the decoder did not restore a
/// missing original (it always does when given `k` shares).
fn decode_framed(
    params: VidParams,
    shard_bytes: usize,
    chosen: &[Option<&[u8]>],
) -> Result<Option<Vec<u8>>, DaError> {
    let k = params.k() as usize;
    let (original, recovery) = chosen.split_at(k.min(chosen.len()));
    let mut framed = Vec::with_capacity(k * shard_bytes);
    if original.iter().all(Option::is_some) {
        original
            .iter()
            .flatten()
            .for_each(|s| framed.extend_from_slice(s));
        return Ok(Some(framed));
    }
    let mut decoder = ReedSolomonDecoder::new(k, params.recovery_count() as usize, shard_bytes)?;
    for (i, s) in original.iter().enumerate() {
        if let Some(s) = s {
            decoder.add_original_shard(i, s)?;
        }
    }
    for (i, s) in recovery.iter().enumerate() {
        if let Some(s) = s {
            decoder.add_recovery_shard(i, s)?;
        }
    }
    let result = decoder.decode()?;
    for (i, s) in original.iter().enumerate() {
        match s.or_else(|| result.restored_original(i)) {
            Some(s) => framed.extend_from_slice(s),
            None => return Ok(None),
        }
    }
    Ok(Some(framed))
}

/// The payload inside `framed`, whose length prefix must equal `payload_len`.
fn unframe(framed: &[u8], payload_len: u64) -> Result<&[u8], DaError> {
    let inconsistent = DaError::InconsistentDispersal {
        reason: "length prefix differs from the committed payload length",
    };
    let prefix = framed
        .get(..LENGTH_PREFIX_BYTES)
        .and_then(|p| <[u8; 8]>::try_from(p).ok())
        .map(u64::from_be_bytes);
    if prefix != Some(payload_len) {
        return Err(inconsistent);
    }
    let end =
        LENGTH_PREFIX_BYTES.saturating_add(usize::try_from(payload_len).unwrap_or(usize::MAX));
    framed.get(LENGTH_PREFIX_BYTES..end).ok_or(inconsistent)
}
