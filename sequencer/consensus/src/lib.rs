//! A pure HotStuff-2 (HotShot-style, 2-chain) consensus state machine: messages and timers in, messages, timers, writes and decided leaves out.
//!
//! [`Consensus::apply`] takes one [`Input`] (a message, a timer firing, a persistence
//! acknowledgement, a built block) and returns [`Output`]s (messages to send, timers to arm,
//! records to persist, blocks to build, decided leaves). It never blocks, spawns, reads a clock
//! or touches the network: everything that waits lives in the node.
//!
//! # Map to the papers
//!
//! References: the HotShot paper (Espresso Systems, "HotShot: BFT consensus in the Espresso
//! sequencer", §3 consensus, §4 Tiramisu DA) and HotStuff-2 (Malkhi & Nayak, 2023, §4).
//!
//! | rule | where |
//! |------|-------|
//! | round-robin leader per view (HotShot §3) | [`sq_types::StakeTable::leader`] |
//! | leader proposes a block extending the highest QC it knows | `leader.rs` `on_block_built` |
//! | replica votes to the next leader (HotShot §3, "vote") | `replica.rs` `on_proposal` |
//! | QC = aggregate BLS signature over ⌊2n/3⌋+1 stake | `leader.rs` `on_vote`, `certs.rs` |
//! | lock = highest QC seen; vote only if justify ≥ lock (HotStuff-2 §4) | `certs.rs` `observe_qc`, rule 8 in `replica.rs` |
//! | 2-chain commit: B decided when B and its child are certified in consecutive views | `decide.rs` |
//! | timeout votes, TC, view change with the TC as proof (HotStuff-2 §4 "view change") | `timeout.rs` |
//! | a vote waits for the proposal and VID share to be durable (HotShot §4) | `Output::Persist` + `Input::Persisted` |
//!
//! # Safety argument (why the lock is the only rule safety needs)
//!
//! Suppose B (view r) and its child C (view r+1) are certified. The ≥ 2f+1 voters for C saw
//! QC(B) in C's proposal, so from then on their lock is at least r. A later certified leaf D
//! (view > r+1) has ≥ 2f+1 voters; at least one honest voter of C is among them, voted for D after
//! C (votes are in increasing views), and so required D's justify QC to be at least r. By
//! induction every certified leaf from view r on extends B, so no conflicting leaf is decided.
//! The view-entry rule (justify from the previous view, or a TC for it) is for liveness and view
//! synchronisation only.
//!
//! # Deviations
//!
//! * **Lock rule.** HotShot locks on the parent of a 2-chain; this machine uses HotStuff-2's lock
//!   (the highest QC seen), which is simpler and gives the safety argument above.
//! * **Timeout certificates** carry the builder's highest QC unsigned (HotStuff-2 carries the
//!   high QCs of all signers). Replicas never trust it to be the maximum: their own lock decides.
//! * **Join at f+1 timeouts** (not in HotShot's paper; as in DiemBFT/Jolteon): a replica that
//!   sees more than a third of the stake time out in a view at or ahead of its own joins it.
//! * **Every node is on the DA committee.** The proposal carries the whole payload; the header
//!   commits to its AVID-M VID commitment (`sq-da`), each replica re-disperses to check it and
//!   persists its own VID share before voting, so a QC doubles as the DA certificate (no
//!   separate DA-vote round). See [`da`].
//! * **Leaf fetching** for decide gaps is in the protocol (`LeafRequest`/`LeafResponse`) within
//!   a window of recent leaves; older gaps are handed to the host as `CatchUpNeeded`.
//! * **No epochs.** The stake table is the snapshot at network start.
#![cfg_attr(not(test), forbid(unsafe_code))]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::panic))]

mod certs;
pub mod da;
mod decide;
pub mod io;
mod leader;
mod machine;
pub mod message;
mod replica;
mod timeout;

pub use io::{Config, Input, Output, PersistRecord, RejectReason, SafetyState};
pub use machine::{Consensus, Restored};
pub use message::{Message, Proposal, Timeout, Vote};
