//! A whole FRI opening proof of the L1 configuration's PCS, for the on-chain FRI verifier:
//! two batches of seeded matrices are committed, the transcript observes both commitments
//! and samples ζ, and Plonky3's `TwoAdicFriPcs` opens the first batch at ζ and ζ·g and the
//! second at ζ. The fixture holds the claims, every field of the proof flattened for forge,
//! and the transcript that Plonky3's verifier runs over it (recorded by
//! [`RecordingChallenger`]: every observation, sample and proof-of-work check, the protocol
//! seeds included).
//!
//! Proof of work makes proving irreproducible (the witness found depends on the search), so
//! the fixture also carries the proof's postcard encoding: the staleness test decodes it,
//! verifies it with Plonky3 and checks that every flattened field and the recorded
//! transcript follow from it. `just fixtures` writes `contracts/test/fixtures/l1_pcs.json`.

use p3_baby_bear::BabyBear;
use p3_challenger::{CanObserve, CanSample, CanSampleBits, FieldChallenger, GrindingChallenger};
use p3_commit::{CommitmentOpening, MatrixOpening, Pcs, PointOpening};
use p3_field::coset::TwoAdicMultiplicativeCoset;
use p3_field::{BasedVectorSpace, PrimeField32};
use p3_fri::{FriShape, PcsShape};
use p3_matrix::dense::RowMajorMatrix;
use p3_merkle_tree::MerkleCap;
use p3_uni_stark::StarkGenericConfig;
use serde::{Deserialize, Serialize};

use crate::l1::{l1_challenger, l1_config, L1Challenger, L1StarkConfig};
use crate::l1_field_fixture::{coefficients, Ext};
use crate::l1_transcript_fixture::{
    digest_hex as hex32, element, op, word, word_value, TranscriptScript,
};

type Cap = MerkleCap<BabyBear, [u8; 32]>;
type L1Pcs = <L1StarkConfig as StarkGenericConfig>::Pcs;
pub use crate::l1::L1PcsProof;
/// What a PCS opening proves: per committed batch, its commitment and each matrix's domain,
/// opening points and claimed values.
pub type Claims = Vec<CommitmentOpening<Ext, Cap, TwoAdicMultiplicativeCoset<BabyBear>>>;

/// The L1 challenger with every operation recorded as a [`TranscriptScript`] (the on-chain
/// replay's format).
#[derive(Clone)]
pub struct RecordingChallenger {
    inner: L1Challenger,
    /// What ran, in order.
    pub script: TranscriptScript,
}

impl RecordingChallenger {
    /// A fresh L1 transcript, recording.
    pub fn new() -> Self {
        Self {
            inner: l1_challenger(),
            script: TranscriptScript::new(),
        }
    }
}

impl Default for RecordingChallenger {
    fn default() -> Self {
        Self::new()
    }
}

impl CanObserve<BabyBear> for RecordingChallenger {
    fn observe(&mut self, x: BabyBear) {
        self.script
            .push(op::OBSERVE, word(x.as_canonical_u32().into()), 0);
        self.inner.observe(x);
    }
}

impl CanObserve<Cap> for RecordingChallenger {
    fn observe(&mut self, cap: Cap) {
        for root in cap.roots() {
            self.script.push(op::OBSERVE_DIGEST, hex32(root), 0);
        }
        self.inner.observe(cap);
    }
}

impl RecordingChallenger {
    /// One base-field sample, recorded.
    fn sample_base(&mut self) -> BabyBear {
        let x: BabyBear = self.inner.sample();
        self.script
            .push(op::SAMPLE_BASE, word(0), x.as_canonical_u32().into());
        x
    }
}

/// A sample of BabyBear or of an extension: one base sample per coefficient, coefficient
/// 0 first (as `SerializingChallenger32` samples any `BasedVectorSpace<BabyBear>`).
impl<EF: BasedVectorSpace<BabyBear>> CanSample<EF> for RecordingChallenger {
    fn sample(&mut self) -> EF {
        EF::from_basis_coefficients_fn(|_| self.sample_base())
    }
}

impl CanSampleBits<usize> for RecordingChallenger {
    fn sample_bits(&mut self, bits: usize) -> usize {
        let v = self.inner.sample_bits(bits);
        self.script
            .push(op::SAMPLE_BITS, word(bits as u64), v as u64);
        v
    }
}

impl GrindingChallenger for RecordingChallenger {
    type Witness = BabyBear;

    /// Proving does not go through the recorder; a grind here is a bug.
    fn grind(&mut self, _bits: usize) -> BabyBear {
        unreachable!("the recording challenger only verifies")
    }

