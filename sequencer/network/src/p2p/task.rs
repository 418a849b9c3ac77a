//! The swarm task: owns the swarm and the binding map, executes commands from the handle,
//! delivers inbound messages, publishes bindings and re-dials peers.

use super::behaviour::{Behaviour, BehaviourEvent};
use super::binding::PeerBinding;
use super::{
    bump, decode_gossip, encode_gossip, replace, Command, Libp2pError, Shared, BINDING_INTERVAL,
    DA_TOPIC, GLOBAL_TOPIC, PEERS_TOPIC, REDIAL_MAX, REDIAL_MIN,
};
use crate::{Inbound, Topic};
use backon::BackoffBuilder;
use libp2p::futures::StreamExt;
use libp2p::gossipsub::{self, IdentTopic, PublishError, TopicHash};
use libp2p::request_response;
use libp2p::swarm::dial_opts::{DialOpts, PeerCondition};
use libp2p::swarm::{ConnectionId, DialError, SwarmEvent};
use libp2p::{Multiaddr, PeerId, Swarm};
use sq_types::{BlsKeyPair, BlsSignature, NodeIndex, StakeTable};
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::Instant;
use tracing::{debug, trace, warn};

/// Connections are closed after this long without a handler asking to keep them. Gossipsub
/// keeps only mesh peers alive, but every bound peer is meant to be a long-lived direct
/// neighbour (and would be re-dialled at once), so the timeout is effectively "never".
pub(super) const IDLE_TIMEOUT: Duration = Duration::from_secs(24 * 60 * 60);
/// How often the task checks re-dials and the binding timer.
const TICK: Duration = Duration::from_millis(100);
const TARGET: &str = "sq_network::p2p";

/// Re-dial state of one bootstrap address or bound peer.
#[derive(Debug)]
struct Redial {
    pending: Option<ConnectionId>,
    delays: backon::ExponentialBackoff,
    next_at: Instant,
}

/// The re-dial schedule: [`REDIAL_MIN`], doubling, capped at [`REDIAL_MAX`], without a limit
/// on attempts; a successful connection starts a fresh one.
fn redial_delays() -> backon::ExponentialBackoff {
    backon::ExponentialBuilder::default()
        .with_min_delay(REDIAL_MIN)
        .with_max_delay(REDIAL_MAX)
        .without_max_times()
        .build()
}

impl Redial {
    fn new(now: Instant) -> Self {
        Redial {
            pending: None,
            delays: redial_delays(),
            next_at: now,
        }
    }

    fn due(&self, now: Instant) -> bool {
        self.pending.is_none() && now >= self.next_at
    }

    fn failed(&mut self, now: Instant) {
        self.pending = None;
        self.next_at = now + self.delays.next().unwrap_or(REDIAL_MAX);
    }

    fn connected(&mut self) {
        self.pending = None;
        self.delays = redial_delays();
    }
}

struct Bootstrap {
    addr: Multiaddr,
    /// Learned from the first successful dial.
    peer: Option<PeerId>,
    /// The address turned out to be our own; never dialled again.
    is_self: bool,
    redial: Redial,
}

/// A verified binding.
struct Bound {
    peer: PeerId,
    signature: BlsSignature,
    addrs: Vec<Multiaddr>,
    redial: Redial,
}

struct Topics {
    global: IdentTopic,
    da: IdentTopic,
    peers: IdentTopic,
}

impl Topics {
    fn of(&self, topic: Topic) -> &IdentTopic {
        match topic {
            Topic::Global => &self.global,
            Topic::Da => &self.da,
        }
    }
}

/// Everything [`Task::new`] needs.
pub(super) struct TaskConfig<'a> {
    pub(super) swarm: Swarm<Behaviour>,
    pub(super) me: NodeIndex,
    pub(super) key: &'a BlsKeyPair,
    pub(super) table: StakeTable,
    pub(super) bootstrap: Vec<Multiaddr>,
    pub(super) commands: mpsc::Receiver<Command>,
    pub(super) inbox: mpsc::Sender<Inbound>,
    pub(super) shared: Arc<Shared>,
}

