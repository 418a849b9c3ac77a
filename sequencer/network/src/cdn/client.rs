//! The CDN client: a [`crate::Network`] over one authenticated TCP connection to `cdn-server`.
//!
//! [`CdnClient::connect`] dials `tcp://host:port`, runs the handshake (`Hello`, `Challenge`,
//! `Auth`; see [`super::protocol`]) and waits for the server's [`NetworkConfig`], which arrives
//! once the stake table is complete. It then finds its own [`NodeIndex`] and hands the
//! connection to a background task that owns it.
//!
//! Failure contract:
//! * `send` never blocks. It enqueues into a bounded queue ([`ClientOptions::outbound_capacity`])
//!   and returns [`NetworkError::QueueFull`] when that is full. While the client is disconnected,
//!   `send` drops the message, counts it ([`ClientStats::dropped_while_disconnected`]) and
//!   returns `Ok`: the `Network` contract allows loss, and [`CdnClient::is_healthy`] tells the
//!   combined network to use its fallback meanwhile.
//! * When the connection fails, the task reconnects with exponential back-off (100 ms doubling
//!   to a 5 s cap by default, reset after a successful handshake; no jitter) and redoes the full
//!   handshake. The server sends `Config` on every successful authentication; the client accepts
//!   the new connection only if the stake table is the one it started with (a server restarted
//!   without L1 rebuilds the same table from the same keys); otherwise it keeps retrying, because
//!   its indices would be wrong.
//! * Inbound messages go into a bounded queue ([`ClientOptions::inbound_capacity`]); when the
//!   node does not keep up, further messages are dropped and counted rather than stalling the
//!   socket (which would make the server drop us as a slow reader).
//! * `recv` returns `None` only if the background task has ended, which it does not do while
//!   the client exists.

use super::frame::{encode_message, read_frame, write_frame, FrameError, MAX_FRAME_BYTES};
use super::protocol::{auth_digest, ClientMessage, ErrorCode, NetworkConfig, ServerMessage};
use crate::{Inbound, Network, NetworkError, Recipient, MAX_MESSAGE_BYTES};
use backon::BackoffBuilder;
use sq_types::codec::{Decode, DecodeError, Encode};
use sq_types::{BlsKeyPair, NodeIndex, StakeTable};
use std::convert::Infallible;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use thiserror::Error;
use tokio::io::AsyncWriteExt;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tracing::{info, warn};

/// Largest frame the client accepts during the handshake (a `Config` with the largest stake
/// table is about 230 KB).
const HANDSHAKE_MAX_FRAME: usize = 1 << 20;

