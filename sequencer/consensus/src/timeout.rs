//! View change: timeout votes, timeout certificates, and the "join at f+1" rule that pulls
//! lagging replicas into a view others are already timing out.

use crate::certs::Accumulator;
use crate::machine::{Consensus, Delivery, FUTURE_VIEWS};
use crate::message::{Message, Timeout};
use sq_types::certificate::timeout_digest;
use sq_types::{Crypto, TimeoutCertificate, View};

impl<C: Crypto> Consensus<C> {
    /// The current view's timer fired: send (or re-send) this node's timeout vote and re-arm the
    /// timer with back-off. Stale timers are ignored.
    pub(crate) fn on_timer(&mut self, view: View) {
        if view != self.view {
            return;
        }
        self.backoff = self.backoff.saturating_add(1);
        // No progress in this view: leaf requests may have been lost, so ask again.
        self.fetching.clear();
        if let Some(qc) = self.pending_decide.take() {
            self.try_decide(&qc);
        }
        self.send_timeout();
        let after_ms = self
            .cfg
            .view_timeout_ms
            .saturating_mul(1u64 << self.backoff.min(16))
            .min(self.cfg.max_view_timeout_ms.max(self.cfg.view_timeout_ms));
        self.out
            .push(crate::io::Output::SetTimer { view, after_ms });
    }

    /// Broadcasts a timeout vote for the current view, after persisting that this node will not
    /// vote in it any more. A repeat re-sends the same vote with the latest certificates.
    fn send_timeout(&mut self) {
        let view = self.view;
        let timeout = match self.my_timeout.take() {
            Some(mut t) => {
                t.high_qc = self.safety.locked_qc.clone();
                t.high_tc = self.high_tc.clone();
                t
            }
            None => Timeout {
                view,
                high_qc: self.safety.locked_qc.clone(),
                high_tc: self.high_tc.clone(),
                signer: self.me,
                signature: self.crypto.sign(&timeout_digest(view)),
            },
        };
        self.my_timeout = Some(timeout.clone());
        let seq = if self.safety.last_voted_view < view {
            self.safety.last_voted_view = view;
            self.persist_safety()
        } else {
            self.seq
        };
        self.send_after(seq, Delivery::All(Message::Timeout(timeout)));
    }

    /// Handles a timeout vote: learn from its certificates, count it, join the view at more
    /// than a third of the stake, and form a TC at a quorum.
    pub(crate) fn on_timeout_vote(&mut self, t: Timeout) {
        if t.view.0 > self.view.0.saturating_add(FUTURE_VIEWS)
            || !self
                .crypto
                .verify(t.signer, &timeout_digest(t.view), &t.signature)
            || self.verify_qc(&t.high_qc).is_err()
        {
            return;
        }
        let tc_ok = match &t.high_tc {
            Some(tc) => self.verify_tc(tc).is_ok(),
            None => true,
        };
        if !tc_ok {
            return;
        }
        self.observe_qc(&t.high_qc);
        if let Some(tc) = &t.high_tc {
            self.observe_tc(tc);
        }
        if t.view < self.view {
            return;
        }
        let n = self.table.len();
        let acc = self
            .timeouts
            .entry(t.view)
            .or_insert_with(|| Accumulator::new(n));
        if !acc.add(&self.table, t.signer, t.signature) {
            return;
        }
        let (stake, done) = (acc.stake, acc.done);
        let best = self
            .timeout_high_qc
            .entry(t.view)
            .or_insert_with(|| t.high_qc.clone());
        if t.high_qc.view > best.view {
            *best = t.high_qc.clone();
        }
        // More than a third of the stake timed out in a view at or past ours: at least one
        // honest node is there, so join it and time out too.
        let joined = self.my_timeout.as_ref().is_some_and(|m| m.view == t.view);
        if self.table.is_one_third(stake) && !joined && t.view >= self.view {
            self.enter_view(t.view);
            if self.view == t.view {
                self.send_timeout();
            }
        }
        if done || !self.table.is_quorum(stake) {
            return;
        }
        let Some(acc) = self.timeouts.get_mut(&t.view) else {
            return;
        };
        let Some(signature) = self.crypto.aggregate(&acc.sigs) else {
            return;
        };
        acc.done = true;
        let signers = acc.signers.clone();
        let Some(high_qc) = self.timeout_high_qc.get(&t.view).cloned() else {
            return;
        };
        let tc = TimeoutCertificate {
            view: t.view,
            high_qc,
            signers,
            signature,
        };
        self.observe_tc(&tc);
    }
}
