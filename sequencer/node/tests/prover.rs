//! The prover pipeline end to end, on real processes: a local network (`cdn-server` + four
//! `sequencer`s, the rollup inside node 0), two prover deployments sharing one PostgreSQL
//! database, and the rollup node verifying what they submit.
//!
//! In order: a worker for an unregistered protocol version refuses to start with a clear
//! message; a worker registered for another version takes no job; deployment B runs each
//! component as its own process (gateway, witness generator, scheduler, compressor, house
//! keeper, prover) and its prover is frozen (SIGSTOP) while it holds a chunk job, then killed
//! with `kill -9`; then a chunk-only prover D and an aggregation-only prover C (leaf and
//! node rounds) start, and C is frozen and killed the same way while it holds an
//! aggregation job; deployment A is one `prover run` process, whose house keeper requeues
//! both jobs after their timeout and which proves everything; at least two batches are
//! accepted by the rollup node after it verified their one compressed proof each, each
//! exactly once.

use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::json;
use sq_prover_circuits::pdh::BatchStatus;
use sq_testing::accounts::{self, key, ETH};
use sq_testing::cluster::{free_port, Cluster, ClusterConfig, Proc};
use sq_testing::http::{block_on, get_text, json_rpc};

mod common;
use common::{bin_dir, PgDatabase};

/// This test's key family (`sq_testing::accounts::key`).
const KEYS: u8 = 0x33;

fn write_genesis(dir: &std::path::Path) -> std::path::PathBuf {
    // The test only needs funded accounts; transfers are signed below with these keys.
    let g = accounts::genesis((1..=4u8).map(|i| key(KEYS, i).address()), 100 * ETH);
    accounts::write_genesis(dir, &g).expect("write genesis")
}

fn transfer(i: u8, nonce: u64) -> Vec<u8> {
    let to = alloy::primitives::Address::repeat_byte(0x70 + i);
    accounts::transfer(&key(KEYS, i), nonce, to, 1000 + u128::from(nonce)).expect("sign")
}

fn psql(url: &str, sql: &str) -> String {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("rt");
    rt.block_on(async {
        use sqlx::{Connection, Row};
        let mut c = sqlx::PgConnection::connect(url).await.expect("pg");
        let rows = sqlx::query(sql).fetch_all(&mut c).await.expect("query");
        rows.iter()
            .map(|r| {
                (0..r.len())
                    .map(|i| {
                        r.try_get::<i64, _>(i)
                            .map(|v| v.to_string())
                            .or_else(|_| r.try_get::<i32, _>(i).map(|v| v.to_string()))
                            .or_else(|_| r.try_get::<String, _>(i))
                            .unwrap_or_default()
                    })
                    .collect::<Vec<_>>()
                    .join("|")
            })
            .collect::<Vec<_>>()
            .join("\n")
    })
}

fn prover(bins: &std::path::Path, dir: &std::path::Path, name: &str, args: &[&str]) -> Proc {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    Proc::spawn(
        &bins.join("prover"),
        &args,
        dir.join(format!("prover-{name}.log")),
    )
    .expect("prover")
}