pub(super) struct Task {
    swarm: Swarm<Behaviour>,
    me: NodeIndex,
    table: StakeTable,
    /// Our own binding signature (the peer id never changes).
    my_signature: BlsSignature,
    topics: Topics,
    commands: mpsc::Receiver<Command>,
    inbox: mpsc::Sender<Inbound>,
    shared: Arc<Shared>,
    by_index: BTreeMap<NodeIndex, Bound>,
    by_peer: HashMap<PeerId, NodeIndex>,
    bootstrap: Vec<Bootstrap>,
    next_binding: Instant,
}

impl Task {
    pub(super) fn new(cfg: TaskConfig<'_>) -> Result<Task, Libp2pError> {
        let mut swarm = cfg.swarm;
        let topics = Topics {
            global: IdentTopic::new(GLOBAL_TOPIC),
            da: IdentTopic::new(DA_TOPIC),
            peers: IdentTopic::new(PEERS_TOPIC),
        };
        for t in [&topics.global, &topics.da, &topics.peers] {
            swarm
                .behaviour_mut()
                .gossipsub
                .subscribe(t)
                .map_err(|e| Libp2pError::Behaviour(format!("subscribe {t}: {e}")))?;
        }
        let my_signature =
            PeerBinding::sign(cfg.key, cfg.me, *swarm.local_peer_id(), vec![]).signature;
        let now = Instant::now();
        let bootstrap = cfg
            .bootstrap
            .into_iter()
            .map(|addr| Bootstrap {
                addr,
                peer: None,
                is_self: false,
                redial: Redial::new(now),
            })
            .collect();
        Ok(Task {
            swarm,
            me: cfg.me,
            table: cfg.table,
            my_signature,
            topics,
            commands: cfg.commands,
            inbox: cfg.inbox,
            shared: cfg.shared,
            by_index: BTreeMap::new(),
            by_peer: HashMap::new(),
            bootstrap,
            next_binding: now,
        })
    }

    /// Polls the swarm until the listener reports an address.
    pub(super) async fn wait_listening(&mut self) -> Result<(), Libp2pError> {
        loop {
            match self.swarm.select_next_some().await {
                SwarmEvent::ListenerError { error, .. } => {
                    return Err(Libp2pError::Listen(error.to_string()));
                }
                SwarmEvent::ListenerClosed { reason, .. } => {
                    return Err(Libp2pError::Listen(format!("listener closed: {reason:?}")));
                }
                event => {
                    let listening = matches!(event, SwarmEvent::NewListenAddr { .. });
                    self.on_swarm_event(event);
                    if listening {
                        return Ok(());
                    }
                }
            }
        }
    }

