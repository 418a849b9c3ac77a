//! The prover DAL on both dialects: the pipeline end to end, picking rules, concurrency,
//! the house keeper and the repair commands.

mod common;

use std::collections::BTreeSet;
use std::time::{Duration, SystemTime};

use common::{batch_with_chunks, TestDb, V1, V2};
use sq_prover_dal::{BatchState, DalError, Dialect, JobStatus, ProverDal, Stage, BASIC_CIRCUIT_ID};

on_both_backends!(
    happy_path_through_every_stage_to_the_archive,
    protocol_versions_are_idempotent_and_conflicts_are_errors,
    workers_only_see_their_protocol_version,
    the_group_filter_restricts_round_and_circuit,
    concurrent_workers_pick_every_job_exactly_once,
    timed_out_jobs_are_requeued_until_max_attempts,
    failed_jobs_are_requeued_until_max_attempts,
    the_scheduler_waits_for_the_last_chunk_proof,
    requeue_restart_and_delete,
    queue_report_and_stats,
);

async fn happy_path_through_every_stage_to_the_archive(db: TestDb) {
    let dal = &db.dal;
    dal.insert_protocol_version(V1, [7; 32])
        .await
        .expect("version");
    assert!(dal.insert_batch(1, b"witness 1", V1).await.expect("insert"));
    assert!(!dal.insert_batch(1, b"other", V1).await.expect("idempotent"));

    let w = dal
        .pick_witness_job("wg-1", V1)
        .await
        .expect("pick")
        .expect("job");
    assert_eq!((w.id, w.batch, w.attempts), (1, 1, 1));
    assert_eq!(w.input, b"witness 1");
    assert_eq!(w.protocol_version, V1);
    assert!(dal
        .pick_witness_job("wg-2", V1)
        .await
        .expect("pick")
        .is_none());
    let chunks: Vec<Vec<u8>> = (0..3).map(|i| vec![i; 4]).collect();
    dal.finish_witness_job(1, &chunks, 12)
        .await
        .expect("finish witness");

    let mut seen = Vec::new();
    while let Some(job) = dal
        .pick_prover_job("p-1", V1, &[])
        .await
        .expect("pick prover")
    {
        assert_eq!(job.batch, 1);
        assert_eq!(
            (job.aggregation_round, job.circuit_id, job.depth),
            (0, BASIC_CIRCUIT_ID, 0)
        );
        assert_eq!(job.input, vec![job.sequence_number as u8; 4]);
        assert!(dal
            .pick_scheduler_job("s", V1)
            .await
            .expect("pick")
            .is_none());
        dal.save_proof(
            job.id,
            format!("proof {}", job.sequence_number).as_bytes(),
            100,
        )
        .await
        .expect("save proof");
        seen.push(job.sequence_number);
    }
    assert_eq!(seen, [0, 1, 2], "prover jobs in sequence order");
    assert_eq!(
        dal.chunk_proofs(1).await.expect("chunk proofs"),
        [
            b"proof 0".to_vec(),
            b"proof 1".to_vec(),
            b"proof 2".to_vec()
        ]
    );

    let s = dal
        .pick_scheduler_job("s-1", V1)
        .await
        .expect("pick")
        .expect("scheduler job");
    assert_eq!(
        (s.id, s.batch, s.aggregation_round),
        (1, 1, Stage::Scheduler.aggregation_round())
    );
    assert!(s.input.is_empty());
    dal.finish_scheduler_job(1, b"aggregated", 50)
        .await
        .expect("finish scheduler");
    assert!(dal.next_proof_to_send().await.expect("next").is_none());

    let c = dal
        .pick_compression_job("c-1", V1)
        .await
        .expect("pick")
        .expect("compression job");
    assert_eq!(c.input, b"aggregated");
    dal.finish_compression_job(1, b"final proof", 70)
        .await
        .expect("finish compression");
    assert_eq!(
        dal.next_proof_to_send().await.expect("next"),
        Some((1, b"final proof".to_vec()))
    );

    let report = dal.batch_status(1).await.expect("status").expect("report");
    assert_eq!(report.state, Some(BatchState::Proven));
    assert_eq!(report.number_of_chunks, Some(3));
    for stage in Stage::ALL {
        let s = report.stage(stage).expect("stage");
        assert!(!s.jobs.is_empty(), "{stage}");
        assert!(
            s.jobs.iter().all(|j| j.status == JobStatus::Successful),
            "{stage}"
        );
    }

    assert_eq!(
        dal.batches_by_status().await.expect("counts"),
        vec![("proven".to_owned(), 1)]
    );
    dal.mark_sent(1).await.expect("mark sent");
    dal.mark_sent(1).await.expect("mark sent is idempotent");
    assert_eq!(
        dal.batches_by_status().await.expect("counts"),
        vec![("sent_to_server".to_owned(), 1)]
    );
    assert!(dal.next_proof_to_send().await.expect("next").is_none());
    let report = dal.batch_status(1).await.expect("status").expect("report");
    assert_eq!(report.state, Some(BatchState::SentToServer));
    let basic = report.stage(Stage::BasicProof).expect("basic");
    assert_eq!(basic.jobs.len(), 3);
    assert!(basic
        .jobs
        .iter()
        .all(|j| j.archived && j.status == JobStatus::Successful));
    // The archive still serves the proofs.
    assert_eq!(dal.chunk_proofs(1).await.expect("chunk proofs").len(), 3);

    // Unknown ids are typed errors, not panics.
    assert!(matches!(
        dal.save_proof(9999, b"x", 1).await,
        Err(DalError::NotFound { .. })
    ));
    assert!(matches!(
        dal.mark_sent(42).await,
        Err(DalError::NotFound { .. })
    ));
    assert!(dal.insert_batch(2, b"w", V1).await.expect("insert"));
    assert!(matches!(
        dal.mark_sent(2).await,
        Err(DalError::WrongState { .. })
    ));
    assert!(matches!(
        dal.finish_witness_job(2, &[], 1).await,
        Err(DalError::InvalidArgument(_))
    ));
    // A second handle sees everything (same database).
    let other = db.reopen().await;
    assert_eq!(other.batch_numbers().await.expect("batches"), [1, 2]);
}

