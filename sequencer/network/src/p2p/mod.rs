//! The libp2p transport: gossipsub for broadcast, request-response for direct messages and
//! identify, over tokio TCP + noise + yamux, with libp2p peer ids bound to stake-table keys.
//!
//! This is the fallback of the [combined network](crate::combined) when the CDN is down
//! (DESIGN.md, "CDN server").
//!
//! # Identity
//! * The libp2p key is an Ed25519 key derived from the node's BLS secret:
//!   `ed25519_secret = keccak256("sq/p2p-key/v1" ‖ bls_secret_bytes)` ([`p2p_keypair`]), so a
//!   restarted node keeps its [`PeerId`] and peers' bindings stay valid.
//! * Every node publishes a signed [`PeerBinding`] on [`PEERS_TOPIC`] every
//!   [`BINDING_INTERVAL`] and whenever a peer subscribes to that topic. A binding is accepted only
//!   if its BLS signature verifies under the stake-table key of the claimed index *and* its
//!   gossipsub author is the bound peer (see [`binding`]). Receivers keep an index ↔ peer id map;
//!   a newer verified binding for an index replaces the older one.
//! * Bound peers are dialled (with back-off) at the addresses in their binding, so the cluster
//!   becomes a full mesh of direct connections even though nodes only bootstrap to a few peers.
//!
//! # Messages
//! * Broadcast: gossipsub on [`GLOBAL_TOPIC`] or [`DA_TOPIC`], payload `from: u32 BE ‖ bytes`,
//!   signed by the libp2p key (strict validation). A message is delivered only if its gossipsub
//!   author is bound to `from`; otherwise it is dropped and counted in
//!   [`Libp2pStats::rejected_unbound`]. Gossipsub removes duplicates by (author, sequence number).
//!   Forged messages are still forwarded by gossipsub (no application validation step), and every
//!   receiver drops them.
//! * Direct: request-response on `/sq/direct/1` to the bound peer id of the target; the request is
//!   `len: u32 BE ‖ bytes` (at most [`MAX_MESSAGE_BYTES`]), the response
//!   a one-byte ack. The receiver names the sender by the noise-authenticated peer id; a request
//!   from an unbound peer is dropped and counted.
//! * A direct message to a node in the table but **not yet bound** is dropped and counted in
//!   [`Libp2pStats::dropped_unbound`] (`send` already returned `Ok`, like a message to an offline
//!   peer); an index outside the table is [`NetworkError::UnknownNode`]. A direct message to
//!   oneself is delivered locally.
//!
//! # Queues and failure
//! `send` enqueues into a bounded command queue (`queue` entries; [`NetworkError::QueueFull`]
//! when full). The swarm task hands inbound messages to a bounded inbox of `queue` entries and
//! drops (and counts) what does not fit, so a slow consumer never stalls the swarm. Bootstrap
//! addresses are re-dialled with exponential back-off ([`REDIAL_MIN`] to [`REDIAL_MAX`]) while
//! disconnected. Dropping the [`Libp2pNetwork`] stops the swarm task and closes all connections.

pub mod binding;

mod behaviour;
mod task;
#[cfg(test)]
mod tests;

use crate::{Inbound, Network, NetworkError, Recipient, Topic, MAX_MESSAGE_BYTES};
pub use binding::{BindingError, PeerBinding};
use libp2p::{identity, noise, tcp, yamux, SwarmBuilder};
pub use libp2p::{Multiaddr, PeerId};
use sq_types::{BlsKeyPair, Commitment, NodeIndex, StakeTable};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use thiserror::Error;
use tokio::sync::mpsc;

/// Gossipsub topic of consensus broadcasts ([`Topic::Global`]).
pub const GLOBAL_TOPIC: &str = "sq/global/v1";
/// Gossipsub topic of data-availability broadcasts ([`Topic::Da`]).
pub const DA_TOPIC: &str = "sq/da/v1";
/// Gossipsub topic of [`PeerBinding`]s.
pub const PEERS_TOPIC: &str = "sq/peers/v1";
/// Domain tag of the libp2p key derivation (see the module docs).
pub const P2P_KEY_TAG: &[u8] = b"sq/p2p-key/v1";
/// How often a node re-publishes its binding.
pub const BINDING_INTERVAL: Duration = Duration::from_secs(2);
/// First re-dial delay after a failed or lost connection to a bootstrap or bound peer.
pub const REDIAL_MIN: Duration = Duration::from_millis(200);
/// Longest re-dial delay (the delay doubles after every failure up to this).
pub const REDIAL_MAX: Duration = Duration::from_secs(10);
/// How long [`Libp2pNetwork::start`] waits for the listener to report its address.
pub const LISTEN_TIMEOUT: Duration = Duration::from_secs(10);

