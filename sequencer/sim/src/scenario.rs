//! What a run simulates: nodes, their behaviour, crashes, the network, and how long.

use crate::crypto::CryptoMode;
use crate::net::{NetworkModel, Partition};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sq_consensus::Config;
use std::collections::BTreeMap;

/// How a node behaves. Everything but [`Behavior::Honest`] and [`Behavior::LockIgnoring`] is
/// Byzantine and excluded from the safety check; those two are checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Behavior {
    /// Follows the protocol.
    Honest,
    /// Sends nothing at all (a crashed node that never returns, or a withholding one).
    Silent,
    /// As leader, sends two different valid proposals, one to each half of the network.
    Equivocator,
    /// Votes for every proposal it receives, including conflicting ones in the same view.
    DoubleVoter,
    /// Honest, but also sends garbage: random bytes, truncated and bit-flipped messages, and
    /// votes claiming another signer.
    Malformed,
    /// As leader after a timeout, proposes a block extending an old QC (three levels below its
    /// highest), trying to fork out decided blocks.
    ForkingLeader,
    /// **Deliberately broken replica**: honest, except that it also votes for proposals it
    /// rejected only because of the lock. Used to show the simulator catches a broken rule.
    LockIgnoring,
}

impl Behavior {
    /// Whether the safety check covers this node.
    #[must_use]
    pub fn is_checked(self) -> bool {
        matches!(self, Behavior::Honest | Behavior::LockIgnoring)
    }
}

/// A crash at `at_ms`, and a restart from persisted state at `restart_ms` (never if `None`).
#[derive(Clone, Debug)]
pub struct Crash {
    /// The node.
    pub node: usize,
    /// When it crashes, simulated milliseconds.
    pub at_ms: u64,
    /// When it restarts, simulated milliseconds.
    pub restart_ms: Option<u64>,
}

/// A complete description of one run. The same scenario always gives the same report.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// Seed for every random choice in the run.
    pub seed: u64,
    /// Number of nodes (stake 1 each).
    pub nodes: usize,
    /// Simulated duration, milliseconds.
    pub duration_ms: u64,
    /// Link behaviour.
    pub network: NetworkModel,
    /// Non-honest nodes.
    pub behaviors: BTreeMap<usize, Behavior>,
    /// Crashes and restarts.
    pub crashes: Vec<Crash>,
    /// Consensus timing.
    pub consensus: Config,
    /// Signature scheme.
    pub crypto: CryptoMode,
    /// Payload size of each proposed block, bytes.
    pub payload_bytes: usize,
    /// Time for a persisted record to become durable, milliseconds.
    pub fsync_ms: u64,
    /// Keep the decided chain of the first checked node, with its QCs, in the report.
    pub record_decided: bool,
}

impl Scenario {
    /// `nodes` honest nodes on a reliable network for `duration_ms`.
    #[must_use]
    pub fn honest(seed: u64, nodes: usize, duration_ms: u64) -> Scenario {
        Scenario {
            seed,
            nodes,
            duration_ms,
            network: NetworkModel::reliable(),
            behaviors: BTreeMap::new(),
            crashes: Vec::new(),
            consensus: Config {
                view_timeout_ms: 500,
                max_view_timeout_ms: 2_000,
                decided_window: 1_024,
            },
            crypto: CryptoMode::Fast,
            payload_bytes: 64,
            fsync_ms: 1,
            record_decided: false,
        }
    }

    /// The behaviour of `node`.
    #[must_use]
    pub fn behavior(&self, node: usize) -> Behavior {
        self.behaviors
            .get(&node)
            .copied()
            .unwrap_or(Behavior::Honest)
    }

    /// A random adversarial scenario: up to `faulty` nodes are Byzantine (any mix of silent,
    /// equivocating, double-voting, garbage-sending and forking) or crash and restart; the
    /// network has random latency, loss, and in half the seeds a partition of the honest nodes
    /// that heals at half of the run.
    #[must_use]
    pub fn random(seed: u64, nodes: usize, faulty: usize, duration_ms: u64) -> Scenario {
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5eed_5eed);
        let mut s = Scenario::honest(seed, nodes, duration_ms);
        s.network.latency_ms = rng.gen_range(1..40);
        s.network.jitter_ms = rng.gen_range(0..40);
        s.network.loss = if rng.gen_bool(0.5) {
            rng.gen_range(0.0..0.05)
        } else {
            0.0
        };
        let mut ids: Vec<usize> = (0..nodes).collect();
        ids.shuffle(&mut rng);
        let choices = [
            Behavior::Silent,
            Behavior::Equivocator,
            Behavior::DoubleVoter,
            Behavior::Malformed,
            Behavior::ForkingLeader,
            Behavior::Honest, // an honest node that crashes and restarts
        ];
        for &node in ids.iter().take(faulty) {
            let b = choices[rng.gen_range(0..choices.len())];
            if b == Behavior::Honest {
                let at_ms = rng.gen_range(0..duration_ms / 2);
                let restart_ms = Some(at_ms + rng.gen_range(100..duration_ms / 4));
                s.crashes.push(Crash {
                    node,
                    at_ms,
                    restart_ms,
                });
            } else {
                s.behaviors.insert(node, b);
            }
        }
        if rng.gen_bool(0.5) {
            let mut honest: Vec<usize> = ids[faulty..].to_vec();
            honest.shuffle(&mut rng);
            let cut = rng.gen_range(1..honest.len().max(2));
            let (a, b) = honest.split_at(cut.min(honest.len()));
            let mut ga = a.to_vec();
            // Byzantine nodes sit on both sides.
            ga.extend(ids[..faulty].iter().copied());
            let mut gb = b.to_vec();
            gb.extend(ids[..faulty].iter().copied());
            let from_ms = rng.gen_range(0..duration_ms / 4);
            s.network.partitions.push(Partition {
                from_ms,
                to_ms: duration_ms / 2,
                groups: vec![ga, gb],
            });
        }
        s
    }
}