async fn protocol_versions_are_idempotent_and_conflicts_are_errors(db: TestDb) {
    let dal = &db.dal;
    assert_eq!(dal.protocol_version_vk(V1).await.expect("vk"), None);
    dal.insert_protocol_version(V1, [1; 32])
        .await
        .expect("insert");
    dal.insert_protocol_version(V1, [1; 32])
        .await
        .expect("same hash again");
    let err = dal
        .insert_protocol_version(V1, [2; 32])
        .await
        .expect_err("another hash");
    assert!(matches!(err, DalError::VersionConflict { .. }), "{err:?}");
    assert!(!err.is_retryable());
    assert_eq!(
        dal.protocol_version_vk(V1).await.expect("vk"),
        Some([1; 32])
    );
    assert!(matches!(
        dal.insert_protocol_version("1.0", [1; 32]).await,
        Err(DalError::InvalidProtocolVersion(_))
    ));
}

async fn workers_only_see_their_protocol_version(db: TestDb) {
    let dal = &db.dal;
    batch_with_chunks(dal, 1, 2, V1).await;
    assert!(dal.insert_batch(2, b"w2", V2).await.expect("insert"));
    assert!(dal
        .pick_prover_job("p", V2, &[])
        .await
        .expect("pick")
        .is_none());
    let w = dal.pick_witness_job("wg", V1).await.expect("pick");
    assert!(w.is_none(), "batch 2 is V2: {w:?}");
    let w = dal
        .pick_witness_job("wg", V2)
        .await
        .expect("pick")
        .expect("V2 job");
    assert_eq!(w.batch, 2);
    let p = dal
        .pick_prover_job("p", V1, &[])
        .await
        .expect("pick")
        .expect("V1 job");
    assert_eq!((p.batch, p.protocol_version.as_str()), (1, V1));
}

