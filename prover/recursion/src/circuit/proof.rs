//! Proving and verifying a program's execution: the five tables in one batch STARK
//! (`p3-batch-stark`), joined by the `witness` LogUp bus, in the chunk configuration
//! (every round a further circuit verifies) or in the L1 configuration
//! ([`sq_prover_circuits::l1`]: the compression round, verified on L1).

use std::sync::{Arc, OnceLock};

use p3_baby_bear::BabyBear;
use p3_batch_stark::{
    prove_batch, verify_batch, BatchProof, CommonData, ProverData, StarkInstance,
};
use p3_matrix::dense::RowMajorMatrix;
use sq_prover_circuits::l1::L1StarkConfig;
use sq_prover_circuits::stark::{config, ChunkStarkConfig};

use super::layout::{arith_main, perm_main, public_main, witness_main, Layout};
use super::program::{Ext, Program, RunError};
use super::tables::{Table, TableAir, TABLES};

/// A batch proof of a program's execution (chunk configuration).
pub type CircuitProof = BatchProof<ChunkStarkConfig>;

/// A batch proof of a program's execution in the L1 configuration.
pub type L1CircuitProof = BatchProof<L1StarkConfig>;

/// Proves `traces` of `$airs` with `publics` in configuration `$cfg` (of type `$sc`):
/// the one body of [`Circuit::prove_traces`] and [`Circuit::prove_traces_l1`], whose
/// configurations share no trait bound short of Plonky3's whole prover signature.
macro_rules! prove_in {
    ($cfg:expr, $sc:ty, $airs:expr, $traces:expr, $public_values:expr) => {{
        let cfg: &$sc = $cfg;
        let instances: Vec<StarkInstance<'_, $sc, TableAir>> = $airs
            .iter()
            .zip($traces)
            .zip($public_values)
            .map(|((air, trace), public_values)| StarkInstance {
                air,
                trace,
                public_values,
            })
            .collect();
        let data = ProverData::from_instances(cfg, &instances)
            .map_err(|e| CircuitError::Backend(format!("{e:?}")))?;
        prove_batch(cfg, &instances, &data).map_err(|e| CircuitError::Backend(format!("{e:?}")))
    }};
}

/// Verifies `$proof` of `$airs` against `$public_values` with `$common` in `$cfg`,
/// turning a panic inside the backend into a rejection (the proof is untrusted bytes).
macro_rules! verify_in {
    ($cfg:expr, $airs:expr, $proof:expr, $public_values:expr, $common:expr) => {{
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            verify_batch($cfg, $airs, $proof, $public_values, $common)
        }));
        match outcome {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(CircuitError::Rejected(e.to_string())),
            Err(_) => Err(CircuitError::Rejected(
                "verifier panicked on a malformed proof".into(),
            )),
        }
    }};
}

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
    common: CommonCache,
}

/// The chunk configuration's [`CommonData`] of a circuit, committed once on first use and
/// shared by the circuit's clones: committing the preprocessed trace (the program) costs
/// as much as a small proof, and every native verification and [`crate::batch_verifier::ChildKey`]
/// needs it.
#[derive(Clone, Default)]
struct CommonCache(Arc<OnceLock<Arc<CommonData<ChunkStarkConfig>>>>);

impl std::fmt::Debug for CommonCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = if self.0.get().is_some() {
            "committed"
        } else {
            "not committed"
        };
        f.write_str(state)
    }
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
            common: CommonCache::default(),
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

    pub(crate) fn public_values(&self, publics: &[BabyBear]) -> Vec<Vec<BabyBear>> {
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
        prove_in!(
            &config(),
            ChunkStarkConfig,
            self.airs,
            traces,
            self.public_values(publics)
        )
    }

    /// Runs the program and proves its execution in the L1 configuration `cfg`
    /// (`sq_prover_circuits::l1::l1_config()`, or other FRI parameters for measurements).
    ///
    /// # Errors
    /// As [`Circuit::prove`].
    pub fn prove_l1(
        &self,
        cfg: &L1StarkConfig,
        publics: &[BabyBear],
        hints: &[Ext],
    ) -> Result<L1CircuitProof, CircuitError> {
        self.check_publics(publics)?;
        let witness = self.program.run(publics, hints)?;
        self.prove_traces_l1(cfg, &self.traces(&witness), publics)
    }

    /// [`Circuit::prove_traces`] in the L1 configuration `cfg`.
    ///
    /// # Errors
    /// [`CircuitError::Backend`].
    #[doc(hidden)]
    pub fn prove_traces_l1(
        &self,
        cfg: &L1StarkConfig,
        traces: &[RowMajorMatrix<BabyBear>],
        publics: &[BabyBear],
    ) -> Result<L1CircuitProof, CircuitError> {
        prove_in!(
            cfg,
            L1StarkConfig,
            self.airs,
            traces,
            self.public_values(publics)
        )
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
    /// and the lookups of each table. Committed on the first call, then shared by this
    /// circuit and its clones.
    ///
    /// # Errors
    /// [`CircuitError::Backend`] when committing the preprocessed trace fails.
    pub fn common_data(&self) -> Result<Arc<CommonData<ChunkStarkConfig>>, CircuitError> {
        if let Some(common) = self.common.0.get() {
            return Ok(Arc::clone(common));
        }
        let common = ProverData::from_airs_and_degrees(&config(), &self.airs, &self.degree_bits())
            .map(|d| d.common)
            .map_err(|e| CircuitError::Backend(format!("{e:?}")))?;
        // Two threads may commit at once; both results are the same, one is kept.
        Ok(Arc::clone(self.common.0.get_or_init(|| Arc::new(common))))
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
        verify_in!(
            &config(),
            &self.airs,
            proof,
            &self.public_values(publics),
            &common
        )
    }

    /// What prover and verifier share in the L1 configuration (the preprocessed
    /// commitment there is the compression circuit's verifying key on L1).
    ///
    /// # Errors
    /// [`CircuitError::Backend`] when committing the preprocessed trace fails.
    pub fn common_data_l1(
        &self,
        cfg: &L1StarkConfig,
    ) -> Result<CommonData<L1StarkConfig>, CircuitError> {
        ProverData::from_airs_and_degrees(cfg, &self.airs, &self.degree_bits())
            .map(|d| d.common)
            .map_err(|e| CircuitError::Backend(format!("{e:?}")))
    }

    /// Verifies a proof in the L1 configuration `cfg` against `common`
    /// ([`Circuit::common_data_l1`] of the same `cfg`, which a caller verifying many
    /// proofs keeps).
    ///
    /// # Errors
    /// As [`Circuit::verify`].
    pub fn verify_l1(
        &self,
        cfg: &L1StarkConfig,
        publics: &[BabyBear],
        proof: &L1CircuitProof,
        common: &CommonData<L1StarkConfig>,
    ) -> Result<(), CircuitError> {
        self.check_publics(publics)?;
        verify_in!(cfg, &self.airs, proof, &self.public_values(publics), common)
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
