//! Handshake refusals: bad signatures, unknown and duplicate keys, bad proofs of possession,
//! malformed and oversized frames. Nothing a refused connection sends is relayed.

use crate::common::{connect_all, key, open, recv, RawClient, TestServer};
use sq_cdn::admission::Membership;
use sq_cdn::metrics::ReasonLabel;
use sq_cdn::ServerConfig;
use sq_network::cdn::{auth_digest, CdnClient, CdnError, ClientMessage, ErrorCode, ServerMessage};
use sq_network::{Network, Recipient, Topic};
use sq_types::{StakeEntry, StakeTable};

fn refused(server: &TestServer, code: ErrorCode) -> u64 {
    server
        .metrics
        .refused
        .get_or_create(&ReasonLabel {
            reason: code.as_str(),
        })
        .get()
}

fn code_of(msg: ServerMessage) -> ErrorCode {
    match msg {
        ServerMessage::Error { code, .. } => code,
        other => panic!("expected an error frame, got {other:?}"),
    }
}

#[tokio::test]
async fn impostor_with_a_replayed_pop_is_refused_and_nothing_it_sent_is_relayed() {
    // Fixed table of 4 (as from L1); the configuration is released once 3 have joined, so key
    // 4 is a registered member that is offline: the impostor can claim it and replay its
    // (public) proof of possession, but cannot answer the challenge.
    let table = StakeTable::new(
        (1..=4)
            .map(|i| StakeEntry {
                key: key(i).public,
                stake: 5,
            })
            .collect(),
    )
    .expect("valid");
    let server = TestServer::start(ServerConfig::new(Membership::Fixed { table, quorum: 3 })).await;
    let mut nodes = connect_all(&server.url, &[1, 2, 3]).await;
    let victim = key(4);

    // 1. Broadcast before Hello.
    let mut early = RawClient::connect(server.addr).await;
    early
        .send(&ClientMessage::Broadcast {
            topic: Topic::Global,
            bytes: b"evil-1".to_vec(),
        })
        .await;
    assert_eq!(
        code_of(early.recv().await.expect("error frame")),
        ErrorCode::Unexpected
    );

    // 2. Broadcast instead of Auth.
    let mut skipper = RawClient::connect(server.addr).await;
    assert!(matches!(
        skipper.hello(&victim).await,
        ServerMessage::Challenge { .. }
    ));
    skipper
        .send(&ClientMessage::Broadcast {
            topic: Topic::Global,
            bytes: b"evil-2".to_vec(),
        })
        .await;
    assert_eq!(
        code_of(skipper.recv().await.expect("error frame")),
        ErrorCode::Unexpected
    );

    // 3. A signature by another key over the right digest, then a broadcast anyway.
    let mut forger = RawClient::connect(server.addr).await;
    let ServerMessage::Challenge { nonce } = forger.hello(&victim).await else {
        panic!("expected a challenge");
    };
    forger
        .send(&ClientMessage::Auth {
            signature: key(9).sign(&auth_digest(&nonce, &victim.public)),
        })
        .await;
    forger
        .send(&ClientMessage::Broadcast {
            topic: Topic::Global,
            bytes: b"evil-3".to_vec(),
        })
        .await;
    assert_eq!(
        code_of(forger.recv().await.expect("error frame")),
        ErrorCode::BadSignature
    );
    assert!(forger.recv().await.is_err(), "closed after the error");

    // The first thing the members receive is the honest marker.
    let from = nodes[0].0.index();
    nodes[0]
        .0
        .send(Recipient::Broadcast(Topic::Global), b"marker".to_vec())
        .expect("send");
    for (client, _) in &mut nodes[1..] {
        let m = recv(client).await;
        assert_eq!((m.from, m.bytes.as_slice()), (from, &b"marker"[..]));
    }
    assert_eq!(refused(&server, ErrorCode::BadSignature), 1);
    assert_eq!(refused(&server, ErrorCode::Unexpected), 2);
    // The real owner of key 4 still gets in.
    let (late, config) = CdnClient::connect(&server.url, victim)
        .await
        .expect("joins");
    assert_eq!(
        late.index(),
        config.stake_table.index_of(&key(4).public).expect("member")
    );
    server.stop().await;
}

#[tokio::test]
async fn unknown_duplicate_and_bad_pop_keys_are_refused() {
    let server = TestServer::start(open(2)).await;
    let nodes = connect_all(&server.url, &[1, 2]).await;
    assert!(nodes.iter().all(|(c, _)| c.is_healthy()));

    // A third key after the table is complete.
    let mut stranger = RawClient::connect(server.addr).await;
    assert_eq!(
        code_of(stranger.hello(&key(3)).await),
        ErrorCode::UnknownKey
    );
    match CdnClient::connect(&server.url, key(3)).await {
        Err(
            e @ CdnError::Refused {
                code: ErrorCode::UnknownKey,
                ..
            },
        ) => {
            assert!(!e.is_retryable());
        }
        other => panic!("expected UnknownKey, got {other:?}"),
    }

    // A key that is live on another connection.
    let mut twin = RawClient::connect(server.addr).await;
    assert_eq!(code_of(twin.hello(&key(1)).await), ErrorCode::DuplicateKey);

    // A proof of possession made by another key.
    let mut liar = RawClient::connect(server.addr).await;
    liar.send(&ClientMessage::Hello {
        key: key(1).public,
        pop: key(2).proof_of_possession(),
    })
    .await;
    assert_eq!(
        code_of(liar.recv().await.expect("error frame")),
        ErrorCode::BadProofOfPossession
    );

    // Garbage and oversized frames before authentication.
    let mut garbage = RawClient::connect(server.addr).await;
    garbage.send_raw(&[0x7f, 1, 2, 3]).await;
    assert_eq!(
        code_of(garbage.recv().await.expect("error frame")),
        ErrorCode::Malformed
    );
    let mut huge = RawClient::connect(server.addr).await;
    huge.send_raw(&[0u8; 5000]).await;
    assert_eq!(
        code_of(huge.recv().await.expect("error frame")),
        ErrorCode::TooLarge
    );

    assert_eq!(refused(&server, ErrorCode::UnknownKey), 2);
    assert_eq!(refused(&server, ErrorCode::DuplicateKey), 1);
    assert_eq!(refused(&server, ErrorCode::BadProofOfPossession), 1);
    assert!(
        nodes.iter().all(|(c, _)| c.is_healthy()),
        "members unaffected"
    );
    server.stop().await;
}
