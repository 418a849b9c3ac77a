//! The replica's side: validating a proposal and voting for it (HotShot paper §3 "vote";
//! HotStuff-2 §4 locking rule).

use crate::io::{Output, PersistRecord, RejectReason};
use crate::machine::{Consensus, Delivery};
use crate::message::{Message, Proposal, Vote};
use sq_types::certificate::{proposal_digest, quorum_digest};
use sq_types::Crypto;

impl<C: Crypto> Consensus<C> {
    /// Validates a proposal and, when every rule holds, persists it and the safety state, then
    /// votes to the next leader. Rules, in order:
    /// 1. signed by the view's leader;
    /// 2. the header extends its justify QC and matches the payload and namespace table;
    /// 3. the justify QC (and TC, if any) verify;
    /// 4. view entry: the justify QC is from the previous view, or the TC is;
    /// 5. after learning from the certificates, the proposal is for the current view;
    /// 6. the leader did not equivocate in this view;
    /// 7. the node has not voted or timed out in this view;
    /// 8. the lock: the justify QC is at least as high as the locked QC.
    pub(crate) fn on_proposal(&mut self, p: Proposal) {
        let view = p.leaf.header.view;
        let commit = p.leaf.commit();
        let reject = |this: &mut Self, reason: RejectReason| {
            this.out.push(Output::ProposalRejected { view, reason });
        };
        let leader = self.table.leader(view);
        if !self
            .crypto
            .verify(leader, &proposal_digest(view, &commit), &p.signature)
        {
            return reject(self, RejectReason::BadSignature);
        }
        if let Err(e) = p.leaf.check_links() {
            return reject(self, RejectReason::Malformed(e.to_string()));
        }
        if let Err(e) = p.leaf.header.ns_table.validate(p.payload.len()) {
            return reject(self, RejectReason::Malformed(e.to_string()));
        }
        // Re-disperse: the commitment must be exactly the VID commitment of this payload and
        // namespace table, and this node keeps its own share (DA step, `da.rs`).
        let dispersal =
            match crate::da::disperse(self.table.len(), &p.payload, &p.leaf.header.ns_table) {
                Ok(d) => d,
                Err(e) => return reject(self, RejectReason::Malformed(e.to_string())),
            };
        if p.leaf.header.payload_commitment != dispersal.commitment {
            return reject(
                self,
                RejectReason::Malformed("payload does not match its commitment".into()),
            );
        }
        let common = dispersal.common;
        let Some(share) = dispersal.shares.into_iter().nth(self.me.0 as usize) else {
            return reject(
                self,
                RejectReason::Malformed("no VID share for this node".into()),
            );
        };
        let justify = p.leaf.justify_qc.clone();
        if let Err(e) = self.verify_qc(&justify) {
            return reject(self, RejectReason::InvalidCertificate(e));
        }
        if let Some(tc) = &p.tc {
            if let Err(e) = self.verify_tc(tc) {
                return reject(self, RejectReason::InvalidCertificate(e));
            }
        }
        let entered_by_qc = justify.view.next() == view;
        let entered_by_tc = p.tc.as_ref().is_some_and(|tc| tc.view.next() == view);
        if !entered_by_qc && !entered_by_tc {
            return reject(self, RejectReason::NoViewEntryProof);
        }
        self.observe_qc(&justify);
        if let Some(tc) = &p.tc {
            self.observe_tc(tc);
        }
        if view != self.view {
            return reject(self, RejectReason::WrongView { current: self.view });
        }
        match self.proposals_seen.get(&view) {
            Some(seen) if *seen != commit => return reject(self, RejectReason::Equivocation),
            Some(_) => return, // a duplicate delivery of the same proposal
            None => {
                self.proposals_seen.insert(view, commit);
            }
        }
        if p.leaf.header.height > self.safety.decided.header.height {
            self.leaves.insert(commit, p.leaf.clone());
        }
        // The decide rule may need this leaf: the QC for it arrives with the next proposal, but
        // a pending decide may already be waiting for it.
        if let Some(qc) = self.pending_decide.take() {
            self.try_decide(&qc);
        }
        if view <= self.safety.last_voted_view {
            return reject(self, RejectReason::AlreadyVoted);
        }
        if justify.view < self.safety.locked_qc.view {
            let locked = self.safety.locked_qc.view;
            return reject(
                self,
                RejectReason::ViolatesLock {
                    locked,
                    justify: justify.view,
                },
            );
        }
        self.safety.last_voted_view = view;
        let height = p.leaf.header.height;
        // The leader persisted its own proposal before sending it.
        if leader != self.me {
            self.persist(PersistRecord::Proposal {
                leaf: p.leaf,
                payload: p.payload,
                common,
                share,
            });
        }
        let seq = self.persist_safety();
        let vote = Vote {
            view,
            height,
            leaf: commit,
            signer: self.me,
            signature: self.crypto.sign(&quorum_digest(view, height, &commit)),
        };
        let next_leader = self.table.leader(view.next());
        self.send_after(seq, Delivery::To(next_leader, Message::Vote(vote)));
    }
}
