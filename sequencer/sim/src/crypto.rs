//! Signature schemes for the simulator.
//!
//! [`SimCrypto`] is a **test double**, used only here: a keyed keccak MAC per signer, aggregated
//! by XOR. It is unforgeable inside the simulation (a Byzantine node knows only its own secret)
//! and costs microseconds instead of the milliseconds of a BLS pairing, which is what lets the
//! simulator run thousands of seeds. [`AnyCrypto::Bls`] runs the production BLS scheme instead,
//! for the scenarios that exercise it end to end.

use sq_types::certificate::SignatureBytes;
use sq_types::{
    BlsCrypto, BlsKeyPair, Commitment, Crypto, NodeIndex, SignerBitmap, StakeEntry, StakeTable,
};
use std::sync::Arc;

/// Keyed-MAC signatures over per-node secrets; see the module docs. Test double.
#[derive(Clone)]
pub struct SimCrypto {
    secrets: Arc<Vec<[u8; 32]>>,
    me: usize,
}

impl SimCrypto {
    fn mac(&self, signer: usize, digest: &Commitment) -> Option<[u8; 32]> {
        self.secrets
            .get(signer)
            .map(|s| Commitment::keccak(&[s, &digest.0]).0)
    }
}

fn widen(mac: [u8; 32]) -> SignatureBytes {
    let mut out = [0u8; 96];
    out[..32].copy_from_slice(&mac);
    SignatureBytes(out)
}

impl Crypto for SimCrypto {
    fn sign(&self, digest: &Commitment) -> SignatureBytes {
        widen(self.mac(self.me, digest).unwrap_or([0; 32]))
    }

    fn verify(&self, signer: NodeIndex, digest: &Commitment, sig: &SignatureBytes) -> bool {
        self.mac(signer.as_usize(), digest)
            .is_some_and(|m| widen(m) == *sig)
    }

    fn aggregate(&self, sigs: &[SignatureBytes]) -> Option<SignatureBytes> {
        if sigs.is_empty() {
            return None;
        }
        let mut acc = [0u8; 96];
        for s in sigs {
            for (a, b) in acc.iter_mut().zip(s.0.iter()) {
                *a ^= b;
            }
        }
        Some(SignatureBytes(acc))
    }

    fn verify_aggregate(
        &self,
        signers: &SignerBitmap,
        digest: &Commitment,
        sig: &SignatureBytes,
    ) -> bool {
        if signers.len() != self.secrets.len() {
            return false;
        }
        let macs: Option<Vec<SignatureBytes>> = signers
            .signers()
            .map(|i| self.mac(i.as_usize(), digest).map(widen))
            .collect();
        match macs {
            Some(m) if !m.is_empty() => self.aggregate(&m).is_some_and(|a| a == *sig),
            _ => false,
        }
    }
}

/// The scheme a simulated node signs with.
#[derive(Clone)]
pub enum AnyCrypto {
    /// The fast test double.
    Fast(SimCrypto),
    /// Production BLS12-381.
    Bls(BlsCrypto),
}

impl Crypto for AnyCrypto {
    fn sign(&self, digest: &Commitment) -> SignatureBytes {
        match self {
            AnyCrypto::Fast(c) => c.sign(digest),
            AnyCrypto::Bls(c) => c.sign(digest),
        }
    }
    fn verify(&self, signer: NodeIndex, digest: &Commitment, sig: &SignatureBytes) -> bool {
        match self {
            AnyCrypto::Fast(c) => c.verify(signer, digest, sig),
            AnyCrypto::Bls(c) => c.verify(signer, digest, sig),
        }
    }
    fn aggregate(&self, sigs: &[SignatureBytes]) -> Option<SignatureBytes> {
        match self {
            AnyCrypto::Fast(c) => c.aggregate(sigs),
            AnyCrypto::Bls(c) => c.aggregate(sigs),
        }
    }
    fn verify_aggregate(
        &self,
        signers: &SignerBitmap,
        digest: &Commitment,
        sig: &SignatureBytes,
    ) -> bool {
        match self {
            AnyCrypto::Fast(c) => c.verify_aggregate(signers, digest, sig),
            AnyCrypto::Bls(c) => c.verify_aggregate(signers, digest, sig),
        }
    }
}

/// Which scheme a run uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CryptoMode {
    /// [`SimCrypto`]: fast, for seed sweeps.
    Fast,
    /// BLS12-381 through blst, as in production.
    Bls,
}

/// The deterministic BLS key pairs of nodes `0..n` (the same in every run).
///
/// # Errors
/// Only if key derivation fails, which 32-byte inputs never do.
pub fn keypairs(n: usize) -> anyhow::Result<Vec<BlsKeyPair>> {
    let keys = (0..n)
        .map(|i| {
            let mut ikm = [0u8; 32];
            ikm[..8].copy_from_slice(&(i as u64).to_be_bytes());
            ikm[8] = 0x5a;
            BlsKeyPair::from_ikm(&ikm)
        })
        .collect::<Result<_, _>>()?;
    Ok(keys)
}

/// Deterministic keys, a stake table (stake 1 each) and one signer per node.
///
/// # Errors
/// Only if key derivation fails, which 32-byte inputs never do.
pub fn setup(
    n: usize,
    seed: u64,
    mode: CryptoMode,
) -> anyhow::Result<(StakeTable, Vec<AnyCrypto>)> {
    let keys = keypairs(n)?;
    let table = StakeTable::new(
        keys.iter()
            .map(|k| StakeEntry {
                key: k.public.clone(),
                stake: 1,
            })
            .collect(),
    )?;
    let cryptos = match mode {
        CryptoMode::Fast => {
            let secrets: Arc<Vec<[u8; 32]>> = Arc::new(
                (0..n)
                    .map(|i| {
                        Commitment::keccak(&[b"sim-secret", &seed.to_be_bytes(), &i.to_be_bytes()])
                            .0
                    })
                    .collect(),
            );
            (0..n)
                .map(|me| {
                    AnyCrypto::Fast(SimCrypto {
                        secrets: secrets.clone(),
                        me,
                    })
                })
                .collect()
        }
        CryptoMode::Bls => keys
            .into_iter()
            .map(|k| AnyCrypto::Bls(BlsCrypto::new(k, &table)))
            .collect(),
    };
    Ok((table, cryptos))
}
