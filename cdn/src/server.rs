//! The tokio side of the CDN server: accepting connections, the handshake, and one task per
//! connection with a bounded send queue. All decisions are made by the pure [`Hub`].
//!
//! Per connection: `Hello` → (proof of possession, [`Hub::check`]) → `Challenge` → `Auth`
//! (signature) → [`Hub::admit`]; then a reader (frames → [`Hub::relay`]) and a writer (queue →
//! socket) run until either fails or the queue overflows. The send queue holds at most
//! [`ServerConfig::queue_frames`] frames and [`ServerConfig::queue_bytes`] bytes; a connection
//! whose queue is full when a frame is routed to it is disconnected (warn, target
//! `cdn::relay`). Refusals send an `Error` frame, half-close, and briefly drain the socket so
//! that the peer reads the error rather than a reset.

use crate::admission::{verify_auth, verify_hello, ConnId, Membership};
use crate::hub::{Admit, Connection, Hub, Relayed, Timings};
use crate::metrics::{KindLabel, Metrics, ReasonLabel};
use crate::router::{Frame, Outbox, PushError};
use sq_network::cdn::frame::{read_frame, write_frame, FrameError, MAX_FRAME_BYTES};
use sq_network::cdn::{ClientMessage, ErrorCode, ServerMessage};
use sq_types::codec::{Decode, Encode};
use sq_types::BlsPublicKey;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream, ToSocketAddrs};
use tokio::sync::{mpsc, Notify};
use tokio::task::JoinSet;
use tracing::{debug, info, warn};

/// Largest frame accepted before authentication (`Hello` is 145 bytes, `Auth` 97).
const HANDSHAKE_MAX_FRAME: usize = 1024;
/// How long a refused connection is drained after its error frame.
const LINGER: Duration = Duration::from_millis(500);

/// Server settings.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// Who may join (open: the first N keys; fixed: a table from L1).
    pub membership: Membership,
    /// Consensus settings distributed in the configuration.
    pub timings: Timings,
    /// Send-queue limit per connection, in frames (default 4096).
    pub queue_frames: usize,
    /// Send-queue limit per connection, in bytes (default 64 MiB). A single frame larger than
    /// this is still accepted into an empty queue.
    pub queue_bytes: usize,
    /// Limit on `Hello` → `Auth` (default 10 s); exceeding it refuses with `Timeout`.
    pub handshake_timeout: Duration,
    /// Open TCP connections, in any state, beyond which new ones are refused with `Full`
    /// (default 1024).
    pub max_connections: usize,
}

impl ServerConfig {
    /// Defaults for everything but the membership.
    #[must_use]
    pub fn new(membership: Membership) -> ServerConfig {
        ServerConfig {
            membership,
            timings: Timings::default(),
            queue_frames: 4096,
            queue_bytes: 64 << 20,
            handshake_timeout: Duration::from_secs(10),
            max_connections: 1024,
        }
    }
}

/// The sending side of a connection's bounded queue, as stored in the [`Hub`].
#[derive(Debug)]
struct ConnOutbox {
    tx: mpsc::Sender<Frame>,
    queued_bytes: Arc<AtomicUsize>,
    max_bytes: usize,
    kill: Arc<Notify>,
}

impl Outbox for ConnOutbox {
    fn try_push(&self, frame: Frame) -> Result<(), PushError> {
        let len = frame.len();
        let before = self.queued_bytes.fetch_add(len, Ordering::SeqCst);
        if before > 0 && before + len > self.max_bytes {
            self.queued_bytes.fetch_sub(len, Ordering::SeqCst);
            return Err(PushError::Full);
        }
        self.tx.try_send(frame).map_err(|e| {
            self.queued_bytes.fetch_sub(len, Ordering::SeqCst);
            match e {
                mpsc::error::TrySendError::Full(_) => PushError::Full,
                mpsc::error::TrySendError::Closed(_) => PushError::Closed,
            }
        })
    }
}