/// How to start a [`Libp2pNetwork`].
pub struct Libp2pConfig {
    /// Where to listen, e.g. `/ip4/0.0.0.0/tcp/9000`, or `/ip4/127.0.0.1/tcp/0` for an
    /// ephemeral port (read it back with [`Libp2pNetwork::local_addrs`]).
    pub listen: Multiaddr,
    /// Peers to dial at start and to keep re-dialling while disconnected (`/ip4/…/tcp/…`,
    /// optionally with a `/p2p/<peer id>` suffix).
    pub bootstrap: Vec<Multiaddr>,
    /// This node's BLS key; it must be the key registered at `me` in `table`.
    pub key: BlsKeyPair,
    /// This node's index in `table`.
    pub me: NodeIndex,
    /// The stake table bindings are checked against.
    pub table: StakeTable,
    /// Capacity of the outgoing command queue and of the inbox (each; at least 1).
    pub queue: usize,
}

/// Why [`Libp2pNetwork::start`] failed.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum Libp2pError {
    /// `me` is not an index of the stake table.
    #[error("node {0} is not in the stake table")]
    NotInTable(NodeIndex),
    /// The key registered at `me` is not the configured key.
    #[error("the configured key is not the one registered for node {0}")]
    KeyMismatch(NodeIndex),
    /// The libp2p key could not be derived.
    #[error("libp2p identity: {0}")]
    Identity(String),
    /// The TCP/noise/yamux transport could not be built.
    #[error("libp2p transport: {0}")]
    Transport(String),
    /// The behaviour (gossipsub, request-response, identify) could not be built or subscribed.
    #[error("libp2p behaviour: {0}")]
    Behaviour(String),
    /// The listen address was refused or the listener failed.
    #[error("cannot listen: {0}")]
    Listen(String),
    /// The listener did not report an address within [`LISTEN_TIMEOUT`].
    #[error("listener reported no address within {LISTEN_TIMEOUT:?}")]
    ListenTimeout,
}

/// Counters of a [`Libp2pNetwork`], since start. A snapshot; see [`Libp2pNetwork::stats`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Libp2pStats {
    /// Broadcasts accepted by gossipsub.
    pub published: u64,
    /// Broadcasts gossipsub refused (no subscribed peer, too large, all queues full).
    pub publish_failed: u64,
    /// Direct messages handed to request-response.
    pub direct_sent: u64,
    /// Direct requests that failed after being handed over (dial failure, timeout, closed).
    pub direct_failed: u64,
    /// Direct messages dropped because the target has no verified binding yet.
    pub dropped_unbound: u64,
    /// Messages put into the inbox.
    pub delivered: u64,
    /// Inbound messages dropped because the inbox was full.
    pub inbox_full: u64,
    /// Gossip or direct messages dropped because the sending peer is not bound to the index
    /// it claims (or to any index).
    pub rejected_unbound: u64,
    /// Bindings rejected: malformed, bad signature, or not authored by the bound peer.
    pub rejected_bindings: u64,
    /// Dials to bootstrap addresses or bound peers that failed (each is retried with back-off).
    pub dial_failed: u64,
}

/// State the swarm task shares with the handle.
#[derive(Default)]
struct Shared {
    healthy: AtomicBool,
    listen: Mutex<Vec<Multiaddr>>,
    bound: Mutex<Vec<NodeIndex>>,
    reachable: Mutex<Vec<NodeIndex>>,
    published: AtomicU64,
    publish_failed: AtomicU64,
    direct_sent: AtomicU64,
    direct_failed: AtomicU64,
    dropped_unbound: AtomicU64,
    delivered: AtomicU64,
    inbox_full: AtomicU64,
    rejected_unbound: AtomicU64,
    rejected_bindings: AtomicU64,
    dial_failed: AtomicU64,
}

fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

fn snapshot<T: Clone>(m: &Mutex<Vec<T>>) -> Vec<T> {
    m.lock().unwrap_or_else(PoisonError::into_inner).clone()
}

