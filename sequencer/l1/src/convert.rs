//! Conversions between the Rust types and the contracts' ABI structs.
//!
//! The header fields map one to one (`view` is `viewNumber`, a reserved word in Solidity); the
//! namespace table travels as its canonical encoding; QC signatures travel in the 256-byte
//! EIP-2537 G2 encoding and public keys in the 128-byte G1 encoding (see `sq_types::bls`).

use crate::L1Error;
use alloy::primitives::{Bytes, FixedBytes};
use sq_bindings::hot_shot_commitments::HotShotCommitments;
use sq_types::codec::Encode;
use sq_types::{BlsPublicKey, BlsSignature, Header, QuorumCertificate, StakeEntry, StakeTable};

/// The ABI header of `header`.
#[must_use]
pub fn header_to_abi(header: &Header) -> HotShotCommitments::Header {
    HotShotCommitments::Header {
        height: header.height.0,
        viewNumber: header.view.0,
        parent: FixedBytes(header.parent.0),
        payloadCommitment: FixedBytes(header.payload_commitment.0),
        timestampMs: header.timestamp_ms,
        l1Head: header.l1_head,
        nsTable: Bytes::from(header.ns_table.encode()),
    }
}

/// The ABI QC of `qc`: the packed signer bitmap and the EIP-2537 aggregate signature.
///
/// # Errors
/// [`L1Error::BadSignature`] if the signature is not a valid compressed G2 point.
pub fn qc_to_abi(qc: &QuorumCertificate) -> Result<HotShotCommitments::QC, L1Error> {
    let sig = BlsSignature::from_compressed(&qc.signature.0)
        .map_err(|e| L1Error::BadSignature(e.to_string()))?;
    Ok(HotShotCommitments::QC {
        signers: Bytes::copy_from_slice(qc.signers.as_bytes()),
        signature: Bytes::copy_from_slice(&sig.to_eip2537()),
    })
}

/// Builds a stake table from the contract's snapshot (128-byte EIP-2537 keys, stakes).
///
/// # Errors
/// [`L1Error::InvalidData`] for a key of the wrong length or not on the curve, mismatched
/// arrays, or a table `StakeTable::new` rejects.
pub fn stake_table_from_abi(keys: &[Bytes], stakes: &[u64]) -> Result<StakeTable, L1Error> {
    if keys.len() != stakes.len() {
        return Err(L1Error::InvalidData(format!(
            "{} keys but {} stakes",
            keys.len(),
            stakes.len()
        )));
    }
    let entries = keys
        .iter()
        .zip(stakes)
        .enumerate()
        .map(|(i, (k, &stake))| {
            let raw: &[u8; 128] = k.as_ref().try_into().map_err(|_| {
                L1Error::InvalidData(format!("key {i} is {} bytes, not 128", k.len()))
            })?;
            let key = BlsPublicKey::from_eip2537(raw)
                .map_err(|e| L1Error::InvalidData(format!("key {i}: {e}")))?;
            Ok(StakeEntry { key, stake })
        })
        .collect::<Result<Vec<_>, L1Error>>()?;
    StakeTable::new(entries).map_err(|e| L1Error::InvalidData(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sq_types::{BlsKeyPair, Leaf};

    #[test]
    fn header_fields_map_one_to_one() {
        let g = Leaf::genesis().header;
        let abi = header_to_abi(&g);
        assert_eq!(abi.height, 0);
        assert_eq!(abi.payloadCommitment.0, g.payload_commitment.0);
        assert_eq!(abi.nsTable.as_ref(), &g.ns_table.encode()[..]);
    }

    #[test]
    fn genesis_qc_has_no_valid_signature_to_post() {
        let qc = Leaf::genesis().justify_qc;
        assert!(matches!(qc_to_abi(&qc), Err(L1Error::BadSignature(_))));
    }

    #[test]
    fn stake_table_from_abi_checks_lengths_and_keys() {
        let k = BlsKeyPair::from_ikm(&[7; 32]).expect("ikm");
        let good = Bytes::copy_from_slice(&k.public.to_eip2537());
        let t = stake_table_from_abi(std::slice::from_ref(&good), &[3]).expect("valid");
        assert_eq!(t.entries()[0].key, k.public);
        assert!(stake_table_from_abi(std::slice::from_ref(&good), &[]).is_err());
        assert!(stake_table_from_abi(&[Bytes::from(vec![0u8; 127])], &[1]).is_err());
        let mut bad = k.public.to_eip2537();
        bad[127] ^= 1;
        assert!(stake_table_from_abi(&[Bytes::copy_from_slice(&bad)], &[1]).is_err());
    }
}