async fn the_group_filter_restricts_round_and_circuit(db: TestDb) {
    let dal = &db.dal;
    batch_with_chunks(dal, 1, 2, V1).await;
    assert!(dal
        .pick_prover_job("p", V1, &[(0, 2), (1, 1)])
        .await
        .expect("pick")
        .is_none());
    let a = dal
        .pick_prover_job("p", V1, &[(1, 1), (0, BASIC_CIRCUIT_ID)])
        .await
        .expect("pick")
        .expect("served group");
    assert_eq!(a.sequence_number, 0);
    let b = dal
        .pick_prover_job("p", V1, &[])
        .await
        .expect("pick")
        .expect("any group");
    assert_eq!(b.sequence_number, 1);
}

async fn concurrent_workers_pick_every_job_exactly_once(db: TestDb) {
    const JOBS: usize = 200;
    const WORKERS: usize = 8;
    batch_with_chunks(&db.dal, 1, JOBS, V1).await;
    // Two pools on PostgreSQL and SQLite alike: workers race on several connections.
    let second = db.reopen().await;
    let mut tasks = Vec::new();
    for w in 0..WORKERS {
        let dal = if w % 2 == 0 {
            db.dal.clone()
        } else {
            second.clone()
        };
        tasks.push(tokio::spawn(async move {
            let mut ids = Vec::new();
            let name = format!("worker-{w}");
            while let Some(job) = dal.pick_prover_job(&name, V1, &[]).await.expect("pick") {
                assert_eq!(job.attempts, 1);
                ids.push(job.id);
            }
            ids
        }));
    }
    let mut all = Vec::new();
    let mut busy_workers = 0;
    for t in tasks {
        let ids = t.await.expect("worker");
        busy_workers += usize::from(!ids.is_empty());
        all.extend(ids);
    }
    let unique: BTreeSet<i64> = all.iter().copied().collect();
    assert_eq!(all.len(), JOBS, "every job picked");
    assert_eq!(unique.len(), JOBS, "no job picked twice");
    assert!(busy_workers >= 2, "workers raced");
    let depth = db.dal.queue_report().await.expect("queue");
    let basic = depth
        .iter()
        .find(|q| q.stage == Stage::BasicProof)
        .expect("basic");
    assert_eq!((basic.queued, basic.in_progress), (0, JOBS as u64));

    // Saving the proofs concurrently still queues the scheduler exactly when the last one
    // lands (no two transactions miss each other's proof).
    let ids: Vec<i64> = unique.into_iter().collect();
    let mut tasks = Vec::new();
    for (w, part) in ids.chunks(JOBS / WORKERS).enumerate() {
        let dal = if w % 2 == 0 {
            db.dal.clone()
        } else {
            second.clone()
        };
        let part = part.to_vec();
        tasks.push(tokio::spawn(async move {
            for id in part {
                dal.save_proof(id, b"proof", 1).await.expect("save");
            }
        }));
    }
    for t in tasks {
        t.await.expect("saver");
    }
    let s = db
        .dal
        .pick_scheduler_job("s", V1)
        .await
        .expect("pick")
        .expect("scheduler queued");
    assert_eq!(s.batch, 1);
    assert_eq!(db.dal.chunk_proofs(1).await.expect("proofs").len(), JOBS);
}

