//! The demo: starts anvil, deploys the contracts, runs cdn-server, N sequencers with the rollup and the L1 commitment task, and the prover, drives real load and prints live status.
//!
//! The `demo` binary (`main.rs`) wires these together. Pure parts: [`observe`] (Prometheus
//! parsing, histogram quantiles), [`summary`] (status line and summary), [`accounts`] (keys,
//! genesis, signed transfers). I/O parts: [`stack`] (processes), [`l1`] (anvil and the
//! contracts), [`load`], [`status`], [`cast_check`].
#![forbid(unsafe_code)]

pub mod accounts;
pub mod args;
pub mod cast_check;
pub mod l1;
pub mod load;
pub mod observe;
pub mod stack;
pub mod status;
pub mod summary;
