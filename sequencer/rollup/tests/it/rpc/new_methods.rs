//! The methods explorers and indexers need beyond wallets: blocks by hash, transaction
//! counts, transactions by block and index, and `eth_getLogs`.

use serde_json::{json, Value};

use crate::common::*;
use crate::rpc::harness::{stranger, tx_hash, Harness};

/// Block 1 with two transfers, block 2 empty.
async fn chain() -> (Harness, [Vec<u8>; 2]) {
    let h = Harness::start(false).await;
    let txs = [
        transfer(&key(1), 0, stranger(), 5),
        transfer(&key(2), 0, stranger(), 6),
    ];
    h.apply(1, txs.to_vec()).await;
    h.apply(2, Vec::new()).await;
    (h, txs)
}

async fn hash_of(h: &Harness, n: &str) -> Value {
    h.result("eth_getBlockByNumber", json!([n, false])).await["hash"].clone()
}

#[tokio::test]
async fn blocks_by_hash_match_blocks_by_number() {
    let (h, _) = chain().await;
    for n in ["0x0", "0x1", "0x2"] {
        for full in [false, true] {
            let by_number = h.result("eth_getBlockByNumber", json!([n, full])).await;
            let by_hash = h
                .result("eth_getBlockByHash", json!([by_number["hash"], full]))
                .await;
            assert_eq!(by_hash, by_number, "block {n}");
        }
    }
    let unknown = json!([format!("0x{}", "ab".repeat(32)), false]);
    assert_eq!(h.result("eth_getBlockByHash", unknown).await, json!(null));
    assert_eq!(
        h.result("eth_getBlockByNumber", json!(["0x3", false]))
            .await,
        json!(null)
    );
}

#[tokio::test]
async fn transaction_counts_by_number_and_hash() {
    let (h, _) = chain().await;
    for (n, want) in [
        ("0x0", "0x0"),
        ("0x1", "0x2"),
        ("0x2", "0x0"),
        ("latest", "0x0"),
    ] {
        let by_number = h
            .result("eth_getBlockTransactionCountByNumber", json!([n]))
            .await;
        assert_eq!(by_number, json!(want), "block {n}");
    }
    let one = hash_of(&h, "0x1").await;
    let by_hash = h
        .result("eth_getBlockTransactionCountByHash", json!([one]))
        .await;
    assert_eq!(by_hash, json!("0x2"));
    let beyond = h
        .result("eth_getBlockTransactionCountByNumber", json!(["0x9"]))
        .await;
    assert_eq!(beyond, json!(null));
}

#[tokio::test]
async fn transactions_by_block_and_index() {
    let (h, txs) = chain().await;
    let one = hash_of(&h, "0x1").await;
    for (i, raw) in txs.iter().enumerate() {
        let index = format!("{i:#x}");
        let by_number = h
            .result(
                "eth_getTransactionByBlockNumberAndIndex",
                json!(["0x1", index]),
            )
            .await;
        let by_hash = h
            .result("eth_getTransactionByBlockHashAndIndex", json!([one, index]))
            .await;
        let by_tx = h
            .result("eth_getTransactionByHash", json!([tx_hash(raw)]))
            .await;
        assert_eq!(by_number, by_tx);
        assert_eq!(by_hash, by_tx);
    }
    let past_end = h
        .result(
            "eth_getTransactionByBlockNumberAndIndex",
            json!(["0x1", "0x2"]),
        )
        .await;
    assert_eq!(past_end, json!(null));
}

#[tokio::test]
async fn get_logs_answers_an_empty_list() {
    let (h, _) = chain().await;
    let one = hash_of(&h, "0x1").await;
    let filters = [
        json!({}),
        json!({ "fromBlock": "0x0", "toBlock": "latest" }),
        json!({ "fromBlock": "earliest", "address": stranger() }),
        json!({ "address": [stranger()], "topics": [null, [format!("0x{}", "00".repeat(32))]] }),
        json!({ "blockHash": one }),
    ];
    for f in filters {
        assert_eq!(h.result("eth_getLogs", json!([f])).await, json!([]), "{f}");
    }
    let unknown = json!([{ "blockHash": format!("0x{}", "ab".repeat(32)) }]);
    h.error("eth_getLogs", unknown, -32000).await;
}
