//! Runs the `prover-cli` binary against a SQLite file filled through the DAL.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use sq_prover_circuits::hash::Digest;
use sq_prover_circuits::witness::BatchWitness;
use sq_prover_dal::{ProverDal, Stage};
use sq_prover_verifier::{BatchProof, FinalProof};

const V: &str = "0.1.0";

fn cli(url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_prover-cli"))
        .arg("--db-url")
        .arg(url)
        .args(args)
        .env_remove("PLI__DB_URL")
        .stdin(Stdio::null())
        .output()
        .expect("run prover-cli")
}

fn stdout(o: &Output) -> String {
    assert!(
        o.status.success(),
        "prover-cli failed: {}\n{}",
        String::from_utf8_lossy(&o.stderr),
        String::from_utf8_lossy(&o.stdout)
    );
    String::from_utf8(o.stdout.clone()).expect("utf-8")
}

/// Batch 4 proven and sent, 3 with a failed (stuck at 1 attempt) chunk, 2 with witness
/// generation in progress, 1 queued.
async fn fill(dir: &Path) -> String {
    let url = format!("sqlite://{}", dir.join("prover.sqlite").display());
    let dal = ProverDal::connect(&url).await.expect("connect");
    dal.insert_batch(4, b"w4", V).await.expect("insert");
    dal.pick_witness_job("wg", V)
        .await
        .expect("pick")
        .expect("job");
    dal.finish_witness_job(4, &[b"c0".to_vec(), b"c1".to_vec()], 10)
        .await
        .expect("finish");
    while let Some(j) = dal.pick_prover_job("gpu-0", V, &[]).await.expect("pick") {
        dal.save_proof(j.id, b"proof", 100).await.expect("save");
    }
    dal.pick_scheduler_job("s", V)
        .await
        .expect("pick")
        .expect("job");
    dal.finish_scheduler_job(4, b"agg", 20)
        .await
        .expect("finish");
    dal.pick_compression_job("c", V)
        .await
        .expect("pick")
        .expect("job");
    dal.finish_compression_job(4, b"final", 30)
        .await
        .expect("finish");
    dal.mark_sent(4).await.expect("sent");

    dal.insert_batch(3, b"w3", V).await.expect("insert");
    dal.pick_witness_job("wg", V)
        .await
        .expect("pick")
        .expect("job");
    dal.finish_witness_job(3, &[b"c0".to_vec(), b"c1".to_vec()], 10)
        .await
        .expect("finish");
    let a = dal
        .pick_prover_job("gpu-1", V, &[])
        .await
        .expect("pick")
        .expect("job");
    dal.save_proof(a.id, b"proof", 100).await.expect("save");
    let b = dal
        .pick_prover_job("gpu-1", V, &[])
        .await
        .expect("pick")
        .expect("job");
    dal.fail_job(Stage::BasicProof, b.id, "out of GPU memory")
        .await
        .expect("fail");

    dal.insert_batch(2, b"w2", V).await.expect("insert");
    dal.pick_witness_job("wg-7", V)
        .await
        .expect("pick")
        .expect("job");
    dal.insert_batch(1, b"w1", V).await.expect("insert");
    dal.close().await;
    url
}

