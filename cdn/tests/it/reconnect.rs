//! The client survives a server restart: it reports unhealthy, drops (and counts) what is sent
//! meanwhile, reconnects with back-off, redoes the handshake, and is healthy again.

use crate::common::{connect_all, eventually, open, recv, TestServer};
use sq_network::{Network, Recipient, Topic};

#[tokio::test]
async fn clients_reconnect_after_a_server_restart() {
    let server = TestServer::start(open(2)).await;
    let addr = server.addr;
    let mut nodes = connect_all(&server.url, &[1, 2]).await;
    let before = nodes[0].1.stake_table.clone();

    server.stop().await;
    eventually("both clients notice", || {
        nodes.iter().all(|(c, _)| !c.is_healthy())
    })
    .await;
    nodes[0]
        .0
        .send(Recipient::Broadcast(Topic::Global), b"lost".to_vec())
        .expect("dropped, not an error");
    assert!(nodes[0].0.stats().dropped_while_disconnected >= 1);

    // Same port; without L1 the new server rebuilds the same table from the same two keys.
    let server = TestServer::start_at(addr, open(2)).await;
    eventually("both clients reconnect", || {
        nodes.iter().all(|(c, _)| c.is_healthy())
    })
    .await;
    assert!(nodes.iter().all(|(c, _)| c.stats().reconnects >= 1));
    assert_eq!(server.metrics.authenticated_nodes.get(), 2);
    let from = nodes[1].0.index();
    nodes[1]
        .0
        .send(Recipient::Direct(nodes[0].0.index()), b"back".to_vec())
        .expect("send");
    let m = recv(&mut nodes[0].0).await;
    assert_eq!((m.from, m.bytes.as_slice()), (from, &b"back"[..]));
    assert_eq!(nodes[0].1.stake_table, before);
    server.stop().await;
}