fn replace<T>(m: &Mutex<Vec<T>>, v: Vec<T>) {
    *m.lock().unwrap_or_else(PoisonError::into_inner) = v;
}

/// What the handle asks the swarm task to do.
enum Command {
    Publish {
        topic: Topic,
        bytes: Vec<u8>,
    },
    Direct {
        to: NodeIndex,
        bytes: Vec<u8>,
    },
    /// Test hook: publish `data` verbatim (without the `from` prefix) on a topic.
    #[cfg(test)]
    RawPublish {
        topic: Topic,
        data: Vec<u8>,
    },
}

/// Encodes a broadcast payload: `from: u32 BE ‖ bytes`.
fn encode_gossip(from: NodeIndex, bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(4 + bytes.len());
    out.extend_from_slice(&from.0.to_be_bytes());
    out.extend_from_slice(bytes);
    out
}

/// Splits a broadcast payload into `(from, bytes)`; `None` if shorter than 4 bytes.
fn decode_gossip(data: &[u8]) -> Option<(NodeIndex, &[u8])> {
    let (head, rest) = data.split_first_chunk::<4>()?;
    Some((NodeIndex(u32::from_be_bytes(*head)), rest))
}

/// The libp2p key of the node holding `key`: Ed25519 with secret
/// `keccak256("sq/p2p-key/v1" ‖ key.secret_bytes())`.
///
/// # Errors
/// [`Libp2pError::Identity`] if the derived bytes are rejected (does not happen for Ed25519,
/// which accepts any 32 bytes).
pub fn p2p_keypair(key: &BlsKeyPair) -> Result<identity::Keypair, Libp2pError> {
    let seed = Commitment::keccak(&[P2P_KEY_TAG, &key.secret_bytes()]);
    identity::Keypair::ed25519_from_bytes(seed.0).map_err(|e| Libp2pError::Identity(e.to_string()))
}

/// The peer id of the node holding `key` (see [`p2p_keypair`]); handy for `/p2p/…` bootstrap
/// addresses.
///
/// # Errors
/// As [`p2p_keypair`].
pub fn peer_id_of(key: &BlsKeyPair) -> Result<PeerId, Libp2pError> {
    Ok(p2p_keypair(key)?.public().to_peer_id())
}

/// A [`Network`] over libp2p. See the module docs for the protocol.
pub struct Libp2pNetwork {
    me: NodeIndex,
    nodes: usize,
    peer_id: PeerId,
    commands: mpsc::Sender<Command>,
    inbox: mpsc::Receiver<Inbound>,
    shared: Arc<Shared>,
}

impl Libp2pNetwork {
    /// Builds the swarm, starts listening on `cfg.listen`, waits until the listener reports its
    /// address (at most [`LISTEN_TIMEOUT`]), then spawns the swarm task on the current tokio
    /// runtime, which dials `cfg.bootstrap` and keeps re-dialling it.
    ///
    /// # Errors
    /// [`Libp2pError`]: `me` not in the table or not holding `key`, a transport or behaviour
    /// that cannot be built, or a listen address that cannot be bound.
    ///
    /// # Panics
    /// Outside a tokio runtime.
    pub async fn start(cfg: Libp2pConfig) -> Result<Libp2pNetwork, Libp2pError> {
        let entry = cfg
            .table
            .get(cfg.me)
            .ok_or(Libp2pError::NotInTable(cfg.me))?;
        if entry.key != cfg.key.public {
            return Err(Libp2pError::KeyMismatch(cfg.me));
        }
        let keypair = p2p_keypair(&cfg.key)?;
        let peer_id = keypair.public().to_peer_id();
        let mut swarm = SwarmBuilder::with_existing_identity(keypair)
            .with_tokio()
            .with_tcp(
                tcp::Config::default().nodelay(true),
                noise::Config::new,
                yamux::Config::default,
            )
            .map_err(|e| Libp2pError::Transport(e.to_string()))?
            .with_behaviour(|key| behaviour::Behaviour::new(key).map_err(Into::into))
            .map_err(|e| Libp2pError::Behaviour(e.to_string()))?
            .with_swarm_config(|c| c.with_idle_connection_timeout(task::IDLE_TIMEOUT))
            .build();
        swarm
            .listen_on(cfg.listen)
            .map_err(|e| Libp2pError::Listen(e.to_string()))?;

        let queue = cfg.queue.max(1);
        let (commands, command_rx) = mpsc::channel(queue);
        let (inbox_tx, inbox) = mpsc::channel(queue);
        let shared = Arc::new(Shared::default());
        let nodes = cfg.table.len();
        let mut task = task::Task::new(task::TaskConfig {
            swarm,
            me: cfg.me,
            key: &cfg.key,
            table: cfg.table,
            bootstrap: cfg.bootstrap,
            commands: command_rx,
            inbox: inbox_tx,
            shared: shared.clone(),
        })?;
        tokio::time::timeout(LISTEN_TIMEOUT, task.wait_listening())
            .await
            .map_err(|_| Libp2pError::ListenTimeout)??;
        tokio::spawn(task.run());
        Ok(Libp2pNetwork {
            me: cfg.me,
            nodes,
            peer_id,
            commands,
            inbox,
            shared,
        })
    }

