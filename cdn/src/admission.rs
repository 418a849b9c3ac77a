//! Who may join: the pure admission state of the CDN server.
//!
//! Two membership modes:
//! * **open** (no L1): the first `n` distinct keys that complete the handshake with a valid proof
//!   of possession form the stake table, stake 1 each, ordered by compressed key bytes so that
//!   every node derives the same indices. A key that authenticated once stays a member even if
//!   it disconnects before the table is complete. Once `n` are in, other keys are refused
//!   ([`ErrorCode::UnknownKey`]);
//! * **fixed** (from L1): the table is given; keys outside it are always refused, and the
//!   configuration is released once `quorum` distinct members have authenticated.
//!
//! A key may hold at most one live connection ([`ErrorCode::DuplicateKey`]). The signature
//! checks are the free functions [`verify_hello`] and [`verify_auth`], so that the server can
//! run them without holding the lock on this state.

use sq_network::cdn::{auth_digest, ErrorCode};
use sq_types::{BlsPublicKey, BlsSignature, NodeIndex, ProofOfPossession, StakeTable};
use std::collections::{BTreeMap, HashMap};

/// The server's identifier of one TCP connection (never reused within a run).
pub type ConnId = u64;

/// Compressed key bytes: the map key, and the open-mode sort order.
type KeyBytes = [u8; 48];

/// Checks a `Hello`'s proof of possession.
///
/// # Errors
/// [`ErrorCode::BadProofOfPossession`].
pub fn verify_hello(key: &BlsPublicKey, pop: &ProofOfPossession) -> Result<(), ErrorCode> {
    if key.verify_pop(pop) {
        Ok(())
    } else {
        Err(ErrorCode::BadProofOfPossession)
    }
}

/// Checks an `Auth` signature over [`auth_digest`]`(nonce, key)`.
///
/// # Errors
/// [`ErrorCode::BadSignature`].
pub fn verify_auth(
    key: &BlsPublicKey,
    nonce: &[u8; 32],
    signature: &BlsSignature,
) -> Result<(), ErrorCode> {
    if key.verify(&auth_digest(nonce, key), signature) {
        Ok(())
    } else {
        Err(ErrorCode::BadSignature)
    }
}

/// How the stake table is decided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Membership {
    /// The first `nodes` keys to authenticate, stake 1 each.
    Open {
        /// Table size (at least 1).
        nodes: usize,
    },
    /// A given table (read from L1).
    Fixed {
        /// The table.
        table: StakeTable,
        /// Members that must authenticate before the configuration is released (1 ..= table
        /// size).
        quorum: usize,
    },
}

/// The outcome of a successful [`Admission::admit`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Admitted {
    /// Authenticated, but the table is not complete yet: wait for [`Admitted::Completed`] from a
    /// later admission.
    Waiting,
    /// The table was already complete; the connection joins at `index`.
    Joined {
        /// Its index.
        index: NodeIndex,
    },
    /// This admission completed the table: every live connection in `members` (this one
    /// included) gets the configuration now.
    Completed {
        /// The final table.
        table: StakeTable,
        /// Live connections and their indices.
        members: Vec<(ConnId, NodeIndex)>,
    },
}

/// The admission state. Pure: no I/O, no clock.
#[derive(Debug)]
pub struct Admission {
    membership: Membership,
    /// Keys that have authenticated at least once (open mode: the future table).
    joined: BTreeMap<KeyBytes, BlsPublicKey>,
    table: Option<StakeTable>,
    live: HashMap<KeyBytes, ConnId>,
}

impl Admission {
    /// Fresh state. Open mode with `nodes == 0` is treated as 1; fixed mode clamps `quorum` to
    /// `1 ..= table.len()`.
    #[must_use]
    pub fn new(membership: Membership) -> Admission {
        let membership = match membership {
            Membership::Open { nodes } => Membership::Open {
                nodes: nodes.max(1),
            },
            Membership::Fixed { table, quorum } => {
                let quorum = quorum.clamp(1, table.len().max(1));
                Membership::Fixed { table, quorum }
            }
        };
        Admission {
            membership,
            joined: BTreeMap::new(),
            table: None,
            live: HashMap::new(),
        }
    }

    /// The stake table, once complete.
    #[must_use]
    pub fn table(&self) -> Option<&StakeTable> {
        self.table.as_ref()
    }

