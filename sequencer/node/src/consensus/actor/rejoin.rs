//! Rejoining after falling further behind than the state machine's window of decided leaves
//! (`Output::CatchUpNeeded`): wait until catch-up has stored the leaf, then rebuild the state
//! machine from the newest stored leaf.

use super::ConsensusActor;
use sq_consensus::{Consensus, Input, Restored, SafetyState};
use sq_network::Network;
use sq_types::{Commitment, Height, Leaf, QuorumCertificate};
use std::time::Duration;

impl<N: Network> ConsensusActor<N> {
    /// Consensus needs leaves older than its window: wait until catch-up has stored the decided
    /// leaf at `height` (it must be `leaf`), then [`Self::rejoin`] from it.
    pub(super) fn await_catch_up(&mut self, height: Height, leaf: Commitment) {
        let Some(storage) = self.storage.clone() else {
            tracing::warn!(target: "node::consensus", height = height.0, "behind by more than the in-memory window and no storage to catch up into");
            return;
        };
        if self.rejoin_pending {
            return;
        }
        self.rejoin_pending = true;
        tracing::warn!(target: "node::consensus", height = height.0, "behind by more than the in-memory window; waiting for catch-up from peers");
        let tx = self.rejoin_tx.clone();
        tokio::spawn(async move {
            loop {
                match storage.leaf(height).await {
                    Ok(Some((l, qc))) if l.commit() == leaf => {
                        // Resume from the newest stored leaf (every stored leaf is decided and
                        // verified), so that the gap left to the network is as small as it can be.
                        let newest = match storage.latest_height().await {
                            Ok(Some(h)) if h > height => storage.leaf(h).await.ok().flatten(),
                            _ => None,
                        };
                        tx.send(newest.unwrap_or((l, qc))).ok();
                        return;
                    }
                    Ok(Some(_)) => {
                        tracing::error!(target: "node::consensus", height = height.0, "the stored leaf differs from the one consensus decided");
                        return;
                    }
                    Ok(None) | Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
                }
            }
        });
    }

    /// Rebuilds the state machine from a caught-up decided leaf and its QC. It never votes again
    /// in a view up to the current one (so it cannot equivocate), locks on the higher of its lock
    /// and `qc`, and resumes from `leaf`.
    pub(super) fn rejoin(&mut self, leaf: Leaf, qc: QuorumCertificate) {
        self.rejoin_pending = false;
        let old = self.machine.safety().clone();
        if leaf.header.height <= old.decided.header.height {
            return;
        }
        let safety = SafetyState {
            last_voted_view: old.last_voted_view.max(self.machine.view()),
            locked_qc: if qc.view > old.locked_qc.view {
                qc
            } else {
                old.locked_qc
            },
            decided: leaf,
        };
        let height = safety.decided.header.height;
        tracing::info!(target: "node::consensus", height = height.0, "rejoining consensus from a caught-up leaf");
        let table = self.machine.table().clone();
        let me = self.machine.index();
        self.machine = Consensus::new(
            self.cfg.clone(),
            self.crypto.clone(),
            table,
            me,
            Restored {
                safety,
                leaves: Vec::new(),
            },
        );
        self.seq_base = self.host_seq;
        self.payloads
            .retain(|_, h| h.proposal.leaf.header.height > height);
        self.apply(Input::Start);
    }
}
