//! Proving and verifying one chunk with Plonky3's uni-STARK over [`ChunkAir`].
//!
//! # Configuration
//!
//! - Field BabyBear; challenges in its degree-4 binomial extension (~124 bits).
//! - Trace commitments: a binary Merkle tree (`MerkleTreeMmcs`) whose leaves are hashed
//!   with the width-16 Poseidon2 sponge (rate 8, 8-element digests) and whose nodes are
//!   compressed with the truncated permutation: the same permutation as the state tree
//!   ([`crate::hash::permutation`]). The Fiat–Shamir challenger is a duplex sponge over it.
//! - FRI ([`FRI_PARAMS`]): blowup 4 (`log_blowup = 2`), 42 queries, 16 bits of
//!   query-phase proof of work, folding arity up to 8, final polynomial of degree 0.
//!   Conjectured soundness (ethSTARK / Plonky3 `conjectured_soundness_bits`):
//!   `log_blowup × num_queries + query_pow_bits = 2 × 42 + 16 = 100` bits, below the
//!   extension field's ~124 bits. This is the conjectured (list-decoding) regime, not a
//!   proven bound.
//! - Proofs are not zero-knowledge (no hiding commitments): the witness (balances,
//!   addresses) is public data of the rollup anyway.
//!
//! # Encoding
//!
//! [`ChunkProof::proof`] is the Plonky3 `Proof` encoded with **postcard**: it is the
//! format Plonky3 itself pins its proof fixtures in, it is compact (varint integers, no
//! field names), deterministic, and has a stable, documented wire format since 1.0;
//! bincode's 2.x/3.x churn makes it the worse choice for bytes that go on the wire
//! between the prover service and the rollup node.

use std::sync::OnceLock;

use p3_air::{check_all_constraints, AirBuilder, RowWindow};
use p3_baby_bear::{BabyBear, Poseidon2BabyBear};
use p3_challenger::DuplexChallenger;
use p3_commit::ExtensionMmcs;
use p3_dft::Radix2DitParallel;
use p3_field::extension::BinomialExtensionField;
use p3_field::{Field, PrimeCharacteristicRing, PrimeField32};
use p3_fri::{FriParameters, TwoAdicFriPcs};
use p3_merkle_tree::MerkleTreeMmcs;
use p3_symmetric::{PaddingFreeSponge, TruncatedPermutation};
use p3_uni_stark::{prove, verify, Proof, StarkConfig};
use serde::{Deserialize, Serialize};
use sha3::{Digest as _, Keccak256};

use crate::air::{self, ChunkAir, MAX_CONSTRAINT_DEGREE, STEPS, WIDTH};
use crate::hash::{self, F};
use crate::merkle::DEPTH;
use crate::trace::{generate, trace_height};
use crate::witness::{ChunkWitness, PublicInputs, WitnessError, PUBLIC_INPUTS_LEN};

type Val = BabyBear;
type Challenge = BinomialExtensionField<Val, 4>;
type Perm = Poseidon2BabyBear<16>;
type LeafHash = PaddingFreeSponge<Perm, 16, 8, 8>;
type NodeCompress = TruncatedPermutation<Perm, 2, 8, 16>;
/// The commitment scheme of trace and quotient matrices: a binary Merkle tree with cap
/// height 0 (one root), leaves hashed by the Poseidon2 sponge (rate 8, overwrite mode,
/// no padding), nodes compressed by the truncated permutation; 8-element digests.
pub type ValMmcs =
    MerkleTreeMmcs<<Val as Field>::Packing, <Val as Field>::Packing, LeafHash, NodeCompress, 2, 8>;
type ChallengeMmcs = ExtensionMmcs<Val, Challenge, ValMmcs>;
type Challenger = DuplexChallenger<Val, Perm, 16, 8>;
type Dft = Radix2DitParallel<Val>;
type Pcs = TwoAdicFriPcs<Val, Dft, ValMmcs, ChallengeMmcs>;

/// The Plonky3 STARK configuration of chunk proofs (types in the module docs).
pub type ChunkStarkConfig = StarkConfig<Pcs, Challenge, Challenger>;

/// The FRI parameters, without the MMCS (see the module docs for the security estimate).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FriParams {
    /// log2 of the Reed–Solomon blowup factor.
    pub log_blowup: usize,
    /// log2 of the final polynomial's length.
    pub log_final_poly_len: usize,
    /// log2 of the largest folding arity.
    pub max_log_arity: usize,
    /// FRI queries.
    pub num_queries: usize,
    /// Proof-of-work bits before the batching challenge.
    pub batch_pow_bits: usize,
    /// Proof-of-work bits before each folding challenge.
    pub commit_pow_bits: usize,
    /// Proof-of-work bits before the queries.
    pub query_pow_bits: usize,
}

