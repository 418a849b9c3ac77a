//! Pure conversion between the crate's types and database row values. No I/O.
//!
//! Column encodings (both dialects): heights, views and indices are signed 64-bit integers and
//! must be `<= i64::MAX`; a namespace id is stored as the `i64` with the same 64 bits (a
//! reversible bit cast, so every `u64` fits); commitments are 32 raw bytes; leaves and QCs are
//! their `sq-types` canonical encodings.

use std::collections::HashSet;

use sq_types::codec::{limits, Decode, DecodeError, Encode};
use sq_types::{Commitment, Height, Leaf, NamespaceId, QuorumCertificate, Transaction};

use crate::{DecidedBlock, StorageError};

/// A `u64` protocol integer as a column value.
///
/// # Errors
/// [`StorageError::OutOfRange`] above `i64::MAX`.
pub(crate) fn to_sql(what: &'static str, value: u64) -> Result<i64, StorageError> {
    i64::try_from(value).map_err(|_| StorageError::OutOfRange { what, value })
}

/// A lookup key: `None` when the value cannot be stored, so no row can match it.
pub(crate) fn key(value: u64) -> Option<i64> {
    i64::try_from(value).ok()
}

/// A `limit` for SQL `LIMIT`, clamped to `i64::MAX`.
pub(crate) fn limit(value: usize) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// A namespace id as its column value (bit cast).
pub(crate) fn namespace_to_sql(ns: NamespaceId) -> i64 {
    i64::from_ne_bytes(ns.0.to_ne_bytes())
}

/// A namespace column value back to its id (bit cast).
pub(crate) fn namespace_from_sql(v: i64) -> NamespaceId {
    NamespaceId(u64::from_ne_bytes(v.to_ne_bytes()))
}

/// A stored non-negative integer column back to `u64`.
fn unsigned(what: &'static str, height: i64, v: i64) -> Result<u64, StorageError> {
    u64::try_from(v).map_err(|_| corrupt(what, height, format!("negative value {v}")))
}

/// A stored height back to [`Height`].
///
/// # Errors
/// [`StorageError::Corrupt`] for a negative value.
pub(crate) fn height_from_sql(v: i64) -> Result<Height, StorageError> {
    unsigned("height", v, v).map(Height)
}

fn corrupt(what: &'static str, height: i64, reason: String) -> StorageError {
    StorageError::Corrupt {
        what,
        height: u64::try_from(height).unwrap_or(0),
        source: DecodeError::Invalid { what, reason },
    }
}

fn decode<T: Decode>(what: &'static str, height: i64, bytes: &[u8]) -> Result<T, StorageError> {
    T::decode(bytes).map_err(|source| StorageError::Corrupt {
        what,
        height: u64::try_from(height).unwrap_or(0),
        source,
    })
}

/// The `leaves` row values of one block.
#[derive(Debug)]
pub(crate) struct LeafRow {
    /// `leaves.height`.
    pub(crate) height: i64,
    /// `leaves.view`.
    pub(crate) view: i64,
    /// `leaves.leaf_hash`: 32 bytes.
    pub(crate) leaf_hash: Vec<u8>,
    /// `leaves.leaf`: canonical encoding.
    pub(crate) leaf: Vec<u8>,
    /// `leaves.qc`: canonical encoding.
    pub(crate) qc: Vec<u8>,
}

/// The `transactions` rows of one block, column by column (for batch binds).
#[derive(Debug, Default)]
pub(crate) struct TxRows {
    /// `transactions.hash`: 32 bytes each.
    pub(crate) hashes: Vec<Vec<u8>>,
    /// `transactions.idx`: position in the block.
    pub(crate) idxs: Vec<i64>,
    /// `transactions.namespace` (bit cast).
    pub(crate) namespaces: Vec<i64>,
    /// `transactions.payload`.
    pub(crate) payloads: Vec<Vec<u8>>,
}

/// The rows of one decided block.
#[derive(Debug)]
pub(crate) struct BlockRows {
    pub(crate) leaf: LeafRow,
    pub(crate) txs: TxRows,
}

impl BlockRows {
    /// Validates `block` and lays it out as rows. A transaction whose hash already occurs
    /// earlier in the same block is left out (the first occurrence is kept); duplicates of
    /// earlier blocks are left out by the insert itself.
    ///
    /// # Errors
    /// [`StorageError::InvalidBlock`] or [`StorageError::OutOfRange`].
    pub(crate) fn new(block: &DecidedBlock) -> Result<BlockRows, StorageError> {
        block.validate()?;
        let header = &block.leaf.header;
        let leaf = LeafRow {
            height: to_sql("height", header.height.0)?,
            view: to_sql("view", header.view.0)?,
            leaf_hash: block.leaf.commit().0.to_vec(),
            leaf: block.leaf.encode(),
            qc: block.qc.encode(),
        };
        let mut txs = TxRows::default();
        let mut seen = HashSet::new();
        for (idx, tx) in block.transactions.iter().enumerate() {
            let hash = tx.commit();
            if !seen.insert(hash) {
                continue;
            }
            txs.hashes.push(hash.0.to_vec());
            txs.idxs.push(to_sql("transaction index", idx as u64)?);
            txs.namespaces.push(namespace_to_sql(tx.namespace));
            txs.payloads.push(tx.payload.clone());
        }
        Ok(BlockRows { leaf, txs })
    }
}

