//! Verifying the recursion's own proofs in-circuit: the `p3-batch-stark` verifier of a
//! [`Circuit`]'s five-table proof, as circuit code (p3-batch-stark 0.8 `verify_batch`,
//! step for step). This is what the node and scheduler rounds are made of.
//!
//! # What pins the child circuit ([`ChildKey`])
//! The child's table heights, its lookups, and its **preprocessed commitment** — the
//! commitment to its program — enter the circuit as constants: the transcript absorbs
//! them, and the PCS opens the preprocessed columns against that constant root. A proof
//! of any other program (another round, another child shape) has another commitment and
//! fails the opening check.
//!
//! # Transcript (from the batch domain separator's seeded state)
//! Each table's degree bits (as `[d, 0, 0, 0]`); the main commitment; the public table's
//! public values; the preprocessed commitment; the lookup challenges `α_L`, `β`; the
//! permutation commitment; each table's lookup terminal; the constraint-folding
//! challenge α; the quotient commitment; ζ; then the PCS ([`crate::circuit::fri`]).
//!
//! # Per table at ζ
//! The table's constraints, compiled from `p3_batch_stark`'s symbolic constraints (the
//! AIR's own, then the LogUp gadget's fraction and accumulator constraints), folded with
//! α, divided by `Z_H(ζ)`, equal the recomposed quotient. The next rows of the main and
//! preprocessed traces are not opened (zeros, as natively); the permutation columns are
//! opened at ζ and gζ, each a BabyBear⁴ value recomposed from four coordinates; each
//! lookup column's challenges are `(α_L + β⁵, β)`. Finally the terminals sum to zero.

use std::sync::Arc;

use p3_air::symbolic::AirLayout;
use p3_baby_bear::BabyBear;
use p3_batch_stark::symbolic::{get_log_num_quotient_chunks, get_symbolic_constraints};
use p3_batch_stark::{BatchShape, CommonData};
use p3_field::{PrimeCharacteristicRing, TwoAdicField};
use p3_lookup::{LogUpGadget, Lookup};
use p3_uni_stark::StarkGenericConfig;
use sq_prover_circuits::stark::{config, ChunkStarkConfig, FRI_PARAMS};

pub use crate::batch_witness::hints;
use crate::batch_witness::native_shape_claims;
use crate::circuit::challenger::{Challenger, NativeChallenger};
use crate::circuit::field::from_coords;
use crate::circuit::fri::{allocate, assert_fri, CommitmentClaim, MatrixClaim};
use crate::circuit::hash::{base_constant, digest_hint, DigestSlots};
use crate::circuit::ood::{assert_quotient, fold, selectors};
use crate::circuit::symbolic::{Compiler, Env};
use crate::circuit::tables::{Table, TableAir, TABLES};
use crate::circuit::{Builder, Circuit, CircuitError, Ext, Slot};
use crate::fri_witness::{fri_config, seeds};

/// Everything about a child circuit that its verifier is built from.
pub struct ChildKey {
    pub(crate) airs: Vec<TableAir>,
    pub(crate) degree_bits: Vec<usize>,
    common: Arc<CommonData<ChunkStarkConfig>>,
    pub(crate) preprocessed_root: [BabyBear; 8],
    /// Quotient chunks per table.
    pub(crate) quotient_chunks: Vec<usize>,
    publics: usize,
}

/// Elements of a `witness` bus message: the slot and a BabyBear⁴ value's coordinates.
const MESSAGE_WIDTH: usize = 5;

/// Checks what this verifier assumes of the child's lookups: one global bus whose
/// messages are [`MESSAGE_WIDTH`] wide (the LogUp prefix is then `α_L + β⁵`), and the
/// multiplicity bound LogUp's soundness needs, `Σ weight · height < p` over every lookup
/// (p3-lookup's `check_multiplicity_height_bound`, which the native verifier runs).
fn check_lookups(
    common: &CommonData<ChunkStarkConfig>,
    degree_bits: &[usize],
) -> Result<(), CircuitError> {
    let mut total: u64 = 0;
    for (lookups, &d) in common.lookups.iter().zip(degree_bits) {
        for l in lookups.iter() {
            if l.elements.iter().any(|e| e.len() != MESSAGE_WIDTH)
                || !matches!(&l.kind, p3_lookup::Kind::Global(name) if name == "witness")
            {
                return Err(CircuitError::Backend(
                    "a lookup outside the one witness bus".into(),
                ));
            }
            total += u64::from(l.count_weight) << d;
        }
    }
    if total >= u64::from(<BabyBear as p3_field::PrimeField32>::ORDER_U32) {
        return Err(CircuitError::Backend(format!(
            "the lookups' multiplicity bound {total} reaches the field size"
        )));
    }
    Ok(())
}

