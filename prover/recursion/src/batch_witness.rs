//! Native witness generation for [`crate::batch_verifier`]: a child batch proof's
//! shape checked against its circuit's key, its batch transcript replayed to ζ with
//! Plonky3's challenger, its PCS claims, and the hints in the order the verifier circuit
//! allocates them.

use p3_baby_bear::BabyBear;
use p3_challenger::CanObserve;
use p3_field::{BasedVectorSpace, PrimeCharacteristicRing, TwoAdicField};
use sq_prover_circuits::stark::FRI_PARAMS;

use crate::batch_verifier::ChildKey;
use crate::child::ChildError;
use crate::circuit::{CircuitProof, Ext};
use crate::fri_witness::{fri_hints, NativeCommitment, NativeMatrix};

/// The claims' shape natively (values zero): for the seeds.
pub(crate) fn native_shape_claims(key: &ChildKey) -> Vec<NativeCommitment> {
    let z = |n: usize| vec![Ext::ZERO; n];
    let h = |i: usize| key.degree_bits[i] + FRI_PARAMS.log_blowup;
    let n = key.airs.len();
    let mat = |i: usize, widths: &[usize]| NativeMatrix {
        log_height: h(i),
        points: widths.iter().map(|&w| (Ext::ZERO, z(w))).collect(),
    };
    let root = [BabyBear::ZERO; 8];
    vec![
        NativeCommitment {
            root,
            matrices: (0..n)
                .map(|i| mat(i, &[p3_air::BaseAir::<BabyBear>::width(&key.airs[i])]))
                .collect(),
        },
        NativeCommitment {
            root,
            matrices: (0..n)
                .flat_map(|i| (0..key.quotient_chunks[i]).map(move |_| i))
                .map(|i| mat(i, &[4]))
                .collect(),
        },
        NativeCommitment {
            root,
            matrices: (0..n)
                .map(|i| {
                    mat(
                        i,
                        &[p3_air::BaseAir::<BabyBear>::preprocessed_width(
                            &key.airs[i],
                        )],
                    )
                })
                .collect(),
        },
        NativeCommitment {
            root,
            matrices: (0..n)
                .map(|i| {
                    let w = 4 * key.permutation_width(i);
                    mat(i, &[w, w])
                })
                .collect(),
        },
    ]
}

/// The hints of one child proof, in the order
/// [`crate::batch_verifier::verify_circuit_proof`] allocates them:
/// the main, permutation and quotient commitments, the terminals, each table's opened
/// values (main, preprocessed, permutation at ζ and gζ, quotient chunks), then the
/// opening argument's.
///
/// # Errors
/// [`ChildError`] when the proof is malformed or its opening argument does not verify
/// natively.
pub fn hints(
    key: &ChildKey,
    proof: &CircuitProof,
    publics: &[BabyBear],
) -> Result<Vec<Ext>, ChildError> {
    let bad = |what: &str| ChildError::Transcript(what.to_string());
    check_shape(key, proof)?;
    let c = &proof.commitments;
    let permutation = c
        .permutation
        .as_ref()
        .ok_or_else(|| bad("no permutation commitment"))?;
    let base = |x: &BabyBear| Ext::from(*x);
    let mut out: Vec<Ext> = Vec::new();
    for commit in [&c.main, permutation, &c.quotient_chunks] {
        out.extend(commit.roots()[0].iter().map(base));
    }
    let terminals: Vec<Ext> = proof
        .lookup_terminals
        .iter()
        .map(|t| {
            t.as_ref()
                .map(|t| t.0)
                .ok_or_else(|| bad("a table without its terminal"))
        })
        .collect::<Result<_, _>>()?;
    out.extend(&terminals);
    let inst = &proof.opened_values.instances;
    if inst.len() != key.airs.len() {
        return Err(bad("one opened-value set per table"));
    }
    for o in inst {
        out.extend(&o.base_opened_values.trace_local);
        out.extend(
            o.base_opened_values
                .preprocessed_local()
                .unwrap_or_default(),
        );
        out.extend(&o.permutation_local);
        out.extend(&o.permutation_next);
        out.extend(o.base_opened_values.quotient_chunks.iter().flatten());
    }

    // The native transcript, as the circuit replays it.
    let mut ch = key.seeded();
    for &d in &key.degree_bits {
        for x in [
            BabyBear::from_usize(d),
            BabyBear::ZERO,
            BabyBear::ZERO,
            BabyBear::ZERO,
        ] {
            ch.observe(x);
        }
    }
    ch.observe(c.main.clone());
    for &p in publics {
        ch.observe(p);
    }
    ch.observe(key.preprocessed_root);
    let _alpha_l: Ext = p3_challenger::CanSample::sample(&mut ch);
    let _beta: Ext = p3_challenger::CanSample::sample(&mut ch);
    ch.observe(permutation.clone());
    for t in &terminals {
        for &x in <Ext as BasedVectorSpace<BabyBear>>::as_basis_coefficients_slice(t) {
            ch.observe(x);
        }
    }
    let _alpha: Ext = p3_challenger::CanSample::sample(&mut ch);
    ch.observe(c.quotient_chunks.clone());
    let zeta: Ext = p3_challenger::CanSample::sample(&mut ch);

    let claims = native_claims(key, proof, zeta);
    out.extend(fri_hints(&proof.opening_proof, &claims, ch)?);
    Ok(out)
}

