//! The storage contract, checked on SQLite and PostgreSQL alike (`sqlite::NAME`,
//! `postgres::NAME`).

use crate::common::{chain, child, genesis, insert_all, qc_for, transaction, TestDb};
use sq_storage::StorageError;
use sq_types::{Commitment, Height};

on_both_backends!(
    every_field_round_trips,
    reinserting_a_stored_block_is_a_no_op,
    a_payload_fetched_later_fills_in_a_bare_leaf,
    a_different_leaf_at_a_stored_height_is_a_conflict,
    an_inconsistent_block_is_rejected_before_writing,
    missing_rows_are_none,
    transactions_are_found_by_hash_and_by_position,
    a_repeated_transaction_keeps_its_first_position,
    prune_keeps_exactly_the_last_k_blocks,
    a_reopened_database_has_everything,
    a_corrupt_row_is_reported_not_decoded,
    concurrent_inserts_of_one_chain_agree,
    a_sequencer_database_has_no_rollup_tables,
);

/// The rollup owns its tables in its own database (sq-rollup); a node started without the
/// rollup creates none. Version 2 dropped the unused `safety` table.
async fn a_sequencer_database_has_no_rollup_tables(db: TestDb) {
    let tables = db.table_names().await;
    assert!(tables.iter().any(|t| t == "leaves"), "{tables:?}");
    assert!(
        !tables.iter().any(|t| t.starts_with("rollup")),
        "{tables:?}"
    );
    assert!(!tables.iter().any(|t| t == "safety"), "{tables:?}");
}

async fn every_field_round_trips(db: TestDb) {
    let blocks = chain(5, 3);
    insert_all(&db.storage, &blocks).await;
    let s = &db.storage;
    assert_eq!(s.latest_height().await.expect("latest"), Some(Height(4)));
    for b in &blocks {
        let h = b.leaf.header.height;
        let (leaf, qc) = s.leaf(h).await.expect("leaf").expect("stored");
        assert_eq!((&leaf, &qc), (&b.leaf, &b.qc), "leaf and QC at {h}");
        let by_hash = s.leaf_by_hash(&b.leaf.commit()).await.expect("by hash");
        assert_eq!(by_hash, Some((b.leaf.clone(), b.qc.clone())));
        assert_eq!(s.payload(h).await.expect("payload"), b.payload);
        let vid = s.vid_share(h).await.expect("vid");
        assert_eq!(vid.as_ref().map(|v| &v.0), b.vid_common.as_ref());
        assert_eq!(vid.as_ref().map(|v| &v.1), b.vid_share.as_ref());
        for (i, tx) in b.transactions.iter().enumerate() {
            let at = s.transaction_at(h, i as u32).await.expect("tx at");
            assert_eq!(at.as_ref(), Some(tx));
        }
    }
    let all = s.leaves(Height(0), 100).await.expect("leaves");
    assert_eq!(all.len(), 5);
    let range = s.leaves(Height(1), 2).await.expect("leaves");
    let heights: Vec<u64> = range.iter().map(|(l, _)| l.header.height.0).collect();
    assert_eq!(heights, vec![1, 2]);
    assert_eq!(range[0].1, blocks[1].qc);
}

async fn reinserting_a_stored_block_is_a_no_op(db: TestDb) {
    let blocks = chain(3, 2);
    insert_all(&db.storage, &blocks).await;
    insert_all(&db.storage, &blocks).await;
    // Same leaf, other side data: accepted, and the first write stays.
    let mut again = blocks[2].clone();
    again.payload = Some(b"other".to_vec());
    again.transactions = vec![transaction(2, 99, 0)];
    db.storage.insert_decided(&again).await.expect("same leaf");
    let s = &db.storage;
    assert_eq!(
        s.payload(Height(2)).await.expect("payload"),
        blocks[2].payload
    );
    let extra = again.transactions[0].commit();
    assert_eq!(s.transaction_by_hash(&extra).await.expect("lookup"), None);
    assert_eq!(s.leaves(Height(0), 10).await.expect("leaves").len(), 3);
}

async fn a_payload_fetched_later_fills_in_a_bare_leaf(db: TestDb) {
    let blocks = chain(3, 2);
    let mut bare = blocks[2].clone();
    bare.payload = None;
    bare.vid_common = None;
    bare.vid_share = None;
    bare.transactions.clear();
    insert_all(&db.storage, &blocks[..2]).await;
    db.storage.insert_decided(&bare).await.expect("bare leaf");
    let s = &db.storage;
    assert_eq!(s.payload(Height(2)).await.expect("payload"), None);
    assert_eq!(s.vid_share(Height(2)).await.expect("vid"), None);
    db.storage
        .insert_decided(&blocks[2])
        .await
        .expect("filled in");
    assert_eq!(
        s.payload(Height(2)).await.expect("payload"),
        blocks[2].payload
    );
    let vid = s.vid_share(Height(2)).await.expect("vid").expect("stored");
    assert_eq!(Some(&vid.0), blocks[2].vid_common.as_ref());
    for (i, tx) in blocks[2].transactions.iter().enumerate() {
        let at = s.transaction_at(Height(2), i as u32).await.expect("tx at");
        assert_eq!(at.as_ref(), Some(tx));
    }
}

