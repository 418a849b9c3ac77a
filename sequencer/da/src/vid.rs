//! VID dispersal: erasure-code a payload into `n` shares, commit to them with a Merkle tree, and
//! bind the result to the namespace table in one payload commitment.
//!
//! Implements the AVID-M dispersal of DispersedLedger (Yang et al., NSDI '22, §4.1: "encode,
//! Merkle-commit the chunks, send chunk `i` with its proof to node `i`"), which is also the
//! "Savoiardi"-style VID of the HotShot paper's Tiramisu DA layer. It deviates from HotShot's
//! ADVZ scheme: there the commitment is a KZG polynomial commitment, so every share is checked
//! against the payload on receipt; here a share is only checked against the Merkle root, and
//! consistency of the whole dispersal is checked at recovery time ([`crate::recover()`]).
//!
//! # Parameters
//!
//! `n` shares (one per node), recovery threshold `k = ⌊n/3⌋ + 1` (any `f + 1` honest shares
//! for `n = 3f + 1`), `n - k` recovery shards.
//!
//! # Byte layout of the shares
//!
//! For a payload of `L` bytes:
//!
//! ```text
//! framed  = L as u64 BE (8 bytes) ‖ payload (L bytes) ‖ zero padding      -- k·s bytes
//! s       = max(2, round_up_to_even(⌈(8 + L) / k⌉))                       -- shard_bytes
//! share i = framed[i·s .. (i+1)·s]                 for i in 0..k   (original shards)
//! share i = Reed–Solomon recovery shard i - k      for i in k..n   (reed-solomon-simd 3.x,
//!                                                                   GF(2^16) Leopard code)
//! ```
//!
//! `s` is even because reed-solomon-simd works on 16-bit symbols and requires a non-zero, even
//! shard size. For `n = 1` (`k = 1`, no recovery shards) the encoder is not called.
//!
//! # Merkle tree and commitment
//!
//! ```text
//! vid leaf i = keccak256(0x00 ‖ i as u32 BE ‖ share i)          -- 5 + s byte pre-image
//! vid_root   = root of the crate::merkle tree over the n leaves
//! commitment = keccak256("sq-da/payload/v1" ‖ n u32 BE ‖ L u64 BE ‖ vid_root ‖ ns_root)
//! ```
//!
//! with `ns_root` from [`crate::namespace::ns_root`]. The pre-image is 16 + 4 + 8 + 32 + 32 =
//! 92 bytes, i.e. Solidity `keccak256(abi.encodePacked("sq-da/payload/v1", uint32 n, uint64 L,
//! bytes32 vidRoot, bytes32 nsRoot))`. `s` is not hashed: it follows from `n` and `L`.

use reed_solomon_simd::ReedSolomonEncoder;
use sq_types::codec::limits;
use sq_types::{Commitment, NodeIndex, NsTable};

use crate::merkle::{keccak, Hash, MerkleTree};
use crate::namespace::ns_root;
use crate::{DaError, VidCommon, VidShare};

/// Largest `n` (the stake table limit, `sq_types::codec::limits::MAX_NODES`).
pub const MAX_VID_NODES: u32 = limits::MAX_NODES as u32;

/// Largest payload [`disperse`] accepts, in bytes (1 GiB). Consensus caps blocks at
/// `sq_types::codec::limits::MAX_PAYLOAD_BYTES` (8 MiB), far below; the larger bound exists so
/// benchmarks can measure bigger payloads and so every shard size fits in a `u32`.
pub const MAX_DISPERSAL_BYTES: u64 = 1 << 30;

/// Bytes of the big-endian `u64` length prefix at the start of the framed payload.
pub const LENGTH_PREFIX_BYTES: usize = 8;

const COMMITMENT_DOMAIN: &[u8] = b"sq-da/payload/v1";

/// The share count `n`, validated. `k` and the shard size derive from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct VidParams {
    n: u32,
}

impl VidParams {
    /// Parameters for `n` shares, one per node.
    ///
    /// # Errors
    /// [`DaError::InvalidParams`] unless `1 <= n <= MAX_VID_NODES`.
    pub fn new(n: u32) -> Result<VidParams, DaError> {
        if (1..=MAX_VID_NODES).contains(&n) {
            Ok(VidParams { n })
        } else {
            Err(DaError::InvalidParams {
                n,
                max: MAX_VID_NODES,
            })
        }
    }

    /// The number of shares `n`.
    #[must_use]
    pub fn n(self) -> u32 {
        self.n
    }

    /// The recovery threshold `k = ⌊n/3⌋ + 1`: any `k` distinct shares rebuild the payload.
    #[must_use]
    pub fn k(self) -> u32 {
        self.n / 3 + 1
    }

    /// The number of Reed–Solomon recovery shards, `n - k`.
    #[must_use]
    pub fn recovery_count(self) -> u32 {
        self.n - self.k()
    }

    /// The size of every share, in bytes, for a payload of `payload_len` bytes:
    /// `max(2, round_up_to_even(⌈(8 + payload_len) / k⌉))`. Saturates instead of overflowing.
    #[must_use]
    pub fn shard_bytes(self, payload_len: u64) -> u64 {
        let per_shard = payload_len
            .saturating_add(LENGTH_PREFIX_BYTES as u64)
            .div_ceil(u64::from(self.k()));
        per_shard.saturating_add(per_shard % 2).max(2)
    }
}

