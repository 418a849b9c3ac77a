//! Check 2 of the verifier as circuit code: the child AIR's constraints, evaluated at the
//! out-of-domain point ζ over the opened values, equal the quotient at ζ times the
//! vanishing polynomial (Plonky3 0.8 `p3_uni_stark::verify_constraints` and
//! `recompose_quotient_from_chunks`, step for step).
//!
//! The constraints are not hand-written: they are the child AIR's **symbolic
//! constraints** (`p3_air::symbolic::get_symbolic_constraints`, the expression DAG Plonky3
//! derives from the AIR's `eval`), compiled into program ops with shared sub-expressions
//! compiled once. So any AIR over BabyBear with base-field constraints and no periodic or
//! preprocessed columns compiles, the chunk AIR and the recursion AIRs alike; an AIR
//! outside that class is refused ([`OodError`]).
//!
//! Folding follows the verifier's `VerifierConstraintFolder`: Horner in evaluation order,
//! `acc ← acc · α + cᵢ`. Selectors over the trace domain H = ⟨g⟩, |H| = 2^d (shift 1):
//! `Z_H(ζ) = ζ^(2^d) − 1`, `is_first_row = Z_H(ζ) / (ζ − 1)`,
//! `is_last_row = Z_H(ζ) / (ζ − g⁻¹)`, `is_transition = ζ − g⁻¹`. The quotient's chunks
//! live on the cosets `Dᵢ = s·ωⁱ·⟨ω^k⟩` of the quotient domain (`s` = BabyBear's
//! multiplicative generator, ω of order `k · 2^d`), and recombine as
//! `Σᵢ qᵢ(ζ) · Πⱼ≠ᵢ Z_Dⱼ(ζ) / Z_Dⱼ(sᵢ)`, each `qᵢ(ζ) = Σₖ xᵏ · qᵢₖ(ζ)` from the four
//! base-field coordinate polynomials the proof opens.

use p3_air::symbolic::{get_symbolic_constraints, AirLayout, SymbolicAirBuilder};
use p3_air::{Air, BaseAir};
use p3_baby_bear::BabyBear;
use p3_field::{Field, PrimeCharacteristicRing, TwoAdicField};

use super::field::{basis, pow_2k};
use super::hash::base_constant;
use super::program::{Builder, Slot};
use super::symbolic::{Compiler, Env};

/// Why an AIR cannot be compiled into an out-of-domain check.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OodError {
    /// The AIR has periodic or preprocessed columns (not supported yet).
    #[error("the AIR has {periodic} periodic and {preprocessed} preprocessed columns; only plain AIRs compile yet")]
    Unsupported {
        /// Its periodic columns.
        periodic: usize,
        /// Its preprocessed columns.
        preprocessed: usize,
    },
    /// The opened values do not match the AIR's width or public-value count.
    #[error("{what}: expected {expected}, got {got}")]
    Shape {
        /// Which input.
        what: &'static str,
        /// The AIR's.
        expected: usize,
        /// Given.
        got: usize,
    },
}

/// The slots holding what the child proof opens and the challenges it was drawn at.
#[derive(Clone, Debug)]
pub struct OodInputs {
    /// The trace row at ζ (one slot per column).
    pub local: Vec<Slot>,
    /// The trace row at g·ζ.
    pub next: Vec<Slot>,
    /// The child's public values.
    pub publics: Vec<Slot>,
    /// For each quotient chunk, its four coordinate polynomials at ζ.
    pub quotient_chunks: Vec<[Slot; 4]>,
    /// The out-of-domain point ζ.
    pub zeta: Slot,
    /// The constraint-folding challenge α.
    pub alpha: Slot,
    /// log2 of the child's trace height.
    pub degree_bits: usize,
}

/// Emits the out-of-domain check of `air` over `inputs`: asserts
/// `fold(constraints(ζ)) / Z_H(ζ) = quotient(ζ)`.
///
/// # Errors
/// [`OodError`] for an AIR outside the supported class or inputs of the wrong shape.
pub fn assert_ood<A>(b: &mut Builder, air: &A, inputs: &OodInputs) -> Result<(), OodError>
where
    A: BaseAir<BabyBear> + Air<SymbolicAirBuilder<BabyBear>>,
{
    check_shape(air, inputs)?;
    let constraints = get_symbolic_constraints(air, AirLayout::from_air(air));
    let sels = selectors(b, inputs.zeta, inputs.degree_bits);
    let env = Env {
        local: inputs.local.clone(),
        next: inputs.next.clone(),
        publics: inputs.publics.clone(),
        ..Env::with_selectors(sels.is_first_row, sels.is_last_row, sels.is_transition)
    };
    let mut compiler = Compiler::new(&env);
    let mut acc = b.zero();
    for c in &constraints {
        let value = compiler
            .base(b, c)
            .expect("check_shape bounds every leaf of a plain AIR");
        acc = fold(b, acc, inputs.alpha, value);
    }
    b.check("out-of-domain constraint check");
    let zeta = inputs.zeta;
    assert_quotient(
        b,
        acc,
        zeta,
        inputs.degree_bits,
        &inputs.quotient_chunks,
        sels.vanishing,
    );
    Ok(())
}