/// The public table's position in the batch.
const PUBLIC: usize = 1;

impl ChildKey {
    /// The key of `circuit`.
    ///
    /// # Errors
    /// [`CircuitError::Backend`] when its preprocessed trace cannot be committed.
    pub fn of(circuit: &Circuit) -> Result<Self, CircuitError> {
        let cfg = config();
        if cfg.lookup_proof_of_work_bits() != 0 || cfg.ood_proof_of_work_bits() != 0 {
            // The transcript below replays no lookup or out-of-domain grinding.
            return Err(CircuitError::Backend(
                "the batch verifier circuit assumes 0-bit lookup and out-of-domain grinding".into(),
            ));
        }
        let common = circuit.common_data()?;
        let preprocessed_root = common
            .preprocessed
            .as_ref()
            .map(|p| p.commitment.roots()[0])
            .ok_or_else(|| CircuitError::Backend("no preprocessed commitment".into()))?;
        let airs = circuit.airs().to_vec();
        let degree_bits = circuit.degree_bits();
        check_lookups(&common, &degree_bits)?;
        let gadget = LogUpGadget::new();
        let quotient_chunks = airs
            .iter()
            .zip(&degree_bits)
            .zip(&common.lookups)
            .map(|((air, &d), lookups)| {
                1 << get_log_num_quotient_chunks::<BabyBear, Ext, _, _>(
                    air,
                    AirLayout::from_air(air),
                    1 << d,
                    lookups,
                    0,
                    &gadget,
                )
            })
            .collect();
        Ok(ChildKey {
            airs,
            degree_bits,
            preprocessed_root,
            quotient_chunks,
            publics: circuit.program().publics(),
            common,
        })
    }

    /// The child circuit's digest: its preprocessed commitment (the commitment to its
    /// program), which every proof of it is opened against.
    pub fn digest(&self) -> [BabyBear; 8] {
        self.preprocessed_root
    }

    fn lookups(&self, i: usize) -> &[Lookup<BabyBear>] {
        &self.common.lookups[i]
    }

    /// Permutation columns of table `i`: the accumulator and one per lookup (column),
    /// as p3-batch-stark lays them out.
    pub(crate) fn permutation_width(&self, i: usize) -> usize {
        let lookups = self.lookups(i).len();
        if lookups == 0 {
            0
        } else {
            lookups + 1
        }
    }

    fn shape(&self) -> BatchShape {
        BatchShape {
            trace_widths: self
                .airs
                .iter()
                .map(p3_air::BaseAir::<BabyBear>::width)
                .collect(),
            public_value_counts: TABLES
                .iter()
                .map(|&t| if t == Table::Public { self.publics } else { 0 })
                .collect(),
            preprocessed_widths: self
                .airs
                .iter()
                .map(p3_air::BaseAir::<BabyBear>::preprocessed_width)
                .collect(),
            has_preprocessed_commitment: true,
            num_lookup_instances: (0..self.airs.len())
                .filter(|&i| !self.lookups(i).is_empty())
                .count(),
            lookup_pow_bits: config().lookup_proof_of_work_bits(),
            has_randomization_commitment: false,
            ood_pow_bits: config().ood_proof_of_work_bits(),
        }
    }

    /// The challenger after the batch domain separator's seed.
    pub(crate) fn seeded(&self) -> NativeChallenger {
        let mut ch = config().initialise_challenger();
        self.shape()
            .domain_separator::<BabyBear, Ext>()
            .seed(&mut ch);
        ch
    }
}

/// One table's opened values (BabyBear⁴ slots).
struct Opened {
    main: Vec<Slot>,
    preprocessed: Vec<Slot>,
    permutation_local: Vec<Slot>,
    permutation_next: Vec<Slot>,
    quotient_chunks: Vec<[Slot; 4]>,
}

fn ext_hints(b: &mut Builder, n: usize) -> Vec<Slot> {
    (0..n).map(|_| b.hint()).collect()
}

