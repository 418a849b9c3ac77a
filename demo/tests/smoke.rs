//! The demo's smoke test (in CI): `demo --nodes 4 --duration 60 --until-verified 1` on
//! this build's binaries, asserting on its summary: at least 10 decided blocks, an
//! L1-certified height above 0, at least one batch proven and verified by the rollup node,
//! and a successful `cast send` whose receipt and balance the demo checked.

use std::path::{Path, PathBuf};
use std::process::Command;

/// This build's binary folder, building the stack's binaries when missing.
fn bin_dir() -> PathBuf {
    let demo = PathBuf::from(env!("CARGO_BIN_EXE_demo"));
    let dir = demo.parent().expect("target dir").to_path_buf();
    sq_testing::cluster::ensure_bins(
        &dir,
        &["cdn-server", "sequencer", "sq-l1", "prover", "prover-cli"],
        &[
            "sq-cdn",
            "sq-node",
            "sq-l1",
            "sq-prover-service",
            "sq-prover-cli",
        ],
    );
    dir
}

fn value<'a>(summary: &'a str, key: &str) -> &'a str {
    sq_demo::summary::summary_value(summary, key)
        .unwrap_or_else(|| panic!("no {key} in the summary:\n{summary}"))
}

fn number(summary: &str, key: &str) -> u64 {
    value(summary, key)
        .parse()
        .unwrap_or_else(|_| panic!("{key} is not a number:\n{summary}"))
}

#[test]
fn the_demo_runs_the_whole_stack_and_its_summary_shows_every_part_working() {
    let bins = bin_dir();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let foundry = repo.join("contracts/node_modules/.bin");
    assert!(
        foundry.join("anvil").exists(),
        "anvil missing: run `just contracts-install`"
    );
    let runs = tempfile::tempdir().expect("dir");
    let out = Command::new(env!("CARGO_BIN_EXE_demo"))
        // One-chunk batches (a leaf, the scheduler and the compression, no node); the run
        // goes on past its 60 s until the first batch's proof is verified (at most 600 s
        // more).
        .args(["--nodes", "4", "--duration", "60", "--tps", "4"])
        .args(["--until-verified", "1"])
        .args(["--chunk-size", "8", "--batch-max-transfers", "8"])
        .arg("--bin-dir")
        .arg(&bins)
        .arg("--foundry-bin")
        .arg(&foundry)
        .arg("--runs-dir")
        .arg(runs.path())
        .output()
        .expect("demo");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "demo failed ({}):\n{stdout}\n{stderr}",
        out.status
    );
    let summary = stdout
        .split("=== demo summary ===")
        .nth(1)
        .unwrap_or_else(|| panic!("no summary:\n{stdout}\n{stderr}"));
    let context = format!("{summary}\n--- stderr\n{stderr}");
    assert!(number(summary, "decided_blocks") >= 10, "{context}");
    assert!(number(summary, "l1_certified_height") > 0, "{context}");
    assert!(number(summary, "batches_proven") >= 1, "{context}");
    assert!(number(summary, "batches_verified") >= 1, "{context}");
    assert!(number(summary, "transfers_sent") > 0, "{context}");
    assert!(
        value(summary, "cast_transfer").starts_with("ok (tx 0x"),
        "{context}"
    );
    // The status lines showed aggregation jobs (leaf, round 1; scheduler, round 3;
    // compression, round 4) at work.
    let rounds_seen = |round: usize| {
        stdout.lines().any(|l| {
            l.split("rounds 0-4 active ")
                .nth(1)
                .and_then(|r| r.trim_end_matches(')').split('/').nth(round))
                .is_some_and(|n| n != "0")
        })
    };
    assert!(
        rounds_seen(1) && rounds_seen(3) && rounds_seen(4),
        "{stdout}"
    );
    // The live status lines came once a second, and the endpoints were printed.
    assert!(stdout.matches(" blk/s) |").count() >= 20, "{stdout}");
    assert!(
        stdout.contains(" send --rpc-url http://127.0.0.1:"),
        "{stdout}"
    );
    // Only the logs are kept by default.
    let run = std::fs::read_dir(runs.path())
        .expect("runs")
        .next()
        .expect("a run folder")
        .expect("entry")
        .path();
    assert!(run.join("logs/node0.log").exists());
    assert!(!run.join("data").exists());
}
