//! Wire decoding (`message.rs`): every variant round-trips, and arbitrary or mutated bytes never
//! panic the decoder; whatever it accepts re-encodes to exactly the same bytes (canonical).

use crate::common::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sq_consensus::Message;
use sq_types::codec::Encode;

/// One of each variant, with real signatures and certificates.
fn samples(net: &Net) -> Vec<Message> {
    let c = net.chain(2);
    let tc = net.tc(3, c.qc(2), &[0, 1, 3]);
    vec![
        Message::Proposal(net.proposal(4, c.qc(2), Some(tc.clone()))),
        Message::Proposal(c.p(2).clone()),
        Message::Vote(net.vote(3, c.leaf(2))),
        Message::Timeout(net.timeout(2, 4, c.qc(2), Some(tc))),
        Message::Timeout(net.timeout(1, 1, &genesis_qc(), None)),
        Message::LeafRequest(c.leaf(1).commit()),
        Message::LeafResponse(c.leaf(2).clone()),
    ]
}

/// Decodes `bytes`; if accepted, the message must encode back to `bytes`.
fn decode_is_canonical(bytes: &[u8]) -> bool {
    match Message::from_wire(bytes) {
        Ok(m) => {
            assert_eq!(
                m.encode(),
                bytes,
                "accepted a non-canonical encoding of a {}",
                m.kind()
            );
            true
        }
        Err(_) => false,
    }
}

#[test]
fn every_message_variant_round_trips() {
    let net = Net::new();
    let msgs = samples(&net);
    let kinds: Vec<&str> = msgs.iter().map(Message::kind).collect();
    for kind in [
        "proposal",
        "vote",
        "timeout",
        "leaf_request",
        "leaf_response",
    ] {
        assert!(kinds.contains(&kind), "no sample of {kind}");
    }
    for m in msgs {
        assert_eq!(
            Message::from_wire(&m.encode()),
            Ok(m.clone()),
            "{}",
            m.kind()
        );
    }
}

#[test]
fn random_bytes_never_panic_the_decoder() {
    let mut rng = StdRng::seed_from_u64(0x5eed);
    let mut accepted = 0;
    for i in 0..5_000 {
        let len = rng.gen_range(0..600);
        let mut bytes: Vec<u8> = (0..len).map(|_| rng.gen()).collect();
        if i % 2 == 0 && !bytes.is_empty() {
            bytes[0] = rng.gen_range(0..5); // a valid tag, to get past the first byte
        }
        accepted += usize::from(decode_is_canonical(&bytes));
    }
    // 41 bytes starting with tag 3 are a valid LeafRequest.
    let mut leaf_request = vec![3u8];
    leaf_request.extend((0..32).map(|_| rng.gen::<u8>()));
    assert!(decode_is_canonical(&leaf_request));
    assert!(
        accepted < 5_000,
        "random bytes cannot all be valid messages"
    );
}

#[test]
fn mutated_valid_messages_never_panic_the_decoder() {
    let net = Net::new();
    let mut rng = StdRng::seed_from_u64(7);
    let (mut ok, mut err) = (0, 0);
    for m in samples(&net) {
        let enc = m.encode();
        for _ in 0..500 {
            let mut bytes = enc.clone();
            match rng.gen_range(0..4) {
                0 => {
                    let i = rng.gen_range(0..bytes.len());
                    bytes[i] ^= 1 << rng.gen_range(0..8);
                }
                1 => bytes.truncate(rng.gen_range(0..enc.len())),
                2 => bytes.insert(rng.gen_range(0..=bytes.len()), rng.gen()),
                _ => {
                    let i = rng.gen_range(0..bytes.len());
                    let n = rng.gen_range(1..=8).min(bytes.len() - i);
                    rng.fill(&mut bytes[i..i + n]);
                }
            }
            if decode_is_canonical(&bytes) {
                ok += 1;
            } else {
                err += 1;
            }
        }
    }
    // Flipped signature or digest bytes still decode; truncations never do.
    assert!(
        ok > 0 && err > 0,
        "mutations should exercise both paths: {ok} ok, {err} rejected"
    );
}
