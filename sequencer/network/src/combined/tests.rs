//! Deterministic tests of the combined network: in-memory hubs for the two transports and a
//! test double whose health, send result and inbox the test controls.

use super::*;
use crate::memory::MemoryNetwork;
use crate::Topic;
use libp2p::futures::FutureExt;
use sq_types::NodeIndex;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;

/// Every `(recipient, bytes)` a [`Probe`] accepted, in order.
type SentLog = Arc<Mutex<Vec<(Recipient, Vec<u8>)>>>;

/// A transport double: records what it is asked to send, answers with a scripted result,
/// reports a toggleable health, and receives what the test pushes into its inbox.
struct Probe {
    healthy: Arc<AtomicBool>,
    refuse: Arc<Mutex<Option<NetworkError>>>,
    sent: SentLog,
    inbox: mpsc::Receiver<Inbound>,
}

/// The test's side of a [`Probe`].
struct ProbeCtl {
    healthy: Arc<AtomicBool>,
    refuse: Arc<Mutex<Option<NetworkError>>>,
    sent: SentLog,
    push: Option<mpsc::Sender<Inbound>>,
}

fn probe() -> (Probe, ProbeCtl) {
    let healthy = Arc::new(AtomicBool::new(true));
    let refuse = Arc::new(Mutex::new(None));
    let sent = Arc::new(Mutex::new(Vec::new()));
    let (push, inbox) = mpsc::channel(16);
    (
        Probe {
            healthy: healthy.clone(),
            refuse: refuse.clone(),
            sent: sent.clone(),
            inbox,
        },
        ProbeCtl {
            healthy,
            refuse,
            sent,
            push: Some(push),
        },
    )
}

impl ProbeCtl {
    fn set_healthy(&self, h: bool) {
        self.healthy.store(h, Ordering::Relaxed);
    }
    fn refuse_with(&self, e: Option<NetworkError>) {
        *self.refuse.lock().expect("lock") = e;
    }
    fn sent(&self) -> Vec<Vec<u8>> {
        let sent = self.sent.lock().expect("lock");
        sent.iter().map(|(_, b)| b.clone()).collect()
    }
    fn push(&self, from: u32, bytes: &[u8]) {
        self.push
            .as_ref()
            .expect("open")
            .try_send(msg(from, bytes))
            .expect("room");
    }
    fn close(&mut self) {
        self.push = None;
    }
}

impl Network for Probe {
    fn send(&self, to: Recipient, bytes: Vec<u8>) -> Result<(), NetworkError> {
        if let Some(e) = self.refuse.lock().expect("lock").clone() {
            return Err(e);
        }
        self.sent.lock().expect("lock").push((to, bytes));
        Ok(())
    }
    async fn recv(&mut self) -> Option<Inbound> {
        self.inbox.recv().await
    }
    fn is_healthy(&self) -> bool {
        self.healthy.load(Ordering::Relaxed)
    }
}

fn msg(from: u32, bytes: &[u8]) -> Inbound {
    Inbound {
        from: NodeIndex(from),
        bytes: bytes.to_vec(),
    }
}

const TO_ONE: Recipient = Recipient::Direct(NodeIndex(1));
const ALL: Recipient = Recipient::Broadcast(Topic::Global);

/// Whatever `recv` yields without waiting; `None` when it would block.
fn ready<N: Network>(n: &mut N) -> Option<Inbound> {
    n.recv().now_or_never().flatten()
}

#[tokio::test]
async fn a_message_on_both_hubs_is_delivered_once() {
    let mut primary = MemoryNetwork::hub(2, 8);
    let mut fallback = MemoryNetwork::hub(2, 8);
    let (p1, f1) = (primary.remove(1), fallback.remove(1));
    let (p0, f0) = (primary.remove(0), fallback.remove(0));
    let mut node1 = Combined::new(p1, f1);

    p0.send(TO_ONE, b"x".to_vec()).expect("send");
    f0.send(TO_ONE, b"x".to_vec()).expect("send");
    p0.send(TO_ONE, b"y".to_vec()).expect("send");

    assert_eq!(node1.recv().await, Some(msg(0, b"x")));
    assert_eq!(node1.recv().await, Some(msg(0, b"y")));
    assert_eq!(ready(&mut node1), None, "the second copy of x is dropped");
    assert_eq!(node1.duplicates_dropped(), 1);
}

#[tokio::test]
async fn same_bytes_from_different_senders_are_distinct() {
    let mut primary = MemoryNetwork::hub(3, 8);
    let fallback = MemoryNetwork::hub(3, 8);
    let target = Recipient::Direct(NodeIndex(2));
    primary[0].send(target, b"vote".to_vec()).expect("send");
    primary[1].send(target, b"vote".to_vec()).expect("send");
    let mut node2 = Combined::new(
        primary.remove(2),
        fallback.into_iter().nth(2).expect("node 2"),
    );
    let mut froms = vec![
        node2.recv().await.expect("first").from,
        node2.recv().await.expect("second").from,
    ];
    froms.sort();
    assert_eq!(froms, vec![NodeIndex(0), NodeIndex(1)]);
    assert_eq!(node2.duplicates_dropped(), 0);
}