async fn timed_out_jobs_are_requeued_until_max_attempts(db: TestDb) {
    let dal = &db.dal;
    batch_with_chunks(dal, 1, 1, V1).await;
    // A long timeout leaves a fresh pick alone.
    let job = dal
        .pick_prover_job("p", V1, &[])
        .await
        .expect("pick")
        .expect("job");
    let r = dal
        .requeue_stuck(Duration::from_secs(3600), 3)
        .await
        .expect("requeue");
    assert_eq!(r.total(), 0);
    for attempt in 1..=3 {
        if attempt > 1 {
            let again = dal
                .pick_prover_job("p", V1, &[])
                .await
                .expect("pick")
                .expect("requeued");
            assert_eq!((again.id, again.attempts), (job.id, attempt));
        }
        // Killed worker: nothing reported. A zero timeout makes it overdue at once.
        let r = dal.requeue_stuck(Duration::ZERO, 3).await.expect("requeue");
        if attempt < 3 {
            assert_eq!((r.basic_proof, r.timed_out_at_max_attempts), (1, 0));
        } else {
            assert_eq!((r.basic_proof, r.timed_out_at_max_attempts), (0, 1));
        }
    }
    // Out of attempts: failed (stuck), and it stays so.
    let r = dal.requeue_stuck(Duration::ZERO, 3).await.expect("requeue");
    assert_eq!(r.total(), 0);
    assert!(dal
        .pick_prover_job("p", V1, &[])
        .await
        .expect("pick")
        .is_none());
    let report = dal.batch_status(1).await.expect("status").expect("report");
    let j = &report.stage(Stage::BasicProof).expect("basic").jobs[0];
    assert_eq!((j.status, j.attempts), (JobStatus::Failed, 3));
    assert!(
        j.error.as_deref().unwrap_or("").contains("timed out"),
        "{j:?}"
    );
    // The per-batch stages are swept too.
    assert!(dal.insert_batch(2, b"w", V1).await.expect("insert"));
    dal.pick_witness_job("wg", V1)
        .await
        .expect("pick")
        .expect("job");
    let r = dal.requeue_stuck(Duration::ZERO, 3).await.expect("requeue");
    assert_eq!(r.witness_generation, 1);
}

async fn failed_jobs_are_requeued_until_max_attempts(db: TestDb) {
    let dal = &db.dal;
    batch_with_chunks(dal, 1, 1, V1).await;
    for attempt in 1..=2u32 {
        let job = dal
            .pick_prover_job("p", V1, &[])
            .await
            .expect("pick")
            .expect("job");
        assert_eq!(job.attempts, attempt);
        dal.fail_job(Stage::BasicProof, job.id, &format!("boom {attempt}"))
            .await
            .expect("fail");
        let r = dal
            .requeue_stuck(Duration::from_secs(60), 2)
            .await
            .expect("requeue");
        assert_eq!(r.basic_proof, u64::from(attempt < 2));
    }
    assert!(dal
        .pick_prover_job("p", V1, &[])
        .await
        .expect("pick")
        .is_none());
    let report = dal.batch_status(1).await.expect("status").expect("report");
    let j = &report.stage(Stage::BasicProof).expect("basic").jobs[0];
    assert_eq!((j.status, j.attempts), (JobStatus::Failed, 2));
    assert_eq!(j.error.as_deref(), Some("boom 2"));
    assert_eq!(j.picked_by.as_deref(), Some("p"));
    // Failing a successful job is ignored; failing an unknown one is an error.
    let w = dal.batch_status(1).await.expect("status").expect("report");
    assert_eq!(
        w.stage(Stage::WitnessGeneration).expect("wg").jobs[0].status,
        JobStatus::Successful
    );
    dal.fail_job(Stage::WitnessGeneration, 1, "late")
        .await
        .expect("ignored");
    let w = dal.batch_status(1).await.expect("status").expect("report");
    assert_eq!(
        w.stage(Stage::WitnessGeneration).expect("wg").jobs[0].status,
        JobStatus::Successful
    );
    assert!(matches!(
        dal.fail_job(Stage::Compression, 77, "x").await,
        Err(DalError::NotFound { .. })
    ));
}

