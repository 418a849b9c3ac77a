//! The Ethereum JSON-RPC subset (JSON-RPC 2.0 over HTTP POST, single and batch requests)
//! that `cast`, alloy and viem need for transfers.
//!
//! Methods: `eth_chainId`, `net_version`, `web3_clientVersion`, `eth_blockNumber`,
//! `eth_getBalance`, `eth_getTransactionCount` (latest and pending), `eth_getCode`,
//! `eth_sendRawTransaction`, `eth_getTransactionByHash`, `eth_getTransactionReceipt`,
//! `eth_getBlockByNumber`, `eth_gasPrice`, `eth_maxPriorityFeePerGas`, `eth_estimateGas`,
//! `eth_feeHistory`, `eth_syncing`, `eth_accounts`.
//!
//! Error codes (JSON-RPC 2.0 and EIP-1474, as geth uses them): -32700 parse error, -32600
//! invalid request, -32601 method not found, -32602 invalid params, -32000 a transaction
//! refused (nonce, funds, fee, type, chain id …), -32603 internal (database, sequencer down).
//! State is kept for the latest block only: a query for an older block number is refused
//! with -32000.

use alloy::consensus::transaction::Recovered;
use alloy::consensus::{Eip658Value, Receipt, ReceiptEnvelope, ReceiptWithBloom, TxEnvelope};
use alloy::eips::eip2718::Decodable2718;
use alloy::primitives::{Address, Bloom, Bytes, B256, U256};
use alloy::rpc::types::{Block, BlockTransactions, Header, Transaction, TransactionReceipt};
use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::chain::eth_header;
use crate::records::{BlockRecord, ReceiptRecord};
use crate::service::{Rollup, SubmitError};

/// Largest request body, bytes.
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// Most requests in one batch.
pub const MAX_BATCH: usize = 100;

/// The router: `POST /` answers JSON-RPC.
pub fn router(rollup: Rollup) -> Router {
    Router::new()
        .route("/", post(handle))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(rollup)
}

/// A JSON-RPC error: code and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RpcError {
    /// The code (see the module docs).
    pub code: i64,
    /// A message a wallet user understands.
    pub message: String,
}

impl RpcError {
    fn new(code: i64, message: impl Into<String>) -> RpcError {
        RpcError {
            code,
            message: message.into(),
        }
    }
    fn params(message: impl Into<String>) -> RpcError {
        RpcError::new(-32602, message)
    }
    fn internal(e: impl std::fmt::Display) -> RpcError {
        RpcError::new(-32603, format!("internal error: {e}"))
    }
}

impl From<SubmitError> for RpcError {
    fn from(e: SubmitError) -> RpcError {
        match e {
            SubmitError::Node(n) => RpcError::new(-32603, n.to_string()),
            other => RpcError::new(-32000, other.to_string()),
        }
    }
}

async fn handle(State(rollup): State<Rollup>, body: String) -> Json<Value> {
    let Ok(request) = serde_json::from_str::<Value>(&body) else {
        return Json(error_response(
            Value::Null,
            &RpcError::new(-32700, "parse error: the body is not JSON"),
        ));
    };
    match request {
        Value::Array(items) => {
            if items.is_empty() || items.len() > MAX_BATCH {
                return Json(error_response(
                    Value::Null,
                    &RpcError::new(-32600, format!("a batch holds 1..={MAX_BATCH} requests")),
                ));
            }
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                out.push(one(&rollup, item).await);
            }
            Json(Value::Array(out))
        }
        other => Json(one(&rollup, other).await),
    }
}

fn error_response(id: Value, e: &RpcError) -> Value {
    json!({ "jsonrpc": "2.0", "id": id, "error": { "code": e.code, "message": e.message } })
}

