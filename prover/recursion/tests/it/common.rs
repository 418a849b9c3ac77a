//! Shared fixtures: random matrices committed with the chunk configuration's MMCS, and
//! their openings in the shape the opening AIR takes.

use p3_baby_bear::BabyBear;
use p3_commit::Mmcs;
use p3_field::PrimeCharacteristicRing;
use p3_matrix::dense::RowMajorMatrix;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sq_prover_circuits::stark::val_mmcs;
use sq_prover_recursion::{Opening, OpeningShape};

/// A committed random matrix: its shape, root, and openings at `indices`.
pub(crate) struct Committed {
    pub(crate) shape: OpeningShape,
    pub(crate) root: [BabyBear; 8],
    pub(crate) openings: Vec<Opening>,
}

/// A `2^depth × width` matrix of seeded random elements.
pub(crate) fn random_matrix(width: usize, depth: usize, seed: u64) -> RowMajorMatrix<BabyBear> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let values = (0..width << depth)
        .map(|_| BabyBear::from_u32(rng.gen_range(0..0x7800_0001)))
        .collect();
    RowMajorMatrix::new(values, width)
}

/// Commits `matrix` with the chunk configuration's `ValMmcs` and opens it at `indices`;
/// every opening is checked by Plonky3's own `verify_batch` first.
pub(crate) fn commit_and_open(matrix: RowMajorMatrix<BabyBear>, indices: &[usize]) -> Committed {
    let width = matrix.width;
    let depth = (matrix.values.len() / width).trailing_zeros() as usize;
    let mmcs = val_mmcs();
    let dims = vec![p3_matrix::Dimensions {
        width,
        height: 1 << depth,
    }];
    let (commitment, tree) = mmcs.commit_matrix(matrix);
    let openings = indices
        .iter()
        .map(|&index| {
            let batch = mmcs.open_batch(index, &tree);
            mmcs.verify_batch(&commitment, &dims, index, (&batch).into())
                .expect("Plonky3 accepts its own opening");
            Opening {
                index,
                values: batch.opened_values[0].clone(),
                siblings: batch.opening_proof.clone(),
            }
        })
        .collect();
    Committed {
        shape: OpeningShape::new(width, depth).expect("shape"),
        root: commitment.roots()[0],
        openings,
    }
}

/// Every row of every table of `circuit` that violates a constraint for witness `w`
/// (Plonky3's debug checker, per table), in table order, one entry per row.
pub(crate) fn table_violations(
    circuit: &sq_prover_recursion::circuit::Circuit,
    w: &[sq_prover_recursion::circuit::Ext],
    publics: &[BabyBear],
) -> Vec<(sq_prover_recursion::circuit::tables::Table, usize)> {
    use sq_prover_recursion::circuit::tables::{Table, TableAir, TABLES};
    let layout = std::sync::Arc::new(circuit.layout().clone());
    let mut out = Vec::new();
    for (&table, trace) in TABLES.iter().zip(circuit.traces(w)) {
        let pv = if table == Table::Public { publics } else { &[] };
        let air = TableAir::new(table, std::sync::Arc::clone(&layout));
        for f in p3_air::check_all_constraints(&air, &trace, pv, None).failures {
            if out.last() != Some(&(table, f.row)) {
                out.push((table, f.row));
            }
        }
    }
    out
}
