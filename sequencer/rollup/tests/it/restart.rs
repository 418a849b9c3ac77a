//! Persistence: a reopened database resumes from the last executed block with the same state,
//! open batch and batch numbering, on SQLite and PostgreSQL.

use crate::common::*;
use sq_api::client::Client as NodeClient;
use sq_db::testing::TestDatabase;
use sq_db::Dialect;
use sq_rollup::chain::BlockInput;
use sq_rollup::sequencer::Sequencer;
use sq_rollup::RollupDb;
use sq_rollup::{store, BatchLimits, Rollup};

async fn run(url: &str) {
    let limits = BatchLimits {
        max_transfers: 2,
        max_bytes: u64::MAX,
        max_age_ms: u64::MAX,
    };
    let node = Sequencer::Api(NodeClient::new("http://127.0.0.1:9").expect("client"));
    let r = Rollup::open(
        RollupDb::connect(url).await.expect("db"),
        config(3, limits),
        node.clone(),
    )
    .await
    .expect("open");
    let b = key(2).address();
    for (h, n) in [(1u64, 0u64), (2, 1), (3, 2)] {
        r.apply(&BlockInput {
            height: h,
            timestamp_ms: h * 1000,
            transactions: vec![transfer(&key(1), n, b, 1)],
        })
        .await
        .expect("apply");
    }
    // Re-applying an executed height is refused and changes nothing.
    let again = r
        .apply(&BlockInput {
            height: 3,
            timestamp_ms: 3000,
            transactions: vec![transfer(&key(1), 3, b, 1)],
        })
        .await;
    assert!(again.is_err());
    let root = r.state_root();
    let receipt = r
        .receipt(
            &sq_rollup::tx::decode(&transfer(&key(1), 1, b, 1), CHAIN_ID)
                .expect("tx")
                .hash,
        )
        .await
        .expect("db")
        .expect("receipt stored");
    assert_eq!(receipt.block_number, 2);

    let reopened = Rollup::open(
        RollupDb::connect(url).await.expect("db"),
        config(3, limits),
        node,
    )
    .await
    .expect("reopen");
    assert_eq!(reopened.block_number(), 3);
    assert_eq!(reopened.state_root(), root);
    assert_eq!(reopened.account(&key(1).address()).nonce, 3);
    // One batch sealed (heights 1–2); height 3 is in the open batch, which the next block closes.
    let out = reopened
        .apply(&BlockInput {
            height: 4,
            timestamp_ms: 4000,
            transactions: vec![transfer(&key(1), 3, b, 1)],
        })
        .await
        .expect("apply");
    assert_eq!(out.number, 4);
    let last = reopened
        .db()
        .last_batch()
        .await
        .expect("db")
        .expect("batch");
    let record = store::batch_record(&last).expect("record");
    assert_eq!(
        (
            record.number,
            record.first_height,
            record.last_height,
            record.transfers
        ),
        (2, 3, 4, 2)
    );
    let witness = store::batch_witness(reopened.db(), &record, fee_recipient())
        .await
        .expect("witness");
    witness
        .check()
        .expect("the resumed batch's witness satisfies the relation");
}

#[tokio::test]
async fn sqlite_resumes_where_it_stopped() {
    resume(Dialect::Sqlite).await;
}

#[tokio::test]
async fn postgres_resumes_where_it_stopped() {
    resume(Dialect::Postgres).await;
}

/// [`run`] on a fresh database of `dialect` (dropped afterwards on PostgreSQL).
async fn resume(dialect: Dialect) {
    let db = TestDatabase::create(dialect, "rollup_restart", "rollup.sqlite").await;
    let pg = db.pg_database().map(str::to_owned);
    sq_db::testing::run(pg, async move { run(db.url()).await }).await;
}
