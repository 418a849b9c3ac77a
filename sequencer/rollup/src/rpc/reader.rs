//! Reads blocks, receipts and block ids for the methods: the rollup's records resolved to
//! what the execution-apis objects need.

use std::sync::Arc;

use alloy::consensus::Header as ConsensusHeader;
use alloy::eips::BlockId;
use alloy::primitives::B256;

use super::error::RpcError;
use super::hash_index::HashIndex;
use super::objects;
use super::params::resolve_tag;
use crate::chain::eth_header;
use crate::records::ReceiptRecord;
use crate::service::Rollup;
use crate::tx::TRANSFER_GAS;

/// A block as the methods need it: its header, hash and receipts in order.
pub(super) struct Loaded {
    pub(super) header: ConsensusHeader,
    pub(super) hash: B256,
    pub(super) receipts: Vec<ReceiptRecord>,
}

/// Serves the rollup's JSON-RPC.
pub(crate) struct EthHandler {
    pub(super) rollup: Rollup,
    index: Arc<HashIndex>,
    genesis: ConsensusHeader,
    genesis_hash: B256,
}

impl EthHandler {
    pub(crate) fn new(rollup: Rollup) -> EthHandler {
        let g = &rollup.config().genesis;
        let root = crate::state::State::genesis(g)
            .map(|s| s.root())
            .unwrap_or_default();
        let genesis = eth_header(&objects::genesis_record(root), g.base_fee, g.fee_recipient);
        let genesis_hash = genesis.hash_slow();
        EthHandler {
            rollup,
            index: Arc::default(),
            genesis,
            genesis_hash,
        }
    }

    pub(super) fn latest(&self) -> u64 {
        self.rollup.block_number()
    }

    /// The number of the block with `hash`, if executed.
    pub(super) async fn number_of(&self, hash: &B256) -> Result<Option<u64>, RpcError> {
        if *hash == self.genesis_hash {
            return Ok(Some(0));
        }
        Ok(self.index.number_of(&self.rollup, hash).await?)
    }

    /// A block id resolved to a number; an unknown hash is refused with -32000.
    pub(super) async fn resolve(&self, block: Option<BlockId>) -> Result<u64, RpcError> {
        match block {
            None => Ok(self.latest()),
            Some(BlockId::Number(tag)) => Ok(resolve_tag(tag, self.latest())),
            Some(BlockId::Hash(h)) => self
                .number_of(&h.block_hash)
                .await?
                .ok_or_else(|| RpcError::refused(format!("unknown block {:#x}", h.block_hash))),
        }
    }

    /// State queries answer for the latest block only.
    pub(super) async fn state_block(&self, block: Option<BlockId>) -> Result<(), RpcError> {
        let n = self.resolve(block).await?;
        if n != self.latest() {
            return Err(RpcError::refused(format!(
                "historical state is not kept: block {n} is not the latest"
            )));
        }
        Ok(())
    }

    /// Block `n` with its receipts; `None` above the last executed block.
    pub(super) async fn load(&self, n: u64) -> Result<Option<Loaded>, RpcError> {
        let Some(b) = self.rollup.block(n).await? else {
            return Ok((n == 0).then(|| Loaded {
                header: self.genesis.clone(),
                hash: self.genesis_hash,
                receipts: Vec::new(),
            }));
        };
        let mut receipts = Vec::with_capacity(b.transactions.len());
        for h in &b.transactions {
            receipts.extend(self.rollup.receipt(h).await?);
        }
        let g = &self.rollup.config().genesis;
        Ok(Some(Loaded {
            header: eth_header(&b, g.base_fee, g.fee_recipient),
            hash: b.hash,
            receipts,
        }))
    }

    pub(super) async fn load_by_hash(&self, hash: &B256) -> Result<Option<Loaded>, RpcError> {
        match self.number_of(hash).await? {
            Some(n) => self.load(n).await,
            None => Ok(None),
        }
    }

    /// Gas used by `r` and every earlier transaction of its block.
    pub(super) async fn cumulative_gas(&self, r: &ReceiptRecord) -> Result<u64, RpcError> {
        let Some(b) = self.rollup.block(r.block_number).await? else {
            return Ok(r.gas_used);
        };
        if b.gas_used == TRANSFER_GAS * b.transactions.len() as u64 {
            // Every transaction succeeded: each used the same gas.
            return Ok(TRANSFER_GAS * (u64::from(r.index) + 1));
        }
        let mut total = 0;
        for h in b.transactions.iter().take(r.index as usize + 1) {
            total += self.rollup.receipt(h).await?.map_or(0, |e| e.gas_used);
        }
        Ok(total)
    }
}
