//! Deterministic, seeded simulation of N consensus nodes over a lossy, partitionable network, with crashes and Byzantine nodes.
//!
//! A [`Scenario`] fixes everything: nodes, behaviours ([`Behavior`]), crashes, the network model
//! and the seed. [`Sim::run`] plays it on simulated time (no wall clock anywhere) and returns a
//! [`Report`]: safety violations, views needed to recover after healing, and a hash of the
//! decided log. The same scenario always produces the same report (STYLE.md §7).
//!
//! Messages travel as encoded bytes and are decoded on arrival, so malformed input exercises the
//! real decoders. Persisted records become durable after a simulated fsync delay; a crash loses
//! everything not yet durable, and a restart resumes from what was.
#![cfg_attr(not(test), forbid(unsafe_code))]

pub mod byzantine;
mod check;
pub mod crypto;
pub mod net;
mod runner;
pub mod scenario;

pub use check::{Report, Stats};
pub use crypto::CryptoMode;
pub use net::{NetworkModel, Partition};
pub use runner::Sim;
pub use scenario::{Behavior, Crash, Scenario};

/// Runs one scenario.
///
/// # Errors
/// Setup failures only (key derivation, stake table).
pub fn run(scenario: Scenario) -> anyhow::Result<Report> {
    Ok(Sim::new(scenario)?.run())
}