async fn the_scheduler_waits_for_the_last_chunk_proof(db: TestDb) {
    let dal = &db.dal;
    batch_with_chunks(dal, 1, 3, V1).await;
    let mut picked = Vec::new();
    for _ in 0..3 {
        picked.push(
            dal.pick_prover_job("p", V1, &[])
                .await
                .expect("pick")
                .expect("job"),
        );
    }
    let status = |dal: ProverDal| async move {
        dal.batch_status(1)
            .await
            .expect("status")
            .expect("report")
            .stage(Stage::Scheduler)
            .expect("scheduler")
            .jobs[0]
            .status
    };
    assert_eq!(status(dal.clone()).await, JobStatus::WaitingForProofs);
    dal.save_proof(picked[2].id, b"p2", 1).await.expect("save");
    dal.save_proof(picked[0].id, b"p0", 1).await.expect("save");
    assert_eq!(status(dal.clone()).await, JobStatus::WaitingForProofs);
    assert!(dal
        .pick_scheduler_job("s", V1)
        .await
        .expect("pick")
        .is_none());
    dal.save_proof(picked[1].id, b"p1", 1).await.expect("save");
    assert_eq!(status(dal.clone()).await, JobStatus::Queued);
    // Restarting a chunk before the scheduler is picked puts it back to waiting.
    assert!(dal.restart_job(picked[1].id).await.expect("restart"));
    assert_eq!(status(dal.clone()).await, JobStatus::WaitingForProofs);
    assert!(!dal.restart_job(123_456).await.expect("unknown job"));
    let again = dal
        .pick_prover_job("p", V1, &[])
        .await
        .expect("pick")
        .expect("restarted");
    assert_eq!((again.id, again.attempts), (picked[1].id, 1));
    dal.save_proof(again.id, b"p1", 1).await.expect("save");
    let s = dal
        .pick_scheduler_job("s", V1)
        .await
        .expect("pick")
        .expect("scheduler");
    assert_eq!(s.batch, 1);
    assert_eq!(
        dal.chunk_proofs(1).await.expect("proofs"),
        [b"p0".to_vec(), b"p1".to_vec(), b"p2".to_vec()]
    );
}

async fn requeue_restart_and_delete(db: TestDb) {
    let dal = &db.dal;
    batch_with_chunks(dal, 1, 2, V1).await;
    batch_with_chunks(dal, 2, 1, V1).await;
    // Batch 1: one job failed for good (max 1 attempt), one stuck in progress at the max.
    let a = dal
        .pick_prover_job("p", V1, &[])
        .await
        .expect("pick")
        .expect("job");
    let b = dal
        .pick_prover_job("p", V1, &[])
        .await
        .expect("pick")
        .expect("job");
    assert_eq!((a.batch, b.batch), (1, 1));
    dal.fail_job(Stage::BasicProof, a.id, "oom")
        .await
        .expect("fail");
    assert_eq!(
        dal.requeue_stuck(Duration::from_secs(60), 1)
            .await
            .expect("hk")
            .total(),
        0
    );
    assert_eq!(
        dal.requeue_batch(2, 1).await.expect("nothing stuck in 2"),
        0
    );
    assert_eq!(dal.requeue_batch(1, 1).await.expect("requeue"), 2);
    let again = dal
        .pick_prover_job("p", V1, &[])
        .await
        .expect("pick")
        .expect("requeued");
    assert_eq!((again.id, again.attempts), (a.id, 1), "attempts reset");

    // Restart: everything after witness generation is deleted.
    dal.restart_batch(1).await.expect("restart");
    let report = dal.batch_status(1).await.expect("status").expect("report");
    assert_eq!(report.state, Some(BatchState::Received));
    let w = &report.stage(Stage::WitnessGeneration).expect("wg").jobs[0];
    assert_eq!((w.status, w.attempts), (JobStatus::Queued, 0));
    for stage in [Stage::BasicProof, Stage::Scheduler, Stage::Compression] {
        assert!(
            report.stage(stage).expect("stage").jobs.is_empty(),
            "{stage}"
        );
    }
    assert!(matches!(
        dal.restart_batch(99).await,
        Err(DalError::NotFound { .. })
    ));
    let w = dal
        .pick_witness_job("wg", V1)
        .await
        .expect("pick")
        .expect("restarted witness");
    assert_eq!((w.batch, w.attempts), (1, 1));

    // Delete one batch, then all.
    assert!(dal.delete_batch(2).await.expect("delete"));
    assert!(!dal.delete_batch(2).await.expect("delete again"));
    assert!(dal.batch_status(2).await.expect("status").is_none());
    assert!(dal.insert_batch(3, b"w", V1).await.expect("insert"));
    assert_eq!(dal.delete_all().await.expect("delete all"), 2);
    assert!(dal.batch_numbers().await.expect("batches").is_empty());
    assert!(dal.queue_report().await.expect("queue").is_empty());
}