/// Why connecting to the CDN failed.
#[derive(Debug, Error)]
pub enum CdnError {
    /// The URL is not `tcp://host:port`.
    #[error("invalid CDN URL {0:?}: expected tcp://host:port")]
    BadUrl(String),
    /// TCP connect, read or write failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// A frame could not be read or written.
    #[error("frame error: {0}")]
    Frame(#[from] FrameError),
    /// A server message did not decode.
    #[error("malformed server message: {0}")]
    Decode(#[from] DecodeError),
    /// The server refused us with an `Error` frame.
    #[error("refused by the CDN server ({code}): {message}")]
    Refused {
        /// The server's reason.
        code: ErrorCode,
        /// Its detail text.
        message: String,
    },
    /// The server sent a valid message that makes no sense at this point of the protocol.
    #[error("unexpected server message: {0}")]
    Unexpected(&'static str),
    /// The handshake (up to the challenge answer) or a write took too long.
    #[error("timed out")]
    Timeout,
    /// Our key is not in the stake table the server sent.
    #[error("our key is not in the server's stake table")]
    NotInTable,
    /// After a reconnect, the server sent a different stake table than at start.
    #[error("the server's stake table changed")]
    ConfigMismatch,
}

impl CdnError {
    /// Whether trying again later may succeed (network trouble, a server that has not yet
    /// noticed our previous connection died, a full server). Bad keys, bad URLs and protocol
    /// violations fail again.
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        match self {
            CdnError::Io(_) | CdnError::Timeout => true,
            CdnError::Frame(e) => !matches!(
                e,
                FrameError::TooLarge { .. } | FrameError::OutgoingTooLarge(_)
            ),
            CdnError::Refused { code, .. } => code.is_retryable(),
            CdnError::BadUrl(_)
            | CdnError::Decode(_)
            | CdnError::Unexpected(_)
            | CdnError::NotInTable
            | CdnError::ConfigMismatch => false,
        }
    }
}

/// Tuning knobs of a [`CdnClient`]; [`Default`] gives the documented values.
#[derive(Clone, Debug)]
pub struct ClientOptions {
    /// Outbound queue, in messages (default 1024). `send` returns `QueueFull` beyond it.
    pub outbound_capacity: usize,
    /// Inbound queue, in messages (default 4096). Messages beyond it are dropped and counted.
    pub inbound_capacity: usize,
    /// Limit on the TCP connect and on `Hello`→`Challenge`→`Auth` (default 10 s). The wait for
    /// `Config` that follows has no limit: the server sends it once all nodes have joined.
    pub handshake_timeout: Duration,
    /// Limit on writing one frame to the socket (default 10 s); exceeding it drops the
    /// connection.
    pub write_timeout: Duration,
    /// First reconnect delay (default 100 ms).
    pub backoff_min: Duration,
    /// Largest reconnect delay (default 5 s).
    pub backoff_max: Duration,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            outbound_capacity: 1024,
            inbound_capacity: 4096,
            handshake_timeout: Duration::from_secs(10),
            write_timeout: Duration::from_secs(10),
            backoff_min: Duration::from_millis(100),
            backoff_max: Duration::from_secs(5),
        }
    }
}

/// The reconnect schedule: `backoff_min`, doubling, capped at `backoff_max`, without a limit
/// on attempts. A fresh schedule starts at every outage.
fn reconnect_delays(options: &ClientOptions) -> backon::ExponentialBackoff {
    backon::ExponentialBuilder::default()
        .with_min_delay(options.backoff_min)
        .with_max_delay(options.backoff_max.max(options.backoff_min))
        .without_max_times()
        .build()
}

/// Counters of a [`CdnClient`], for logs and metrics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClientStats {
    /// Messages `send` dropped because the client was disconnected, plus messages still queued
    /// when a connection failed.
    pub dropped_while_disconnected: u64,
    /// Inbound messages dropped because the inbound queue was full.
    pub dropped_inbound: u64,
    /// Successful reconnections since start.
    pub reconnects: u64,
}

#[derive(Default)]
struct Shared {
    healthy: AtomicBool,
    dropped_while_disconnected: AtomicU64,
    dropped_inbound: AtomicU64,
    reconnects: AtomicU64,
}

/// A connected CDN client. See the module docs for the contract.
pub struct CdnClient {
    me: NodeIndex,
    nodes: usize,
    /// Encoded frames (length prefix included).
    outbound: mpsc::Sender<Vec<u8>>,
    inbound: mpsc::Receiver<Inbound>,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl std::fmt::Debug for CdnClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CdnClient")
            .field("me", &self.me)
            .field("nodes", &self.nodes)
            .field("healthy", &self.is_healthy())
            .finish_non_exhaustive()
    }
}

impl CdnClient {
    /// Connects to `url` (`tcp://host:port`) with [`ClientOptions::default`]; see
    /// [`CdnClient::connect_with`].
    ///
    /// # Errors
    /// As [`CdnClient::connect_with`].
    pub async fn connect(
        url: &str,
        key: BlsKeyPair,
    ) -> Result<(CdnClient, NetworkConfig), CdnError> {
        CdnClient::connect_with(url, key, ClientOptions::default()).await
    }

