//! The live status line and the final summary, rendered from one [`Snapshot`]. Pure: the
//! numbers come in, text goes out.

use std::fmt::Write as _;

/// What the demo observed at one moment; counters are totals since the start.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Snapshot {
    /// Seconds since the network started deciding.
    pub elapsed_s: f64,
    /// Decided height of node 0.
    pub height: u64,
    /// Transactions in decided blocks (rollup transfers and raw payloads), node 0.
    pub decided_transactions: u64,
    /// Median proposal-to-decide latency on node 0, milliseconds (`None`: nothing decided).
    pub decide_p50_ms: Option<f64>,
    /// `HotShotCommitments.latestHeight()` on anvil.
    pub l1_height: u64,
    /// Batches the rollup sealed.
    pub batches_created: u64,
    /// Batches the prover finished (compressed proof ready or delivered).
    pub batches_proven: u64,
    /// Batches whose proof the rollup node verified and accepted.
    pub batches_verified: u64,
    /// Prover jobs queued, all stages.
    pub prover_queue: u64,
    /// Prover jobs queued or in progress per aggregation round: 0 basic, 1 leaf, 2 node,
    /// 3 scheduler, 4 compressor.
    pub prover_rounds: [u64; 5],
    /// Transfers inside chunk proofs the prover made.
    pub proven_transfers: u64,
    /// Transfers the load generator had accepted by the rollup's JSON-RPC.
    pub transfers_sent: u64,
    /// Transfers the JSON-RPC refused.
    pub transfers_refused: u64,
    /// Raw payloads the submit API accepted.
    pub payloads_sent: u64,
    /// Node 0's in-process rollup: blocks executed (observations of `rollup_lag_blocks`).
    pub rollup_blocks_observed: u64,
    /// … of which executed while the node had more than one further block decided.
    pub rollup_lag_over_1: u64,
    /// Upper bound of the largest lag observed, blocks (`None`: nothing observed).
    pub rollup_lag_max: Option<f64>,
}

/// Per-second rate of `now - before` over `seconds` (0 for an empty interval).
#[must_use]
pub fn rate(now: u64, before: u64, seconds: f64) -> f64 {
    if seconds <= 0.0 {
        0.0
    } else {
        now.saturating_sub(before) as f64 / seconds
    }
}

fn ms(v: Option<f64>) -> String {
    v.map_or_else(|| "-".into(), |v| format!("{v:.0} ms"))
}

/// One status line: rates over the interval since `prev` (one second, as the demo prints).
#[must_use]
pub fn status_line(now: &Snapshot, prev: &Snapshot) -> String {
    let dt = now.elapsed_s - prev.elapsed_s;
    format!(
        "[{:>5.0}s] height {:>5} ({:>4.1} blk/s) | {:>6.1} tx/s | decide p50 {:>7} | L1 certified {:>5} | batches created {} proven {} verified {} | prover queue {} (rounds 0-4 active {})",
        now.elapsed_s,
        now.height,
        rate(now.height, prev.height, dt),
        rate(now.decided_transactions, prev.decided_transactions, dt),
        ms(now.decide_p50_ms),
        now.l1_height,
        now.batches_created,
        now.batches_proven,
        now.batches_verified,
        now.prover_queue,
        rounds(&now.prover_rounds),
    )
}

/// `a/b/c/d/e`: jobs active per aggregation round.
fn rounds(r: &[u64; 5]) -> String {
    let parts: Vec<String> = r.iter().map(u64::to_string).collect();
    parts.join("/")
}

/// The final summary: one `key: value` per line after a header line, so that scripts (and
/// the smoke test) can read it. `start` is the snapshot when the network began deciding;
/// `cast` is the outcome of the `cast send` self-check.
#[must_use]
pub fn render_summary(nodes: u16, start: &Snapshot, end: &Snapshot, cast: &str) -> String {
    let dt = end.elapsed_s - start.elapsed_s;
    let mut out = String::from("=== demo summary ===\n");
    let mut line = |k: &str, v: String| {
        // Writing into a String cannot fail.
        writeln!(out, "{k}: {v}").ok();
    };
    line("nodes", nodes.to_string());
    line("duration_s", format!("{dt:.1}"));
    line("decided_blocks", end.height.to_string());
    line(
        "blocks_per_s",
        format!("{:.2}", rate(end.height, start.height, dt)),
    );
    line(
        "transactions_per_s",
        format!(
            "{:.2}",
            rate(end.decided_transactions, start.decided_transactions, dt)
        ),
    );
    line("decide_p50_ms", ms(end.decide_p50_ms).replace(" ms", ""));
    line("l1_certified_height", end.l1_height.to_string());
    line("batches_created", end.batches_created.to_string());
    line("batches_proven", end.batches_proven.to_string());
    line("batches_verified", end.batches_verified.to_string());
    line("prover_queue", end.prover_queue.to_string());
    line("prover_rounds_active", rounds(&end.prover_rounds));
    line("proven_transfers", end.proven_transfers.to_string());
    line(
        "proven_transfers_per_s",
        format!(
            "{:.2}",
            rate(end.proven_transfers, start.proven_transfers, dt)
        ),
    );
    line("transfers_sent", end.transfers_sent.to_string());
    line("transfers_refused", end.transfers_refused.to_string());
    line("payloads_sent", end.payloads_sent.to_string());
    line(
        "rollup_lag_max_blocks",
        end.rollup_lag_max
            .map_or_else(|| "-".into(), |v| format!("<= {v}")),
    );
    line(
        "rollup_blocks_lagging_over_1",
        format!(
            "{} of {}",
            end.rollup_lag_over_1, end.rollup_blocks_observed
        ),
    );
    line("cast_transfer", cast.to_owned());
    out
}

