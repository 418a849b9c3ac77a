//! The recursion circuit: honest executions prove and verify; each class of cheating
//! witness is refused for its own reason: the relation of one table's row (Plonky3's
//! debug constraint checker, per table), or the `witness` bus (LogUp: the batch
//! prover's lookup balance check in debug builds, the verifier in release builds).

use std::panic::{catch_unwind, AssertUnwindSafe};

use p3_air::check_all_constraints;
use p3_baby_bear::BabyBear;
use p3_field::{BasedVectorSpace, PrimeCharacteristicRing};
use p3_matrix::dense::RowMajorMatrix;
use sq_prover_recursion::circuit::layout::D;
use sq_prover_recursion::circuit::tables::{Table, TableAir, TABLES};
use sq_prover_recursion::circuit::{Builder, Circuit, CircuitError, Ext, RunError, Slot};

type F = BabyBear;

/// `x, y` public; `h` a hint. Asserts `(x·y + 3) / x − y = 3 / x` and `h · h = x + 1`,
/// and exposes nothing else. Returns the circuit and the slots of `x·y`, `3` and `h·h`.
fn fixture() -> (Circuit, [Slot; 3]) {
    let mut b = Builder::new();
    let x = b.public();
    let y = b.public();
    let h = b.hint();
    let three = b.constant(Ext::from(F::from_u32(3)));
    let xy = b.mul(x, y);
    let s = b.add(xy, three);
    let q = b.div(s, x);
    let lhs = b.sub(q, y);
    let rhs = b.div(three, x);
    b.assert_eq(lhs, rhs);
    let hh = b.mul(h, h);
    let one = b.one();
    let x1 = b.add(x, one);
    b.assert_eq(hh, x1);
    (Circuit::new(b.build()), [xy, three, hh])
}

/// `x = 15`, `y = 7`, and a square root of 16 in the extension: `h = 4`.
fn inputs() -> (Vec<F>, Vec<Ext>) {
    (
        vec![F::from_u32(15), F::from_u32(7)],
        vec![Ext::from(F::from_u32(4))],
    )
}

fn ext(coeffs: [u32; 4]) -> Ext {
    Ext::from_basis_coefficients_fn(|i| F::from_u32(coeffs[i]))
}

/// The first violated constraint of each table: `(table, row)`.
fn violations(c: &Circuit, traces: &[RowMajorMatrix<F>], publics: &[F]) -> Vec<(Table, usize)> {
    let mut out = Vec::new();
    for (&table, trace) in TABLES.iter().zip(traces) {
        let air = TableAir::new(table, std::sync::Arc::new(c.layout().clone()));
        let pv = if table == Table::Public { publics } else { &[] };
        let report = check_all_constraints(&air, trace, pv, None);
        if let Some(f) = report.failures.first() {
            out.push((table, f.row));
        }
    }
    out
}

/// Proving `traces` must fail on the bus: the batch prover's debug lookup check panics
/// with a lookup mismatch, or (release builds) the verifier rejects the proof.
fn assert_bus_refuses(c: &Circuit, traces: &[RowMajorMatrix<F>], publics: &[F]) {
    match catch_unwind(AssertUnwindSafe(|| c.prove_traces(traces, publics))) {
        Err(panic) => {
            let msg = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_string()))
                .unwrap_or_default();
            assert!(
                msg.contains("Lookup mismatch"),
                "panicked for another reason: {msg}"
            );
        }
        Ok(Ok(proof)) => assert!(matches!(
            c.verify(publics, &proof),
            Err(CircuitError::Rejected(_))
        )),
        Ok(Err(e)) => panic!("the prover failed for another reason: {e}"),
    }
}

#[test]
fn an_honest_execution_proves_and_verifies() {
    let (c, _) = fixture();
    let (publics, hints) = inputs();
    let proof = c.prove(&publics, &hints).expect("proves");
    c.verify(&publics, &proof).expect("verifies");
    let witness = c.program().run(&publics, &hints).expect("runs");
    assert!(violations(&c, &c.traces(&witness), &publics).is_empty());
}

#[test]
fn extension_arithmetic_proves() {
    // a · b − c = d over BabyBear⁴ with every coordinate in play (x⁴ = 11 reductions).
    let mut b = Builder::new();
    let (x, y, z) = (b.hint(), b.hint(), b.hint());
    let xy = b.mul(x, y);
    let d = b.sub(xy, z);
    let e = b.inverse(d);
    let back = b.mul(e, d);
    let one = b.one();
    b.assert_eq(back, one);
    let c = Circuit::new(b.build());
    let hints = vec![ext([1, 2, 3, 4]), ext([5, 6, 7, 8]), ext([9, 10, 11, 12])];
    let proof = c.prove(&[], &hints).expect("proves");
    c.verify(&[], &proof).expect("verifies");
}

