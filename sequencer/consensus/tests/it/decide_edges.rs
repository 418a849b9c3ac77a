//! The decide rule's two exceptional outputs: `CatchUpNeeded` when the gap is wider than the
//! in-memory window, and `Conflict` when a certified chain contradicts a decided leaf (only
//! possible with more than a third of the stake Byzantine, simulated here by signing both
//! chains with the same keys).

use crate::common::*;
use sq_consensus::{Config, Input, Message, Output};
use sq_types::{Height, Leaf, NodeIndex, View};

#[test]
fn a_decide_gap_wider_than_the_window_asks_the_host_to_catch_up() {
    let net = Net::new();
    let g = genesis_qc();
    let genesis = Leaf::genesis();
    let p1 = net.proposal(1, &g, None);
    let qc1 = net.qc(&p1.leaf, &QUORUM);
    let p3 = net.proposal(3, &qc1, Some(net.tc(2, &qc1, &[0, 1, 3])));
    let qc3 = net.qc(&p3.leaf, &QUORUM);
    let p4 = net.proposal(4, &qc3, None);
    let qc4 = net.qc(&p4.leaf, &QUORUM);
    let p5 = net.proposal(5, &qc4, None);
    let l3 = p3.leaf.commit();
    let cfg = Config {
        decided_window: 1,
        ..Config::default()
    };
    run(
        &mut net.started_with(2, cfg),
        vec![
            check("view 1", proposal_in(&p1), |_, node| {
                assert_eq!(node.safety().last_voted_view, View(1))
            }),
            check("view 3 by TC(2)", proposal_in(&p3), |_, node| {
                assert_eq!(node.view(), View(3))
            }),
            check("view 4: no decide yet", proposal_in(&p4), |outs, _| {
                assert!(!outs
                    .iter()
                    .any(|o| matches!(o, Output::Decided(_) | Output::CatchUpNeeded { .. })));
            }),
            step_then(
                "view 5: leaves 1 and 3 become decided, 2 heights > window of 1: catch up instead",
                proposal_in(&p5),
                vec![
                    Output::CatchUpNeeded {
                        height: Height(2),
                        leaf: l3,
                    },
                    view_changed(5),
                    set_timer(5, TIMER_MS),
                    persist_proposal(7, 2, &p5),
                    persist_safety(8, 5, &qc4, &genesis),
                ],
                |node| {
                    assert_eq!(
                        node.safety().decided,
                        Leaf::genesis(),
                        "nothing decided locally"
                    )
                },
            ),
        ],
    );
}

#[test]
fn a_certified_chain_conflicting_with_a_decided_leaf_is_reported() {
    let net = Net::new();
    let g = genesis_qc();
    let c = net.chain(3);
    // Chain B forks from genesis: b1 (view 1, other payload), b3 (view 3), b4 (view 4).
    let b1 = net.other_proposal(1, &g, None).leaf;
    let qc_b1 = net.qc(&b1, &QUORUM);
    let b3 = net.other_proposal(3, &qc_b1, None).leaf;
    let qc_b3 = net.qc(&b3, &QUORUM);
    let b4 = net.other_proposal(4, &qc_b3, None).leaf;
    let qc_b4 = net.qc(&b4, &QUORUM);
    let p5 = net.proposal(5, &qc_b4, None);
    let response = |leaf: &Leaf| Input::Message {
        from: NodeIndex(1),
        message: Message::LeafResponse(leaf.clone()),
    };
    let want_b4 = Output::Broadcast(Message::LeafRequest(b4.commit()));
    let l1 = c.leaf(1).clone();
    run(
        &mut net.started(0),
        vec![
            check("view 1", proposal_in(c.p(1)), |_, node| {
                assert_eq!(node.safety().last_voted_view, View(1))
            }),
            check("view 2", proposal_in(c.p(2)), |_, node| {
                assert_eq!(node.view(), View(2))
            }),
            check(
                "view 3: leaf 1 decided",
                proposal_in(c.p(3)),
                move |_, node| assert_eq!(node.safety().decided, l1),
            ),
            check(
                "chain B's view-5 proposal: fetch b4 to apply the decide rule",
                proposal_in(&p5),
                move |outs, _| {
                    assert!(outs.contains(&want_b4));
                    assert!(!outs
                        .iter()
                        .any(|o| matches!(o, Output::Decided(_) | Output::Conflict { .. })));
                },
            ),
            step(
                "b4 arrives: deciding b3 needs it too",
                response(&b4),
                vec![Output::Broadcast(Message::LeafRequest(b3.commit()))],
            ),
            step_then(
                "b3 arrives: its parent b1 is not the decided leaf 1 at height 1",
                response(&b3),
                vec![Output::Conflict { height: Height(1) }],
                |node| {
                    assert_eq!(
                        node.safety().decided.header.height,
                        Height(1),
                        "the decided leaf is kept"
                    )
                },
            ),
        ],
    );
}