    /// This node's stake-table index.
    #[must_use]
    pub fn me(&self) -> NodeIndex {
        self.me
    }

    /// This node's libp2p peer id.
    #[must_use]
    pub fn peer_id(&self) -> PeerId {
        self.peer_id
    }

    /// The addresses the node listens on now (with the real port when started on port 0).
    #[must_use]
    pub fn local_addrs(&self) -> Vec<Multiaddr> {
        snapshot(&self.shared.listen)
    }

    /// The nodes whose binding this node has verified, ascending.
    #[must_use]
    pub fn bound_nodes(&self) -> Vec<NodeIndex> {
        snapshot(&self.shared.bound)
    }

    /// The bound nodes that are directly connected and subscribed to the global topic, i.e.
    /// that a broadcast reaches in one hop, ascending.
    #[must_use]
    pub fn reachable_nodes(&self) -> Vec<NodeIndex> {
        snapshot(&self.shared.reachable)
    }

    /// A snapshot of the counters.
    #[must_use]
    pub fn stats(&self) -> Libp2pStats {
        let s = &*self.shared;
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        Libp2pStats {
            published: get(&s.published),
            publish_failed: get(&s.publish_failed),
            direct_sent: get(&s.direct_sent),
            direct_failed: get(&s.direct_failed),
            dropped_unbound: get(&s.dropped_unbound),
            delivered: get(&s.delivered),
            inbox_full: get(&s.inbox_full),
            rejected_unbound: get(&s.rejected_unbound),
            rejected_bindings: get(&s.rejected_bindings),
            dial_failed: get(&s.dial_failed),
        }
    }

    fn enqueue(&self, cmd: Command) -> Result<(), NetworkError> {
        self.commands.try_send(cmd).map_err(|e| match e {
            mpsc::error::TrySendError::Full(_) => NetworkError::QueueFull,
            mpsc::error::TrySendError::Closed(_) => NetworkError::Closed,
        })
    }

    /// Test hook: publishes `data` verbatim on `topic`, bypassing the `from` prefix.
    #[cfg(test)]
    fn raw_publish(&self, topic: Topic, data: Vec<u8>) -> Result<(), NetworkError> {
        self.enqueue(Command::RawPublish { topic, data })
    }
}

impl Network for Libp2pNetwork {
    /// Enqueues for the swarm task. Broadcasts go to gossipsub; a direct message goes to the
    /// target's bound peer, is dropped (and counted) when the target is not bound yet, and is
    /// delivered locally when the target is this node.
    ///
    /// # Errors
    /// [`NetworkError::TooLarge`], [`NetworkError::UnknownNode`] for an index outside the table,
    /// [`NetworkError::QueueFull`], [`NetworkError::Closed`] once the swarm task has stopped.
    fn send(&self, to: Recipient, bytes: Vec<u8>) -> Result<(), NetworkError> {
        if bytes.len() > MAX_MESSAGE_BYTES {
            return Err(NetworkError::TooLarge(bytes.len()));
        }
        let cmd = match to {
            Recipient::Broadcast(topic) => Command::Publish { topic, bytes },
            Recipient::Direct(node) if node.as_usize() >= self.nodes => {
                return Err(NetworkError::UnknownNode(node));
            }
            Recipient::Direct(node) => Command::Direct { to: node, bytes },
        };
        self.enqueue(cmd)
    }

    async fn recv(&mut self) -> Option<Inbound> {
        self.inbox.recv().await
    }

    /// True while connected to at least one peer with a verified binding.
    fn is_healthy(&self) -> bool {
        self.shared.healthy.load(Ordering::Relaxed)
    }
}
