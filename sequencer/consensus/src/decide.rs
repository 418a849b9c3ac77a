//! The 2-chain decide rule (HotShot paper §3; HotStuff-2 §4): a leaf is decided when it and its
//! child are certified in consecutive views. Deciding a leaf decides its undecided ancestors;
//! missing ancestors are fetched from peers first.

use crate::io::{Output, PersistRecord};
use crate::machine::Consensus;
use crate::message::Message;
use sq_types::{Commitment, Crypto, Leaf, QuorumCertificate};

impl<C: Crypto> Consensus<C> {
    /// Applies the decide rule to a verified QC for leaf C: if C's justify QC certifies its
    /// parent B from the view just before C's, B and every undecided ancestor are decided.
    pub(crate) fn try_decide(&mut self, qc: &QuorumCertificate) {
        let decided_height = self.safety.decided.header.height;
        // A QC for leaf C decides C's parent at the earliest: nothing new unless C is at least
        // two above the decided height.
        if qc.height.0 <= decided_height.0.saturating_add(1) {
            return;
        }
        let Some(child) = self.leaf(&qc.leaf).cloned() else {
            self.wait_for_leaf(qc.leaf, qc);
            return;
        };
        if child.header.view != child.justify_qc.view.next() {
            return; // not a 2-chain in consecutive views
        }
        let target = child.justify_qc.clone();
        if target.height <= decided_height {
            return;
        }
        if target.height.0 - decided_height.0 > self.cfg.decided_window as u64 {
            self.out.push(Output::CatchUpNeeded {
                height: target.height,
                leaf: target.leaf,
            });
            return;
        }
        // Walk down from the newly decided leaf to the one after the last decided leaf.
        let mut chain: Vec<(Leaf, QuorumCertificate)> = Vec::new();
        let mut cur = target;
        loop {
            let Some(leaf) = self.leaf(&cur.leaf).cloned() else {
                self.wait_for_leaf(cur.leaf, qc);
                return;
            };
            let parent_qc = leaf.justify_qc.clone();
            let height = leaf.header.height;
            chain.push((leaf, cur));
            if height.0 == decided_height.0 + 1 {
                if parent_qc.leaf != self.safety.decided.commit() {
                    self.out.push(Output::Conflict {
                        height: decided_height,
                    });
                    return;
                }
                break;
            }
            if height <= decided_height {
                self.out.push(Output::Conflict { height });
                return;
            }
            cur = parent_qc;
        }
        chain.reverse();
        for (leaf, _) in &chain {
            self.remember_decided(leaf.clone());
        }
        if let Some((last, _)) = chain.last() {
            self.safety.decided = last.clone();
        }
        let new_height = self.safety.decided.header.height;
        self.leaves.retain(|_, l| l.header.height > new_height);
        self.out.push(Output::Decided(chain));
        self.persist(PersistRecord::Safety(self.safety.clone()));
    }

    /// Asks peers for a missing leaf once per view and remembers to retry the decide.
    fn wait_for_leaf(&mut self, missing: Commitment, qc: &QuorumCertificate) {
        if self
            .pending_decide
            .as_ref()
            .is_none_or(|p| qc.view > p.view)
        {
            self.pending_decide = Some(qc.clone());
        }
        if self.fetching.insert(missing) {
            self.out
                .push(Output::Broadcast(Message::LeafRequest(missing)));
        }
    }

    /// Accepts a requested leaf if it hashes to what was asked for, extends its justify QC and
    /// that QC verifies; then retries the pending decide.
    pub(crate) fn on_leaf_response(&mut self, leaf: Leaf) {
        let commit = leaf.commit();
        if !self.fetching.contains(&commit) || leaf.check_links().is_err() {
            return;
        }
        let justify = leaf.justify_qc.clone();
        if self.verify_qc(&justify).is_err() {
            return;
        }
        self.fetching.remove(&commit);
        if leaf.header.height > self.safety.decided.header.height {
            self.leaves.insert(commit, leaf);
        }
        if let Some(qc) = self.pending_decide.take() {
            self.try_decide(&qc);
        }
    }
}
