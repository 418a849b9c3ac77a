//! Batch requests: answered entry by entry, limited to 100 entries, and the protocol errors.

use serde_json::{json, Value};

use crate::rpc::harness::Harness;

fn request(id: u64, method: &str) -> Value {
    json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": [] })
}

fn by_id(answers: &Value, id: u64) -> &Value {
    answers
        .as_array()
        .expect("batch answer")
        .iter()
        .find(|a| a["id"] == json!(id))
        .unwrap_or_else(|| panic!("no answer for id {id}: {answers}"))
}

#[tokio::test]
async fn a_batch_is_answered_entry_by_entry() {
    let h = Harness::start(false).await;
    h.apply(1, Vec::new()).await;
    let batch = json!([
        request(1, "eth_chainId"),
        request(2, "eth_blockNumber"),
        request(3, "eth_noSuchMethod"),
        json!({ "jsonrpc": "2.0", "id": 4, "method": "eth_getBalance", "params": ["0x12"] }),
    ]);
    let answers = h.post(&batch.to_string()).await;
    assert_eq!(answers.as_array().map(Vec::len), Some(4), "{answers}");
    assert_eq!(by_id(&answers, 1)["result"], json!("0x8a19"));
    assert_eq!(by_id(&answers, 2)["result"], json!("0x1"));
    assert_eq!(
        by_id(&answers, 3)["error"]["message"],
        json!("the method eth_noSuchMethod does not exist/is not available")
    );
    assert_eq!(by_id(&answers, 4)["error"]["code"], json!(-32602));
}

#[tokio::test]
async fn batch_size_and_protocol_errors_keep_their_codes() {
    let h = Harness::start(false).await;
    let big: Vec<Value> = (0..101).map(|i| request(i, "eth_chainId")).collect();
    let v = h.post(&Value::Array(big).to_string()).await;
    assert_eq!(v["error"]["code"], json!(-32600), "{v}");
    assert_eq!(
        v["error"]["message"],
        json!("a batch holds 1..=100 requests")
    );
    let full: Vec<Value> = (0..100).map(|i| request(i, "eth_chainId")).collect();
    let v = h.post(&Value::Array(full).to_string()).await;
    assert_eq!(v.as_array().map(Vec::len), Some(100));
    let v = h.post("[]").await;
    assert_eq!(v["error"]["code"], json!(-32600), "{v}");
    let v = h.post("{not json").await;
    assert_eq!(v["error"]["code"], json!(-32700), "{v}");
    let v = h.post(r#"{"jsonrpc":"2.0","id":1}"#).await;
    assert_eq!(v["error"]["code"], json!(-32600), "{v}");
}
