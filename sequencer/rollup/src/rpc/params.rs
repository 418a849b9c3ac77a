//! Parameter types the server trait takes that alloy does not provide, and the rules that
//! resolve block tags against the executed chain. Deserialisation is strict: a value of the
//! wrong type, a quantity without `0x`, an unknown tag, a short address or hash fails, and
//! jsonrpsee answers -32602 with the reason in `data`.

use alloy::eips::{BlockId, BlockNumberOrTag};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::error::RpcError;

/// Most blocks one `eth_feeHistory` call reports (larger counts are clamped, as geth does).
pub const MAX_FEE_HISTORY_BLOCKS: u64 = 1024;

/// `eth_feeHistory`'s block count: a hex quantity (`"0x5"`) or, as geth also accepts, a
/// JSON number (`5`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockCount(pub u64);

impl Serialize for BlockCount {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("{:#x}", self.0))
    }
}

impl<'de> Deserialize<'de> for BlockCount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<BlockCount, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Number(u64),
            Text(String),
        }
        let bad = || serde::de::Error::custom("invalid block count: expected a hex quantity");
        match Raw::deserialize(d).map_err(|_| bad())? {
            Raw::Number(n) => Ok(BlockCount(n)),
            Raw::Text(s) => parse_quantity(&s).map(BlockCount).ok_or_else(bad),
        }
    }
}

/// A hex quantity (`0x` + 1–16 hex digits) as a `u64`.
pub fn parse_quantity(s: &str) -> Option<u64> {
    let digits = s.strip_prefix("0x")?;
    if digits.is_empty() || digits.len() > 16 {
        return None;
    }
    u64::from_str_radix(digits, 16).ok()
}

/// Resolves a block number or tag against the latest executed height `latest`: `latest`,
/// `pending`, `safe` and `finalized` are the latest block (a decided block is final),
/// `earliest` is block 0.
pub fn resolve_tag(tag: BlockNumberOrTag, latest: u64) -> u64 {
    match tag {
        BlockNumberOrTag::Number(n) => n,
        BlockNumberOrTag::Earliest => 0,
        BlockNumberOrTag::Latest
        | BlockNumberOrTag::Pending
        | BlockNumberOrTag::Safe
        | BlockNumberOrTag::Finalized => latest,
    }
}

/// Whether a state query names the pending state (`"pending"`).
pub fn is_pending(block: Option<&BlockId>) -> bool {
    matches!(block, Some(BlockId::Number(BlockNumberOrTag::Pending)))
}

/// Checks `eth_feeHistory`'s reward percentiles: each in 0..=100, in ascending order.
///
/// # Errors
/// -32602 naming the rule broken.
pub fn check_percentiles(percentiles: &[f64]) -> Result<(), RpcError> {
    if percentiles.iter().any(|p| !(0.0..=100.0).contains(p)) {
        return Err(RpcError::params("reward percentiles must lie in 0..=100"));
    }
    if percentiles.windows(2).any(|w| w[0] > w[1]) {
        return Err(RpcError::params("reward percentiles must be ascending"));
    }
    Ok(())
}
