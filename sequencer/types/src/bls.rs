//! BLS12-381 keys and signatures, min-pk variant (public keys in G1, signatures in G2), on the
//! `blst` crate.
//!
//! Ciphersuites (IETF draft-irtf-cfrg-bls-signature-05, §4.2.3 "proof of possession"):
//! * signatures: [`SIG_DST`] = `BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_`;
//! * proofs of possession: [`POP_DST`] = `BLS_POP_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_`.
//!
//! **Deviation from the IETF PopProve:** the proof of possession signs
//! `keccak256("sq/pop/v1" || pk_eip2537)` (the 128-byte EIP-2537 encoding of the key, see
//! [`BlsPublicKey::to_eip2537`]) instead of the 48-byte compressed key, because the L1 stake table
//! cannot cheaply compress a point. Every message signed by consensus is a 32-byte keccak digest.
//!
//! Encodings:
//! * wire: public key 48 bytes compressed, signature 96 bytes compressed (ZCash format);
//! * EIP-2537 (L1 precompiles): G1 = 128 bytes `pad16(x) || pad16(y)`, G2 = 256 bytes
//!   `pad16(x.c0) || pad16(x.c1) || pad16(y.c0) || pad16(y.c1)`, where `pad16` prefixes 16 zero
//!   bytes to a 48-byte big-endian field element. ZCash orders Fp2 as `c1 || c0`; EIP-2537 as
//!   `c0 || c1`.

use crate::codec::{Decode, DecodeError, Encode, Reader};
use crate::Commitment;
use blst::min_pk;
use blst::BLST_ERROR;
use std::fmt;
use thiserror::Error;

/// Domain separation tag for consensus signatures.
pub const SIG_DST: &[u8] = b"BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_";
/// Domain separation tag for proofs of possession.
pub const POP_DST: &[u8] = b"BLS_POP_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_";
/// Domain tag hashed into the proof-of-possession message.
pub const POP_TAG: &[u8] = b"sq/pop/v1";

/// Why a BLS operation failed.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum BlsError {
    /// Key material could not be derived (input keying material shorter than 32 bytes).
    #[error("key generation failed: {0}")]
    KeyGen(String),
    /// Bytes do not encode a valid point in the right subgroup.
    #[error("invalid {what}: {reason}")]
    InvalidPoint {
        /// `public key` or `signature`.
        what: &'static str,
        /// blst's error code.
        reason: String,
    },
    /// Aggregation was given no inputs or an invalid one.
    #[error("aggregation failed: {0}")]
    Aggregate(String),
}

fn blst_err(what: &'static str, e: BLST_ERROR) -> BlsError {
    BlsError::InvalidPoint {
        what,
        reason: format!("{e:?}"),
    }
}

/// A secret key (a scalar mod r). Never serialised on the wire.
#[derive(Clone)]
pub struct BlsSecretKey(min_pk::SecretKey);

/// A public key: a G1 point, checked to be in the subgroup and not the identity.
#[derive(Clone, PartialEq, Eq)]
pub struct BlsPublicKey(min_pk::PublicKey);

/// A signature or an aggregate signature: a G2 point, checked to be in the subgroup.
#[derive(Clone, PartialEq, Eq)]
pub struct BlsSignature(min_pk::Signature);

/// A proof of possession: a signature under [`POP_DST`] over the PoP message of the key.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ProofOfPossession(pub BlsSignature);

/// A key pair.
#[derive(Clone)]
pub struct BlsKeyPair {
    /// The secret scalar.
    pub secret: BlsSecretKey,
    /// Its public key.
    pub public: BlsPublicKey,
}

impl BlsKeyPair {
    /// Derives a key pair from at least 32 bytes of input keying material (IETF KeyGen).
    ///
    /// # Errors
    /// [`BlsError::KeyGen`] if `ikm` is shorter than 32 bytes.
    pub fn from_ikm(ikm: &[u8]) -> Result<BlsKeyPair, BlsError> {
        let sk =
            min_pk::SecretKey::key_gen(ikm, &[]).map_err(|e| BlsError::KeyGen(format!("{e:?}")))?;
        let pk = sk.sk_to_pk();
        Ok(BlsKeyPair {
            secret: BlsSecretKey(sk),
            public: BlsPublicKey(pk),
        })
    }