#[tokio::test]
async fn window_forgets_oldest_digest_first() {
    let (p, pc) = probe();
    let (f, _fc) = probe();
    let mut net = Combined::with_window(p, f, 2);
    for b in [&b"a"[..], b"b", b"c", b"a", b"c"] {
        pc.push(0, b);
    }
    // a, b, c fill a window of two (a is evicted by c); the repeated a is new again, the
    // repeated c is still remembered.
    for want in [&b"a"[..], b"b", b"c", b"a"] {
        assert_eq!(net.recv().await, Some(msg(0, want)));
    }
    assert_eq!(ready(&mut net), None);
    assert_eq!(net.duplicates_dropped(), 1);
}

#[tokio::test]
async fn healthy_primary_carries_alone_and_unhealthy_primary_adds_fallback() {
    let (p, pc) = probe();
    let mut fallback = MemoryNetwork::hub(2, 8);
    let mut f1 = fallback.remove(1);
    let net = Combined::new(p, fallback.remove(0));

    net.send(TO_ONE, b"one".to_vec()).expect("send");
    assert_eq!(pc.sent(), vec![b"one".to_vec()]);
    assert_eq!(
        ready(&mut f1),
        None,
        "fallback unused while the primary is healthy"
    );
    assert_eq!(net.fallback_sends(), 0);

    pc.set_healthy(false);
    net.send(ALL, b"two".to_vec()).expect("send");
    assert_eq!(pc.sent(), vec![b"one".to_vec(), b"two".to_vec()]);
    assert_eq!(ready(&mut f1), Some(msg(0, b"two")));
    assert_eq!(net.fallback_sends(), 1);

    pc.set_healthy(true);
    net.send(TO_ONE, b"three".to_vec()).expect("send");
    assert_eq!(
        ready(&mut f1),
        None,
        "back to the primary alone once it recovers"
    );
}

#[tokio::test]
async fn primary_refusal_goes_to_fallback_and_error_only_when_both_refuse() {
    let (p, pc) = probe();
    let (f, fc) = probe();
    let net = Combined::new(p, f);

    pc.refuse_with(Some(NetworkError::QueueFull));
    assert_eq!(net.send(TO_ONE, b"m".to_vec()), Ok(()));
    assert_eq!(fc.sent(), vec![b"m".to_vec()]);

    fc.refuse_with(Some(NetworkError::Closed));
    assert_eq!(net.send(TO_ONE, b"n".to_vec()), Err(NetworkError::Closed));

    // An unhealthy primary that still accepts: success even if the fallback refuses.
    pc.refuse_with(None);
    pc.set_healthy(false);
    assert_eq!(net.send(TO_ONE, b"o".to_vec()), Ok(()));
}

#[tokio::test]
async fn memory_primary_full_inbox_spills_to_fallback() {
    let mut primary = MemoryNetwork::hub(2, 1);
    let mut fallback = MemoryNetwork::hub(2, 8);
    let mut f1 = fallback.remove(1);
    let net = Combined::new(primary.remove(0), fallback.remove(0));
    net.send(TO_ONE, b"fits".to_vec()).expect("send");
    net.send(TO_ONE, b"spills".to_vec()).expect("send");
    assert_eq!(ready(&mut f1), Some(msg(0, b"spills")));
    assert_eq!(net.fallback_sends(), 1);
}

#[tokio::test]
async fn healthy_when_either_is() {
    let (p, pc) = probe();
    let (f, fc) = probe();
    let net = Combined::new(p, f);
    assert!(net.is_healthy());
    pc.set_healthy(false);
    assert!(net.is_healthy());
    fc.set_healthy(false);
    assert!(!net.is_healthy());
    pc.set_healthy(true);
    assert!(net.is_healthy());
}

#[tokio::test]
async fn recv_outlives_one_transport_and_ends_with_both() {
    let (p, mut pc) = probe();
    let (f, mut fc) = probe();
    let mut net = Combined::new(p, f);
    pc.close();
    fc.push(3, b"still here");
    assert_eq!(net.recv().await, Some(msg(3, b"still here")));
    fc.close();
    assert_eq!(net.recv().await, None);
}

#[tokio::test(start_paused = true)]
async fn a_deliberate_resend_after_the_ttl_is_delivered_again() {
    let (p, pc) = probe();
    let (f, fc) = probe();
    let mut net = Combined::new(p, f);
    pc.push(0, b"timeout vote");
    fc.push(0, b"timeout vote");
    assert_eq!(net.recv().await, Some(msg(0, b"timeout vote")));
    assert_eq!(
        ready(&mut net),
        None,
        "the second transport's copy is a duplicate"
    );
    tokio::time::advance(super::DEFAULT_DEDUP_TTL).await;
    pc.push(0, b"timeout vote");
    assert_eq!(
        net.recv().await,
        Some(msg(0, b"timeout vote")),
        "the re-broadcast a view timer later gets through"
    );
    assert_eq!(net.duplicates_dropped(), 1);
}