impl Connection for ConnOutbox {
    fn disconnect(&self) {
        self.kill.notify_one();
    }
}

struct Shared {
    hub: Mutex<Hub<ConnOutbox>>,
    metrics: Arc<Metrics>,
    config: ServerConfig,
    open: AtomicUsize,
    next_conn: AtomicU64,
}

impl Shared {
    fn hub(&self) -> MutexGuard<'_, Hub<ConnOutbox>> {
        // The hub's methods do not panic midway; a poisoned lock still holds consistent state.
        self.hub
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn refused(&self, code: ErrorCode) {
        self.metrics
            .refused
            .get_or_create(&ReasonLabel {
                reason: code.as_str(),
            })
            .inc();
    }
}

/// A bound CDN server; [`CdnServer::run`] serves it.
pub struct CdnServer {
    listener: TcpListener,
    shared: Arc<Shared>,
}

impl std::fmt::Debug for CdnServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CdnServer")
            .field("addr", &self.listener.local_addr().ok())
            .finish_non_exhaustive()
    }
}

impl CdnServer {
    /// Binds the node listener.
    ///
    /// # Errors
    /// The bind error.
    pub async fn bind(
        addr: impl ToSocketAddrs,
        config: ServerConfig,
        metrics: Arc<Metrics>,
    ) -> std::io::Result<CdnServer> {
        let listener = TcpListener::bind(addr).await?;
        Ok(CdnServer {
            listener,
            shared: Arc::new(Shared {
                hub: Mutex::new(Hub::new(config.membership.clone(), config.timings.clone())),
                metrics,
                config,
                open: AtomicUsize::new(0),
                next_conn: AtomicU64::new(0),
            }),
        })
    }

