//! The example rollup: Ethereum-style value transfers in one namespace, a Poseidon2 state tree, batches with witness inputs, JSON-RPC and a proof-data-handler API.
//!
//! Data flow: [`service::Rollup::follow`] reads a sequencer node's `/v0` API with the typed
//! `sq_api::client::Client` →
//! [`chain::Chain::apply`] decodes ([`tx`]) and executes ([`execute`]) the namespace's
//! transactions on the [`state::State`] → [`store`] writes the block, receipts, accounts and
//! any sealed batch in one SQL transaction into the rollup's own database ([`db`], on sq-db:
//! SQLite or PostgreSQL, no sequencer tables) → [`rpc`] serves
//! wallets and [`pdh`] serves provers.
//!
//! Signatures are checked here, by the executor, before a transfer enters a batch; the
//! batch proofs do **not** cover them yet (see `sq-prover-circuits`).

pub mod chain;
pub mod config;
pub mod db;
pub mod execute;
pub mod metrics;
pub mod pdh;
pub mod records;
pub mod rpc;
pub mod service;
pub mod state;
pub mod store;
pub mod tx;

pub use config::{BatchLimits, Genesis, RollupConfig};
pub use db::RollupDb;
pub use service::Rollup;
