//! The stake table: the registered nodes, their BLS keys and their stake.
//!
//! Consensus and the L1 contract check quorum certificates against the same snapshot of this
//! table (the table at network start; epoch rotation is later work).

use crate::codec::{limits, put_len, Decode, DecodeError, Encode, Reader};
use crate::{BlsPublicKey, Commitment, NodeIndex};

/// One registered node.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct StakeEntry {
    /// The node's BLS public key (G1).
    pub key: BlsPublicKey,
    /// Its stake, in whole units of the staking token. Must be non-zero.
    pub stake: u64,
}

/// An ordered stake table. A node's [`NodeIndex`] is its position, and signer bitmaps index it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StakeTable {
    entries: Vec<StakeEntry>,
    total: u128,
}

/// Why a stake table is invalid.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum StakeTableError {
    /// No entries.
    #[error("the stake table is empty")]
    Empty,
    /// More than [`limits::MAX_NODES`] entries.
    #[error("the stake table has {0} entries, more than the limit of {max}", max = limits::MAX_NODES)]
    TooLarge(usize),
    /// An entry has zero stake.
    #[error("node {0} has zero stake")]
    ZeroStake(usize),
    /// The same key is registered twice.
    #[error("node {0} repeats the key of an earlier node")]
    DuplicateKey(usize),
}

impl StakeTable {
    /// A table giving each of `keys` a stake of 1, in the given order (the CDN's open
    /// membership, local clusters and tests).
    ///
    /// # Errors
    /// As [`StakeTable::new`]: no keys, too many, or a repeated key.
    pub fn equal_stake<'a>(
        keys: impl IntoIterator<Item = &'a BlsPublicKey>,
    ) -> Result<StakeTable, StakeTableError> {
        StakeTable::new(
            keys.into_iter()
                .map(|key| StakeEntry {
                    key: key.clone(),
                    stake: 1,
                })
                .collect(),
        )
    }

    /// Builds a table, checking that it is non-empty, within limits, with non-zero stakes and
    /// distinct keys.
    ///
    /// # Errors
    /// [`StakeTableError`].
    pub fn new(entries: Vec<StakeEntry>) -> Result<StakeTable, StakeTableError> {
        if entries.is_empty() {
            return Err(StakeTableError::Empty);
        }
        if entries.len() > limits::MAX_NODES {
            return Err(StakeTableError::TooLarge(entries.len()));
        }
        let mut seen = std::collections::HashSet::new();
        for (i, e) in entries.iter().enumerate() {
            if e.stake == 0 {
                return Err(StakeTableError::ZeroStake(i));
            }
            if !seen.insert(e.key.to_compressed()) {
                return Err(StakeTableError::DuplicateKey(i));
            }
        }
        let total = entries.iter().map(|e| u128::from(e.stake)).sum();
        Ok(StakeTable { entries, total })
    }

    /// The entries in index order.
    #[must_use]
    pub fn entries(&self) -> &[StakeEntry] {
        &self.entries
    }

    /// Number of nodes.
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Always false: a valid table has at least one entry.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Sum of all stakes.
    #[must_use]
    pub fn total_stake(&self) -> u128 {
        self.total
    }

    /// The entry at `index`, if any.
    #[must_use]
    pub fn get(&self, index: NodeIndex) -> Option<&StakeEntry> {
        self.entries.get(index.as_usize())
    }

    /// The index of `key`, if registered.
    #[must_use]
    pub fn index_of(&self, key: &BlsPublicKey) -> Option<NodeIndex> {
        self.entries
            .iter()
            .position(|e| &e.key == key)
            .and_then(|i| u32::try_from(i).ok())
            .map(NodeIndex)
    }

    /// True when `stake` is a quorum: at least ⌊2·total/3⌋+1, i.e. `3·stake > 2·total`.
    #[must_use]
    pub fn is_quorum(&self, stake: u128) -> bool {
        stake.saturating_mul(3) > self.total.saturating_mul(2)
    }

    /// True when `stake` exceeds a third of the total (at least one honest node among them when
    /// fewer than a third is Byzantine): `3·stake > total`.
    #[must_use]
    pub fn is_one_third(&self, stake: u128) -> bool {
        stake.saturating_mul(3) > self.total
    }

    /// The round-robin leader of `view`: index `view mod n` (HotShot paper §3).
    #[must_use]
    pub fn leader(&self, view: crate::View) -> NodeIndex {
        // len() <= MAX_NODES, so the remainder fits in u32.
        NodeIndex((view.0 % self.entries.len() as u64) as u32)
    }

    /// Commitment to the snapshot: `keccak256` over `n × (key_eip2537[128] || stake_u64_be)`.
    /// The L1 commitments contract records the same value for the snapshot it checks against.
    #[must_use]
    pub fn commit(&self) -> Commitment {
        let mut buf = Vec::with_capacity(self.entries.len() * 136);
        for e in &self.entries {
            buf.extend_from_slice(&e.key.to_eip2537());
            buf.extend_from_slice(&e.stake.to_be_bytes());
        }
        Commitment::keccak(&[&buf])
    }
}