async fn one(rollup: &Rollup, request: Value) -> Value {
    let id = request.get("id").cloned().unwrap_or(Value::Null);
    let Some(method) = request.get("method").and_then(Value::as_str) else {
        return error_response(id, &RpcError::new(-32600, "invalid request: no method"));
    };
    let params = match request.get("params") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(p)) => p.clone(),
        Some(_) => return error_response(id, &RpcError::params("params must be an array")),
    };
    match dispatch(rollup, method, &params).await {
        Ok(result) => json!({ "jsonrpc": "2.0", "id": id, "result": result }),
        Err(e) => error_response(id, &e),
    }
}

fn quantity(v: impl Into<u128>) -> Value {
    Value::String(format!("{:#x}", v.into()))
}

fn param<'a>(params: &'a [Value], i: usize, what: &str) -> Result<&'a Value, RpcError> {
    params
        .get(i)
        .ok_or_else(|| RpcError::params(format!("missing parameter {i}: {what}")))
}

fn address_param(params: &[Value], i: usize) -> Result<Address, RpcError> {
    let v = param(params, i, "address")?;
    serde_json::from_value(v.clone())
        .map_err(|_| RpcError::params("invalid address: expected 0x + 40 hex digits"))
}

fn hash_param(params: &[Value], i: usize) -> Result<B256, RpcError> {
    let v = param(params, i, "hash")?;
    serde_json::from_value(v.clone())
        .map_err(|_| RpcError::params("invalid hash: expected 0x + 64 hex digits"))
}

fn parse_quantity(s: &str) -> Option<u64> {
    u64::from_str_radix(s.strip_prefix("0x")?, 16).ok()
}

/// A block tag or number, resolved against the latest executed height.
fn block_number(rollup: &Rollup, v: Option<&Value>) -> Result<u64, RpcError> {
    let latest = rollup.block_number();
    match v.and_then(Value::as_str) {
        None | Some("latest" | "pending" | "safe" | "finalized") => Ok(latest),
        Some("earliest") => Ok(0),
        Some(s) => {
            parse_quantity(s).ok_or_else(|| RpcError::params(format!("invalid block number {s:?}")))
        }
    }
}

/// State queries answer for the latest block only.
fn state_block(rollup: &Rollup, v: Option<&Value>) -> Result<(), RpcError> {
    let n = block_number(rollup, v)?;
    if n != rollup.block_number() {
        return Err(RpcError::new(
            -32000,
            format!("historical state is not kept: block {n} is not the latest"),
        ));
    }
    Ok(())
}