/// Checks that everything [`hints`] reads from an untrusted batch proof has the sizes
/// `key` implies (so it can neither panic nor misalign the hints), and that its 0-bit
/// grinding witnesses are zero, as the native verifier requires.
fn check_shape(key: &ChildKey, proof: &CircuitProof) -> Result<(), ChildError> {
    let n = key.airs.len();
    let c = &proof.commitments;
    let commitments = c.main.num_roots() == 1
        && c.quotient_chunks.num_roots() == 1
        && c.permutation.as_ref().is_some_and(|p| p.num_roots() == 1)
        && c.random.is_none();
    let inst = &proof.opened_values.instances;
    let tables = inst.len() == n
        && proof.degree_bits == key.degree_bits
        && proof.lookup_terminals.len() == n
        && proof.lookup_terminals.iter().all(Option::is_some)
        && inst.iter().enumerate().all(|(i, o)| {
            let air = &key.airs[i];
            let b = &o.base_opened_values;
            let pw = 4 * key.permutation_width(i);
            b.trace_local.len() == p3_air::BaseAir::<BabyBear>::width(air)
                && b.trace_next.is_none()
                && b.preprocessed_local().map(<[Ext]>::len)
                    == Some(p3_air::BaseAir::<BabyBear>::preprocessed_width(air))
                && b.random.is_none()
                && o.permutation_local.len() == pw
                && o.permutation_next.len() == pw
                && b.quotient_chunks.len() == key.quotient_chunks[i]
                && b.quotient_chunks.iter().all(|q| q.len() == 4)
        });
    if !(commitments && tables) {
        return Err(ChildError::Transcript(
            "the batch proof has the wrong shape".into(),
        ));
    }
    if proof.lookup_pow_witness != Some(BabyBear::ZERO) || proof.ood_pow_witness != BabyBear::ZERO {
        return Err(ChildError::Transcript(
            "a 0-bit grinding witness is not zero".into(),
        ));
    }
    Ok(())
}

fn native_claims(key: &ChildKey, proof: &CircuitProof, zeta: Ext) -> Vec<NativeCommitment> {
    let mut claims = native_shape_claims(key);
    let inst = &proof.opened_values.instances;
    let mut q = 0;
    for (i, o) in inst.iter().enumerate() {
        claims[0].matrices[i].points[0] = (zeta, o.base_opened_values.trace_local.clone());
        for chunk in &o.base_opened_values.quotient_chunks {
            claims[1].matrices[q].points[0] = (zeta, chunk.clone());
            q += 1;
        }
        let prep = o
            .base_opened_values
            .preprocessed_local()
            .unwrap_or_default()
            .to_vec();
        claims[2].matrices[i].points[0] = (zeta, prep);
        let zeta_next = zeta * BabyBear::two_adic_generator(key.degree_bits[i]);
        claims[3].matrices[i].points = vec![
            (zeta, o.permutation_local.clone()),
            (zeta_next, o.permutation_next.clone()),
        ];
    }
    let c = &proof.commitments;
    claims[0].root = c.main.roots()[0];
    claims[1].root = c.quotient_chunks.roots()[0];
    claims[2].root = key.preprocessed_root;
    if let Some(p) = &c.permutation {
        claims[3].root = p.roots()[0];
    }
    claims
}
