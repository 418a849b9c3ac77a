//! Catch-up: fills this node's database with the decided leaves and payloads it is missing,
//! fetched from peers' availability APIs (`--peer-api`), verifying every QC and commitment
//! before storing anything.
//!
//! A restarted node, or one whose storage writer fell behind, has heights with no leaf (it was
//! down when they were decided) or a leaf without a payload (consensus fetched the leaf from a
//! peer to decide, but never saw the proposal). Each round (every `interval`) asks the peers for
//! their stored height and walks this node's heights from the first one not known to be
//! complete up to that target minus `lag` (the blocks the local writer is still storing):
//! * a missing leaf is fetched in batches of 100 and checked with [`verify::verify_leaf`]
//!   against the previous stored leaf (genesis for height 1);
//! * a missing payload is fetched whole from the first peer that has it and checked by
//!   re-dispersal ([`verify::verify_payload`]); when no peer serves it (pruned, or only shares
//!   left), the peers' VID shares are collected and `sq_da::recover` rebuilds it (each share's
//!   Merkle proof checked, the payload re-encoded against the commitment);
//! * then the block is stored with this node's own share, like a block it decided itself.
//!
//! Progress is logged every 2 s while behind: `catching up height=… target=… rate=…`.
//!
//! Consensus itself rejoins by fetching the leaves it needs to decide from peers
//! (`LeafRequest`, within a window of 1,024 leaves). A node behind by more than that window is
//! told so by the state machine (`Output::CatchUpNeeded`) and logs it: restarting the state
//! machine from a caught-up leaf is not built yet.

pub mod verify;

use crate::store::HeldProposal;
use crate::writer::{raise_stored, store_with_retry, to_block, DecidedRecord};
use sq_api::client::Client;
use sq_storage::{Storage, StorageError};
use sq_types::{BlsCrypto, Height, Leaf, QuorumCertificate, StakeTable};
use std::collections::VecDeque;
use std::time::{Duration, Instant};
use thiserror::Error;
use tokio::sync::watch;
use verify::VerifyError;

/// Why one height could not be filled this round (it is retried the next).
#[derive(Debug, Error)]
pub enum CatchUpError {
    /// The local database failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// A peer's data failed verification.
    #[error(transparent)]
    Verify(#[from] VerifyError),
    /// No peer could provide it.
    #[error("no peer provided {what} for height {height}")]
    Unavailable {
        /// The height.
        height: u64,
        /// What was missing.
        what: &'static str,
    },
}

/// What catch-up needs.
pub struct CatchUp {
    /// This node's database.
    pub storage: Storage,
    /// The peers' APIs (`sq_api` typed clients: answers are decoded there, verified here).
    pub peers: Vec<Client>,
    /// Verifies QCs against the stake table.
    pub crypto: BlsCrypto,
    /// The stake table (its size is the VID share count).
    pub table: StakeTable,
    /// This node's index (its share of each payload).
    pub me: usize,
    /// Raised to each height stored.
    pub stored: watch::Sender<u64>,
    /// Seconds between rounds.
    pub interval: Duration,
    /// Heights below the peers' stored height left to the local writer.
    pub lag: u64,
}

impl CatchUp {
    /// Runs rounds forever.
    pub async fn run(self) {
        let mut cursor = 1u64;
        let mut batch = VecDeque::new();
        loop {
            let filled;
            (cursor, filled) = self.round(cursor, &mut batch).await;
            // While behind, go again at once: a node rejoining consensus waits for this.
            if filled == 0 {
                tokio::time::sleep(self.interval).await;
            }
        }
    }

    async fn target(&self) -> u64 {
        let mut best = 0;
        for p in &self.peers {
            match p.status().await {
                Ok(s) => best = best.max(s.stored_height),
                Err(e) => {
                    tracing::debug!(target: "node::catchup", peer = p.base(), error = %e, "peer status unavailable")
                }
            }
        }
        best.saturating_sub(self.lag)
    }

    /// One round from `cursor`; returns the first height not yet known complete and how many
    /// heights had to be fetched.
    async fn round(
        &self,
        mut cursor: u64,
        batch: &mut VecDeque<(Leaf, QuorumCertificate)>,
    ) -> (u64, u64) {
        let target = self.target().await;
        if target < cursor {
            return (cursor, 0);
        }
        let (started, first) = (Instant::now(), cursor);
        let mut logged = Instant::now();
        let mut filled = 0u64;
        while cursor <= target {
            match self.fill(cursor, batch).await {
                Ok(was_missing) => filled += u64::from(was_missing),
                Err(e) => {
                    tracing::warn!(target: "node::catchup", height = cursor, error = %e, "catch-up stalled; retrying next round");
                    break;
                }
            }
            cursor += 1;
            if filled > 0 && (logged.elapsed() >= Duration::from_secs(2) || cursor > target) {
                let rate = (cursor - first) as f64 / started.elapsed().as_secs_f64().max(1e-3);
                tracing::info!(target: "node::catchup", height = cursor - 1, target, filled, rate = format!("{rate:.1} blocks/s"), "catching up");
                logged = Instant::now();
            }
        }
        (cursor, filled)
    }

