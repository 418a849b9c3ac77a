//! Arithmetic in the proofs' challenge field (BabyBear's degree-4 extension, Plonky3's
//! `BinomialExtensionField<BabyBear, 4>`), recorded for checking the on-chain library
//! (`contracts/src/verifier/BabyBear4.sol`) against Plonky3: seeded operands and what
//! Plonky3 computes from them.
//!
//! The checked-in fixture is `contracts/test/fixtures/l1_field.json` (`just fixtures`); a
//! test here fails when it is stale.

use p3_baby_bear::BabyBear;
use p3_field::{BasedVectorSpace, Field, PrimeCharacteristicRing, PrimeField32};
use serde::{Deserialize, Serialize};

use crate::l1_transcript_fixture::{element, next};

pub(crate) use crate::l1::L1Challenge as Ext;

/// Parallel arrays, one entry per case `i`: extension elements are 4 canonical coefficients
/// (coefficient 0 first) at `4i..4i + 4` of their array; base elements and exponents at `i`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldScript {
    /// Operand a (never zero).
    pub a: Vec<u32>,
    /// Operand b.
    pub b: Vec<u32>,
    /// A base-field operand c.
    pub c: Vec<u32>,
    /// An exponent e below 2^32.
    pub e: Vec<u64>,
    /// a + b.
    pub sum: Vec<u32>,
    /// a − b.
    pub difference: Vec<u32>,
    /// a · b.
    pub product: Vec<u32>,
    /// a · c.
    pub scaled: Vec<u32>,
    /// a^e.
    pub power: Vec<u32>,
    /// a⁻¹.
    pub inverse: Vec<u32>,
    /// c⁻¹ in the base field (0 when c = 0).
    pub base_inverse: Vec<u32>,
}

/// A uniformly chosen extension element (seeded).
pub(crate) fn random_ext(rng: &mut u64) -> Ext {
    Ext::from_basis_coefficients_fn(|_| element(rng))
}

/// The 4 canonical coefficients of an extension element, coefficient 0 first.
pub fn coefficients(x: Ext) -> Vec<u32> {
    BasedVectorSpace::<BabyBear>::as_basis_coefficients_slice(&x)
        .iter()
        .map(|c| c.as_canonical_u32())
        .collect()
}

fn ext(c: [BabyBear; 4]) -> Ext {
    Ext::from_basis_coefficients_fn(|i| c[i])
}

/// The operands: first the edge cases (a base element, X³, every coefficient p − 1, b = 0,
/// c = 0, e = 0), then seeded random ones; `cases` in all.
fn operands(cases: usize, seed: u64) -> Vec<(Ext, Ext, BabyBear, u64)> {
    let minus_one = BabyBear::NEG_ONE;
    let mut out = vec![
        (
            ext([
                BabyBear::new(7),
                BabyBear::ZERO,
                BabyBear::ZERO,
                BabyBear::ZERO,
            ]),
            Ext::ZERO,
            BabyBear::ZERO,
            0,
        ),
        (
            ext([
                BabyBear::ZERO,
                BabyBear::ZERO,
                BabyBear::ZERO,
                BabyBear::ONE,
            ]),
            ext([minus_one; 4]),
            minus_one,
            u64::from(u32::MAX),
        ),
        (ext([minus_one; 4]), ext([minus_one; 4]), BabyBear::ONE, 1),
    ];
    let mut rng = seed;
    while out.len() < cases {
        let a = ext(core::array::from_fn(|_| element(&mut rng)));
        let b = ext(core::array::from_fn(|_| element(&mut rng)));
        if a.is_zero() {
            continue;
        }
        out.push((a, b, element(&mut rng), next(&mut rng) >> 32));
    }
    out
}

/// Records `cases` operations of every kind with Plonky3's results.
pub fn field_script(cases: usize, seed: u64) -> FieldScript {
    let mut s = FieldScript {
        a: vec![],
        b: vec![],
        c: vec![],
        e: vec![],
        sum: vec![],
        difference: vec![],
        product: vec![],
        scaled: vec![],
        power: vec![],
        inverse: vec![],
        base_inverse: vec![],
    };
    for (a, b, c, e) in operands(cases, seed) {
        s.a.extend(coefficients(a));
        s.b.extend(coefficients(b));
        s.c.push(c.as_canonical_u32());
        s.e.push(e);
        s.sum.extend(coefficients(a + b));
        s.difference.extend(coefficients(a - b));
        s.product.extend(coefficients(a * b));
        s.scaled.extend(coefficients(a * c));
        s.power.extend(coefficients(a.exp_u64(e)));
        s.inverse
            .extend(coefficients(a.try_inverse().expect("a is not zero")));
        s.base_inverse.push(
            c.try_inverse()
                .map_or(0, |inverse| inverse.as_canonical_u32()),
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fixture forge checks is what Plonky3 computes today; regenerate with `just
    /// fixtures` when this fails.
    #[test]
    fn the_checked_in_forge_fixture_is_current() {
        let checked_in: FieldScript = serde_json::from_str(include_str!(
            "../../../contracts/test/fixtures/l1_field.json"
        ))
        .expect("fixture parses");
        assert_eq!(
            checked_in,
            field_script(64, 17),
            "stale fixture: run `just fixtures`"
        );
    }

    /// The on-chain library reduces by X⁴ = 11: the fixture's X³ · X³ must be 11·X².
    #[test]
    fn the_extension_is_x4_minus_11() {
        let x3 = ext([
            BabyBear::ZERO,
            BabyBear::ZERO,
            BabyBear::ZERO,
            BabyBear::ONE,
        ]);
        let expected = ext([
            BabyBear::ZERO,
            BabyBear::ZERO,
            BabyBear::new(11),
            BabyBear::ZERO,
        ]);
        assert_eq!(x3 * x3, expected);
    }
}
