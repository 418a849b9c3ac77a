//! Bit decomposition: canonical bits prove; the non-canonical decomposition of `v + p`
//! (which recomposes to the same field element) fails the canonicity constraint.

use p3_baby_bear::BabyBear;
use p3_field::{PrimeCharacteristicRing, PrimeField32};
use sq_prover_recursion::circuit::bits::decompose;
use sq_prover_recursion::circuit::tables::Table;
use sq_prover_recursion::circuit::{Builder, Circuit, Ext, Slot};

use crate::common::table_violations;

type F = BabyBear;

fn circuit() -> (Circuit, Vec<Slot>) {
    let mut b = Builder::new();
    let x = b.hint();
    let bits = decompose(&mut b, x);
    (Circuit::new(b.build()), bits)
}

#[test]
fn canonical_bits_prove() {
    let (c, bits) = circuit();
    for v in [0u32, 5, 1 << 27, F::ORDER_U32 - 1] {
        let hints = [Ext::from(F::from_u32(v))];
        let w = c.program().run(&[], &hints).expect("runs");
        let got: u32 = bits
            .iter()
            .enumerate()
            .map(|(i, s)| (w[s.index()] == Ext::ONE) as u32 * (1 << i))
            .sum();
        assert_eq!(got, v);
    }
    let proof = c
        .prove(&[], &[Ext::from(F::from_u32(12345))])
        .expect("proves");
    c.verify(&[], &proof).expect("verifies");
}

#[test]
fn the_decomposition_of_v_plus_p_is_refused() {
    let (c, bits) = circuit();
    let v = 5u32;
    let alias = v + F::ORDER_U32;
    assert!(alias < 1 << 31);
    let overrides: Vec<(Slot, Ext)> = bits
        .iter()
        .enumerate()
        .map(|(i, &s)| (s, Ext::from(F::from_u32((alias >> i) & 1))))
        .collect();
    let hints = [Ext::from(F::from_u32(v))];
    let w = c
        .program()
        .run_overriding(&[], &hints, &overrides)
        .expect("runs");
    // Booleans and the recomposition hold; only the canonicity assertion (the last
    // addition row, `0 + 0 = top · low`) fails.
    let last_add = c.layout().adds.len() - 1;
    assert_eq!(table_violations(&c, &w, &[]), vec![(Table::Add, last_add)]);
}
