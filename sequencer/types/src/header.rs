//! Block headers, the namespace table, and their canonical encoding.
//!
//! # Canonical header encoding (version 1)
//!
//! All integers are big-endian. The header commitment is `keccak256` of:
//!
//! | field                | bytes | Solidity type in `abi.encodePacked` |
//! |----------------------|-------|-------------------------------------|
//! | `height`             | 8     | `uint64`                            |
//! | `view`               | 8     | `uint64`                            |
//! | `parent`             | 32    | `bytes32` (parent leaf commitment)  |
//! | `payload_commitment` | 32    | `bytes32`                           |
//! | `timestamp_ms`       | 8     | `uint64` (Unix time, milliseconds)  |
//! | `l1_head`            | 8     | `uint64` (L1 block number)          |
//! | `ns_table`           | 4 + 12·k | `bytes` (see [`NsTable`])        |
//!
//! so `keccak256(abi.encodePacked(height, view, parent, payloadCommitment, timestampMs, l1Head,
//! nsTable))` in Solidity equals [`Header::commit`].

use crate::codec::{limits, put_len, Decode, DecodeError, Encode, Reader};
use crate::{Commitment, Height, NamespaceId, View};

/// One namespace's byte range inside the block payload: it ends (exclusive) at `end`, and starts
/// where the previous entry ended (0 for the first entry).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NsTableEntry {
    /// The namespace.
    pub namespace: NamespaceId,
    /// Exclusive end offset of the namespace's bytes in the payload.
    pub end: u32,
}

/// The namespace table: which byte range of the payload belongs to which namespace.
///
/// Encoding: `count: u32 BE` then `count × (namespace: u64 BE, end: u32 BE)`. Entries are
/// strictly ordered by namespace id (so each namespace appears once) and `end` offsets never
/// decrease. At most [`limits::MAX_NAMESPACES`] entries.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct NsTable(pub Vec<NsTableEntry>);

impl NsTable {
    /// Checks ordering and monotone offsets, and that the last `end` equals `payload_len`.
    ///
    /// # Errors
    /// [`DecodeError::Invalid`] describing the first violated rule.
    pub fn validate(&self, payload_len: usize) -> Result<(), DecodeError> {
        let invalid = |reason: String| DecodeError::Invalid {
            what: "namespace table",
            reason,
        };
        let mut prev_end = 0u32;
        for (i, pair) in self.0.iter().enumerate() {
            if i > 0 && self.0[i - 1].namespace >= pair.namespace {
                return Err(invalid(format!(
                    "entry {i} is not in strictly increasing namespace order"
                )));
            }
            if pair.end < prev_end {
                return Err(invalid(format!(
                    "entry {i} ends at {} before {}",
                    pair.end, prev_end
                )));
            }
            prev_end = pair.end;
        }
        if prev_end as usize != payload_len {
            return Err(invalid(format!(
                "covers {prev_end} bytes of a {payload_len}-byte payload"
            )));
        }
        Ok(())
    }

    /// The byte range of `namespace` in the payload, if present.
    #[must_use]
    pub fn range(&self, namespace: NamespaceId) -> Option<std::ops::Range<usize>> {
        let i = self.0.iter().position(|e| e.namespace == namespace)?;
        let start = if i == 0 {
            0
        } else {
            self.0[i - 1].end as usize
        };
        Some(start..self.0[i].end as usize)
    }
}

impl Encode for NsTable {
    fn encode_to(&self, out: &mut Vec<u8>) {
        put_len(out, self.0.len());
        for e in &self.0 {
            out.extend_from_slice(&e.namespace.0.to_be_bytes());
            out.extend_from_slice(&e.end.to_be_bytes());
        }
    }
}

impl Decode for NsTable {
    fn decode_from(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let count = r.len_prefix("namespace table", limits::MAX_NAMESPACES)?;
        let mut entries = Vec::with_capacity(count);
        for _ in 0..count {
            entries.push(NsTableEntry {
                namespace: NamespaceId(r.u64()?),
                end: r.u32()?,
            });
        }
        Ok(NsTable(entries))
    }
}

