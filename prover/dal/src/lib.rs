//! Job tables of the prover pipeline on sqlx (SQLite embedded, PostgreSQL by URL): witness inputs, prover jobs of the basic, leaf and node rounds, scheduler, compression, protocol versions and an archive, with SKIP LOCKED picking.
//!
//! [`ProverDal`] is the whole API. [`ProverDal::connect`] picks the dialect from the URL
//! (`sqlite://…` or `postgres://…`) and applies that dialect's migrations through sq-db
//! (`migrations/sqlite/`, `migrations/postgres/`: the same schema, spelled per dialect).
//!
//! # Pipeline
//!
//! ```text
//! insert_batch ─► witness_inputs (queued) ─pick_witness_job─► finish_witness_job
//!   ─► prover_jobs × n (queued, round 0) + scheduler_jobs (waiting_for_proofs)
//!   ─pick_prover_job─► save_proof … (a proof completing a leaf's chunks creates the leaf
//!      job (round 1), one completing a node's children the node job (round 2), the root's
//!      queues the scheduler job; each in the saving transaction — see [`plan`])
//!   ─pick_scheduler_job─► finish_scheduler_job ─► compression_jobs (queued)
//!   ─pick_compression_job─► finish_compression_job ─► batches.status = proven
//!   ─next_proof_to_send─► mark_sent ─► sent_to_server, prover_jobs → prover_jobs_archive
//! ```
//!
//! # Contracts
//!
//! - **Picking.** A `pick_*` call is one `UPDATE … WHERE key = (SELECT … LIMIT 1 …)
//!   RETURNING …`: on PostgreSQL the inner select is `FOR UPDATE SKIP LOCKED`, so concurrent
//!   workers skip each other's rows; on SQLite it runs in a `BEGIN IMMEDIATE` transaction
//!   under the single writer lock. Either way a job is handed out once per queueing.
//! - **Crash safety.** Every transition is one statement or one transaction. A worker that
//!   dies leaves its job `in_progress`; [`ProverDal::requeue_stuck`] (the house keeper)
//!   requeues it after the processing timeout while `attempts < max_attempts`.
//! - **Timestamps** are Unix **milliseconds** in 64-bit integer columns (`BIGINT` on
//!   PostgreSQL, `INTEGER` on SQLite) in both dialects, taken from the calling process's
//!   clock; durations (`time_taken_ms`) are milliseconds as reported by the worker.
//! - **Payloads** (witnesses, chunk witnesses, proofs, results) are opaque bytes.
//! - **Failure.** Every error is a [`DalError`]; [`DalError::is_retryable`] tells a dead or
//!   busy database from a bad call. Nothing panics on bad data.
//!
//! # Schema (version 1)
//!
//! | table | key | notes |
//! |-------|-----|-------|
//! | `protocol_versions` | `version` (`0.MINOR.PATCH`) | `vk_hash` (32 bytes), `created_at` |
//! | `batches` | `batch` | `status` `received`/`proven`/`sent_to_server`, `protocol_version`, `proven_at`, `sent_at` |
//! | `witness_inputs` | `batch` | `witness`; job columns |
//! | `prover_jobs` | `id` (autoincrement) | `batch`, `aggregation_round` (0 basic, 1 leaf, 2 node), `circuit_id`, `depth`, `sequence_number` (unique together; positions in [`plan`]), `input`, `proof`; job columns |
//! | `scheduler_jobs` | `batch` | `number_of_chunks`, `result`; job columns; also `waiting_for_proofs` |
//! | `compression_jobs` | `batch` | `result`; job columns |
//! | `prover_jobs_archive` | `id` | `prover_jobs`' columns plus `archived_at` |
//!
//! Job columns: `status` (`queued`/`in_progress`/`successful`/`failed`), `attempts`, `error`,
//! `picked_by`, `created_at`, `updated_at`, `processing_started_at`, `time_taken_ms`,
//! `protocol_version`. All integers are 64-bit in both dialects.
//!
//! # Layout
//!
//! `dal/` holds the API, written once over both pools with [`sq_db::on_pool!`], one file per
//! stage or table (`dal/mod.rs` the handle, connecting and the shared pick; then
//! `protocol_versions.rs`, `batches.rs`, `witness_inputs.rs`, `prover_jobs.rs`,
//! `scheduler_jobs.rs`, `compression_jobs.rs`, `house_keeper.rs`, `maintenance.rs`,
//! `reports.rs`); `sqlite.rs` and `postgres.rs` what the queries spell per dialect (`SKIP
//! LOCKED`, the scheduler row lock); `rows.rs` the pure conversions and the SQL built per
//! stage; `types.rs` the API's types. Connecting, migrating, the SQLite durability settings,
//! write transactions and the retryable classification of driver errors are sq-db's, shared
//! with sq-storage and the rollup.
#![cfg_attr(not(test), forbid(unsafe_code))]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::panic))]

mod dal;
mod error;
pub mod plan;
mod postgres;
mod rows;
mod sqlite;
mod types;

pub use dal::{ProverDal, MAX_ERROR_LEN};
pub use error::DalError;
pub use sq_db::{DbError, Dialect};
pub use types::{
    BatchState, BatchStatusReport, JobInfo, JobStatus, ParseEnumError, PickedJob, QueueDepth,
    RequeueReport, Stage, StageReport, StageStats, StatsReport, BASIC_CIRCUIT_ID, BASIC_ROUND,
};