    /// The event loop; ends when the handle is dropped.
    pub(super) async fn run(mut self) {
        let mut tick = tokio::time::interval(TICK);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                cmd = self.commands.recv() => match cmd {
                    Some(cmd) => self.on_command(cmd),
                    None => break,
                },
                event = self.swarm.select_next_some() => self.on_swarm_event(event),
                _ = tick.tick() => self.on_tick(),
            }
        }
        self.shared.healthy.store(false, Ordering::Relaxed);
        debug!(target: TARGET, me = %self.me, "swarm task stopped");
    }

    fn on_command(&mut self, cmd: Command) {
        match cmd {
            Command::Publish { topic, bytes } => {
                let data = encode_gossip(self.me, &bytes);
                self.publish(topic, data);
            }
            Command::Direct { to, bytes } if to == self.me => {
                self.deliver(Inbound {
                    from: self.me,
                    bytes,
                });
            }
            Command::Direct { to, bytes } => match self.by_index.get(&to) {
                Some(b) => {
                    let addrs = b.addrs.clone();
                    self.swarm
                        .behaviour_mut()
                        .direct
                        .send_request_with_addresses(&b.peer, bytes, addrs);
                    bump(&self.shared.direct_sent);
                }
                None => {
                    debug!(target: TARGET, %to, "direct message to an unbound node dropped");
                    bump(&self.shared.dropped_unbound);
                }
            },
            #[cfg(test)]
            Command::RawPublish { topic, data } => self.publish(topic, data),
        }
    }

    fn publish(&mut self, topic: Topic, data: Vec<u8>) {
        let t = self.topics.of(topic).clone();
        match self.swarm.behaviour_mut().gossipsub.publish(t, data) {
            Ok(_) => bump(&self.shared.published),
            Err(e) => {
                debug!(target: TARGET, ?topic, error = %e, "publish failed");
                bump(&self.shared.publish_failed);
            }
        }
    }

    fn deliver(&mut self, msg: Inbound) {
        match self.inbox.try_send(msg) {
            Ok(()) => bump(&self.shared.delivered),
            Err(mpsc::error::TrySendError::Full(_)) => {
                warn!(target: TARGET, "inbox full; inbound message dropped");
                bump(&self.shared.inbox_full);
            }
            // The handle is gone; the loop ends on the closed command queue.
            Err(mpsc::error::TrySendError::Closed(_)) => {}
        }
    }

    fn on_tick(&mut self) {
        let now = Instant::now();
        if now >= self.next_binding {
            self.publish_binding();
        }
        self.redial_bootstrap(now);
        self.redial_bound(now);
    }

    fn publish_binding(&mut self) {
        self.next_binding = Instant::now() + BINDING_INTERVAL;
        let mut addrs: Vec<Multiaddr> = Vec::new();
        for a in self
            .swarm
            .external_addresses()
            .chain(self.swarm.listeners())
        {
            if !addrs.contains(a) {
                addrs.push(a.clone());
            }
        }
        let binding = PeerBinding {
            node: self.me,
            peer: *self.swarm.local_peer_id(),
            signature: self.my_signature.clone(),
            addrs: addrs
                .into_iter()
                .filter(|a| a.len() <= super::binding::MAX_ADDR_BYTES)
                .take(super::binding::MAX_BINDING_ADDRS)
                .collect(),
        };
        let peers = self.topics.peers.clone();
        match self
            .swarm
            .behaviour_mut()
            .gossipsub
            .publish(peers, binding.encode())
        {
            Ok(_) | Err(PublishError::NoPeersSubscribedToTopic) => {}
            Err(e) => debug!(target: TARGET, error = %e, "binding publish failed"),
        }
    }

    fn redial_bootstrap(&mut self, now: Instant) {
        for b in &mut self.bootstrap {
            let connected = b.peer.is_some_and(|p| self.swarm.is_connected(&p));
            if b.is_self || connected || !b.redial.due(now) {
                continue;
            }
            let opts = DialOpts::unknown_peer_id().address(b.addr.clone()).build();
            let id = opts.connection_id();
            match self.swarm.dial(opts) {
                Ok(()) => b.redial.pending = Some(id),
                Err(e) => {
                    debug!(target: TARGET, addr = %b.addr, error = %e, "bootstrap dial refused");
                    bump(&self.shared.dial_failed);
                    b.redial.failed(now);
                }
            }
        }
    }

    fn redial_bound(&mut self, now: Instant) {
        for b in self.by_index.values_mut() {
            if b.addrs.is_empty() || self.swarm.is_connected(&b.peer) || !b.redial.due(now) {
                continue;
            }
            let opts = DialOpts::peer_id(b.peer)
                .addresses(b.addrs.clone())
                .condition(PeerCondition::DisconnectedAndNotDialing)
                .build();
            let id = opts.connection_id();
            match self.swarm.dial(opts) {
                Ok(()) => b.redial.pending = Some(id),
                Err(_) => {
                    bump(&self.shared.dial_failed);
                    b.redial.failed(now);
                }
            }
        }
    }

    fn on_swarm_event(&mut self, event: SwarmEvent<BehaviourEvent>) {
        match event {
            SwarmEvent::NewListenAddr { address, .. } => {
                debug!(target: TARGET, me = %self.me, %address, "listening");
                let mut listen = super::snapshot(&self.shared.listen);
                if !listen.contains(&address) {
                    listen.push(address);
                }
                replace(&self.shared.listen, listen);
            }
            SwarmEvent::ExpiredListenAddr { address, .. } => {
                let mut listen = super::snapshot(&self.shared.listen);
                listen.retain(|a| a != &address);
                replace(&self.shared.listen, listen);
            }
            SwarmEvent::ConnectionEstablished {
                peer_id,
                connection_id,
                ..
            } => {
                trace!(target: TARGET, me = %self.me, %peer_id, "connected");
                for b in &mut self.bootstrap {
                    if b.redial.pending == Some(connection_id) {
                        b.peer = Some(peer_id);
                        b.redial.connected();
                    }
                }
                if let Some(b) = self
                    .by_peer
                    .get(&peer_id)
                    .and_then(|i| self.by_index.get_mut(i))
                {
                    b.redial.connected();
                }
                self.refresh_peers();
            }
            SwarmEvent::ConnectionClosed {
                peer_id,
                num_established: 0,
                ..
            } => {
                trace!(target: TARGET, me = %self.me, %peer_id, "disconnected");
                self.refresh_peers();
            }
            SwarmEvent::OutgoingConnectionError {
                connection_id,
                error,
                ..
            } => self.on_dial_error(connection_id, &error),
            SwarmEvent::Behaviour(BehaviourEvent::Gossipsub(ev)) => self.on_gossipsub(ev),
            SwarmEvent::Behaviour(BehaviourEvent::Direct(ev)) => self.on_direct(ev),
            SwarmEvent::Behaviour(BehaviourEvent::Identify(ev)) => {
                trace!(target: TARGET, ?ev, "identify");
            }
            _ => {}
        }
    }

    fn on_dial_error(&mut self, connection_id: ConnectionId, error: &DialError) {
        let now = Instant::now();
        for b in &mut self.bootstrap {
            if b.redial.pending == Some(connection_id) {
                debug!(target: TARGET, addr = %b.addr, %error, "bootstrap dial failed");
                bump(&self.shared.dial_failed);
                b.redial.failed(now);
                if matches!(error, DialError::LocalPeerId { .. }) {
                    b.is_self = true;
                }
            }
        }
        for b in self.by_index.values_mut() {
            if b.redial.pending == Some(connection_id) {
                bump(&self.shared.dial_failed);
                b.redial.failed(now);
            }
        }
    }

    fn on_gossipsub(&mut self, ev: gossipsub::Event) {
        match ev {
            gossipsub::Event::Message { message, .. } => {
                let Some(source) = message.source else {
                    bump(&self.shared.rejected_unbound);
                    return;
                };
                if message.topic == self.topics.peers.hash() {
                    self.on_binding(source, &message.data);
                } else if self.is_broadcast_topic(&message.topic) {
                    self.on_broadcast(source, message.data);
                }
            }
            gossipsub::Event::Subscribed { topic, .. } => {
                if topic == self.topics.peers.hash() {
                    // A new neighbour: tell it who we are now rather than at the next timer.
                    self.publish_binding();
                }
                self.refresh_peers();
            }
            gossipsub::Event::Unsubscribed { .. } => self.refresh_peers(),
            _ => {}
        }
    }

    fn is_broadcast_topic(&self, topic: &TopicHash) -> bool {
        *topic == self.topics.global.hash() || *topic == self.topics.da.hash()
    }

    fn on_broadcast(&mut self, source: PeerId, mut data: Vec<u8>) {
        let claimed = decode_gossip(&data).map(|(from, _)| from);
        match claimed {
            Some(from) if self.by_peer.get(&source) == Some(&from) => {
                // Strip the `from` prefix in place (no second copy of a large payload).
                data.drain(..4);
                self.deliver(Inbound { from, bytes: data });
            }
            _ => {
                debug!(target: TARGET, %source, ?claimed, "gossip from an unbound author dropped");
                bump(&self.shared.rejected_unbound);
            }
        }
    }

    fn on_binding(&mut self, source: PeerId, data: &[u8]) {
        let binding = match PeerBinding::decode(data) {
            Ok(b) if b.peer == source && b.node != self.me => b,
            Ok(_) => {
                bump(&self.shared.rejected_bindings);
                return;
            }
            Err(e) => {
                debug!(target: TARGET, %source, error = %e, "malformed binding");
                bump(&self.shared.rejected_bindings);
                return;
            }
        };
        if let Some(known) = self.by_index.get_mut(&binding.node) {
            if known.peer == binding.peer && known.signature == binding.signature {
                // Same statement as before (already verified); only the dial hints may change.
                known.addrs = binding.addrs;
                return;
            }
        }
        if let Err(e) = binding.verify(&self.table) {
            debug!(target: TARGET, %source, error = %e, "binding rejected");
            bump(&self.shared.rejected_bindings);
            return;
        }
        debug!(target: TARGET, me = %self.me, node = %binding.node, peer = %binding.peer, "bound");
        // One peer per index and one index per peer: drop whatever the new binding supersedes.
        if let Some(old) = self.by_index.remove(&binding.node) {
            self.by_peer.remove(&old.peer);
        }
        if let Some(old_index) = self.by_peer.remove(&binding.peer) {
            self.by_index.remove(&old_index);
        }
        self.by_peer.insert(binding.peer, binding.node);
        self.by_index.insert(
            binding.node,
            Bound {
                peer: binding.peer,
                signature: binding.signature,
                addrs: binding.addrs,
                redial: Redial::new(Instant::now()),
            },
        );
        replace(&self.shared.bound, self.by_index.keys().copied().collect());
        self.refresh_peers();
    }

    fn on_direct(&mut self, ev: request_response::Event<Vec<u8>, ()>) {
        match ev {
            request_response::Event::Message {
                peer,
                message:
                    request_response::Message::Request {
                        request, channel, ..
                    },
                ..
            } => {
                // Ack even a rejected message: the sender cannot do better by retrying.
                let _ = self.swarm.behaviour_mut().direct.send_response(channel, ());
                match self.by_peer.get(&peer) {
                    Some(&from) => self.deliver(Inbound {
                        from,
                        bytes: request,
                    }),
                    None => {
                        debug!(target: TARGET, %peer, "direct message from an unbound peer dropped");
                        bump(&self.shared.rejected_unbound);
                    }
                }
            }
            request_response::Event::OutboundFailure { peer, error, .. } => {
                debug!(target: TARGET, %peer, %error, "direct message failed");
                bump(&self.shared.direct_failed);
            }
            _ => {}
        }
    }

    /// Recomputes health and the reachable set after a connection, subscription or binding
    /// change.
    fn refresh_peers(&mut self) {
        let global = self.topics.global.hash();
        let subscribed: HashMap<PeerId, bool> = self
            .swarm
            .behaviour()
            .gossipsub
            .all_peers()
            .map(|(p, topics)| (*p, topics.contains(&&global)))
            .collect();
        let mut healthy = false;
        let mut reachable = Vec::new();
        for (&node, b) in &self.by_index {
            if self.swarm.is_connected(&b.peer) {
                healthy = true;
                if subscribed.get(&b.peer).copied().unwrap_or(false) {
                    reachable.push(node);
                }
            }
        }
        self.shared.healthy.store(healthy, Ordering::Relaxed);
        replace(&self.shared.reachable, reachable);
    }
}
