//! Process-level tests on 127.0.0.1: a real `cdn-server` and four real `sequencer` processes.
//! One cluster runs the scenarios in order (they are too heavy to run side by side on two
//! cores): decide 20 blocks; carry a submitted transaction; refuse an unauthenticated client;
//! keep deciding with one node killed (`kill -9`) and let it rejoin, losing no decided block and
//! catching up on what it missed; keep deciding over libp2p after the CDN is killed. Node 1
//! stores its decided blocks in PostgreSQL (`SQ_TEST_POSTGRES_URL`, default the local server),
//! the others in SQLite.

mod common;

use common::{bin_dir, PgDatabase};
use sq_network::cdn::protocol::{ClientMessage, ErrorCode, ServerMessage};
use sq_testing::cluster::{status, Cluster, ClusterConfig};
use sq_testing::http::{block_on, node_api};
use sq_types::codec::{Decode, Encode};
use sq_types::BlsKeyPair;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

#[test]
fn cdn_and_four_sequencers_decide_survive_failures_and_refuse_strangers() {
    let pg = PgDatabase::create("processes");
    let mut c = Cluster::start(&ClusterConfig {
        nodes: 4,
        bin_dir: bin_dir(),
        libp2p: true,
        cdn_args: Vec::new(),
        database_urls: vec![(1, pg.url.clone())],
        // A small window, so that node 3, killed for longer than 32 blocks, must rejoin from a
        // leaf that catch-up stored rather than from leaves its peers still hold in memory.
        node_args: vec!["--decided-window".into(), "32".into()],
        per_node_args: Vec::new(),
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
    let api0 = node_api(c.api[0]);
    let payload = [0xde, 0xad, 0xbe, 0xef];
    let commitment = block_on(api0.submit(7, &payload)).expect("submit accepted");
    let dup = block_on(api0.submit(7, &payload)).expect_err("duplicate refused");
    assert!(
        matches!(dup, sq_api::client::ClientError::Status { status: 409, .. }),
        "{dup}"
    );
    assert!(dup.is(sq_api::ErrorCode::DuplicateTransaction), "{dup}");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !all
        .iter()
        .all(|&i| status(c.api[i]).is_some_and(|s| s.decided_transactions >= 1))
    {
        assert!(
            Instant::now() < deadline,
            "transaction not decided everywhere\n{}",
            c.logs()
        );
        std::thread::sleep(Duration::from_millis(200));
    }

    // Every node stored it: found by hash, in a decided block whose leaf and payload are served.
    for &i in &all {
        let api = node_api(c.api[i]);
        let deadline = Instant::now() + Duration::from_secs(30);
        let found = loop {
            match block_on(api.transaction_by_hash(&commitment)) {
                Ok(Some(t)) => break t,
                _ if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(200)),
                other => panic!("node {i}: transaction not stored: {other:?}\n{}", c.logs()),
            }
        };
        assert_eq!(found.namespace, 7, "node {i}: {found:?}");
        let h = found.height;
        let (leaf, _qc) = block_on(api.leaf(h))
            .expect("leaf answer")
            .unwrap_or_else(|| panic!("node {i}: no leaf at {h}"));
        assert_eq!(leaf.header.height.0, h, "node {i}");
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

    // `kill -9` one node (f = 1): the others keep deciding. Restarted, it rejoins, has every
    // block it had decided before the kill, and catches up on the ones it missed.
    let stored_before = status(c.api[3]).expect("status").stored_height;
    c.nodes[3] = None; // SIGKILL
    let before = c.max_height(&[0, 1, 2]);
    wait(&c, &[0, 1, 2], before + 40, "3 of 4 nodes");
    let missed = c.max_height(&[0, 1, 2]);
    let node3 = c.spawn_node(3).expect("restart node 3");
    c.nodes[3] = Some(node3);
    let target = c.max_height(&[0, 1, 2]) + 5;
    wait(&c, &all, target, "node 3 rejoined");
    // It votes and decides again itself, not only from caught-up leaves.
    let deadline = Instant::now() + Duration::from_secs(60);
    while status(c.api[3]).map(|s| s.decided_blocks) < Some(5) {
        assert!(
            Instant::now() < deadline,
            "node 3 does not decide after rejoining\n{}",
            c.logs()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    // Every height up to `missed` must be served by node 3, catch-up filling the gap.
    let deadline = Instant::now() + Duration::from_secs(90);
    let mut h = 1;
    while h <= missed {
        match block_on(node_api(c.api[3]).payload(h)) {
            Ok(Some(_)) => h += 1,
            other => {
                assert!(
                    Instant::now() < deadline,
                    "node 3 lacks block {h} of {missed} (stored {stored_before} before the kill): {other:?}\n{}",
                    c.logs()
                );
                std::thread::sleep(Duration::from_millis(200));
            }
        }
    }

    // Killing the CDN: the nodes fall back to libp2p and keep deciding.
    c.cdn = None;
    let before = c.max_height(&all);
    wait(&c, &all, before + 10, "after the CDN died (libp2p)");
}
