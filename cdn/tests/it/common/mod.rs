//! Helpers shared by the integration tests: a server on 127.0.0.1:0, keys, and a raw protocol
//! client that can misbehave.
#![allow(dead_code, unreachable_pub)]

use sq_cdn::admission::Membership;
use sq_cdn::metrics::Metrics;
use sq_cdn::{CdnServer, ServerConfig};
use sq_network::cdn::frame::{read_frame, write_frame, FrameError, MAX_FRAME_BYTES};
use sq_network::cdn::{auth_digest, CdnClient, ClientMessage, NetworkConfig, ServerMessage};
use sq_network::{Inbound, Network};
use sq_types::codec::{Decode, Encode};
use sq_types::BlsKeyPair;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::task::JoinHandle;

/// Upper bound on any single wait in these tests; reaching it is a failure, not a retry.
pub const PATIENCE: Duration = Duration::from_secs(20);

pub struct TestServer {
    pub addr: SocketAddr,
    pub url: String,
    pub metrics: Arc<Metrics>,
    task: JoinHandle<std::io::Result<()>>,
}

impl TestServer {
    pub async fn start(config: ServerConfig) -> TestServer {
        TestServer::start_at("127.0.0.1:0".parse().expect("addr"), config).await
    }

    pub async fn start_at(addr: SocketAddr, config: ServerConfig) -> TestServer {
        let metrics = Arc::new(Metrics::new());
        let server = CdnServer::bind(addr, config, metrics.clone())
            .await
            .expect("bind");
        let addr = server.local_addr().expect("addr");
        TestServer {
            addr,
            url: format!("tcp://{addr}"),
            metrics,
            task: tokio::spawn(server.run()),
        }
    }

    /// Aborts the server: the listener and every connection close.
    pub async fn stop(self) {
        self.task.abort();
        let _ = self.task.await;
    }
}

pub fn open(nodes: usize) -> ServerConfig {
    ServerConfig::new(Membership::Open { nodes })
}

pub fn key(seed: u8) -> BlsKeyPair {
    BlsKeyPair::from_ikm(&[seed; 32]).expect("ikm")
}

/// Connects `seeds.len()` clients concurrently (each waits for the whole table).
pub async fn connect_all(url: &str, seeds: &[u8]) -> Vec<(CdnClient, NetworkConfig)> {
    let tasks: Vec<_> = seeds
        .iter()
        .map(|&s| {
            let url = url.to_owned();
            tokio::spawn(async move { CdnClient::connect(&url, key(s)).await })
        })
        .collect();
    let mut out = Vec::new();
    for t in tasks {
        let r = tokio::time::timeout(PATIENCE, t)
            .await
            .expect("connect in time");
        out.push(r.expect("task").expect("connected"));
    }
    out
}

pub async fn recv(client: &mut CdnClient) -> Inbound {
    tokio::time::timeout(PATIENCE, client.recv())
        .await
        .expect("a message in time")
        .expect("network open")
}

/// Polls `cond` every 10 ms until it holds (fails after [`PATIENCE`]).
pub async fn eventually(what: &str, cond: impl Fn() -> bool) {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while !cond() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Fetches `GET /metrics` over a raw HTTP/1.0 request.
pub async fn scrape(addr: SocketAddr) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = TcpStream::connect(addr).await.expect("connect");
    s.write_all(b"GET /metrics HTTP/1.0\r\nHost: x\r\n\r\n")
        .await
        .expect("write");
    let mut out = String::new();
    tokio::time::timeout(PATIENCE, s.read_to_string(&mut out))
        .await
        .expect("in time")
        .expect("read");
    out
}

/// A protocol client driven by hand.
pub struct RawClient {
    pub stream: TcpStream,
}

impl RawClient {
    pub async fn connect(addr: SocketAddr) -> RawClient {
        RawClient {
            stream: TcpStream::connect(addr).await.expect("connect"),
        }
    }

    pub async fn send(&mut self, msg: &ClientMessage) {
        self.send_raw(&msg.encode()).await;
    }

    /// Writes one frame; errors are ignored (the server may already have closed).
    pub async fn send_raw(&mut self, body: &[u8]) {
        write_frame(&mut self.stream, body).await.ok();
    }

    pub async fn recv(&mut self) -> Result<ServerMessage, FrameError> {
        let body = tokio::time::timeout(PATIENCE, read_frame(&mut self.stream, MAX_FRAME_BYTES))
            .await
            .expect("a frame in time")?;
        Ok(ServerMessage::decode(&body).expect("server frames decode"))
    }

    pub async fn hello(&mut self, kp: &BlsKeyPair) -> ServerMessage {
        self.send(&ClientMessage::Hello {
            key: kp.public.clone(),
            pop: kp.proof_of_possession(),
        })
        .await;
        self.recv().await.expect("answer to Hello")
    }

    /// Hello + Auth with the right key; returns the server's next message after `Auth` is sent
    /// only if `wait_config`.
    pub async fn authenticate(addr: SocketAddr, kp: &BlsKeyPair) -> RawClient {
        let mut c = RawClient::connect(addr).await;
        let ServerMessage::Challenge { nonce } = c.hello(kp).await else {
            panic!("expected a challenge");
        };
        c.send(&ClientMessage::Auth {
            signature: kp.sign(&auth_digest(&nonce, &kp.public)),
        })
        .await;
        c
    }
}
