//! The simulated network: per-message latency with jitter, random loss, and partitions that
//! start and heal at fixed simulated times.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// A partition: during `[from_ms, to_ms)` messages only flow inside each group.
#[derive(Clone, Debug)]
pub struct Partition {
    /// Start, simulated milliseconds.
    pub from_ms: u64,
    /// End (healing), simulated milliseconds.
    pub to_ms: u64,
    /// Disjoint groups of node indices; a node in no group is isolated.
    pub groups: Vec<Vec<usize>>,
}

/// Link behaviour for a whole run.
#[derive(Clone, Debug)]
pub struct NetworkModel {
    /// Minimum one-way latency, milliseconds.
    pub latency_ms: u64,
    /// Extra latency drawn uniformly from `0..=jitter_ms`.
    pub jitter_ms: u64,
    /// Probability that any single message is lost, in `[0, 1]`.
    pub loss: f64,
    /// Partitions, in any order.
    pub partitions: Vec<Partition>,
}

impl NetworkModel {
    /// A reliable network with 10 ms ± 10 ms latency.
    #[must_use]
    pub fn reliable() -> NetworkModel {
        NetworkModel {
            latency_ms: 10,
            jitter_ms: 10,
            loss: 0.0,
            partitions: Vec::new(),
        }
    }

    /// Whether `a` and `b` can talk at time `now`.
    #[must_use]
    pub fn connected(&self, now: u64, a: usize, b: usize) -> bool {
        self.partitions
            .iter()
            .filter(|p| p.from_ms <= now && now < p.to_ms)
            .all(|p| p.groups.iter().any(|g| g.contains(&a) && g.contains(&b)))
    }

    /// The delivery delay of one message sent now, or `None` if it is lost.
    pub fn delay(&self, rng: &mut ChaCha8Rng, now: u64, from: usize, to: usize) -> Option<u64> {
        let jitter = rng.gen_range(0..=self.jitter_ms);
        let lost = self.loss > 0.0 && rng.gen_bool(self.loss.min(1.0));
        if lost || !self.connected(now, from, to) {
            return None;
        }
        Some(self.latency_ms + jitter)
    }

    /// When the last partition heals (0 if there is none).
    #[must_use]
    pub fn healed_at(&self) -> u64 {
        self.partitions.iter().map(|p| p.to_ms).max().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn partition_blocks_only_across_groups_and_only_while_active() {
        let net = NetworkModel {
            partitions: vec![Partition {
                from_ms: 100,
                to_ms: 200,
                groups: vec![vec![0, 1], vec![2, 3]],
            }],
            ..NetworkModel::reliable()
        };
        assert!(net.connected(150, 0, 1));
        assert!(!net.connected(150, 1, 2));
        assert!(net.connected(99, 1, 2));
        assert!(net.connected(200, 1, 2));
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        assert_eq!(net.delay(&mut rng, 150, 0, 3), None);
        let d = net.delay(&mut rng, 150, 0, 1).expect("same side");
        assert!((10..=20).contains(&d));
        assert_eq!(net.healed_at(), 200);
    }
}