    /// The bound address (useful after binding port 0).
    ///
    /// # Errors
    /// The socket error.
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Accepts and serves connections forever. Dropping the future (or aborting its task)
    /// closes the listener and every connection.
    ///
    /// # Errors
    /// Never returns in practice; accept errors are logged and retried.
    pub async fn run(self) -> std::io::Result<()> {
        let expected = self.shared.hub().missing();
        let addr = self.listener.local_addr()?;
        info!(target: "cdn::server", %addr, expected, "waiting for nodes");
        let mut tasks = JoinSet::new();
        loop {
            tokio::select! {
                accepted = self.listener.accept() => match accepted {
                    Ok((stream, peer)) => {
                        let conn = self.shared.next_conn.fetch_add(1, Ordering::Relaxed);
                        tasks.spawn(handle(self.shared.clone(), stream, peer, conn));
                    }
                    Err(e) => {
                        // Typically out of file descriptors: back off instead of spinning.
                        warn!(target: "cdn::server", error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                },
                Some(_) = tasks.join_next() => {}
            }
        }
    }
}

fn now_unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// Why a connection ends or is refused.
enum End {
    /// Refuse with an error frame.
    Refuse(ErrorCode, String),
    /// Close without a frame (the peer went away, or an I/O error).
    Quiet(String),
    /// The send queue overflowed.
    SlowReader,
}

impl From<FrameError> for End {
    fn from(e: FrameError) -> End {
        match e {
            FrameError::TooLarge { len, max } => End::Refuse(
                ErrorCode::TooLarge,
                format!("frame of {len} bytes exceeds {max}"),
            ),
            other => End::Quiet(other.to_string()),
        }
    }
}

impl From<ErrorCode> for End {
    fn from(code: ErrorCode) -> End {
        End::Refuse(code, String::new())
    }
}

/// Decrements the open-connection gauges when the task ends, however it ends.
struct OpenGuard(Arc<Shared>);

impl Drop for OpenGuard {
    fn drop(&mut self) {
        self.0.open.fetch_sub(1, Ordering::SeqCst);
        self.0.metrics.connections.dec();
    }
}

/// Removes an admitted connection from the hub when the task ends, however it ends.
struct LeaveGuard {
    shared: Arc<Shared>,
    conn: ConnId,
    key: BlsPublicKey,
}

impl Drop for LeaveGuard {
    fn drop(&mut self) {
        let mut hub = self.shared.hub();
        hub.leave(self.conn, &self.key);
        self.shared
            .metrics
            .authenticated_nodes
            .set(hub.members() as i64);
    }
}

async fn handle(shared: Arc<Shared>, stream: TcpStream, peer: SocketAddr, conn: ConnId) {
    shared.metrics.connections.inc();
    let open = shared.open.fetch_add(1, Ordering::SeqCst) + 1;
    let _open = OpenGuard(shared.clone());
    stream.set_nodelay(true).ok();
    let (mut rd, mut wr) = stream.into_split();
    if open > shared.config.max_connections {
        let end = End::Refuse(ErrorCode::Full, format!("{open} connections"));
        return close(&shared, peer, None, rd, wr, end).await;
    }
    let limit = shared.config.handshake_timeout;
    let key = match tokio::time::timeout(limit, handshake(&shared, &mut rd, &mut wr)).await {
        Ok(Ok(key)) => key,
        Ok(Err(end)) => return close(&shared, peer, None, rd, wr, end).await,
        Err(_) => {
            let end = End::Refuse(ErrorCode::Timeout, "handshake timed out".into());
            return close(&shared, peer, None, rd, wr, end).await;
        }
    };

    let (tx, rx) = mpsc::channel(shared.config.queue_frames.max(1));
    let queued = Arc::new(AtomicUsize::new(0));
    let kill = Arc::new(Notify::new());
    let outbox = ConnOutbox {
        tx,
        queued_bytes: queued.clone(),
        max_bytes: shared.config.queue_bytes,
        kill: kill.clone(),
    };
    let admitted = {
        let mut hub = shared.hub();
        let admitted = hub.admit(conn, &key, outbox, now_unix_ms());
        shared.metrics.authenticated_nodes.set(hub.members() as i64);
        (admitted, hub.missing())
    };
    match admitted {
        (Err(code), _) => return close(&shared, peer, Some(&key), rd, wr, code.into()).await,
        (Ok(Admit::Waiting), missing) => {
            info!(target: "cdn::server", %peer, ?key, missing, "node authenticated; waiting for the others");
        }
        (Ok(Admit::Joined(index)), _) => {
            info!(target: "cdn::server", %peer, node = %index, "node (re)joined; configuration sent");
        }
        (Ok(Admit::Completed { index, members }), _) => {
            info!(target: "cdn::server", %peer, node = %index, members, "stake table complete; configuration sent to every live member");
        }
    }
    let leave = LeaveGuard {
        shared: shared.clone(),
        conn,
        key: key.clone(),
    };
    let end = tokio::select! {
        end = read_loop(&shared, conn, peer, &mut rd) => end,
        end = write_loop(&mut wr, rx, &queued) => end,
        () = kill.notified() => End::SlowReader,
    };
    // Free the key before lingering, so that an immediate reconnect is not a duplicate.
    drop(leave);
    close(&shared, peer, Some(&key), rd, wr, end).await;
}

/// Ends a connection: logs, counts, and for refusals sends the error frame.
async fn close(
    shared: &Shared,
    peer: SocketAddr,
    key: Option<&BlsPublicKey>,
    mut rd: OwnedReadHalf,
    mut wr: OwnedWriteHalf,
    end: End,
) {
    match end {
        End::Quiet(reason) => {
            debug!(target: "cdn::server", %peer, ?key, %reason, "connection closed");
        }
        End::SlowReader => {
            shared.metrics.slow_readers.inc();
            warn!(target: "cdn::relay", %peer, ?key, "send queue overflowed: slow reader disconnected");
        }
        End::Refuse(code, message) => {
            shared.refused(code);
            info!(target: "cdn::server", %peer, ?key, %code, %message, "connection refused");
            let frame = ServerMessage::Error { code, message }.encode();
            let farewell = async {
                write_frame(&mut wr, &frame).await.ok();
                wr.shutdown().await.ok();
                // Drain what the peer already sent, so that closing does not reset the
                // connection before it has read the error.
                let mut scratch = [0u8; 4096];
                let mut budget = 1usize << 20;
                while budget > 0 {
                    match rd.read(&mut scratch).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => budget = budget.saturating_sub(n),
                    }
                }
            };
            tokio::time::timeout(LINGER, farewell).await.ok();
        }
    }
}

async fn read_client(rd: &mut OwnedReadHalf, max: usize) -> Result<ClientMessage, End> {
    let body = read_frame(rd, max).await?;
    ClientMessage::decode(&body).map_err(|e| End::Refuse(ErrorCode::Malformed, e.to_string()))
}

async fn handshake(
    shared: &Shared,
    rd: &mut OwnedReadHalf,
    wr: &mut OwnedWriteHalf,
) -> Result<BlsPublicKey, End> {
    let (key, pop) = match read_client(rd, HANDSHAKE_MAX_FRAME).await? {
        ClientMessage::Hello { key, pop } => (key, pop),
        _ => return Err(End::Refuse(ErrorCode::Unexpected, "expected Hello".into())),
    };
    verify_hello(&key, &pop)?;
    shared.hub().check(&key)?;
    let nonce: [u8; 32] = rand::random();
    write_frame(wr, &ServerMessage::Challenge { nonce }.encode()).await?;
    let signature = match read_client(rd, HANDSHAKE_MAX_FRAME).await? {
        ClientMessage::Auth { signature } => signature,
        _ => return Err(End::Refuse(ErrorCode::Unexpected, "expected Auth".into())),
    };
    verify_auth(&key, &nonce, &signature)?;
    Ok(key)
}

async fn read_loop(shared: &Shared, conn: ConnId, peer: SocketAddr, rd: &mut OwnedReadHalf) -> End {
    loop {
        let msg = match read_client(rd, MAX_FRAME_BYTES).await {
            Ok(msg) => msg,
            Err(end) => return end,
        };
        let (relayed, members) = {
            let mut hub = shared.hub();
            let relayed = hub.relay(conn, msg);
            (relayed, hub.members())
        };
        let m = &shared.metrics;
        match relayed {
            Relayed::NotMember => m.drop_n("not_member", 1),
            Relayed::Unexpected => {
                return End::Refuse(
                    ErrorCode::Unexpected,
                    "handshake message after authentication".into(),
                )
            }
            Relayed::Routed {
                from,
                kind,
                bytes,
                delivery,
            } => {
                let label = KindLabel {
                    kind: kind.as_str(),
                };
                let n = delivery.delivered as u64;
                m.relayed_messages.get_or_create(&label).inc_by(n);
                m.relayed_bytes
                    .get_or_create(&label)
                    .inc_by(n * bytes as u64);
                m.drop_n("unreachable", delivery.unreachable as u64);
                m.drop_n("overflow", delivery.overflowed.len() as u64);
                for (index, _) in &delivery.overflowed {
                    warn!(target: "cdn::relay", %peer, from = %from, to = %index, "recipient's send queue is full; disconnecting it");
                }
                if !delivery.overflowed.is_empty() {
                    m.authenticated_nodes.set(members as i64);
                }
            }
        }
    }
}

async fn write_loop(
    wr: &mut OwnedWriteHalf,
    mut rx: mpsc::Receiver<Frame>,
    queued: &AtomicUsize,
) -> End {
    while let Some(frame) = rx.recv().await {
        if let Err(e) = wr.write_all(&frame).await {
            return End::Quiet(e.to_string());
        }
        queued.fetch_sub(frame.len(), Ordering::SeqCst);
    }
    End::Quiet("removed from the routing table".into())
}
