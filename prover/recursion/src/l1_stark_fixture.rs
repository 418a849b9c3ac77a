//! A whole circuit proof in the L1 configuration, for the on-chain batch-STARK transcript:
//! a small program (arithmetic, a hint and one Poseidon2 permutation, so that all five
//! tables and the LogUp bus are in use) is proven with [`Circuit::prove_l1`], and
//! `p3_batch_stark::verify_batch` verifies it with a [`RecordingChallenger`] in place of
//! the L1 challenger. The fixture holds what the batch transcript observes (its protocol
//! seed, the degree bits, the commitments, the public values, the lookup terminals, the two
//! zero-bit proof-of-work witnesses), the challenges Plonky3 draws from it (the lookup pair
//! α and β, the constraint challenge, ζ), and the whole recorded transcript, the opening
//! argument's included (`stark_ops` says where it starts), the opened values, Plonky3's
//! selectors and recomposed quotients at ζ, and the opening argument's claims and proof.
//!
//! The query proof of work makes proving irreproducible, so the proof's postcard encoding
//! is kept with the transcript ([`StarkRecord`]): [`check_fixture`] decodes it, verifies it
//! again while recording, and checks every field. `just fixtures` writes
//! `contracts/test/fixtures/l1_stark.json` and `l1_stark_record.json`.

use p3_air::BaseAir;
use p3_baby_bear::BabyBear;
use p3_batch_stark::verifier::commitments_with_opening_points;
use p3_batch_stark::{
    verify_batch, BatchProof, BatchShape, BatchVerifierTranscript, CommonData, Domain, ProverData,
};
use p3_field::{PrimeCharacteristicRing, PrimeField32};
use p3_lookup::LogUpGadget;
use p3_merkle_tree::MerkleCap;
use p3_uni_stark::StarkGenericConfig;
use serde::{Deserialize, Serialize};
use sq_prover_circuits::l1::l1_config;
use sq_prover_circuits::l1_field_fixture::coefficients;
use sq_prover_circuits::l1_pcs_fixture::{flatten, PcsFixture, RecordingChallenger};
use sq_prover_circuits::l1_transcript_fixture::{digest_hex, op, word_value, TranscriptScript};

use crate::circuit::{Builder, Circuit, Ext, L1CircuitProof};
use crate::l1_calldata;

mod recorder;
mod tables;

use recorder::{RecordingConfig, SharedRecorder};
use tables::{at_zeta, constraints, opened};
pub use tables::{AtZetaFixture, ConstraintsFixture, OpenedFixture};

type Cap = MerkleCap<BabyBear, [u8; 32]>;

/// The fixture forge reads. Extension elements are 4 canonical coefficients each, flat;
/// digests `0x`-hex; base elements canonical.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StarkFixture {
    /// The batch transcript's protocol seed: the field elements Plonky3's domain separator
    /// for this batch shape observes first (a verifying-key constant).
    pub seed: Vec<u32>,
    /// Each table's trace log-height (the proof's `degree_bits`), tables in order.
    pub degree_bits: Vec<u64>,
    /// The main-trace commitment.
    pub main_commitment: String,
    /// Each table's public-value count…
    pub public_value_counts: Vec<u64>,
    /// …and the public values, tables in order.
    pub public_values: Vec<u32>,
    /// The preprocessed commitment (the circuit's program: a verifying-key constant).
    pub preprocessed_commitment: String,
    /// The lookup phase's proof-of-work bits and witness (0 bits: the witness must be 0).
    pub lookup_pow_bits: u64,
    /// See `lookup_pow_bits`.
    pub lookup_pow_witness: u32,
    /// The LogUp pair drawn after the main phase: α (the bus offsets' base)…
    pub lookup_alpha: Vec<u32>,
    /// …and β (the payload combiner).
    pub lookup_beta: Vec<u32>,
    /// The permutation-trace commitment.
    pub permutation_commitment: String,
    /// One lookup terminal per table with lookups (extension elements, flat).
    pub terminals: Vec<u32>,
    /// The constraint-folding challenge.
    pub alpha: Vec<u32>,
    /// The quotient-chunk commitment.
    pub quotient_commitment: String,
    /// The out-of-domain phase's proof-of-work bits and witness.
    pub ood_pow_bits: u64,
    /// See `ood_pow_bits`.
    pub ood_pow_witness: u32,
    /// The out-of-domain point.
    pub zeta: Vec<u32>,
    /// How many transcript operations the batch layer runs before the opening argument
    /// (in [`StarkRecord::transcript`]).
    pub stark_ops: u64,
    /// The opened values, per table.
    pub opened: OpenedFixture,
    /// What the out-of-domain check derives at ζ, per table (Plonky3's values).
    pub at_zeta: AtZetaFixture,
    /// Each table's constraint program and the LogUp layout.
    pub constraints: ConstraintsFixture,
    /// The opening argument: the claims Plonky3's batch verifier hands the PCS
    /// (`commitments_with_opening_points`: the main, quotient-chunk, preprocessed and
    /// permutation rounds) and the PCS proof, flattened as [`PcsFixture`] (its `transcript`
    /// and `proof_postcard` left empty: [`StarkRecord`] holds both whole).
    pub pcs: PcsFixture,
    /// The program's public values (the public table's, for the staleness check).
    pub publics: Vec<u32>,
    /// The proof packed for `StarkCircuitVerifier` ([`crate::l1_calldata`]): the batch
    /// part, `0x`-hex…
    pub calldata_batch: String,
    /// …and the opening proof.
    pub calldata_opening: String,
}

