//! Pure formatting of reports: what `status batch`, `stats` and `config` print.

use std::fmt::Write as _;

use sq_prover_dal::plan::{self, LEAF_ROUND, NODE_ROUND};
use sq_prover_dal::{
    BatchState, BatchStatusReport, JobInfo, JobStatus, Stage, StageReport, StatsReport, BASIC_ROUND,
};

/// Label of a job counted as stuck: failed with every attempt used.
pub const STUCK: &str = "Stuck ⛔️ (max attempts)";
/// Label of a successful job or stage.
pub const SUCCESSFUL: &str = "Successful ✅";
/// Label of a job or stage in progress.
pub const IN_PROGRESS: &str = "In Progress ⌛️";
/// Label of a queued job or stage.
pub const QUEUED: &str = "Queued 📥";
/// Label of a scheduler job waiting for its chunk proofs.
pub const WAITING: &str = "Waiting for proofs ⏱️";
/// Label of a failed job that the house keeper will retry.
pub const FAILED: &str = "Failed ❌ (will be retried)";
/// Label of a stage without jobs.
pub const NOT_FOUND: &str = "Job not found 🚫";

/// The title of each stage in `status batch`.
fn stage_title(stage: Stage) -> &'static str {
    match stage {
        Stage::WitnessGeneration => "Witness Generator",
        Stage::BasicProof => "Basic Prover Jobs",
        Stage::Scheduler => "Scheduler",
        Stage::Compression => "Compressor",
    }
}

/// Whether `job` counts as stuck under `max_attempts`.
fn is_stuck(job: &JobInfo, max_attempts: u32) -> bool {
    job.status == JobStatus::Failed && job.attempts >= max_attempts
}

/// The label of one job.
fn job_label(job: &JobInfo, max_attempts: u32) -> &'static str {
    match job.status {
        JobStatus::Failed if is_stuck(job, max_attempts) => STUCK,
        JobStatus::Failed => FAILED,
        JobStatus::Queued => QUEUED,
        JobStatus::InProgress => IN_PROGRESS,
        JobStatus::Successful => SUCCESSFUL,
        JobStatus::WaitingForProofs => WAITING,
    }
}

/// The label of a stage from its jobs: not found, stuck (any job), successful (all),
/// failed (any), waiting (all), queued (all), otherwise in progress.
fn stage_label(stage: &StageReport, max_attempts: u32) -> &'static str {
    let jobs = &stage.jobs;
    let all = |s: JobStatus| jobs.iter().all(|j| j.status == s);
    if jobs.is_empty() {
        NOT_FOUND
    } else if jobs.iter().any(|j| is_stuck(j, max_attempts)) {
        STUCK
    } else if all(JobStatus::Successful) {
        SUCCESSFUL
    } else if stage.count(JobStatus::Failed) > 0 {
        FAILED
    } else if all(JobStatus::WaitingForProofs) {
        WAITING
    } else if all(JobStatus::Queued) {
        QUEUED
    } else {
        IN_PROGRESS
    }
}

/// The overall line under the batch title.
fn batch_label(report: &BatchStatusReport, max_attempts: u32) -> &'static str {
    match report.state {
        Some(BatchState::SentToServer) => "Sent to server ✅",
        Some(BatchState::Proven) => "Proven ✅ (not sent to the server yet)",
        _ => {
            let labels: Vec<&str> = report
                .stages
                .iter()
                .map(|s| stage_label(s, max_attempts))
                .collect();
            if labels.contains(&STUCK) {
                "Stuck ⛔️"
            } else if labels.first() == Some(&QUEUED) {
                QUEUED
            } else {
                IN_PROGRESS
            }
        }
    }
}

/// Formats Unix milliseconds as `YYYY-MM-DD HH:MM:SS.mmm UTC`.
#[must_use]
pub fn format_utc(ms: u64) -> String {
    let secs = ms / 1000;
    let days = i64::try_from(secs / 86_400).unwrap_or(i64::MAX / 2);
    let rem = secs % 86_400;
    // Civil-from-days (H. Hinnant), proleptic Gregorian.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}.{:03} UTC",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        ms % 1000
    )
}

