//! Durable storage of decided leaves, QCs, payloads, VID shares and transactions on sqlx: SQLite embedded by default, PostgreSQL by URL.
//!
//! [`Storage`] is the whole API: [`Storage::connect`] picks the dialect from the URL
//! (`sqlite://…` or `postgres://…`) and applies that dialect's migrations through sq-db
//! (`migrations/sqlite/`, `migrations/postgres/`: the same schema, spelled per dialect).
//! Writes of one decided block are one SQL transaction ([`Storage::insert_decided`]); reads
//! return `Ok(None)` for absent rows and [`StorageError::Corrupt`] for rows that do not decode.
//!
//! # Contracts
//!
//! - **Durability.** When a write returns `Ok`, it is on disk. SQLite runs in WAL mode with
//!   `synchronous = FULL` (the WAL is fsynced at every commit), so acknowledged writes survive
//!   `kill -9` and power loss; PostgreSQL gives the same with its default
//!   `synchronous_commit = on`.
//! - **Restart.** Reopening the same file or URL sees every acknowledged write. Re-deciding a
//!   stored height with the same leaf is a no-op, so a node may replay decides after a crash.
//! - **Failure.** Every error is a [`StorageError`]; [`StorageError::is_retryable`] tells a dead
//!   or busy database (retry later, the handle reconnects) from a conflict, a corrupt row or bad
//!   input (retrying cannot help). Nothing panics on bad data.
//! - **Pruning** happens only when [`Storage::prune`] is called. It removes payloads, VID shares
//!   and transactions of older blocks and keeps every leaf and QC, so the chain stays
//!   verifiable.
//!
//! # Schema (version 2)
//!
//! | table | columns (primary key first) | notes |
//! |-------|-----------------------------|-------|
//! | `leaves` | `height`, `view`, `leaf_hash` (unique), `leaf`, `qc` | `leaf`, `qc`: sq-types encodings; the QC certifies the leaf; never pruned |
//! | `payloads` | `height` → `leaves`, `payload` | opaque bytes; pruned |
//! | `vid_shares` | `height` → `leaves`, `common`, `share` | opaque bytes (DA encoding); pruned |
//! | `transactions` | `hash`, `height` → `leaves`, `idx`, `namespace`, `payload`; unique (`height`, `idx`) | `hash` = [`sq_types::Transaction::commit`]; first occurrence of a hash kept; pruned |
//! | `meta` | `key`, `value` | `pruned_through`: highest pruned height |
//!
//! Version 2 drops version 1's `safety` table, which nothing wrote: the consensus safety state
//! lives in fsynced files under the node's data directory (`sq-node::store`).
//!
//! The example rollup's tables are not here: sq-rollup owns them in its own database
//! (`sq_rollup::db`), so a sequencer database holds no `rollup_*` table.
//!
//! Column types per dialect:
//!
//! | meaning | SQLite | PostgreSQL |
//! |---------|--------|------------|
//! | heights, views, indices (`0..=i64::MAX`) | `INTEGER` (`leaves.height` is the rowid) | `BIGINT` |
//! | namespace id (`u64`, stored as the `i64` with the same bits) | `INTEGER` | `BIGINT` |
//! | hashes (32 bytes), encodings, opaque bytes | `BLOB` | `BYTEA` |
//! | `meta.key` | `TEXT` | `TEXT` |
//!
//! # Layout
//!
//! `store.rs` holds the API, written once over both pools with [`sq_db::on_pool!`], and the
//! migrations it hands to [`sq_db::connect`]; `sql.rs` the SQL text both dialects share;
//! `sqlite.rs` and `postgres.rs` the statements that differ (the batched transaction insert);
//! `rows.rs` the pure conversion between rows and types. Connecting, migrating, the SQLite
//! durability settings, write transactions and the retryable classification of driver errors
//! are sq-db's, shared with the prover DAL and the rollup.
#![cfg_attr(not(test), forbid(unsafe_code))]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::panic))]

mod block;
mod error;
mod postgres;
mod rows;
mod sql;
mod sqlite;
mod store;

pub use block::DecidedBlock;
pub use error::StorageError;
pub use sq_db::{DbError, Dialect};
pub use store::{Storage, SQLITE_FILE_NAME};