/// The proof of a [`StarkFixture`] and the transcript its verification ran, kept apart
/// (`contracts/test/fixtures/l1_stark_record.json`): forge reads the fixture many times per
/// test, and its memory cost grows with the square of the text it parses.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StarkRecord {
    /// The verifier's whole transcript: the batch layer's `stark_ops` operations, then the
    /// opening argument's (the PCS and FRI).
    pub transcript: TranscriptScript,
    /// The proof's postcard encoding, hex.
    pub proof_postcard: String,
}

/// The claims Plonky3's batch verifier hands the PCS for `proof` at `zeta`, flattened with
/// the PCS proof, and each table's quotient-chunk domains.
fn opening_argument(
    cfg: &RecordingConfig,
    circuit: &Circuit,
    proof: &BatchProof<RecordingConfig>,
    common: &CommonData<RecordingConfig>,
    zeta: Ext,
) -> (PcsFixture, Vec<Vec<Domain<RecordingConfig>>>) {
    let preprocessed_widths = shape(circuit, common).preprocessed_widths;
    let log_chunks: Vec<usize> = proof
        .opened_values
        .instances
        .iter()
        .map(|o| o.base_opened_values.quotient_chunks.len().trailing_zeros() as usize)
        .collect();
    let (claims, quotient_domains, _) = commitments_with_opening_points(
        cfg,
        circuit.airs(),
        zeta,
        &proof.commitments,
        &proof.opened_values,
        common,
        &proof.degree_bits,
        &preprocessed_widths,
        &log_chunks,
    )
    .expect("the proof's opening claims");
    let mut pcs = flatten(&claims, &proof.opening_proof, TranscriptScript::new());
    pcs.proof_postcard = String::new();
    (pcs, quotient_domains)
}

/// The fixture's program: `x, y, z` public, `h` a hint; asserts `x·y + 3 = z` and
/// `h·h = x + 1`, and permutes `(x, y, h, 0, …)` once with Poseidon2 (so the permutation
/// table holds a real row). Returns the circuit, its publics (15, 7, 108) and its hint (4).
pub fn program() -> (Circuit, Vec<BabyBear>, Vec<Ext>) {
    let mut b = Builder::new();
    let x = b.public();
    let y = b.public();
    let z = b.public();
    let h = b.hint();
    let three = b.constant(Ext::from(BabyBear::from_u32(3)));
    let xy = b.mul(x, y);
    let s = b.add(xy, three);
    b.assert_eq(s, z);
    let hh = b.mul(h, h);
    let one = b.one();
    let x1 = b.add(x, one);
    b.assert_eq(hh, x1);
    let zero = b.zero();
    let mut input = [zero; 16];
    input[..3].copy_from_slice(&[x, y, h]);
    b.permute(input);
    let publics = [15, 7, 108].map(BabyBear::from_u32).to_vec();
    let hints = vec![Ext::from(BabyBear::from_u32(4))];
    (Circuit::new(b.build()), publics, hints)
}