    /// Connects once (no retry), authenticates with `key`, and waits — without a limit — for
    /// the network configuration. Callers that want to retry check
    /// [`CdnError::is_retryable`]; after this succeeds, reconnection is automatic.
    ///
    /// # Errors
    /// [`CdnError::BadUrl`], a connection or handshake failure, a refusal
    /// ([`CdnError::Refused`]), or [`CdnError::NotInTable`] if the server's table lacks `key`.
    pub async fn connect_with(
        url: &str,
        key: BlsKeyPair,
        options: ClientOptions,
    ) -> Result<(CdnClient, NetworkConfig), CdnError> {
        let addr = parse_url(url)?;
        let (rd, wr, config) = establish(&addr, &key, &options).await?;
        let me = config
            .stake_table
            .index_of(&key.public)
            .ok_or(CdnError::NotInTable)?;
        info!(target: "cdn::client", %addr, node = %me, nodes = config.stake_table.len(), "connected to the CDN");
        let (out_tx, out_rx) = mpsc::channel(options.outbound_capacity.max(1));
        let (in_tx, in_rx) = mpsc::channel(options.inbound_capacity.max(1));
        let shared = Arc::new(Shared::default());
        shared.healthy.store(true, Ordering::SeqCst);
        let task = tokio::spawn(
            Driver {
                addr,
                key,
                table: config.stake_table.clone(),
                options,
                outbound: out_rx,
                inbound: in_tx,
                shared: shared.clone(),
            }
            .run(rd, wr),
        );
        Ok((
            CdnClient {
                me,
                nodes: config.stake_table.len(),
                outbound: out_tx,
                inbound: in_rx,
                shared,
                task,
            },
            config,
        ))
    }

    /// This node's index in the stake table.
    #[must_use]
    pub fn index(&self) -> NodeIndex {
        self.me
    }

    /// A snapshot of the client's counters.
    #[must_use]
    pub fn stats(&self) -> ClientStats {
        ClientStats {
            dropped_while_disconnected: self
                .shared
                .dropped_while_disconnected
                .load(Ordering::Relaxed),
            dropped_inbound: self.shared.dropped_inbound.load(Ordering::Relaxed),
            reconnects: self.shared.reconnects.load(Ordering::Relaxed),
        }
    }
}

impl Drop for CdnClient {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Network for CdnClient {
    fn send(&self, to: Recipient, bytes: Vec<u8>) -> Result<(), NetworkError> {
        if bytes.len() > MAX_MESSAGE_BYTES {
            return Err(NetworkError::TooLarge(bytes.len()));
        }
        let msg = match to {
            Recipient::Broadcast(topic) => ClientMessage::Broadcast { topic, bytes },
            Recipient::Direct(node) if node.as_usize() < self.nodes => {
                ClientMessage::Direct { to: node, bytes }
            }
            Recipient::Direct(node) => return Err(NetworkError::UnknownNode(node)),
        };
        if !self.is_healthy() {
            self.shared
                .dropped_while_disconnected
                .fetch_add(1, Ordering::Relaxed);
            return Ok(());
        }
        // The payload is within MAX_MESSAGE_BYTES, so the frame is within MAX_FRAME_BYTES.
        let frame = encode_message(&msg).map_err(|_| NetworkError::TooLarge(MAX_FRAME_BYTES))?;
        self.outbound.try_send(frame).map_err(|e| match e {
            mpsc::error::TrySendError::Full(_) => NetworkError::QueueFull,
            mpsc::error::TrySendError::Closed(_) => NetworkError::Closed,
        })
    }

    async fn recv(&mut self) -> Option<Inbound> {
        self.inbound.recv().await
    }

