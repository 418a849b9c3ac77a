//! Real-socket tests on 127.0.0.1: clusters of libp2p nodes bootstrapping to node 0.
//!
//! Waiting is done by polling a condition with a deadline, never by fixed sleeps.

use super::*;
use std::future::Future;
use tokio::time::{sleep, timeout, Instant};

/// Upper bound for anything that should take a few hundred milliseconds on loopback.
const DEADLINE: Duration = Duration::from_secs(30);

fn keys(n: u8) -> Vec<BlsKeyPair> {
    (1..=n)
        .map(|i| BlsKeyPair::from_ikm(&[i; 32]).expect("ikm"))
        .collect()
}

fn table(keys: &[BlsKeyPair]) -> StakeTable {
    StakeTable::equal_stake(keys.iter().map(|k| &k.public)).expect("valid table")
}

fn loopback() -> Multiaddr {
    "/ip4/127.0.0.1/tcp/0".parse().expect("multiaddr")
}

fn config(
    keys: &[BlsKeyPair],
    me: usize,
    listen: Multiaddr,
    bootstrap: Vec<Multiaddr>,
) -> Libp2pConfig {
    Libp2pConfig {
        listen,
        bootstrap,
        key: keys[me].clone(),
        me: NodeIndex(me as u32),
        table: table(keys),
        queue: 64,
    }
}

/// Polls `cond` every 20 ms until it holds; panics with `what` after [`DEADLINE`].
async fn wait_until(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + DEADLINE;
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        sleep(Duration::from_millis(20)).await;
    }
}

async fn within<T>(what: &str, fut: impl Future<Output = T>) -> T {
    timeout(DEADLINE, fut)
        .await
        .unwrap_or_else(|_| panic!("timed out waiting for {what}"))
}

/// Starts `n` nodes, all bootstrapping to node 0, and waits until every node has verified every
/// other node's binding and reaches it directly.
async fn cluster(n: u8) -> Vec<Libp2pNetwork> {
    let k = keys(n);
    let first = Libp2pNetwork::start(config(&k, 0, loopback(), vec![]))
        .await
        .expect("node 0 starts");
    let boot = first.local_addrs();
    assert!(!boot.is_empty(), "node 0 reports its address");
    let mut nodes = vec![first];
    for i in 1..usize::from(n) {
        nodes.push(
            Libp2pNetwork::start(config(&k, i, loopback(), boot.clone()))
                .await
                .expect("node starts"),
        );
    }
    let everyone_else = |me: usize| -> Vec<NodeIndex> {
        (0..u32::from(n))
            .filter(|&i| i as usize != me)
            .map(NodeIndex)
            .collect()
    };
    wait_until("all nodes bind and reach each other", || {
        nodes.iter().enumerate().all(|(i, node)| {
            node.bound_nodes() == everyone_else(i)
                && node.reachable_nodes() == everyone_else(i)
                && node.is_healthy()
        })
    })
    .await;
    nodes
}

#[tokio::test]
async fn broadcast_reaches_every_other_node_once_and_direct_only_its_target() {
    let mut nodes = cluster(4).await;

    nodes[1]
        .send(Recipient::Broadcast(Topic::Global), b"b1".to_vec())
        .expect("send");
    // A second broadcast: if b1 were delivered twice, its copy would come before b2.
    nodes[1]
        .send(Recipient::Broadcast(Topic::Da), b"b2".to_vec())
        .expect("send");
    for i in [0, 2, 3] {
        for want in [&b"b1"[..], b"b2"] {
            let got = within("broadcast", nodes[i].recv()).await;
            assert_eq!(
                got,
                Some(Inbound {
                    from: NodeIndex(1),
                    bytes: want.to_vec()
                }),
                "node {i}"
            );
        }
    }

    nodes[1]
        .send(Recipient::Direct(NodeIndex(3)), b"d".to_vec())
        .expect("send");
    let got = within("direct", nodes[3].recv()).await;
    assert_eq!(
        got,
        Some(Inbound {
            from: NodeIndex(1),
            bytes: b"d".to_vec()
        })
    );
    // A later broadcast marker is the next thing everyone else sees.
    nodes[1]
        .send(Recipient::Broadcast(Topic::Global), b"m".to_vec())
        .expect("send");
    for i in [0, 2, 3] {
        let got = within("marker", nodes[i].recv()).await;
        assert_eq!(got.map(|m| m.bytes), Some(b"m".to_vec()), "node {i}");
    }
    for i in [0, 2] {
        assert_eq!(nodes[i].stats().delivered, 3, "node {i} got b1, b2, m only");
    }
    assert_eq!(
        nodes[1].stats().delivered,
        0,
        "no self-delivery of broadcasts"
    );
    assert_eq!(nodes[1].stats().direct_sent, 1);
}

#[tokio::test]
async fn gossip_claiming_another_index_is_rejected() {
    let mut nodes = cluster(4).await;
    // Node 1 publishes a payload that claims to come from node 2.
    nodes[1]
        .raw_publish(Topic::Global, encode_gossip(NodeIndex(2), b"forged"))
        .expect("send");
    nodes[1]
        .send(Recipient::Broadcast(Topic::Global), b"genuine".to_vec())
        .expect("send");
    for i in [0, 2, 3] {
        let got = within("genuine broadcast", nodes[i].recv()).await;
        assert_eq!(
            got,
            Some(Inbound {
                from: NodeIndex(1),
                bytes: b"genuine".to_vec()
            }),
            "node {i} must skip the forged message"
        );
        assert!(
            nodes[i].stats().rejected_unbound >= 1,
            "node {i} counted it"
        );
    }
}