/// The extension element sampled by the last 4 operations of `script` (4 base samples).
fn last_sample(script: &TranscriptScript) -> Vec<u32> {
    let n = script.kinds.len();
    (n - 4..n)
        .map(|i| {
            assert_eq!(script.kinds[i], op::SAMPLE_BASE, "an extension sample");
            word_value(&script.results[i])
        })
        .collect()
}

/// The batch transcript's shape for `circuit` (as `verify_batch` builds it).
fn shape(circuit: &Circuit, common: &CommonData<RecordingConfig>) -> BatchShape {
    let preprocessed_widths: Vec<usize> = (0..circuit.airs().len())
        .map(|i| {
            common
                .preprocessed
                .as_ref()
                .and_then(|g| g.instances[i].as_ref().map(|m| m.width))
                .unwrap_or(0)
        })
        .collect();
    BatchShape {
        trace_widths: circuit.airs().iter().map(BaseAir::width).collect(),
        public_value_counts: circuit
            .airs()
            .iter()
            .map(BaseAir::num_public_values)
            .collect(),
        preprocessed_widths,
        has_preprocessed_commitment: common.preprocessed.is_some(),
        num_lookup_instances: common.lookups.iter().filter(|l| !l.is_empty()).count(),
        lookup_pow_bits: 0,
        has_randomization_commitment: false,
        ood_pow_bits: 0,
    }
}

/// Records `proof` (of `circuit` with `publics`) being verified by Plonky3, and replays
/// the batch layer alone on a fresh recorder for its challenges.
///
/// # Panics
/// When the proof does not verify, or the batch layer's replay is not the prefix of the
/// verifier's transcript.
pub fn record(
    circuit: &Circuit,
    publics: &[BabyBear],
    proof: &L1CircuitProof,
) -> (StarkFixture, StarkRecord) {
    let bytes = postcard::to_allocvec(proof).expect("a proof encodes");
    let calldata = l1_calldata::encode(proof).expect("the fixture's proof fits the format");
    let proof: BatchProof<RecordingConfig> =
        postcard::from_bytes(&bytes).expect("the proof decodes in the recording config");
    let recorder = SharedRecorder::default();
    let cfg = RecordingConfig::new(l1_config().pcs().clone(), recorder.clone());
    let common = ProverData::from_airs_and_degrees(&cfg, circuit.airs(), &circuit.degree_bits())
        .expect("the circuit's common data")
        .common;
    let public_values = circuit.public_values(publics);
    verify_batch(&cfg, circuit.airs(), &proof, &public_values, &common)
        .expect("Plonky3 accepts its own proof");
    let transcript = recorder.script();
    let layer = replay_batch_layer(&shape(circuit, &common), &proof, &public_values, &common);
    let stark_ops = layer.script.kinds.len();
    let prefix = |s: &TranscriptScript| {
        (
            s.kinds[..stark_ops].to_vec(),
            s.args[..stark_ops].to_vec(),
            s.results[..stark_ops].to_vec(),
        )
    };
    assert_eq!(
        prefix(&transcript),
        prefix(&layer.script),
        "the batch layer's replay is the verifier's transcript up to the opening argument"
    );
    let (pcs, quotient_domains) = opening_argument(&cfg, circuit, &proof, &common, layer.zeta);
    let c = &proof.commitments;
    let digest = |cap: &Cap| digest_hex(&cap.roots()[0]);
    let fixture = StarkFixture {
        seed: layer.seed,
        degree_bits: proof.degree_bits.iter().map(|&b| b as u64).collect(),
        main_commitment: digest(&c.main),
        public_value_counts: public_values.iter().map(|v| v.len() as u64).collect(),
        public_values: public_values
            .iter()
            .flatten()
            .map(|&x| canonical(x))
            .collect(),
        preprocessed_commitment: digest(
            &common.preprocessed.as_ref().expect("a program").commitment,
        ),
        lookup_pow_bits: cfg.lookup_proof_of_work_bits() as u64,
        lookup_pow_witness: proof.lookup_pow_witness.map_or(0, canonical),
        lookup_alpha: layer.lookup_alpha,
        lookup_beta: layer.lookup_beta,
        permutation_commitment: digest(c.permutation.as_ref().expect("the circuit has lookups")),
        terminals: terminals(&proof)
            .into_iter()
            .flat_map(coefficients)
            .collect(),
        alpha: coefficients(layer.alpha),
        quotient_commitment: digest(&c.quotient_chunks),
        ood_pow_bits: cfg.ood_proof_of_work_bits() as u64,
        ood_pow_witness: canonical(proof.ood_pow_witness),
        zeta: coefficients(layer.zeta),
        stark_ops: stark_ops as u64,
        opened: opened(&proof),
        at_zeta: at_zeta(&proof, &quotient_domains, layer.zeta),
        constraints: constraints(circuit, &common, &layer.lookup_challenges),
        pcs,
        publics: publics.iter().map(|&x| canonical(x)).collect(),
        calldata_batch: format!("0x{}", hex::encode(&calldata.batch)),
        calldata_opening: format!("0x{}", hex::encode(&calldata.opening)),
    };
    let record = StarkRecord {
        transcript,
        proof_postcard: hex::encode(bytes),
    };
    (fixture, record)
}

