//! Pure conversions between SQL integers/rows and the API's types, and the SQL text built
//! per stage.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::types::{JobInfo, JobStatus, PickedJob, Stage};
use crate::DalError;

/// A pick's `RETURNING` row: key, batch, round, circuit, depth, sequence, attempts, input,
/// protocol version.
pub(crate) type PickRow = (i64, i64, i64, i64, i64, i64, i64, Option<Vec<u8>>, String);

/// A job row for reports: key, round, circuit, depth, sequence, status, attempts, error,
/// picked_by, created_at, updated_at, processing_started_at, time_taken_ms, protocol version.
pub(crate) type JobRow = (
    i64,
    i64,
    i64,
    i64,
    i64,
    String,
    i64,
    Option<String>,
    Option<String>,
    i64,
    i64,
    Option<i64>,
    Option<i64>,
    String,
);

/// The columns every job row carries, in [`JobRow`] order after the dimensions.
const JOB_TAIL: &str = "status, attempts, error, picked_by, created_at, updated_at, \
     processing_started_at, time_taken_ms, protocol_version";

/// Now, as Unix milliseconds (0 before the epoch, `i64::MAX` past year 292 million).
pub(crate) fn now_ms() -> i64 {
    ms_of(SystemTime::now())
}

/// `t` as Unix milliseconds, clamped to `0..=i64::MAX`.
pub(crate) fn ms_of(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// A `u64` argument as the signed column value.
pub(crate) fn to_sql(what: &'static str, value: u64) -> Result<i64, DalError> {
    i64::try_from(value).map_err(|_| DalError::OutOfRange { what, value })
}

/// A stored integer as a `T` (`u64`, `u32`, `u8`).
pub(crate) fn from_sql<T: TryFrom<i64>>(what: &'static str, value: i64) -> Result<T, DalError> {
    T::try_from(value).map_err(|_| DalError::Corrupt {
        what,
        detail: format!("{value} out of range"),
    })
}

/// A stored nullable integer as an `Option<u64>`.
pub(crate) fn opt_from_sql(
    what: &'static str,
    value: Option<i64>,
) -> Result<Option<u64>, DalError> {
    value.map(|v| from_sql(what, v)).transpose()
}

/// A stored status string.
pub(crate) fn status_of(s: &str) -> Result<JobStatus, DalError> {
    s.parse()
        .map_err(|e: crate::ParseEnumError| DalError::Corrupt {
            what: "status",
            detail: e.to_string(),
        })
}

/// The `PickedJob` of a pick's returned row.
pub(crate) fn picked_from_row(r: PickRow) -> Result<PickedJob, DalError> {
    Ok(PickedJob {
        id: r.0,
        batch: from_sql("batch", r.1)?,
        aggregation_round: from_sql("aggregation_round", r.2)?,
        circuit_id: from_sql("circuit_id", r.3)?,
        depth: from_sql("depth", r.4)?,
        sequence_number: from_sql("sequence_number", r.5)?,
        attempts: from_sql("attempts", r.6)?,
        input: r.7.unwrap_or_default(),
        protocol_version: r.8,
    })
}

/// The `JobInfo` of a report row.
pub(crate) fn job_from_row(r: JobRow, archived: bool) -> Result<JobInfo, DalError> {
    Ok(JobInfo {
        id: r.0,
        aggregation_round: from_sql("aggregation_round", r.1)?,
        circuit_id: from_sql("circuit_id", r.2)?,
        depth: from_sql("depth", r.3)?,
        sequence_number: from_sql("sequence_number", r.4)?,
        status: status_of(&r.5)?,
        attempts: from_sql("attempts", r.6)?,
        error: r.7,
        picked_by: r.8,
        created_at_ms: from_sql("created_at", r.9)?,
        updated_at_ms: from_sql("updated_at", r.10)?,
        processing_started_at_ms: opt_from_sql("processing_started_at", r.11)?,
        time_taken_ms: opt_from_sql("time_taken_ms", r.12)?,
        archived,
    })
}

/// The dimension columns (round, circuit, depth, sequence) of `stage`'s rows: real columns
/// for prover jobs, constants for the per-batch stages.
fn dims(stage: Stage) -> String {
    match stage {
        Stage::BasicProof => "aggregation_round, circuit_id, depth, sequence_number".to_owned(),
        s => format!(
            "CAST({} AS BIGINT), CAST(0 AS BIGINT), CAST(0 AS BIGINT), CAST(0 AS BIGINT)",
            s.aggregation_round()
        ),
    }
}

/// The one-statement pick of `stage`: `$1` picked_by, `$2` now (ms), `$3` protocol
/// version. `groups` (basic proofs only) restricts `(aggregation_round, circuit_id)`;
/// `skip_locked` is the dialect's suffix of the inner `SELECT`.
pub(crate) fn pick_sql(stage: Stage, groups: &[(u8, u8)], skip_locked: &str) -> String {
    let table = stage.table();
    let key = stage.key();
    let (order, input) = match stage {
        Stage::WitnessGeneration => ("batch", "witness"),
        Stage::BasicProof => ("batch, aggregation_round, sequence_number, id", "input"),
        Stage::Scheduler | Stage::Compression => ("batch", "result"),
    };
    let filter = if stage == Stage::BasicProof && !groups.is_empty() {
        let alternatives: Vec<String> = groups
            .iter()
            .map(|(round, circuit)| {
                format!("(aggregation_round = {round} AND circuit_id = {circuit})")
            })
            .collect();
        format!(" AND ({})", alternatives.join(" OR "))
    } else {
        String::new()
    };
    format!(
        "UPDATE {table} SET status = 'in_progress', attempts = attempts + 1, picked_by = $1, \
         processing_started_at = $2, updated_at = $2 \
         WHERE {key} = (SELECT {key} FROM {table} \
         WHERE status = 'queued' AND protocol_version = $3{filter} \
         ORDER BY {order} LIMIT 1{skip_locked}) \
         RETURNING {key}, batch, {dims}, attempts, {input}, protocol_version",
        dims = dims(stage)
    )
}

/// The report rows of `stage`'s jobs of batch `$1` in `table` (the stage's table, or the
/// prover-job archive).
pub(crate) fn jobs_of_batch_sql(stage: Stage, table: &str) -> String {
    let key = stage.key();
    format!(
        "SELECT {key}, {dims}, {JOB_TAIL} FROM {table} WHERE batch = $1 ORDER BY {order}",
        dims = dims(stage),
        order = if stage == Stage::BasicProof {
            "aggregation_round, sequence_number, id"
        } else {
            "batch"
        }
    )
}

/// Queued/in-progress counts of `stage` per (round, circuit, protocol version).
pub(crate) fn queue_sql(stage: Stage) -> String {
    let (cols, group) = match stage {
        Stage::BasicProof => (
            "aggregation_round, circuit_id".to_owned(),
            "aggregation_round, circuit_id, protocol_version",
        ),
        s => (
            format!(
                "CAST({} AS BIGINT), CAST(0 AS BIGINT)",
                s.aggregation_round()
            ),
            "protocol_version",
        ),
    };
    format!(
        "SELECT {cols}, protocol_version, \
         COUNT(CASE WHEN status = 'queued' THEN 1 END), \
         COUNT(CASE WHEN status = 'in_progress' THEN 1 END) \
         FROM {table} WHERE status IN ('queued', 'in_progress') \
         GROUP BY {group} ORDER BY {group}",
        table = stage.table()
    )
}

/// Count, mean and max `time_taken_ms` of `stage`'s jobs successful since `$1` (ms).
pub(crate) fn stage_stats_sql(stage: Stage) -> String {
    let source = if stage == Stage::BasicProof {
        "(SELECT status, time_taken_ms, updated_at FROM prover_jobs \
         UNION ALL SELECT status, time_taken_ms, updated_at FROM prover_jobs_archive) AS j"
            .to_owned()
    } else {
        stage.table().to_owned()
    };
    format!(
        "SELECT COUNT(*), CAST(AVG(time_taken_ms) AS DOUBLE PRECISION), MAX(time_taken_ms) \
         FROM {source} WHERE status = 'successful' AND updated_at >= $1"
    )
}

/// Whether `v` is `0.MINOR.PATCH` with decimal MINOR and PATCH.
pub(crate) fn valid_version(v: &str) -> bool {
    let parts: Vec<&str> = v.split('.').collect();
    parts.len() == 3
        && parts[0] == "0"
        && parts[1..]
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 9 && p.bytes().all(|b| b.is_ascii_digit()))
}

/// `s` cut to at most `max` bytes on a character boundary.
pub(crate) fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_validated() {
        assert!(valid_version("0.1.0"));
        assert!(valid_version("0.24.12"));
        assert!(!valid_version("1.0.0"));
        assert!(!valid_version("0.1"));
        assert!(!valid_version("0.x.1"));
        assert!(!valid_version("0..1"));
    }

    #[test]
    fn the_group_filter_is_an_or_of_pairs() {
        let sql = pick_sql(Stage::BasicProof, &[(0, 1), (0, 2)], "");
        assert!(sql.contains(
            "AND ((aggregation_round = 0 AND circuit_id = 1) OR (aggregation_round = 0 AND circuit_id = 2))"
        ));
        assert!(!pick_sql(Stage::Scheduler, &[(0, 1)], "").contains("circuit_id ="));
    }

    #[test]
    fn truncation_respects_char_boundaries() {
        assert_eq!(truncate("héllo", 2), "h");
        assert_eq!(truncate("abc", 10), "abc");
    }
}
