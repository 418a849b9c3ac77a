//! The **L1 proof configuration**: the STARK configuration of the proofs an L1 contract
//! verifies (the compression round's, `sq_prover_recursion::compression`).
//!
//! Hashing on L1 must be cheap, so everything the chunk configuration ([`crate::stark`])
//! does with Poseidon2 is done here with Keccak-256 (EVM opcode `KECCAK256`, 30 gas + 6
//! per word):
//!
//! - Field BabyBear; challenges in its degree-4 binomial extension (~124 bits), as in the
//!   chunk configuration.
//! - Merkle trees (`MerkleTreeMmcs`, binary, cap height 0): a leaf (one row of a matrix,
//!   or the rows of several matrices of the same height) is hashed as
//!   `keccak256(x₀ ‖ x₁ ‖ …)` with each element as **4 little-endian bytes of its
//!   Montgomery form** (`SerializingHasher` over `Keccak256Hash`); a node is
//!   `keccak256(left ‖ right)` (`CompressionFunctionFromHasher`); 32-byte digests. The
//!   rows of a shorter matrix are injected at the layer of its height as
//!   `keccak256(node ‖ leaf hash of those rows)` (as `p3_merkle_tree`'s `verify_batch`).
//! - Fiat–Shamir: Plonky3's `SerializingChallenger32` over a `HashChallenger` of
//!   Keccak-256. Observed field elements are appended to the input buffer as 4
//!   little-endian bytes (Montgomery form), digests as their 32 bytes. A sample with no
//!   output left hashes the input buffer and **keeps the 32-byte output as the start of
//!   the next input**, so every hash after the first is `keccak256(previous output ‖ new
//!   observations)`; an observation discards unread output. Output bytes are handed out
//!   from the **last** byte backwards; a field sample takes 4 of them as a little-endian
//!   `u32` (so bytes 31, 30, 29, 28 of a fresh output: the big-endian reading of bytes
//!   28..32), masks it to 31 bits and rejects values ≥ p. What is observed and sampled,
//!   in which order and under which labels (the protocol seed, each step's label, the
//!   byte sampled and dropped before a proof-of-work check) is `p3-batch-stark` 0.8's
//!   transcript (`transcript.rs`) over `p3-challenger`'s `fs` module and the FRI
//!   transcript of `p3-fri`: an L1 verifier replays exactly that.
//! - FRI ([`L1_FRI_PARAMS`]): blowup 8 (`log_blowup = 3`), 27 queries, 20 bits of query
//!   proof of work, folding arity up to 8, final polynomial of degree 0.
//!
//! # Security
//!
//! Conjectured soundness (ethSTARK; Plonky3's `conjectured_soundness_bits`), counting the
//! query proof of work: `log_blowup × num_queries + query_pow_bits = 3 × 27 + 20 = 101`
//! bits, below the extension field's ~124 bits. Conjectured (list-decoding regime), not
//! proven. The count is FRI's alone: the lookup and out-of-domain grinds of the batch
//! transcript are 0 bits here, and a compressed proof is only as sound as the chunk and
//! recursion proofs beneath it ([`crate::stark`]: 100 bits).
//!
//! # Choice of blowup and queries
//!
//! An L1 verifier's cost grows with the queries (each opens a Merkle path per committed
//! matrix and per FRI round) far more than with the path length; the prover's cost grows
//! with the blowup (the LDE is `blowup ×` the trace). Queries for 100 bits with 20 bits of
//! proof of work, `⌈80 / log_blowup⌉`:
//!
//! | log_blowup | blowup | queries | bits | prover LDE vs blowup 4 |
//! |-----------:|-------:|--------:|-----:|-----------------------:|
//! | 1 | 2 | 80 | 100 | ½× |
//! | 2 | 4 | 40 | 100 | 1× |
//! | 3 | 8 | 27 | 101 | 2× |
//! | 4 | 16 | 20 | 100 | 4× |
//!
//! Blowup 8 cuts the queries by a third against blowup 4 for twice the LDE; blowup 16
//! saves 7 more queries for another doubling of the LDE, and the compression prover
//! already peaks at 4.7 GB at blowup 8 (a one-chunk batch in `aggregate_bench`, where the
//! rounds before it peaked at 2.4 GB), against the 8 GB per worker the prover is held to. `l1_fri_table` (a benchmark binary of
//! `sq-prover-recursion`) measures prove time, proof size, verify time and peak memory of
//! one circuit under each row.
//!
//! Proofs are not zero-knowledge (no hiding commitments), as in the chunk configuration.