/// The lookup terminals a proof carries, tables with lookups in order.
fn terminals(proof: &BatchProof<RecordingConfig>) -> Vec<Ext> {
    proof
        .lookup_terminals
        .iter()
        .flatten()
        .map(|t| t.0)
        .collect()
}

/// What replaying the batch layer gives: its seed, its script and its challenges.
struct BatchLayer {
    seed: Vec<u32>,
    script: TranscriptScript,
    lookup_alpha: Vec<u32>,
    lookup_beta: Vec<u32>,
    lookup_challenges: Vec<Vec<Ext>>,
    alpha: Ext,
    zeta: Ext,
}

/// Replays the batch transcript of `proof` up to ζ with Plonky3's own driver
/// (`BatchVerifierTranscript`), recording.
fn replay_batch_layer(
    shape: &BatchShape,
    proof: &BatchProof<RecordingConfig>,
    public_values: &[Vec<BabyBear>],
    common: &CommonData<RecordingConfig>,
) -> BatchLayer {
    let mut seed = RecordingChallenger::new();
    shape.domain_separator::<BabyBear, Ext>().seed(&mut seed);
    let recorder = SharedRecorder::default();
    let mut sponge = recorder.clone();
    let mut t = BatchVerifierTranscript::<_, BabyBear, Ext, Cap>::new(&mut sponge, shape.clone());
    t.instance_bindings(&proof.degree_bits);
    let c = &proof.commitments;
    t.main_phase(c.main.clone(), public_values);
    t.preprocessed_phase(common.preprocessed.as_ref().map(|g| g.commitment.clone()));
    let lookup_challenges = t
        .lookup_phase(
            &common.lookups,
            &LogUpGadget::new(),
            proof.lookup_pow_witness,
        )
        .expect("the lookup witness passes");
    let after_lookup = recorder.script();
    let n = after_lookup.kinds.len();
    let before_beta = TranscriptScript {
        kinds: after_lookup.kinds[..n - 4].to_vec(),
        args: after_lookup.args[..n - 4].to_vec(),
        results: after_lookup.results[..n - 4].to_vec(),
    };
    let alpha = t.permutation_phase(c.permutation.clone(), &terminals(proof));
    t.quotient_phase(c.quotient_chunks.clone(), None);
    let zeta = t
        .ood_phase(proof.ood_pow_witness)
        .expect("the ood witness passes");
    t.abort();
    BatchLayer {
        seed: seed.script.args.iter().map(|a| word_value(a)).collect(),
        script: recorder.script(),
        lookup_alpha: last_sample(&before_beta),
        lookup_beta: last_sample(&after_lookup),
        lookup_challenges,
        alpha,
        zeta,
    }
}

/// Proves [`program`] in the L1 configuration and records it.
///
/// # Panics
/// When proving fails (a bug: the program's inputs are satisfying).
pub fn generate() -> (StarkFixture, StarkRecord) {
    let (circuit, publics, hints) = program();
    let proof = circuit
        .prove_l1(&l1_config(), &publics, &hints)
        .expect("the fixture program proves");
    record(&circuit, &publics, &proof)
}

