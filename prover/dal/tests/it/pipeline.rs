//! The pipeline end to end on both dialects: every stage to the archive, protocol versions,
//! and the scheduler's gating on the last chunk proof.

use sq_prover_dal::{BatchState, DalError, JobStatus, ProverDal, Stage, BASIC_CIRCUIT_ID};

use crate::common::{batch_with_chunks, TestDb, V1};

crate::on_both_backends!(
    happy_path_through_every_stage_to_the_archive,
    protocol_versions_are_idempotent_and_conflicts_are_errors,
    the_scheduler_waits_for_the_last_chunk_proof,
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