    /// A fresh random key pair from the operating system's RNG.
    #[must_use]
    pub fn generate() -> BlsKeyPair {
        let mut ikm = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut ikm);
        // 32 bytes of IKM always satisfies KeyGen.
        match BlsKeyPair::from_ikm(&ikm) {
            Ok(kp) => kp,
            Err(_) => unreachable!("32-byte IKM is always accepted"),
        }
    }

    /// Signs a 32-byte message digest under [`SIG_DST`].
    #[must_use]
    pub fn sign(&self, digest: &Commitment) -> BlsSignature {
        BlsSignature(self.secret.0.sign(&digest.0, SIG_DST, &[]))
    }

    /// The proof of possession of this key pair's public key.
    #[must_use]
    pub fn proof_of_possession(&self) -> ProofOfPossession {
        let msg = self.public.pop_message();
        ProofOfPossession(BlsSignature(self.secret.0.sign(&msg.0, POP_DST, &[])))
    }

    /// The 32-byte secret scalar, big-endian, for key files.
    #[must_use]
    pub fn secret_bytes(&self) -> [u8; 32] {
        self.secret.0.to_bytes()
    }

    /// Parses a key file's contents: the 32-byte secret scalar in hex, optional `0x`, surrounding
    /// whitespace ignored.
    ///
    /// # Errors
    /// [`BlsError::KeyGen`] for non-hex text, a wrong length, or an invalid scalar.
    pub fn from_hex(text: &str) -> Result<BlsKeyPair, BlsError> {
        let bytes = hex::decode(text.trim().trim_start_matches("0x"))
            .map_err(|e| BlsError::KeyGen(format!("not hex: {e}")))?;
        let secret: [u8; 32] = bytes
            .try_into()
            .map_err(|b: Vec<u8>| BlsError::KeyGen(format!("{} bytes, expected 32", b.len())))?;
        BlsKeyPair::from_secret_bytes(&secret)
    }

    /// The key-file form: the secret scalar as lowercase hex (64 characters).
    #[must_use]
    pub fn to_hex(&self) -> String {
        hex::encode(self.secret_bytes())
    }

    /// Rebuilds a key pair from [`BlsKeyPair::secret_bytes`].
    ///
    /// # Errors
    /// [`BlsError::KeyGen`] if the bytes are not a valid non-zero scalar.
    pub fn from_secret_bytes(bytes: &[u8; 32]) -> Result<BlsKeyPair, BlsError> {
        let sk =
            min_pk::SecretKey::from_bytes(bytes).map_err(|e| BlsError::KeyGen(format!("{e:?}")))?;
        let pk = sk.sk_to_pk();
        Ok(BlsKeyPair {
            secret: BlsSecretKey(sk),
            public: BlsPublicKey(pk),
        })
    }
}

impl BlsPublicKey {
    /// Parses and validates a 48-byte compressed key (subgroup check, rejects the identity).
    ///
    /// # Errors
    /// [`BlsError::InvalidPoint`].
    pub fn from_compressed(bytes: &[u8; 48]) -> Result<BlsPublicKey, BlsError> {
        let pk = min_pk::PublicKey::key_validate(bytes).map_err(|e| blst_err("public key", e))?;
        Ok(BlsPublicKey(pk))
    }

    /// The 48-byte compressed encoding.
    #[must_use]
    pub fn to_compressed(&self) -> [u8; 48] {
        self.0.compress()
    }

    /// The 128-byte EIP-2537 G1 encoding: `pad16(x) || pad16(y)`.
    #[must_use]
    pub fn to_eip2537(&self) -> [u8; 128] {
        let raw = self.0.serialize(); // x || y, 48 bytes each, big-endian
        let mut out = [0u8; 128];
        out[16..64].copy_from_slice(&raw[..48]);
        out[80..128].copy_from_slice(&raw[48..]);
        out
    }

    /// Parses the 128-byte EIP-2537 G1 encoding (as the L1 stake table stores keys), checking
    /// the zero padding, the curve, the subgroup, and that the point is not the identity.
    ///
    /// # Errors
    /// [`BlsError::InvalidPoint`].
    pub fn from_eip2537(bytes: &[u8; 128]) -> Result<BlsPublicKey, BlsError> {
        if bytes[..16].iter().chain(&bytes[64..80]).any(|&b| b != 0) {
            return Err(BlsError::InvalidPoint {
                what: "public key",
                reason: "non-zero EIP-2537 padding".into(),
            });
        }
        let mut raw = [0u8; 96];
        raw[..48].copy_from_slice(&bytes[16..64]);
        raw[48..].copy_from_slice(&bytes[80..128]);
        let pk = min_pk::PublicKey::deserialize(&raw).map_err(|e| blst_err("public key", e))?;
        pk.validate().map_err(|e| blst_err("public key", e))?;
        Ok(BlsPublicKey(pk))
    }

    /// The digest signed by this key's proof of possession:
    /// `keccak256("sq/pop/v1" || to_eip2537())`.
    #[must_use]
    pub fn pop_message(&self) -> Commitment {
        Commitment::keccak(&[POP_TAG, &self.to_eip2537()])
    }