/// One verbose line per job.
fn job_line(out: &mut String, stage: Stage, job: &JobInfo, max_attempts: u32) {
    let what = if stage == Stage::BasicProof {
        format!(
            "job {} (round {}, circuit {}, depth {}, seq {})",
            job.id, job.aggregation_round, job.circuit_id, job.depth, job.sequence_number
        )
    } else {
        format!("batch {}", job.id)
    };
    let _ = write!(
        out,
        "  > {what}: {}, attempts {}/{max_attempts}",
        job_label(job, max_attempts),
        job.attempts
    );
    if let Some(by) = &job.picked_by {
        let _ = write!(out, ", picked by {by}");
    }
    if let Some(started) = job.processing_started_at_ms {
        let _ = write!(out, ", started {}", format_utc(started));
    }
    if let Some(t) = job.time_taken_ms {
        let _ = write!(out, ", took {t} ms");
    }
    if job.archived {
        out.push_str(", archived");
    }
    let _ = write!(out, ", updated {}", format_utc(job.updated_at_ms));
    out.push('\n');
    if let Some(e) = &job.error {
        let _ = writeln!(out, "    error: {e}");
    }
}

/// The text of `prover-cli status batch` for one batch, after zkSync's layout:
///
/// ```text
/// == Batch 4 Status ==
/// > In Progress ⌛️
/// Protocol version: 0.1.0
///
/// == Proving Stages ==
/// -- Aggregation Round 0 --
/// Witness Generator: Successful ✅
/// Basic Prover Jobs: In Progress ⌛️ (1/3 successful, 1 in progress, 1 queued)
/// -- Aggregation Round 1 --
/// Leaf Aggregation Jobs: Waiting for proofs ⏱️
/// -- Aggregation Round 2 --
/// Node Aggregation Jobs: Waiting for proofs ⏱️
/// -- Aggregation Round 3 --
/// Scheduler: Waiting for proofs ⏱️
/// -- Aggregation Round 4: Compressor --
/// Compressor: Job not found 🚫
/// ```
///
/// A failed job with `attempts >= max_attempts` is shown as [`STUCK`]. With `verbose`,
/// every job follows its stage: attempts, worker, start time, time taken, error.
#[must_use]
pub fn render_batch_status(report: &BatchStatusReport, verbose: bool, max_attempts: u32) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "== Batch {} Status ==", report.batch);
    let _ = writeln!(out, "> {}", batch_label(report, max_attempts));
    let _ = writeln!(out, "Protocol version: {}", report.protocol_version);
    if verbose {
        if let Some(t) = report.created_at_ms {
            let _ = writeln!(out, "Received: {}", format_utc(t));
        }
        if let Some(t) = report.proven_at_ms {
            let _ = writeln!(out, "Proven: {}", format_utc(t));
        }
        if let Some(t) = report.sent_at_ms {
            let _ = writeln!(out, "Sent to server: {}", format_utc(t));
        }
    }
    out.push_str("\n== Proving Stages ==\n");
    let mut round = None;
    for stage in &report.stages {
        if stage.stage == Stage::BasicProof {
            for r in [BASIC_ROUND, LEAF_ROUND, NODE_ROUND] {
                let jobs = stage
                    .jobs
                    .iter()
                    .filter(|j| j.aggregation_round == r)
                    .cloned()
                    .collect();
                let sub = StageReport {
                    stage: Stage::BasicProof,
                    jobs,
                };
                header(&mut out, &mut round, format!("-- Aggregation Round {r} --"));
                round_line(&mut out, report, r, &sub, verbose, max_attempts);
            }
            continue;
        }
        let h = match stage.stage {
            Stage::Compression => "-- Aggregation Round 4: Compressor --".to_owned(),
            s => format!("-- Aggregation Round {} --", s.aggregation_round()),
        };
        header(&mut out, &mut round, h);
        let _ = write!(
            out,
            "{}: {}",
            stage_title(stage.stage),
            stage_label(stage, max_attempts)
        );
        out.push('\n');
        if verbose {
            for job in &stage.jobs {
                job_line(&mut out, stage.stage, job, max_attempts);
            }
        }
    }
    out
}

/// Writes `h` unless it is the current header.
fn header(out: &mut String, current: &mut Option<String>, h: String) {
    if current.as_ref() != Some(&h) {
        let _ = writeln!(out, "{h}");
        *current = Some(h);
    }
}

