//! Proving and verifying a program's execution: the five tables in one batch STARK
//! (`p3-batch-stark`) in the chunk configuration, joined by the `witness` LogUp bus.

use std::sync::Arc;

use p3_baby_bear::BabyBear;
use p3_batch_stark::{
    prove_batch, verify_batch, BatchProof, CommonData, ProverData, StarkInstance,
};
use p3_matrix::dense::RowMajorMatrix;
use sq_prover_circuits::stark::{config, ChunkStarkConfig};

use super::layout::{arith_main, perm_main, public_main, witness_main, Layout};
use super::program::{Ext, Program, RunError};
use super::tables::{Table, TableAir, TABLES};

/// A batch proof of a program's execution.
pub type CircuitProof = BatchProof<ChunkStarkConfig>;

/// Why a circuit proof could not be made or was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CircuitError {
    /// The program does not run on these inputs (the statement is false).
    #[error(transparent)]
    Run(#[from] RunError),
    /// The public values do not match the program's count.
    #[error("the program has {expected} public values, {got} were given")]
    Publics {
        /// The program's.
        expected: usize,
        /// Given.
        got: usize,
    },
    /// The Plonky3 prover failed.
    #[error("prover backend: {0}")]
    Backend(String),
    /// The batch STARK verifier rejected the proof.
    #[error("proof rejected: {0}")]
    Rejected(String),
}

/// A program with its tables: what proves and verifies its execution.
#[derive(Clone, Debug)]
pub struct Circuit {
    program: Program,
    layout: Arc<Layout>,
    airs: Vec<TableAir>,
}

impl Circuit {
    /// The circuit of `program`.
    pub fn new(program: Program) -> Self {
        let layout = Arc::new(Layout::of(&program));
        let airs = TABLES
            .iter()
            .map(|&t| TableAir::new(t, Arc::clone(&layout)))
            .collect();
        Circuit {
            program,
            layout,
            airs,
        }
    }

    /// The program.
    pub const fn program(&self) -> &Program {
        &self.program
    }

    /// The table rows.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// The main traces of the four tables ([`TABLES`] order) for a witness.
    pub fn traces(&self, witness: &[Ext]) -> Vec<RowMajorMatrix<BabyBear>> {
        let l = &self.layout;
        TABLES
            .iter()
            .map(|t| match t {
                Table::Witness => witness_main(l, witness),
                Table::Public => public_main(l, witness),
                Table::Add => arith_main(&l.adds, witness),
                Table::Mul => arith_main(&l.muls, witness),
                Table::Poseidon2 => perm_main(&l.perms, witness),
            })
            .collect()
    }

    fn check_publics(&self, publics: &[BabyBear]) -> Result<(), CircuitError> {
        if publics.len() == self.program.publics() {
            Ok(())
        } else {
            Err(CircuitError::Publics {
                expected: self.program.publics(),
                got: publics.len(),
            })
        }
    }

    fn public_values(&self, publics: &[BabyBear]) -> Vec<Vec<BabyBear>> {
        TABLES
            .iter()
            .map(|t| match t {
                Table::Public => publics.to_vec(),
                _ => Vec::new(),
            })
            .collect()
    }

    /// Runs the program and proves its execution.
    ///
    /// # Errors
    /// [`CircuitError::Publics`], [`CircuitError::Run`] (a false statement, e.g. a failed
    /// assertion), [`CircuitError::Backend`].
    pub fn prove(&self, publics: &[BabyBear], hints: &[Ext]) -> Result<CircuitProof, CircuitError> {
        self.check_publics(publics)?;
        let witness = self.program.run(publics, hints)?;
        self.prove_traces(&self.traces(&witness), publics)
    }

    /// Proves the given traces as they are: the stand-in for a cheating prover in
    /// soundness tests. In debug builds Plonky3's batch prover checks the constraints and
    /// lookups first and panics on a violation.
    ///
    /// # Errors
    /// [`CircuitError::Backend`].
    #[doc(hidden)]
    pub fn prove_traces(
        &self,
        traces: &[RowMajorMatrix<BabyBear>],
        publics: &[BabyBear],
    ) -> Result<CircuitProof, CircuitError> {
        let cfg = config();
        let public_values = self.public_values(publics);
        let instances: Vec<StarkInstance<'_, ChunkStarkConfig, TableAir>> = self
            .airs
            .iter()
            .zip(traces)
            .zip(public_values)
            .map(|((air, trace), public_values)| StarkInstance {
                air,
                trace,
                public_values,
            })
            .collect();
        let data = ProverData::from_instances(&cfg, &instances)
            .map_err(|e| CircuitError::Backend(format!("{e:?}")))?;
        prove_batch(&cfg, &instances, &data).map_err(|e| CircuitError::Backend(format!("{e:?}")))
    }

    /// The five table AIRs ([`TABLES`] order).
    pub fn airs(&self) -> &[TableAir] {
        &self.airs
    }

    /// log2 of each table's height ([`TABLES`] order).
    pub fn degree_bits(&self) -> Vec<usize> {
        self.traces_heights()
            .iter()
            .map(|h| h.trailing_zeros() as usize)
            .collect()
    }

    /// What prover and verifier share: the preprocessed commitment (the program, fixed)
    /// and the lookups of each table.
    ///
    /// # Errors
    /// [`CircuitError::Backend`] when committing the preprocessed trace fails.
    pub fn common_data(&self) -> Result<CommonData<ChunkStarkConfig>, CircuitError> {
        ProverData::from_airs_and_degrees(&config(), &self.airs, &self.degree_bits())
            .map(|d| d.common)
            .map_err(|e| CircuitError::Backend(format!("{e:?}")))
    }

    /// Verifies a proof of this program's execution on `publics`. Never panics on a
    /// malformed proof: a panic inside Plonky3's verifier is caught and reported as a
    /// rejection.
    ///
    /// # Errors
    /// [`CircuitError::Publics`], [`CircuitError::Rejected`] with the verifier's reason.
    pub fn verify(&self, publics: &[BabyBear], proof: &CircuitProof) -> Result<(), CircuitError> {
        self.check_publics(publics)?;
        let common = self.common_data()?;
        let public_values = self.public_values(publics);
        // The verifier runs on untrusted bytes: a panic inside the backend on a malformed
        // shape must be a rejection, not a crash of the node.
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            verify_batch(&config(), &self.airs, proof, &public_values, &common)
        }));
        match outcome {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(CircuitError::Rejected(e.to_string())),
            Err(_) => Err(CircuitError::Rejected(
                "verifier panicked on a malformed proof".into(),
            )),
        }
    }

    /// Each table's height ([`TABLES`] order).
    pub fn traces_heights(&self) -> Vec<usize> {
        use super::layout::padded;
        let l = &self.layout;
        vec![
            l.witness_rows(),
            padded(l.publics.len()),
            padded(l.adds.len()),
            padded(l.muls.len()),
            padded(l.perms.len()),
        ]
    }
}