impl FriParams {
    /// `log_blowup × num_queries + query_pow_bits`: the conjectured soundness in bits.
    pub const fn conjectured_security_bits(&self) -> usize {
        self.log_blowup * self.num_queries + self.query_pow_bits
    }
}

/// The FRI parameters of every chunk proof.
pub const FRI_PARAMS: FriParams = FriParams {
    log_blowup: 2,
    log_final_poly_len: 0,
    max_log_arity: 3,
    num_queries: 42,
    batch_pow_bits: 0,
    commit_pow_bits: 0,
    query_pow_bits: 16,
};

/// Most transfers one chunk proof may hold (trace height 2^16, ~200 MB of trace).
pub const MAX_CHUNK_TRANSFERS: usize = 1024;

/// Largest `degree_bits` (log2 trace height) a verifier accepts.
pub const MAX_DEGREE_BITS: usize = 16;

/// Largest encoded proof [`verify_chunk`] decodes, in bytes (16 MiB).
pub const MAX_PROOF_BYTES: usize = 16 << 20;

/// Version string of the circuit, part of [`vk_hash`]. Bump on any change to the AIR,
/// the trace layout, the configuration or the public-input layout.
pub const CIRCUIT_VERSION: &str = "sq-prover-circuits/chunk-air/1";

/// The [`ValMmcs`] instance of [`config`] (over [`crate::hash::permutation`]).
pub fn val_mmcs() -> ValMmcs {
    let perm = hash::permutation().clone();
    ValMmcs::new(LeafHash::new(perm.clone()), NodeCompress::new(perm), 0)
}

/// Plonky3's `FriParameters` for [`FRI_PARAMS`] over `mmcs` (the challenge MMCS in
/// [`config`]; `()` where only the shape matters, as for transcript domain separators).
pub fn fri_parameters<M>(mmcs: M) -> FriParameters<M> {
    fri_parameters_of(FRI_PARAMS, mmcs)
}

/// Plonky3's `FriParameters` for `p` over `mmcs`.
pub fn fri_parameters_of<M>(p: FriParams, mmcs: M) -> FriParameters<M> {
    FriParameters {
        log_blowup: p.log_blowup,
        log_final_poly_len: p.log_final_poly_len,
        max_log_arity: p.max_log_arity,
        num_queries: p.num_queries,
        batch_proof_of_work_bits: p.batch_pow_bits,
        commit_proof_of_work_bits: p.commit_pow_bits,
        query_proof_of_work_bits: p.query_pow_bits,
        mmcs,
    }
}

/// Builds the STARK configuration.
pub fn config() -> ChunkStarkConfig {
    let perm = hash::permutation().clone();
    let val_mmcs = val_mmcs();
    let challenge_mmcs = ChallengeMmcs::new(val_mmcs.clone());
    let pcs = Pcs::new(Dft::default(), val_mmcs, fri_parameters(challenge_mmcs));
    ChunkStarkConfig::new(pcs, Challenger::new(perm))
}

/// A proof of one chunk.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChunkProof {
    /// The chunk's public inputs (what the proof is about).
    pub public: PublicInputs,
    /// The postcard-encoded Plonky3 proof (hex in human-readable formats such as JSON).
    #[serde(with = "bytes_hex")]
    pub proof: Vec<u8>,
}

/// Why proving failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProveError {
    /// The witness does not satisfy the relation ([`ChunkWitness::check`]).
    #[error("invalid witness: {0}")]
    Witness(#[from] WitnessError),
    /// More transfers than [`MAX_CHUNK_TRANSFERS`].
    #[error("a chunk holds at most {max} transfers, this one has {got}")]
    TooManyTransfers {
        /// The number given.
        got: usize,
        /// [`MAX_CHUNK_TRANSFERS`].
        max: usize,
    },
    /// The trace violates a constraint of the AIR (only reachable through
    /// [`prove_chunk_unchecked`] or a bug in the trace generator).
    #[error("the trace violates AIR constraint #{constraint} at row {row}")]
    Unsatisfied {
        /// Trace row.
        row: usize,
        /// Index of the constraint within one row's evaluation.
        constraint: usize,
    },
    /// The Plonky3 prover failed.
    #[error("prover backend: {0}")]
    Backend(String),
    /// The proof could not be encoded.
    #[error("encoding the proof: {0}")]
    Encode(String),
}