impl Encode for StakeTable {
    /// Layout: `count: u32 BE`, then `count × (key: 48 bytes compressed, stake: u64 BE)`.
    fn encode_to(&self, out: &mut Vec<u8>) {
        put_len(out, self.entries.len());
        for e in &self.entries {
            e.key.encode_to(out);
            out.extend_from_slice(&e.stake.to_be_bytes());
        }
    }
}

impl Decode for StakeTable {
    fn decode_from(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let count = r.len_prefix("stake table", limits::MAX_NODES)?;
        let mut entries = Vec::with_capacity(count);
        for _ in 0..count {
            entries.push(StakeEntry {
                key: BlsPublicKey::decode_from(r)?,
                stake: r.u64()?,
            });
        }
        StakeTable::new(entries).map_err(|e| DecodeError::Invalid {
            what: "stake table",
            reason: e.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::BlsKeyPair;

    fn table(stakes: &[u64]) -> StakeTable {
        let entries = stakes
            .iter()
            .enumerate()
            .map(|(i, &stake)| StakeEntry {
                key: BlsKeyPair::from_ikm(&[i as u8 + 1; 32])
                    .expect("ikm")
                    .public,
                stake,
            })
            .collect();
        StakeTable::new(entries).expect("valid")
    }

    #[test]
    fn quorum_is_floor_two_thirds_plus_one() {
        // n = 4 equal stakes: ⌊8/3⌋+1 = 3.
        let t = table(&[1, 1, 1, 1]);
        assert!(!t.is_quorum(2));
        assert!(t.is_quorum(3));
        // n = 3: ⌊6/3⌋+1 = 3.
        let t = table(&[1, 1, 1]);
        assert!(!t.is_quorum(2));
        assert!(t.is_quorum(3));
        // n = 10: ⌊20/3⌋+1 = 7.
        let t = table(&[1; 10]);
        assert!(!t.is_quorum(6));
        assert!(t.is_quorum(7));
        assert!(!t.is_one_third(3));
        assert!(t.is_one_third(4));
    }

    #[test]
    fn invalid_tables_are_rejected() {
        assert_eq!(StakeTable::new(vec![]), Err(StakeTableError::Empty));
        let t = table(&[1, 2]);
        let mut dup = t.entries().to_vec();
        dup[1].key = dup[0].key.clone();
        assert_eq!(StakeTable::new(dup), Err(StakeTableError::DuplicateKey(1)));
        let mut zero = t.entries().to_vec();
        zero[0].stake = 0;
        assert_eq!(StakeTable::new(zero), Err(StakeTableError::ZeroStake(0)));
    }

    #[test]
    fn round_trip_and_leader_rotation() {
        let t = table(&[3, 4, 5]);
        assert_eq!(StakeTable::decode(&t.encode()), Ok(t.clone()));
        assert_eq!(t.leader(crate::View(7)), NodeIndex(1));
        assert_eq!(t.total_stake(), 12);
    }
}
