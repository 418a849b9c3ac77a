//! The served methods, declared once: jsonrpsee derives the server trait
//! ([`EthApiServer`]) and a typed client ([`EthApiClient`]) from this declaration.
//!
//! Parameters and results are alloy's types, which (de)serialise the execution-apis field
//! names and formats; a parameter that does not deserialise is refused with -32602.

use alloy::eips::{BlockId, BlockNumberOrTag};
use alloy::primitives::{Address, Bytes, B256, U256, U64};
use alloy::rpc::types::{
    Block, FeeHistory, Filter, Index, Log, Transaction, TransactionReceipt, TransactionRequest,
};
use jsonrpsee::core::RpcResult;
use jsonrpsee::proc_macros::rpc;
use serde::{Deserialize, Serialize};

use super::params::BlockCount;

/// A receipt as this rollup serves it: the spec's receipt plus, for a failed transfer,
/// `revertReason` (not a standard field; explorers and our tests read it, wallets ignore it).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RollupReceipt {
    /// The spec's fields.
    #[serde(flatten)]
    pub receipt: TransactionReceipt,
    /// Why the transfer failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revert_reason: Option<String>,
}

/// The Ethereum JSON-RPC subset of the example rollup (`eth_`, `net_`, `web3_`).
#[rpc(server, client)]
pub trait EthApi {
    /// `eth_chainId`: the EIP-155 chain id.
    #[method(name = "eth_chainId")]
    async fn chain_id(&self) -> RpcResult<U64>;

    /// `net_version`: the chain id in decimal.
    #[method(name = "net_version")]
    async fn net_version(&self) -> RpcResult<String>;

    /// `web3_clientVersion`: `sq-rollup/<version>`.
    #[method(name = "web3_clientVersion")]
    async fn client_version(&self) -> RpcResult<String>;

    /// `eth_syncing`: always `false` (the rollup serves what it executed).
    #[method(name = "eth_syncing")]
    async fn syncing(&self) -> RpcResult<bool>;

    /// `eth_accounts`: always empty (the server holds no keys).
    #[method(name = "eth_accounts")]
    async fn accounts(&self) -> RpcResult<Vec<Address>>;

    /// `eth_blockNumber`: the last executed block.
    #[method(name = "eth_blockNumber")]
    async fn block_number(&self) -> RpcResult<U64>;

    /// `eth_getBalance`: balance at the latest block (older blocks: -32000).
    #[method(name = "eth_getBalance")]
    async fn balance(&self, address: Address, block: Option<BlockId>) -> RpcResult<U256>;

    /// `eth_getTransactionCount`: the nonce at the latest block, or after the sender's
    /// pending transactions for `"pending"`.
    #[method(name = "eth_getTransactionCount")]
    async fn transaction_count(&self, address: Address, block: Option<BlockId>) -> RpcResult<U64>;

    /// `eth_getCode`: always `0x` (no contracts).
    #[method(name = "eth_getCode")]
    async fn code(&self, address: Address, block: Option<BlockId>) -> RpcResult<Bytes>;

    /// `eth_gasPrice`: base fee plus the suggested tip.
    #[method(name = "eth_gasPrice")]
    async fn gas_price(&self) -> RpcResult<U256>;

    /// `eth_maxPriorityFeePerGas`: the suggested tip.
    #[method(name = "eth_maxPriorityFeePerGas")]
    async fn max_priority_fee_per_gas(&self) -> RpcResult<U256>;

    /// `eth_estimateGas`: 21,000 for a plain transfer; calldata or creation: -32000.
    #[method(name = "eth_estimateGas")]
    async fn estimate_gas(
        &self,
        request: TransactionRequest,
        block: Option<BlockId>,
    ) -> RpcResult<U64>;

    /// `eth_feeHistory`: a constant base fee, no congestion, the suggested tip as reward.
    #[method(name = "eth_feeHistory")]
    async fn fee_history(
        &self,
        block_count: BlockCount,
        newest_block: Option<BlockNumberOrTag>,
        reward_percentiles: Option<Vec<f64>>,
    ) -> RpcResult<FeeHistory>;

