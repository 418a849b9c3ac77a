//! Picking rules on both dialects: protocol versions, the group filter, and concurrent workers
//! that each job reaches exactly once.

use std::collections::BTreeSet;

use sq_prover_dal::{Stage, BASIC_CIRCUIT_ID};

use crate::common::{batch_with_chunks, TestDb, V1, V2};

crate::on_both_backends!(
    workers_only_see_their_protocol_version,
    the_group_filter_restricts_round_and_circuit,
    concurrent_workers_pick_every_job_exactly_once,
);

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

    // Saving the proofs concurrently creates each leaf exactly once (no two transactions
    // miss each other's proof), and so on up the tree: 100 leaves, 99 nodes.
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
    let queued = |db: &crate::common::TestDb| {
        let dal = db.dal.clone();
        async move {
            dal.queue_report()
                .await
                .expect("queue")
                .iter()
                .find(|q| q.stage == Stage::BasicProof)
                .map_or(0, |q| q.queued)
        }
    };
    assert_eq!(
        queued(&db).await,
        (JOBS / 2) as u64,
        "one leaf per two chunks"
    );
    let mut rounds = 0;
    let mut aggregated = 0;
    loop {
        let mut tasks = Vec::new();
        for w in 0..WORKERS {
            let dal = if w % 2 == 0 {
                db.dal.clone()
            } else {
                second.clone()
            };
            tasks.push(tokio::spawn(async move {
                let mut n = 0;
                while let Some(job) = dal.pick_prover_job("agg", V1, &[]).await.expect("pick") {
                    dal.save_proof(job.id, b"proof", 1).await.expect("save");
                    n += 1;
                }
                n
            }));
        }
        let mut picked = 0;
        for t in tasks {
            picked += t.await.expect("worker");
        }
        if picked == 0 {
            break;
        }
        aggregated += picked;
        rounds += 1;
        assert!(rounds < 50, "the tree ends");
    }
    assert_eq!(
        aggregated,
        JOBS / 2 + JOBS / 2 - 1,
        "100 leaves and 99 nodes, once each"
    );
    let s = db
        .dal
        .pick_scheduler_job("s", V1)
        .await
        .expect("pick")
        .expect("scheduler queued");
    assert_eq!(s.batch, 1);
    assert_eq!(db.dal.chunk_proofs(1).await.expect("proofs").len(), JOBS);
}
