//! Leaves: a header together with the QC that justifies its parent.

use crate::codec::{Decode, DecodeError, Encode, Reader};
use crate::{Commitment, Header, QuorumCertificate};

/// A leaf of the chain (HotShot paper §3): a block header plus the QC for its parent.
///
/// The leaf commitment is the header commitment. `justify_qc` is not part of it: the header
/// already commits to the parent (`header.parent == justify_qc.leaf`), and the QC is a
/// self-certifying proof about that parent, checked by [`Leaf::check_links`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Leaf {
    /// The block header.
    pub header: Header,
    /// The QC certifying the parent leaf.
    pub justify_qc: QuorumCertificate,
}

/// Why a leaf's header does not follow from its justify QC.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum LeafError {
    /// `header.parent` differs from the QC's leaf.
    #[error("header parent {parent} is not the justified leaf {justified}")]
    WrongParent {
        /// The header's parent.
        parent: Commitment,
        /// The leaf the QC certifies.
        justified: Commitment,
    },
    /// `header.height` is not the QC's height plus one.
    #[error("height {height} does not follow justified height {justified}")]
    WrongHeight {
        /// The header's height.
        height: u64,
        /// The QC's height.
        justified: u64,
    },
    /// The header's view is not after the QC's view.
    #[error("view {view} is not after the justified view {justified}")]
    WrongView {
        /// The header's view.
        view: u64,
        /// The QC's view.
        justified: u64,
    },
}

impl Leaf {
    /// The genesis leaf: the genesis header justified by the genesis QC of itself.
    #[must_use]
    pub fn genesis() -> Leaf {
        let header = Header::genesis();
        let justify_qc = QuorumCertificate::genesis(header.commit());
        Leaf { header, justify_qc }
    }

    /// The leaf commitment (= the header commitment).
    #[must_use]
    pub fn commit(&self) -> Commitment {
        self.header.commit()
    }

    /// Checks that the header extends the leaf its justify QC certifies: same parent commitment,
    /// height one more, view strictly greater.
    ///
    /// # Errors
    /// [`LeafError`].
    pub fn check_links(&self) -> Result<(), LeafError> {
        let (h, qc) = (&self.header, &self.justify_qc);
        if h.parent != qc.leaf {
            return Err(LeafError::WrongParent {
                parent: h.parent,
                justified: qc.leaf,
            });
        }
        if h.height.0 != qc.height.0.saturating_add(1) {
            return Err(LeafError::WrongHeight {
                height: h.height.0,
                justified: qc.height.0,
            });
        }
        if h.view <= qc.view {
            return Err(LeafError::WrongView {
                view: h.view.0,
                justified: qc.view.0,
            });
        }
        Ok(())
    }
}

impl Encode for Leaf {
    /// Layout: header, then justify QC.
    fn encode_to(&self, out: &mut Vec<u8>) {
        self.header.encode_to(out);
        self.justify_qc.encode_to(out);
    }
}

impl Decode for Leaf {
    fn decode_from(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Leaf {
            header: Header::decode_from(r)?,
            justify_qc: QuorumCertificate::decode_from(r)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Height, View};

    fn child_of(parent: &Leaf) -> Leaf {
        let mut qc = QuorumCertificate::genesis(parent.commit());
        qc.view = parent.header.view;
        qc.height = parent.header.height;
        let mut header = Header::genesis();
        header.height = parent.header.height.next();
        header.view = parent.header.view.next();
        header.parent = parent.commit();
        Leaf {
            header,
            justify_qc: qc,
        }
    }

    #[test]
    fn links_are_checked() {
        let g = Leaf::genesis();
        let c = child_of(&g);
        assert_eq!(c.check_links(), Ok(()));
        let mut bad = c.clone();
        bad.header.parent = Commitment([3; 32]);
        assert!(matches!(
            bad.check_links(),
            Err(LeafError::WrongParent { .. })
        ));
        let mut bad = c.clone();
        bad.header.height = Height(5);
        assert!(matches!(
            bad.check_links(),
            Err(LeafError::WrongHeight { .. })
        ));
        let mut bad = c;
        bad.header.view = View(0);
        assert!(matches!(
            bad.check_links(),
            Err(LeafError::WrongView { .. })
        ));
    }

    #[test]
    fn round_trip() {
        let c = child_of(&Leaf::genesis());
        assert_eq!(Leaf::decode(&c.encode()), Ok(c));
    }
}
