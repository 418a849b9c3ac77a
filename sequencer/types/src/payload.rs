//! The block payload layout.
//!
//! A payload is the concatenation of its namespaces' byte ranges, in the order of the header's
//! namespace table (ascending namespace id). Inside a namespace's range, transactions follow one
//! another as `len: u32 BE ‖ payload[len]`. The namespace id of each transaction is the range's
//! namespace, so it is not repeated.

use crate::codec::{limits, put_var_bytes, DecodeError, Reader};
use crate::{NamespaceId, NsTable, NsTableEntry, Transaction};
use std::collections::BTreeMap;

/// Builds a payload and its namespace table from transactions (any order; within a namespace
/// their relative order is kept).
///
/// # Errors
/// [`DecodeError::TooLong`] if the payload would exceed [`limits::MAX_PAYLOAD_BYTES`] or use more
/// than [`limits::MAX_NAMESPACES`] namespaces (callers size blocks below both).
pub fn build(txs: &[Transaction]) -> Result<(Vec<u8>, NsTable), DecodeError> {
    let mut by_ns: BTreeMap<NamespaceId, Vec<u8>> = BTreeMap::new();
    for tx in txs {
        put_var_bytes(by_ns.entry(tx.namespace).or_default(), &tx.payload);
    }
    if by_ns.len() > limits::MAX_NAMESPACES {
        return Err(DecodeError::TooLong {
            what: "namespaces",
            len: by_ns.len(),
            max: limits::MAX_NAMESPACES,
        });
    }
    let mut payload = Vec::new();
    let mut table = Vec::with_capacity(by_ns.len());
    for (namespace, bytes) in by_ns {
        payload.extend_from_slice(&bytes);
        if payload.len() > limits::MAX_PAYLOAD_BYTES {
            return Err(DecodeError::TooLong {
                what: "payload",
                len: payload.len(),
                max: limits::MAX_PAYLOAD_BYTES,
            });
        }
        let end = u32::try_from(payload.len()).map_err(|_| DecodeError::TooLong {
            what: "payload",
            len: payload.len(),
            max: limits::MAX_PAYLOAD_BYTES,
        })?;
        table.push(NsTableEntry { namespace, end });
    }
    Ok((payload, NsTable(table)))
}

/// The transactions of `namespace` in `payload`, in order; empty if the namespace is absent.
///
/// # Errors
/// [`DecodeError`] if the table does not fit the payload or the range is malformed.
pub fn namespace_transactions(
    payload: &[u8],
    table: &NsTable,
    namespace: NamespaceId,
) -> Result<Vec<Transaction>, DecodeError> {
    table.validate(payload.len())?;
    let Some(range) = table.range(namespace) else {
        return Ok(Vec::new());
    };
    split_namespace(&payload[range], namespace)
}

/// The transactions in one namespace's byte range (`len: u32 BE ‖ payload[len]`, repeated),
/// in order: what a rollup gets from a verified `sq_da::NamespaceProof`.
///
/// # Errors
/// [`DecodeError`] if a length prefix is truncated, overruns the range or exceeds
/// [`limits::MAX_TRANSACTION_BYTES`].
pub fn split_namespace(
    bytes: &[u8],
    namespace: NamespaceId,
) -> Result<Vec<Transaction>, DecodeError> {
    let mut r = Reader::new(bytes);
    let mut out = Vec::new();
    while r.remaining() > 0 {
        let bytes = r.var_bytes("transaction", limits::MAX_TRANSACTION_BYTES)?;
        out.push(Transaction {
            namespace,
            payload: bytes,
        });
    }
    Ok(out)
}

/// Every transaction in `payload`, namespace by namespace.
///
/// # Errors
/// As [`namespace_transactions`].
pub fn all_transactions(payload: &[u8], table: &NsTable) -> Result<Vec<Transaction>, DecodeError> {
    let mut out = Vec::new();
    for entry in &table.0 {
        out.extend(namespace_transactions(payload, table, entry.namespace)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tx(ns: u64, p: &[u8]) -> Transaction {
        Transaction {
            namespace: NamespaceId(ns),
            payload: p.to_vec(),
        }
    }

    #[test]
    fn round_trip_groups_by_namespace_and_keeps_order() {
        let txs = vec![tx(7, b"a"), tx(1, b"bb"), tx(7, b"c"), tx(1, b"")];
        let (payload, table) = build(&txs).expect("fits");
        assert_eq!(
            table.0.iter().map(|e| e.namespace.0).collect::<Vec<_>>(),
            vec![1, 7]
        );
        assert_eq!(
            namespace_transactions(&payload, &table, NamespaceId(7)).expect("ok"),
            vec![tx(7, b"a"), tx(7, b"c")]
        );
        assert_eq!(
            namespace_transactions(&payload, &table, NamespaceId(1)).expect("ok"),
            vec![tx(1, b"bb"), tx(1, b"")]
        );
        assert_eq!(all_transactions(&payload, &table).expect("ok").len(), 4);
        assert!(namespace_transactions(&payload, &table, NamespaceId(3))
            .expect("ok")
            .is_empty());
    }

    #[test]
    fn empty_block_and_truncated_range() {
        let (payload, table) = build(&[]).expect("fits");
        assert!(payload.is_empty() && table.0.is_empty());
        let (payload, table) = build(&[tx(1, b"hello")]).expect("fits");
        let mut cut = table.clone();
        cut.0[0].end -= 1;
        assert!(
            namespace_transactions(&payload[..payload.len() - 1], &cut, NamespaceId(1)).is_err()
        );
    }
}
