//! The sequencer binary: runs the consensus state machine in an actor loop over the CDN (falling back to libp2p), with a mempool, durable safety state, decided-block storage, catch-up from peers, an HTTP API and metrics.
//!
//! The library half holds the pieces (so that tests can run whole nodes in one process); the
//! `sequencer` binary in `main.rs` wires them to the CDN and libp2p networks.
#![cfg_attr(not(test), forbid(unsafe_code))]

pub mod catchup;
pub mod consensus;
pub mod l1;
pub mod metrics;
pub mod rollup;
pub mod store;
pub mod writer;