    fn check_witness(&mut self, bits: usize, witness: BabyBear) -> bool {
        let passes = self.inner.check_witness(bits, witness);
        let arg = (bits as u64) << 32 | u64::from(witness.as_canonical_u32());
        self.script
            .push(op::CHECK_WITNESS, word(arg), u64::from(passes));
        passes
    }
}

impl FieldChallenger<BabyBear> for RecordingChallenger {}

/// (batch, trace log-height, width): batch 0 holds 2^6 × 3 and 2^4 × 2 and is opened at ζ and
/// ζ·g; batch 1 holds 2^6 × 4 and is opened at ζ.
const MATRICES: [(usize, usize, usize); 3] = [(0, 6, 3), (0, 4, 2), (1, 6, 4)];

/// The fixture forge reads. Extension elements are 4 canonical coefficients each, flat;
/// digests `0x`-hex.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PcsFixture {
    /// Each batch's commitment (Merkle root).
    pub commitments: Vec<String>,
    /// Each matrix's batch, trace log-height and width (matrices in batch order).
    pub mat_batch: Vec<u64>,
    /// Each matrix's LDE log-height (trace log-height + log_blowup).
    pub mat_log_heights: Vec<u64>,
    /// Each matrix's width.
    pub mat_widths: Vec<u64>,
    /// Each matrix's opening points.
    pub mat_point_counts: Vec<u64>,
    /// The opening points, matrices in order.
    pub points: Vec<u32>,
    /// The claimed values: per matrix, per point, a row of its width.
    pub claims: Vec<u32>,
    /// The FRI commit-phase commitments, one per round.
    pub commit_phase_commits: Vec<String>,
    /// The final polynomial, low degree first.
    pub final_poly: Vec<u32>,
    /// The query proof-of-work witness.
    pub query_pow_witness: u32,
    /// Per round, per query, the arity − 1 sibling values.
    pub sibling_values: Vec<u32>,
    /// Per round, how many Merkle siblings its pruned proof holds…
    pub round_proof_lens: Vec<u64>,
    /// …and the siblings, rounds in order.
    pub round_proofs: Vec<String>,
    /// Per batch, per query, the opened rows of its matrices (base elements).
    pub input_rows: Vec<u32>,
    /// Per batch, how many Merkle siblings its pruned proof holds…
    pub input_proof_lens: Vec<u64>,
    /// …and the siblings, batches in order.
    pub input_proofs: Vec<String>,
    /// The verifier's transcript from the first observation on: both commitments, ζ, then
    /// the PCS (its seed, the claims, α, FRI's seed, β per round, the final polynomial, the
    /// query proof of work and the query indices).
    pub transcript: TranscriptScript,
    /// The PCS protocol seed: the field elements Plonky3's PCS domain separator for these
    /// claims observes first (a verifying-key constant for a fixed proof shape).
    pub pcs_seed: Vec<u32>,
    /// The FRI protocol seed, observed after α (its shape: schedule, blowup, arity cap).
    pub fri_seed: Vec<u32>,
    /// The proof's postcard encoding, hex (for the staleness test).
    pub proof_postcard: String,
}

/// The field elements a domain separator's seed observes, recorded.
fn seed_elements(seed: impl FnOnce(&mut RecordingChallenger)) -> Vec<u32> {
    let mut recorder = RecordingChallenger::new();
    seed(&mut recorder);
    recorder.script.args.iter().map(|a| word_value(a)).collect()
}

/// The PCS and FRI seeds of these claims under the L1 parameters.
fn seeds(claims: &Claims) -> (Vec<u32>, Vec<u32>) {
    let params = crate::stark::fri_parameters_of(crate::l1::L1_FRI_PARAMS, ());
    let pcs = PcsShape::from_claims(&params, claims).domain_separator::<BabyBear, Ext>();
    let mut heights: Vec<usize> = claims
        .iter()
        .flat_map(|c| c.matrices.iter())
        .map(|m| m.domain.log_size() + params.log_blowup)
        .collect();
    heights.sort_unstable_by(|a, b| b.cmp(a));
    heights.dedup();
    let fri = FriShape::new(&params, &heights, heights[0]).domain_separator::<BabyBear, Ext>();
    (
        seed_elements(|r| pcs.seed(r)),
        seed_elements(|r| fri.seed(r)),
    )
}

fn exts(xs: impl IntoIterator<Item = Ext>) -> Vec<u32> {
    xs.into_iter().flat_map(coefficients).collect()
}

/// The seeded matrices (deterministic) per batch, with their trace domains.
fn batches(
    pcs: &L1Pcs,
) -> Vec<
    Vec<(
        TwoAdicMultiplicativeCoset<BabyBear>,
        RowMajorMatrix<BabyBear>,
    )>,
