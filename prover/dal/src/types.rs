//! The values the API hands out: stages, statuses, picked jobs and reports.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The aggregation round of basic prover jobs.
pub const BASIC_ROUND: u8 = 0;
/// The circuit id of basic prover jobs.
pub const BASIC_CIRCUIT_ID: u8 = 1;

/// A stage of the pipeline, each with its own job table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Stage {
    /// Splits a batch witness into chunk witnesses (`witness_inputs`, one job per batch).
    #[serde(rename = "witness_generator")]
    WitnessGeneration,
    /// Proves one chunk (`prover_jobs`, one job per chunk, aggregation round 0).
    #[serde(rename = "basic_prover")]
    BasicProof,
    /// Aggregates a batch's chunk proofs (`scheduler_jobs`, one job per batch).
    #[serde(rename = "scheduler")]
    Scheduler,
    /// Compresses the scheduler result into the final proof (`compression_jobs`).
    #[serde(rename = "compressor")]
    Compression,
}

impl Stage {
    /// Every stage, in pipeline order.
    pub const ALL: [Stage; 4] = [
        Stage::WitnessGeneration,
        Stage::BasicProof,
        Stage::Scheduler,
        Stage::Compression,
    ];

    /// The name used in [`fmt::Display`], metrics and reports.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::WitnessGeneration => "witness_generator",
            Stage::BasicProof => "basic_prover",
            Stage::Scheduler => "scheduler",
            Stage::Compression => "compressor",
        }
    }

    /// The aggregation round reported for the stage's jobs ([`PickedJob::aggregation_round`],
    /// [`QueueDepth::aggregation_round`]): 0 for witness generation and prover jobs (whose
    /// own rows carry their round: 0 basic, 1 leaf, 2 node), 3 for the scheduler, 4 for
    /// compression — zkSync's numbering without its recursion-tip round.
    #[must_use]
    pub fn aggregation_round(self) -> u8 {
        match self {
            Stage::WitnessGeneration | Stage::BasicProof => 0,
            Stage::Scheduler => 3,
            Stage::Compression => 4,
        }
    }

    /// The table holding the stage's jobs.
    pub(crate) fn table(self) -> &'static str {
        match self {
            Stage::WitnessGeneration => "witness_inputs",
            Stage::BasicProof => "prover_jobs",
            Stage::Scheduler => "scheduler_jobs",
            Stage::Compression => "compression_jobs",
        }
    }

    /// The key column of the stage's table (`id` for prover jobs, `batch` otherwise).
    pub(crate) fn key(self) -> &'static str {
        match self {
            Stage::BasicProof => "id",
            _ => "batch",
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that names no variant of the enum being parsed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} {value:?}")]
pub struct ParseEnumError {
    /// The enum (`"stage"`, `"job status"`, `"batch status"`).
    pub what: &'static str,
    /// The string given.
    pub value: String,
}

impl FromStr for Stage {
    type Err = ParseEnumError;

    /// Parses the [`fmt::Display`] form.
    fn from_str(s: &str) -> Result<Stage, ParseEnumError> {
        Stage::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| ParseEnumError {
                what: "stage",
                value: s.to_owned(),
            })
    }
}

/// The status of one job.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    /// Ready to be picked.
    Queued,
    /// Picked by a worker (`picked_by`), not finished.
    InProgress,
    /// Finished; the result is stored.
    Successful,
    /// The last attempt failed (`error`). The house keeper requeues it while
    /// `attempts < max_attempts`; at the maximum it stays failed ("stuck").
    Failed,
    /// Scheduler only: not all chunk proofs of the batch are successful yet.
    WaitingForProofs,
}

impl JobStatus {
    /// The stored, snake_case form.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Queued => "queued",
            JobStatus::InProgress => "in_progress",
            JobStatus::Successful => "successful",
            JobStatus::Failed => "failed",
            JobStatus::WaitingForProofs => "waiting_for_proofs",
        }
    }
}

impl fmt::Display for JobStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for JobStatus {
    type Err = ParseEnumError;

