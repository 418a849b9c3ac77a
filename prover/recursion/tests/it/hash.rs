//! Hashing over the permutation table: the sponge and Merkle path gadgets agree with
//! Plonky3's `MerkleTreeMmcs` of the chunk configuration, and refuse altered paths.

use p3_baby_bear::BabyBear;
use p3_field::PrimeCharacteristicRing;
use p3_symmetric::{CryptographicHasher, PaddingFreeSponge};
use sq_prover_circuits::hash::permutation;
use sq_prover_recursion::circuit::hash::{assert_bool, assert_merkle_path, sponge, DigestSlots};
use sq_prover_recursion::circuit::{Builder, Circuit, Ext, RunError, Slot};

use crate::common::{commit_and_open, random_matrix};

type F = BabyBear;

#[test]
fn the_sponge_is_plonky3s_padding_free_sponge() {
    let native = PaddingFreeSponge::<_, 16, 8, 8>::new(permutation().clone());
    for len in [0usize, 1, 7, 8, 11, 16] {
        let values: Vec<F> = (0..len as u32).map(|i| F::from_u32(i * 31 + 5)).collect();
        let mut b = Builder::new();
        let slots: Vec<Slot> = (0..len).map(|_| b.hint()).collect();
        let digest = sponge(&mut b, &slots);
        let program = b.build();
        let hints: Vec<Ext> = values.iter().map(|&v| Ext::from(v)).collect();
        let w = program.run(&[], &hints).expect("runs");
        let got: Vec<Ext> = digest.iter().map(|s| w[s.index()]).collect();
        let want: Vec<Ext> = native
            .hash_iter(values)
            .iter()
            .map(|&v| Ext::from(v))
            .collect();
        assert_eq!(got, want, "length {len}");
    }
}

/// A circuit checking one opening of a `2^depth × width` matrix: hints are the row, the
/// index bits and the siblings; the root is public.
fn path_circuit(width: usize, depth: usize) -> Circuit {
    let mut b = Builder::new();
    let root: DigestSlots = core::array::from_fn(|_| b.public());
    let values: Vec<Slot> = (0..width).map(|_| b.hint()).collect();
    let bits: Vec<Slot> = (0..depth).map(|_| b.hint()).collect();
    // Hint bits: the caller constrains them boolean (the FRI's come from decompositions).
    for &bit in &bits {
        assert_bool(&mut b, bit);
    }
    let siblings: Vec<DigestSlots> = (0..depth)
        .map(|_| core::array::from_fn(|_| b.hint()))
        .collect();
    assert_merkle_path(&mut b, &values, &bits, &siblings, root);
    Circuit::new(b.build())
}

#[test]
fn a_genuine_path_proves_and_altered_ones_do_not_run() {
    let (width, depth) = (11, 5);
    let c = commit_and_open(random_matrix(width, depth, 9), &[22]);
    let o = &c.openings[0];
    let mut hints: Vec<Ext> = o.values.iter().map(|&v| Ext::from(v)).collect();
    hints.extend((0..depth).map(|k| Ext::from(F::from_usize((o.index >> k) & 1))));
    hints.extend(o.siblings.iter().flatten().map(|&v| Ext::from(v)));
    let circuit = path_circuit(width, depth);
    let proof = circuit.prove(&c.root, &hints).expect("proves");
    circuit.verify(&c.root, &proof).expect("verifies");

    // A row value, an index bit, a sibling element: the root differs.
    for i in [3, width + 2, width + depth + 9] {
        let mut bad = hints.clone();
        bad[i] = if i == width + 2 {
            Ext::ONE - bad[i]
        } else {
            bad[i] + Ext::ONE
        };
        assert!(
            matches!(
                circuit.program().run(&c.root, &bad),
                Err(RunError::Assertion { .. })
            ),
            "hint {i}"
        );
    }
    // A non-boolean bit.
    let mut two = hints.clone();
    two[width] = Ext::from(F::TWO);
    assert!(matches!(
        circuit.program().run(&c.root, &two),
        Err(RunError::Assertion { .. })
    ));
}

#[test]
fn a_batch_opening_over_several_heights_matches_plonky3() {
    use p3_commit::Mmcs;
    use sq_prover_recursion::circuit::hash::assert_batch_opening;

    // Two matrices of height 2^5 and one of 2^3 in one commitment.
    let (tall_a, tall_b, short) = (
        random_matrix(3, 5, 1),
        random_matrix(9, 5, 2),
        random_matrix(5, 3, 3),
    );
    let dims: Vec<p3_matrix::Dimensions> = [(3, 5), (9, 5), (5, 3)]
        .iter()
        .map(|&(width, h)| p3_matrix::Dimensions {
            width,
            height: 1 << h,
        })
        .collect();
    let mmcs = sq_prover_circuits::stark::val_mmcs();
    let (commitment, tree) = mmcs.commit(vec![tall_a, tall_b, short]);
    let index = 22;
    let opening = mmcs.open_batch(index, &tree);
    mmcs.verify_batch(&commitment, &dims, index, (&opening).into())
        .expect("Plonky3 accepts its own opening");

    let heights = [5usize, 5, 3];
    let mut b = Builder::new();
    let root: DigestSlots = core::array::from_fn(|_| b.public());
    let rows: Vec<(usize, Vec<Slot>)> = heights
        .iter()
        .zip(&dims)
        .map(|(&h, d)| (h, (0..d.width).map(|_| b.hint()).collect()))
        .collect();
    let bits: Vec<Slot> = (0..5).map(|_| b.hint()).collect();
    let siblings: Vec<DigestSlots> = (0..5).map(|_| core::array::from_fn(|_| b.hint())).collect();
    assert_batch_opening(&mut b, &rows, &bits, &siblings, root);
    let circuit = Circuit::new(b.build());

    let mut hints: Vec<Ext> = opening
        .opened_values
        .iter()
        .flatten()
        .map(|&v| Ext::from(v))
        .collect();
    hints.extend((0..5).map(|k| Ext::from(F::from_usize((index >> k) & 1))));
    hints.extend(
        opening
            .opening_proof
            .iter()
            .flatten()
            .map(|&v| Ext::from(v)),
    );
    let publics = commitment.roots()[0];
    circuit
        .program()
        .run(&publics, &hints)
        .expect("the opening holds in-circuit");
    // The short matrix's row altered: the injected digest differs.
    let mut bad = hints.clone();
    bad[3 + 9 + 2] += Ext::ONE;
    assert!(matches!(
        circuit.program().run(&publics, &bad),
        Err(RunError::Assertion { .. })
    ));
}