> {
    let mut rng = 0x0070_6373_u64;
    (0..2)
        .map(|batch| {
            MATRICES
                .iter()
                .filter(|m| m.0 == batch)
                .map(|&(_, log_h, width)| {
                    let cells = (0..width << log_h).map(|_| element(&mut rng)).collect();
                    let domain = <L1Pcs as Pcs<Ext, L1Challenger>>::natural_domain_for_degree(
                        pcs,
                        1 << log_h,
                    );
                    (domain, RowMajorMatrix::new(cells, width))
                })
                .collect()
        })
        .collect()
}

/// Commits, samples ζ and opens with Plonky3 (proving grinds, so the proof differs per run),
/// then records the verification.
pub fn pcs_fixture() -> PcsFixture {
    let config = l1_config();
    let pcs = config.pcs();
    let batches = batches(pcs);
    let committed: Vec<_> = batches
        .iter()
        .map(|b| <L1Pcs as Pcs<Ext, L1Challenger>>::commit(pcs, b.clone()).expect("commits"))
        .collect();
    let mut challenger = l1_challenger();
    for (cap, _) in &committed {
        challenger.observe(cap.clone());
    }
    let zeta: Ext = challenger.sample_algebra_element();
    let next = zeta * <BabyBear as p3_field::TwoAdicField>::two_adic_generator(6);
    let requests = vec![
        (&committed[0].1, vec![vec![zeta, next]; 2]).into(),
        (&committed[1].1, vec![vec![zeta]]).into(),
    ];
    let (opened, proof) = pcs.open(requests, &mut challenger).expect("opens");
    let claims: Claims = committed
        .iter()
        .zip(&batches)
        .zip(&opened)
        .map(|(((cap, _), batch), values)| CommitmentOpening {
            commitment: cap.clone(),
            matrices: batch
                .iter()
                .zip(values)
                .map(|((domain, _), per_point)| MatrixOpening {
                    domain: *domain,
                    points: per_point
                        .iter()
                        .zip([zeta, next])
                        .map(|(v, point)| PointOpening {
                            point,
                            values: v.clone(),
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect();
    record(&claims, &proof)
}

/// Verifies `proof` of `claims` with Plonky3 through a [`RecordingChallenger`] and flattens
/// both with the recorded transcript.
///
/// # Panics
/// If Plonky3 rejects the proof.
pub fn record(claims: &Claims, proof: &L1PcsProof) -> PcsFixture {
    let config = l1_config();
    let mut recorder = RecordingChallenger::new();
    for claim in claims {
        recorder.observe(claim.commitment.clone());
    }
    let _zeta: Ext = recorder.sample_algebra_element();
    config
        .pcs()
        .verify(claims.clone(), proof, &mut recorder)
        .expect("Plonky3 accepts its own opening");
    flatten(claims, proof, recorder.script)
}

/// The fixture of `proof` opening `claims`, with `transcript` as its recorded transcript
/// (the protocol seeds computed from the claims' shape). Other fixtures whose proofs contain
/// a PCS opening (`sq_prover_recursion::l1_stark_fixture`) flatten theirs with it.
pub fn flatten(claims: &Claims, proof: &L1PcsProof, transcript: TranscriptScript) -> PcsFixture {
    let (pcs_seed, fri_seed) = seeds(claims);
    let log_blowup = crate::l1::L1_FRI_PARAMS.log_blowup;
    let mats = || {
        claims
            .iter()
            .enumerate()
            .flat_map(|(b, c)| c.matrices.iter().map(move |m| (b, m)))
    };
    let digests = |caps: &mut dyn Iterator<Item = &[u8; 32]>| caps.map(hex32).collect::<Vec<_>>();
    PcsFixture {
        commitments: digests(&mut claims.iter().map(|c| &c.commitment.roots()[0])),
        mat_batch: mats().map(|(b, _)| b as u64).collect(),
        mat_log_heights: mats()
            .map(|(_, m)| (m.domain.log_size() + log_blowup) as u64)
            .collect(),
        mat_widths: mats()
            .map(|(_, m)| m.points[0].values.len() as u64)
            .collect(),
        mat_point_counts: mats().map(|(_, m)| m.points.len() as u64).collect(),
        points: exts(mats().flat_map(|(_, m)| m.points.iter().map(|p| p.point))),
        claims: exts(mats().flat_map(|(_, m)| m.points.iter().flat_map(|p| p.values.clone()))),
        commit_phase_commits: digests(
            &mut proof.commit_phase_commits.iter().map(|c| &c.roots()[0]),
        ),
        final_poly: exts(proof.final_poly.iter().copied()),
        query_pow_witness: proof.query_pow_witness.as_canonical_u32(),
        sibling_values: exts(
            proof
                .commit_phase_openings
                .iter()
                .flat_map(|r| r.sibling_values.iter().flatten().copied()),
        ),
        round_proof_lens: proof
            .commit_phase_openings
            .iter()
            .map(|r| r.opening_proof.sibling_hashes.len() as u64)
            .collect(),
        round_proofs: digests(
            &mut proof
                .commit_phase_openings
                .iter()
                .flat_map(|r| r.opening_proof.sibling_hashes.iter()),
        ),
        input_rows: proof
            .input_openings
            .iter()
            .flat_map(|b| b.opened_values.iter().flatten().flatten())
            .map(|x| x.as_canonical_u32())
            .collect(),
        input_proof_lens: proof
            .input_openings
            .iter()
            .map(|b| b.opening_proof.sibling_hashes.len() as u64)
            .collect(),
        input_proofs: digests(
            &mut proof
                .input_openings
                .iter()
                .flat_map(|b| b.opening_proof.sibling_hashes.iter()),
        ),
        pcs_seed,
        fri_seed,
        transcript,
        proof_postcard: hex::encode(postcard::to_allocvec(proof).expect("a proof encodes")),
    }
}

/// The claims a fixture states, rebuilt from its fields (the commitments recomputed from the
/// seeded matrices, which are deterministic).
fn claims_of(f: &PcsFixture) -> Claims {
    let config = l1_config();
    let pcs = config.pcs();
    let ext_at = |flat: &[u32], i: usize| {
        Ext::from_basis_coefficients_fn(|k| BabyBear::new(flat[4 * i + k]))
    };
    let (mut point_at, mut value_at) = (0, 0);
    batches(pcs)
        .into_iter()
        .enumerate()
        .map(|(b, batch)| {
            let (cap, _) =
                <L1Pcs as Pcs<Ext, L1Challenger>>::commit(pcs, batch.clone()).expect("commits");
            let first = f
                .mat_batch
                .iter()
                .position(|&x| x as usize == b)
                .expect("batch");
            CommitmentOpening {
                commitment: cap,
                matrices: batch
                    .iter()
                    .enumerate()
                    .map(|(i, (domain, _))| {
                        let m = first + i;
                        let points = (0..f.mat_point_counts[m])
                            .map(|_| {
                                let point = ext_at(&f.points, point_at);
                                point_at += 1;
                                let values = (0..f.mat_widths[m])
                                    .map(|_| {
                                        value_at += 1;
                                        ext_at(&f.claims, value_at - 1)
                                    })
                                    .collect();
                                PointOpening { point, values }
                            })
                            .collect();
                        MatrixOpening {
                            domain: *domain,
                            points,
                        }
                    })
                    .collect(),
            }
        })
        .collect()
}

/// Checks a fixture: its proof decodes, Plonky3 verifies it against the claims, and every
/// flattened field and the transcript are what the proof and the claims give.
///
/// # Panics
/// When any of that fails (the message says which).
pub fn check_fixture(f: &PcsFixture) {
    let bytes = hex::decode(&f.proof_postcard).expect("hex");
    let proof: L1PcsProof = postcard::from_bytes(&bytes).expect("the proof decodes");
    assert_eq!(
        &record(&claims_of(f), &proof),
        f,
        "stale fixture: run `just fixtures`"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The checked-in fixture verifies in Plonky3, and forge reads what it implies.
    #[test]
    fn the_checked_in_forge_fixture_is_current() {
        let checked_in: PcsFixture =
            serde_json::from_str(include_str!("../../../contracts/test/fixtures/l1_pcs.json"))
                .expect("fixture parses");
        check_fixture(&checked_in);
    }

    /// The exported seeds are exactly what the verifier's transcript observed: the PCS seed
    /// right after ζ, the FRI seed right after α.
    #[test]
    fn the_seeds_are_what_the_transcript_observed() {
        let f: PcsFixture =
            serde_json::from_str(include_str!("../../../contracts/test/fixtures/l1_pcs.json"))
                .expect("fixture parses");
        let observed = |from: usize, n: usize| -> Vec<u32> {
            (from..from + n)
                .map(|i| {
                    assert_eq!(f.transcript.kinds[i], op::OBSERVE);
                    word_value(&f.transcript.args[i])
                })
                .collect()
        };
        // 2 commitment digests and 4 samples (ζ) come first.
        assert_eq!(observed(6, f.pcs_seed.len()), f.pcs_seed);
        let after_alpha = 6 + f.pcs_seed.len() + f.claims.len() + 4;
        assert_eq!(observed(after_alpha, f.fri_seed.len()), f.fri_seed);
        assert_eq!(
            f.transcript.kinds[after_alpha + f.fri_seed.len()],
            op::OBSERVE_DIGEST
        );
    }
}