/// Checks a fixture and its record: the proof decodes, Plonky3 verifies it for
/// [`program`], and every field and the transcript are what the proof gives.
///
/// # Panics
/// When any of that fails (the message says which).
pub fn check_fixture(f: &StarkFixture, r: &StarkRecord) {
    let (_, publics, _) = program();
    assert_eq!(
        f.publics,
        publics.iter().map(|&x| canonical(x)).collect::<Vec<_>>()
    );
    let (fixture, record) = rerecord(r);
    assert_eq!(&fixture, f, "stale fixture: run `just fixtures`");
    assert_eq!(&record, r, "stale record: run `just fixtures`");
}

/// Records the proof `r` holds again (for a fixture whose format changed while its proof
/// stays: `l1_stark_fixture --keep-proof`).
///
/// # Panics
/// When the proof does not decode or does not verify for [`program`].
pub fn rerecord(r: &StarkRecord) -> (StarkFixture, StarkRecord) {
    let (circuit, publics, _) = program();
    let bytes = hex::decode(&r.proof_postcard).expect("hex");
    let proof: L1CircuitProof = postcard::from_bytes(&bytes).expect("the proof decodes");
    record(&circuit, &publics, &proof)
}

fn canonical(x: BabyBear) -> u32 {
    x.as_canonical_u32()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checked_in() -> (StarkFixture, StarkRecord) {
        let f = serde_json::from_str(include_str!(
            "../../../contracts/test/fixtures/l1_stark.json"
        ))
        .expect("fixture parses");
        let r = serde_json::from_str(include_str!(
            "../../../contracts/test/fixtures/l1_stark_record.json"
        ))
        .expect("record parses");
        (f, r)
    }

    /// The checked-in fixture verifies in Plonky3, and forge reads what it implies.
    #[test]
    fn the_checked_in_forge_fixture_is_current() {
        let (f, r) = checked_in();
        check_fixture(&f, &r);
    }

    /// The exported seed is what the transcript observes first, and the challenges sit
    /// where the batch layer draws them: α and β after the main phase, ζ last.
    #[test]
    fn the_seed_and_challenges_are_where_the_transcript_has_them() {
        let (f, r) = checked_in();
        let s = &r.transcript;
        let seed: Vec<u32> = (0..f.seed.len())
            .map(|i| {
                assert_eq!(s.kinds[i], op::OBSERVE);
                word_value(&s.args[i])
            })
            .collect();
        assert_eq!(seed, f.seed);
        let end = f.stark_ops as usize;
        let zeta: Vec<u32> = (end - 4..end).map(|i| word_value(&s.results[i])).collect();
        assert_eq!(zeta, f.zeta);
        assert!(s.kinds[end - 4..end].iter().all(|&k| k == op::SAMPLE_BASE));
    }

    /// A one-byte change to the proof's main commitment changes ζ: the replay binds it.
    #[test]
    fn the_challenges_depend_on_the_main_commitment() {
        let (f, r) = checked_in();
        let (circuit, publics, _) = program();
        let bytes = hex::decode(&r.proof_postcard).expect("hex");
        let proof: BatchProof<RecordingConfig> = postcard::from_bytes(&bytes).expect("decodes");
        let cfg = RecordingConfig::new(l1_config().pcs().clone(), SharedRecorder::default());
        let common =
            ProverData::from_airs_and_degrees(&cfg, circuit.airs(), &circuit.degree_bits())
                .expect("common data")
                .common;
        let public_values = circuit.public_values(&publics);
        let honest = replay_batch_layer(&shape(&circuit, &common), &proof, &public_values, &common);
        let mut tampered: BatchProof<RecordingConfig> =
            postcard::from_bytes(&bytes).expect("decodes");
        let mut root = tampered.commitments.main.roots()[0];
        root[0] ^= 1;
        tampered.commitments.main = Cap::new(vec![root]);
        let other = replay_batch_layer(
            &shape(&circuit, &common),
            &tampered,
            &public_values,
            &common,
        );
        assert_eq!(coefficients(honest.zeta), f.zeta);
        assert_ne!(honest.zeta, other.zeta);
        assert_ne!(honest.alpha, other.alpha);
        assert_ne!(honest.lookup_alpha, other.lookup_alpha);
    }
}