/// All `n` shares of one payload: the framed original shards in one buffer, then the recovery
/// shards.
pub(crate) struct Encoded {
    shard_bytes: usize,
    framed: Vec<u8>,
    recovery: Vec<Vec<u8>>,
}

impl Encoded {
    /// The shares in index order.
    pub(crate) fn shares(&self) -> impl Iterator<Item = &[u8]> {
        self.framed
            .chunks(self.shard_bytes)
            .chain(self.recovery.iter().map(Vec::as_slice))
    }

    /// The Merkle root over the shares' VID leaves.
    pub(crate) fn tree(&self) -> Result<MerkleTree, DaError> {
        let leaves = (0u32..).zip(self.shares()).map(|(i, s)| vid_leaf(i, s));
        MerkleTree::new(leaves.collect()).ok_or(DaError::InvalidCommon {
            reason: "no shares",
        })
    }
}

/// Frames and erasure-codes `payload` (see the module docs).
pub(crate) fn encode(params: VidParams, payload: &[u8]) -> Result<Encoded, DaError> {
    let len = payload.len() as u64;
    if len > MAX_DISPERSAL_BYTES {
        return Err(DaError::PayloadTooLarge {
            len,
            max: MAX_DISPERSAL_BYTES,
        });
    }
    // Fits: at most MAX_DISPERSAL_BYTES + 10.
    let shard_bytes = params.shard_bytes(len) as usize;
    let k = params.k() as usize;
    let mut framed = Vec::with_capacity(k * shard_bytes);
    framed.extend_from_slice(&len.to_be_bytes());
    framed.extend_from_slice(payload);
    framed.resize(k * shard_bytes, 0);
    let recovery_count = params.recovery_count() as usize;
    let recovery = if recovery_count == 0 {
        Vec::new()
    } else {
        let mut encoder = ReedSolomonEncoder::new(k, recovery_count, shard_bytes)?;
        for shard in framed.chunks(shard_bytes) {
            encoder.add_original_shard(shard)?;
        }
        let result = encoder.encode()?;
        result.recovery_iter().map(<[u8]>::to_vec).collect()
    };
    Ok(Encoded {
        shard_bytes,
        framed,
        recovery,
    })
}

/// The `n` share byte strings of `payload`, each [`VidParams::shard_bytes`] long, in index
/// order (building block for tests and benchmarks; [`disperse`] is the normal entry point).
///
/// # Errors
/// [`DaError::PayloadTooLarge`] above [`MAX_DISPERSAL_BYTES`]; [`DaError::ErasureCode`] is
/// unreachable for valid parameters.
pub fn encode_shares(params: VidParams, payload: &[u8]) -> Result<Vec<Vec<u8>>, DaError> {
    Ok(encode(params, payload)?
        .shares()
        .map(<[u8]>::to_vec)
        .collect())
}

/// The VID Merkle leaf of share `index`: `keccak256(0x00 ‖ index u32 BE ‖ data)`.
#[must_use]
pub fn vid_leaf(index: u32, data: &[u8]) -> Hash {
    keccak(&[&[0x00], &index.to_be_bytes(), data])
}

/// The payload commitment (see the module docs for the 92-byte pre-image).
#[must_use]
pub fn payload_commitment(n: u32, payload_len: u64, vid_root: &Hash, ns_root: &Hash) -> Commitment {
    Commitment::keccak(&[
        COMMITMENT_DOMAIN,
        &n.to_be_bytes(),
        &payload_len.to_be_bytes(),
        vid_root,
        ns_root,
    ])
}

/// What a leader produces for one block: the commitment that goes in the header, the common
/// data every verifier needs, and one share per node (share `i` for node `i`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dispersal {
    /// The payload commitment (`Header::payload_commitment`).
    pub commitment: Commitment,
    /// `n`, the payload length, the shard size and the two roots.
    pub common: VidCommon,
    /// The `n` shares in index order.
    pub shares: Vec<VidShare>,
}

/// Erasure-codes `payload` into `params.n()` Merkle-committed shares and commits to it together
/// with `ns_table` (AVID-M dispersal; layouts in the module docs).
///
/// Cost: one Reed–Solomon encode and keccak over about `n/k ≈ 3` times the payload for the
/// shares, plus once more for the namespace leaves.
///
/// # Errors
/// [`DaError::InvalidNsTable`] when `ns_table` does not cover exactly `payload` (the rules of
/// `NsTable::validate`; an empty table only fits an empty payload);
/// [`DaError::PayloadTooLarge`] above [`MAX_DISPERSAL_BYTES`].
pub fn disperse(
    params: VidParams,
    payload: &[u8],
    ns_table: &NsTable,
) -> Result<Dispersal, DaError> {
    let ns_root = ns_root(payload, ns_table)?;
    let encoded = encode(params, payload)?;
    let tree = encoded.tree()?;
    let common = VidCommon {
        n: params.n(),
        payload_len: payload.len() as u64,
        shard_bytes: encoded.shard_bytes as u32,
        vid_root: tree.root(),
        ns_root,
    };
    let shares = (0u32..)
        .zip(encoded.shares())
        .map(|(i, data)| {
            let proof = tree.proof(i).ok_or(DaError::InvalidCommon {
                reason: "share index beyond the tree",
            })?;
            Ok(VidShare {
                index: NodeIndex(i),
                data: data.to_vec(),
                proof,
            })
        })
        .collect::<Result<_, DaError>>()?;
    Ok(Dispersal {
        commitment: common.commitment(),
        common,
        shares,
    })
}
