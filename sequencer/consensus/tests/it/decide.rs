//! The 2-chain decide rule (`decide.rs`): consecutive views decide, a TC gap does not, and a
//! missing ancestor is fetched with `LeafRequest`/`LeafResponse` before deciding.

use crate::common::*;
use sq_consensus::{Input, Message, Output};
use sq_types::certificate::SignatureBytes;
use sq_types::{Leaf, NodeIndex, QuorumCertificate, View};

fn decided(leaves: &[(&Leaf, &QuorumCertificate)]) -> Output {
    Output::Decided(
        leaves
            .iter()
            .map(|&(l, q)| (l.clone(), q.clone()))
            .collect(),
    )
}

fn has_decided(outs: &[Output]) -> bool {
    outs.iter().any(|o| matches!(o, Output::Decided(_)))
}

#[test]
fn consecutive_two_chain_decides_the_grandparent_with_its_qc() {
    let net = Net::new();
    let g = genesis_qc();
    let genesis = Leaf::genesis();
    let c = net.chain(3);
    let (l1, l2, l3) = (c.leaf(1).clone(), c.leaf(2).clone(), c.leaf(3).clone());
    let l1_state = l1.clone();
    run(
        &mut net.started(0),
        vec![
            step(
                "view 1 proposal: vote",
                proposal_in(c.p(1)),
                vec![persist_proposal(1, 0, c.p(1)), persist_safety(2, 1, &g, &genesis)],
            ),
            step(
                "view 2 proposal (QC(1)): lock QC(1), a 1-chain decides nothing",
                proposal_in(c.p(2)),
                vec![view_changed(2), set_timer(2, TIMER_MS), persist_proposal(3, 0, c.p(2)), persist_safety(4, 2, c.qc(1), &genesis)],
            ),
            step_then(
                "view 3 proposal (QC(2) of a leaf justified by QC(1), consecutive): decide leaf 1",
                proposal_in(c.p(3)),
                vec![
                    decided(&[(&l1, c.qc(1))]),
                    persist_safety(5, 2, c.qc(2), &l1),
                    view_changed(3),
                    set_timer(3, TIMER_MS),
                    persist_proposal(6, 0, c.p(3)),
                    persist_safety(7, 3, c.qc(2), &l1),
                ],
                move |node| assert_eq!(node.safety().decided, l1_state),
            ),
            step(
                "ack all: held votes for views 1 and 2 go out; the view-3 vote goes to itself (leader of view 4)",
                persisted(7),
                vec![send_vote(2, net.vote(0, &l1)), send_vote(3, net.vote(0, &l2))],
            ),
            step("vote for leaf 3 from node 1", vote_in(&net.vote(1, &l3)), vec![]),
            step(
                "vote from node 2: QC(3) formed by this leader decides leaf 2; build view 4",
                vote_in(&net.vote(2, &l3)),
                vec![
                    decided(&[(&l2, c.qc(2))]),
                    persist_safety(8, 3, c.qc(3), &l2),
                    view_changed(4),
                    set_timer(4, TIMER_MS),
                    Output::BuildBlock { view: View(4), parent: c.qc(3).clone() },
                ],
            ),
        ],
    );
}