async fn queue_report_and_stats(db: TestDb) {
    let dal = &db.dal;
    let start = SystemTime::now() - Duration::from_secs(1);
    batch_with_chunks(dal, 1, 3, V1).await;
    assert!(dal.insert_batch(2, b"w", V2).await.expect("insert"));
    let p = dal
        .pick_prover_job("p", V1, &[])
        .await
        .expect("pick")
        .expect("job");
    dal.save_proof(p.id, b"proof", 40).await.expect("save");
    dal.pick_prover_job("p", V1, &[])
        .await
        .expect("pick")
        .expect("job");
    let q = dal.queue_report().await.expect("queue");
    let find = |stage: Stage, v: &str| {
        q.iter()
            .find(|d| d.stage == stage && d.protocol_version == v)
            .cloned()
    };
    let basic = find(Stage::BasicProof, V1).expect("basic V1");
    assert_eq!(
        (basic.aggregation_round, basic.circuit_id),
        (0, BASIC_CIRCUIT_ID)
    );
    assert_eq!((basic.queued, basic.in_progress), (1, 1));
    let w2 = find(Stage::WitnessGeneration, V2).expect("witness V2");
    assert_eq!((w2.queued, w2.in_progress), (1, 0));
    assert!(
        find(Stage::Scheduler, V1).is_none(),
        "waiting jobs are not queued"
    );

    let s = dal.stats(start).await.expect("stats");
    assert_eq!(
        (s.batches_received, s.batches_proven, s.batches_sent),
        (2, 0, 0)
    );
    let basic = &s.stages[1];
    assert_eq!(basic.stage, Stage::BasicProof);
    assert_eq!((basic.successful, basic.max_time_taken_ms), (1, Some(40)));
    assert_eq!(basic.avg_time_taken_ms, Some(40.0));
    assert_eq!(s.stages[0].successful, 1);
    assert_eq!(s.stages[2].avg_time_taken_ms, None);
    let later = dal
        .stats(SystemTime::now() + Duration::from_secs(60))
        .await
        .expect("stats");
    assert_eq!((later.batches_received, later.stages[1].successful), (0, 0));
    assert_eq!(
        db.dal.dialect(),
        match db.kind {
            common::Kind::Sqlite => Dialect::Sqlite,
            common::Kind::Postgres => Dialect::Postgres,
        }
    );
}

#[tokio::test]
async fn a_dead_database_is_a_clear_retryable_error() {
    // Nothing listens on port 1.
    let err = ProverDal::connect("postgres://postgres:secret@127.0.0.1:1/prover")
        .await
        .expect_err("closed port");
    assert!(err.is_retryable(), "{err:?}");
    let message = err.to_string();
    assert!(
        message.starts_with("cannot open the PostgreSQL prover database:"),
        "{message}"
    );
    assert!(!message.contains("secret"), "{message}");
    let err = ProverDal::connect("mysql://x@y/z")
        .await
        .expect_err("scheme");
    assert!(matches!(err, DalError::UnsupportedUrl { .. }) && !err.is_retryable());
    let err = ProverDal::connect("sqlite:///nonexistent-dir-for-sure/x/prover.sqlite")
        .await
        .expect_err("no directory");
    assert!(
        matches!(
            err,
            DalError::Connect {
                dialect: Dialect::Sqlite,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_in_memory_sqlite_database_works() {
    let dal = ProverDal::connect("sqlite::memory:").await.expect("memory");
    assert!(dal.insert_batch(1, b"w", V1).await.expect("insert"));
    assert!(dal
        .pick_witness_job("wg", V1)
        .await
        .expect("pick")
        .is_some());
}