/// Emits the verifier of one proof of the child `key` whose public values are `publics`
/// (module docs), allocating its hints in the order of [`hints`].
pub fn verify_circuit_proof(b: &mut Builder, key: &ChildKey, publics: &[Slot]) {
    let main_commit = digest_hint(b);
    let permutation_commit = digest_hint(b);
    let quotient_commit = digest_hint(b);
    let n = key.airs.len();
    let terminals = ext_hints(b, n);
    let opened: Vec<Opened> = (0..n)
        .map(|i| {
            let air = &key.airs[i];
            let pw = key.permutation_width(i);
            Opened {
                main: ext_hints(b, p3_air::BaseAir::<BabyBear>::width(air)),
                preprocessed: ext_hints(b, p3_air::BaseAir::<BabyBear>::preprocessed_width(air)),
                permutation_local: ext_hints(b, 4 * pw),
                permutation_next: ext_hints(b, 4 * pw),
                quotient_chunks: (0..key.quotient_chunks[i])
                    .map(|_| core::array::from_fn(|_| b.hint()))
                    .collect(),
            }
        })
        .collect();

    let t = transcript(
        b,
        key,
        &main_commit,
        publics,
        &permutation_commit,
        &terminals,
        &quotient_commit,
    );
    let (mut ch, zeta, alpha) = (t.challenger, t.zeta, t.alpha);
    let prep_root = t.preprocessed_root;
    for i in 0..n {
        b.check(TABLE_CHECKS[i]);
        let pubs = if i == PUBLIC { publics } else { &[] };
        table_check(
            b,
            key,
            i,
            &opened[i],
            pubs,
            terminals[i],
            t.lookup_challenges,
            alpha,
            zeta,
        );
    }
    b.check("lookup terminals");
    let mut sum = b.zero();
    for &t in &terminals {
        sum = b.add(sum, t);
    }
    b.assert_zero(sum);

    let claims = claims(
        b,
        key,
        &opened,
        zeta,
        main_commit,
        quotient_commit,
        prep_root,
        permutation_commit,
    );
    let heights: Vec<usize> = key
        .degree_bits
        .iter()
        .map(|d| d + FRI_PARAMS.log_blowup)
        .collect();
    let cfg = fri_config(&heights);
    let (pcs_seed, fri_seed) = seeds(&native_shape_claims(key));
    let fri = allocate(b, claims, &cfg, pcs_seed, fri_seed);
    assert_fri(b, &mut ch, &fri, &cfg);
}

/// The batch transcript's outputs.
struct Transcript {
    challenger: Challenger,
    /// Each lookup column's challenges `(α_L + β⁵, β)`.
    lookup_challenges: [Slot; 2],
    alpha: Slot,
    zeta: Slot,
    preprocessed_root: DigestSlots,
}

/// The batch transcript up to ζ (module docs), from the batch domain separator's seed.
fn transcript(
    b: &mut Builder,
    key: &ChildKey,
    main_commit: &DigestSlots,
    publics: &[Slot],
    permutation_commit: &DigestSlots,
    terminals: &[Slot],
    quotient_commit: &DigestSlots,
) -> Transcript {
    b.check("batch transcript");
    let mut ch = Challenger::from_native(b, &key.seeded());
    for &d in &key.degree_bits {
        let c = base_constant(b, BabyBear::from_usize(d));
        let zero = b.zero();
        ch.observe_all(b, &[c, zero, zero, zero]);
    }
    ch.observe_all(b, main_commit);
    ch.observe_all(b, publics);
    let preprocessed_root: DigestSlots = key.preprocessed_root.map(|x| base_constant(b, x));
    ch.observe_all(b, &preprocessed_root);
    let alpha_l = ch.sample_ext(b);
    let beta = ch.sample_ext(b);
    ch.observe_all(b, permutation_commit);
    for &t in terminals {
        let c = crate::circuit::field::coords(b, t);
        ch.observe_all(b, &c);
    }
    let alpha = ch.sample_ext(b);
    ch.observe_all(b, quotient_commit);
    let zeta = ch.sample_ext(b);
    let beta_w = pow_small(b, beta, MESSAGE_WIDTH);
    let prefix = b.add(alpha_l, beta_w);
    Transcript {
        challenger: ch,
        lookup_challenges: [prefix, beta],
        alpha,
        zeta,
        preprocessed_root,
    }
}

/// The check names of the tables' constraint checks ([`TABLES`] order).
const TABLE_CHECKS: [&str; 5] = [
    "witness table at zeta",
    "public table at zeta",
    "add table at zeta",
    "mul table at zeta",
    "poseidon2 table at zeta",
];

