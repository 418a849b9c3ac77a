//! The stage workers. Each `*_step` picks at most one job, does it, and returns whether it
//! found one; [`run_loop`] repeats a step, sleeping [`crate::ProverConfig::poll`] when idle.
//! A failing job is recorded with [`ProverDal::fail_job`] (the house keeper requeues it
//! while attempts remain); a failing database is logged and retried.

use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use sq_prover_circuits::witness::{BatchWitness, ChunkWitness};
use sq_prover_circuits::ChunkProof;
use sq_prover_dal::plan::AggregationInput;
use sq_prover_dal::{ProverDal, Stage};
use sq_prover_recursion::aggregation::{self, RoundProof};
use sq_prover_recursion::compression;
use sq_prover_verifier::{BatchProof, FinalProof};
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

/// How often a worker sends [`ProverDal::heartbeat`] for the job it works on. Fixed, not
/// derived from this process's `--processing-timeout-s`: the house keeper that requeues
/// may run elsewhere with another timeout, which must exceed this interval (2 s or more).
pub const HEARTBEAT_INTERVAL: std::time::Duration = std::time::Duration::from_secs(1);

/// Runs `work` for job `id` of `stage`, sending [`ProverDal::heartbeat`] every
/// [`HEARTBEAT_INTERVAL`] until it ends, so that the house keeper requeues the job only
/// when this worker stops (frozen, killed), not because a round takes longer than the
/// timeout.
async fn with_heartbeat<T>(
    dal: &ProverDal,
    cfg: &ProverConfig,
    (stage, id): (Stage, i64),
    work: impl Future<Output = T>,
) -> T {
    let every = HEARTBEAT_INTERVAL;
    tokio::pin!(work);
    let mut ours = true;
    loop {
        tokio::select! {
            r = &mut work => return r,
            () = tokio::time::sleep(every), if ours => {
                match dal.heartbeat(stage, id, &cfg.worker_id).await {
                    Ok(true) => {}
                    Ok(false) => {
                        ours = false;
                        warn!(target: "prover", %stage, id, worker = %cfg.worker_id,
                            "the job is no longer this worker's (requeued?); finishing it anyway");
                    }
                    Err(e) => warn!(target: "prover", %stage, id, error = %e, "heartbeat failed"),
                }
            }
        }
    }
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

/// Prover: one job of round 0 (a chunk witness → a chunk proof, postcard
/// [`ChunkProof`]), 1 (chunk proofs → a leaf proof) or 2 (two round proofs → a node proof;
/// both postcard [`RoundProof`]). Which rounds a worker takes is its `groups`.
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
    let (id, batch, round, seq) = (
        job.id,
        job.batch,
        job.aggregation_round,
        job.sequence_number,
    );
    let work = with_heartbeat(dal, cfg, (Stage::BasicProof, id), async {
        match round {
            0 => prove_basic(job.input).await,
            _ => prove_aggregation(dal, batch, &job.input).await,
        }
    })
    .await;
    match work {
        Ok((proof, transfers)) => {
            let took = ms(t);
            dal.save_proof(id, &proof, took).await?;
            if round == 0 {
                metrics.record_proof(took, transfers as u64);
            }
            info!(target: "prover", batch, round, sequence = seq, transfers, ms = took,
                bytes = proof.len(), "proof made");
            Ok(true)
        }
        Err(e) => Err(fail(dal, Stage::BasicProof, id, &e).await),
    }
}

/// Runs `f` on the blocking pool.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> anyhow::Result<T> + Send + 'static,
) -> anyhow::Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(anyhow::Error::from)
        .and_then(|r| r)
}

/// A chunk witness (JSON) → its proof (postcard [`ChunkProof`]) and transfer count.
async fn prove_basic(input: Vec<u8>) -> anyhow::Result<(Vec<u8>, usize)> {
    blocking(move || {
        let w: ChunkWitness = serde_json::from_slice(&input)?;
        let n = w.transfers.len();
        let proof = sq_prover_circuits::prove_chunk(&w)?;
        Ok((postcard::to_allocvec(&proof)?, n))
    })
    .await
}

