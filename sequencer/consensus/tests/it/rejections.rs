//! Proposals refused a vote for their contents, signer, view or the node's voting state
//! (`replica.rs` rules 1, 2, 5, 6, 7): each table ends in `ProposalRejected` with the specific
//! reason and no vote or persist. Certificate rules are in `rejections_certs.rs`. Node 0 is the
//! replica.

use crate::common::*;
use sq_consensus::{Output, RejectReason};
use sq_types::certificate::SignatureBytes;
use sq_types::{Commitment, Crypto, Leaf, View};

/// Node 0 after `Start` (view 1).
fn replica(net: &Net) -> Node {
    net.started(0)
}

fn no_vote(outs: &[Output]) {
    assert!(
        !outs.iter().any(is_vote_or_persist),
        "no vote and no persist expected"
    );
}

#[test]
fn proposal_not_signed_by_the_leader_is_rejected() {
    let net = Net::new();
    let p1 = net.proposal(1, &genesis_qc(), None);
    let forged = net.sign_proposal(2, p1.leaf.clone(), None, p1.payload.clone());
    run(
        &mut replica(&net),
        vec![
            step(
                "signed by node 2, not leader(1) = 1",
                proposal_in(&forged),
                vec![rejected(1, RejectReason::BadSignature)],
            ),
            check(
                "the genuine proposal is still voted for",
                proposal_in(&p1),
                |outs, node| {
                    assert_eq!(outs.len(), 2, "persist proposal + safety");
                    assert_eq!(node.safety().last_voted_view, View(1));
                },
            ),
        ],
    );
}

#[test]
fn payload_not_matching_its_commitment_is_rejected() {
    let net = Net::new();
    let p1 = net.proposal(1, &genesis_qc(), None);
    let mut other = p1.payload.clone();
    other[0] ^= 1; // same length, so the namespace table still fits
    let bad = net.sign_proposal(1, p1.leaf.clone(), None, other);
    run(
        &mut replica(&net),
        vec![step_then(
            "payload differs from header.payload_commitment",
            proposal_in(&bad),
            vec![rejected(
                1,
                RejectReason::Malformed("payload does not match its commitment".into()),
            )],
            |node| assert_eq!(node.safety().last_voted_view, View(0)),
        )],
    );
}

#[test]
fn namespace_table_not_covering_the_payload_is_rejected() {
    let net = Net::new();
    let (payload, mut ns) = block(1, 0);
    ns.0[0].end += 1;
    let why = ns
        .validate(payload.len())
        .expect_err("end past the payload")
        .to_string();
    let leaf = leaf(1, &genesis_qc(), &payload, ns);
    let bad = net.sign_proposal(1, leaf, None, payload);
    run(
        &mut replica(&net),
        vec![step(
            "ns table ends one byte past the payload",
            proposal_in(&bad),
            vec![rejected(1, RejectReason::Malformed(why))],
        )],
    );
}

#[test]
fn header_not_extending_its_justify_qc_is_rejected() {
    let net = Net::new();
    let mut l = net.proposal(1, &genesis_qc(), None).leaf;
    l.header.parent = Commitment([7; 32]);
    let why = l.check_links().expect_err("wrong parent").to_string();
    let (payload, _) = block(1, 0);
    let bad = net.sign_proposal(1, l, None, payload);
    run(
        &mut replica(&net),
        vec![step(
            "header.parent is not the justified leaf",
            proposal_in(&bad),
            vec![rejected(1, RejectReason::Malformed(why))],
        )],
    );
}

#[test]
fn stale_proposal_is_rejected_as_wrong_view() {
    let net = Net::new();
    let c = net.chain(2);
    run(
        &mut replica(&net),
        vec![
            check("vote for view 1", proposal_in(c.p(1)), |outs, _| {
                assert_eq!(outs.len(), 2)
            }),
            check(
                "the view-2 proposal moves the node to view 2",
                proposal_in(c.p(2)),
                |outs, node| {
                    assert!(outs.contains(&view_changed(2)));
                    assert_eq!(node.view(), View(2));
                },
            ),
            step(
                "the view-1 proposal again, now stale",
                proposal_in(c.p(1)),
                vec![rejected(1, RejectReason::WrongView { current: View(2) })],
            ),
        ],
    );
}

#[test]
fn proposal_after_timing_out_in_its_view_is_rejected_as_already_voted() {
    let net = Net::new();
    let g = genesis_qc();
    let p1 = net.proposal(1, &g, None);
    run(
        &mut replica(&net),
        vec![
            step(
                "timer fires: persist last_voted_view = 1",
                timer(1),
                vec![
                    persist_safety(1, 1, &g, &Leaf::genesis()),
                    set_timer(1, 2 * TIMER_MS),
                ],
            ),
            step(
                "the proposal arrives late",
                proposal_in(&p1),
                vec![rejected(1, RejectReason::AlreadyVoted)],
            ),
        ],
    );
}

#[test]
fn second_proposal_for_the_same_view_is_equivocation() {
    let net = Net::new();
    let g = genesis_qc();
    let p1 = net.proposal(1, &g, None);
    let p1b = net.other_proposal(1, &g, None);
    assert_ne!(p1.leaf.commit(), p1b.leaf.commit());
    run(
        &mut replica(&net),
        vec![
            check("first proposal: voted", proposal_in(&p1), |outs, _| {
                assert_eq!(outs.len(), 2)
            }),
            check(
                "a different, validly signed proposal for view 1",
                proposal_in(&p1b),
                |outs, _| {
                    assert_eq!(outs, [rejected(1, RejectReason::Equivocation)]);
                    no_vote(outs);
                },
            ),
            step(
                "the first proposal again is a silent duplicate",
                proposal_in(&p1),
                vec![],
            ),
        ],
    );
}

#[test]
fn proposal_signature_of_garbage_bytes_is_rejected() {
    let net = Net::new();
    let mut p1 = net.proposal(1, &genesis_qc(), None);
    p1.signature = SignatureBytes([0xab; 96]);
    assert!(!net.keys[0].verify(sq_types::NodeIndex(1), &Commitment::ZERO, &p1.signature));
    run(
        &mut replica(&net),
        vec![step(
            "96 bytes that are not a G2 point",
            proposal_in(&p1),
            vec![rejected(1, RejectReason::BadSignature)],
        )],
    );
}
