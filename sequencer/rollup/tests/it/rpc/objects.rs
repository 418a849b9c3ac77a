//! Block, transaction and receipt objects carry every field that Ethereum's execution-apis
//! specification requires (`src/schemas/{block,transaction,receipt}.yaml`).

use serde_json::{json, Value};

use crate::common::*;
use crate::rpc::harness::{stranger, tx_hash, Harness};

/// Required by the spec's `Block` (with London's `baseFeePerGas`).
const BLOCK: &[&str] = &[
    "hash",
    "parentHash",
    "sha3Uncles",
    "miner",
    "stateRoot",
    "transactionsRoot",
    "receiptsRoot",
    "logsBloom",
    "difficulty",
    "number",
    "gasLimit",
    "gasUsed",
    "timestamp",
    "extraData",
    "mixHash",
    "nonce",
    "size",
    "uncles",
    "transactions",
    "baseFeePerGas",
];

/// Required by `TransactionInfo` and every signed transaction type.
const TX: &[&str] = &[
    "blockHash",
    "blockNumber",
    "from",
    "hash",
    "transactionIndex",
    "type",
    "nonce",
    "to",
    "gas",
    "value",
    "input",
    "r",
    "s",
    "gasPrice",
];

/// Added by `TransactionLegacySigned` (EIP-155).
const TX_LEGACY: &[&str] = &["v", "chainId"];

/// Added by `Transaction1559Signed`.
const TX_1559: &[&str] = &[
    "maxFeePerGas",
    "maxPriorityFeePerGas",
    "accessList",
    "chainId",
    "yParity",
];

/// Required by `ReceiptInfo`.
const RECEIPT: &[&str] = &[
    "transactionHash",
    "transactionIndex",
    "blockHash",
    "blockNumber",
    "from",
    "to",
    "cumulativeGasUsed",
    "gasUsed",
    "effectiveGasPrice",
    "contractAddress",
    "logs",
    "logsBloom",
    "type",
    "status",
];

fn assert_fields(what: &str, object: &Value, fields: &[&str]) {
    let map = object
        .as_object()
        .unwrap_or_else(|| panic!("{what} is not an object: {object}"));
    for f in fields {
        assert!(map.contains_key(*f), "{what} lacks {f}: {object}");
    }
}

/// Block 1: a type-2 transfer, a legacy transfer, and a replay that fails.
async fn chain() -> (Harness, [Vec<u8>; 3]) {
    let h = Harness::start(false).await;
    let txs = [
        transfer(&key(1), 0, stranger(), 5),
        legacy(&key(2), Some(CHAIN_ID), 0, stranger(), 7, 2 * BASE_FEE),
        transfer(&key(1), 0, stranger(), 6),
    ];
    h.apply(1, txs.to_vec()).await;
    (h, txs)
}

#[tokio::test]
async fn blocks_carry_every_required_field() {
    let (h, txs) = chain().await;
    for n in ["0x0", "0x1"] {
        for full in [false, true] {
            let b = h.result("eth_getBlockByNumber", json!([n, full])).await;
            assert_fields("block", &b, BLOCK);
            assert_eq!(b["number"], json!(n));
        }
    }
    let b = h
        .result("eth_getBlockByNumber", json!(["0x1", false]))
        .await;
    let hashes: Vec<_> = txs.iter().map(|t| json!(tx_hash(t))).collect();
    assert_eq!(b["transactions"], json!(hashes));
    assert_eq!(b["gasUsed"], json!("0xa410"));
    assert_eq!(b["uncles"], json!([]));
    let size = u64::from_str_radix(
        b["size"].as_str().expect("size").trim_start_matches("0x"),
        16,
    );
    let raw_len: usize = txs.iter().map(Vec::len).sum();
    assert!(size.expect("hex") > raw_len as u64 + 500, "{b}");
    let full = h.result("eth_getBlockByNumber", json!(["0x1", true])).await;
    assert_eq!(full["transactions"][1]["hash"], hashes[1]);
}

#[tokio::test]
async fn transactions_carry_every_required_field() {
    let (h, txs) = chain().await;
    let t1559 = h
        .result("eth_getTransactionByHash", json!([tx_hash(&txs[0])]))
        .await;
    assert_fields("type-2 transaction", &t1559, TX);
    assert_fields("type-2 transaction", &t1559, TX_1559);
    assert_eq!(t1559["type"], json!("0x2"));
    assert_eq!(t1559["gasPrice"], json!(format!("{:#x}", 2 * BASE_FEE)));
    let legacy = h
        .result("eth_getTransactionByHash", json!([tx_hash(&txs[1])]))
        .await;
    assert_fields("legacy transaction", &legacy, TX);
    assert_fields("legacy transaction", &legacy, TX_LEGACY);
    assert_eq!(legacy["type"], json!("0x0"));
    assert_eq!(legacy["transactionIndex"], json!("0x1"));
    assert_eq!(legacy["chainId"], json!(format!("{CHAIN_ID:#x}")));
}

#[tokio::test]
async fn receipts_carry_every_required_field() {
    let (h, txs) = chain().await;
    let mut receipts = Vec::new();
    for t in &txs {
        let r = h
            .result("eth_getTransactionReceipt", json!([tx_hash(t)]))
            .await;
        assert_fields("receipt", &r, RECEIPT);
        assert_eq!(r["logs"], json!([]));
        assert_eq!(r["contractAddress"], json!(null));
        receipts.push(r);
    }
    let field = |f: &str| -> Vec<Value> { receipts.iter().map(|r| r[f].clone()).collect() };
    assert_eq!(field("status"), [json!("0x1"), json!("0x1"), json!("0x0")]);
    assert_eq!(field("type"), [json!("0x2"), json!("0x0"), json!("0x2")]);
    assert_eq!(
        field("gasUsed"),
        [json!("0x5208"), json!("0x5208"), json!("0x0")]
    );
    assert_eq!(
        field("cumulativeGasUsed"),
        [json!("0x5208"), json!("0xa410"), json!("0xa410")]
    );
    let reason = receipts[2]["revertReason"].as_str().expect("reason");
    assert!(reason.contains("nonce mismatch"), "{reason}");
    assert!(receipts[0].get("revertReason").is_none());
}
