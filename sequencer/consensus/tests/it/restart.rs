//! Restart from persisted records (`Consensus::new` with `Restored`): the node re-enters the
//! view it last voted in and never votes in it again.

use crate::common::*;
use sq_consensus::{Input, Message, Output, PersistRecord, RejectReason, Restored, SafetyState};
use sq_types::{Leaf, View};

/// What the host would read back after node `me` handled `inputs`: the last safety record and
/// the leaves of every persisted proposal.
fn crash_after(net: &Net, me: u32, inputs: Vec<Input>) -> Restored {
    let mut node = net.started(me);
    let mut safety = None;
    let mut leaves = Vec::new();
    for input in inputs {
        for out in node.apply(input) {
            match out {
                Output::Persist {
                    record: PersistRecord::Safety(s),
                    ..
                } => safety = Some(s),
                Output::Persist {
                    record: PersistRecord::Proposal { leaf, .. },
                    ..
                } => leaves.push(leaf),
                _ => {}
            }
        }
    }
    Restored {
        safety: safety.expect("a safety record was persisted"),
        leaves,
    }
}

#[test]
fn restarted_voter_re_enters_its_view_and_never_votes_in_it_again() {
    let net = Net::new();
    let c = net.chain(3);
    let restored = crash_after(&net, 0, vec![proposal_in(c.p(1)), proposal_in(c.p(2))]);
    assert_eq!(
        restored.safety,
        SafetyState {
            last_voted_view: View(2),
            locked_qc: c.qc(1).clone(),
            decided: Leaf::genesis()
        }
    );
    assert_eq!(restored.leaves, vec![c.leaf(1).clone(), c.leaf(2).clone()]);
    let other2 = net.other_proposal(2, c.qc(1), None);
    let l1 = c.leaf(1).clone();
    run(
        &mut net.restored(0, restored.clone()),
        vec![
            step_then("start: back in view 2", Input::Start, vec![view_changed(2), set_timer(2, TIMER_MS)], |node| {
                assert_eq!(node.safety().last_voted_view, View(2));
            }),
            step("the view-2 proposal it voted for", proposal_in(c.p(2)), vec![rejected(2, RejectReason::AlreadyVoted)]),
            step("a conflicting view-2 proposal", proposal_in(&other2), vec![rejected(2, RejectReason::Equivocation)]),
            step(
                "view 3: votes, and decides leaf 1 from the restored leaves (sequence numbers restart at 1)",
                proposal_in(c.p(3)),
                vec![
                    Output::Decided(vec![(l1.clone(), c.qc(1).clone())]),
                    persist_safety(1, 2, c.qc(2), &l1),
                    view_changed(3),
                    set_timer(3, TIMER_MS),
                    persist_proposal(2, 0, c.p(3)),
                    persist_safety(3, 3, c.qc(2), &l1),
                ],
            ),
        ],
    );
    // A different proposal first: still no vote, since the view is the one it voted in.
    run(
        &mut net.restored(0, restored),
        vec![
            step(
                "start",
                Input::Start,
                vec![view_changed(2), set_timer(2, TIMER_MS)],
            ),
            step(
                "a conflicting view-2 proposal",
                proposal_in(&other2),
                vec![rejected(2, RejectReason::AlreadyVoted)],
            ),
        ],
    );
}

#[test]
fn restarted_node_that_timed_out_does_not_vote_in_that_view() {
    let net = Net::new();
    let g = genesis_qc();
    let restored = crash_after(&net, 3, vec![timer(1)]);
    assert_eq!(restored.safety.last_voted_view, View(1));
    assert!(restored.leaves.is_empty());
    let t = net.timeout(3, 1, &g, None);
    run(
        &mut net.restored(3, restored),
        vec![
            step(
                "start: view 1 again",
                Input::Start,
                vec![view_changed(1), set_timer(1, TIMER_MS)],
            ),
            step(
                "the view-1 proposal arrives after the restart",
                proposal_in(&net.proposal(1, &g, None)),
                vec![rejected(1, RejectReason::AlreadyVoted)],
            ),
            step(
                "timer: the timeout is re-sent without a new persist (already durable)",
                timer(1),
                vec![
                    Output::Broadcast(Message::Timeout(t)),
                    set_timer(1, 2 * TIMER_MS),
                ],
            ),
        ],
    );
}

#[test]
fn restarted_leader_does_not_propose_a_second_block_in_its_view() {
    let net = Net::new();
    let g = genesis_qc();
    // Node 1 proposed in view 1 and both records (proposal, last_voted_view = 1) are durable.
    let restored = crash_after(&net, 1, vec![built(1), persisted(2)]);
    assert_eq!(restored.safety.last_voted_view, View(1));
    let (payload, ns_table) = block(1, 9);
    let (timestamp_ms, l1_head) = block_meta(1);
    let other_block = Input::BlockBuilt {
        view: View(1),
        payload,
        ns_table,
        timestamp_ms: timestamp_ms + 5,
        l1_head,
    };
    run(
        &mut net.restored(1, restored),
        vec![
            step(
                "start: back in view 1, and no request for a second block",
                Input::Start,
                vec![view_changed(1), set_timer(1, TIMER_MS)],
            ),
            step(
                "a different block for view 1 must not become a second (equivocating) proposal",
                other_block,
                vec![],
            ),
            step(
                "its proposal from before the crash is recognised as already voted",
                proposal_in(&net.proposal(1, &g, None)),
                vec![rejected(1, RejectReason::AlreadyVoted)],
            ),
        ],
    );
}