/// The value of `key` in a rendered summary.
#[must_use]
pub fn summary_value<'a>(summary: &'a str, key: &str) -> Option<&'a str> {
    summary
        .lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(": "))
}

/// Whether the demo keeps running at elapsed time `elapsed_s` (seconds): always without
/// a `duration_s`; otherwise until it, then on while fewer than `until_verified` batches
/// are verified, for at most `extra_max_s` more seconds (`--until-verified`).
#[must_use]
pub fn keep_running(
    elapsed_s: f64,
    duration_s: Option<u64>,
    verified: u64,
    until_verified: u64,
    extra_max_s: u64,
) -> bool {
    let Some(d) = duration_s else {
        return true;
    };
    #[allow(clippy::cast_precision_loss)]
    let (d, extra) = (d as f64, extra_max_s as f64);
    elapsed_s < d || (verified < until_verified && elapsed_s < d + extra)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(elapsed_s: f64, height: u64, txs: u64) -> Snapshot {
        Snapshot {
            elapsed_s,
            height,
            decided_transactions: txs,
            ..Snapshot::default()
        }
    }

    #[test]
    fn rates_and_status_line() {
        assert_eq!(rate(30, 10, 2.0), 10.0);
        assert_eq!(rate(5, 10, 2.0), 0.0);
        assert_eq!(rate(5, 0, 0.0), 0.0);
        let mut now = snap(11.0, 120, 400);
        now.decide_p50_ms = Some(212.4);
        now.l1_height = 100;
        now.prover_rounds = [1, 2, 0, 1, 0];
        let line = status_line(&now, &snap(10.0, 110, 350));
        assert!(line.contains("(rounds 0-4 active 1/2/0/1/0)"), "{line}");
        assert!(line.contains("height   120 (10.0 blk/s)"), "{line}");
        assert!(line.contains("50.0 tx/s"), "{line}");
        assert!(line.contains("decide p50  212 ms"), "{line}");
        assert!(line.contains("L1 certified   100"), "{line}");
    }

    #[test]
    fn the_summary_is_machine_readable() {
        let mut end = snap(62.0, 600, 1300);
        end.batches_verified = 3;
        end.l1_height = 580;
        let s = render_summary(4, &snap(2.0, 0, 100), &end, "ok (status 1)");
        assert_eq!(summary_value(&s, "decided_blocks"), Some("600"));
        assert_eq!(summary_value(&s, "blocks_per_s"), Some("10.00"));
        assert_eq!(summary_value(&s, "transactions_per_s"), Some("20.00"));
        assert_eq!(summary_value(&s, "decide_p50_ms"), Some("-"));
        assert_eq!(summary_value(&s, "l1_certified_height"), Some("580"));
        assert_eq!(summary_value(&s, "batches_verified"), Some("3"));
        assert_eq!(summary_value(&s, "cast_transfer"), Some("ok (status 1)"));
        assert_eq!(summary_value(&s, "absent"), None);
    }

    #[test]
    fn the_run_ends_at_its_duration_or_once_enough_batches_are_verified() {
        assert!(
            keep_running(1e9, None, 0, 0, 0),
            "no duration: until Ctrl-C"
        );
        assert!(keep_running(59.0, Some(60), 0, 0, 600));
        assert!(
            !keep_running(60.0, Some(60), 0, 0, 600),
            "nothing to wait for"
        );
        assert!(
            keep_running(100.0, Some(60), 0, 1, 600),
            "waiting for a verified batch"
        );
        assert!(
            !keep_running(100.0, Some(60), 1, 1, 600),
            "the batch is verified"
        );
        assert!(
            !keep_running(660.0, Some(60), 0, 1, 600),
            "waited the most it may"
        );
    }
}
