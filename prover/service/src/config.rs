//! What every component of the `prover` binary is configured with.

use std::time::Duration;

/// Shared settings.
#[derive(Clone, Debug)]
pub struct ProverConfig {
    /// The protocol version this process serves (`0.minor.patch`).
    pub protocol_version: String,
    /// This worker's name in `picked_by` (default `hostname-pid`).
    pub worker_id: String,
    /// How long an idle loop waits before asking for the next job.
    pub poll: Duration,
    /// Transfers per chunk (one basic proof each).
    pub chunk_size: usize,
    /// The `(aggregation_round, circuit_id)` pairs this prover serves; empty = all.
    pub groups: Vec<(u8, u8)>,
    /// The rollup's proof-data-handler API base URL (gateway only).
    pub rollup_url: Option<String>,
    /// In-progress jobs older than this are requeued by the house keeper.
    pub processing_timeout: Duration,
    /// Attempts after which a job stays failed ("stuck").
    pub max_attempts: u32,
}

/// Parses a prover-group list such as `0:1,0:2` into `(aggregation_round, circuit_id)` pairs.
///
/// # Errors
/// A message naming the entry that is not `ROUND:CIRCUIT` with both in 0..=255.
pub fn parse_groups(s: &str) -> Result<Vec<(u8, u8)>, String> {
    s.split(',')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(|e| {
            let (r, c) = e
                .split_once(':')
                .ok_or_else(|| format!("group {e:?} is not ROUND:CIRCUIT"))?;
            let r = r
                .parse()
                .map_err(|_| format!("bad aggregation round in {e:?}"))?;
            let c = c.parse().map_err(|_| format!("bad circuit id in {e:?}"))?;
            Ok((r, c))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::parse_groups;

    #[test]
    fn groups_parse_and_bad_ones_are_named() {
        assert_eq!(parse_groups("0:1, 0:2"), Ok(vec![(0, 1), (0, 2)]));
        assert_eq!(parse_groups(""), Ok(vec![]));
        assert!(parse_groups("0-1")
            .expect_err("must be refused")
            .contains("0-1"));
        assert!(parse_groups("0:300")
            .expect_err("must be refused")
            .contains("circuit"));
    }
}
