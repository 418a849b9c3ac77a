//! Byzantine behaviours as ordinary test doubles (STYLE.md §8): each wraps an honest state
//! machine and rewrites or adds to what it sends.

use crate::crypto::AnyCrypto;
use crate::scenario::Behavior;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use sq_consensus::{Consensus, Input, Message, Output, Proposal, RejectReason, Vote};
use sq_types::certificate::{proposal_digest, quorum_digest};
use sq_types::codec::Encode;
use sq_types::{Crypto, Leaf, NamespaceId, NodeIndex, NsTable, NsTableEntry};

/// What the host does with one item after the behaviour has had its say.
#[allow(clippy::large_enum_variant)] // moved once; boxing would only add an allocation
#[derive(Debug)]
pub enum Action {
    /// Handle an ordinary consensus output.
    Output(Output),
    /// Send these bytes to one node (`Some`) or every other node (`None`).
    Raw(Option<usize>, Vec<u8>),
}

/// Applies `behavior` to the outputs that `machine` produced for `input`.
pub fn transform(
    behavior: Behavior,
    machine: &Consensus<AnyCrypto>,
    crypto: &AnyCrypto,
    input: &Input,
    outputs: Vec<Output>,
    rng: &mut ChaCha8Rng,
) -> Vec<Action> {
    let me = machine.index().as_usize();
    let n = machine.table().len();
    let mut actions = Vec::with_capacity(outputs.len());
    let proposal_in = match input {
        Input::Message {
            message: Message::Proposal(p),
            ..
        } => Some(p),
        _ => None,
    };
    for out in outputs {
        match (behavior, out) {
            (Behavior::Silent, Output::Broadcast(_) | Output::Send { .. }) => {}
            (Behavior::Equivocator, Output::Broadcast(Message::Proposal(p))) => {
                let twin = conflicting_twin(crypto, n, &p);
                for to in (0..n).filter(|&i| i != me) {
                    let chosen = if to % 2 == 0 { &p } else { &twin };
                    actions.push(Action::Raw(
                        Some(to),
                        Message::Proposal(chosen.clone()).encode(),
                    ));
                }
            }
            (Behavior::ForkingLeader, Output::Broadcast(Message::Proposal(p)))
                if p.tc.is_some() =>
            {
                let fork = fork_below(machine, crypto, &p).unwrap_or(p);
                actions.push(Action::Raw(None, Message::Proposal(fork).encode()));
            }
            (Behavior::Malformed, out @ (Output::Broadcast(_) | Output::Send { .. })) => {
                if rng.gen_bool(0.3) {
                    actions.push(Action::Raw(
                        Some(rng.gen_range(0..n)),
                        garbage(machine, crypto, &out, rng),
                    ));
                }
                actions.push(Action::Output(out));
            }
            (
                Behavior::LockIgnoring,
                Output::ProposalRejected {
                    view,
                    reason: RejectReason::ViolatesLock { .. },
                },
            ) => {
                if let Some(p) = proposal_in.filter(|p| p.leaf.header.view == view) {
                    let to = machine.table().leader(view.next()).as_usize();
                    actions.push(Action::Raw(
                        Some(to),
                        vote_for(crypto, machine.index(), p).encode(),
                    ));
                }
            }
            (_, out) => actions.push(Action::Output(out)),
        }
    }
    if behavior == Behavior::DoubleVoter {
        if let Some(p) = proposal_in {
            let to = machine.table().leader(p.leaf.header.view.next()).as_usize();
            actions.push(Action::Raw(
                Some(to),
                vote_for(crypto, machine.index(), p).encode(),
            ));
        }
    }
    actions
}

fn vote_for(crypto: &AnyCrypto, me: NodeIndex, p: &Proposal) -> Message {
    let (view, height, leaf) = (p.leaf.header.view, p.leaf.header.height, p.leaf.commit());
    Message::Vote(Vote {
        view,
        height,
        leaf,
        signer: me,
        signature: crypto.sign(&quorum_digest(view, height, &leaf)),
    })
}

fn resign(crypto: &AnyCrypto, mut p: Proposal) -> Proposal {
    p.signature = crypto.sign(&proposal_digest(p.leaf.header.view, &p.leaf.commit()));
    p
}

/// The same proposal with a different payload: both are validly signed.
fn conflicting_twin(crypto: &AnyCrypto, n: usize, p: &Proposal) -> Proposal {
    let mut twin = p.clone();
    twin.payload.push(0xee);
    let end = u32::try_from(twin.payload.len()).unwrap_or(u32::MAX);
    twin.leaf.header.ns_table = NsTable(vec![NsTableEntry {
        namespace: NamespaceId(1),
        end,
    }]);
    if let Ok(d) = sq_consensus::da::disperse(n, &twin.payload, &twin.leaf.header.ns_table) {
        twin.leaf.header.payload_commitment = d.commitment;
    }
    resign(crypto, twin)
}

/// A proposal for the same view that extends the QC three levels below `p`'s justify QC
/// (the justify QC of the justified leaf's grandparent), forking out the blocks above it.
fn fork_below(
    machine: &Consensus<AnyCrypto>,
    crypto: &AnyCrypto,
    p: &Proposal,
) -> Option<Proposal> {
    let mut qc = p.leaf.justify_qc.clone();
    for _ in 0..3 {
        let leaf = machine.leaf(&qc.leaf)?;
        if leaf.header.height.0 == 0 {
            return None;
        }
        qc = leaf.justify_qc.clone();
    }
    let mut header = p.leaf.header.clone();
    header.height = qc.height.next();
    header.parent = qc.leaf;
    let fork = Proposal {
        leaf: Leaf {
            header,
            justify_qc: qc,
        },
        ..p.clone()
    };
    Some(resign(crypto, fork))
}

/// Bytes that must be rejected: random, truncated, bit-flipped, or a vote claiming another
/// signer.
fn garbage(
    machine: &Consensus<AnyCrypto>,
    crypto: &AnyCrypto,
    out: &Output,
    rng: &mut ChaCha8Rng,
) -> Vec<u8> {
    let message = match out {
        Output::Broadcast(m) | Output::Send { message: m, .. } => m,
        _ => return vec![0xff],
    };
    let mut bytes = message.encode();
    match rng.gen_range(0..4) {
        0 => (0..rng.gen_range(0..300)).map(|_| rng.gen()).collect(),
        1 => {
            bytes.truncate(rng.gen_range(0..bytes.len().max(1)));
            bytes
        }
        2 => {
            let i = rng.gen_range(0..bytes.len().max(1));
            if let Some(b) = bytes.get_mut(i) {
                *b ^= 1 << rng.gen_range(0..8);
            }
            bytes
        }
        _ => {
            let n = machine.table().len() as u32;
            let view = machine.view();
            let leaf = sq_types::Commitment::keccak(&[b"forged"]);
            let height = machine.safety().locked_qc.height.next();
            let signer = NodeIndex((machine.index().0 + 1) % n.max(1));
            Message::Vote(Vote {
                view,
                height,
                leaf,
                signer,
                signature: crypto.sign(&quorum_digest(view, height, &leaf)),
            })
            .encode()
        }
    }
}
