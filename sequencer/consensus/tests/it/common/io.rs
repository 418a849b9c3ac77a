//! Short constructors for the inputs fed to the machine and the outputs expected from it.

use super::fixtures::N;
use sq_consensus::{
    Input, Message, Output, PersistRecord, Proposal, RejectReason, SafetyState, Timeout, Vote,
};
use sq_types::{Leaf, NodeIndex, QuorumCertificate, View};

pub fn proposal_in(p: &Proposal) -> Input {
    let from = NodeIndex((p.leaf.header.view.0 % u64::from(N)) as u32);
    Input::Message {
        from,
        message: Message::Proposal(p.clone()),
    }
}

pub fn vote_in(v: &Vote) -> Input {
    Input::Message {
        from: v.signer,
        message: Message::Vote(v.clone()),
    }
}

pub fn timeout_in(t: &Timeout) -> Input {
    Input::Message {
        from: t.signer,
        message: Message::Timeout(t.clone()),
    }
}

pub fn timer(view: u64) -> Input {
    Input::TimerFired { view: View(view) }
}

pub fn persisted(seq: u64) -> Input {
    Input::Persisted { seq }
}

// ---- outputs ------------------------------------------------------------------------------

pub fn view_changed(view: u64) -> Output {
    Output::ViewChanged(View(view))
}

pub fn set_timer(view: u64, after_ms: u64) -> Output {
    Output::SetTimer {
        view: View(view),
        after_ms,
    }
}

/// The record node `me` persists for `p`: the leaf, the payload and its own VID share.
pub fn persist_proposal(seq: u64, me: u32, p: &Proposal) -> Output {
    let d = sq_consensus::da::disperse(
        super::fixtures::N as usize,
        &p.payload,
        &p.leaf.header.ns_table,
    )
    .expect("fixture payloads disperse");
    Output::Persist {
        seq,
        record: PersistRecord::Proposal {
            leaf: p.leaf.clone(),
            payload: p.payload.clone(),
            common: d.common,
            share: d.shares[me as usize].clone(),
        },
    }
}

pub fn persist_safety(
    seq: u64,
    last_voted: u64,
    locked: &QuorumCertificate,
    decided: &Leaf,
) -> Output {
    Output::Persist {
        seq,
        record: PersistRecord::Safety(SafetyState {
            last_voted_view: View(last_voted),
            locked_qc: locked.clone(),
            decided: decided.clone(),
        }),
    }
}

pub fn send_vote(to: u32, v: Vote) -> Output {
    Output::Send {
        to: NodeIndex(to),
        message: Message::Vote(v),
    }
}

pub fn rejected(view: u64, reason: RejectReason) -> Output {
    Output::ProposalRejected {
        view: View(view),
        reason,
    }
}

/// True for outputs that would cast a vote or persist towards one.
pub fn is_vote_or_persist(o: &Output) -> bool {
    matches!(
        o,
        Output::Persist { .. }
            | Output::Send {
                message: Message::Vote(_),
                ..
            }
    )
}
