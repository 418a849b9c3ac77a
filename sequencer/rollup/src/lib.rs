//! The example rollup: Ethereum-style value transfers in one namespace, a Poseidon2 state tree, batches with witness inputs, JSON-RPC and a proof-data-handler API.
//!
//! Data flow: [`service::Rollup::follow`] takes decided blocks from a [`follow::BlockSource`]
//! (inside a node: the node's storage, woken after each stored block; standalone: the node's
//! SSE leaf stream with a verified namespace proof per block, [`follow::LeafStream`]) →
//! [`chain::Chain::apply`] decodes ([`tx`]) and executes ([`execute`]) the namespace's
//! transactions on the [`state::State`] → [`store`] writes the block, receipts, accounts and
//! any sealed batch in one SQL transaction into the rollup's own database ([`db`], on sq-db:
//! SQLite or PostgreSQL, no sequencer tables) → [`rpc`] serves
//! wallets and [`pdh`] serves provers. Accepted transactions go to the [`sequencer`]: the
//! node's mempool in-process, or `POST /v0/submit`.
//!
//! Signatures are checked here, by the executor, before a transfer enters a batch; the
//! batch proofs do **not** cover them yet (see `sq-prover-circuits`).

pub mod args;
pub mod chain;
pub mod config;
pub mod db;
pub mod execute;
pub mod follow;
pub mod metrics;
pub mod pdh;
pub mod records;
pub mod rpc;
pub mod sequencer;
pub mod service;
pub mod state;
pub mod store;
pub mod tx;

pub use args::RollupArgs;
pub use config::{BatchLimits, Genesis, RollupConfig};
pub use db::RollupDb;
pub use service::Rollup;
