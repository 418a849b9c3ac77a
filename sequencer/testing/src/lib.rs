//! Test support for whole-system tests and the demo: a local cluster of real processes, blocking access through our typed API clients, and deterministic rollup accounts.
//!
//! - [`cluster`]: child processes killed on drop, free ports, building the binaries, and a
//!   local network (`cdn-server` + N `sequencer`s) with its logs;
//! - [`http`]: [`http::block_on`] and the typed clients of a node's `/v0` API and a rollup's
//!   proof-data-handler, for synchronous callers; raw `/metrics` and JSON-RPC reads;
//! - [`accounts`]: test keys, a funded genesis, signed EIP-1559 transfers;
//! - [`chain`]: decided blocks with real payloads and dispersals, for a stored chain without
//!   consensus.
//!
//! Production crates take this crate as a dev-dependency only; the demo uses it at run time.

pub mod accounts;
pub mod chain;
pub mod cluster;
pub mod http;