#[tokio::test]
async fn direct_to_self_unbound_or_unknown_and_oversized() {
    let k = keys(3);
    // Node 0 alone: nodes 1 and 2 are in the table but never bind.
    let mut node = Libp2pNetwork::start(config(&k, 0, loopback(), vec![]))
        .await
        .expect("starts");
    assert!(!node.is_healthy(), "no bound peer yet");
    node.send(Recipient::Direct(NodeIndex(0)), b"me".to_vec())
        .expect("send");
    assert_eq!(
        within("loopback", node.recv()).await,
        Some(Inbound {
            from: NodeIndex(0),
            bytes: b"me".to_vec()
        })
    );
    node.send(Recipient::Direct(NodeIndex(2)), b"nobody".to_vec())
        .expect("unbound target is accepted and dropped");
    wait_until("the drop is counted", || node.stats().dropped_unbound == 1).await;
    assert_eq!(
        node.send(Recipient::Direct(NodeIndex(3)), vec![]),
        Err(NetworkError::UnknownNode(NodeIndex(3)))
    );
    assert_eq!(
        node.send(
            Recipient::Broadcast(Topic::Global),
            vec![0; MAX_MESSAGE_BYTES + 1]
        ),
        Err(NetworkError::TooLarge(MAX_MESSAGE_BYTES + 1))
    );
}

#[tokio::test]
async fn start_refuses_a_key_not_registered_at_me() {
    let k = keys(2);
    let mut cfg = config(&k, 0, loopback(), vec![]);
    cfg.me = NodeIndex(1);
    assert_eq!(
        Libp2pNetwork::start(cfg).await.err(),
        Some(Libp2pError::KeyMismatch(NodeIndex(1)))
    );
    let mut cfg = config(&k, 0, loopback(), vec![]);
    cfg.me = NodeIndex(7);
    assert_eq!(
        Libp2pNetwork::start(cfg).await.err(),
        Some(Libp2pError::NotInTable(NodeIndex(7)))
    );
}

#[tokio::test]
async fn bootstrap_is_redialled_until_it_comes_up() {
    let k = keys(2);
    // Reserve a port, release it, and point node 1 at it before anything listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let boot: Multiaddr = format!("/ip4/127.0.0.1/tcp/{port}").parse().expect("addr");
    let node1 = Libp2pNetwork::start(config(&k, 1, loopback(), vec![boot.clone()]))
        .await
        .expect("node 1 starts");
    // At least one dial fails before the bootstrap node exists.
    wait_until("a failed dial", || node1.stats().dial_failed >= 1).await;
    assert!(!node1.is_healthy());
    let node0 = Libp2pNetwork::start(config(&k, 0, boot, vec![]))
        .await
        .expect("node 0 starts on the reserved port");
    wait_until("both bind each other", || {
        node0.bound_nodes() == vec![NodeIndex(1)] && node1.bound_nodes() == vec![NodeIndex(0)]
    })
    .await;
    assert!(node0.is_healthy() && node1.is_healthy());
    assert_eq!(node0.peer_id(), peer_id_of(&k[0]).expect("derive"));
}

#[tokio::test]
async fn largest_message_travels_by_gossip_and_direct() {
    let mut nodes = cluster(2).await;
    let big = vec![0xA5; MAX_MESSAGE_BYTES];
    nodes[0]
        .send(Recipient::Broadcast(Topic::Da), big.clone())
        .expect("send");
    nodes[0]
        .send(Recipient::Direct(NodeIndex(1)), big.clone())
        .expect("send");
    for what in ["gossip", "direct"] {
        let got = within(what, nodes[1].recv()).await.expect("open");
        assert_eq!(
            (got.from, got.bytes.len()),
            (NodeIndex(0), big.len()),
            "{what}"
        );
    }
    assert_eq!(nodes[0].stats().publish_failed, 0);
    assert_eq!(nodes[0].stats().direct_failed, 0);
}

#[tokio::test]
async fn a_restarted_node_rejoins_with_the_same_peer_id() {
    let k = keys(3);
    let mut nodes = cluster(3).await;
    let addr2 = nodes[2].local_addrs()[0].clone();
    let old_peer = nodes[2].peer_id();
    drop(nodes.pop());
    wait_until("node 2 is seen gone", || {
        nodes
            .iter()
            .all(|n| !n.reachable_nodes().contains(&NodeIndex(2)))
    })
    .await;

    let boot = nodes[0].local_addrs();
    let mut again = Libp2pNetwork::start(config(&k, 2, addr2, boot))
        .await
        .expect("node 2 restarts on its old address");
    assert_eq!(
        again.peer_id(),
        old_peer,
        "the peer id is derived from the BLS key"
    );
    wait_until("node 2 rejoins", || {
        again.reachable_nodes() == vec![NodeIndex(0), NodeIndex(1)]
            && nodes
                .iter()
                .all(|n| n.reachable_nodes().contains(&NodeIndex(2)))
    })
    .await;

    again
        .send(Recipient::Broadcast(Topic::Global), b"back".to_vec())
        .expect("send");
    for node in &mut nodes {
        let got = within("broadcast from the restarted node", node.recv()).await;
        assert_eq!(
            got,
            Some(Inbound {
                from: NodeIndex(2),
                bytes: b"back".to_vec()
            })
        );
    }
    nodes[1]
        .send(Recipient::Direct(NodeIndex(2)), b"welcome".to_vec())
        .expect("send");
    let got = within("direct to the restarted node", again.recv()).await;
    assert_eq!(
        got.map(|m| (m.from, m.bytes)),
        Some((NodeIndex(1), b"welcome".to_vec()))
    );
}