    /// Keys that must authenticate before the configuration is released.
    #[must_use]
    pub fn expected(&self) -> usize {
        match &self.membership {
            Membership::Open { nodes } => *nodes,
            Membership::Fixed { quorum, .. } => *quorum,
        }
    }

    /// Keys that have authenticated so far (counting towards [`Admission::expected`]).
    #[must_use]
    pub fn joined(&self) -> usize {
        self.joined.len()
    }

    /// Authenticated live connections.
    #[must_use]
    pub fn live(&self) -> usize {
        self.live.len()
    }

    fn is_candidate(&self, key: &BlsPublicKey) -> bool {
        let bytes = key.to_compressed();
        match (&self.membership, &self.table) {
            (_, Some(table)) => table.index_of(key).is_some(),
            (Membership::Fixed { table, .. }, None) => table.index_of(key).is_some(),
            (Membership::Open { nodes }, None) => {
                self.joined.contains_key(&bytes) || self.joined.len() < *nodes
            }
        }
    }

    /// The cheap checks on a `Hello`, after [`verify_hello`]: is the key allowed at all, and is
    /// it free? [`Admission::admit`] repeats them, since the state may change in between.
    ///
    /// # Errors
    /// [`ErrorCode::UnknownKey`] or [`ErrorCode::DuplicateKey`].
    pub fn check(&self, key: &BlsPublicKey) -> Result<(), ErrorCode> {
        if !self.is_candidate(key) {
            return Err(ErrorCode::UnknownKey);
        }
        if self.live.contains_key(&key.to_compressed()) {
            return Err(ErrorCode::DuplicateKey);
        }
        Ok(())
    }

    /// Records that `conn` authenticated as `key` (after [`verify_auth`]).
    ///
    /// # Errors
    /// As [`Admission::check`].
    pub fn admit(&mut self, conn: ConnId, key: &BlsPublicKey) -> Result<Admitted, ErrorCode> {
        self.check(key)?;
        let bytes = key.to_compressed();
        self.live.insert(bytes, conn);
        if let Some(table) = &self.table {
            let index = table.index_of(key).ok_or(ErrorCode::UnknownKey)?;
            return Ok(Admitted::Joined { index });
        }
        self.joined.insert(bytes, key.clone());
        if self.joined.len() < self.expected() {
            return Ok(Admitted::Waiting);
        }
        let table = match &self.membership {
            Membership::Fixed { table, .. } => table.clone(),
            Membership::Open { .. } => {
                // Distinct (map keys), non-empty, stake 1 and at most `nodes` entries; `nodes`
                // above MAX_NODES is refused at start-up by the CLI.
                StakeTable::equal_stake(self.joined.values()).map_err(|_| ErrorCode::Full)?
            }
        };
        let members = self
            .live
            .iter()
            .filter_map(|(bytes, &conn)| {
                let key = self.joined.get(bytes)?;
                Some((conn, table.index_of(key)?))
            })
            .collect();
        self.table = Some(table.clone());
        Ok(Admitted::Completed { table, members })
    }