#[tokio::test]
async fn status_batch_shows_each_state() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = fill(dir.path()).await;

    let out = stdout(&cli(&url, &["status", "batch", "-n", "1"]));
    assert!(
        out.starts_with("== Batch 1 Status ==\n> Queued 📥\n"),
        "{out}"
    );
    assert!(out.contains("Witness Generator: Queued 📥\n"), "{out}");
    assert!(
        out.contains("Basic Prover Jobs: Job not found 🚫\n"),
        "{out}"
    );

    let out = stdout(&cli(&url, &["status", "batch", "-n", "2", "--verbose"]));
    assert!(out.contains("> In Progress ⌛️\n"), "{out}");
    assert!(out.contains("Witness Generator: In Progress ⌛️\n"), "{out}");
    assert!(
        out.contains("  > batch 2: In Progress ⌛️, attempts 1/10, picked by wg-7"),
        "{out}"
    );

    let out = stdout(&cli(
        &url,
        &["status", "batch", "-n", "3", "--max-attempts", "1", "-v"],
    ));
    assert!(out.contains("> Stuck ⛔️\n"), "{out}");
    assert!(out.contains("Witness Generator: Successful ✅\n"), "{out}");
    assert!(
        out.contains("Basic Prover Jobs: Stuck ⛔️ (max attempts) (1/2 successful, 1 failed)"),
        "{out}"
    );
    assert!(
        out.contains("Leaf Aggregation Jobs: Waiting for proofs ⏱️\n"),
        "{out}"
    );
    assert!(out.contains("Scheduler: Waiting for proofs ⏱️\n"), "{out}");
    assert!(
        out.contains("seq 1): Stuck ⛔️ (max attempts), attempts 1/1, picked by gpu-1"),
        "{out}"
    );
    assert!(out.contains("    error: out of GPU memory\n"), "{out}");

    let out = stdout(&cli(&url, &["status", "batch", "-n", "4", "-n", "99"]));
    assert!(
        out.contains("== Batch 4 Status ==\n> Sent to server ✅\n"),
        "{out}"
    );
    for line in [
        "-- Aggregation Round 0 --\nWitness Generator: Successful ✅\n",
        "Basic Prover Jobs: Successful ✅ (2/2 successful, 2 archived)\n",
        "-- Aggregation Round 1 --\nLeaf Aggregation Jobs: Successful ✅ (1/1 successful, 1 archived)\n",
        "-- Aggregation Round 2 --\nNode Aggregation Jobs: Not needed (one leaf is the root) ✅\n",
        "-- Aggregation Round 3 --\nScheduler: Successful ✅\n",
        "-- Aggregation Round 4: Compressor --\nCompressor: Successful ✅\n",
        "== Batch 99 Status ==\n> No batch found 🚫\n",
    ] {
        assert!(out.contains(line), "{line:?} missing from:\n{out}");
    }
}

