//! The pure core of the CDN server: admission, configuration and routing in one state, driven
//! by the connection tasks in [`crate::server`] under one lock.
//!
//! A connection goes through: handshake (outside the hub: [`crate::admission::verify_hello`],
//! [`Hub::check`], [`crate::admission::verify_auth`]) → [`Hub::admit`] → *waiting* (table
//! incomplete; nothing it sends is relayed) → *member* (it got `Config`; its `Broadcast` and
//! `Direct` go through [`Hub::relay`]) → [`Hub::leave`].
//!
//! Config re-sending: every connection that becomes a member gets `Config` first, including a
//! member that reconnects later. The configuration (and its start time) is fixed when the
//! table completes, so every copy is identical.

use crate::admission::{Admission, Admitted, ConnId, Membership};
use crate::router::{Delivery, Frame, Outbox, Router};
use sq_network::cdn::frame::HEADER_BYTES;
use sq_network::cdn::{ClientMessage, ErrorCode, NetworkConfig, ServerMessage};
use sq_network::Topic;
use sq_types::codec::Encode;
use sq_types::{BlsPublicKey, NodeIndex, StakeTable};
use std::collections::HashMap;

/// The consensus settings the server distributes in [`NetworkConfig`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Timings {
    /// Base view timeout, milliseconds (non-zero).
    pub view_timeout_ms: u64,
    /// Cap of the view-timeout back-off, milliseconds (at least `view_timeout_ms`).
    pub max_view_timeout_ms: u64,
    /// Largest block payload, bytes.
    pub max_block_bytes: u64,
    /// Delay between table completion and the consensus start time, milliseconds, so that
    /// every node has its configuration before view 1.
    pub start_delay_ms: u64,
}

impl Default for Timings {
    /// 1 s view timeout, 10 s cap (the consensus defaults), 1 MiB blocks, 2 s start delay.
    fn default() -> Self {
        Timings {
            view_timeout_ms: 1_000,
            max_view_timeout_ms: 10_000,
            max_block_bytes: 1 << 20,
            start_delay_ms: 2_000,
        }
    }
}

/// What [`Hub::admit`] decided for the connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Admit {
    /// Authenticated; waiting for the table to complete.
    Waiting,
    /// A member at this index; `Config` is queued on its outbox.
    Joined(NodeIndex),
    /// This admission completed the table: the connection is a member at `index`, and
    /// `members` live connections (this one included) were sent `Config`.
    Completed {
        /// This connection's index.
        index: NodeIndex,
        /// Connections configured now.
        members: usize,
    },
}

/// What kind of relay a message was, for metrics labels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A broadcast on a topic.
    Broadcast(Topic),
    /// A direct message.
    Direct,
}

impl Kind {
    /// `broadcast_global`, `broadcast_da` or `direct`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Broadcast(Topic::Global) => "broadcast_global",
            Kind::Broadcast(Topic::Da) => "broadcast_da",
            Kind::Direct => "direct",
        }
    }
}

/// What [`Hub::relay`] did.
#[derive(Debug, PartialEq, Eq)]
pub enum Relayed {
    /// The sender is not (yet) a member: dropped.
    NotMember,
    /// The message was not a relay message (`Hello`/`Auth` after the handshake).
    Unexpected,
    /// Routed. Overflowed recipients have been removed and told to disconnect.
    Routed {
        /// The sender.
        from: NodeIndex,
        /// Broadcast (and topic) or direct.
        kind: Kind,
        /// Payload bytes.
        bytes: usize,
        /// Per-recipient results.
        delivery: Delivery,
    },
}

/// A connection's outbox as the hub needs it: a bounded queue plus a way to close it.
pub trait Connection: Outbox {
    /// Asks the connection to close (its queue overflowed).
    fn disconnect(&self);
}

/// The server state. Pure: time comes in as `now_unix_ms`.
#[derive(Debug)]
pub struct Hub<O> {
    admission: Admission,
    timings: Timings,
    config: Option<(NetworkConfig, Frame)>,
    router: Router<O>,
    waiting: HashMap<ConnId, O>,
    members: HashMap<ConnId, NodeIndex>,
}