fn wait_for(what: &str, within: Duration, mut f: impl FnMut() -> bool, logs: impl Fn() -> String) {
    let deadline = Instant::now() + within;
    while !f() {
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}\n{}",
            logs()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Waits until worker `name` holds a prover job, freezes it there (SIGSTOP), checks it
/// still holds it, then kills it with `kill -9`; returns the job id.
fn hold_and_kill(
    db: &str,
    worker: &Proc,
    name: &str,
    within: Duration,
    logs: impl Fn() -> String,
) -> i64 {
    let query =
        format!("SELECT id FROM prover_jobs WHERE status = 'in_progress' AND picked_by = '{name}'");
    let signal = |sig: &str| {
        let ok = Command::new("kill")
            .args([sig, &worker.pid().to_string()])
            .status()
            .expect("kill");
        assert!(ok.success(), "kill {sig}");
    };
    let mut held = String::new();
    wait_for(
        &format!("worker {name} to hold a job"),
        within,
        || {
            if psql(db, &query).is_empty() {
                return false;
            }
            signal("-STOP");
            held = psql(db, &query);
            if held.is_empty() {
                // It finished between the two queries; let it go on and try again.
                signal("-CONT");
                return false;
            }
            true
        },
        logs,
    );
    signal("-9");
    held.lines().next().expect("id").parse().expect("id")
}

/// Job `id` is in exactly one table (live or archive), successful, on attempt 2 or later,
/// by one of `by`.
fn assert_finished_again(db: &str, id: i64, by: &[&str]) {
    // One statement, so one snapshot: the gateway may archive the row between two queries.
    let row = psql(
        db,
        &format!(
            "SELECT status, attempts, COALESCE(picked_by, '') FROM prover_jobs WHERE id = {id} \
             UNION ALL SELECT status, attempts, COALESCE(picked_by, '') FROM prover_jobs_archive \
             WHERE id = {id}"
        ),
    );
    assert_eq!(
        row.lines().count(),
        1,
        "job {id} is in exactly one table: {row}"
    );
    let parts: Vec<&str> = row.split('|').collect();
    assert_eq!(parts.first().copied(), Some("successful"), "{row}");
    assert!(
        parts
            .get(1)
            .and_then(|a| a.parse::<u32>().ok())
            .is_some_and(|n| n >= 2),
        "{row}"
    );
    assert!(
        parts.get(2).is_some_and(|w| by.contains(w)),
        "job {id}: {row}"
    );
}

#[test]
fn a_network_the_rollup_and_prover_workers_on_postgres_prove_batches_once_despite_kill_9() {
    let pg = PgDatabase::create("prover");
    let work = tempfile::tempdir().expect("dir");
    let genesis = write_genesis(work.path());
    let (rpc_port, pdh_port) = (free_port(), free_port());
    let bins = bin_dir();
    let cluster = Cluster::start(&ClusterConfig {
        nodes: 4,
        bin_dir: bins.clone(),
        libp2p: false,
        cdn_args: Vec::new(),
        database_urls: Vec::new(),
        node_args: Vec::new(),
        per_node_args: vec![(
            0,
            [
                "--rollup-genesis",
                &genesis.display().to_string(),
                "--rollup-rpc-addr",
                &format!("127.0.0.1:{rpc_port}"),
                "--rollup-pdh-addr",
                &format!("127.0.0.1:{pdh_port}"),
                "--rollup-batch-max-transfers",
                "4",
                "--rollup-batch-max-age-ms",
                "1000",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        )],
    })
    .expect("cluster");
    cluster
        .wait_heights(&[0, 1, 2, 3], 2, Duration::from_secs(60))
        .expect("network decides");
    wait_for(
        "the rollup RPC",
        Duration::from_secs(30),
        || json_rpc(rpc_port, "eth_chainId", json!([])).is_some(),
        || cluster.logs(),
    );

    // 8 transfers from 4 senders → at least 2 batches of ≤ 4 transfers (two, not more: each
    // batch costs its five rounds of both cores, and CI's time).
    for nonce in 0..2 {
        for i in 1..=4u8 {
            let raw = format!("0x{}", hex::encode(transfer(i, nonce)));
            let v =
                json_rpc(rpc_port, "eth_sendRawTransaction", json!([raw])).expect("rpc answers");
            assert!(v.get("result").is_some(), "{v}");
        }
        std::thread::sleep(Duration::from_millis(700));
    }

    let db = pg.url.as_str();
    let dir = work.path();
    let pdh = format!("http://127.0.0.1:{pdh_port}");

    // A worker for a version the database does not know refuses to start, saying what to do.
    let out = Command::new(bins.join("prover"))
        .args(["prover", "--db-url", db, "--protocol-version", "0.9.0"])
        .output()
        .expect("prover");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("does not know protocol version 0.9.0") && err.contains("prover init"),
        "{err}"
    );

    // Register this build for 0.1.0 (the rollup's) and, as another deployment would, 0.2.0.
    for v in ["0.1.0", "0.2.0"] {
        let out = Command::new(bins.join("prover"))
            .args(["init", "--db-url", db, "--protocol-version", v])
            .output()
            .expect("init");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let common = ["--db-url", db, "--poll-ms", "100"];
    let with = |extra: &[&'static str]| -> Vec<&str> {
        common
            .iter()
            .copied()
            .chain(extra.iter().copied())
            .collect()
    };
    let _gateway = prover(
        &bins,
        dir,
        "gateway",
        &[&["gateway", "--rollup-url", &pdh][..], &common[..]].concat(),
    );
    let _witness = prover(
        &bins,
        dir,
        "witness",
        &[&["witness-generator", "--chunk-size", "2"][..], &common[..]].concat(),
    );
    let _scheduler = prover(&bins, dir, "scheduler", &with(&["scheduler"]));
    let _compressor = prover(&bins, dir, "compressor", &with(&["compressor"]));
    let _keeper = prover(
        &bins,
        dir,
        "keeper",
        &with(&[
            "house-keeper",
            "--processing-timeout-s",
            "3",
            "--max-attempts",
            "5",
        ]),
    );
    let _other = prover(
        &bins,
        dir,
        "v2",
        &with(&["prover", "--protocol-version", "0.2.0", "--worker-id", "v2"]),
    );
    let b = prover(&bins, dir, "b", &with(&["prover", "--worker-id", "b"]));
    let logs = || format!("{}\n--- prover b\n{}", cluster.logs(), b.tail(20));

    // B holds a chunk job (the only kind queued yet): freeze it there, then kill -9.
    let held = hold_and_kill(db, &b, "b", Duration::from_secs(90), logs);
    let held_id = held;
    drop(b);

    // D proves chunks only (round 0); C takes aggregation jobs only (leaf and node rounds),
    // and is frozen and killed while it holds one.
    let _d = prover(
        &bins,
        dir,
        "d",
        &with(&["prover", "--worker-id", "d", "--groups", "0:1"]),
    );
    let c = prover(
        &bins,
        dir,
        "c",
        &with(&["prover", "--worker-id", "c", "--groups", "1:2,2:3"]),
    );
    let held_aggregation = hold_and_kill(db, &c, "c", Duration::from_secs(240), || {
        format!("{}\n--- prover c\n{}", cluster.logs(), c.tail(20))
    });
    drop(c);

    let metrics_addr = format!("127.0.0.1:{}", free_port());
    let a = prover(
        &bins,
        dir,
        "a",
        &[
            &[
                "run",
                "--rollup-url",
                &pdh,
                "--chunk-size",
                "2",
                "--processing-timeout-s",
                "3",
                "--max-attempts",
                "5",
                "--worker-id",
                "a",
                "--metrics-addr",
                &metrics_addr,
            ][..],
            &common[..],
        ]
        .concat(),
    );
    let rollup_pdh = sq_testing::http::pdh(pdh_port);
    let proven = || -> u64 { block_on(rollup_pdh.batches()).map_or(0, |b| b.proven) };
    wait_for(
        "2 batches proven and accepted by the rollup node",
        // Rounds 0-4 for 2 batches take minutes of both cores, shared with the network.
        Duration::from_secs(900),
        || proven() >= 2,
        || {
            format!("{}\n--- prover a\n{}\n--- scheduler\n{}\n--- queue\n{}\n--- schedulers\n{}", cluster.logs(), a.tail(30),
            _scheduler.tail(20),
            psql(db, "SELECT batch, aggregation_round, sequence_number, status, attempts, COALESCE(picked_by, '') FROM prover_jobs ORDER BY id"),
            psql(db, "SELECT batch, status, attempts, COALESCE(picked_by, ''), COALESCE(error, '') FROM scheduler_jobs ORDER BY batch"))
        },
    );

    let sent = psql(
        db,
        "SELECT COUNT(*) FROM batches WHERE status = 'sent_to_server'",
    );
    wait_for(
        "the gateway to mark the batches sent",
        Duration::from_secs(30),
        || {
            psql(
                db,
                "SELECT COUNT(*) FROM batches WHERE status = 'sent_to_server'",
            )
            .parse::<u64>()
            .unwrap_or(0)
                >= 2
        },
        || sent.clone(),
    );
    // The killed jobs were requeued and finished by a live worker on a later attempt: B's
    // chunk job by A (its `run`) or D, C's aggregation job by A (D takes no aggregation).
    assert_finished_again(db, held_id, &["a", "d"]);
    assert_finished_again(db, held_aggregation, &["a"]);
    // The 0.2.0 worker took nothing.
    let by_v2 = psql(
        db,
        "SELECT COUNT(*) FROM prover_jobs WHERE picked_by = 'v2'",
    );
    let by_v2_archived = psql(
        db,
        "SELECT COUNT(*) FROM prover_jobs_archive WHERE picked_by = 'v2'",
    );
    assert_eq!((by_v2.as_str(), by_v2_archived.as_str()), ("0", "0"));
    // Each batch proven exactly once: one successful job per chunk, and the rollup node
    // refused no proof (a second submission would be answered 409 and counted nowhere).
    let dupes = psql(
        db,
        "SELECT COUNT(*) FROM (SELECT batch, aggregation_round, depth, sequence_number \
        FROM prover_jobs_archive GROUP BY batch, aggregation_round, depth, sequence_number \
        HAVING COUNT(*) > 1) d",
    );
    assert_eq!(dupes, "0");
    let (_, metrics) = get_text(pdh_port, "/metrics").expect("metrics");
    assert!(
        metrics.contains("rollup_proofs_rejected_total 0"),
        "{metrics}"
    );
    for n in 1..=2 {
        let batch = block_on(rollup_pdh.batch(n))
            .expect("batch answer")
            .unwrap_or_else(|| panic!("batch {n} is not sealed"));
        assert_eq!(batch.status, BatchStatus::Proven, "batch {n}: {batch:?}");
    }
}
