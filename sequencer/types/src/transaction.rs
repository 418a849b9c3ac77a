//! Transactions: an opaque payload tagged with the rollup namespace it belongs to.

use crate::codec::{limits, put_var_bytes, Decode, DecodeError, Encode, Reader};
use crate::{Commitment, NamespaceId};

/// A transaction as submitted to a sequencer: `{namespace, payload}`.
///
/// The sequencer does not interpret `payload`; the rollup that owns `namespace` does.
/// `payload` is at most [`limits::MAX_TRANSACTION_BYTES`] bytes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Transaction {
    /// The rollup namespace.
    pub namespace: NamespaceId,
    /// Opaque bytes, interpreted by the rollup.
    pub payload: Vec<u8>,
}

impl Transaction {
    /// The transaction's commitment: `keccak256(namespace_u64_be || payload)`.
    ///
    /// Used as the transaction hash by the submit and availability APIs.
    #[must_use]
    pub fn commit(&self) -> Commitment {
        Commitment::keccak(&[&self.namespace.0.to_be_bytes(), &self.payload])
    }
}

impl Encode for Transaction {
    /// Layout: `namespace: u64 BE`, `payload_len: u32 BE`, `payload`.
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.namespace.0.to_be_bytes());
        put_var_bytes(out, &self.payload);
    }
}

impl Decode for Transaction {
    fn decode_from(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let namespace = NamespaceId(r.u64()?);
        let payload = r.var_bytes("transaction payload", limits::MAX_TRANSACTION_BYTES)?;
        Ok(Transaction { namespace, payload })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_oversized_payload_rejected() {
        let tx = Transaction {
            namespace: NamespaceId(7),
            payload: b"pay".to_vec(),
        };
        assert_eq!(Transaction::decode(&tx.encode()), Ok(tx.clone()));
        let mut big = 7u64.to_be_bytes().to_vec();
        big.extend_from_slice(&((limits::MAX_TRANSACTION_BYTES + 1) as u32).to_be_bytes());
        assert!(matches!(
            Transaction::decode(&big),
            Err(DecodeError::TooLong { .. })
        ));
    }

    #[test]
    fn commitment_binds_the_namespace() {
        let a = Transaction {
            namespace: NamespaceId(1),
            payload: b"x".to_vec(),
        };
        let b = Transaction {
            namespace: NamespaceId(2),
            payload: b"x".to_vec(),
        };
        assert_ne!(a.commit(), b.commit());
    }
}
