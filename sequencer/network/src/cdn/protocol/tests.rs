//! Unit tests of the CDN wire protocol: round trips, size limits and refusals.

use super::*;
use sq_types::{BlsKeyPair, StakeEntry};

fn kp(seed: u8) -> BlsKeyPair {
    BlsKeyPair::from_ikm(&[seed; 32]).expect("ikm")
}

fn config() -> NetworkConfig {
    NetworkConfig {
        stake_table: StakeTable::new(
            (1..=3)
                .map(|i| StakeEntry {
                    key: kp(i).public,
                    stake: u64::from(i),
                })
                .collect(),
        )
        .expect("valid"),
        view_timeout_ms: 1_000,
        max_view_timeout_ms: 10_000,
        max_block_bytes: 1 << 20,
        start_unix_ms: 1_700_000_000_000,
    }
}

#[test]
fn every_message_round_trips_with_its_tag() {
    let k = kp(1);
    let client = [
        (
            0x01,
            ClientMessage::Hello {
                key: k.public.clone(),
                pop: k.proof_of_possession(),
            },
        ),
        (
            0x02,
            ClientMessage::Auth {
                signature: k.sign(&auth_digest(&[9; 32], &k.public)),
            },
        ),
        (
            0x03,
            ClientMessage::Broadcast {
                topic: Topic::Da,
                bytes: b"x".to_vec(),
            },
        ),
        (
            0x04,
            ClientMessage::Direct {
                to: NodeIndex(7),
                bytes: vec![],
            },
        ),
    ];
    for (tag, m) in client {
        let bytes = m.encode();
        assert_eq!(bytes[0], tag);
        assert_eq!(ClientMessage::decode(&bytes), Ok(m));
        assert!(ServerMessage::decode(&bytes).is_err(), "wrong direction");
    }
    let server = [
        (0x81, ServerMessage::Challenge { nonce: [3; 32] }),
        (
            0x82,
            ServerMessage::Error {
                code: ErrorCode::DuplicateKey,
                message: "already connected".into(),
            },
        ),
        (0x83, ServerMessage::Config(config())),
        (
            0x84,
            ServerMessage::Deliver {
                from: NodeIndex(2),
                topic: Some(Topic::Global),
                bytes: b"hi".to_vec(),
            },
        ),
        (
            0x84,
            ServerMessage::Deliver {
                from: NodeIndex(2),
                topic: None,
                bytes: b"hi".to_vec(),
            },
        ),
    ];
    for (tag, m) in server {
        let bytes = m.encode();
        assert_eq!(bytes[0], tag);
        assert_eq!(ServerMessage::decode(&bytes), Ok(m));
        assert!(ClientMessage::decode(&bytes).is_err(), "wrong direction");
    }
}

#[test]
fn unknown_tags_and_codes_are_typed_errors() {
    assert_eq!(
        ClientMessage::decode(&[0x7f]),
        Err(DecodeError::UnknownTag {
            what: "client message",
            tag: 0x7f
        })
    );
    assert_eq!(
        ServerMessage::decode(&[0x82, 0, 0, 0, 0, 0]),
        Err(DecodeError::UnknownTag {
            what: "error code",
            tag: 0
        })
    );
    assert_eq!(
        ClientMessage::decode(&[0x03, 2, 0, 0, 0, 0]),
        Err(DecodeError::UnknownTag {
            what: "topic",
            tag: 2
        })
    );
    assert!(matches!(
        ClientMessage::decode(&[]),
        Err(DecodeError::Truncated { .. })
    ));
    for code in ErrorCode::ALL {
        assert_eq!(ErrorCode::from_u8(code.to_u8()), Some(code));
    }
}

#[test]
fn payload_limits_are_checked_before_reading() {
    let mut bytes = vec![0x04, 0, 0, 0, 1];
    bytes.extend_from_slice(&(MAX_MESSAGE_BYTES as u32 + 1).to_be_bytes());
    assert!(matches!(
        ClientMessage::decode(&bytes),
        Err(DecodeError::TooLong { .. })
    ));
    let long = "é".repeat(MAX_ERROR_MESSAGE_BYTES);
    let encoded = ServerMessage::Error {
        code: ErrorCode::Malformed,
        message: long,
    }
    .encode();
    match ServerMessage::decode(&encoded) {
        Ok(ServerMessage::Error { message, .. }) => {
            assert_eq!(message.len(), MAX_ERROR_MESSAGE_BYTES);
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn invalid_timings_and_trailing_bytes_are_rejected() {
    let mut c = config();
    c.max_view_timeout_ms = 10;
    assert!(NetworkConfig::decode(&c.encode()).is_err());
    let mut bytes = config().encode();
    assert!(NetworkConfig::decode(&bytes).is_ok());
    bytes.push(0);
    assert_eq!(
        NetworkConfig::decode(&bytes),
        Err(DecodeError::TrailingBytes(1))
    );
}

#[test]
fn auth_digest_binds_nonce_and_key() {
    let (a, b) = (kp(1), kp(2));
    let d = auth_digest(&[1; 32], &a.public);
    assert_ne!(d, auth_digest(&[2; 32], &a.public));
    assert_ne!(d, auth_digest(&[1; 32], &b.public));
    assert!(a.public.verify(&d, &a.sign(&d)));
}
