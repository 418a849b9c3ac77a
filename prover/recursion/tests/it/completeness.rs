//! Completeness: genuine openings satisfy every constraint, prove and verify.

use p3_baby_bear::BabyBear;
use p3_field::PrimeField32;
use p3_matrix::Matrix;
use sq_prover_circuits::air::WIDTH as CHUNK_WIDTH;
use sq_prover_recursion::opening_air::col;
use sq_prover_recursion::opening_trace::{blocks, generate};
use sq_prover_recursion::{prove_openings, verify_openings, violations, OpeningProofError};

use crate::common::{commit_and_open, random_matrix};

#[test]
fn genuine_openings_satisfy_every_constraint() {
    // (width, depth): one partial block, exact blocks, a partial last block, a one-row
    // tree, and the chunk trace's width at a realistic depth.
    for (width, depth) in [(1, 3), (8, 4), (11, 5), (64, 1), (16, 0), (CHUNK_WIDTH, 10)] {
        let indices: Vec<usize> = (0..5).map(|k| (k * 7 + 3) % (1 << depth)).collect();
        let c = commit_and_open(random_matrix(width, depth, width as u64), &indices);
        let trace = generate(&c.shape, &c.openings).expect("fits the shape");
        assert_eq!(trace.height(), blocks(&c.shape, 5) * c.shape.period());
        let failures = violations(&c.shape, &trace, &c.root);
        assert!(failures.is_empty(), "({width}, {depth}): {failures:?}");
        // The accumulator at each block's root step is the opened index.
        for (b, opening) in c.openings.iter().enumerate() {
            let row = b * c.shape.period() + c.shape.root_step();
            if depth > 0 {
                let acc = trace.get(row, col::ACC).expect("in range");
                assert_eq!(acc.as_canonical_u32() as usize, opening.index);
            }
        }
    }
}

#[test]
fn an_opening_proof_verifies_for_its_root_only() {
    let c = commit_and_open(random_matrix(11, 5, 1), &[0, 9, 31, 17]);
    let proof = prove_openings(&c.shape, &c.root, &c.openings).expect("proves");
    verify_openings(&c.shape, &c.root, &proof).expect("verifies");
    let mut other = c.root;
    other[3] += BabyBear::new(1);
    assert!(matches!(
        verify_openings(&c.shape, &other, &proof),
        Err(OpeningProofError::Rejected(_))
    ));
}

#[test]
fn invalid_openings_are_refused_before_proving() {
    let c = commit_and_open(random_matrix(11, 5, 2), &[4]);
    let mut bad = c.openings.clone();
    bad[0].values[2] += BabyBear::new(1);
    let Err(err) = prove_openings(&c.shape, &c.root, &bad) else {
        panic!("an invalid opening was proven");
    };
    assert_eq!(
        err,
        OpeningProofError::Unsatisfied {
            row: c.shape.root_step(),
            group: "root"
        }
    );
}
