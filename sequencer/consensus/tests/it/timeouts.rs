//! View change by timeouts (`timeout.rs`): the timer, joining at f+1, the TC at a quorum, and
//! the TC-justified proposal of the next leader.

use crate::common::*;
use sq_consensus::{Message, Output};
use sq_types::{Leaf, NodeIndex, View};

#[test]
fn timer_persists_then_broadcasts_a_timeout_and_stale_timers_do_nothing() {
    let net = Net::new();
    let g = genesis_qc();
    let t = net.timeout(3, 1, &g, None);
    run(
        &mut net.started(3),
        vec![
            step("timer of view 0 is stale", timer(0), vec![]),
            step("timer of a view not yet entered", timer(2), vec![]),
            step_then(
                "timer of view 1: persist last_voted_view = 1 first, re-arm with back-off",
                timer(1),
                vec![
                    persist_safety(1, 1, &g, &Leaf::genesis()),
                    set_timer(1, 2 * TIMER_MS),
                ],
                |node| assert_eq!(node.safety().last_voted_view, View(1)),
            ),
            step(
                "ack: the timeout is broadcast",
                persisted(1),
                vec![Output::Broadcast(Message::Timeout(t.clone()))],
            ),
            step(
                "fires again: the same timeout re-sent at once (already durable), longer timer",
                timer(1),
                vec![
                    Output::Broadcast(Message::Timeout(t.clone())),
                    set_timer(1, 4 * TIMER_MS),
                ],
            ),
        ],
    );
}

#[test]
fn f_plus_one_timeouts_make_a_node_join_and_a_quorum_forms_a_tc() {
    let net = Net::new();
    let g = genesis_qc();
    let tc1 = net.tc(1, &g, &[0, 2, 3]);
    let p2 = net.proposal(2, &g, Some(tc1.clone()));
    assert_eq!(p2.leaf.header.height, sq_types::Height(1));
    let tc_state = tc1.clone();
    run(
        &mut net.started(2),
        vec![
            step("timeout from 0: 1 of 4", timeout_in(&net.timeout(0, 1, &g, None)), vec![]),
            step("the same timeout again", timeout_in(&net.timeout(0, 1, &g, None)), vec![]),
            step(
                "timeout from 3: 2 of 4 > 1/3, join: persist before timing out too",
                timeout_in(&net.timeout(3, 1, &g, None)),
                vec![persist_safety(1, 1, &g, &Leaf::genesis())],
            ),
            step_then(
                "ack: broadcast its timeout; with its own, 3 of 4 form a TC; enter view 2 and build",
                persisted(1),
                vec![
                    Output::Broadcast(Message::Timeout(net.timeout(2, 1, &g, None))),
                    view_changed(2),
                    set_timer(2, TIMER_MS),
                    Output::BuildBlock { view: View(2), parent: g.clone() },
                ],
                move |node| assert_eq!(node.high_tc(), Some(&tc_state)),
            ),
            step("a fourth timeout for view 1: nothing", timeout_in(&net.timeout(1, 1, &g, None)), vec![]),
            step(
                "block built: the proposal carries the TC for view 1",
                built(2),
                vec![persist_proposal(2, 2, &p2)],
            ),
            step(
                "ack: the durable proposal goes out; the leader votes for it after persisting",
                persisted(2),
                vec![
                    Output::Broadcast(Message::Proposal(p2.clone())),
                    persist_safety(3, 2, &g, &Leaf::genesis()),
                ],
            ),
            step("ack: vote to leader(3)", persisted(3), vec![send_vote(3, net.vote(2, &p2.leaf))]),
        ],
    );
}

#[test]
fn replica_follows_a_tc_justified_proposal_into_the_next_view() {
    let net = Net::new();
    let g = genesis_qc();
    let tc1 = net.tc(1, &g, &[0, 2, 3]);
    let p2 = net.proposal(2, &g, Some(tc1.clone()));
    run(
        &mut net.started(1),
        vec![step_then(
            "proposal for view 2 with TC(1): enter view 2 and vote",
            proposal_in(&p2),
            vec![
                view_changed(2),
                set_timer(2, TIMER_MS),
                persist_proposal(1, 1, &p2),
                persist_safety(2, 2, &g, &Leaf::genesis()),
            ],
            move |node| assert_eq!(node.high_tc(), Some(&tc1)),
        )],
    );
}

#[test]
fn f_plus_one_timeouts_for_a_future_view_pull_a_lagging_node_forward() {
    let net = Net::new();
    let g = genesis_qc();
    run(
        &mut net.started(0),
        vec![
            step(
                "timeout for view 3 from node 2",
                timeout_in(&net.timeout(2, 3, &g, None)),
                vec![],
            ),
            step_then(
                "and from node 3: enter view 3 and time out in it",
                timeout_in(&net.timeout(3, 3, &g, None)),
                vec![
                    view_changed(3),
                    set_timer(3, TIMER_MS),
                    persist_safety(1, 3, &g, &Leaf::genesis()),
                ],
                |node| assert_eq!(node.view(), View(3)),
            ),
            step(
                "ack: its timeout is the third: TC(3), and node 0 leads view 4",
                persisted(1),
                vec![
                    Output::Broadcast(Message::Timeout(net.timeout(0, 3, &g, None))),
                    view_changed(4),
                    set_timer(4, TIMER_MS),
                    Output::BuildBlock {
                        view: View(4),
                        parent: g.clone(),
                    },
                ],
            ),
        ],
    );
}

#[test]
fn timeout_with_a_bad_signature_is_ignored() {
    let net = Net::new();
    let g = genesis_qc();
    let mut forged = net.timeout(1, 1, &g, None);
    forged.signer = NodeIndex(3);
    run(
        &mut net.started(0),
        vec![
            step(
                "timeout from node 2",
                timeout_in(&net.timeout(2, 1, &g, None)),
                vec![],
            ),
            step(
                "node 1's signature claimed by node 3: would be the join threshold",
                timeout_in(&forged),
                vec![],
            ),
            check(
                "a genuine second timeout triggers the join",
                timeout_in(&net.timeout(3, 1, &g, None)),
                |outs, _| {
                    assert_eq!(
                        outs,
                        [persist_safety(1, 1, &genesis_qc(), &Leaf::genesis())]
                    );
                },
            ),
        ],
    );
}
