//! Where a relayed frame goes: the pure routing table of the CDN server.
//!
//! The router maps each [`NodeIndex`] of the complete stake table to the [`Outbox`] of its
//! live, authenticated connection. It never blocks and never buffers: an outbox either accepts
//! a frame or reports that it is full, and the router hands the full ones back to the caller,
//! which disconnects them (a slow reader must not hold memory without bound).

use crate::admission::ConnId;
use sq_types::NodeIndex;
use std::sync::Arc;

/// One encoded frame on the wire (length prefix included), shared by every recipient.
pub type Frame = Arc<[u8]>;

/// Why an [`Outbox`] did not take a frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PushError {
    /// The connection's bounded queue is full: the reader is too slow.
    Full,
    /// The connection is closing.
    Closed,
}

/// A connection's bounded send queue, seen from the router.
pub trait Outbox {
    /// Enqueues `frame` without blocking.
    ///
    /// # Errors
    /// [`PushError`] when the frame was not enqueued.
    fn try_push(&self, frame: Frame) -> Result<(), PushError>;
}

/// What one routing call did, for metrics and for disconnecting slow readers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Delivery {
    /// Recipients whose queue took the frame.
    pub delivered: usize,
    /// Recipients with no live connection (or a closing one).
    pub unreachable: usize,
    /// Recipients whose queue was full; the caller must disconnect them.
    pub overflowed: Vec<(NodeIndex, ConnId)>,
}

/// The routing table: one optional live connection per node index.
#[derive(Debug)]
pub struct Router<O> {
    slots: Vec<Option<(ConnId, O)>>,
}

impl<O: Outbox> Router<O> {
    /// A router for `nodes` indices, all empty.
    #[must_use]
    pub fn new(nodes: usize) -> Router<O> {
        Router {
            slots: (0..nodes).map(|_| None).collect(),
        }
    }

    /// Number of indices (the stake table size).
    #[must_use]
    pub fn nodes(&self) -> usize {
        self.slots.len()
    }

    /// Live routes.
    #[must_use]
    pub fn connected(&self) -> usize {
        self.slots.iter().filter(|s| s.is_some()).count()
    }

    /// Routes `index` to `conn`, replacing any previous route (admission guarantees at most one
    /// live connection per key). Out-of-range indices are ignored.
    pub fn insert(&mut self, index: NodeIndex, conn: ConnId, outbox: O) {
        if let Some(slot) = self.slots.get_mut(index.as_usize()) {
            *slot = Some((conn, outbox));
        }
    }

    /// Removes the route of `index` if it still belongs to `conn`; returns its outbox.
    pub fn remove(&mut self, index: NodeIndex, conn: ConnId) -> Option<O> {
        let slot = self.slots.get_mut(index.as_usize())?;
        match slot {
            Some((c, _)) if *c == conn => slot.take().map(|(_, o)| o),
            _ => None,
        }
    }

    fn push(&self, index: usize, frame: &Frame, out: &mut Delivery) {
        match &self.slots[index] {
            None => out.unreachable += 1,
            Some((conn, outbox)) => match outbox.try_push(frame.clone()) {
                Ok(()) => out.delivered += 1,
                Err(PushError::Closed) => out.unreachable += 1,
                Err(PushError::Full) => out.overflowed.push((NodeIndex(index as u32), *conn)),
            },
        }
    }

    /// Sends `frame` to every index but `from`.
    #[must_use]
    pub fn broadcast(&self, from: NodeIndex, frame: &Frame) -> Delivery {
        let mut out = Delivery::default();
        for i in (0..self.slots.len()).filter(|&i| i != from.as_usize()) {
            self.push(i, frame, &mut out);
        }
        out
    }

    /// Sends `frame` to `to` (an index outside the table counts as unreachable).
    #[must_use]
    pub fn direct(&self, to: NodeIndex, frame: &Frame) -> Delivery {
        let mut out = Delivery::default();
        if to.as_usize() < self.slots.len() {
            self.push(to.as_usize(), frame, &mut out);
        } else {
            out.unreachable = 1;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    /// A queue of fixed capacity that records what it took.
    struct TestBox {
        cap: usize,
        closed: bool,
        got: RefCell<Vec<Frame>>,
    }

    impl TestBox {
        fn new(cap: usize) -> TestBox {
            TestBox {
                cap,
                closed: false,
                got: RefCell::new(Vec::new()),
            }
        }
    }

    impl Outbox for &TestBox {
        fn try_push(&self, frame: Frame) -> Result<(), PushError> {
            if self.closed {
                return Err(PushError::Closed);
            }
            let mut got = self.got.borrow_mut();
            if got.len() >= self.cap {
                return Err(PushError::Full);
            }
            got.push(frame);
            Ok(())
        }
    }

    #[test]
    fn broadcast_skips_the_sender_and_reports_overflow() {
        let boxes = [
            TestBox::new(9),
            TestBox::new(9),
            TestBox::new(1),
            TestBox::new(9),
        ];
        let mut r = Router::new(5);
        for (i, b) in boxes.iter().enumerate() {
            r.insert(NodeIndex(i as u32), 100 + i as u64, b);
        }
        let frame: Frame = Arc::from(&b"x"[..]);
        let d = r.broadcast(NodeIndex(0), &frame);
        assert_eq!((d.delivered, d.unreachable, d.overflowed.len()), (3, 1, 0));
        assert!(boxes[0].got.borrow().is_empty(), "no echo to the sender");
        let d = r.broadcast(NodeIndex(0), &frame);
        assert_eq!(d.overflowed, vec![(NodeIndex(2), 102)]);
        assert_eq!(d.delivered, 2);
        assert!(r.remove(NodeIndex(2), 999).is_none(), "stale connection id");
        assert!(r.remove(NodeIndex(2), 102).is_some());
        assert_eq!(r.connected(), 3);
    }

    #[test]
    fn direct_reaches_only_its_target() {
        let boxes = [TestBox::new(9), TestBox::new(9), TestBox::new(9)];
        let mut r = Router::new(3);
        for (i, b) in boxes.iter().enumerate() {
            r.insert(NodeIndex(i as u32), i as u64, b);
        }
        let frame: Frame = Arc::from(&b"d"[..]);
        assert_eq!(r.direct(NodeIndex(1), &frame).delivered, 1);
        assert_eq!(r.direct(NodeIndex(7), &frame).unreachable, 1);
        let counts: Vec<usize> = boxes.iter().map(|b| b.got.borrow().len()).collect();
        assert_eq!(counts, [0, 1, 0]);
        let mut closed = TestBox::new(9);
        closed.closed = true;
        r.insert(NodeIndex(0), 50, &closed);
        assert_eq!(r.direct(NodeIndex(0), &frame).unreachable, 1);
    }
}
