//! Bits of base-field values as circuit code: the unique canonical decomposition, and
//! what the verifier derives from it (sampled bits, the proof-of-work check).

use p3_baby_bear::BabyBear;
use p3_field::PrimeCharacteristicRing;

use super::hash::{assert_bool, base_constant};
use super::program::{Builder, Slot};

/// Bits of a BabyBear element's canonical integer (p < 2^31).
pub const FIELD_BITS: usize = 31;

/// BabyBear's modulus is `15 · 2^27 + 1`: the canonical integers with their top four bits
/// (27..=30) all set are exactly `15 · 2^27 + l` with `l ≤ 0`, so `l = 0`.
const TOP: usize = 27;

/// The 31 bits of the canonical integer of base-field slot `x`, least significant
/// first, constrained to be its **unique** decomposition: each bit is boolean, they
/// recompose to `x` (`Σ bᵢ 2ⁱ = x` in the field), and the integer they form is below p
/// (when bits 27..=30 are all 1, bits 0..=26 are all 0). Without the last check the
/// integers `v` and `v + p` (both below 2^31 when `v < 2^27 − 1`) would both pass, and a
/// prover could choose the low bits of a sample.
pub fn decompose(b: &mut Builder, x: Slot) -> Vec<Slot> {
    let bits: Vec<Slot> = (0..FIELD_BITS as u8).map(|i| b.bit_of(x, i)).collect();
    let mut acc = b.zero();
    for (i, &bit) in bits.iter().enumerate() {
        assert_bool(b, bit);
        let weight = base_constant(b, BabyBear::from_u32(1 << i));
        let term = b.mul(bit, weight);
        acc = b.add(acc, term);
    }
    b.assert_eq(acc, x);
    let mut top = b.one();
    for &bit in &bits[TOP..] {
        top = b.mul(top, bit);
    }
    let mut low = b.zero();
    for &bit in &bits[..TOP] {
        low = b.add(low, bit);
    }
    let both = b.mul(top, low);
    b.assert_zero(both);
    bits
}

/// Little-endian bits `0..n` of a sample: what `sample_bits(n)` returns natively
/// (`canonical(x) & (2^n − 1)`).
pub fn low_bits(b: &mut Builder, x: Slot, n: usize) -> Vec<Slot> {
    let mut bits = decompose(b, x);
    bits.truncate(n);
    bits
}
