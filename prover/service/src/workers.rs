//! The stage workers. Each `*_step` picks at most one job, does it, and returns whether it
//! found one; [`run_loop`] repeats a step, sleeping [`crate::ProverConfig::poll`] when idle.
//! A failing job is recorded with [`ProverDal::fail_job`] (the house keeper requeues it
//! while attempts remain); a failing database is logged and retried.

use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use sq_prover_circuits::witness::{BatchWitness, ChunkWitness};
use sq_prover_circuits::ChunkProof;
use sq_prover_dal::{ProverDal, Stage};
use sq_prover_verifier::{verify_batch, BatchClaim, BatchProof};
use tracing::{info, warn};

use crate::metrics::Metrics;
use crate::ProverConfig;

/// Idle time after which a loop says why it takes no job.
pub const IDLE_NOTICE: std::time::Duration = std::time::Duration::from_secs(5);

/// A step's failure: the job (if one was picked) is marked failed with this message.
pub type StepResult = Result<bool, anyhow::Error>;

/// Runs `step` until the process ends: immediately again after work, after `poll` when idle
/// or after an error.
pub async fn run_loop<F, Fut>(name: &'static str, cfg: Arc<ProverConfig>, mut step: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = StepResult>,
{
    info!(target: "prover", component = name, version = %cfg.protocol_version, worker = %cfg.worker_id,
        "started; takes only jobs of this protocol version");
    let mut idle_since: Option<Instant> = None;
    let mut said = false;
    loop {
        match step().await {
            Ok(true) => {
                idle_since = None;
                said = false;
                continue;
            }
            Ok(false) => {
                let since = *idle_since.get_or_insert_with(Instant::now);
                if !said && since.elapsed() >= IDLE_NOTICE {
                    said = true;
                    info!(target: "prover", component = name, version = %cfg.protocol_version,
                        "idle: no queued job of protocol version {} for this component; jobs of other versions are left to their provers",
                        cfg.protocol_version);
                }
            }
            Err(e) => {
                warn!(target: "prover", component = name, error = %format!("{e:#}"), "step failed")
            }
        }
        tokio::time::sleep(cfg.poll).await;
    }
}

async fn fail(dal: &ProverDal, stage: Stage, id: i64, e: &anyhow::Error) -> anyhow::Error {
    let msg = format!("{e:#}");
    warn!(target: "prover", %stage, id, error = %msg, "job failed");
    if let Err(db) = dal.fail_job(stage, id, &msg).await {
        warn!(target: "prover", %stage, id, error = %db, "could not record the failure");
    }
    anyhow::anyhow!("{stage} job {id}: {msg}")
}

fn ms(t: Instant) -> u64 {
    t.elapsed().as_millis() as u64
}

/// Witness generator: a batch witness (JSON) → checked, split into chunk witnesses (JSON).
///
/// # Errors
/// The database's, or the job's (then recorded as failed).
pub async fn witness_generator_step(dal: &ProverDal, cfg: &ProverConfig) -> StepResult {
    let Some(job) = dal
        .pick_witness_job(&cfg.worker_id, &cfg.protocol_version)
        .await?
    else {
        return Ok(false);
    };
    let t = Instant::now();
    let chunk_size = cfg.chunk_size;
    let work = tokio::task::spawn_blocking(move || -> anyhow::Result<Vec<Vec<u8>>> {
        let w: BatchWitness = serde_json::from_slice(&job.input)?;
        w.check()?;
        let chunks = w.chunks(chunk_size)?;
        chunks.iter().map(|c| Ok(serde_json::to_vec(c)?)).collect()
    })
    .await
    .map_err(anyhow::Error::from)
    .and_then(|r| r);
    match work {
        Ok(chunks) => {
            dal.finish_witness_job(job.batch, &chunks, ms(t)).await?;
            info!(target: "prover", batch = job.batch, chunks = chunks.len(), "witness generated");
            Ok(true)
        }
        Err(e) => Err(fail(dal, Stage::WitnessGeneration, job.id, &e).await),
    }
}

/// Basic prover: one chunk witness → one Plonky3 proof (postcard [`ChunkProof`]).
///
/// # Errors
/// The database's, or the job's (then recorded as failed).
pub async fn prover_step(dal: &ProverDal, cfg: &ProverConfig, metrics: &Metrics) -> StepResult {
    let Some(job) = dal
        .pick_prover_job(&cfg.worker_id, &cfg.protocol_version, &cfg.groups)
        .await?
    else {
        return Ok(false);
    };
    let t = Instant::now();
    let work = tokio::task::spawn_blocking(move || -> anyhow::Result<(Vec<u8>, usize)> {
        let w: ChunkWitness = serde_json::from_slice(&job.input)?;
        let n = w.transfers.len();
        let proof = sq_prover_circuits::prove_chunk(&w)?;
        Ok((postcard::to_allocvec(&proof)?, n))
    })
    .await
    .map_err(anyhow::Error::from)
    .and_then(|r| r);
    match work {
        Ok((proof, transfers)) => {
            let took = ms(t);
            dal.save_proof(job.id, &proof, took).await?;
            metrics.record_proof(took, transfers as u64);
            info!(target: "prover", batch = job.batch, chunk = job.sequence_number, transfers,
                ms = took, bytes = proof.len(), "chunk proven");
            Ok(true)
        }
        Err(e) => Err(fail(dal, Stage::BasicProof, job.id, &e).await),
    }
}

/// Scheduler: verifies every chunk proof of a batch and their chaining, and packs them into
/// one [`BatchProof`]. Not a succinct aggregate (see [`crate::WHAT_IS_PROVEN`]).
///
/// # Errors
/// The database's, or the job's (then recorded as failed).
pub async fn scheduler_step(dal: &ProverDal, cfg: &ProverConfig) -> StepResult {
    let Some(job) = dal
        .pick_scheduler_job(&cfg.worker_id, &cfg.protocol_version)
        .await?
    else {
        return Ok(false);
    };
    let t = Instant::now();
    let result =
        async {
            let raw = dal.chunk_proofs(job.batch).await?;
            let version = job.protocol_version.clone();
            let batch = job.batch;
            tokio::task::spawn_blocking(move || -> anyhow::Result<Vec<u8>> {
            let chunks = raw
                .iter()
                .map(|b| postcard::from_bytes::<ChunkProof>(b))
                .collect::<Result<Vec<_>, _>>()?;
            let (first, last) = match (chunks.first(), chunks.last()) {
                (Some(f), Some(l)) => (f.public, l.public),
                _ => anyhow::bail!("batch {batch} has no chunk proofs"),
            };
            let claim = BatchClaim {
                batch,
                root_before: first.root_before,
                root_after: last.root_after,
                commitment: last.commitment_after,
                fee_recipient: first.fee_recipient,
            };
            let proof = BatchProof { protocol_version: version.clone(), batch, chunks };
            let verified = verify_batch(&proof, &claim, &version)?;
            info!(target: "prover", batch, chunks = verified.chunks, succinct = verified.succinct,
                note = %verified.note, "scheduler: batch checked");
            Ok(proof.to_bytes()?)
        })
        .await?
        }
        .await;
    match result {
        Ok(bytes) => {
            dal.finish_scheduler_job(job.batch, &bytes, ms(t)).await?;
            Ok(true)
        }
        Err(e) => Err(fail(dal, Stage::Scheduler, job.id, &e).await),
    }
}

/// Compressor: planned work (a final wrap the L1 can verify cheaply needs recursion). For
/// now it checks that the scheduler's result decodes and passes it on unchanged.
///
/// # Errors
/// The database's, or the job's (then recorded as failed).
pub async fn compressor_step(dal: &ProverDal, cfg: &ProverConfig) -> StepResult {
    let Some(job) = dal
        .pick_compression_job(&cfg.worker_id, &cfg.protocol_version)
        .await?
    else {
        return Ok(false);
    };
    let t = Instant::now();
    match BatchProof::from_bytes(&job.input) {
        Ok(p) => {
            dal.finish_compression_job(job.batch, &job.input, ms(t))
                .await?;
            info!(target: "prover", batch = job.batch, chunks = p.chunks.len(), bytes = job.input.len(),
                "compressor: proof passed on UNCOMPRESSED (compression is planned work)");
            Ok(true)
        }
        Err(e) => Err(fail(dal, Stage::Compression, job.id, &anyhow::Error::from(e)).await),
    }
}
