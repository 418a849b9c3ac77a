//! Newtypes for the protocol's integers, so that a view can never be passed where a height is
//! expected.

use std::fmt;

/// A consensus view (HotShot paper §3: one leader per view). Views start at 0 for genesis and
/// increase by one at every view change.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct View(pub u64);

/// The height of a block in the decided chain. Genesis is height 0.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Height(pub u64);

/// A rollup namespace: the transactions of one rollup inside a block payload.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NamespaceId(pub u64);

/// The position of a node in the stake table (0-based). Signer bitmaps are indexed by it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeIndex(pub u32);

impl View {
    /// The next view. Saturates at `u64::MAX` rather than wrapping.
    #[must_use]
    pub fn next(self) -> View {
        View(self.0.saturating_add(1))
    }
    /// The previous view, or `None` for view 0.
    #[must_use]
    pub fn prev(self) -> Option<View> {
        self.0.checked_sub(1).map(View)
    }
}

impl Height {
    /// The next height. Saturates at `u64::MAX` rather than wrapping.
    #[must_use]
    pub fn next(self) -> Height {
        Height(self.0.saturating_add(1))
    }
}

impl NodeIndex {
    /// The index as a `usize`, for slicing the stake table.
    #[must_use]
    pub fn as_usize(self) -> usize {
        self.0 as usize
    }
}

macro_rules! display_inner {
    ($($t:ty),*) => {$(
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}
display_inner!(View, Height, NamespaceId, NodeIndex);