/// The wire frame (length prefix included) of a server message.
#[must_use]
pub fn frame_of(msg: &ServerMessage) -> Frame {
    let mut buf = vec![0u8; HEADER_BYTES];
    msg.encode_to(&mut buf);
    // Bodies are bounded by MAX_FRAME_BYTES < u32::MAX (payloads by MAX_MESSAGE_BYTES).
    let len = (buf.len() - HEADER_BYTES) as u32;
    buf[..HEADER_BYTES].copy_from_slice(&len.to_be_bytes());
    Frame::from(buf)
}

impl<O: Connection> Hub<O> {
    /// An empty hub.
    #[must_use]
    pub fn new(membership: Membership, timings: Timings) -> Hub<O> {
        Hub {
            admission: Admission::new(membership),
            timings,
            config: None,
            router: Router::new(0),
            waiting: HashMap::new(),
            members: HashMap::new(),
        }
    }

    /// The configuration, once the table is complete.
    #[must_use]
    pub fn config(&self) -> Option<&NetworkConfig> {
        self.config.as_ref().map(|(c, _)| c)
    }

    /// Keys still needed before the configuration is released (0 once complete).
    #[must_use]
    pub fn missing(&self) -> usize {
        if self.config.is_some() {
            return 0;
        }
        self.admission
            .expected()
            .saturating_sub(self.admission.joined())
    }

    /// Members with a live connection.
    #[must_use]
    pub fn members(&self) -> usize {
        self.router.connected()
    }

    /// See [`Admission::check`].
    ///
    /// # Errors
    /// [`ErrorCode::UnknownKey`] or [`ErrorCode::DuplicateKey`].
    pub fn check(&self, key: &BlsPublicKey) -> Result<(), ErrorCode> {
        self.admission.check(key)
    }

    /// Admits `conn` (already verified as `key`), queuing `Config` on it, and on every waiting
    /// connection if this completes the table.
    ///
    /// # Errors
    /// [`ErrorCode::UnknownKey`] or [`ErrorCode::DuplicateKey`]; the outbox is dropped.
    pub fn admit(
        &mut self,
        conn: ConnId,
        key: &BlsPublicKey,
        outbox: O,
        now_unix_ms: u64,
    ) -> Result<Admit, ErrorCode> {
        match self.admission.admit(conn, key)? {
            Admitted::Waiting => {
                self.waiting.insert(conn, outbox);
                Ok(Admit::Waiting)
            }
            Admitted::Joined { index } => {
                self.join(conn, index, outbox);
                Ok(Admit::Joined(index))
            }
            Admitted::Completed { table, members } => {
                self.complete(table, now_unix_ms);
                self.waiting.insert(conn, outbox);
                let mut mine = None;
                for &(c, index) in &members {
                    if let Some(o) = self.waiting.remove(&c) {
                        self.join(c, index, o);
                    }
                    if c == conn {
                        mine = Some(index);
                    }
                }
                // `members` lists every live connection, `conn` included.
                let index = mine.ok_or(ErrorCode::UnknownKey)?;
                Ok(Admit::Completed {
                    index,
                    members: members.len(),
                })
            }
        }
    }

    fn complete(&mut self, table: StakeTable, now_unix_ms: u64) {
        let config = NetworkConfig {
            view_timeout_ms: self.timings.view_timeout_ms.max(1),
            max_view_timeout_ms: self
                .timings
                .max_view_timeout_ms
                .max(self.timings.view_timeout_ms.max(1)),
            max_block_bytes: self.timings.max_block_bytes,
            start_unix_ms: now_unix_ms.saturating_add(self.timings.start_delay_ms),
            stake_table: table,
        };
        let frame = frame_of(&ServerMessage::Config(config.clone()));
        self.router = Router::new(config.stake_table.len());
        self.config = Some((config, frame));
    }

    fn join(&mut self, conn: ConnId, index: NodeIndex, outbox: O) {
        if let Some((_, frame)) = &self.config {
            // A fresh queue has room; a closing one is cleaned up by its `leave`.
            outbox.try_push(frame.clone()).ok();
        }
        self.router.insert(index, conn, outbox);
        self.members.insert(conn, index);
    }

