//! BabyBear⁴ helpers as circuit code: coordinates, powers, selection.

use p3_baby_bear::BabyBear;
use p3_field::{BasedVectorSpace, PrimeCharacteristicRing};

use super::program::{Builder, Ext, Slot};

/// The basis element `xⁱ` of BabyBear⁴ (`i < 4`).
pub fn basis(i: usize) -> Ext {
    <Ext as BasedVectorSpace<BabyBear>>::ith_basis_element(i).expect("i < 4")
}

/// `Σ cᵢ xⁱ`: the extension element with these base-field coordinates.
pub fn from_coords(b: &mut Builder, c: &[Slot; 4]) -> Slot {
    let mut acc = c[0];
    for (i, &ci) in c.iter().enumerate().skip(1) {
        let x_i = b.constant(basis(i));
        let term = b.mul(ci, x_i);
        acc = b.add(acc, term);
    }
    acc
}

/// The four coordinates of `x`, constrained to recompose to it. They are base-field
/// elements only where something forces them to be: the circuits here absorb every
/// coordinate they split into the transcript or a Merkle leaf, whose permutation rows
/// read each input as `(slot, v, 0, 0, 0)`, which only a base-field value satisfies.
pub fn coords(b: &mut Builder, x: Slot) -> [Slot; 4] {
    let c: [Slot; 4] = core::array::from_fn(|i| b.coord_of(x, i as u8));
    let back = from_coords(b, &c);
    b.assert_eq(back, x);
    c
}

/// `x^(2^k)`.
pub fn pow_2k(b: &mut Builder, x: Slot, k: usize) -> Slot {
    (0..k).fold(x, |acc, _| b.mul(acc, acc))
}

/// `Π (1 + bitᵢ (cᵢ − 1))`: the product of the constants whose bit is set (bits boolean).
pub fn product_of_set(b: &mut Builder, bits: &[Slot], constants: &[BabyBear]) -> Slot {
    let one = b.one();
    let mut acc = one;
    for (&bit, &c) in bits.iter().zip(constants) {
        let c_minus_one = b.constant(Ext::from(c - BabyBear::ONE));
        let delta = b.mul(bit, c_minus_one);
        let factor = b.add(one, delta);
        acc = b.mul(acc, factor);
    }
    acc
}

/// The indicators `[pos = m]` for `m < 2^bits.len()`, `pos` given by its little-endian
/// boolean bits.
pub fn one_hot(b: &mut Builder, bits: &[Slot]) -> Vec<Slot> {
    let one = b.one();
    let mut ind = vec![one];
    for &bit in bits {
        let not = b.sub(one, bit);
        let mut next = Vec::with_capacity(ind.len() * 2);
        for &e in &ind {
            next.push(b.mul(e, not));
        }
        for &e in &ind {
            next.push(b.mul(e, bit));
        }
        ind = next;
    }
    ind
}