    /// Forgets `conn`'s live slot for `key` (a no-op if another connection holds it). A member
    /// stays a member.
    pub fn leave(&mut self, conn: ConnId, key: &BlsPublicKey) {
        let bytes = key.to_compressed();
        if self.live.get(&bytes) == Some(&conn) {
            self.live.remove(&bytes);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sq_types::BlsKeyPair;
    use sq_types::StakeEntry;

    fn key(seed: u8) -> BlsPublicKey {
        BlsKeyPair::from_ikm(&[seed; 32]).expect("ikm").public
    }

    struct Step {
        desc: &'static str,
        conn: ConnId,
        key: u8,
        expect: Result<&'static str, ErrorCode>,
    }

    fn outcome(a: &Admitted) -> &'static str {
        match a {
            Admitted::Waiting => "waiting",
            Admitted::Joined { .. } => "joined",
            Admitted::Completed { .. } => "completed",
        }
    }

    #[test]
    fn open_mode_table_forms_from_the_first_n_keys() {
        let mut a = Admission::new(Membership::Open { nodes: 3 });
        let steps = [
            Step {
                desc: "first key waits",
                conn: 1,
                key: 1,
                expect: Ok("waiting"),
            },
            Step {
                desc: "same key again is a duplicate",
                conn: 2,
                key: 1,
                expect: Err(ErrorCode::DuplicateKey),
            },
            Step {
                desc: "second key waits",
                conn: 3,
                key: 2,
                expect: Ok("waiting"),
            },
            Step {
                desc: "third key completes",
                conn: 4,
                key: 3,
                expect: Ok("completed"),
            },
            Step {
                desc: "a fourth key is unknown",
                conn: 5,
                key: 4,
                expect: Err(ErrorCode::UnknownKey),
            },
        ];
        for s in steps {
            let got = a.admit(s.conn, &key(s.key));
            assert_eq!(
                got.as_ref().map(outcome),
                s.expect.as_ref().copied(),
                "{}",
                s.desc
            );
        }
        let table = a.table().expect("complete").clone();
        let mut sorted: Vec<_> = (1..=3).map(|i| key(i).to_compressed()).collect();
        sorted.sort();
        let got: Vec<_> = table
            .entries()
            .iter()
            .map(|e| e.key.to_compressed())
            .collect();
        assert_eq!(got, sorted, "indices follow compressed key order");
        assert!(table.entries().iter().all(|e| e.stake == 1));

        // A member reconnects after leaving; a stale leave does not evict the new connection.
        a.leave(1, &key(1));
        assert_eq!(a.check(&key(1)), Ok(()));
        assert!(matches!(a.admit(6, &key(1)), Ok(Admitted::Joined { .. })));
        a.leave(1, &key(1));
        assert_eq!(a.check(&key(1)), Err(ErrorCode::DuplicateKey));
        assert_eq!(a.live(), 3);
    }

    #[test]
    fn completion_lists_every_live_member_and_departed_members_stay() {
        let mut a = Admission::new(Membership::Open { nodes: 3 });
        assert_eq!(a.admit(1, &key(1)), Ok(Admitted::Waiting));
        a.leave(1, &key(1));
        assert_eq!(a.admit(2, &key(2)), Ok(Admitted::Waiting));
        let Ok(Admitted::Completed { table, mut members }) = a.admit(3, &key(3)) else {
            panic!("expected completion");
        };
        assert_eq!(table.len(), 3, "the departed key 1 is still a member");
        members.sort();
        assert_eq!(
            members,
            vec![
                (2, table.index_of(&key(2)).expect("in")),
                (3, table.index_of(&key(3)).expect("in"))
            ]
        );
    }

    #[test]
    fn fixed_mode_refuses_outsiders_and_releases_at_quorum() {
        let table = StakeTable::new(
            (1..=4)
                .map(|i| StakeEntry {
                    key: key(i),
                    stake: 10,
                })
                .collect(),
        )
        .expect("valid");
        let mut a = Admission::new(Membership::Fixed {
            table: table.clone(),
            quorum: 2,
        });
        assert_eq!(a.check(&key(9)), Err(ErrorCode::UnknownKey));
        assert_eq!(a.admit(1, &key(3)), Ok(Admitted::Waiting));
        match a.admit(2, &key(1)) {
            Ok(Admitted::Completed { table: t, .. }) => assert_eq!(t, table, "L1 order kept"),
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(
            a.admit(3, &key(4)),
            Ok(Admitted::Joined {
                index: NodeIndex(3)
            })
        );
        assert_eq!(a.admit(4, &key(9)), Err(ErrorCode::UnknownKey));
    }

    #[test]
    fn signature_checks() {
        let k = BlsKeyPair::from_ikm(&[1; 32]).expect("ikm");
        let other = BlsKeyPair::from_ikm(&[2; 32]).expect("ikm");
        assert_eq!(verify_hello(&k.public, &k.proof_of_possession()), Ok(()));
        assert_eq!(
            verify_hello(&k.public, &other.proof_of_possession()),
            Err(ErrorCode::BadProofOfPossession)
        );
        let nonce = [5; 32];
        let good = k.sign(&auth_digest(&nonce, &k.public));
        assert_eq!(verify_auth(&k.public, &nonce, &good), Ok(()));
        assert_eq!(
            verify_auth(&k.public, &[6; 32], &good),
            Err(ErrorCode::BadSignature),
            "a signature for another nonce is a replay"
        );
        let forged = other.sign(&auth_digest(&nonce, &k.public));
        assert_eq!(
            verify_auth(&k.public, &nonce, &forged),
            Err(ErrorCode::BadSignature)
        );
    }
}