/// Why a chunk proof was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The proof bytes exceed [`MAX_PROOF_BYTES`].
    #[error("proof of {len} bytes exceeds the {max}-byte limit")]
    TooLarge {
        /// Its length.
        len: usize,
        /// [`MAX_PROOF_BYTES`].
        max: usize,
    },
    /// The proof bytes do not decode.
    #[error("malformed proof bytes: {0}")]
    Decode(String),
    /// The proof claims a trace taller than [`MAX_DEGREE_BITS`] allows.
    #[error("proof trace height 2^{degree_bits} exceeds 2^{max}")]
    TooTall {
        /// The claimed log2 height.
        degree_bits: usize,
        /// [`MAX_DEGREE_BITS`].
        max: usize,
    },
    /// The STARK verifier rejected the proof for these public inputs.
    #[error("proof rejected: {0}")]
    Rejected(String),
}

/// Proves `w`: runs [`ChunkWitness::check`] first and returns its error by name.
///
/// # Errors
/// [`ProveError::Witness`] for a bad witness, [`ProveError::TooManyTransfers`], and
/// backend/encoding failures.
pub fn prove_chunk(w: &ChunkWitness) -> Result<ChunkProof, ProveError> {
    w.check()?;
    prove_chunk_unchecked(w)
}

/// Proves `w` without [`ChunkWitness::check`]: for tests of the AIR itself. The trace is
/// checked against every constraint first (Plonky3's non-panicking debug checker), so a
/// bad witness gives [`ProveError::Unsatisfied`] instead of a proof.
///
/// # Errors
/// As [`prove_chunk`], with [`ProveError::Unsatisfied`] in place of
/// [`ProveError::Witness`].
#[doc(hidden)]
pub fn prove_chunk_unchecked(w: &ChunkWitness) -> Result<ChunkProof, ProveError> {
    let proof = prove_raw(w, true)?;
    let bytes = postcard::to_allocvec(&proof).map_err(|e| ProveError::Encode(e.to_string()))?;
    Ok(ChunkProof {
        public: w.public,
        proof: bytes,
    })
}

/// Proves `w` with neither [`ChunkWitness::check`] nor the constraint pre-check: a
/// stand-in for a malicious prover, to test that the STARK verifier itself rejects a
/// proof of an unsatisfying trace. In debug builds Plonky3's prover panics on such a
/// trace instead (its own `check_constraints`).
///
/// # Errors
/// As [`prove_chunk_unchecked`], without [`ProveError::Unsatisfied`].
#[doc(hidden)]
pub fn prove_chunk_forced(w: &ChunkWitness) -> Result<ChunkProof, ProveError> {
    let proof = prove_raw(w, false)?;
    let bytes = postcard::to_allocvec(&proof).map_err(|e| ProveError::Encode(e.to_string()))?;
    Ok(ChunkProof {
        public: w.public,
        proof: bytes,
    })
}

/// Checks the trace of `w` against every AIR constraint without proving.
///
/// # Errors
/// [`ProveError::Unsatisfied`] naming the first violation; [`ProveError::TooManyTransfers`].
#[doc(hidden)]
pub fn check_constraints_unchecked(w: &ChunkWitness) -> Result<(), ProveError> {
    check_len(w)?;
    let trace = generate(w);
    check_trace(&trace, &w.public.to_fields())
}

fn check_len(w: &ChunkWitness) -> Result<(), ProveError> {
    if w.transfers.len() > MAX_CHUNK_TRANSFERS {
        return Err(ProveError::TooManyTransfers {
            got: w.transfers.len(),
            max: MAX_CHUNK_TRANSFERS,
        });
    }
    Ok(())
}

fn check_trace(
    trace: &p3_matrix::dense::RowMajorMatrix<F>,
    public: &[F],
) -> Result<(), ProveError> {
    let report = check_all_constraints(&ChunkAir, trace, public, Some(1));
    match report.failures.first() {
        None => Ok(()),
        Some(f) => Err(ProveError::Unsatisfied {
            row: f.row,
            constraint: f.constraint,
        }),
    }
}

/// Generates the trace, checks it (when `check`), and proves it.
fn prove_raw(w: &ChunkWitness, check: bool) -> Result<Proof<ChunkStarkConfig>, ProveError> {
    check_len(w)?;
    let trace = generate(w);
    let public = w.public.to_fields();
    if check {
        check_trace(&trace, &public)?;
    }
    debug_assert_eq!(trace.values.len(), trace_height(w.transfers.len()) * WIDTH);
    prove(&config(), &ChunkAir, trace, &public).map_err(|e| ProveError::Backend(e.to_string()))
}