    /// Makes height `h` complete locally; true when something had to be fetched.
    async fn fill(
        &self,
        h: u64,
        batch: &mut VecDeque<(Leaf, QuorumCertificate)>,
    ) -> Result<bool, CatchUpError> {
        let (leaf, qc) = match self.storage.leaf(Height(h)).await? {
            Some(stored) => {
                let pruned = self
                    .storage
                    .pruned_through()
                    .await?
                    .is_some_and(|p| p.0 >= h);
                if pruned || self.storage.payload(Height(h)).await?.is_some() {
                    return Ok(false);
                }
                stored
            }
            None => self.fetch_leaf(h, batch).await?,
        };
        let held = self.fetch_payload(&leaf).await?;
        let block = to_block(DecidedRecord::decode(leaf, qc, held));
        store_with_retry(&self.storage, &block).await?;
        raise_stored(&self.stored, h);
        Ok(true)
    }

    async fn fetch_leaf(
        &self,
        h: u64,
        batch: &mut VecDeque<(Leaf, QuorumCertificate)>,
    ) -> Result<(Leaf, QuorumCertificate), CatchUpError> {
        let prev = if h == 1 {
            Leaf::genesis()
        } else {
            self.storage
                .leaf(Height(h - 1))
                .await?
                .ok_or(CatchUpError::Unavailable {
                    height: h - 1,
                    what: "the previous leaf",
                })?
                .0
        };
        while batch.front().is_some_and(|(l, _)| l.header.height.0 < h) {
            batch.pop_front();
        }
        if batch.front().is_some_and(|(l, _)| l.header.height.0 == h) {
            if let Some((leaf, qc)) = batch.pop_front() {
                match verify::verify_leaf(&prev, &leaf, &qc, &self.crypto, &self.table) {
                    Ok(()) => return Ok((leaf, qc)),
                    Err(e) => {
                        tracing::warn!(target: "node::catchup", error = %e, "refused a fetched leaf");
                        batch.clear();
                    }
                }
            }
        }
        for p in &self.peers {
            let leaves = match p.leaves(h, 100).await {
                Ok(l) => l,
                Err(e) => {
                    tracing::debug!(target: "node::catchup", peer = p.base(), error = %e, "leaves unavailable");
                    continue;
                }
            };
            let mut it = leaves.into_iter();
            let Some((leaf, qc)) = it.next() else {
                continue;
            };
            match verify::verify_leaf(&prev, &leaf, &qc, &self.crypto, &self.table) {
                Ok(()) => {
                    batch.clear();
                    batch.extend(it);
                    return Ok((leaf, qc));
                }
                Err(e) => {
                    tracing::warn!(target: "node::catchup", peer = p.base(), error = %e, "refused a peer's leaf");
                }
            }
        }
        Err(CatchUpError::Unavailable {
            height: h,
            what: "a verified leaf",
        })
    }

    async fn fetch_payload(&self, leaf: &Leaf) -> Result<HeldProposal, CatchUpError> {
        let h = leaf.header.height.0;
        let n = self.table.len();
        let held = |payload: Vec<u8>, d: sq_da::Dispersal| -> Result<HeldProposal, CatchUpError> {
            let share = d
                .shares
                .into_iter()
                .nth(self.me)
                .ok_or(CatchUpError::Unavailable {
                    height: h,
                    what: "this node's share",
                })?;
            Ok(HeldProposal {
                leaf: leaf.clone(),
                payload,
                common: d.common,
                share,
            })
        };
        for p in &self.peers {
            match p.payload(h).await {
                Ok(Some(body)) => match verify::verify_payload(n, leaf, &body.payload) {
                    Ok(d) => return held(body.payload, d),
                    Err(e) => {
                        tracing::warn!(target: "node::catchup", peer = p.base(), error = %e, "refused a peer's payload");
                    }
                },
                Ok(None) => {}
                Err(e) => {
                    tracing::debug!(target: "node::catchup", peer = p.base(), error = %e, "payload unavailable");
                }
            }
        }
        // No whole payload anywhere: rebuild it from the peers' VID shares.
        let mut common = None;
        let mut shares = Vec::new();
        for p in &self.peers {
            if let Ok(Some((c, s))) = p.vid_share(h).await {
                if c.commitment() == leaf.header.payload_commitment {
                    common = Some(c);
                    shares.push(s);
                }
            }
        }
        let common = common.ok_or(CatchUpError::Unavailable {
            height: h,
            what: "a payload or VID shares",
        })?;
        let recovered = sq_da::recover(
            &common,
            &leaf.header.payload_commitment,
            &leaf.header.ns_table,
            &shares,
        )
        .map_err(|e| VerifyError::Payload {
            height: leaf.header.height,
            reason: format!("recovery from {} shares: {e}", shares.len()),
        })?;
        for (peer, e) in &recovered.rejected {
            tracing::warn!(target: "node::catchup", share_of = peer.0, error = %e, "refused a VID share");
        }
        let d = verify::verify_payload(n, leaf, &recovered.payload)?;
        tracing::info!(target: "node::catchup", height = h, shares = shares.len(), "payload recovered from VID shares");
        held(recovered.payload, d)
    }
}