    /// Parses the snake_case form.
    fn from_str(s: &str) -> Result<JobStatus, ParseEnumError> {
        [
            JobStatus::Queued,
            JobStatus::InProgress,
            JobStatus::Successful,
            JobStatus::Failed,
            JobStatus::WaitingForProofs,
        ]
        .into_iter()
        .find(|st| st.as_str() == s)
        .ok_or_else(|| ParseEnumError {
            what: "job status",
            value: s.to_owned(),
        })
    }
}

/// The status of a batch in the `batches` table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BatchState {
    /// Fetched from the server; proving not finished.
    Received,
    /// The compressed proof is stored, not yet delivered.
    Proven,
    /// The proof was delivered to the server (its prover jobs are archived).
    SentToServer,
}

impl BatchState {
    /// The stored, snake_case form.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            BatchState::Received => "received",
            BatchState::Proven => "proven",
            BatchState::SentToServer => "sent_to_server",
        }
    }
}

impl fmt::Display for BatchState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for BatchState {
    type Err = ParseEnumError;

    /// Parses the snake_case form.
    fn from_str(s: &str) -> Result<BatchState, ParseEnumError> {
        [
            BatchState::Received,
            BatchState::Proven,
            BatchState::SentToServer,
        ]
        .into_iter()
        .find(|st| st.as_str() == s)
        .ok_or_else(|| ParseEnumError {
            what: "batch status",
            value: s.to_owned(),
        })
    }
}

/// A job handed to one worker by a `pick_*` call; it is now `in_progress` and picked by that
/// worker, and no other call hands it out until it is requeued.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PickedJob {
    /// The prover-job id for [`Stage::BasicProof`]; the batch number for the per-batch
    /// stages (pass it back as the `id`/`batch` of the finishing call).
    pub id: i64,
    /// The batch.
    pub batch: u64,
    /// [`Stage::aggregation_round`] of the job's stage ([`BASIC_ROUND`] for prover jobs).
    pub aggregation_round: u8,
    /// The circuit id: [`BASIC_CIRCUIT_ID`] for prover jobs, 0 for per-batch stages.
    pub circuit_id: u8,
    /// The depth (0 for every job of this pipeline).
    pub depth: u32,
    /// The chunk index for prover jobs (0-based); 0 for per-batch stages.
    pub sequence_number: u32,
    /// Attempts including this one (1 on the first pick).
    pub attempts: u32,
    /// The stage's input: the batch witness (witness generation), the chunk witness (basic
    /// proof), the JSON [`crate::plan::AggregationInput`] naming the proofs below (leaf
    /// and node), empty for the scheduler (it reads [`crate::ProverDal::root_proof`]), the
    /// scheduler result (compression).
    pub input: Vec<u8>,
    /// The protocol version the job belongs to.
    pub protocol_version: String,
}

/// What [`crate::ProverDal::requeue_stuck`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequeueReport {
    /// Witness-generation jobs requeued.
    pub witness_generation: u64,
    /// Basic prover jobs requeued.
    pub basic_proof: u64,
    /// Scheduler jobs requeued.
    pub scheduler: u64,
    /// Compression jobs requeued.
    pub compression: u64,
    /// `in_progress` jobs (all stages) past the timeout that had used every attempt: marked
    /// `failed` (stuck) instead of requeued.
    pub timed_out_at_max_attempts: u64,
}

impl RequeueReport {
    /// Jobs requeued in `stage`.
    #[must_use]
    pub fn get(&self, stage: Stage) -> u64 {
        match stage {
            Stage::WitnessGeneration => self.witness_generation,
            Stage::BasicProof => self.basic_proof,
            Stage::Scheduler => self.scheduler,
            Stage::Compression => self.compression,
        }
    }

    pub(crate) fn set(&mut self, stage: Stage, n: u64) {
        match stage {
            Stage::WitnessGeneration => self.witness_generation = n,
            Stage::BasicProof => self.basic_proof = n,
            Stage::Scheduler => self.scheduler = n,
            Stage::Compression => self.compression = n,
        }
    }

    /// Jobs requeued over all stages.
    #[must_use]
    pub fn total(&self) -> u64 {
        Stage::ALL.into_iter().map(|s| self.get(s)).sum()
    }
}