    /// Verifies a proof of possession for this key.
    #[must_use]
    pub fn verify_pop(&self, pop: &ProofOfPossession) -> bool {
        let msg = self.pop_message();
        pop.0 .0.verify(true, &msg.0, POP_DST, &[], &self.0, false) == BLST_ERROR::BLST_SUCCESS
    }

    /// Verifies a single signature over a 32-byte digest.
    #[must_use]
    pub fn verify(&self, digest: &Commitment, sig: &BlsSignature) -> bool {
        sig.0.verify(true, &digest.0, SIG_DST, &[], &self.0, false) == BLST_ERROR::BLST_SUCCESS
    }

    /// Adds public keys (for verifying an aggregate signature by a known signer set).
    ///
    /// # Errors
    /// [`BlsError::Aggregate`] for an empty list.
    pub fn aggregate(keys: &[&BlsPublicKey]) -> Result<BlsPublicKey, BlsError> {
        let raw: Vec<&min_pk::PublicKey> = keys.iter().map(|k| &k.0).collect();
        let agg = min_pk::AggregatePublicKey::aggregate(&raw, false)
            .map_err(|e| BlsError::Aggregate(format!("{e:?}")))?;
        Ok(BlsPublicKey(agg.to_public_key()))
    }
}

impl BlsSignature {
    /// Parses and validates a 96-byte compressed signature (subgroup check).
    ///
    /// # Errors
    /// [`BlsError::InvalidPoint`].
    pub fn from_compressed(bytes: &[u8; 96]) -> Result<BlsSignature, BlsError> {
        let sig =
            min_pk::Signature::sig_validate(bytes, true).map_err(|e| blst_err("signature", e))?;
        Ok(BlsSignature(sig))
    }

    /// The 96-byte compressed encoding.
    #[must_use]
    pub fn to_compressed(&self) -> [u8; 96] {
        self.0.compress()
    }

    /// The 256-byte EIP-2537 G2 encoding: `pad16(x.c0) || pad16(x.c1) || pad16(y.c0) || pad16(y.c1)`.
    #[must_use]
    pub fn to_eip2537(&self) -> [u8; 256] {
        let raw = self.0.serialize(); // x.c1 || x.c0 || y.c1 || y.c0, 48 bytes each
        let mut out = [0u8; 256];
        for (dst, src) in [(0, 1), (1, 0), (2, 3), (3, 2)] {
            out[dst * 64 + 16..dst * 64 + 64].copy_from_slice(&raw[src * 48..src * 48 + 48]);
        }
        out
    }

    /// Adds signatures into one aggregate signature.
    ///
    /// # Errors
    /// [`BlsError::Aggregate`] for an empty list.
    pub fn aggregate(sigs: &[&BlsSignature]) -> Result<BlsSignature, BlsError> {
        let raw: Vec<&min_pk::Signature> = sigs.iter().map(|s| &s.0).collect();
        let agg = min_pk::AggregateSignature::aggregate(&raw, false)
            .map_err(|e| BlsError::Aggregate(format!("{e:?}")))?;
        Ok(BlsSignature(agg.to_signature()))
    }

    /// Verifies this aggregate signature over one digest signed by all of `keys`
    /// (FastAggregateVerify; sound because every key carries a proof of possession).
    #[must_use]
    pub fn fast_aggregate_verify(&self, digest: &Commitment, keys: &[&BlsPublicKey]) -> bool {
        let raw: Vec<&min_pk::PublicKey> = keys.iter().map(|k| &k.0).collect();
        self.0.fast_aggregate_verify(true, &digest.0, SIG_DST, &raw) == BLST_ERROR::BLST_SUCCESS
    }
}

impl fmt::Debug for BlsPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "BlsPublicKey(0x{})",
            hex::encode(&self.to_compressed()[..6])
        )
    }
}

impl fmt::Debug for BlsSignature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "BlsSignature(0x{})",
            hex::encode(&self.to_compressed()[..6])
        )
    }
}

impl std::hash::Hash for BlsPublicKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.to_compressed().hash(state);
    }
}

impl Encode for BlsPublicKey {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_compressed());
    }
}

impl Decode for BlsPublicKey {
    fn decode_from(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        BlsPublicKey::from_compressed(&r.array()?).map_err(|e| DecodeError::Invalid {
            what: "BLS public key",
            reason: e.to_string(),
        })
    }
}

impl Encode for BlsSignature {
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_compressed());
    }
}