use p3_baby_bear::BabyBear;
use p3_challenger::{HashChallenger, SerializingChallenger32};
use p3_commit::ExtensionMmcs;
use p3_dft::Radix2DitParallel;
use p3_field::extension::BinomialExtensionField;
use p3_fri::TwoAdicFriPcs;
use p3_keccak::Keccak256Hash;
use p3_merkle_tree::MerkleTreeMmcs;
use p3_symmetric::{CompressionFunctionFromHasher, SerializingHasher};
use p3_uni_stark::StarkConfig;

use crate::stark::{fri_parameters_of, FriParams};

type Val = BabyBear;
/// The challenge field of the L1 configuration: BabyBear's degree-4 binomial extension.
pub type L1Challenge = BinomialExtensionField<Val, 4>;
/// Leaf hash: Keccak-256 over the elements' 4-byte little-endian (Montgomery) forms.
type FieldHash = SerializingHasher<Keccak256Hash>;
/// Node compression: Keccak-256 of the two 32-byte children.
type Compress = CompressionFunctionFromHasher<Keccak256Hash, 2, 32>;
/// The commitment scheme of the L1 configuration's matrices: a binary Keccak Merkle tree
/// with 32-byte digests and cap height 0.
pub type L1ValMmcs = MerkleTreeMmcs<Val, u8, FieldHash, Compress, 2, 32>;
/// The commitment scheme of the FRI commit phase: [`L1ValMmcs`] over extension elements.
pub type L1ChallengeMmcs = ExtensionMmcs<Val, L1Challenge, L1ValMmcs>;
/// The Fiat–Shamir challenger of the L1 configuration.
pub type L1Challenger = SerializingChallenger32<Val, HashChallenger<u8, Keccak256Hash, 32>>;
type Dft = Radix2DitParallel<Val>;
type Pcs = TwoAdicFriPcs<Val, Dft, L1ValMmcs, L1ChallengeMmcs>;

/// The Plonky3 STARK configuration of proofs verified on L1 (types in the module docs).
pub type L1StarkConfig = StarkConfig<Pcs, L1Challenge, L1Challenger>;

/// The L1 PCS's opening proof (what `FriVerifier.Proof` holds on chain).
pub type L1PcsProof = <Pcs as p3_commit::Pcs<L1Challenge, L1Challenger>>::Proof;

/// The FRI parameters of the L1 configuration (security in the module docs).
pub const L1_FRI_PARAMS: FriParams = FriParams {
    log_blowup: 3,
    log_final_poly_len: 0,
    max_log_arity: 3,
    num_queries: 27,
    batch_pow_bits: 0,
    commit_pow_bits: 0,
    query_pow_bits: 20,
};

// The L1 configuration must keep at least 100 conjectured bits (module docs).
const _: () = assert!(L1_FRI_PARAMS.conjectured_security_bits() >= 100);

/// The L1 configuration's Merkle commitment scheme.
pub fn l1_val_mmcs() -> L1ValMmcs {
    L1ValMmcs::new(
        FieldHash::new(Keccak256Hash {}),
        Compress::new(Keccak256Hash {}),
        0,
    )
}

/// The L1 STARK configuration with [`L1_FRI_PARAMS`].
pub fn l1_config() -> L1StarkConfig {
    l1_config_with(L1_FRI_PARAMS)
}

/// The L1 STARK configuration with other FRI parameters (for the parameter table of the
/// module docs; proofs for L1 use [`l1_config`]).
pub fn l1_config_with(params: FriParams) -> L1StarkConfig {
    let val_mmcs = l1_val_mmcs();
    let challenge_mmcs = L1ChallengeMmcs::new(val_mmcs.clone());
    let pcs = Pcs::new(
        Dft::default(),
        val_mmcs,
        fri_parameters_of(params, challenge_mmcs),
    );
    L1StarkConfig::new(pcs, l1_challenger())
}

/// A fresh L1 transcript: empty input buffer, Keccak-256 (what a proof's transcript starts
/// from before the protocol's first observation).
pub fn l1_challenger() -> L1Challenger {
    L1Challenger::from_hasher(Vec::new(), Keccak256Hash {})
}
