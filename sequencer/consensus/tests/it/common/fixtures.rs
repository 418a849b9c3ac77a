//! The network, its keys, and honest message builders: proposals, votes, timeouts and the
//! certificates aggregated from them, all signed with the nodes' real BLS keys.

use sq_consensus::{Config, Consensus, Input, Proposal, Restored, Timeout, Vote};
use sq_types::certificate::{proposal_digest, quorum_digest, timeout_digest, SignatureBytes};
use sq_types::{
    BlsCrypto, BlsKeyPair, Crypto, Header, Leaf, NamespaceId, NodeIndex, NsTable, NsTableEntry,
    QuorumCertificate, SignerBitmap, StakeEntry, StakeTable, TimeoutCertificate, View,
};

/// The machine under test.
pub type Node = Consensus<BlsCrypto>;

/// Number of nodes; stake 1 each, so a quorum is 3 and "more than a third" is 2.
pub const N: u32 = 4;

/// The first timer of a view with the default config and no back-off.
pub const TIMER_MS: u64 = 1_000;

/// Four nodes with keys `from_ikm(&[i + 1; 32])`, each with stake 1.
pub struct Net {
    pub table: StakeTable,
    pub keys: Vec<BlsCrypto>,
}

impl Net {
    pub fn new() -> Net {
        let pairs: Vec<BlsKeyPair> = (1..=N as u8)
            .map(|i| BlsKeyPair::from_ikm(&[i; 32]).expect("ikm"))
            .collect();
        let table = StakeTable::new(
            pairs
                .iter()
                .map(|k| StakeEntry {
                    key: k.public.clone(),
                    stake: 1,
                })
                .collect(),
        )
        .expect("valid table");
        let keys = pairs
            .into_iter()
            .map(|k| BlsCrypto::new(k, &table))
            .collect();
        Net { table, keys }
    }

    /// A fresh node `me` that has never run.
    pub fn node(&self, me: u32) -> Node {
        self.restored(me, Restored::genesis())
    }

    /// A fresh node `me` with `cfg`, after [`Input::Start`].
    pub fn started_with(&self, me: u32, cfg: Config) -> Node {
        let mut node = Consensus::new(
            cfg,
            self.keys[me as usize].clone(),
            self.table.clone(),
            NodeIndex(me),
            Restored::genesis(),
        );
        let _ = node.apply(Input::Start);
        node
    }

    /// Node `me` resuming from `restored`.
    pub fn restored(&self, me: u32, restored: Restored) -> Node {
        Consensus::new(
            Config::default(),
            self.keys[me as usize].clone(),
            self.table.clone(),
            NodeIndex(me),
            restored,
        )
    }

    /// Node `me` after [`Input::Start`] (its start outputs are checked by `transitions.rs`).
    pub fn started(&self, me: u32) -> Node {
        let mut node = self.node(me);
        let _ = node.apply(Input::Start);
        node
    }

    pub fn leader(&self, view: u64) -> u32 {
        self.table.leader(View(view)).0
    }

    /// Signs a proposal for `leaf` as node `signer`.
    pub fn sign_proposal(
        &self,
        signer: u32,
        leaf: Leaf,
        tc: Option<TimeoutCertificate>,
        payload: Vec<u8>,
    ) -> Proposal {
        let signature =
            self.keys[signer as usize].sign(&proposal_digest(leaf.header.view, &leaf.commit()));
        Proposal {
            leaf,
            tc,
            payload,
            signature,
        }
    }

    /// The honest proposal for `view` extending `justify` (with `tc` as view-entry proof when
    /// `justify` is not from the previous view), signed by the view's leader.
    pub fn proposal(
        &self,
        view: u64,
        justify: &QuorumCertificate,
        tc: Option<TimeoutCertificate>,
    ) -> Proposal {
        let (payload, ns_table) = block(view, 0);
        let leaf = leaf(view, justify, &payload, ns_table);
        self.sign_proposal(self.leader(view), leaf, tc, payload)
    }

    /// A second, different honest-looking proposal for `view` (same parent, other payload).
    pub fn other_proposal(
        &self,
        view: u64,
        justify: &QuorumCertificate,
        tc: Option<TimeoutCertificate>,
    ) -> Proposal {
        let (payload, ns_table) = block(view, 1);
        let leaf = leaf(view, justify, &payload, ns_table);
        self.sign_proposal(self.leader(view), leaf, tc, payload)
    }

    /// Node `signer`'s vote for `leaf`.
    pub fn vote(&self, signer: u32, leaf: &Leaf) -> Vote {
        let (view, height, commit) = (leaf.header.view, leaf.header.height, leaf.commit());
        let signature = self.keys[signer as usize].sign(&quorum_digest(view, height, &commit));
        Vote {
            view,
            height,
            leaf: commit,
            signer: NodeIndex(signer),
            signature,
        }
    }