    fn is_healthy(&self) -> bool {
        self.shared.healthy.load(Ordering::SeqCst)
    }
}

/// `tcp://host:port` → `host:port`.
fn parse_url(url: &str) -> Result<String, CdnError> {
    let bad = || CdnError::BadUrl(url.to_owned());
    let rest = url.strip_prefix("tcp://").ok_or_else(bad)?;
    let (host, port) = rest.rsplit_once(':').ok_or_else(bad)?;
    if host.is_empty() || port.parse::<u16>().is_err() || rest.contains('/') {
        return Err(bad());
    }
    Ok(rest.to_owned())
}

async fn read_server(rd: &mut OwnedReadHalf, max: usize) -> Result<ServerMessage, CdnError> {
    let body = read_frame(rd, max).await?;
    match ServerMessage::decode(&body)? {
        ServerMessage::Error { code, message } => Err(CdnError::Refused { code, message }),
        other => Ok(other),
    }
}

/// Connects and runs the handshake up to and including `Config`.
async fn establish(
    addr: &str,
    key: &BlsKeyPair,
    options: &ClientOptions,
) -> Result<(OwnedReadHalf, OwnedWriteHalf, NetworkConfig), CdnError> {
    let limit = options.handshake_timeout;
    let stream = tokio::time::timeout(limit, TcpStream::connect(addr))
        .await
        .map_err(|_| CdnError::Timeout)??;
    stream.set_nodelay(true)?;
    let (mut rd, mut wr) = stream.into_split();
    let challenge = async {
        let hello = ClientMessage::Hello {
            key: key.public.clone(),
            pop: key.proof_of_possession(),
        };
        write_frame(&mut wr, &hello.encode()).await?;
        let nonce = match read_server(&mut rd, HANDSHAKE_MAX_FRAME).await? {
            ServerMessage::Challenge { nonce } => nonce,
            _ => return Err(CdnError::Unexpected("expected Challenge")),
        };
        let auth = ClientMessage::Auth {
            signature: key.sign(&auth_digest(&nonce, &key.public)),
        };
        write_frame(&mut wr, &auth.encode()).await?;
        Ok::<_, CdnError>(())
    };
    tokio::time::timeout(limit, challenge)
        .await
        .map_err(|_| CdnError::Timeout)??;
    match read_server(&mut rd, HANDSHAKE_MAX_FRAME).await? {
        ServerMessage::Config(config) => Ok((rd, wr, config)),
        _ => Err(CdnError::Unexpected("expected Config")),
    }
}

/// The background task that owns the connection.
struct Driver {
    addr: String,
    key: BlsKeyPair,
    table: StakeTable,
    options: ClientOptions,
    outbound: mpsc::Receiver<Vec<u8>>,
    inbound: mpsc::Sender<Inbound>,
    shared: Arc<Shared>,
}

impl Driver {
    async fn run(mut self, mut rd: OwnedReadHalf, mut wr: OwnedWriteHalf) {
        loop {
            self.shared.healthy.store(true, Ordering::SeqCst);
            let reason = self.serve(&mut rd, &mut wr).await;
            self.shared.healthy.store(false, Ordering::SeqCst);
            warn!(target: "cdn::client", addr = %self.addr, %reason, "CDN connection lost; reconnecting");
            // Messages queued for the dead connection are lost, like those sent from now on.
            let mut stale = 0;
            while self.outbound.try_recv().is_ok() {
                stale += 1;
            }
            self.shared
                .dropped_while_disconnected
                .fetch_add(stale, Ordering::Relaxed);
            let mut delays = reconnect_delays(&self.options);
            loop {
                let delay = delays.next().unwrap_or(self.options.backoff_max);
                tokio::time::sleep(delay).await;
                match self.reestablish().await {
                    Ok((r, w)) => {
                        (rd, wr) = (r, w);
                        self.shared.reconnects.fetch_add(1, Ordering::Relaxed);
                        info!(target: "cdn::client", addr = %self.addr, "reconnected to the CDN");
                        break;
                    }
                    Err(e) => {
                        warn!(target: "cdn::client", addr = %self.addr, error = %e, "CDN reconnect failed");
                    }
                }
            }
        }
    }

    async fn reestablish(&self) -> Result<(OwnedReadHalf, OwnedWriteHalf), CdnError> {
        let (rd, wr, config) = establish(&self.addr, &self.key, &self.options).await?;
        if config.stake_table != self.table {
            return Err(CdnError::ConfigMismatch);
        }
        Ok((rd, wr))
    }

