//! The house keeper and the repair commands on both dialects: requeue after a timeout or a
//! failure up to max attempts, requeue / restart / delete, and the reports.

use std::time::{Duration, SystemTime};

use sq_prover_dal::{BatchState, DalError, Dialect, JobStatus, Stage, BASIC_CIRCUIT_ID};

use crate::common::{self, batch_with_chunks, TestDb, V1, V2};

crate::on_both_backends!(
    timed_out_jobs_are_requeued_until_max_attempts,
    a_heartbeat_keeps_a_long_job_from_being_requeued,
    failed_jobs_are_requeued_until_max_attempts,
    requeue_restart_and_delete,
    queue_report_and_stats,
);

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

async fn a_heartbeat_keeps_a_long_job_from_being_requeued(db: TestDb) {
    let dal = &db.dal;
    batch_with_chunks(dal, 1, 1, V1).await;
    let job = dal
        .pick_prover_job("p", V1, &[])
        .await
        .expect("pick")
        .expect("job");
    let timeout = Duration::from_millis(200);
    // Older than the timeout, but alive: not requeued.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(dal
        .heartbeat(Stage::BasicProof, job.id, "p")
        .await
        .expect("beat"));
    assert!(
        !dal.heartbeat(Stage::BasicProof, job.id, "other")
            .await
            .expect("beat"),
        "only the worker holding the job"
    );
    let r = dal.requeue_stuck(timeout, 3).await.expect("requeue");
    assert_eq!(r.total(), 0, "a job with a fresh heartbeat stays");
    // Silent for longer than the timeout (frozen, killed): requeued, and the old
    // worker's late heartbeat no longer holds it.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let r = dal.requeue_stuck(timeout, 3).await.expect("requeue");
    assert_eq!(r.basic_proof, 1);
    assert!(!dal
        .heartbeat(Stage::BasicProof, job.id, "p")
        .await
        .expect("beat"));
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
