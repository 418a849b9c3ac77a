//! The implementation of [`EthApiServer`] over a running [`crate::Rollup`].

use alloy::eips::{BlockId, BlockNumberOrTag};
use alloy::primitives::{Address, Bytes, TxKind, B256, U256, U64};
use alloy::rpc::types::{
    Block, FeeHistory, Filter, FilterBlockOption, Index, Log, Transaction, TransactionRequest,
};
use jsonrpsee::core::{async_trait, RpcResult};

use super::api::{EthApiServer, RollupReceipt};
use super::error::RpcError;
use super::objects;
use super::params::{
    check_percentiles, is_pending, resolve_tag, BlockCount, MAX_FEE_HISTORY_BLOCKS,
};
pub(crate) use super::reader::EthHandler;
use super::reader::Loaded;
use crate::tx::TRANSFER_GAS;

fn block_object(b: Option<Loaded>, full: Option<bool>) -> RpcResult<Option<Block>> {
    let full = full.unwrap_or(false);
    let block = b.map(|b| objects::block(b.header, b.hash, &b.receipts, full));
    Ok(block.transpose()?)
}

fn nth_transaction(b: Option<Loaded>, index: Index) -> RpcResult<Option<Transaction>> {
    let r = b.and_then(|b| b.receipts.into_iter().nth(index.0));
    Ok(r.as_ref().map(objects::executed_transaction).transpose()?)
}

fn count(b: Option<Loaded>) -> Option<U64> {
    b.map(|b| U64::from(b.receipts.len()))
}

#[async_trait]
impl EthApiServer for EthHandler {
    async fn chain_id(&self) -> RpcResult<U64> {
        Ok(U64::from(self.rollup.config().genesis.chain_id))
    }

    async fn net_version(&self) -> RpcResult<String> {
        Ok(self.rollup.config().genesis.chain_id.to_string())
    }

    async fn client_version(&self) -> RpcResult<String> {
        Ok(format!("sq-rollup/{}", env!("CARGO_PKG_VERSION")))
    }

    async fn syncing(&self) -> RpcResult<bool> {
        Ok(false)
    }

    async fn accounts(&self) -> RpcResult<Vec<Address>> {
        Ok(Vec::new())
    }

    async fn block_number(&self) -> RpcResult<U64> {
        Ok(U64::from(self.latest()))
    }

    async fn balance(&self, address: Address, block: Option<BlockId>) -> RpcResult<U256> {
        self.state_block(block).await?;
        Ok(U256::from(self.rollup.account(&address).balance))
    }

    async fn transaction_count(&self, address: Address, block: Option<BlockId>) -> RpcResult<U64> {
        let view = self.rollup.account(&address);
        if is_pending(block.as_ref()) {
            return Ok(U64::from(view.pending_nonce));
        }
        self.state_block(block).await?;
        Ok(U64::from(view.nonce))
    }

    async fn code(&self, _address: Address, _block: Option<BlockId>) -> RpcResult<Bytes> {
        Ok(Bytes::new())
    }

    async fn gas_price(&self) -> RpcResult<U256> {
        let c = self.rollup.config();
        Ok(U256::from(
            c.genesis.base_fee.saturating_add(c.suggested_tip),
        ))
    }

    async fn max_priority_fee_per_gas(&self) -> RpcResult<U256> {
        Ok(U256::from(self.rollup.config().suggested_tip))
    }

    async fn estimate_gas(
        &self,
        request: TransactionRequest,
        _: Option<BlockId>,
    ) -> RpcResult<U64> {
        if request.input.input().is_some_and(|d| !d.is_empty()) {
            return Err(RpcError::refused(
                "calldata is not supported: this rollup only runs plain value transfers",
            )
            .into());
        }
        if !matches!(request.to, Some(TxKind::Call(_))) {
            return Err(RpcError::refused(
                "contract creation is not supported: this rollup only runs plain value transfers",
            )
            .into());
        }
        Ok(U64::from(TRANSFER_GAS))
    }