/// One job as [`crate::ProverDal::batch_status`] reports it. Times are Unix milliseconds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobInfo {
    /// The prover-job id, or the batch number for per-batch stages.
    pub id: i64,
    /// As [`PickedJob::aggregation_round`].
    pub aggregation_round: u8,
    /// As [`PickedJob::circuit_id`].
    pub circuit_id: u8,
    /// As [`PickedJob::depth`].
    pub depth: u32,
    /// As [`PickedJob::sequence_number`].
    pub sequence_number: u32,
    /// The status.
    pub status: JobStatus,
    /// Attempts so far.
    pub attempts: u32,
    /// The last recorded error, if any.
    pub error: Option<String>,
    /// The worker that picked it last, if any.
    pub picked_by: Option<String>,
    /// When the job was created (ms).
    pub created_at_ms: u64,
    /// When the job last changed (ms).
    pub updated_at_ms: u64,
    /// When the last attempt started (ms).
    pub processing_started_at_ms: Option<u64>,
    /// How long the successful attempt took, as reported by the worker (ms).
    pub time_taken_ms: Option<u64>,
    /// True for a prover job already moved to `prover_jobs_archive` (always successful).
    pub archived: bool,
}

/// The jobs of one stage for one batch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageReport {
    /// The stage.
    pub stage: Stage,
    /// Its jobs (empty: no job created yet, or deleted); prover jobs in sequence order.
    pub jobs: Vec<JobInfo>,
}

impl StageReport {
    /// How many jobs have `status`.
    #[must_use]
    pub fn count(&self, status: JobStatus) -> usize {
        self.jobs.iter().filter(|j| j.status == status).count()
    }
}

/// Everything stored about one batch across the stages, for `prover-cli status batch`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchStatusReport {
    /// The batch.
    pub batch: u64,
    /// The `batches` row's status; `None` if only job rows exist.
    pub state: Option<BatchState>,
    /// The batch's protocol version.
    pub protocol_version: String,
    /// When the batch was received (ms).
    pub created_at_ms: Option<u64>,
    /// When its compressed proof was stored (ms).
    pub proven_at_ms: Option<u64>,
    /// When its proof was marked sent (ms).
    pub sent_at_ms: Option<u64>,
    /// The scheduler job's number of chunks, once witness generation finished.
    pub number_of_chunks: Option<u32>,
    /// One entry per stage, in [`Stage::ALL`] order.
    pub stages: Vec<StageReport>,
}

impl BatchStatusReport {
    /// The report of `stage`.
    #[must_use]
    pub fn stage(&self, stage: Stage) -> Option<&StageReport> {
        self.stages.iter().find(|s| s.stage == stage)
    }
}

/// Queue depth of one (stage, round, circuit, protocol version) group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueDepth {
    /// The stage.
    pub stage: Stage,
    /// The aggregation round ([`Stage::aggregation_round`] for per-batch stages).
    pub aggregation_round: u8,
    /// The circuit id (0 for per-batch stages).
    pub circuit_id: u8,
    /// The protocol version.
    pub protocol_version: String,
    /// Jobs `queued`.
    pub queued: u64,
    /// Jobs `in_progress`.
    pub in_progress: u64,
}

/// Throughput of one stage over a period.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StageStats {
    /// The stage.
    pub stage: Stage,
    /// Jobs that became successful in the period (by `updated_at`; archived prover jobs
    /// included).
    pub successful: u64,
    /// Mean `time_taken_ms` of those jobs; `None` when there were none.
    pub avg_time_taken_ms: Option<f64>,
    /// Largest `time_taken_ms` of those jobs.
    pub max_time_taken_ms: Option<u64>,
}

/// What [`crate::ProverDal::stats`] reports.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StatsReport {
    /// Start of the period, Unix milliseconds.
    pub since_ms: u64,
    /// Batches received in the period.
    pub batches_received: u64,
    /// Batches whose proof was stored in the period.
    pub batches_proven: u64,
    /// Batches whose proof was marked sent in the period.
    pub batches_sent: u64,
    /// One entry per stage, in [`Stage::ALL`] order.
    pub stages: Vec<StageStats>,
}