    /// `eth_sendRawTransaction`: checks and forwards a signed transfer; its hash.
    #[method(name = "eth_sendRawTransaction")]
    async fn send_raw_transaction(&self, raw: Bytes) -> RpcResult<B256>;

    /// `eth_getTransactionByHash`: executed or pending; `null` if unknown.
    #[method(name = "eth_getTransactionByHash")]
    async fn transaction_by_hash(&self, hash: B256) -> RpcResult<Option<Transaction>>;

    /// `eth_getTransactionReceipt`: `null` until executed.
    #[method(name = "eth_getTransactionReceipt")]
    async fn transaction_receipt(&self, hash: B256) -> RpcResult<Option<RollupReceipt>>;

    /// `eth_getBlockByNumber`: `null` above the last executed block.
    #[method(name = "eth_getBlockByNumber")]
    async fn block_by_number(
        &self,
        block: BlockNumberOrTag,
        full: Option<bool>,
    ) -> RpcResult<Option<Block>>;

    /// `eth_getBlockByHash`: `null` for an unknown hash.
    #[method(name = "eth_getBlockByHash")]
    async fn block_by_hash(&self, hash: B256, full: Option<bool>) -> RpcResult<Option<Block>>;

    /// `eth_getBlockTransactionCountByNumber`.
    #[method(name = "eth_getBlockTransactionCountByNumber")]
    async fn block_transaction_count_by_number(
        &self,
        block: BlockNumberOrTag,
    ) -> RpcResult<Option<U64>>;

    /// `eth_getBlockTransactionCountByHash`.
    #[method(name = "eth_getBlockTransactionCountByHash")]
    async fn block_transaction_count_by_hash(&self, hash: B256) -> RpcResult<Option<U64>>;

    /// `eth_getTransactionByBlockNumberAndIndex`.
    #[method(name = "eth_getTransactionByBlockNumberAndIndex")]
    async fn transaction_by_block_number_and_index(
        &self,
        block: BlockNumberOrTag,
        index: Index,
    ) -> RpcResult<Option<Transaction>>;

    /// `eth_getTransactionByBlockHashAndIndex`.
    #[method(name = "eth_getTransactionByBlockHashAndIndex")]
    async fn transaction_by_block_hash_and_index(
        &self,
        hash: B256,
        index: Index,
    ) -> RpcResult<Option<Transaction>>;

    /// `eth_getLogs`: plain transfers emit no logs, so a well-formed filter over known
    /// blocks gets `[]`.
    #[method(name = "eth_getLogs")]
    async fn logs(&self, filter: Filter) -> RpcResult<Vec<Log>>;
}

/// The most positional parameters each method takes; more are refused with -32602
/// (jsonrpsee ignores surplus parameters). A test checks that every served method is
/// listed.
pub const MAX_PARAMS: &[(&str, usize)] = &[
    ("eth_chainId", 0),
    ("net_version", 0),
    ("web3_clientVersion", 0),
    ("eth_syncing", 0),
    ("eth_accounts", 0),
    ("eth_blockNumber", 0),
    ("eth_getBalance", 2),
    ("eth_getTransactionCount", 2),
    ("eth_getCode", 2),
    ("eth_gasPrice", 0),
    ("eth_maxPriorityFeePerGas", 0),
    ("eth_estimateGas", 2),
    ("eth_feeHistory", 3),
    ("eth_sendRawTransaction", 1),
    ("eth_getTransactionByHash", 1),
    ("eth_getTransactionReceipt", 1),
    ("eth_getBlockByNumber", 2),
    ("eth_getBlockByHash", 2),
    ("eth_getBlockTransactionCountByNumber", 1),
    ("eth_getBlockTransactionCountByHash", 1),
    ("eth_getTransactionByBlockNumberAndIndex", 2),
    ("eth_getTransactionByBlockHashAndIndex", 2),
    ("eth_getLogs", 1),
];
