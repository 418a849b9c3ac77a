//! The next leader collecting votes into a QC (`leader.rs` `on_vote`): three valid distinct
//! votes form it; duplicates, bad signatures and votes for views it does not lead do not count.

use crate::common::*;
use sq_consensus::{Input, Message, Output};
use sq_types::{Leaf, NodeIndex, View};

#[test]
fn next_leader_forms_a_qc_from_three_valid_distinct_votes() {
    let net = Net::new();
    let g = genesis_qc();
    let p1 = net.proposal(1, &g, None);
    let l1 = p1.leaf.clone();
    // Node 2 leads view 2: its own vote (handled locally) plus those of 0 and 3.
    let qc = net.qc(&l1, &[0, 2, 3]);
    let l2 = net.proposal(2, &qc, None).leaf;
    let mut forged = net.vote(1, &l1);
    forged.signer = NodeIndex(3); // node 1's signature claimed as node 3's
    let p2 = net.proposal(2, &qc, None);
    let mut node = net.node(2);
    let qc_state = qc.clone();
    run(
        &mut node,
        vec![
            step(
                "start",
                Input::Start,
                vec![view_changed(1), set_timer(1, TIMER_MS)],
            ),
            step(
                "proposal for view 1: persist, vote held",
                proposal_in(&p1),
                vec![
                    persist_proposal(1, 2, &p1),
                    persist_safety(2, 1, &g, &Leaf::genesis()),
                ],
            ),
            step(
                "ack: its own vote goes to itself (leader of view 2), nothing sent",
                persisted(2),
                vec![],
            ),
            step(
                "vote from node 0: 2 of 4, no QC",
                vote_in(&net.vote(0, &l1)),
                vec![],
            ),
            step(
                "the same vote again does not count as a third",
                vote_in(&net.vote(0, &l1)),
                vec![],
            ),
            step(
                "a vote with a bad signature does not count as a third",
                vote_in(&forged),
                vec![],
            ),
            step(
                "view-2 vote from 0: leader(3) collects those",
                vote_in(&net.vote(0, &l2)),
                vec![],
            ),
            step("view-2 vote from 1", vote_in(&net.vote(1, &l2)), vec![]),
            step(
                "view-2 vote from 3: still no QC for a view it does not lead",
                vote_in(&net.vote(3, &l2)),
                vec![],
            ),
            step_then(
                "third valid vote (node 3): QC, view 2, build on it",
                vote_in(&net.vote(3, &l1)),
                vec![
                    view_changed(2),
                    set_timer(2, TIMER_MS),
                    Output::BuildBlock {
                        view: View(2),
                        parent: qc.clone(),
                    },
                ],
                move |node| assert_eq!(node.safety().locked_qc, qc_state),
            ),
            step(
                "a fourth vote after the QC: nothing",
                vote_in(&net.vote(1, &l1)),
                vec![],
            ),
            step(
                "block built: the proposal extends the new QC without a TC",
                built(2),
                vec![persist_proposal(3, 2, &p2)],
            ),
            step(
                "proposal durable: broadcast it and vote for it after persisting the safety state",
                persisted(3),
                vec![
                    Output::Broadcast(Message::Proposal(p2.clone())),
                    persist_safety(4, 2, &qc, &Leaf::genesis()),
                ],
            ),
        ],
    );
}

#[test]
fn next_leader_forms_a_qc_from_others_votes_without_the_proposal() {
    let net = Net::new();
    let l1 = net.proposal(1, &genesis_qc(), None).leaf;
    let qc = net.qc(&l1, &[0, 1, 3]);
    let mut node = net.started(2);
    run(
        &mut node,
        vec![
            step("vote from node 0", vote_in(&net.vote(0, &l1)), vec![]),
            step(
                "vote from node 1: 2 of 4",
                vote_in(&net.vote(1, &l1)),
                vec![],
            ),
            check(
                "vote from node 3: QC, view 2, build on it",
                vote_in(&net.vote(3, &l1)),
                move |outs, node| {
                    let want = [
                        view_changed(2),
                        set_timer(2, TIMER_MS),
                        Output::BuildBlock {
                            view: View(2),
                            parent: qc.clone(),
                        },
                    ];
                    let mine: Vec<_> = outs.iter().filter(|o| want.contains(o)).cloned().collect();
                    assert_eq!(mine, want, "in this order");
                    assert!(outs.iter().all(|o| want.contains(o)
                        || matches!(o, Output::Broadcast(Message::LeafRequest(_)))));
                    assert_eq!(node.view(), View(2));
                },
            ),
        ],
    );
}
