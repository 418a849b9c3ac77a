//! The compression round (round 4) as a step: a scheduler proof → the compressed proof
//! in the L1 configuration ([`crate::compression_circuit`]), and its verification
//! against a batch claim.
//!
//! The compressed proof carries the same [`TreeShape`] as the scheduler proof it
//! compresses: the verifier rebuilds the tree's circuits, the scheduler circuit and the
//! compression circuit from it (cached, as in [`crate::aggregation`]), and verifies one
//! proof whose public values are the scheduler's.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use p3_baby_bear::BabyBear;
use p3_batch_stark::CommonData;
use serde::{Deserialize, Serialize};
use sq_prover_circuits::l1::{l1_config, L1StarkConfig};
use sq_prover_circuits::witness::PUBLIC_INPUTS_LEN;

use crate::aggregation::{
    cached_with, scheduler_circuit, tree_circuit, AggregationError, Cache, SchedulerProof,
    TreeShape,
};
use crate::batch_verifier::hints;
use crate::circuit::{Circuit, CircuitError, Ext, L1CircuitProof};
use crate::compression_circuit;
use crate::scheduler_circuit::scheduler_publics;

/// The compression round's proof: what an L1 verifier checks.
#[derive(Serialize, Deserialize)]
pub struct CompressedProof {
    /// The tree under the scheduler.
    pub shape: TreeShape,
    /// The top proof's claim as the prover stated it (chunk layout): for error messages
    /// only; [`verify_compressed`] verifies against the verifier's own claim.
    pub claim: Vec<BabyBear>,
    /// The proof in the L1 configuration; its public values are the scheduler's
    /// ([`scheduler_publics`] of the batch claim).
    pub proof: L1CircuitProof,
}

/// A compression circuit with what its verifier needs in the L1 configuration.
struct Compressor {
    circuit: Circuit,
    common: CommonData<L1StarkConfig>,
}

/// Compression circuits built in this process, per tree shape and protocol version.
static COMPRESSORS: Cache<(TreeShape, String), Compressor> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

fn compressor(
    shape: &TreeShape,
    protocol_version: &str,
) -> Result<Arc<Compressor>, AggregationError> {
    let key = (shape.clone(), protocol_version.to_owned());
    cached_with(&COMPRESSORS, &key, || {
        let scheduler = scheduler_circuit(shape, protocol_version)?;
        let circuit = compression_circuit::build(&scheduler.key);
        let common = circuit.common_data_l1(&l1_config())?;
        Ok(Compressor { circuit, common })
    })
}

/// The scheduler's public values for `batch` with whole-batch claim `claim` (chunk
/// layout) over a tree of `shape`.
fn publics(
    shape: &TreeShape,
    batch: u64,
    claim: &[BabyBear],
    protocol_version: &str,
) -> Result<(Vec<BabyBear>, [BabyBear; 8]), AggregationError> {
    if claim.len() != PUBLIC_INPUTS_LEN {
        return Err(AggregationError::Claim(claim.len()));
    }
    shape.check()?;
    let digest = tree_circuit(shape)?.key.digest();
    Ok((
        scheduler_publics(batch, claim, protocol_version, digest),
        digest,
    ))
}

/// The compression circuit for `scheduler`, with its public values and hints: what
/// [`prove_compression`] proves (exposed for measurements under other FRI parameters).
///
/// # Errors
/// As [`prove_compression`], less proving.
#[doc(hidden)]
pub fn compression_witness(
    scheduler: &SchedulerProof,
    batch: u64,
    protocol_version: &str,
) -> Result<(Circuit, Vec<BabyBear>, Vec<Ext>), AggregationError> {
    let (publics, _) = publics(&scheduler.shape, batch, &scheduler.claim, protocol_version)?;
    let key = &scheduler_circuit(&scheduler.shape, protocol_version)?.key;
    let hints = hints(key, &scheduler.proof, &publics)?;
    let c = compressor(&scheduler.shape, protocol_version)?;
    Ok((c.circuit.clone(), publics, hints))
}

/// Compresses the scheduler proof of batch `batch` for `protocol_version`.
///
/// # Errors
/// [`AggregationError::Shape`] for a shape out of bounds, [`AggregationError::Claim`];
/// [`AggregationError::Child`] when the scheduler proof is malformed or does not verify
/// natively (another batch, claim or version included); [`AggregationError::Circuit`]
/// when proving fails.
pub fn prove_compression(
    scheduler: &SchedulerProof,
    batch: u64,
    protocol_version: &str,
) -> Result<CompressedProof, AggregationError> {
    let (circuit, publics, hints) = compression_witness(scheduler, batch, protocol_version)?;
    let proof = circuit.prove_l1(&l1_config(), &publics, &hints)?;
    Ok(CompressedProof {
        shape: scheduler.shape.clone(),
        claim: scheduler.claim.clone(),
        proof,
    })
}

/// Verifies a compressed proof of batch `batch` whose whole-batch claim is `claim` (chunk
/// layout, as [`crate::aggregation::verify_scheduler`]) for `protocol_version`. Returns
/// the circuit digest of the tree's top circuit.
///
/// # Errors
/// [`AggregationError::Shape`], [`AggregationError::Claim`]; [`AggregationError::Circuit`]
/// when the proof does not verify (another claim, batch, version or tree included).
pub fn verify_compressed(
    proof: &CompressedProof,
    batch: u64,
    claim: &[BabyBear],
    protocol_version: &str,
) -> Result<[BabyBear; 8], AggregationError> {
    let (publics, digest) = publics(&proof.shape, batch, claim, protocol_version)?;
    let c = compressor(&proof.shape, protocol_version)?;
    c.circuit
        .verify_l1(&l1_config(), &publics, &proof.proof, &c.common)?;
    Ok(digest)
}

/// The compression circuit's verifying key in the L1 configuration: the Keccak root of
/// its preprocessed trace (32 bytes), which pins the program and through its constants
/// every circuit below. What an L1 verifier contract would hold per tree shape and
/// protocol version.
///
/// # Errors
/// As [`verify_compressed`] for the shape; [`AggregationError::Circuit`] when the
/// circuit has no preprocessed commitment.
pub fn compression_key(
    shape: &TreeShape,
    protocol_version: &str,
) -> Result<[u8; 32], AggregationError> {
    shape.check()?;
    let c = compressor(shape, protocol_version)?;
    c.common
        .preprocessed
        .as_ref()
        .map(|p| p.commitment.roots()[0])
        .ok_or_else(|| {
            AggregationError::Circuit(CircuitError::Backend("no preprocessed commitment".into()))
        })
}