async fn a_different_leaf_at_a_stored_height_is_a_conflict(db: TestDb) {
    let blocks = chain(3, 2);
    insert_all(&db.storage, &blocks).await;
    let mut fork = child(&blocks[1], 4);
    fork.leaf.header.timestamp_ms += 1;
    fork.qc = qc_for(&fork.leaf);
    let err = db.storage.insert_decided(&fork).await.expect_err("fork");
    assert!(
        matches!(err, StorageError::Conflict { height: Height(2) }),
        "{err}"
    );
    assert!(!err.is_retryable());
    let s = &db.storage;
    assert_eq!(
        s.leaf(Height(2)).await.expect("leaf").map(|(l, _)| l),
        Some(blocks[2].leaf.clone())
    );
    let fork_tx = fork.transactions[3].commit();
    let found = s.transaction_by_hash(&fork_tx).await.expect("lookup");
    assert_eq!(found, None, "nothing of the fork");
}

async fn an_inconsistent_block_is_rejected_before_writing(db: TestDb) {
    let blocks = chain(2, 1);
    let mut bad = blocks[1].clone();
    bad.qc = qc_for(&blocks[0].leaf);
    let err = db.storage.insert_decided(&bad).await.expect_err("bad qc");
    assert!(matches!(err, StorageError::InvalidBlock { .. }), "{err}");
    let mut bad = blocks[1].clone();
    bad.vid_share = None;
    let err = db.storage.insert_decided(&bad).await.expect_err("half vid");
    assert!(matches!(err, StorageError::InvalidBlock { .. }), "{err}");
    assert_eq!(db.storage.latest_height().await.expect("latest"), None);
}

async fn missing_rows_are_none(db: TestDb) {
    let s = &db.storage;
    assert_eq!(s.latest_height().await.expect("latest"), None);
    assert!(s.leaves(Height(0), 10).await.expect("leaves").is_empty());
    assert_eq!(s.pruned_through().await.expect("pruned"), None);
    insert_all(s, &chain(2, 1)).await;
    for h in [Height(2), Height(1_000), Height(u64::MAX)] {
        assert_eq!(s.leaf(h).await.expect("leaf"), None);
        assert_eq!(s.payload(h).await.expect("payload"), None);
        assert_eq!(s.vid_share(h).await.expect("vid"), None);
        assert_eq!(s.transaction_at(h, 0).await.expect("tx"), None);
        assert!(s.leaves(h, 10).await.expect("leaves").is_empty());
    }
    // Genesis was stored without payload, VID data or transactions.
    assert!(s.leaf(Height(0)).await.expect("leaf").is_some());
    assert_eq!(s.payload(Height(0)).await.expect("payload"), None);
    assert_eq!(s.vid_share(Height(0)).await.expect("vid"), None);
    assert_eq!(s.transaction_at(Height(1), 1).await.expect("tx"), None);
    let unknown = Commitment([7; 32]);
    assert_eq!(s.transaction_by_hash(&unknown).await.expect("tx"), None);
    assert_eq!(s.leaf_by_hash(&unknown).await.expect("leaf"), None);
}

async fn transactions_are_found_by_hash_and_by_position(db: TestDb) {
    let blocks = chain(4, 5);
    insert_all(&db.storage, &blocks).await;
    for b in &blocks[1..] {
        let h = b.leaf.header.height;
        for (i, tx) in b.transactions.iter().enumerate() {
            let found = db.storage.transaction_by_hash(&tx.commit()).await;
            assert_eq!(found.expect("by hash"), Some((h, i as u32, tx.clone())));
        }
        let past_end = db.storage.transaction_at(h, 5).await.expect("at");
        assert_eq!(past_end, None);
    }
}

async fn a_repeated_transaction_keeps_its_first_position(db: TestDb) {
    let g = genesis();
    let mut b1 = child(&g, 0);
    let (a, b) = (transaction(1, 0, 0), transaction(1, 1, 0));
    b1.transactions = vec![a.clone(), b.clone(), a.clone()];
    let mut b2 = child(&b1, 0);
    let c = transaction(2, 0, 0);
    b2.transactions = vec![c.clone(), a.clone()];
    insert_all(&db.storage, &[g, b1, b2]).await;
    let s = &db.storage;
    let first = s.transaction_by_hash(&a.commit()).await.expect("by hash");
    assert_eq!(first, Some((Height(1), 0, a)));
    assert_eq!(s.transaction_at(Height(1), 1).await.expect("at"), Some(b));
    assert_eq!(s.transaction_at(Height(1), 2).await.expect("at"), None);
    assert_eq!(s.transaction_at(Height(2), 0).await.expect("at"), Some(c));
    assert_eq!(s.transaction_at(Height(2), 1).await.expect("at"), None);
}

