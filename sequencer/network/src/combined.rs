//! The combined network: a primary transport (the CDN) with a fallback (libp2p), and duplicate
//! removal on receive (DESIGN.md, "CDN server").
//!
//! * **Send** goes to the primary. It also goes to the fallback when the primary was not healthy
//!   before the send ([`Network::is_healthy`]) or refused the message. The call succeeds when at
//!   least one transport accepted the message.
//! * **Receive** takes messages from both transports, whichever is ready first, and drops a
//!   message whose digest `keccak256(from_u32_be ‖ bytes)` was delivered less than
//!   [`DEFAULT_DEDUP_TTL`] (1 s) ago, remembering at most `window` digests
//!   ([`DEFAULT_DEDUP_WINDOW`] = 10,000; oldest evicted first). The two copies of one send
//!   arrive milliseconds apart; a node's deliberate retransmission of the same bytes (consensus
//!   re-broadcasts a timeout vote when its view timer fires again, at least 1 s later) is
//!   delivered again. A duplicate that arrives after its digest expired is delivered again too,
//!   which the crate contract allows (delivery may duplicate).
//! * `recv` returns `None` once both transports have shut down; a transport that shuts down
//!   alone is simply no longer polled.
//! * Healthy when either transport is.
//!
//! Both transports' `recv` futures are raced with `tokio::select!`, so they must be
//! cancel-safe: a future dropped before completion must not lose a message. Every transport in
//! this crate reads from a tokio `mpsc` channel, which is.

use crate::{Inbound, Network, NetworkError, Recipient};
use sq_types::Commitment;
use std::collections::{HashSet, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::time::Instant;

/// Default number of recent message digests remembered for duplicate removal.
pub const DEFAULT_DEDUP_WINDOW: usize = 10_000;

/// How long a delivered digest suppresses its duplicates.
pub const DEFAULT_DEDUP_TTL: Duration = Duration::from_secs(1);

/// The digests delivered within the last `ttl`, at most `capacity` of them, oldest evicted
/// first.
#[derive(Debug)]
struct DedupWindow {
    seen: HashSet<Commitment>,
    order: VecDeque<(Commitment, Instant)>,
    capacity: usize,
    ttl: Duration,
}

impl DedupWindow {
    fn new(capacity: usize, ttl: Duration) -> Self {
        let capacity = capacity.max(1);
        DedupWindow {
            seen: HashSet::with_capacity(capacity),
            order: VecDeque::with_capacity(capacity),
            capacity,
            ttl,
        }
    }

    /// Records `digest`; false if it was delivered within the TTL and is still remembered.
    fn insert(&mut self, digest: Commitment) -> bool {
        let now = Instant::now();
        while self
            .order
            .front()
            .is_some_and(|(_, at)| now.duration_since(*at) >= self.ttl)
        {
            if let Some((old, _)) = self.order.pop_front() {
                self.seen.remove(&old);
            }
        }
        if !self.seen.insert(digest) {
            return false;
        }
        self.order.push_back((digest, now));
        if self.order.len() > self.capacity {
            if let Some((old, _)) = self.order.pop_front() {
                self.seen.remove(&old);
            }
        }
        true
    }
}

/// The digest duplicate removal keys on: `keccak256(from_u32_be ‖ bytes)`.
#[must_use]
pub fn message_digest(msg: &Inbound) -> Commitment {
    Commitment::keccak(&[&msg.from.0.to_be_bytes(), &msg.bytes])
}

/// A primary network with a fallback. See the module docs for the send, receive and health
/// rules.
pub struct Combined<P: Network, F: Network> {
    primary: P,
    fallback: F,
    window: DedupWindow,
    primary_open: bool,
    fallback_open: bool,
    duplicates: u64,
    fallback_sends: AtomicU64,
}

/// Which transport a received item came from.
enum Arrival {
    Primary(Option<Inbound>),
    Fallback(Option<Inbound>),
}

impl<P: Network, F: Network> Combined<P, F> {
    /// Combines `primary` and `fallback` with a window of [`DEFAULT_DEDUP_WINDOW`] digests.
    #[must_use]
    pub fn new(primary: P, fallback: F) -> Self {
        Self::with_window(primary, fallback, DEFAULT_DEDUP_WINDOW)
    }

    /// Combines `primary` and `fallback`, remembering the last `window` digests (at least 1).
    #[must_use]
    pub fn with_window(primary: P, fallback: F, window: usize) -> Self {
        Combined {
            primary,
            fallback,
            window: DedupWindow::new(window, DEFAULT_DEDUP_TTL),
            primary_open: true,
            fallback_open: true,
            duplicates: 0,
            fallback_sends: AtomicU64::new(0),
        }
    }

    /// The primary transport.
    #[must_use]
    pub fn primary(&self) -> &P {
        &self.primary
    }

    /// The fallback transport.
    #[must_use]
    pub fn fallback(&self) -> &F {
        &self.fallback
    }

    /// Messages dropped as duplicates so far.
    #[must_use]
    pub fn duplicates_dropped(&self) -> u64 {
        self.duplicates
    }

    /// Sends that also went to the fallback so far.
    #[must_use]
    pub fn fallback_sends(&self) -> u64 {
        self.fallback_sends.load(Ordering::Relaxed)
    }

    async fn next_raw(&mut self) -> Arrival {
        match (self.primary_open, self.fallback_open) {
            (true, true) => tokio::select! {
                m = self.primary.recv() => Arrival::Primary(m),
                m = self.fallback.recv() => Arrival::Fallback(m),
            },
            (true, false) => Arrival::Primary(self.primary.recv().await),
            (false, true) => Arrival::Fallback(self.fallback.recv().await),
            (false, false) => Arrival::Primary(None),
        }
    }
}

impl<P: Network, F: Network> Network for Combined<P, F> {
    /// Sends on the primary, and on the fallback too when the primary is unhealthy or refuses.
    ///
    /// # Errors
    /// Only when every transport tried refused the message: the fallback's error.
    fn send(&self, to: Recipient, bytes: Vec<u8>) -> Result<(), NetworkError> {
        let primary_healthy = self.primary.is_healthy();
        let primary = self.primary.send(to, bytes.clone());
        if primary_healthy && primary.is_ok() {
            return Ok(());
        }
        self.fallback_sends.fetch_add(1, Ordering::Relaxed);
        let fallback = self.fallback.send(to, bytes);
        primary.or(fallback)
    }

    async fn recv(&mut self) -> Option<Inbound> {
        loop {
            if !self.primary_open && !self.fallback_open {
                return None;
            }
            let msg = match self.next_raw().await {
                Arrival::Primary(Some(m)) | Arrival::Fallback(Some(m)) => m,
                Arrival::Primary(None) => {
                    self.primary_open = false;
                    continue;
                }
                Arrival::Fallback(None) => {
                    self.fallback_open = false;
                    continue;
                }
            };
            if self.window.insert(message_digest(&msg)) {
                return Some(msg);
            }
            self.duplicates += 1;
        }
    }

    /// Either transport is healthy.
    fn is_healthy(&self) -> bool {
        self.primary.is_healthy() || self.fallback.is_healthy()
    }
}

#[cfg(test)]
mod tests;
