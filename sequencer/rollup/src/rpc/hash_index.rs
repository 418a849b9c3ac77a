//! Block hash → block number, for the `…ByHash` methods.
//!
//! The rollup's tables key blocks by number only, so this index lives in memory: it is
//! filled lazily, on the first lookup after a start by reading every executed block once,
//! then by reading only the blocks executed since the previous lookup. Memory: one entry
//! (40 bytes) per block. When the rollup's tables get a hash column, this module goes.

use std::collections::HashMap;

use alloy::primitives::B256;
use tokio::sync::Mutex;

use crate::service::Rollup;
use crate::store::StoreError;

/// The index; cheap to share behind an `Arc`.
#[derive(Debug, Default)]
pub(crate) struct HashIndex {
    inner: Mutex<Indexed>,
}

#[derive(Debug, Default)]
struct Indexed {
    /// Every block up to this height is in `numbers`.
    upto: u64,
    numbers: HashMap<B256, u64>,
}

impl HashIndex {
    /// The number of the executed block with `hash` (the genesis block is not indexed:
    /// callers compare with its hash themselves).
    ///
    /// # Errors
    /// [`StoreError`] when a block cannot be read; the index keeps what it read.
    pub(crate) async fn number_of(
        &self,
        rollup: &Rollup,
        hash: &B256,
    ) -> Result<Option<u64>, StoreError> {
        let mut idx = self.inner.lock().await;
        let tip = rollup.block_number();
        while idx.upto < tip {
            let n = idx.upto + 1;
            if let Some(block) = rollup.block(n).await? {
                idx.numbers.insert(block.hash, n);
            }
            idx.upto = n;
        }
        Ok(idx.numbers.get(hash).copied())
    }
}
