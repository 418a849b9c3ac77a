//! Proposals refused a vote because of their certificates (`replica.rs` rules 3, 4, 8): an
//! invalid QC or TC, no proof of entering the view, and the lock. Node 0 is the replica.

use crate::common::*;
use sq_consensus::RejectReason;
use sq_types::{QuorumCertificate, View};

/// Node 0 after `Start` (view 1).
fn replica(net: &Net) -> Node {
    net.started(0)
}

#[test]
fn invalid_justify_qc_is_rejected() {
    let net = Net::new();
    let p1 = net.proposal(1, &genesis_qc(), None);
    // Aggregate of three genuine signatures, but over another leaf's digest.
    let decoy = net.other_proposal(1, &genesis_qc(), None).leaf;
    let mut bad_sig = net.qc(&p1.leaf, &QUORUM);
    bad_sig.signature = net.qc(&decoy, &QUORUM).signature;
    // Correctly aggregated, but only 2 of 4 stake.
    let minority = net.qc(&p1.leaf, &[0, 1]);
    let with = |qc: &QuorumCertificate| net.proposal(2, qc, None);
    let not_quorum = "QC signers hold 2 of 4 stake, not a quorum".to_owned();
    run(
        &mut replica(&net),
        vec![
            step_then(
                "justify QC's aggregate signature does not verify",
                proposal_in(&with(&bad_sig)),
                vec![rejected(
                    2,
                    RejectReason::InvalidCertificate(
                        "QC aggregate signature does not verify".into(),
                    ),
                )],
                |node| assert_eq!(node.view(), View(1), "a bad QC must not move the view"),
            ),
            step_then(
                "justify QC signed by 2 of 4: not a quorum",
                proposal_in(&with(&minority)),
                vec![rejected(2, RejectReason::InvalidCertificate(not_quorum))],
                |node| {
                    assert_eq!(
                        node.safety().locked_qc,
                        genesis_qc(),
                        "a bad QC must not lock"
                    )
                },
            ),
        ],
    );
}

#[test]
fn invalid_timeout_certificate_is_rejected() {
    let net = Net::new();
    let g = genesis_qc();
    let minority_tc = net.tc(1, &g, &[0, 3]);
    let mut bad_sig_tc = net.tc(1, &g, &[0, 2, 3]);
    bad_sig_tc.signature = net.tc(5, &g, &[0, 2, 3]).signature;
    let not_quorum = "TC signers hold 2 of 4 stake, not a quorum".to_owned();
    run(
        &mut replica(&net),
        vec![
            step(
                "TC for view 1 signed by 2 of 4",
                proposal_in(&net.proposal(2, &g, Some(minority_tc))),
                vec![rejected(2, RejectReason::InvalidCertificate(not_quorum))],
            ),
            step_then(
                "TC whose aggregate is over another view's digest",
                proposal_in(&net.proposal(2, &g, Some(bad_sig_tc))),
                vec![rejected(
                    2,
                    RejectReason::InvalidCertificate(
                        "TC aggregate signature does not verify".into(),
                    ),
                )],
                |node| assert!(node.high_tc().is_none()),
            ),
        ],
    );
}

#[test]
fn proposal_without_view_entry_proof_is_rejected() {
    let net = Net::new();
    let c = net.chain(1);
    let tc1 = net.tc(1, &genesis_qc(), &[0, 1, 2]);
    run(
        &mut replica(&net),
        vec![
            step_then(
                "view 3 justified by the view-1 QC, no TC",
                proposal_in(&net.proposal(3, c.qc(1), None)),
                vec![rejected(3, RejectReason::NoViewEntryProof)],
                |node| assert_eq!(node.view(), View(1)),
            ),
            step(
                "view 3 with a TC for view 1 (not view 2)",
                proposal_in(&net.proposal(3, &genesis_qc(), Some(tc1))),
                vec![rejected(3, RejectReason::NoViewEntryProof)],
            ),
        ],
    );
}

#[test]
fn proposal_entering_by_tc_but_justified_below_the_lock_is_rejected() {
    let net = Net::new();
    let c = net.chain(3);
    // View 4 timed out; the TC reports the view-1 QC as the highest it saw, and the view-5
    // leader extends it. Node 0 is locked on the view-2 QC (learned from the view-3 proposal).
    let tc4 = net.tc(4, c.qc(1), &[1, 2, 3]);
    let p5 = net.proposal(5, c.qc(1), Some(tc4.clone()));
    run(
        &mut replica(&net),
        vec![
            check("vote for view 1", proposal_in(c.p(1)), |outs, _| {
                assert_eq!(outs.len(), 2)
            }),
            check("vote for view 2", proposal_in(c.p(2)), |_, node| {
                assert_eq!(node.view(), View(2))
            }),
            check(
                "view 3's proposal locks the view-2 QC",
                proposal_in(c.p(3)),
                |_, node| {
                    assert_eq!(node.safety().locked_qc.view, View(2));
                    assert_eq!(node.safety().last_voted_view, View(3));
                },
            ),
            step_then(
                "view 5 with TC(4) but justify QC(1) < lock QC(2)",
                proposal_in(&p5),
                vec![
                    view_changed(5),
                    set_timer(5, TIMER_MS),
                    rejected(
                        5,
                        RejectReason::ViolatesLock {
                            locked: View(2),
                            justify: View(1),
                        },
                    ),
                ],
                move |node| {
                    assert_eq!(node.high_tc(), Some(&tc4));
                    assert_eq!(node.safety().last_voted_view, View(3));
                },
            ),
        ],
    );
}