/// Verifies a chunk proof; returns its public inputs.
///
/// # Errors
/// [`VerifyError`]: oversized or malformed bytes, an oversized trace claim, or a proof the
/// STARK verifier rejects for [`ChunkProof::public`].
pub fn verify_chunk(p: &ChunkProof) -> Result<PublicInputs, VerifyError> {
    if p.proof.len() > MAX_PROOF_BYTES {
        return Err(VerifyError::TooLarge {
            len: p.proof.len(),
            max: MAX_PROOF_BYTES,
        });
    }
    let proof: Proof<ChunkStarkConfig> =
        postcard::from_bytes(&p.proof).map_err(|e| VerifyError::Decode(e.to_string()))?;
    if proof.degree_bits > MAX_DEGREE_BITS {
        return Err(VerifyError::TooTall {
            degree_bits: proof.degree_bits,
            max: MAX_DEGREE_BITS,
        });
    }
    let public = p.public.to_fields();
    // The verifier runs on untrusted bytes: a panic inside the backend on a malformed
    // shape must be a rejection, not a crash of the node.
    let outcome = std::panic::catch_unwind(|| verify(&config(), &ChunkAir, &proof, &public));
    match outcome {
        Ok(Ok(())) => Ok(p.public),
        Ok(Err(e)) => Err(VerifyError::Rejected(e.to_string())),
        Err(_) => Err(VerifyError::Rejected(
            "verifier panicked on a malformed proof".into(),
        )),
    }
}

/// A 32-byte identifier of the verification key: Keccak-256 over [`CIRCUIT_VERSION`],
/// the trace shape (width, steps per transfer, tree depth, public-input count, maximum
/// constraint degree), [`FRI_PARAMS`], the permutation used by the commitments (its
/// output on a fixed input), and a fingerprint of the constraint polynomials (every
/// constraint evaluated at a fixed pseudo-random point). Any change to the AIR, the
/// layout or the proof configuration changes it.
pub fn vk_hash() -> [u8; 32] {
    static VK: OnceLock<[u8; 32]> = OnceLock::new();
    *VK.get_or_init(|| {
        let mut h = Keccak256::new();
        h.update(CIRCUIT_VERSION.as_bytes());
        for v in [
            WIDTH,
            STEPS,
            DEPTH,
            PUBLIC_INPUTS_LEN,
            MAX_CONSTRAINT_DEGREE,
            air::perm::LANE,
            FRI_PARAMS.log_blowup,
            FRI_PARAMS.log_final_poly_len,
            FRI_PARAMS.max_log_arity,
            FRI_PARAMS.num_queries,
            FRI_PARAMS.batch_pow_bits,
            FRI_PARAMS.commit_pow_bits,
            FRI_PARAMS.query_pow_bits,
            MAX_DEGREE_BITS,
        ] {
            h.update((v as u64).to_le_bytes());
        }
        let probe = hash::permute(core::array::from_fn(F::from_usize));
        for x in probe.iter().chain(constraint_fingerprint().iter()) {
            h.update(x.as_canonical_u32().to_le_bytes());
        }
        h.finalize().into()
    })
}

/// [`vk_hash`] as `0x`-hex: the circuit identifier a protocol version is bound to.
pub fn circuit_id() -> String {
    format!("0x{}", hex::encode(vk_hash()))
}

/// Evaluates every constraint of [`ChunkAir`] at a fixed pseudo-random point.
fn constraint_fingerprint() -> Vec<F> {
    let mut x = F::from_u32(0x1234_5678);
    let mut next = || {
        x = x * x + F::from_u32(7);
        x
    };
    let local: Vec<F> = (0..WIDTH).map(|_| next()).collect();
    let nxt: Vec<F> = (0..WIDTH).map(|_| next()).collect();
    let public: Vec<F> = (0..PUBLIC_INPUTS_LEN).map(|_| next()).collect();
    let selectors = [next(), next(), next()];
    let empty: [F; 0] = [];
    let mut b = FingerprintBuilder {
        main: RowWindow::from_two_rows(&local, &nxt),
        prep: RowWindow::from_two_rows(&empty, &empty),
        public: &public,
        selectors,
        values: Vec::new(),
    };
    p3_air::Air::eval(&ChunkAir, &mut b);
    let mut out = b.values;
    out.push(F::from_usize(out.len()));
    out
}

