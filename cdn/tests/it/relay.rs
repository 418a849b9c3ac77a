//! Relaying between real clients: identical configuration, broadcast and direct routing,
//! metrics, and a slow reader that is dropped without hurting the others.

use crate::common::{
    connect_all, eventually, key, open, recv, scrape, RawClient, TestServer, PATIENCE,
};
use sq_cdn::metrics::{self, KindLabel};
use sq_network::cdn::ServerMessage;
use sq_network::{Network, Recipient, Topic};
use sq_types::NodeIndex;
use std::collections::HashSet;
use tokio::io::AsyncReadExt;

#[tokio::test]
async fn four_nodes_get_one_config_and_messages_reach_exactly_their_recipients() {
    let server = TestServer::start(open(4)).await;
    let mut nodes = connect_all(&server.url, &[1, 2, 3, 4]).await;

    let config = nodes[0].1.clone();
    assert!(
        nodes.iter().all(|(_, c)| *c == config),
        "identical configuration"
    );
    let mut sorted: Vec<_> = (1..=4).map(|s| key(s).public.to_compressed()).collect();
    sorted.sort();
    let table: Vec<_> = config
        .stake_table
        .entries()
        .iter()
        .map(|e| e.key.to_compressed())
        .collect();
    assert_eq!(table, sorted, "indices follow compressed key order");
    let indices: HashSet<NodeIndex> = nodes.iter().map(|(c, _)| c.index()).collect();
    assert_eq!(indices.len(), 4);
    assert_eq!(config.view_timeout_ms, 1_000);

    // Broadcast from node 0 reaches the three others.
    let a = nodes[0].0.index();
    nodes[0]
        .0
        .send(Recipient::Broadcast(Topic::Da), b"to all".to_vec())
        .expect("send");
    for (c, _) in &mut nodes[1..] {
        let m = recv(c).await;
        assert_eq!((m.from, m.bytes.as_slice()), (a, &b"to all"[..]));
    }

    // Direct from node 1 to node 2, then a broadcast marker from node 1: node 2 sees both, the
    // others see only the marker.
    let (b, target) = (nodes[1].0.index(), nodes[2].0.index());
    nodes[1]
        .0
        .send(Recipient::Direct(target), b"just you".to_vec())
        .expect("send");
    nodes[1]
        .0
        .send(Recipient::Broadcast(Topic::Global), b"marker".to_vec())
        .expect("send");
    let m = recv(&mut nodes[2].0).await;
    assert_eq!((m.from, m.bytes.as_slice()), (b, &b"just you"[..]));
    for i in [0, 2, 3] {
        let m = recv(&mut nodes[i].0).await;
        assert_eq!(
            (m.from, m.bytes.as_slice()),
            (b, &b"marker"[..]),
            "node {i}"
        );
    }

    let count = |kind: &'static str| {
        server
            .metrics
            .relayed_messages
            .get_or_create(&KindLabel { kind })
            .get()
    };
    assert_eq!(count("broadcast_da"), 3);
    assert_eq!(count("broadcast_global"), 3);
    assert_eq!(count("direct"), 1);
    assert_eq!(server.metrics.authenticated_nodes.get(), 4);

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let maddr = listener.local_addr().expect("addr");
    let http = tokio::spawn(metrics::serve(listener, server.metrics.clone()));
    let text = scrape(maddr).await;
    assert!(
        text.starts_with("HTTP/1.0 200") || text.starts_with("HTTP/1.1 200"),
        "{text}"
    );
    for needle in [
        "cdn_connections 4",
        "cdn_authenticated_nodes 4",
        "cdn_relayed_messages_total{kind=\"direct\"} 1",
        "cdn_relayed_bytes_total{kind=\"broadcast_da\"} 18",
    ] {
        assert!(text.contains(needle), "{needle} missing in\n{text}");
    }
    http.abort();
    server.stop().await;
}

#[tokio::test]
async fn a_slow_reader_is_disconnected_and_the_others_keep_receiving() {
    let mut config = open(3);
    config.queue_frames = 8;
    config.queue_bytes = 1 << 20;
    let server = TestServer::start(config).await;
    let url = server.url.clone();
    let honest = tokio::spawn(async move { connect_all(&url, &[1, 2]).await });
    // The slow reader authenticates properly, then never reads again.
    let mut slow = RawClient::authenticate(server.addr, &key(3)).await;
    let mut nodes = tokio::time::timeout(PATIENCE, honest)
        .await
        .expect("in time")
        .expect("task");
    eventually("three members", || {
        server.metrics.authenticated_nodes.get() == 3
    })
    .await;

    // Node 0 broadcasts 64 KiB messages; each waits for node 1 to receive it, so the honest
    // queue never holds more than one frame, while the slow reader's socket buffers and then
    // its queue fill up.
    let payload = vec![0xab; 64 * 1024];
    let mut sent = 0u32;
    while server.metrics.slow_readers.get() == 0 {
        assert!(sent < 5_000, "the slow reader was never disconnected");
        nodes[0]
            .0
            .send(Recipient::Broadcast(Topic::Global), payload.clone())
            .expect("send");
        let m = recv(&mut nodes[1].0).await;
        assert_eq!(m.bytes.len(), payload.len());
        sent += 1;
    }
    eventually("two members", || {
        server.metrics.authenticated_nodes.get() == 2
    })
    .await;
    for i in 0..5u8 {
        nodes[0]
            .0
            .send(Recipient::Broadcast(Topic::Global), vec![i])
            .expect("send");
        assert_eq!(recv(&mut nodes[1].0).await.bytes, vec![i]);
    }
    assert!(nodes.iter().all(|(c, _)| c.is_healthy()));

    // The slow reader's connection was closed: reading drains what was buffered, then ends.
    let mut sink = vec![0u8; 1 << 16];
    let drained = tokio::time::timeout(PATIENCE, async {
        loop {
            match slow.stream.read(&mut sink).await {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
        }
    })
    .await;
    assert!(drained.is_ok(), "the slow reader's socket was closed");
    // Its key is free again: the owner can reconnect and gets the configuration.
    let mut back = RawClient::authenticate(server.addr, &key(3)).await;
    assert!(matches!(back.recv().await, Ok(ServerMessage::Config(_))));
    server.stop().await;
}