    /// Relays a message read from `conn`.
    pub fn relay(&mut self, conn: ConnId, msg: ClientMessage) -> Relayed {
        let Some(&from) = self.members.get(&conn) else {
            return Relayed::NotMember;
        };
        let (kind, bytes, delivery) = match msg {
            ClientMessage::Broadcast { topic, bytes } => {
                let len = bytes.len();
                let frame = frame_of(&ServerMessage::Deliver {
                    from,
                    topic: Some(topic),
                    bytes,
                });
                (
                    Kind::Broadcast(topic),
                    len,
                    self.router.broadcast(from, &frame),
                )
            }
            ClientMessage::Direct { to, bytes } => {
                let len = bytes.len();
                let frame = frame_of(&ServerMessage::Deliver {
                    from,
                    topic: None,
                    bytes,
                });
                (Kind::Direct, len, self.router.direct(to, &frame))
            }
            ClientMessage::Hello { .. } | ClientMessage::Auth { .. } => {
                return Relayed::Unexpected;
            }
        };
        for &(index, c) in &delivery.overflowed {
            if let Some(o) = self.router.remove(index, c) {
                o.disconnect();
            }
            self.members.remove(&c);
        }
        Relayed::Routed {
            from,
            kind,
            bytes,
            delivery,
        }
    }

