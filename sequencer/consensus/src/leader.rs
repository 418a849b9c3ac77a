//! The leader's side: asking for a block, proposing it, and forming a QC from the votes of the
//! previous view (HotShot paper §3 "propose"; votes go to the next view's leader).

use crate::certs::Accumulator;
use crate::io::{Output, PersistRecord, RejectReason};
use crate::machine::{Consensus, Delivery, FUTURE_VIEWS};
use crate::message::{Message, Proposal, Vote};
use sq_types::certificate::{proposal_digest, quorum_digest};
use sq_types::{Crypto, Header, Leaf, NsTable, QuorumCertificate, View};

impl<C: Crypto> Consensus<C> {
    /// As leader of the current view, with proof of entering it (a QC or TC for the previous
    /// view), asks the host for a block once per view.
    pub(crate) fn try_propose(&mut self) {
        let view = self.view;
        if self.table.leader(view) != self.me
            || self.build_requested >= view
            || !self.has_entry_proof(view)
        {
            return;
        }
        self.build_requested = view;
        self.out.push(Output::BuildBlock {
            view,
            parent: self.safety.locked_qc.clone(),
        });
    }

    fn has_entry_proof(&self, view: View) -> bool {
        self.safety.locked_qc.view.next() == view
            || self
                .high_tc
                .as_ref()
                .is_some_and(|tc| tc.view.next() == view)
    }

    /// Builds, signs and broadcasts the proposal for `view` from the host's block, extending the
    /// highest QC known now. Ignored if the view has moved on or a proposal was already sent.
    pub(crate) fn on_block_built(
        &mut self,
        view: View,
        payload: Vec<u8>,
        ns_table: NsTable,
        timestamp_ms: u64,
        l1_head: u64,
    ) {
        if view != self.view
            || self.proposed >= view
            || self.table.leader(view) != self.me
            || !self.has_entry_proof(view)
        {
            return;
        }
        let justify = self.safety.locked_qc.clone();
        let tc = if justify.view.next() == view {
            None
        } else {
            self.high_tc.clone()
        };
        let dispersal = match crate::da::disperse(self.table.len(), &payload, &ns_table) {
            Ok(d) => d,
            Err(e) => {
                // The host built a block that cannot be dispersed: propose nothing; the view
                // times out and the next leader proposes.
                self.out.push(Output::ProposalRejected {
                    view,
                    reason: RejectReason::Malformed(format!("own block: {e}")),
                });
                return;
            }
        };
        let Some(share) = dispersal.shares.get(self.me.0 as usize).cloned() else {
            return;
        };
        let header = Header {
            height: justify.height.next(),
            view,
            parent: justify.leaf,
            payload_commitment: dispersal.commitment,
            timestamp_ms,
            l1_head,
            ns_table,
        };
        let leaf = Leaf {
            header,
            justify_qc: justify,
        };
        let signature = self.crypto.sign(&proposal_digest(view, &leaf.commit()));
        self.proposed = view;
        // Durable before it is sent: a leader that crashes and restarts must know it proposed in
        // this view, or it could send a second, different proposal (see `Consensus::new`).
        let seq = self.persist(PersistRecord::Proposal {
            leaf: leaf.clone(),
            payload: payload.clone(),
            common: dispersal.common,
            share,
        });
        self.send_after(
            seq,
            Delivery::All(Message::Proposal(Proposal {
                leaf,
                tc,
                payload,
                signature,
            })),
        );
    }

    /// Collects a vote for the view this node leads next; forms a QC at a quorum of stake.
    pub(crate) fn on_vote(&mut self, v: Vote) {
        if self.table.leader(v.view.next()) != self.me
            || v.view.next() < self.view
            || v.view.0 > self.view.0.saturating_add(FUTURE_VIEWS)
            || self.vote_seen.contains(&(v.view, v.signer))
        {
            return;
        }
        if !self.crypto.verify(
            v.signer,
            &quorum_digest(v.view, v.height, &v.leaf),
            &v.signature,
        ) {
            return;
        }
        self.vote_seen.insert((v.view, v.signer));
        let n = self.table.len();
        let acc = self
            .votes
            .entry((v.view, v.leaf))
            .or_insert_with(|| Accumulator::new(n));
        if !acc.add(&self.table, v.signer, v.signature)
            || acc.done
            || !self.table.is_quorum(acc.stake)
        {
            return;
        }
        let Some(signature) = self.crypto.aggregate(&acc.sigs) else {
            return;
        };
        acc.done = true;
        let qc = QuorumCertificate {
            view: v.view,
            height: v.height,
            leaf: v.leaf,
            signers: acc.signers.clone(),
            signature,
        };
        self.observe_qc(&qc);
        self.try_propose();
    }
}
