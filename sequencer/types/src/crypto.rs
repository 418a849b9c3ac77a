//! The signature scheme as consensus sees it: sign a digest, verify one signer, aggregate, and
//! verify an aggregate against a signer bitmap.
//!
//! [`BlsCrypto`] is the production implementation (BLS12-381 min-pk, [`crate::bls`]). The
//! deterministic simulator supplies a cheaper implementation of the same trait so that it can run
//! thousands of seeds; that one lives in `sq-sim` and is documented there as a test double.

use crate::certificate::SignatureBytes;
use crate::{
    BlsKeyPair, BlsPublicKey, BlsSignature, Commitment, NodeIndex, SignerBitmap, StakeTable,
};

/// A signature scheme bound to one node's key and one stake table.
///
/// Implementations must be deterministic functions of their inputs: the simulator replays runs
/// from a seed.
pub trait Crypto {
    /// Signs `digest` with this node's key.
    fn sign(&self, digest: &Commitment) -> SignatureBytes;

    /// Verifies a single signature by `signer` over `digest`. False for an unknown signer or a
    /// malformed signature.
    fn verify(&self, signer: NodeIndex, digest: &Commitment, sig: &SignatureBytes) -> bool;

    /// Combines signatures over the same digest. `None` if the list is empty or one of them is
    /// malformed.
    fn aggregate(&self, sigs: &[SignatureBytes]) -> Option<SignatureBytes>;

    /// Verifies an aggregate signature by exactly the nodes in `signers` over `digest`. False when
    /// the bitmap does not match the stake table's size or a signer is unknown.
    fn verify_aggregate(
        &self,
        signers: &SignerBitmap,
        digest: &Commitment,
        sig: &SignatureBytes,
    ) -> bool;
}

/// BLS12-381 (min-pk) signing with this node's key pair, verifying against a stake table.
#[derive(Clone)]
pub struct BlsCrypto {
    key: BlsKeyPair,
    keys: Vec<BlsPublicKey>,
}

impl BlsCrypto {
    /// Binds `key` to the keys of `table`.
    #[must_use]
    pub fn new(key: BlsKeyPair, table: &StakeTable) -> BlsCrypto {
        BlsCrypto {
            key,
            keys: table.entries().iter().map(|e| e.key.clone()).collect(),
        }
    }
}

fn parse(sig: &SignatureBytes) -> Option<BlsSignature> {
    BlsSignature::from_compressed(&sig.0).ok()
}

impl Crypto for BlsCrypto {
    fn sign(&self, digest: &Commitment) -> SignatureBytes {
        SignatureBytes(self.key.sign(digest).to_compressed())
    }

    fn verify(&self, signer: NodeIndex, digest: &Commitment, sig: &SignatureBytes) -> bool {
        match (self.keys.get(signer.as_usize()), parse(sig)) {
            (Some(pk), Some(sig)) => pk.verify(digest, &sig),
            _ => false,
        }
    }

    fn aggregate(&self, sigs: &[SignatureBytes]) -> Option<SignatureBytes> {
        let parsed: Option<Vec<BlsSignature>> = sigs.iter().map(parse).collect();
        let parsed = parsed?;
        let agg = BlsSignature::aggregate(&parsed.iter().collect::<Vec<_>>()).ok()?;
        Some(SignatureBytes(agg.to_compressed()))
    }

    fn verify_aggregate(
        &self,
        signers: &SignerBitmap,
        digest: &Commitment,
        sig: &SignatureBytes,
    ) -> bool {
        if signers.len() != self.keys.len() {
            return false;
        }
        let keys: Vec<&BlsPublicKey> = signers
            .signers()
            .filter_map(|i| self.keys.get(i.as_usize()))
            .collect();
        match parse(sig) {
            Some(sig) if !keys.is_empty() => sig.fast_aggregate_verify(digest, &keys),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::StakeEntry;

    #[test]
    fn bls_crypto_aggregates_and_checks_the_bitmap() {
        let pairs: Vec<_> = (1..=4u8)
            .map(|i| BlsKeyPair::from_ikm(&[i; 32]).expect("ikm"))
            .collect();
        let table = StakeTable::new(
            pairs
                .iter()
                .map(|k| StakeEntry {
                    key: k.public.clone(),
                    stake: 1,
                })
                .collect(),
        )
        .expect("valid");
        let nodes: Vec<_> = pairs
            .iter()
            .map(|k| BlsCrypto::new(k.clone(), &table))
            .collect();
        let d = Commitment::keccak(&[b"d"]);
        let sigs: Vec<_> = nodes[..3].iter().map(|n| n.sign(&d)).collect();
        assert!(nodes[3].verify(NodeIndex(1), &d, &sigs[1]));
        assert!(!nodes[3].verify(NodeIndex(2), &d, &sigs[1]));
        assert!(!nodes[3].verify(NodeIndex(9), &d, &sigs[1]));
        let agg = nodes[0].aggregate(&sigs).expect("three valid signatures");
        let mut bitmap = SignerBitmap::new(4);
        for i in 0..3 {
            bitmap.set(NodeIndex(i));
        }
        assert!(nodes[3].verify_aggregate(&bitmap, &d, &agg));
        bitmap.set(NodeIndex(3));
        assert!(!nodes[3].verify_aggregate(&bitmap, &d, &agg));
        assert!(!nodes[3].verify_aggregate(&SignerBitmap::new(5), &d, &agg));
        assert!(nodes[0].aggregate(&[SignatureBytes([0x42; 96])]).is_none());
    }
}