#[tokio::test]
async fn repair_commands() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = fill(dir.path()).await;

    let out = stdout(&cli(&url, &["requeue", "-b", "3", "--max-attempts", "1"]));
    assert_eq!(out, "Requeued 1 job(s) of batch 3.\n");
    let out = stdout(&cli(
        &url,
        &["status", "batch", "-n", "3", "--max-attempts", "1"],
    ));
    assert!(
        out.contains("Basic Prover Jobs: In Progress ⌛️ (1/2 successful, 1 queued)"),
        "{out}"
    );

    let out = stdout(&cli(&url, &["restart", "-b", "3"]));
    assert!(out.contains("Batch 3 restarted"), "{out}");
    let out = stdout(&cli(&url, &["status", "batch", "-n", "3"]));
    assert!(out.contains("Witness Generator: Queued 📥\n"), "{out}");
    let o = cli(&url, &["restart", "-p", "424242"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("no prover job 424242"));

    // Without --yes (and no terminal to answer) nothing is deleted.
    let o = cli(&url, &["delete", "-b", "1"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("aborted: nothing deleted"));
    assert_eq!(
        stdout(&cli(&url, &["delete", "-b", "1", "--yes"])),
        "Deleted batch 1.\n"
    );
    assert_eq!(
        stdout(&cli(&url, &["delete", "--all", "--yes"])),
        "Deleted 3 batch(es).\n"
    );
    let out = stdout(&cli(&url, &["status", "batch", "-n", "4"]));
    assert!(out.contains("No batch found"), "{out}");
}

#[tokio::test]
async fn stats_l1_and_config() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = fill(dir.path()).await;
    let out = stdout(&cli(&url, &["stats", "--period", "1h"]));
    assert!(
        out.starts_with("== Proving stats for the last 1h (since "),
        "{out}"
    );
    assert!(
        out.contains("Batches received: 4\nBatches proven: 1\nBatches sent to server: 1\n"),
        "{out}"
    );
    assert!(out.contains("basic_prover"), "{out}");
    let o = cli(&url, &["stats", "--period", "1y"]);
    assert!(!o.status.success());

    let out = stdout(&cli("sqlite::memory:", &["status", "l1"]));
    assert!(
        out.contains("No L1 rollup verifier contract exists yet"),
        "{out}"
    );

    let o = Command::new(env!("CARGO_BIN_EXE_prover-cli"))
        .arg("config")
        .env("PLI__DB_URL", "postgres://prover:hunter2@db.local/prover")
        .output()
        .expect("run");
    let out = stdout(&o);
    assert!(
        out.contains("Database URL: postgres://prover:****@db.local/prover (from PLI__DB_URL)"),
        "{out}"
    );
    assert!(!out.contains("hunter2"));

    // A dead database is a clear error, not a panic.
    let o = cli(
        "postgres://u:pw@127.0.0.1:1/x",
        &["status", "batch", "-n", "1"],
    );
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("cannot connect to postgres://u:****@127.0.0.1:1/x"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn file_info_decodes_witnesses_and_proofs() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A real one-chunk batch, aggregated (one leaf, the scheduler) and compressed.
    let batch = sq_prover_circuits::testing::random_batch(2, 3, 5).expect("batch");
    let chunk = batch.chunks(2).expect("chunks").remove(0);
    let chunk_proof = sq_prover_circuits::prove_chunk(&chunk).expect("prove");
    let child = (
        postcard::from_bytes(&chunk_proof.proof).expect("decode"),
        chunk.public.to_fields(),
    );
    let scheduler =
        sq_prover_recursion::aggregation::prove_batch(&[child], 2, 9, V).expect("aggregate");
    let compressed =
        sq_prover_recursion::compression::prove_compression(&scheduler, 9, V).expect("compress");
    let proof = BatchProof {
        protocol_version: V.to_owned(),
        batch: 9,
        proof: FinalProof::Compressed(compressed),
    }
    .to_bytes()
    .expect("encode");
    let witness = BatchWitness {
        batch: 9,
        fee_recipient: [0xab; 20],
        root_before: Digest::ZERO,
        root_after: Digest::ZERO,
        commitment: Digest::ZERO,
        transfers: vec![],
    };
    let files = [
        ("proof.bin", proof.clone()),
        ("truncated.bin", proof[..proof.len() / 2].to_vec()),
        ("witness.json", serde_json::to_vec(&witness).expect("json")),
        ("garbage.bin", b"\x00\x01garbage".to_vec()),
        ("other.json", b"{\"hello\": 1}".to_vec()),
    ];
    for (name, bytes) in &files {
        std::fs::write(dir.path().join(name), bytes).expect("write");
    }
    let info = |name: &str| {
        Command::new(env!("CARGO_BIN_EXE_prover-cli"))
            .args(["file-info", "--file-path"])
            .arg(dir.path().join(name))
            .output()
            .expect("run")
    };
    let out = stdout(&info("proof.bin"));
    assert!(
        out.starts_with(
            "== Batch proof (SQB3: compressed proof, round 4, L1 configuration (Keccak)) ==\n"
        ),
        "{out}"
    );
    assert!(
        out.contains("Protocol version: 0.1.0\nBatch: 9\nChunks: 1\nTree depth: 0\n"),
        "{out}"
    );
    assert!(
        out.contains(&format!("Stated root before: {}", batch.root_before)),
        "{out}"
    );
    assert!(out.contains("Circuit digest: 0x"), "{out}");
    let out = stdout(&info("witness.json"));
    assert!(out.starts_with("== Batch witness (JSON) ==\n"), "{out}");
    assert!(
        out.contains("Batch: 9\n") && out.contains("Transfers: 0\n"),
        "{out}"
    );
    for (name, expected) in [
        ("truncated.bin", "not a valid SQB3 batch proof"),
        (
            "garbage.bin",
            "neither a batch proof (no SQB3 magic) nor JSON",
        ),
        ("other.json", "neither a batch witness"),
        ("missing.bin", "cannot read"),
    ] {
        let o = info(name);
        assert!(!o.status.success(), "{name}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(expected), "{name}: {err}");
        assert!(!err.contains("panicked"), "{name}: {err}");
    }
}