    /// The QC for `leaf` aggregated from the votes of `signers`.
    pub fn qc(&self, leaf: &Leaf, signers: &[u32]) -> QuorumCertificate {
        let sigs: Vec<SignatureBytes> = signers
            .iter()
            .map(|&s| self.vote(s, leaf).signature)
            .collect();
        QuorumCertificate {
            view: leaf.header.view,
            height: leaf.header.height,
            leaf: leaf.commit(),
            signers: bitmap(signers),
            signature: self.keys[0].aggregate(&sigs).expect("valid signatures"),
        }
    }

    /// Node `signer`'s timeout vote for `view`.
    pub fn timeout(
        &self,
        signer: u32,
        view: u64,
        high_qc: &QuorumCertificate,
        high_tc: Option<TimeoutCertificate>,
    ) -> Timeout {
        let signature = self.keys[signer as usize].sign(&timeout_digest(View(view)));
        Timeout {
            view: View(view),
            high_qc: high_qc.clone(),
            high_tc,
            signer: NodeIndex(signer),
            signature,
        }
    }

    /// The TC for `view` aggregated from the timeout votes of `signers`.
    pub fn tc(
        &self,
        view: u64,
        high_qc: &QuorumCertificate,
        signers: &[u32],
    ) -> TimeoutCertificate {
        let sigs: Vec<SignatureBytes> = signers
            .iter()
            .map(|&s| self.keys[s as usize].sign(&timeout_digest(View(view))))
            .collect();
        TimeoutCertificate {
            view: View(view),
            high_qc: high_qc.clone(),
            signers: bitmap(signers),
            signature: self.keys[0].aggregate(&sigs).expect("valid signatures"),
        }
    }

    /// The honest chain of proposals for views 1..=len, each justified by a QC of nodes {0,1,2}
    /// for the previous one. `qcs[i]` certifies `props[i]`.
    pub fn chain(&self, len: u64) -> Chain {
        let mut props = Vec::new();
        let mut qcs = Vec::new();
        let mut justify = genesis_qc();
        for view in 1..=len {
            let p = self.proposal(view, &justify, None);
            justify = self.qc(&p.leaf, &QUORUM);
            props.push(p);
            qcs.push(justify.clone());
        }
        Chain { props, qcs }
    }
}

/// The signers of the QCs in [`Net::chain`].
pub const QUORUM: [u32; 3] = [0, 1, 2];

/// Honest proposals for consecutive views and their QCs (index 0 is view 1).
pub struct Chain {
    pub props: Vec<Proposal>,
    pub qcs: Vec<QuorumCertificate>,
}

impl Chain {
    /// The proposal of `view`.
    pub fn p(&self, view: u64) -> &Proposal {
        &self.props[view as usize - 1]
    }
    /// The leaf of `view`.
    pub fn leaf(&self, view: u64) -> &Leaf {
        &self.p(view).leaf
    }
    /// The QC certifying the leaf of `view`.
    pub fn qc(&self, view: u64) -> &QuorumCertificate {
        &self.qcs[view as usize - 1]
    }
}

pub fn genesis_qc() -> QuorumCertificate {
    Leaf::genesis().justify_qc
}

pub fn bitmap(signers: &[u32]) -> SignerBitmap {
    let mut b = SignerBitmap::new(N as usize);
    for &s in signers {
        b.set(NodeIndex(s));
    }
    b
}

/// A block for `view` (variant `salt`): payload bytes and a one-namespace table covering them.
pub fn block(view: u64, salt: u8) -> (Vec<u8>, NsTable) {
    let payload = format!("block of view {view} #{salt}").into_bytes();
    let ns = NsTable(vec![NsTableEntry {
        namespace: NamespaceId(7),
        end: payload.len() as u32,
    }]);
    (payload, ns)
}

/// The timestamp and L1 head used for the block of `view`.
pub fn block_meta(view: u64) -> (u64, u64) {
    (1_700_000_000_000 + view * 1_000, 100 + view)
}

/// The leaf for `view` extending `justify` with `payload`.
pub fn leaf(view: u64, justify: &QuorumCertificate, payload: &[u8], ns_table: NsTable) -> Leaf {
    let (timestamp_ms, l1_head) = block_meta(view);
    let header = Header {
        height: justify.height.next(),
        view: View(view),
        parent: justify.leaf,
        // A table that does not fit the payload (rejection tests) cannot be dispersed: such a
        // leaf gets a zero commitment and is rejected for its table first.
        payload_commitment: sq_consensus::da::disperse(N as usize, payload, &ns_table)
            .map_or(sq_types::Commitment::ZERO, |d| d.commitment),
        timestamp_ms,
        l1_head,
        ns_table,
    };
    Leaf {
        header,
        justify_qc: justify.clone(),
    }
}

/// The host feeding `BlockBuilt` with [`block`]`(view, 0)` and [`block_meta`]`(view)`.
pub fn built(view: u64) -> Input {
    let (payload, ns_table) = block(view, 0);
    let (timestamp_ms, l1_head) = block_meta(view);
    Input::BlockBuilt {
        view: View(view),
        payload,
        ns_table,
        timestamp_ms,
        l1_head,
    }
}
