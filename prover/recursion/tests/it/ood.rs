//! The out-of-domain check's compiler: AIRs it cannot compile are refused up front.

use sq_prover_recursion::circuit::ood::{assert_ood, OodError, OodInputs};
use sq_prover_recursion::circuit::Builder;
use sq_prover_recursion::opening_air::OpeningAir;
use sq_prover_recursion::OpeningShape;

#[test]
fn an_air_with_periodic_columns_is_refused_at_compile_time() {
    let air = OpeningAir::new(OpeningShape::new(8, 2).expect("shape"));
    let mut b = Builder::new();
    let inputs = OodInputs {
        local: vec![],
        next: vec![],
        publics: vec![],
        quotient_chunks: vec![],
        zeta: b.zero(),
        alpha: b.zero(),
        degree_bits: 3,
    };
    assert_eq!(
        assert_ood(&mut b, &air, &inputs),
        Err(OodError::Unsupported {
            periodic: 37,
            preprocessed: 0
        })
    );
}
