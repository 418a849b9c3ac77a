//! The checks a run is judged by: safety (no two different leaves decided at one height, on any
//! checked node), liveness (views from healing to the next decide), and a decided-log hash for
//! determinism.

use sq_types::{Commitment, Leaf, QuorumCertificate};
use std::collections::BTreeMap;

/// Counters gathered during a run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Messages delivered.
    pub messages: u64,
    /// Bytes delivered.
    pub bytes: u64,
    /// Deliveries that failed to decode and were dropped.
    pub malformed_rejected: u64,
    /// Decided leaves reported by checked nodes (counting every node).
    pub decides: u64,
}

/// The outcome of one run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// The seed.
    pub seed: u64,
    /// Highest decided height on any checked node.
    pub max_height: u64,
    /// Highest view reached by a running checked node.
    pub max_view: u64,
    /// Safety violations, described.
    pub violations: Vec<String>,
    /// Views between the network healing (or the start, if nothing fails) and the first decide
    /// of a new height after it; `None` if no new height was decided.
    pub recovery_views: Option<u64>,
    /// keccak over the agreed decided log `(height, leaf)`, for determinism checks.
    pub log_hash: Commitment,
    /// Counters.
    pub stats: Stats,
    /// Simulated duration, milliseconds.
    pub sim_ms: u64,
    /// The first checked node's decided leaves with their QCs, in height order, when the
    /// scenario asked for them (`record_decided`); empty otherwise.
    pub decided: Vec<(Leaf, QuorumCertificate)>,
}

/// Accumulates decisions and judges them.
pub(crate) struct Checker {
    checked: Vec<bool>,
    heal_at: u64,
    agreed: BTreeMap<u64, Commitment>,
    per_node: Vec<BTreeMap<u64, Commitment>>,
    violations: Vec<String>,
    at_heal: Option<(u64, u64)>,
    recovery_views: Option<u64>,
    max_view: u64,
    record: Option<usize>,
    decided_chain: Vec<(Leaf, QuorumCertificate)>,
    pub(crate) stats: Stats,
}

impl Checker {
    pub(crate) fn new(checked: Vec<bool>, heal_at: u64, record_decided: bool) -> Checker {
        let n = checked.len();
        let record = if record_decided {
            checked.iter().position(|&c| c)
        } else {
            None
        };
        Checker {
            checked,
            heal_at,
            agreed: BTreeMap::new(),
            per_node: vec![BTreeMap::new(); n],
            violations: Vec::new(),
            at_heal: None,
            recovery_views: None,
            max_view: 0,
            record,
            decided_chain: Vec::new(),
            stats: Stats::default(),
        }
    }

    /// Called before every event with the views of running checked nodes.
    pub(crate) fn tick(&mut self, now: u64, views: &[u64]) {
        let top = views.iter().copied().max().unwrap_or(0);
        self.max_view = self.max_view.max(top);
        if self.at_heal.is_none() && now >= self.heal_at {
            let height = self.agreed.keys().next_back().copied().unwrap_or(0);
            self.at_heal = Some((top, height));
        }
    }

    pub(crate) fn decided(
        &mut self,
        node: usize,
        now: u64,
        height: u64,
        leaf: Commitment,
        view: u64,
    ) {
        if !self.checked[node] {
            return;
        }
        self.stats.decides += 1;
        if let Some(prev) = self.per_node[node].insert(height, leaf) {
            if prev != leaf {
                self.violations
                    .push(format!("node {node} decided two leaves at height {height}"));
            }
        }
        match self.agreed.get(&height) {
            Some(other) if *other != leaf => {
                self.violations.push(format!(
                    "node {node} decided {leaf:?} at height {height}, others {other:?}"
                ));
            }
            Some(_) => {}
            None => {
                self.agreed.insert(height, leaf);
            }
        }
        if let (None, Some((view_at_heal, height_at_heal))) = (self.recovery_views, self.at_heal) {
            if now >= self.heal_at && height > height_at_heal {
                self.recovery_views = Some(view.max(self.max_view).saturating_sub(view_at_heal));
            }
        }
    }

    /// Keeps a decided leaf of the recorded node (once per height, in order).
    pub(crate) fn record(&mut self, node: usize, leaf: &Leaf, qc: &QuorumCertificate) {
        let next = self
            .decided_chain
            .last()
            .map_or(1, |(l, _)| l.header.height.0 + 1);
        if self.record == Some(node) && leaf.header.height.0 == next {
            self.decided_chain.push((leaf.clone(), qc.clone()));
        }
    }

    pub(crate) fn conflict(&mut self, node: usize, height: u64) {
        if self.checked[node] {
            self.violations.push(format!(
                "node {node} saw a certified chain conflicting with its decided height {height}"
            ));
        }
    }

    pub(crate) fn finish(mut self, seed: u64, sim_ms: u64, views: &[u64]) -> Report {
        self.max_view = self.max_view.max(views.iter().copied().max().unwrap_or(0));
        let mut log = Vec::with_capacity(self.agreed.len() * 40);
        for (h, c) in &self.agreed {
            log.extend_from_slice(&h.to_be_bytes());
            log.extend_from_slice(&c.0);
        }
        Report {
            seed,
            max_height: self.agreed.keys().next_back().copied().unwrap_or(0),
            max_view: self.max_view,
            violations: self.violations,
            recovery_views: self.recovery_views,
            log_hash: Commitment::keccak(&[&log]),
            stats: self.stats,
            sim_ms,
            decided: self.decided_chain,
        }
    }
}
