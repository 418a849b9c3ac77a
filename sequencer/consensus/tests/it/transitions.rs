//! Table-driven transitions of the happy path (STYLE.md §9): starting at genesis, the leader
//! proposing, and a replica voting only once its records are durable.
//!
//! The other transitions live beside this file: `rejections.rs`, `rejections_certs.rs`, `votes.rs`, `timeouts.rs`,
//! `decide.rs`, `decide_edges.rs`, `restart.rs` and `codec.rs`.

use crate::common::*;
use sq_consensus::{Input, Message, Output};
use sq_types::{Height, View};

#[test]
fn start_at_genesis_enters_view_one_and_only_its_leader_builds() {
    let net = Net::new();
    for me in 0..N {
        let mut want = vec![view_changed(1), set_timer(1, TIMER_MS)];
        if me == net.leader(1) {
            want.push(Output::BuildBlock {
                view: View(1),
                parent: genesis_qc(),
            });
        }
        let mut node = net.node(me);
        run(
            &mut node,
            vec![
                step(
                    "start: view 1, its timer, and a block request for the leader only",
                    Input::Start,
                    want,
                ),
                step(
                    "a second start does not re-enter the view",
                    Input::Start,
                    vec![],
                ),
            ],
        );
        assert_eq!(node.view(), View(1), "node {me}");
    }
}

#[test]
fn leader_proposes_then_votes_only_after_both_records_are_durable() {
    let net = Net::new();
    let g = genesis_qc();
    let genesis = sq_types::Leaf::genesis();
    // What node 1 must build from `built(1)`: the same header the honest fixture builds.
    let p1 = net.proposal(1, &g, None);
    assert_eq!(p1.leaf.header.height, Height(1));
    assert_eq!(p1.leaf.header.parent, genesis.commit());
    assert_eq!(
        p1.leaf.header.payload_commitment,
        sq_consensus::da::disperse(4, &p1.payload, &p1.leaf.header.ns_table)
            .expect("disperse")
            .commitment
    );
    assert_eq!(p1.tc, None);
    let mut node = net.node(1);
    run(
        &mut node,
        vec![
            step(
                "start as leader of view 1",
                Input::Start,
                vec![
                    view_changed(1),
                    set_timer(1, TIMER_MS),
                    Output::BuildBlock {
                        view: View(1),
                        parent: g.clone(),
                    },
                ],
            ),
            step(
                "a block for a view it is not in is ignored",
                built(2),
                vec![],
            ),
            step_then(
                "block built: persist the proposal before anyone sees it",
                built(1),
                vec![persist_proposal(1, 1, &p1)],
                |node| assert_eq!(node.safety().last_voted_view, View(0)),
            ),
            step_then(
                "proposal durable: broadcast it and vote for it, persisting the safety state first",
                persisted(1),
                vec![
                    Output::Broadcast(Message::Proposal(p1.clone())),
                    persist_safety(2, 1, &g, &genesis),
                ],
                |node| assert_eq!(node.safety().last_voted_view, View(1)),
            ),
            step(
                "safety durable: the vote goes to the leader of view 2",
                persisted(2),
                vec![send_vote(net.leader(2), net.vote(1, &p1.leaf))],
            ),
            step("a repeated ack sends nothing again", persisted(2), vec![]),
            step(
                "a second block for the same view is not proposed",
                built(1),
                vec![],
            ),
            step(
                "its own proposal echoed back is a duplicate: no second vote",
                proposal_in(&p1),
                vec![],
            ),
        ],
    );
}

#[test]
fn replica_persists_a_valid_proposal_then_votes_to_the_next_leader() {
    let net = Net::new();
    let g = genesis_qc();
    let genesis = sq_types::Leaf::genesis();
    let p1 = net.proposal(1, &g, None);
    let commit = p1.leaf.commit();
    let mut node = net.node(3);
    run(
        &mut node,
        vec![
            step(
                "start as a replica",
                Input::Start,
                vec![view_changed(1), set_timer(1, TIMER_MS)],
            ),
            step_then(
                "valid proposal: persist it and the safety state, vote held",
                proposal_in(&p1),
                vec![
                    persist_proposal(1, 3, &p1),
                    persist_safety(2, 1, &g, &genesis),
                ],
                move |node| {
                    assert_eq!(node.safety().last_voted_view, View(1));
                    assert_eq!(node.safety().locked_qc, genesis_qc());
                    assert!(node.leaf(&commit).is_some());
                },
            ),
            step(
                "proposal durable, safety not yet: the vote is still held",
                persisted(1),
                vec![],
            ),
            step(
                "an ack past the last record releases the vote to leader(2)",
                persisted(7),
                vec![send_vote(2, net.vote(3, &p1.leaf))],
            ),
            step(
                "the same proposal again: no second vote",
                proposal_in(&p1),
                vec![],
            ),
        ],
    );
}