    /// Runs one connection until it fails; returns why.
    async fn serve(&mut self, rd: &mut OwnedReadHalf, wr: &mut OwnedWriteHalf) -> CdnError {
        let reader = read_loop(rd, &self.table, &self.inbound, &self.shared);
        let writer = write_loop(wr, &mut self.outbound, self.options.write_timeout);
        let Err(e) = tokio::select! {
            r = reader => r,
            w = writer => w,
        };
        e
    }
}

/// Forwards deliveries to the inbound queue until the connection fails.
async fn read_loop(
    rd: &mut OwnedReadHalf,
    table: &StakeTable,
    inbound: &mpsc::Sender<Inbound>,
    shared: &Shared,
) -> Result<Infallible, CdnError> {
    loop {
        match read_server(rd, MAX_FRAME_BYTES).await? {
            ServerMessage::Deliver { from, bytes, .. } => {
                if inbound.try_send(Inbound { from, bytes }).is_err() {
                    shared.dropped_inbound.fetch_add(1, Ordering::Relaxed);
                }
            }
            ServerMessage::Config(c) if &c.stake_table == table => {}
            ServerMessage::Config(_) => return Err(CdnError::ConfigMismatch),
            ServerMessage::Challenge { .. } => {
                return Err(CdnError::Unexpected("Challenge after authentication"))
            }
            // `read_server` turns these into `CdnError::Refused`.
            ServerMessage::Error { code, message } => {
                return Err(CdnError::Refused { code, message })
            }
        }
    }
}

/// Writes queued frames until the connection fails.
async fn write_loop(
    wr: &mut OwnedWriteHalf,
    outbound: &mut mpsc::Receiver<Vec<u8>>,
    write_timeout: Duration,
) -> Result<Infallible, CdnError> {
    // The sender lives in `CdnClient`, which aborts this task when dropped, so the loop ends
    // only on an error in practice.
    while let Some(frame) = outbound.recv().await {
        tokio::time::timeout(write_timeout, wr.write_all(&frame))
            .await
            .map_err(|_| CdnError::Timeout)??;
    }
    Err(CdnError::Io(std::io::ErrorKind::BrokenPipe.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_must_be_tcp_host_port() {
        assert_eq!(
            parse_url("tcp://127.0.0.1:7000").ok().as_deref(),
            Some("127.0.0.1:7000")
        );
        assert_eq!(
            parse_url("tcp://[::1]:7000").ok().as_deref(),
            Some("[::1]:7000")
        );
        for bad in [
            "127.0.0.1:7000",
            "http://h:1",
            "tcp://h",
            "tcp://:7000",
            "tcp://h:99999",
            "tcp://h:1/x",
        ] {
            assert!(matches!(parse_url(bad), Err(CdnError::BadUrl(_))), "{bad}");
        }
    }

    #[test]
    fn reconnect_delays_double_to_the_cap_without_jitter() {
        let options = ClientOptions::default();
        let delays: Vec<u128> = reconnect_delays(&options)
            .take(9)
            .map(|d| d.as_millis())
            .collect();
        assert_eq!(delays, [100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000]);
        let inverted = ClientOptions {
            backoff_max: Duration::from_millis(10),
            ..ClientOptions::default()
        };
        let first: Vec<u128> = reconnect_delays(&inverted)
            .take(2)
            .map(|d| d.as_millis())
            .collect();
        assert_eq!(first, [100, 100], "a max below the min is raised to it");
    }

    #[test]
    fn retryable_errors() {
        assert!(CdnError::Timeout.is_retryable());
        assert!(CdnError::Refused {
            code: ErrorCode::DuplicateKey,
            message: String::new()
        }
        .is_retryable());
        assert!(!CdnError::Refused {
            code: ErrorCode::UnknownKey,
            message: String::new()
        }
        .is_retryable());
        assert!(!CdnError::NotInTable.is_retryable());
        assert!(CdnError::Frame(FrameError::Closed).is_retryable());
    }
}