#[test]
fn a_timeout_gap_defers_the_decide_until_a_consecutive_two_chain() {
    let net = Net::new();
    let g = genesis_qc();
    let genesis = Leaf::genesis();
    // View 2 times out. View 3 extends leaf 1 with TC(2); views 4 and 5 follow consecutively.
    let p1 = net.proposal(1, &g, None);
    let qc1 = net.qc(&p1.leaf, &QUORUM);
    let tc2 = net.tc(2, &qc1, &[0, 1, 3]);
    let p3 = net.proposal(3, &qc1, Some(tc2));
    let qc3 = net.qc(&p3.leaf, &QUORUM);
    let p4 = net.proposal(4, &qc3, None);
    let qc4 = net.qc(&p4.leaf, &QUORUM);
    let p5 = net.proposal(5, &qc4, None);
    let (l1, l3) = (p1.leaf.clone(), p3.leaf.clone());
    let l3_state = l3.clone();
    // Node 2 (leader of the timed-out view 2) observes.
    run(
        &mut net.started(2),
        vec![
            step("view 1: vote", proposal_in(&p1), vec![persist_proposal(1, 2, &p1), persist_safety(2, 1, &g, &genesis)]),
            step(
                "view 3 with QC(1) and TC(2): through view 2 (too late to lead it) into view 3",
                proposal_in(&p3),
                vec![
                    view_changed(2),
                    set_timer(2, TIMER_MS),
                    Output::BuildBlock { view: View(2), parent: qc1.clone() },
                    view_changed(3),
                    set_timer(3, TIMER_MS),
                    persist_proposal(3, 2, &p3),
                    persist_safety(4, 3, &qc1, &genesis),
                ],
            ),
            step(
                "view 4 with QC(3): leaf 3 (view 3) is justified by QC(1) (view 1), not consecutive: no decide",
                proposal_in(&p4),
                vec![view_changed(4), set_timer(4, TIMER_MS), persist_proposal(5, 2, &p4), persist_safety(6, 4, &qc3, &genesis)],
            ),
            step_then(
                "view 5 with QC(4): leaf 4 and leaf 3 are consecutive: decide leaves 1 and 3",
                proposal_in(&p5),
                vec![
                    decided(&[(&l1, &qc1), (&l3, &qc3)]),
                    persist_safety(7, 4, &qc4, &l3),
                    view_changed(5),
                    set_timer(5, TIMER_MS),
                    persist_proposal(8, 2, &p5),
                    persist_safety(9, 5, &qc4, &l3),
                ],
                move |node| assert_eq!(node.safety().decided, l3_state),
            ),
        ],
    );
}

#[test]
fn a_missing_ancestor_is_fetched_and_only_the_requested_leaf_is_accepted() {
    let net = Net::new();
    let genesis = Leaf::genesis();
    let c = net.chain(3);
    let (l1, l2) = (c.leaf(1).clone(), c.leaf(2).clone());
    let request = Output::Broadcast(Message::LeafRequest(l1.commit()));
    let response = |leaf: &Leaf| Input::Message {
        from: NodeIndex(1),
        message: Message::LeafResponse(leaf.clone()),
    };
    let mut tampered = l1.clone();
    tampered.header.timestamp_ms += 1;
    let mut forged_justify = l1.clone(); // same header, so same commitment, but a bogus QC
    forged_justify.justify_qc.signers = bitmap(&QUORUM);
    forged_justify.justify_qc.signature = SignatureBytes([0x11; 96]);
    assert_eq!(forged_justify.commit(), l1.commit());
    assert_eq!(forged_justify.check_links(), Ok(()));
    let unrequested = net.other_proposal(1, &genesis_qc(), None).leaf;
    let req = request.clone();
    // Node 0 never received the view-1 proposal.
    run(
        &mut net.started(0),
        vec![
            check(
                "view 2 proposal: the QC(1) leaf is unknown, but QC(1) alone decides nothing: no request yet",
                proposal_in(c.p(2)),
                move |outs, node| {
                    assert!(!outs.contains(&req));
                    assert!(!has_decided(outs));
                    assert_eq!(node.view(), View(2));
                },
            ),
            step(
                "view 3 proposal: deciding leaf 1 needs it, so ask for it (once)",
                proposal_in(c.p(3)),
                vec![
                    request.clone(),
                    view_changed(3),
                    set_timer(3, TIMER_MS),
                    persist_proposal(3, 0, c.p(3)),
                    persist_safety(4, 3, c.qc(2), &genesis),
                ],
            ),
            step(
                "a tampered leaf (other commitment) is ignored",
                response(&tampered),
                vec![],
            ),
            step(
                "the right header with a forged justify QC is ignored",
                response(&forged_justify),
                vec![],
            ),
            step(
                "a valid leaf nobody asked for is ignored",
                response(&unrequested),
                vec![],
            ),
            step(
                "a peer's request for a known leaf is answered",
                Input::Message {
                    from: NodeIndex(3),
                    message: Message::LeafRequest(l2.commit()),
                },
                vec![Output::Send {
                    to: NodeIndex(3),
                    message: Message::LeafResponse(l2.clone()),
                }],
            ),
            step(
                "a request for an unknown leaf gets no answer",
                Input::Message {
                    from: NodeIndex(3),
                    message: Message::LeafRequest(l1.commit()),
                },
                vec![],
            ),
            step(
                "the requested leaf arrives: decide it with its QC",
                response(&l1),
                vec![
                    decided(&[(&l1, c.qc(1))]),
                    persist_safety(5, 3, c.qc(2), &l1),
                ],
            ),
            step(
                "the same leaf again: no second decide",
                response(&l1),
                vec![],
            ),
        ],
    );
}