#[test]
fn a_proof_does_not_verify_for_other_public_values() {
    let (c, _) = fixture();
    let (publics, hints) = inputs();
    let proof = c.prove(&publics, &hints).expect("proves");
    let other = vec![publics[0], publics[1] + F::ONE];
    assert!(matches!(
        c.verify(&other, &proof),
        Err(CircuitError::Rejected(_))
    ));
    assert!(matches!(
        c.verify(&publics[..1], &proof),
        Err(CircuitError::Publics {
            expected: 2,
            got: 1
        })
    ));
}

#[test]
fn a_false_statement_does_not_run() {
    let (c, _) = fixture();
    let (publics, _) = inputs();
    // h = 5: h · h = 25 ≠ 16.
    assert!(matches!(
        c.prove(&publics, &[Ext::from(F::from_u32(5))]),
        Err(CircuitError::Run(RunError::Assertion { .. }))
    ));
    let zero_x = vec![F::ZERO, F::ONE];
    assert!(matches!(
        c.prove(&zero_x, &inputs().1),
        Err(CircuitError::Run(RunError::DivisionByZero(_)))
    ));
}

/// The honest witness with slot `s` changed to `value`, all tables consistent with it.
fn cheat(c: &Circuit, s: Slot, value: Ext) -> (Vec<RowMajorMatrix<F>>, Vec<F>) {
    let (publics, hints) = inputs();
    let mut w = c.program().run(&publics, &hints).expect("runs");
    w[s.index()] = value;
    (c.traces(&w), publics)
}

#[test]
fn a_wrong_product_fails_its_multiplication_row() {
    let (c, [xy, _, _]) = fixture();
    let (traces, publics) = cheat(&c, xy, Ext::from(F::from_u32(106)));
    let found = violations(&c, &traces, &publics);
    // Row 0 of the multiplication table writes x·y; the next reader (the addition
    // `x·y + 3`) fails too, since its output was computed from the honest value.
    assert_eq!(found, vec![(Table::Add, 0), (Table::Mul, 0)]);
}

#[test]
fn a_changed_constant_fails_the_witness_table() {
    let (c, [_, three, _]) = fixture();
    let (traces, publics) = cheat(&c, three, Ext::from(F::from_u32(4)));
    let found = violations(&c, &traces, &publics);
    assert_eq!(found.first(), Some(&(Table::Witness, three.index())));
}

#[test]
fn a_public_slot_with_another_value_fails_the_public_table() {
    let (c, _) = fixture();
    let (traces, publics) = cheat(&c, Slot(1), Ext::from(F::from_u32(8)));
    // Public row 1 pins y to the proof's 7; the rows reading y (x·y, q − y) fail too.
    assert_eq!(
        violations(&c, &traces, &publics),
        vec![(Table::Public, 1), (Table::Add, 1), (Table::Mul, 0)]
    );
}

#[test]
fn a_read_that_is_not_the_slots_value_fails_the_bus() {
    // The multiplication row of h · h reads h = 5 while the witness table holds h = 4;
    // its output 25 is consistent with that read, so no row relation fails.
    let (c, [_, _, hh]) = fixture();
    let (publics, hints) = inputs();
    let w = c.program().run(&publics, &hints).expect("runs");
    let mut traces = c.traces(&w);
    let mul = TABLES.iter().position(|&t| t == Table::Mul).expect("mul");
    let row = c
        .layout()
        .muls
        .iter()
        .position(|abc| abc[2] == hh)
        .expect("the h · h row");
    let cells = &mut traces[mul].values[row * 3 * D..(row + 1) * 3 * D];
    cells[0] = F::from_u32(5);
    cells[D] = F::from_u32(5);
    cells[2 * D] = F::from_u32(25);
    assert!(violations(&c, &traces, &publics).is_empty());
    assert_bus_refuses(&c, &traces, &publics);
}

#[test]
fn a_wrong_read_count_fails_the_bus() {
    let (c, _) = fixture();
    let (publics, hints) = inputs();
    let w = c.program().run(&publics, &hints).expect("runs");
    let mut traces = c.traces(&w);
    // Witness-table row 2 (the hint h): one read too many.
    traces[0].values[2 * (D + 1) + D] += F::ONE;
    assert!(violations(&c, &traces, &publics).is_empty());
    assert_bus_refuses(&c, &traces, &publics);
}