async fn prune_keeps_exactly_the_last_k_blocks(db: TestDb) {
    let blocks = chain(10, 3); // heights 0..=9; genesis has no payload, VID data or txs
    insert_all(&db.storage, &blocks).await;
    let s = &db.storage;
    // Keep 7..=9; heights 1..=6 lose a payload, a VID row and 3 transactions each.
    assert_eq!(s.prune(3).await.expect("prune"), 6 * 5);
    assert_eq!(s.pruned_through().await.expect("marker"), Some(Height(6)));
    for b in &blocks {
        let h = b.leaf.header.height;
        let kept = h.0 >= 7;
        let leaf = s.leaf(h).await.expect("leaf");
        assert_eq!(
            leaf.map(|(l, _)| l),
            Some(b.leaf.clone()),
            "leaves are kept"
        );
        assert_eq!(
            s.payload(h).await.expect("payload").is_some(),
            kept && h.0 > 0
        );
        assert_eq!(
            s.vid_share(h).await.expect("vid").is_some(),
            kept && h.0 > 0
        );
        for tx in &b.transactions {
            let found = s.transaction_by_hash(&tx.commit()).await.expect("tx");
            assert_eq!(found.is_some(), kept, "transaction at {h}");
        }
    }
    assert_eq!(s.prune(3).await.expect("again"), 0);
    assert_eq!(s.prune(100).await.expect("more than stored"), 0);
    assert_eq!(s.prune(0).await.expect("everything"), 3 * 5);
    assert_eq!(s.pruned_through().await.expect("marker"), Some(Height(9)));
    assert_eq!(s.leaves(Height(0), 100).await.expect("leaves").len(), 10);
}

async fn a_reopened_database_has_everything(db: TestDb) {
    let blocks = chain(4, 2);
    insert_all(&db.storage, &blocks).await;
    db.storage.prune(2).await.expect("prune");
    db.storage.close().await;
    let s = db.reopen().await;
    assert_eq!(s.latest_height().await.expect("latest"), Some(Height(3)));
    assert_eq!(s.pruned_through().await.expect("marker"), Some(Height(1)));
    for b in &blocks {
        let h = b.leaf.header.height;
        let leaf = s.leaf(h).await.expect("leaf");
        assert_eq!(leaf, Some((b.leaf.clone(), b.qc.clone())));
    }
    assert_eq!(
        s.payload(Height(3)).await.expect("payload"),
        blocks[3].payload
    );
    let tx = &blocks[2].transactions[1];
    let found = s.transaction_by_hash(&tx.commit()).await.expect("tx");
    assert_eq!(found, Some((Height(2), 1, tx.clone())));
    s.close().await;
}

async fn a_corrupt_row_is_reported_not_decoded(db: TestDb) {
    let blocks = chain(3, 2);
    insert_all(&db.storage, &blocks).await;
    db.exec_raw(
        "UPDATE leaves SET leaf = $1 WHERE height = 2",
        b"\xde\xad\xbe\xef",
    )
    .await;
    let s = &db.storage;
    let err = s.leaf(Height(2)).await.expect_err("corrupt leaf");
    assert!(
        matches!(
            err,
            StorageError::Corrupt {
                what: "leaf",
                height: 2,
                ..
            }
        ),
        "{err}"
    );
    assert!(!err.is_retryable());
    assert!(
        s.leaves(Height(0), 10).await.is_err(),
        "a range over it fails"
    );
    assert!(s.leaf(Height(1)).await.expect("intact").is_some());
    db.exec_raw("UPDATE leaves SET qc = $1 WHERE height = 1", b"")
        .await;
    let err = s.leaf(Height(1)).await.expect_err("corrupt qc");
    assert!(
        matches!(err, StorageError::Corrupt { what: "qc", .. }),
        "{err}"
    );
    db.exec_raw(
        "UPDATE transactions SET payload = $1 WHERE height = 1 AND idx = 0",
        b"x",
    )
    .await;
    let err = s.transaction_at(Height(1), 0).await.expect_err("bad tx");
    assert!(matches!(err, StorageError::Corrupt { .. }), "{err}");
}

async fn concurrent_inserts_of_one_chain_agree(db: TestDb) {
    let blocks = chain(6, 4);
    let writers: Vec<_> = (0..4)
        .map(|_| {
            let (s, blocks) = (db.storage.clone(), blocks.clone());
            tokio::spawn(async move { insert_all(&s, &blocks).await })
        })
        .collect();
    for w in writers {
        w.await.expect("writer");
    }
    let s = &db.storage;
    assert_eq!(s.leaves(Height(0), 100).await.expect("leaves").len(), 6);
    let tx = &blocks[5].transactions[3];
    let found = s.transaction_by_hash(&tx.commit()).await.expect("tx");
    assert_eq!(found, Some((Height(5), 3, tx.clone())));
}