impl Decode for BlsSignature {
    fn decode_from(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        BlsSignature::from_compressed(&r.array()?).map_err(|e| DecodeError::Invalid {
            what: "BLS signature",
            reason: e.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kp(seed: u8) -> BlsKeyPair {
        BlsKeyPair::from_ikm(&[seed; 32]).expect("32-byte ikm")
    }

    #[test]
    fn sign_verify_and_reject_wrong_message_or_key() {
        let a = kp(1);
        let msg = Commitment::keccak(&[b"m"]);
        let sig = a.sign(&msg);
        assert!(a.public.verify(&msg, &sig));
        assert!(!a.public.verify(&Commitment::keccak(&[b"n"]), &sig));
        assert!(!kp(2).public.verify(&msg, &sig));
    }

    #[test]
    fn proof_of_possession_binds_the_key() {
        let a = kp(1);
        let b = kp(2);
        assert!(a.public.verify_pop(&a.proof_of_possession()));
        assert!(!b.public.verify_pop(&a.proof_of_possession()));
        // A PoP is not a consensus signature: different DST.
        let as_sig = a.proof_of_possession().0;
        assert!(!a.public.verify(&a.public.pop_message(), &as_sig));
    }

    #[test]
    fn aggregate_verifies_only_with_the_exact_signer_set() {
        let keys: Vec<_> = (1..=4).map(kp).collect();
        let msg = Commitment::keccak(&[b"block"]);
        let sigs: Vec<_> = keys.iter().map(|k| k.sign(&msg)).collect();
        let agg = BlsSignature::aggregate(&sigs.iter().collect::<Vec<_>>()).expect("non-empty");
        let pks: Vec<_> = keys.iter().map(|k| &k.public).collect();
        assert!(agg.fast_aggregate_verify(&msg, &pks));
        assert!(!agg.fast_aggregate_verify(&msg, &pks[..3]));
        let apk = BlsPublicKey::aggregate(&pks).expect("non-empty");
        assert!(apk.verify(&msg, &agg));
    }

    #[test]
    fn encodings_round_trip_and_garbage_is_rejected() {
        let a = kp(3);
        let sig = a.sign(&Commitment::ZERO);
        assert_eq!(
            BlsPublicKey::decode(&a.public.encode()),
            Ok(a.public.clone())
        );
        assert_eq!(BlsSignature::decode(&sig.encode()), Ok(sig));
        assert!(BlsPublicKey::decode(&[0x55; 48]).is_err());
        assert!(BlsSignature::decode(&[0x55; 96]).is_err());
        assert!(BlsPublicKey::decode(&[0; 47]).is_err());
        let restored = BlsKeyPair::from_secret_bytes(&a.secret_bytes()).expect("valid scalar");
        assert_eq!(restored.public, a.public);
        let from_file = BlsKeyPair::from_hex(&format!("0x{}\n", a.to_hex())).expect("hex");
        assert_eq!(from_file.public, a.public);
        assert!(BlsKeyPair::from_hex("zz").is_err());
        assert!(BlsKeyPair::from_hex("abcd").is_err());
    }

    #[test]
    fn eip2537_public_key_round_trips_and_rejects_bad_padding() {
        let a = kp(4);
        let enc = a.public.to_eip2537();
        assert_eq!(BlsPublicKey::from_eip2537(&enc), Ok(a.public.clone()));
        let mut padded = enc;
        padded[0] = 1;
        assert!(BlsPublicKey::from_eip2537(&padded).is_err());
        let mut off_curve = enc;
        off_curve[127] ^= 1;
        assert!(BlsPublicKey::from_eip2537(&off_curve).is_err());
    }

    #[test]
    fn eip2537_encoding_orders_fp2_as_c0_then_c1() {
        // The G2 generator, from the BLS12-381 spec: x = x.c0 + x.c1·u.
        let x_c0 = hex::decode("024aa2b2f08f0a91260805272dc51051c6e47ad4fa403b02b4510b647ae3d1770bac0326a805bbefd48056c8c121bdb8").expect("hex");
        let x_c1 = hex::decode("13e02b6052719f607dacd3a088274f65596bd0d09920b61ab5da61bbdc7f5049334cf11213945d57e5ac7d055d042b7e").expect("hex");
        // ZCash compressed form: c1 first, with the compression flag (0x80) and the sign bit.
        let mut compressed = [0u8; 96];
        compressed[..48].copy_from_slice(&x_c1);
        compressed[48..].copy_from_slice(&x_c0);
        compressed[0] |= 0x80;
        let g2 = BlsSignature::from_compressed(&compressed).expect("generator is valid");
        let e = g2.to_eip2537();
        assert_eq!(&e[..16], &[0u8; 16]);
        assert_eq!(&e[16..64], &x_c0[..]);
        assert_eq!(&e[80..128], &x_c1[..]);
    }
}