/// The line of one prover-job round (0 basic, 1 leaf, 2 node): its label and counts out
/// of the jobs the batch's tree needs ([`sq_prover_dal::plan`]).
fn round_line(
    out: &mut String,
    report: &BatchStatusReport,
    round: u8,
    stage: &StageReport,
    verbose: bool,
    max_attempts: u32,
) {
    let (title, needed) = match (round, report.number_of_chunks) {
        (BASIC_ROUND, n) => ("Basic Prover Jobs", n),
        (LEAF_ROUND, n) => (
            "Leaf Aggregation Jobs",
            n.map(|n| plan::leaves(n.into()) as u32),
        ),
        (_, n) => (
            "Node Aggregation Jobs",
            n.map(|n| plan::leaves(n.into()).saturating_sub(1) as u32),
        ),
    };
    let label = match (stage.jobs.is_empty(), needed) {
        (true, Some(0)) => "Not needed (one leaf is the root) ✅",
        (true, Some(_)) if round != BASIC_ROUND => WAITING,
        _ => stage_label(stage, max_attempts),
    };
    let _ = write!(out, "{title}: {label}");
    if !stage.jobs.is_empty() {
        let total = needed.map_or(stage.jobs.len(), |n| n as usize);
        let mut parts = vec![format!(
            "{}/{total} successful",
            stage.count(JobStatus::Successful)
        )];
        for (status, name) in [
            (JobStatus::InProgress, "in progress"),
            (JobStatus::Queued, "queued"),
            (JobStatus::Failed, "failed"),
        ] {
            let n = stage.count(status);
            if n > 0 {
                parts.push(format!("{n} {name}"));
            }
        }
        let archived = stage.jobs.iter().filter(|j| j.archived).count();
        if archived > 0 {
            parts.push(format!("{archived} archived"));
        }
        let _ = write!(out, " ({})", parts.join(", "));
    }
    out.push('\n');
    if verbose {
        for job in &stage.jobs {
            job_line(out, Stage::BasicProof, job, max_attempts);
        }
    }
}

/// The text of `prover-cli stats`: batch counts and per-stage throughput since
/// `report.since_ms`, titled with `period` (e.g. `1h`).
#[must_use]
pub fn render_stats(report: &StatsReport, period: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "== Proving stats for the last {period} (since {}) ==",
        format_utc(report.since_ms)
    );
    let _ = writeln!(out, "Batches received: {}", report.batches_received);
    let _ = writeln!(out, "Batches proven: {}", report.batches_proven);
    let _ = writeln!(out, "Batches sent to server: {}", report.batches_sent);
    let _ = writeln!(
        out,
        "\n{:<18} {:>10} {:>14} {:>14}",
        "Stage", "Successful", "Avg time (ms)", "Max time (ms)"
    );
    for s in &report.stages {
        let avg = s
            .avg_time_taken_ms
            .map_or("-".to_owned(), |a| format!("{a:.1}"));
        let max = s
            .max_time_taken_ms
            .map_or("-".to_owned(), |m| m.to_string());
        let _ = writeln!(
            out,
            "{:<18} {:>10} {:>14} {:>14}",
            s.stage.as_str(),
            s.successful,
            avg,
            max
        );
    }
    out
}