/// A leaf or node job ([`AggregationInput`]) → its proof (postcard [`RoundProof`]).
async fn prove_aggregation(
    dal: &ProverDal,
    batch: u64,
    input: &[u8],
) -> anyhow::Result<(Vec<u8>, usize)> {
    match serde_json::from_slice::<AggregationInput>(input)? {
        AggregationInput::Leaf { lo, hi } => {
            let raw = dal.round_proofs(batch, 0, 0, (lo, hi)).await?;
            anyhow::ensure!(
                raw.len() as u64 == hi - lo,
                "chunk proofs {lo}..{hi} missing"
            );
            blocking(move || {
                let chunks = raw
                    .iter()
                    .map(|b| {
                        let c: ChunkProof = postcard::from_bytes(b)?;
                        Ok((postcard::from_bytes(&c.proof)?, c.public.to_fields()))
                    })
                    .collect::<anyhow::Result<Vec<_>>>()?;
                let leaf = aggregation::prove_leaf(&chunks)?;
                Ok((postcard::to_allocvec(&leaf)?, 0))
            })
            .await
        }
        AggregationInput::Node { left, right } => {
            let mut children = Vec::with_capacity(2);
            for pos in [left, right] {
                let (round, _, depth, seq) = pos.job_key();
                let raw = dal
                    .round_proofs(batch, round, depth, (seq, seq + 1))
                    .await?;
                let bytes = raw.into_iter().next().ok_or_else(|| {
                    anyhow::anyhow!("the proof of leaves {}..{} is missing", pos.lo, pos.hi)
                })?;
                children.push(bytes);
            }
            blocking(move || {
                let l: RoundProof = postcard::from_bytes(&children[0])?;
                let r: RoundProof = postcard::from_bytes(&children[1])?;
                let node = aggregation::prove_node(&l, &r)?;
                Ok((postcard::to_allocvec(&node)?, 0))
            })
            .await
        }
    }
}

/// Scheduler (round 3): the batch's top proof → the scheduler proof stating the batch
/// claim, packed as a [`BatchProof`].
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
    let (batch, version) = (job.batch, job.protocol_version.clone());
    let result = with_heartbeat(dal, cfg, (Stage::Scheduler, job.id), async {
        let top = dal
            .root_proof(batch)
            .await?
            .ok_or_else(|| anyhow::anyhow!("batch {batch}: the tree's root proof is missing"))?;
        blocking(move || {
            let top: RoundProof = postcard::from_bytes(&top)?;
            let proof = aggregation::prove_scheduler(&top, batch, &version)?;
            encode_final(version, batch, FinalProof::Scheduler(proof))
        })
        .await
    })
    .await;
    match result {
        Ok(bytes) => {
            dal.finish_scheduler_job(batch, &bytes, ms(t)).await?;
            Ok(true)
        }
        Err(e) => Err(fail(dal, Stage::Scheduler, job.id, &e).await),
    }
}

/// `proof` of `batch` packed as a [`BatchProof`] (the scheduler's and the compressor's
/// result), logged with its round, chunk count and size.
fn encode_final(version: String, batch: u64, proof: FinalProof) -> anyhow::Result<Vec<u8>> {
    let (round, chunks) = (proof.round(), proof.shape().chunks());
    let bytes = BatchProof {
        protocol_version: version,
        batch,
        proof,
    }
    .to_bytes()?;
    info!(target: "prover", batch, round, chunks, bytes = bytes.len(), "batch proof made");
    Ok(bytes)
}

/// Compressor (round 4): the scheduler's batch proof → the compressed proof in the L1
/// configuration (`sq_prover_recursion::compression`), packed as a [`BatchProof`].
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
    let (batch, version, input) = (job.batch, job.protocol_version, job.input);
    let result = with_heartbeat(dal, cfg, (Stage::Compression, job.id), async {
        blocking(move || {
            let p = BatchProof::from_bytes(&input)?;
            if p.batch != batch || p.protocol_version != version {
                anyhow::bail!(
                    "batch {batch} ({version}): the compressor's input is a proof of batch {} ({})",
                    p.batch,
                    p.protocol_version
                );
            }
            let FinalProof::Scheduler(scheduler) = &p.proof else {
                anyhow::bail!("batch {batch}: the compressor's input is not a scheduler proof");
            };
            let compressed = compression::prove_compression(scheduler, batch, &version)?;
            encode_final(version, batch, FinalProof::Compressed(compressed))
        })
        .await
    })
    .await;
    match result {
        Ok(bytes) => {
            dal.finish_compression_job(batch, &bytes, ms(t)).await?;
            Ok(true)
        }
        Err(e) => Err(fail(dal, Stage::Compression, job.id, &e).await),
    }
}
