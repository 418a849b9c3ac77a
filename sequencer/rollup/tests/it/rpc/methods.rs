//! Every method that answered before jsonrpsee answers as before: the same results, codes
//! and messages.

use serde_json::json;

use crate::common::*;
use crate::rpc::harness::{hex0x, stranger, tx_hash, Harness};

#[tokio::test]
async fn plain_views_answer_as_before() {
    let h = Harness::start(false).await;
    h.apply(1, vec![transfer(&key(1), 0, stranger(), 5)]).await;
    let a = key(1).address();
    let cases = [
        ("eth_chainId", json!([]), json!(format!("{CHAIN_ID:#x}"))),
        ("net_version", json!([]), json!(CHAIN_ID.to_string())),
        ("eth_syncing", json!([]), json!(false)),
        ("eth_accounts", json!([]), json!([])),
        ("eth_blockNumber", json!([]), json!("0x1")),
        (
            "eth_getBalance",
            json!([stranger(), "latest"]),
            json!("0x5"),
        ),
        ("eth_getBalance", json!([stranger()]), json!("0x5")),
        (
            "eth_getTransactionCount",
            json!([a, "latest"]),
            json!("0x1"),
        ),
        (
            "eth_getTransactionCount",
            json!([a, "pending"]),
            json!("0x1"),
        ),
        ("eth_getCode", json!([a, "latest"]), json!("0x")),
        (
            "eth_gasPrice",
            json!([]),
            json!(format!("{:#x}", 2 * BASE_FEE)),
        ),
        (
            "eth_maxPriorityFeePerGas",
            json!([]),
            json!(format!("{BASE_FEE:#x}")),
        ),
        (
            "eth_estimateGas",
            json!([{ "to": stranger(), "value": "0x1" }]),
            json!("0x5208"),
        ),
    ];
    for (method, params, want) in cases {
        assert_eq!(
            h.result(method, params.clone()).await,
            want,
            "{method} {params}"
        );
    }
    let version = h.result("web3_clientVersion", json!([])).await;
    assert!(version.as_str().expect("text").starts_with("sq-rollup/"));
}

#[tokio::test]
async fn fee_history_reports_a_constant_base_fee() {
    let h = Harness::start(false).await;
    for n in 1..=3 {
        h.apply(n, Vec::new()).await;
    }
    let base = json!(format!("{BASE_FEE:#x}"));
    let want = json!({
        "oldestBlock": "0x2",
        "baseFeePerGas": [base, base, base],
        "gasUsedRatio": [0.0, 0.0],
        "reward": [[base, base], [base, base]],
    });
    // The count as a hex quantity or a JSON number, as before.
    for count in [json!("0x2"), json!(2)] {
        let got = h
            .result("eth_feeHistory", json!([count, "latest", [25.0, 75.0]]))
            .await;
        assert_eq!(got, want);
    }
    let clamped = h
        .result("eth_feeHistory", json!(["0x400", "0x1", []]))
        .await;
    assert_eq!(clamped["oldestBlock"], json!("0x0"));
    assert_eq!(clamped["gasUsedRatio"], json!([0.0, 0.0]));
}

#[tokio::test]
async fn refusals_keep_their_codes_and_messages() {
    let h = Harness::start(false).await;
    h.apply(1, Vec::new()).await;
    h.apply(2, Vec::new()).await;
    let (k, b) = (key(2), stranger());
    let send = |raw: Vec<u8>| json!([hex0x(&raw)]);
    let cases = [
        (
            send(eip1559(&k, CHAIN_ID + 1, 0, b, 1, 2 * BASE_FEE, 0)),
            "invalid chain id",
        ),
        (send(transfer(&k, 5, b, 1)), "nonce too high"),
        (send(transfer(&k, 0, b, 1000 * ETH)), "insufficient funds"),
        (
            send(eip1559(&k, CHAIN_ID, 0, b, 1, BASE_FEE / 2, 0)),
            "underpriced",
        ),
        (json!(["0x02deadbeef"]), ""),
    ];
    for (params, text) in cases {
        let msg = h.error("eth_sendRawTransaction", params, -32000).await;
        assert!(msg.contains(text), "{msg} lacks {text}");
    }
    h.error("eth_sendRawTransaction", json!(["zz"]), -32602)
        .await;
    // The node is down: an internal error.
    h.error(
        "eth_sendRawTransaction",
        send(transfer(&k, 0, b, 1)),
        -32603,
    )
    .await;
    let msg = h.error("eth_noSuchMethod", json!([]), -32601).await;
    assert_eq!(
        msg,
        "the method eth_noSuchMethod does not exist/is not available"
    );
    let msg = h.error("eth_getBalance", json!([b, "0x1"]), -32000).await;
    assert_eq!(
        msg,
        "historical state is not kept: block 1 is not the latest"
    );
    let calldata = json!([{ "to": b, "input": "0x01" }]);
    let msg = h.error("eth_estimateGas", calldata, -32000).await;
    assert!(msg.contains("calldata is not supported"), "{msg}");
    let msg = h
        .error("eth_estimateGas", json!([{ "value": "0x1" }]), -32000)
        .await;
    assert!(msg.contains("contract creation is not supported"), "{msg}");
}

#[tokio::test]
async fn a_submitted_transfer_is_pending_then_executed() {
    let h = Harness::start(true).await;
    let raw = transfer(&key(1), 0, stranger(), 9);
    let hash = h
        .result("eth_sendRawTransaction", json!([hex0x(&raw)]))
        .await;
    assert_eq!(hash, json!(tx_hash(&raw)));
    let again = h
        .error("eth_sendRawTransaction", json!([hex0x(&raw)]), -32000)
        .await;
    assert!(again.contains("already known"), "{again}");
    let a = key(1).address();
    assert_eq!(
        h.result("eth_getTransactionCount", json!([a, "pending"]))
            .await,
        json!("0x1")
    );
    assert_eq!(
        h.result("eth_getTransactionCount", json!([a, "latest"]))
            .await,
        json!("0x0")
    );
    let pending = h.result("eth_getTransactionByHash", json!([hash])).await;
    assert_eq!(pending["blockHash"], json!(null));
    assert_eq!(pending["blockNumber"], json!(null));
    assert_eq!(pending["transactionIndex"], json!(null));
    assert_eq!(pending["gasPrice"], json!(format!("{:#x}", 2 * BASE_FEE)));
    assert_eq!(
        h.result("eth_getTransactionReceipt", json!([hash])).await,
        json!(null)
    );

    h.apply(1, vec![raw]).await;
    let r = h.result("eth_getTransactionReceipt", json!([hash])).await;
    assert_eq!(r["status"], json!("0x1"));
    assert_eq!(r["blockNumber"], json!("0x1"));
    let tx = h.result("eth_getTransactionByHash", json!([hash])).await;
    assert_eq!(tx["blockNumber"], json!("0x1"));
    assert_eq!(tx["from"], json!(a));
}