/// `acc · α + value`: one step of the verifier's Horner folding of constraints.
pub fn fold(b: &mut Builder, acc: Slot, alpha: Slot, value: Slot) -> Slot {
    let scaled = b.mul(acc, alpha);
    b.add(scaled, value)
}

/// Constrains `folded / Z_H(ζ)` to equal the quotient recomposed from `chunks`, as the
/// product `folded = quotient · Z_H(ζ)`: no division, so no free quotient when
/// `Z_H(ζ) = 0`.
pub fn assert_quotient(
    b: &mut Builder,
    folded: Slot,
    zeta: Slot,
    degree_bits: usize,
    chunks: &[[Slot; 4]],
    vanishing: Slot,
) {
    let quotient = recompose_quotient(b, zeta, degree_bits, chunks);
    let rhs = b.mul(quotient, vanishing);
    b.assert_eq(folded, rhs);
}

fn check_shape<A: BaseAir<BabyBear>>(air: &A, inputs: &OodInputs) -> Result<(), OodError> {
    if air.num_periodic_columns() > 0 || air.preprocessed_width() > 0 {
        return Err(OodError::Unsupported {
            periodic: air.num_periodic_columns(),
            preprocessed: air.preprocessed_width(),
        });
    }
    let expect = |what, expected, got| {
        if expected == got {
            Ok(())
        } else {
            Err(OodError::Shape {
                what,
                expected,
                got,
            })
        }
    };
    expect("trace row at zeta", air.width(), inputs.local.len())?;
    expect("trace row at g·zeta", air.width(), inputs.next.len())?;
    expect(
        "public values",
        air.num_public_values(),
        inputs.publics.len(),
    )
}

/// The Lagrange selectors at ζ and `Z_H(ζ)` (see the module docs).
#[derive(Clone, Copy, Debug)]
pub struct Selectors {
    /// `Z_H(ζ) / (ζ − 1)`.
    pub is_first_row: Slot,
    /// `Z_H(ζ) / (ζ − g⁻¹)`.
    pub is_last_row: Slot,
    /// `ζ − g⁻¹`.
    pub is_transition: Slot,
    /// `Z_H(ζ) = ζ^(2^d) − 1`.
    pub vanishing: Slot,
}

/// The selectors over the trace domain of `2^degree_bits` rows at `zeta`.
pub fn selectors(b: &mut Builder, zeta: Slot, degree_bits: usize) -> Selectors {
    let one = b.one();
    let zeta_n = pow_2k(b, zeta, degree_bits);
    let vanishing = b.sub(zeta_n, one);
    let g_inv = base_constant(b, BabyBear::two_adic_generator(degree_bits).inverse());
    let zeta_minus_one = b.sub(zeta, one);
    let is_transition = b.sub(zeta, g_inv);
    // Inverses, not divisions: ζ = 1 or ζ = g⁻¹ has no witness instead of a free one.
    let inv_first = b.inverse(zeta_minus_one);
    let inv_last = b.inverse(is_transition);
    Selectors {
        is_first_row: b.mul(vanishing, inv_first),
        is_last_row: b.mul(vanishing, inv_last),
        is_transition,
        vanishing,
    }
}

/// `Σᵢ zpᵢ · qᵢ(ζ)` over the quotient chunk domains of a trace of `2^d` rows (module
/// docs); `chunks[i]` are chunk `i`'s four coordinate polynomials at ζ.
pub fn recompose_quotient(b: &mut Builder, zeta: Slot, d: usize, chunks: &[[Slot; 4]]) -> Slot {
    let k = chunks.len();
    let omega = BabyBear::two_adic_generator(d + k.trailing_zeros() as usize);
    let shifts: Vec<BabyBear> = (0..k)
        .map(|i| BabyBear::GENERATOR * omega.exp_u64(i as u64))
        .collect();
    // Z_Dj(x) = (x / s_j)^(2^d) − 1.
    let z_at = |x: BabyBear, s: BabyBear| (x * s.inverse()).exp_power_of_2(d) - BabyBear::ONE;
    let one = b.one();
    let z_at_zeta: Vec<Slot> = shifts
        .iter()
        .map(|&s| {
            let s_inv = base_constant(b, s.inverse());
            let scaled = b.mul(zeta, s_inv);
            let pow = pow_2k(b, scaled, d);
            b.sub(pow, one)
        })
        .collect();
    let basis: Vec<Slot> = (0..4).map(|e| b.constant(basis(e))).collect();
    let mut sum = b.zero();
    for (i, coords) in chunks.iter().enumerate() {
        let mut q = b.zero();
        for (e, &c) in basis.iter().zip(coords) {
            let term = b.mul(*e, c);
            q = b.add(q, term);
        }
        let mut zp = q;
        for (j, &s_j) in shifts.iter().enumerate().filter(|&(j, _)| j != i) {
            let denominator = base_constant(b, z_at(shifts[i], s_j).inverse());
            let factor = b.mul(z_at_zeta[j], denominator);
            zp = b.mul(zp, factor);
        }
        sum = b.add(sum, zp);
    }
    sum
}