async fn dispatch(rollup: &Rollup, method: &str, p: &[Value]) -> Result<Value, RpcError> {
    let g = &rollup.config().genesis;
    match method {
        "eth_chainId" => Ok(quantity(g.chain_id)),
        "net_version" => Ok(Value::String(g.chain_id.to_string())),
        "web3_clientVersion" => Ok(Value::String(format!(
            "sq-rollup/{}",
            env!("CARGO_PKG_VERSION")
        ))),
        "eth_syncing" => Ok(Value::Bool(false)),
        "eth_accounts" => Ok(json!([])),
        "eth_blockNumber" => Ok(quantity(rollup.block_number())),
        "eth_getBalance" => {
            let a = address_param(p, 0)?;
            state_block(rollup, p.get(1))?;
            Ok(quantity(rollup.account(&a).balance))
        }
        "eth_getTransactionCount" => {
            let a = address_param(p, 0)?;
            let view = rollup.account(&a);
            if p.get(1).and_then(Value::as_str) == Some("pending") {
                return Ok(quantity(view.pending_nonce));
            }
            state_block(rollup, p.get(1))?;
            Ok(quantity(view.nonce))
        }
        "eth_getCode" => {
            address_param(p, 0)?;
            Ok(Value::String("0x".into()))
        }
        "eth_gasPrice" => Ok(quantity(
            g.base_fee.saturating_add(rollup.config().suggested_tip),
        )),
        "eth_maxPriorityFeePerGas" => Ok(quantity(rollup.config().suggested_tip)),
        "eth_estimateGas" => estimate_gas(p),
        "eth_feeHistory" => fee_history(rollup, p),
        "eth_sendRawTransaction" => {
            let v = param(p, 0, "raw transaction")?;
            let raw: Bytes = serde_json::from_value(v.clone()).map_err(|_| {
                RpcError::params("invalid raw transaction: expected 0x-prefixed hex")
            })?;
            let hash = rollup.submit(&raw).await?;
            Ok(Value::String(format!("{hash:#x}")))
        }
        "eth_getTransactionReceipt" => {
            let h = hash_param(p, 0)?;
            match rollup.receipt(&h).await.map_err(RpcError::internal)? {
                Some(r) => receipt_json(&r),
                None => Ok(Value::Null),
            }
        }
        "eth_getTransactionByHash" => {
            let h = hash_param(p, 0)?;
            if let Some(r) = rollup.receipt(&h).await.map_err(RpcError::internal)? {
                return transaction_json(
                    &r.raw,
                    r.from,
                    Some((r.block_hash, r.block_number, r.index)),
                    r.effective_gas_price,
                );
            }
            match rollup.pending_tx(&h) {
                Some(pending) => transaction_json(&pending.tx.raw, pending.tx.from, None, 0),
                None => Ok(Value::Null),
            }
        }
        "eth_getBlockByNumber" => {
            let n = block_number(rollup, p.first())?;
            let full = p.get(1).and_then(Value::as_bool).unwrap_or(false);
            match rollup.block(n).await.map_err(RpcError::internal)? {
                Some(b) => block_json(rollup, &b, full).await,
                None if n == 0 => Ok(genesis_block(rollup)),
                None => Ok(Value::Null),
            }
        }
        other => Err(RpcError::new(
            -32601,
            format!("the method {other} does not exist/is not available"),
        )),
    }
}

fn estimate_gas(p: &[Value]) -> Result<Value, RpcError> {
    let call = param(p, 0, "transaction")?;
    let data = call
        .get("input")
        .or_else(|| call.get("data"))
        .and_then(Value::as_str)
        .unwrap_or("0x");
    if data != "0x" && !data.is_empty() {
        return Err(RpcError::new(
            -32000,
            "calldata is not supported: this rollup only runs plain value transfers",
        ));
    }
    if call.get("to").is_none_or(Value::is_null) {
        return Err(RpcError::new(
            -32000,
            "contract creation is not supported: this rollup only runs plain value transfers",
        ));
    }
    Ok(quantity(crate::tx::TRANSFER_GAS))
}

fn fee_history(rollup: &Rollup, p: &[Value]) -> Result<Value, RpcError> {
    let count = match param(p, 0, "block count")? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => parse_quantity(s),
        _ => None,
    }
    .ok_or_else(|| RpcError::params("invalid block count"))?
    .clamp(1, 1024);
    let newest = block_number(rollup, p.get(1))?.min(rollup.block_number());
    let count = count.min(newest + 1);
    let oldest = newest + 1 - count;
    let base = quantity(rollup.config().genesis.base_fee);
    let percentiles = p.get(2).and_then(Value::as_array).map_or(0, Vec::len);
    let tip = quantity(rollup.config().suggested_tip);
    Ok(json!({
        "oldestBlock": quantity(oldest),
        "baseFeePerGas": vec![base; count as usize + 1],
        "gasUsedRatio": vec![0.0; count as usize],
        "reward": vec![vec![tip; percentiles]; count as usize],
    }))
}

fn envelope(raw: &[u8]) -> Result<TxEnvelope, RpcError> {
    let mut buf = raw;
    TxEnvelope::decode_2718(&mut buf).map_err(RpcError::internal)
}

/// The RPC view of a transaction; `at` = (block hash, block number, index) once executed.
fn rpc_transaction(
    raw: &[u8],
    from: Address,
    at: Option<(B256, u64, u32)>,
    effective_gas_price: u128,
) -> Result<Transaction, RpcError> {
    Ok(Transaction {
        inner: Recovered::new_unchecked(envelope(raw)?, from),
        block_hash: at.map(|a| a.0),
        block_number: at.map(|a| a.1),
        transaction_index: at.map(|a| u64::from(a.2)),
        effective_gas_price: at.map(|_| effective_gas_price),
    })
}

