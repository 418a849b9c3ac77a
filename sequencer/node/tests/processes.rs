//! Process-level tests on 127.0.0.1: a real `cdn-server` and four real `sequencer` processes.
//! One cluster runs the scenarios in order (they are too heavy to run side by side on two
//! cores): decide 20 blocks; carry a submitted transaction; refuse an unauthenticated client;
//! keep deciding with one node killed and let it rejoin; keep deciding over libp2p after the
//! CDN is killed.

use sq_network::cdn::protocol::{ClientMessage, ErrorCode, ServerMessage};
use sq_node::cluster::{http, status, Cluster, ClusterConfig};
use sq_types::codec::{Decode, Encode};
use sq_types::BlsKeyPair;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The folder holding this test build's binaries, building them when missing.
fn bin_dir() -> PathBuf {
    let dir = std::env::current_exe()
        .expect("exe")
        .parent()
        .and_then(Path::parent)
        .expect("target dir")
        .to_path_buf();
    if !dir.join("cdn-server").exists() || !dir.join("sequencer").exists() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "-p", "sq-cdn", "-p", "sq-node", "--bins"])
            .status()
            .expect("cargo");
        assert!(status.success(), "building the binaries failed");
    }
    dir
}

#[test]
fn cdn_and_four_sequencers_decide_survive_failures_and_refuse_strangers() {
    let mut c = Cluster::start(&ClusterConfig {
        nodes: 4,
        bin_dir: bin_dir(),
        libp2p: true,
        cdn_args: Vec::new(),
    })
    .expect("cluster");
    let all = [0, 1, 2, 3];
    let wait = |c: &Cluster, nodes: &[usize], target: u64, what: &str| {
        if let Err(e) = c.wait_heights(nodes, target, Duration::from_secs(120)) {
            panic!("{what}: {e}");
        }
    };
    wait(&c, &all, 20, "4 nodes over the CDN");

    // A submitted transaction ends up in decided blocks on every node.
    let body = r#"{"namespace": 7, "payload": "0xdeadbeef"}"#;
    let (code, reply) = http(c.api[0], "POST", "/v0/submit", Some(body)).expect("submit reply");
    assert_eq!(code, 200, "{reply}");
    assert!(reply.contains("commitment"), "{reply}");
    let (code, dup) = http(c.api[0], "POST", "/v0/submit", Some(body)).expect("duplicate reply");
    assert_eq!(code, 409, "{dup}");
    assert!(dup.contains("duplicate_transaction"), "{dup}");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !all
        .iter()
        .all(|&i| status(c.api[i]).is_some_and(|s| s["decided_transactions"].as_u64() >= Some(1)))
    {
        assert!(
            Instant::now() < deadline,
            "transaction not decided everywhere\n{}",
            c.logs()
        );
        std::thread::sleep(Duration::from_millis(200));
    }

    // A stranger with a valid proof of possession but an unregistered key is refused.
    let stranger = BlsKeyPair::from_ikm(&[99; 32]).expect("ikm");
    let mut s = TcpStream::connect(("127.0.0.1", c.cdn_port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    let hello = ClientMessage::Hello {
        key: stranger.public.clone(),
        pop: stranger.proof_of_possession(),
    };
    let body = hello.encode();
    let mut frame = (body.len() as u32).to_be_bytes().to_vec();
    frame.extend_from_slice(&body);
    s.write_all(&frame).expect("send hello");
    let mut len = [0u8; 4];
    s.read_exact(&mut len).expect("a reply frame");
    let mut reply = vec![0u8; u32::from_be_bytes(len) as usize];
    s.read_exact(&mut reply).expect("the reply body");
    match ServerMessage::decode(&reply).expect("server message") {
        ServerMessage::Error { code, .. } => assert_eq!(code, ErrorCode::UnknownKey),
        other => panic!("expected a refusal, got {other:?}"),
    }

    // Killing one node (f = 1) does not stop decisions; restarted, it rejoins.
    c.nodes[3] = None;
    let before = c.max_height(&[0, 1, 2]);
    wait(&c, &[0, 1, 2], before + 10, "3 of 4 nodes");
    let node3 = c.spawn_node(3).expect("restart node 3");
    c.nodes[3] = Some(node3);
    let target = c.max_height(&[0, 1, 2]) + 5;
    wait(&c, &all, target, "node 3 rejoined");

    // Killing the CDN: the nodes fall back to libp2p and keep deciding.
    c.cdn = None;
    let before = c.max_height(&all);
    wait(&c, &all, before + 10, "after the CDN died (libp2p)");
}