/// A block header. Its commitment is the leaf commitment that votes and QCs sign (see
/// [`crate::Leaf`]).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Header {
    /// Position in the chain; the parent's height plus one.
    pub height: Height,
    /// The view in which the block was proposed.
    pub view: View,
    /// Commitment of the parent header (the leaf the justify QC certifies).
    pub parent: Commitment,
    /// Commitment to the block payload (the VID root once the DA layer is in place).
    pub payload_commitment: Commitment,
    /// Proposer's wall-clock time, Unix milliseconds.
    pub timestamp_ms: u64,
    /// The latest L1 block number the proposer had seen.
    pub l1_head: u64,
    /// Namespace byte ranges in the payload.
    pub ns_table: NsTable,
}

/// The payload commitment: `keccak256(payload)`.
///
/// Stand-in until the DA layer lands: with VID the header carries the Merkle root of the
/// erasure-coded shares instead (issue "Data availability").
#[must_use]
pub fn payload_commitment(payload: &[u8]) -> Commitment {
    Commitment::keccak(&[payload])
}

impl Header {
    /// The genesis header: height 0, view 0, zero parent, commitment of the empty payload.
    #[must_use]
    pub fn genesis() -> Header {
        Header {
            height: Height(0),
            view: View(0),
            parent: Commitment::ZERO,
            payload_commitment: payload_commitment(&[]),
            timestamp_ms: 0,
            l1_head: 0,
            ns_table: NsTable::default(),
        }
    }

    /// keccak-256 of the canonical encoding (see the module docs).
    #[must_use]
    pub fn commit(&self) -> Commitment {
        Commitment::keccak(&[&self.encode()])
    }
}

impl Encode for Header {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.height.0.to_be_bytes());
        out.extend_from_slice(&self.view.0.to_be_bytes());
        out.extend_from_slice(&self.parent.0);
        out.extend_from_slice(&self.payload_commitment.0);
        out.extend_from_slice(&self.timestamp_ms.to_be_bytes());
        out.extend_from_slice(&self.l1_head.to_be_bytes());
        self.ns_table.encode_to(out);
    }
}

impl Decode for Header {
    fn decode_from(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Header {
            height: Height(r.u64()?),
            view: View(r.u64()?),
            parent: Commitment(r.array()?),
            payload_commitment: Commitment(r.array()?),
            timestamp_ms: r.u64()?,
            l1_head: r.u64()?,
            ns_table: NsTable::decode_from(r)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Header {
        Header {
            height: Height(5),
            view: View(9),
            parent: Commitment([1; 32]),
            payload_commitment: Commitment([2; 32]),
            timestamp_ms: 1_700_000_000_000,
            l1_head: 42,
            ns_table: NsTable(vec![
                NsTableEntry {
                    namespace: NamespaceId(1),
                    end: 10,
                },
                NsTableEntry {
                    namespace: NamespaceId(7),
                    end: 30,
                },
            ]),
        }
    }

    #[test]
    fn encoding_layout_is_fixed() {
        let enc = sample().encode();
        assert_eq!(enc.len(), 8 + 8 + 32 + 32 + 8 + 8 + 4 + 2 * 12);
        assert_eq!(&enc[..8], &5u64.to_be_bytes());
        assert_eq!(&enc[8..16], &9u64.to_be_bytes());
        assert_eq!(&enc[96..100], &2u32.to_be_bytes());
        assert_eq!(Header::decode(&enc), Ok(sample()));
    }

    #[test]
    fn every_field_changes_the_commitment() {
        let base = sample().commit();
        let mut h = sample();
        h.height = Height(6);
        assert_ne!(h.commit(), base);
        let mut h = sample();
        h.ns_table.0[1].end = 31;
        assert_ne!(h.commit(), base);
        let mut h = sample();
        h.l1_head = 43;
        assert_ne!(h.commit(), base);
    }

    #[test]
    fn ns_table_rules() {
        let t = sample().ns_table;
        assert_eq!(t.validate(30), Ok(()));
        assert!(t.validate(29).is_err());
        assert_eq!(t.range(NamespaceId(7)), Some(10..30));
        assert_eq!(t.range(NamespaceId(2)), None);
        let unordered = NsTable(vec![t.0[1], t.0[0]]);
        assert!(unordered.validate(10).is_err());
    }

    #[test]
    fn truncated_header_is_rejected() {
        let enc = sample().encode();
        for cut in [0, 7, 50, enc.len() - 1] {
            assert!(matches!(
                Header::decode(&enc[..cut]),
                Err(DecodeError::Truncated { .. })
            ));
        }
    }
}