    /// Forgets `conn` (authenticated as `key`): its live slot, waiting entry and route.
    pub fn leave(&mut self, conn: ConnId, key: &BlsPublicKey) {
        self.admission.leave(conn, key);
        self.waiting.remove(&conn);
        if let Some(index) = self.members.remove(&conn) {
            self.router.remove(index, conn);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::router::PushError;
    use sq_network::cdn::frame::read_frame;
    use sq_types::codec::Decode;
    use sq_types::BlsKeyPair;
    use std::cell::{Cell, RefCell};
    use std::rc::Rc;

    #[derive(Clone)]
    struct TestConn(Rc<TestState>);

    struct TestState {
        cap: usize,
        frames: RefCell<Vec<Frame>>,
        disconnected: Cell<bool>,
    }

    impl TestConn {
        fn new(cap: usize) -> TestConn {
            TestConn(Rc::new(TestState {
                cap,
                frames: RefCell::new(Vec::new()),
                disconnected: Cell::new(false),
            }))
        }

        fn messages(&self) -> Vec<ServerMessage> {
            self.0
                .frames
                .borrow()
                .iter()
                .map(|f| ServerMessage::decode(&f[HEADER_BYTES..]).expect("decodes"))
                .collect()
        }
    }

    impl Outbox for TestConn {
        fn try_push(&self, frame: Frame) -> Result<(), PushError> {
            let mut frames = self.0.frames.borrow_mut();
            if frames.len() >= self.0.cap {
                return Err(PushError::Full);
            }
            frames.push(frame);
            Ok(())
        }
    }

    impl Connection for TestConn {
        fn disconnect(&self) {
            self.0.disconnected.set(true);
        }
    }

    fn key(seed: u8) -> BlsPublicKey {
        BlsKeyPair::from_ikm(&[seed; 32]).expect("ikm").public
    }

    #[test]
    fn config_goes_to_everyone_once_the_table_completes() {
        let mut hub = Hub::new(Membership::Open { nodes: 3 }, Timings::default());
        let conns: Vec<_> = (0..4).map(|_| TestConn::new(8)).collect();
        assert_eq!(
            hub.admit(0, &key(1), conns[0].clone(), 1_000),
            Ok(Admit::Waiting)
        );
        assert_eq!(
            hub.admit(1, &key(2), conns[1].clone(), 1_000),
            Ok(Admit::Waiting)
        );
        assert!(
            conns[0].messages().is_empty(),
            "no config before completion"
        );
        assert_eq!(hub.missing(), 1);
        // A waiting connection's broadcast is not relayed.
        let early = ClientMessage::Broadcast {
            topic: Topic::Global,
            bytes: b"early".to_vec(),
        };
        assert_eq!(hub.relay(0, early), Relayed::NotMember);
        let Ok(Admit::Completed { members: 3, .. }) =
            hub.admit(2, &key(3), conns[2].clone(), 5_000)
        else {
            panic!("expected completion");
        };
        let config = hub.config().expect("complete").clone();
        assert_eq!(config.start_unix_ms, 7_000);
        for c in &conns[..3] {
            assert_eq!(c.messages(), vec![ServerMessage::Config(config.clone())]);
        }
        // A member reconnecting later gets the identical config.
        hub.leave(1, &key(2));
        assert!(matches!(
            hub.admit(9, &key(2), conns[3].clone(), 99_000),
            Ok(Admit::Joined(_))
        ));
        assert_eq!(conns[3].messages(), vec![ServerMessage::Config(config)]);
        assert_eq!(hub.members(), 3);
    }

    #[test]
    fn broadcast_direct_and_slow_reader() {
        let mut hub = Hub::new(Membership::Open { nodes: 3 }, Timings::default());
        let conns = [TestConn::new(8), TestConn::new(8), TestConn::new(2)];
        for (i, c) in conns.iter().enumerate() {
            hub.admit(i as u64, &key(i as u8 + 1), c.clone(), 0)
                .expect("admitted");
        }
        let index = |seed: u8| {
            hub.config()
                .and_then(|c| c.stake_table.index_of(&key(seed)))
                .expect("member")
        };
        let (i0, i1, i2) = (index(1), index(2), index(3));

        let r = hub.relay(
            0,
            ClientMessage::Broadcast {
                topic: Topic::Da,
                bytes: b"b".to_vec(),
            },
        );
        let Relayed::Routed {
            from,
            kind,
            bytes: 1,
            delivery,
        } = r
        else {
            panic!("routed")
        };
        assert_eq!(
            (from, kind, delivery.delivered),
            (i0, Kind::Broadcast(Topic::Da), 2)
        );
        let deliver = ServerMessage::Deliver {
            from: i0,
            topic: Some(Topic::Da),
            bytes: b"b".to_vec(),
        };
        assert_eq!(conns[1].messages()[1], deliver);
        assert_eq!(conns[0].messages().len(), 1, "config only: no echo");

        hub.relay(
            1,
            ClientMessage::Direct {
                to: i0,
                bytes: b"d".to_vec(),
            },
        );
        assert_eq!(
            conns[0].messages()[1],
            ServerMessage::Deliver {
                from: i1,
                topic: None,
                bytes: b"d".to_vec()
            }
        );
        assert_eq!(conns[2].messages().len(), 2, "config + the broadcast only");

        // conns[2] holds 2 frames: the next broadcast overflows it.
        let r = hub.relay(
            0,
            ClientMessage::Broadcast {
                topic: Topic::Global,
                bytes: vec![],
            },
        );
        let Relayed::Routed { delivery, .. } = r else {
            panic!("routed")
        };
        assert_eq!(delivery.overflowed, vec![(i2, 2)]);
        assert!(conns[2].0.disconnected.get());
        assert_eq!(hub.members(), 2);
        let r = hub.relay(
            0,
            ClientMessage::Broadcast {
                topic: Topic::Global,
                bytes: vec![],
            },
        );
        let Relayed::Routed { delivery, .. } = r else {
            panic!("routed")
        };
        assert_eq!((delivery.delivered, delivery.unreachable), (1, 1));
        assert_eq!(
            hub.relay(
                2,
                ClientMessage::Direct {
                    to: i0,
                    bytes: vec![]
                }
            ),
            Relayed::NotMember
        );
    }

    #[tokio::test]
    async fn frames_are_length_prefixed() {
        let f = frame_of(&ServerMessage::Challenge { nonce: [1; 32] });
        let mut r = &f[..];
        let body = read_frame(&mut r, 100).await.expect("frame");
        assert_eq!(
            ServerMessage::decode(&body),
            Ok(ServerMessage::Challenge { nonce: [1; 32] })
        );
    }
}