fn pow_small(b: &mut Builder, x: Slot, n: usize) -> Slot {
    let mut acc = x;
    for _ in 1..n {
        acc = b.mul(acc, x);
    }
    acc
}

/// Recomposes BabyBear⁴ columns from their opened coordinate values.
fn ext_columns(b: &mut Builder, coords: &[Slot]) -> Vec<Slot> {
    coords
        .chunks(4)
        .map(|c| from_coords(b, &[c[0], c[1], c[2], c[3]]))
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn table_check(
    b: &mut Builder,
    key: &ChildKey,
    i: usize,
    o: &Opened,
    publics: &[Slot],
    terminal: Slot,
    challenges: [Slot; 2],
    alpha: Slot,
    zeta: Slot,
) {
    let air = &key.airs[i];
    let d = key.degree_bits[i];
    let gadget = LogUpGadget::new();
    let (base, ext) = get_symbolic_constraints::<BabyBear, Ext, _, _>(
        air,
        AirLayout::from_air(air),
        key.lookups(i),
        &gadget,
    );
    let sels = selectors(b, zeta, d);
    let zero = b.zero();
    let lookups = key.lookups(i).len();
    let env = Env {
        local: o.main.clone(),
        next: vec![zero; o.main.len()],
        preprocessed_local: o.preprocessed.clone(),
        preprocessed_next: vec![zero; o.preprocessed.len()],
        publics: publics.to_vec(),
        permutation_local: ext_columns(b, &o.permutation_local),
        permutation_next: ext_columns(b, &o.permutation_next),
        challenges: (0..lookups).flat_map(|_| challenges).collect(),
        permutation_values: vec![terminal],
        ..Env::with_selectors(sels.is_first_row, sels.is_last_row, sels.is_transition)
    };
    let mut compiler = Compiler::new(&env);
    let mut acc = b.zero();
    for c in &base {
        let v = compiler
            .base(b, c)
            .expect("the environment binds every table leaf");
        acc = fold(b, acc, alpha, v);
    }
    for c in &ext {
        let v = compiler
            .ext(b, c)
            .expect("the environment binds every lookup leaf");
        acc = fold(b, acc, alpha, v);
    }
    assert_quotient(b, acc, zeta, d, &o.quotient_chunks, sels.vanishing);
}

/// The PCS claims of a batch proof (p3-batch-stark's order): main, quotient,
/// preprocessed, permutation.
#[allow(clippy::too_many_arguments)]
fn claims(
    b: &mut Builder,
    key: &ChildKey,
    opened: &[Opened],
    zeta: Slot,
    main: DigestSlots,
    quotient: DigestSlots,
    preprocessed: DigestSlots,
    permutation: DigestSlots,
) -> Vec<CommitmentClaim> {
    let h = |i: usize| key.degree_bits[i] + FRI_PARAMS.log_blowup;
    let one_point = |i: usize, values: &Vec<Slot>| MatrixClaim {
        log_height: h(i),
        points: vec![(zeta, values.clone())],
    };
    let mut quotient_matrices = Vec::new();
    for (i, o) in opened.iter().enumerate() {
        for chunk in &o.quotient_chunks {
            quotient_matrices.push(one_point(i, &chunk.to_vec()));
        }
    }
    let permutation_matrices = opened
        .iter()
        .enumerate()
        .map(|(i, o)| {
            let g = base_constant(b, BabyBear::two_adic_generator(key.degree_bits[i]));
            let zeta_next = b.mul(zeta, g);
            MatrixClaim {
                log_height: h(i),
                points: vec![
                    (zeta, o.permutation_local.clone()),
                    (zeta_next, o.permutation_next.clone()),
                ],
            }
        })
        .collect();
    vec![
        CommitmentClaim {
            name: "main trace opening",
            commitment: main,
            matrices: opened
                .iter()
                .enumerate()
                .map(|(i, o)| one_point(i, &o.main))
                .collect(),
        },
        CommitmentClaim {
            name: "quotient opening",
            commitment: quotient,
            matrices: quotient_matrices,
        },
        CommitmentClaim {
            name: "preprocessed opening",
            commitment: preprocessed,
            matrices: opened
                .iter()
                .enumerate()
                .map(|(i, o)| one_point(i, &o.preprocessed))
                .collect(),
        },
        CommitmentClaim {
            name: "permutation opening",
            commitment: permutation,
            matrices: permutation_matrices,
        },
    ]
}
