//! Ill-typed parameters are refused with -32602 (invalid params), one class at a time.

use serde_json::json;

use crate::rpc::harness::{stranger, Harness};

const HASH: &str = "0xabababababababababababababababababababababababababababababababab";

#[tokio::test]
async fn each_class_of_ill_typed_parameter_is_refused() {
    let h = Harness::start(false).await;
    h.apply(1, Vec::new()).await;
    let a = stranger();
    let cases = [
        ("missing parameter", "eth_getBalance", json!([])),
        ("missing parameter", "eth_getTransactionReceipt", json!([])),
        ("missing parameter", "eth_getBlockByNumber", json!([])),
        ("too many parameters", "eth_blockNumber", json!([1])),
        (
            "too many parameters",
            "eth_getBalance",
            json!([a, "latest", 1]),
        ),
        (
            "too many parameters",
            "eth_getBlockByHash",
            json!([HASH, false, 1]),
        ),
        ("wrong type", "eth_getBlockByNumber", json!(["0x1", "yes"])),
        ("wrong type", "eth_getBlockByNumber", json!([1, false])),
        ("wrong type", "eth_estimateGas", json!(["0x1"])),
        ("wrong type", "eth_feeHistory", json!([true, "latest", []])),
        (
            "wrong type",
            "eth_feeHistory",
            json!(["0x1", "latest", "all"]),
        ),
        ("wrong type", "eth_getLogs", json!(["latest"])),
        (
            "non-hex quantity",
            "eth_getBlockByNumber",
            json!(["12", false]),
        ),
        (
            "non-hex quantity",
            "eth_getBlockByNumber",
            json!(["0xzz", false]),
        ),
        (
            "non-hex quantity",
            "eth_feeHistory",
            json!(["10", "latest", []]),
        ),
        (
            "non-hex quantity",
            "eth_getTransactionByBlockNumberAndIndex",
            json!(["0x1", "0xq"]),
        ),
        ("bad block tag", "eth_getBalance", json!([a, "newest"])),
        (
            "bad block tag",
            "eth_getBlockTransactionCountByNumber",
            json!(["head"]),
        ),
        (
            "bad block tag",
            "eth_getLogs",
            json!([{ "fromBlock": "soon" }]),
        ),
        ("bad address", "eth_getBalance", json!(["0x1234", "latest"])),
        (
            "bad address",
            "eth_getTransactionCount",
            json!(["alice", "latest"]),
        ),
        ("bad address", "eth_getCode", json!([42])),
        ("bad address", "eth_getLogs", json!([{ "address": "0x12" }])),
        ("bad hash", "eth_getTransactionByHash", json!(["0x1234"])),
        (
            "bad hash",
            "eth_getBlockByHash",
            json!([format!("{HASH}00"), false]),
        ),
        ("bad hash", "eth_getLogs", json!([{ "blockHash": "0x00" }])),
        (
            "bad raw transaction",
            "eth_sendRawTransaction",
            json!(["zz"]),
        ),
        (
            "bad percentiles",
            "eth_feeHistory",
            json!(["0x1", "latest", [50.0, 10.0]]),
        ),
        (
            "bad percentiles",
            "eth_feeHistory",
            json!(["0x1", "latest", [101.0]]),
        ),
        (
            "malformed filter",
            "eth_getLogs",
            json!([{ "blockHash": HASH, "fromBlock": "0x0" }]),
        ),
        (
            "malformed filter",
            "eth_getLogs",
            json!([{ "fromBlock": "0x1", "toBlock": "0x0" }]),
        ),
        (
            "malformed filter",
            "eth_getLogs",
            json!([{ "topics": [null, null, null, null, null] }]),
        ),
        ("malformed filter", "eth_getLogs", json!([{ "unknown": 1 }])),
    ];
    for (class, method, params) in cases {
        let v = h.call(method, params.clone()).await;
        assert_eq!(
            v["error"]["code"],
            json!(-32602),
            "{class}: {method} {params} → {v}"
        );
    }
}
