//! The pipeline end to end on both dialects: every stage to the archive, protocol versions,
//! and the gating of each aggregation round on its inputs.

use sq_prover_dal::plan::AggregationInput;
use sq_prover_dal::{
    BatchState, DalError, JobStatus, PickedJob, ProverDal, Stage, BASIC_CIRCUIT_ID,
};

use crate::common::{batch_with_chunks, TestDb, V1};

crate::on_both_backends!(
    happy_path_through_every_stage_to_the_archive,
    protocol_versions_are_idempotent_and_conflicts_are_errors,
    each_round_waits_for_its_inputs,
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

    // Rounds 0, 1 and 2: each job is created once its inputs are proven, and picked in
    // (round, sequence) order; the scheduler waits for the root.
    let mut seen = Vec::new();
    while let Some(job) = dal
        .pick_prover_job("p-1", V1, &[])
        .await
        .expect("pick prover")
    {
        assert_eq!(job.batch, 1);
        if job.aggregation_round == 0 {
            assert_eq!((job.circuit_id, job.depth), (BASIC_CIRCUIT_ID, 0));
            assert_eq!(job.input, vec![job.sequence_number as u8; 4]);
        }
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
        seen.push((job.aggregation_round, job.depth, job.sequence_number));
    }
    assert_eq!(
        seen,
        [
            (0, 0, 0),
            (0, 0, 1),
            (0, 0, 2),
            (1, 0, 0),
            (1, 0, 1),
            (2, 1, 0)
        ],
        "3 chunks: leaves over chunks 0..2 and 2..3, one node over both"
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
    assert!(dal
        .heartbeat(Stage::Scheduler, s.id, "s-1")
        .await
        .expect("heartbeat"));
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
    assert_eq!(basic.jobs.len(), 6, "3 chunks, 2 leaves, 1 node");
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

/// Picks the next prover job and checks its (round, depth, sequence number).
async fn pick_at(dal: &ProverDal, key: (u8, u32, u32)) -> PickedJob {
    let job = dal
        .pick_prover_job("p", V1, &[])
        .await
        .expect("pick")
        .expect("a prover job");
    assert_eq!(
        (job.aggregation_round, job.depth, job.sequence_number),
        key,
        "{job:?}"
    );
    job
}

async fn each_round_waits_for_its_inputs(db: TestDb) {
    let dal = &db.dal;
    batch_with_chunks(dal, 1, 3, V1).await;
    let mut chunk = Vec::new();
    for i in 0..3 {
        chunk.push(pick_at(dal, (0, 0, i)).await);
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
    let nothing_queued = |dal: ProverDal| async move {
        dal.pick_prover_job("p", V1, &[])
            .await
            .expect("pick")
            .is_none()
    };
    // Chunk 0 alone makes no leaf; chunk 2 alone makes leaf 1 (chunks 2..3).
    dal.save_proof(chunk[0].id, b"p0", 1).await.expect("save");
    assert!(nothing_queued(dal.clone()).await);
    dal.save_proof(chunk[2].id, b"p2", 1).await.expect("save");
    let leaf1 = pick_at(dal, (1, 0, 1)).await;
    let input: AggregationInput = serde_json::from_slice(&leaf1.input).expect("input");
    assert_eq!(input, AggregationInput::Leaf { lo: 2, hi: 3 });
    assert!(nothing_queued(dal.clone()).await);
    dal.save_proof(chunk[1].id, b"p1", 1).await.expect("save");
    let leaf0 = pick_at(dal, (1, 0, 0)).await;
    dal.save_proof(leaf0.id, b"l0", 1).await.expect("save");
    assert!(
        nothing_queued(dal.clone()).await,
        "the node waits for leaf 1"
    );
    dal.save_proof(leaf1.id, b"l1", 1).await.expect("save");
    let node = pick_at(dal, (2, 1, 0)).await;
    assert_eq!(status(dal.clone()).await, JobStatus::WaitingForProofs);
    assert!(dal
        .pick_scheduler_job("s", V1)
        .await
        .expect("pick")
        .is_none());
    dal.save_proof(node.id, b"root", 1).await.expect("save");
    assert_eq!(status(dal.clone()).await, JobStatus::Queued);
    assert_eq!(
        dal.root_proof(1).await.expect("root"),
        Some(b"root".to_vec())
    );
    // Restarting the root before the scheduler is picked puts it back to waiting.
    assert!(dal.restart_job(node.id).await.expect("restart"));
    assert_eq!(status(dal.clone()).await, JobStatus::WaitingForProofs);
    assert_eq!(dal.root_proof(1).await.expect("root"), None);
    assert!(!dal.restart_job(123_456).await.expect("unknown job"));
    let again = pick_at(dal, (2, 1, 0)).await;
    assert_eq!((again.id, again.attempts), (node.id, 1));
    dal.save_proof(again.id, b"root", 1).await.expect("save");
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
    assert_eq!(
        dal.round_proofs(1, 1, 0, (0, 2)).await.expect("leaves"),
        [b"l0".to_vec(), b"l1".to_vec()]
    );
    // An operator restarts leaf 0 while the node above is re-run: the node fails for want
    // of its input, and is queued again with fresh attempts once leaf 0 is proven again.
    assert!(dal.restart_job(node.id).await.expect("restart node"));
    assert!(dal.restart_job(leaf0.id).await.expect("restart leaf"));
    let l0 = pick_at(dal, (1, 0, 0)).await;
    let n = pick_at(dal, (2, 1, 0)).await;
    dal.fail_job(
        Stage::BasicProof,
        n.id,
        "the proof of leaves 0..1 is missing",
    )
    .await
    .expect("fail");
    dal.save_proof(l0.id, b"l0", 1).await.expect("save");
    let n = pick_at(dal, (2, 1, 0)).await;
    assert_eq!(n.attempts, 1, "fresh attempts");
}