/// `url` with any password replaced by `****`: the `user:password@` part of the
/// authority and `password=` query parameters.
#[must_use]
pub fn mask_db_url(url: &str) -> String {
    let mut out = url.to_owned();
    if let Some(start) = out.find("://").map(|i| i + 3) {
        let end = out[start..]
            .find(['/', '?'])
            .map_or(out.len(), |i| start + i);
        if let Some(at) = out[start..end].rfind('@').map(|i| start + i) {
            if let Some(colon) = out[start..at].find(':').map(|i| start + i) {
                out.replace_range(colon + 1..at, "****");
            }
        }
    }
    if let Some(q) = out.find('?') {
        let (base, query) = out.split_at(q + 1);
        let masked: Vec<String> = query
            .split('&')
            .map(|kv| match kv.split_once('=') {
                Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=****"),
                _ => kv.to_owned(),
            })
            .collect();
        out = format!("{base}{}", masked.join("&"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(status: JobStatus, attempts: u32) -> JobInfo {
        JobInfo {
            id: 7,
            aggregation_round: 0,
            circuit_id: 1,
            depth: 0,
            sequence_number: 0,
            status,
            attempts,
            error: (status == JobStatus::Failed).then(|| "out of memory".to_owned()),
            picked_by: Some("gpu-0".to_owned()),
            created_at_ms: 0,
            updated_at_ms: 1_700_000_000_123,
            processing_started_at_ms: Some(1_700_000_000_000),
            time_taken_ms: None,
            archived: false,
        }
    }

    fn report(witness: Vec<JobInfo>, basic: Vec<JobInfo>) -> BatchStatusReport {
        BatchStatusReport {
            batch: 4,
            state: Some(BatchState::Received),
            protocol_version: "0.1.0".to_owned(),
            created_at_ms: Some(0),
            proven_at_ms: None,
            sent_at_ms: None,
            number_of_chunks: (!basic.is_empty()).then_some(basic.len() as u32),
            stages: vec![
                StageReport {
                    stage: Stage::WitnessGeneration,
                    jobs: witness,
                },
                StageReport {
                    stage: Stage::BasicProof,
                    jobs: basic,
                },
                StageReport {
                    stage: Stage::Scheduler,
                    jobs: vec![],
                },
                StageReport {
                    stage: Stage::Compression,
                    jobs: vec![],
                },
            ],
        }
    }

    #[test]
    fn stages_are_labelled() {
        let r = report(vec![job(JobStatus::Queued, 0)], vec![]);
        let text = render_batch_status(&r, false, 10);
        assert!(
            text.starts_with("== Batch 4 Status ==\n> Queued 📥\n"),
            "{text}"
        );
        assert!(text.contains("Witness Generator: Queued 📥\n"), "{text}");
        assert!(
            text.contains("-- Aggregation Round 4: Compressor --\nCompressor: Job not found 🚫\n"),
            "{text}"
        );

        let r = report(
            vec![job(JobStatus::Successful, 1)],
            vec![job(JobStatus::Successful, 1), job(JobStatus::InProgress, 1)],
        );
        let text = render_batch_status(&r, false, 10);
        assert!(
            text.contains("Basic Prover Jobs: In Progress ⌛️ (1/2 successful, 1 in progress)"),
            "{text}"
        );

        let r = report(
            vec![job(JobStatus::Successful, 1)],
            vec![job(JobStatus::Failed, 3)],
        );
        let text = render_batch_status(&r, true, 3);
        assert!(text.contains("> Stuck ⛔️\n"), "{text}");
        assert!(
            text.contains("Basic Prover Jobs: Stuck ⛔️ (max attempts)"),
            "{text}"
        );
        assert!(text.contains("attempts 3/3, picked by gpu-0"), "{text}");
        assert!(text.contains("    error: out of memory\n"), "{text}");
        let text = render_batch_status(&r, false, 10);
        assert!(
            text.contains("Basic Prover Jobs: Failed ❌ (will be retried)"),
            "{text}"
        );
        assert!(!text.contains("error:"), "{text}");
    }

    #[test]
    fn rounds_1_and_2_show_their_jobs_out_of_what_the_tree_needs() {
        let at = |round: u8, status: JobStatus| JobInfo {
            aggregation_round: round,
            ..job(status, 1)
        };
        let done = || at(0, JobStatus::Successful);
        // 3 chunks: 2 leaves, 1 node. One leaf done, one in progress, no node yet.
        let mut r = report(
            vec![job(JobStatus::Successful, 1)],
            vec![done(), done(), done()],
        );
        r.stages[1]
            .jobs
            .extend([at(1, JobStatus::Successful), at(1, JobStatus::InProgress)]);
        let text = render_batch_status(&r, false, 10);
        for line in [
            "-- Aggregation Round 0 --\nWitness Generator: Successful ✅\nBasic Prover Jobs: Successful ✅ (3/3 successful)\n",
            "-- Aggregation Round 1 --\nLeaf Aggregation Jobs: In Progress ⌛️ (1/2 successful, 1 in progress)\n",
            "-- Aggregation Round 2 --\nNode Aggregation Jobs: Waiting for proofs ⏱️\n",
            "-- Aggregation Round 3 --\nScheduler: Job not found 🚫\n",
        ] {
            assert!(text.contains(line), "{line:?} in\n{text}");
        }
        // 1 chunk: its leaf is the root, no node round.
        let r = report(vec![job(JobStatus::Successful, 1)], vec![done()]);
        let text = render_batch_status(&r, false, 10);
        assert!(
            text.contains("Node Aggregation Jobs: Not needed (one leaf is the root) ✅\n"),
            "{text}"
        );
    }

    #[test]
    fn utc_formatting() {
        assert_eq!(format_utc(0), "1970-01-01 00:00:00.000 UTC");
        assert_eq!(format_utc(1_700_000_000_123), "2023-11-14 22:13:20.123 UTC");
        assert_eq!(format_utc(951_782_400_000), "2000-02-29 00:00:00.000 UTC");
    }

    #[test]
    fn passwords_are_masked() {
        assert_eq!(
            mask_db_url("postgres://postgres:notsecure@localhost/prover"),
            "postgres://postgres:****@localhost/prover"
        );
        assert_eq!(
            mask_db_url("postgres://u@h:5432/db?sslmode=off&password=x"),
            "postgres://u@h:5432/db?sslmode=off&password=****"
        );
        assert_eq!(
            mask_db_url("sqlite:///tmp/a.sqlite"),
            "sqlite:///tmp/a.sqlite"
        );
    }
}
