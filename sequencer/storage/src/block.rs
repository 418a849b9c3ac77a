//! What one decide hands to storage.

use sq_types::{Leaf, QuorumCertificate, Transaction};

use crate::StorageError;

/// Everything stored for one decided height, written atomically by
/// [`crate::Storage::insert_decided`].
///
/// `payload`, `vid_common` and `vid_share` are opaque bytes: the DA layer defines their
/// encoding. A node that did not receive the payload or its VID share stores `None`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecidedBlock {
    /// The decided leaf; its `header.height` is the row key.
    pub leaf: Leaf,
    /// The QC certifying `leaf` (`qc.leaf == leaf.commit()`, `qc.height == leaf.header.height`).
    pub qc: QuorumCertificate,
    /// The block payload, if this node has it.
    pub payload: Option<Vec<u8>>,
    /// The VID common data. Stored only together with `vid_share`: both or neither.
    pub vid_common: Option<Vec<u8>>,
    /// This node's VID share. Stored only together with `vid_common`: both or neither.
    pub vid_share: Option<Vec<u8>>,
    /// The block's transactions in payload order; stored with indices `0..`.
    pub transactions: Vec<Transaction>,
}

impl DecidedBlock {
    /// Checks that the QC certifies the leaf and that the VID fields come as a pair.
    ///
    /// # Errors
    /// [`StorageError::InvalidBlock`] naming the first inconsistency.
    pub fn validate(&self) -> Result<(), StorageError> {
        let height = self.leaf.header.height;
        let invalid = |reason| Err(StorageError::InvalidBlock { height, reason });
        if self.qc.leaf != self.leaf.commit() {
            return invalid("the QC certifies another leaf");
        }
        if self.qc.height != height {
            return invalid("the QC's height differs from the leaf's");
        }
        if self.vid_common.is_some() != self.vid_share.is_some() {
            return invalid("vid_common and vid_share must be both present or both absent");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sq_types::{Commitment, Height};

    fn genesis_block() -> DecidedBlock {
        let leaf = Leaf::genesis();
        let qc = QuorumCertificate::genesis(leaf.commit());
        DecidedBlock {
            leaf,
            qc,
            payload: None,
            vid_common: None,
            vid_share: None,
            transactions: vec![],
        }
    }

    #[test]
    fn inconsistent_blocks_are_rejected() {
        assert!(genesis_block().validate().is_ok());
        let mut b = genesis_block();
        b.qc.leaf = Commitment([1; 32]);
        assert!(matches!(
            b.validate(),
            Err(StorageError::InvalidBlock { .. })
        ));
        let mut b = genesis_block();
        b.qc.height = Height(1);
        assert!(b.validate().is_err());
        let mut b = genesis_block();
        b.vid_share = Some(vec![1]);
        assert!(b.validate().is_err());
    }
}