fn transaction_json(
    raw: &[u8],
    from: Address,
    at: Option<(B256, u64, u32)>,
    effective_gas_price: u128,
) -> Result<Value, RpcError> {
    serde_json::to_value(rpc_transaction(raw, from, at, effective_gas_price)?)
        .map_err(RpcError::internal)
}

fn receipt_json(r: &ReceiptRecord) -> Result<Value, RpcError> {
    let receipt = ReceiptWithBloom {
        receipt: Receipt {
            status: Eip658Value::Eip658(r.success),
            cumulative_gas_used: r.gas_used,
            logs: Vec::<alloy::rpc::types::Log>::new(),
        },
        logs_bloom: Bloom::ZERO,
    };
    let inner = match envelope(&r.raw)? {
        TxEnvelope::Legacy(_) => ReceiptEnvelope::Legacy(receipt),
        _ => ReceiptEnvelope::Eip1559(receipt),
    };
    let full = TransactionReceipt {
        inner,
        transaction_hash: r.hash,
        transaction_index: Some(u64::from(r.index)),
        block_hash: Some(r.block_hash),
        block_number: Some(r.block_number),
        gas_used: r.gas_used,
        effective_gas_price: r.effective_gas_price,
        blob_gas_used: None,
        blob_gas_price: None,
        from: r.from,
        to: Some(r.to),
        contract_address: None,
    };
    let mut v = serde_json::to_value(full).map_err(RpcError::internal)?;
    if let (Some(err), Some(obj)) = (&r.error, v.as_object_mut()) {
        // Not a standard field; explorers and our tests read it. Wallets ignore it.
        obj.insert("revertReason".into(), Value::String(err.clone()));
    }
    Ok(v)
}

async fn block_json(rollup: &Rollup, b: &BlockRecord, full: bool) -> Result<Value, RpcError> {
    let g = &rollup.config().genesis;
    let header = eth_header(b, g.base_fee, g.fee_recipient);
    let transactions = if full {
        let mut txs = Vec::with_capacity(b.transactions.len());
        for h in &b.transactions {
            if let Some(r) = rollup.receipt(h).await.map_err(RpcError::internal)? {
                txs.push(rpc_transaction(
                    &r.raw,
                    r.from,
                    Some((b.hash, b.number, r.index)),
                    r.effective_gas_price,
                )?);
            }
        }
        BlockTransactions::Full(txs)
    } else {
        BlockTransactions::Hashes(b.transactions.clone())
    };
    let block = Block {
        header: Header {
            hash: b.hash,
            inner: header,
            total_difficulty: Some(U256::ZERO),
            size: None,
        },
        uncles: Vec::new(),
        transactions,
        withdrawals: None,
    };
    serde_json::to_value(block).map_err(RpcError::internal)
}

fn genesis_block(rollup: &Rollup) -> Value {
    let g = &rollup.config().genesis;
    let record = BlockRecord {
        number: 0,
        hash: B256::ZERO,
        parent_hash: B256::ZERO,
        timestamp: 0,
        state_root: crate::state::State::genesis(g)
            .map(|s| s.root())
            .unwrap_or_default(),
        transactions: Vec::new(),
        gas_used: 0,
        bytes: 0,
        timestamp_ms: 0,
        witness: Vec::new(),
    };
    let header = eth_header(&record, g.base_fee, g.fee_recipient);
    let hash = header.hash_slow();
    let block: Block = Block {
        header: Header {
            hash,
            inner: header,
            total_difficulty: Some(U256::ZERO),
            size: None,
        },
        uncles: Vec::new(),
        transactions: BlockTransactions::Hashes(Vec::new()),
        withdrawals: None,
    };
    serde_json::to_value(block).unwrap_or(Value::Null)
}