/// A `leaves` row (`height`, `leaf`, `qc`) back to its types. The leaf must decode, sit at the
/// row's height, and be the leaf its QC certifies.
///
/// # Errors
/// [`StorageError::Corrupt`].
pub(crate) fn leaf_from_row(
    height: i64,
    leaf: &[u8],
    qc: &[u8],
) -> Result<(Leaf, QuorumCertificate), StorageError> {
    let decoded: Leaf = decode("leaf", height, leaf)?;
    let qc: QuorumCertificate = decode("qc", height, qc)?;
    let h = unsigned("height", height, height)?;
    if decoded.header.height != Height(h) {
        return Err(corrupt(
            "leaf",
            height,
            format!("header height {} in row {height}", decoded.header.height),
        ));
    }
    if qc.leaf != decoded.commit() {
        return Err(corrupt("qc", height, "certifies another leaf".into()));
    }
    Ok((decoded, qc))
}

/// A `transactions` row as selected: `hash, height, idx, namespace, payload`.
pub(crate) type TxRow = (Vec<u8>, i64, i64, i64, Vec<u8>);

/// A `transactions` row back to `(height, idx, transaction)`. The payload must be within
/// [`limits::MAX_TRANSACTION_BYTES`] and the transaction must hash to the stored `hash`.
///
/// # Errors
/// [`StorageError::Corrupt`].
pub(crate) fn tx_from_row(
    (hash, height, idx, namespace, payload): TxRow,
) -> Result<(Height, u32, Transaction), StorageError> {
    let h = unsigned("transaction height", height, height)?;
    let idx = u32::try_from(idx)
        .map_err(|_| corrupt("transaction index", height, format!("index {idx}")))?;
    if payload.len() > limits::MAX_TRANSACTION_BYTES {
        return Err(StorageError::Corrupt {
            what: "transaction payload",
            height: h,
            source: DecodeError::TooLong {
                what: "transaction payload",
                len: payload.len(),
                max: limits::MAX_TRANSACTION_BYTES,
            },
        });
    }
    let tx = Transaction {
        namespace: namespace_from_sql(namespace),
        payload,
    };
    if tx.commit().0[..] != hash[..] {
        return Err(corrupt(
            "transaction hash",
            height,
            format!("row {idx} does not hash to its key"),
        ));
    }
    Ok((Height(h), idx, tx))
}

/// A commitment as its 32-byte column value.
pub(crate) fn commitment_to_sql(c: &Commitment) -> Vec<u8> {
    c.0.to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(txs: Vec<Transaction>) -> DecidedBlock {
        let leaf = Leaf::genesis();
        DecidedBlock {
            qc: QuorumCertificate::genesis(leaf.commit()),
            leaf,
            payload: None,
            vid_common: None,
            vid_share: None,
            transactions: txs,
        }
    }

    fn tx(ns: u64, payload: &[u8]) -> Transaction {
        Transaction {
            namespace: NamespaceId(ns),
            payload: payload.to_vec(),
        }
    }

    #[test]
    fn namespace_bit_cast_is_reversible() {
        for ns in [0, 1, i64::MAX as u64, u64::MAX] {
            assert_eq!(
                namespace_from_sql(namespace_to_sql(NamespaceId(ns))),
                NamespaceId(ns)
            );
        }
    }

    #[test]
    fn heights_above_i64_are_out_of_range() {
        assert!(matches!(
            to_sql("height", u64::MAX),
            Err(StorageError::OutOfRange { .. })
        ));
        assert_eq!(key(u64::MAX), None);
        assert_eq!(limit(usize::MAX), i64::MAX);
    }

    #[test]
    fn leaf_round_trips_and_garbage_is_corrupt() {
        let rows = BlockRows::new(&block(vec![])).expect("valid");
        let (leaf, qc) = leaf_from_row(0, &rows.leaf.leaf, &rows.leaf.qc).expect("decodes");
        assert_eq!(leaf, Leaf::genesis());
        assert_eq!(qc.leaf, leaf.commit());
        assert!(matches!(
            leaf_from_row(0, b"garbage", &rows.leaf.qc),
            Err(StorageError::Corrupt { what: "leaf", .. })
        ));
        assert!(matches!(
            leaf_from_row(7, &rows.leaf.leaf, &rows.leaf.qc),
            Err(StorageError::Corrupt { what: "leaf", .. })
        ));
    }

    #[test]
    fn duplicate_transactions_in_a_block_keep_the_first_position() {
        let rows =
            BlockRows::new(&block(vec![tx(1, b"a"), tx(2, b"b"), tx(1, b"a")])).expect("valid");
        assert_eq!(rows.txs.idxs, vec![0, 1]);
        let row = (
            rows.txs.hashes[1].clone(),
            0,
            rows.txs.idxs[1],
            rows.txs.namespaces[1],
            rows.txs.payloads[1].clone(),
        );
        let decoded = tx_from_row(row).expect("decodes");
        assert_eq!(decoded, (Height(0), 1, tx(2, b"b")));
        let a = rows.txs.hashes[0].clone();
        assert!(tx_from_row((a.clone(), 0, 0, 2, b"b".to_vec())).is_err());
        assert!(tx_from_row((a, 0, -1, 1, b"a".to_vec())).is_err());
    }
}