    async fn fee_history(
        &self,
        block_count: BlockCount,
        newest_block: Option<BlockNumberOrTag>,
        reward_percentiles: Option<Vec<f64>>,
    ) -> RpcResult<FeeHistory> {
        let percentiles = reward_percentiles.unwrap_or_default();
        check_percentiles(&percentiles)?;
        let latest = self.latest();
        let newest = newest_block.map_or(latest, |t| resolve_tag(t, latest).min(latest));
        let count = block_count
            .0
            .clamp(1, MAX_FEE_HISTORY_BLOCKS)
            .min(newest + 1);
        let c = self.rollup.config();
        let n = count as usize;
        Ok(FeeHistory {
            base_fee_per_gas: vec![c.genesis.base_fee; n + 1],
            gas_used_ratio: vec![0.0; n],
            base_fee_per_blob_gas: Vec::new(),
            blob_gas_used_ratio: Vec::new(),
            oldest_block: newest + 1 - count,
            reward: Some(vec![vec![c.suggested_tip; percentiles.len()]; n]),
        })
    }

    async fn send_raw_transaction(&self, raw: Bytes) -> RpcResult<B256> {
        Ok(self.rollup.submit(&raw).await.map_err(RpcError::from)?)
    }

    async fn transaction_by_hash(&self, hash: B256) -> RpcResult<Option<Transaction>> {
        if let Some(r) = self.rollup.receipt(&hash).await.map_err(RpcError::from)? {
            return Ok(Some(objects::executed_transaction(&r)?));
        }
        let pending = self.rollup.pending_tx(&hash);
        Ok(pending
            .as_ref()
            .map(objects::pending_transaction)
            .transpose()?)
    }

    async fn transaction_receipt(&self, hash: B256) -> RpcResult<Option<RollupReceipt>> {
        let Some(r) = self.rollup.receipt(&hash).await.map_err(RpcError::from)? else {
            return Ok(None);
        };
        let cumulative = self.cumulative_gas(&r).await?;
        Ok(Some(objects::receipt(&r, cumulative)?))
    }

    async fn block_by_number(
        &self,
        block: BlockNumberOrTag,
        full: Option<bool>,
    ) -> RpcResult<Option<Block>> {
        block_object(self.load(resolve_tag(block, self.latest())).await?, full)
    }

    async fn block_by_hash(&self, hash: B256, full: Option<bool>) -> RpcResult<Option<Block>> {
        block_object(self.load_by_hash(&hash).await?, full)
    }

    async fn block_transaction_count_by_number(
        &self,
        block: BlockNumberOrTag,
    ) -> RpcResult<Option<U64>> {
        Ok(count(self.load(resolve_tag(block, self.latest())).await?))
    }

    async fn block_transaction_count_by_hash(&self, hash: B256) -> RpcResult<Option<U64>> {
        Ok(count(self.load_by_hash(&hash).await?))
    }

    async fn transaction_by_block_number_and_index(
        &self,
        block: BlockNumberOrTag,
        index: Index,
    ) -> RpcResult<Option<Transaction>> {
        nth_transaction(self.load(resolve_tag(block, self.latest())).await?, index)
    }

    async fn transaction_by_block_hash_and_index(
        &self,
        hash: B256,
        index: Index,
    ) -> RpcResult<Option<Transaction>> {
        nth_transaction(self.load_by_hash(&hash).await?, index)
    }

    async fn logs(&self, filter: Filter) -> RpcResult<Vec<Log>> {
        match filter.block_option {
            FilterBlockOption::AtBlockHash(h) => {
                if self.number_of(&h).await?.is_none() {
                    return Err(RpcError::refused(format!("unknown block {h:#x}")).into());
                }
            }
            FilterBlockOption::Range {
                from_block,
                to_block,
            } => {
                let latest = self.latest();
                let from = from_block.map_or(latest, |t| resolve_tag(t, latest));
                let to = to_block.map_or(latest, |t| resolve_tag(t, latest));
                if from > to {
                    return Err(RpcError::params(format!(
                        "invalid block range: fromBlock {from} is after toBlock {to}"
                    ))
                    .into());
                }
            }
        }
        Ok(Vec::new())
    }
}