/// An [`AirBuilder`] that records each constraint's value at a fixed point.
struct FingerprintBuilder<'a> {
    main: RowWindow<'a, F>,
    prep: RowWindow<'a, F>,
    public: &'a [F],
    selectors: [F; 3],
    values: Vec<F>,
}

impl<'a> AirBuilder for FingerprintBuilder<'a> {
    type F = F;
    type Expr = F;
    type Var = F;
    type PreprocessedWindow = RowWindow<'a, F>;
    type MainWindow = RowWindow<'a, F>;
    type PublicVar = F;
    type PeriodicVar = F;

    fn main(&self) -> Self::MainWindow {
        self.main
    }

    fn preprocessed(&self) -> &Self::PreprocessedWindow {
        &self.prep
    }

    fn is_first_row(&self) -> F {
        self.selectors[0]
    }

    fn is_last_row(&self) -> F {
        self.selectors[1]
    }

    fn is_transition(&self) -> F {
        self.selectors[2]
    }

    fn assert_zero<I: Into<F>>(&mut self, x: I) {
        self.values.push(x.into());
    }

    fn public_values(&self) -> &[F] {
        self.public
    }
}

/// Serde for bytes: hex string in human-readable formats, raw bytes otherwise.
mod bytes_hex {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.serialize_str(&hex::encode(v))
        } else {
            s.serialize_bytes(v)
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        if d.is_human_readable() {
            let s = String::deserialize(d)?;
            hex::decode(s.strip_prefix("0x").unwrap_or(&s)).map_err(serde::de::Error::custom)
        } else {
            let b: serde_bytes_compat::ByteBuf = Deserialize::deserialize(d)?;
            Ok(b.0)
        }
    }

    /// A byte buffer that deserializes from either `bytes` or a sequence of `u8`.
    mod serde_bytes_compat {
        use serde::de::{Deserialize, Deserializer, SeqAccess, Visitor};

        pub(crate) struct ByteBuf(pub(crate) Vec<u8>);

        impl<'de> Deserialize<'de> for ByteBuf {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> Visitor<'de> for V {
                    type Value = ByteBuf;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str("bytes")
                    }
                    fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<ByteBuf, E> {
                        Ok(ByteBuf(v.to_vec()))
                    }
                    fn visit_byte_buf<E: serde::de::Error>(self, v: Vec<u8>) -> Result<ByteBuf, E> {
                        Ok(ByteBuf(v))
                    }
                    fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<ByteBuf, A::Error> {
                        let mut out = Vec::with_capacity(a.size_hint().unwrap_or(0).min(1 << 20));
                        while let Some(b) = a.next_element::<u8>()? {
                            out.push(b);
                        }
                        Ok(ByteBuf(out))
                    }
                }
                d.deserialize_byte_buf(V)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vk_hash_is_deterministic_and_covers_the_constraints() {
        assert_eq!(vk_hash(), vk_hash());
        assert_ne!(vk_hash(), [0u8; 32]);
        assert_eq!(circuit_id().len(), 66);
        // The fingerprint sees every constraint (a few thousand, all non-trivial at a
        // random point).
        let fp = constraint_fingerprint();
        assert!(fp.len() > 1000, "{} constraints", fp.len());
        assert!(fp.iter().filter(|x| **x == F::ZERO).count() < fp.len() / 10);
    }

    #[test]
    fn fri_parameters_reach_100_conjectured_bits() {
        const { assert!(FRI_PARAMS.conjectured_security_bits() >= 100) };
        // The quotient of a degree-3 AIR needs a blowup of at least 2.
        const { assert!(FRI_PARAMS.log_blowup >= 1) };
        assert!(trace_height(MAX_CHUNK_TRANSFERS) <= 1 << MAX_DEGREE_BITS);
    }

    #[test]
    fn oversized_chunks_are_refused() {
        let w = ChunkWitness {
            public: PublicInputs {
                root_before: crate::hash::Digest::ZERO,
                root_after: crate::hash::Digest::ZERO,
                commitment_before: crate::hash::Digest::ZERO,
                commitment_after: crate::hash::Digest::ZERO,
                fee_recipient: [0; 20],
            },
            transfers: Vec::new(),
        };
        assert!(check_len(&w).is_ok());
        let bytes = ChunkProof {
            public: w.public,
            proof: vec![0; MAX_PROOF_BYTES + 1],
        };
        assert!(matches!(
            verify_chunk(&bytes),
            Err(VerifyError::TooLarge { .. })
        ));
    }
}
