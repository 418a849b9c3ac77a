//! The one sqlx layer of the workspace: dialect dispatch, connect and migrate, retryable-error classification and write transactions on SQLite and PostgreSQL, and the PostgreSQL test-database harness.
//!
//! Each subsystem owns its schema (sq-storage the sequencer's tables, sq-prover-dal the job
//! tables, sq-rollup the rollup's): it keeps its migration folders, builds them into two
//! [`sqlx::migrate::Migrator`]s with `sqlx::migrate!` (a compile-time macro, so it must run in
//! the owning crate) and hands them to [`connect`] as [`Migrations`]. Everything about the two
//! dialects is written here once:
//!
//! - [`connect`] picks the dialect from the URL (`sqlite:…`, `postgres:…`, `postgresql:…`),
//!   opens a [`Pool`] and applies that dialect's migrations; [`open_sqlite_file`] does the same
//!   for a SQLite file named by path.
//! - [`on_pool!`] runs one body of SQL code against whichever pool a [`Pool`] holds; each arm
//!   type-checks it against its own driver.
//! - [`sqlite::begin_write`] and [`postgres::begin_write`] start write transactions.
//! - [`DbError`] and [`is_retryable`] tell a dead or busy database from a bad call.
//! - `testing` (cargo feature `testing`, dev-dependencies only) creates and drops throw-away
//!   PostgreSQL databases for tests.
//!
//! # Contracts
//!
//! - **Durability.** When a commit returns `Ok`, it is on disk. SQLite runs in WAL mode with
//!   `synchronous = FULL` (the WAL is fsynced at every commit), so acknowledged writes survive
//!   `kill -9` and power loss (given a disk that honours fsync); PostgreSQL gives the same with
//!   its default `synchronous_commit = on` and `fsync = on`.
//! - **Restart.** Reopening the same file or URL sees every acknowledged write; migrations
//!   already applied are skipped, so connecting is idempotent.
//! - **Failure.** A dead PostgreSQL server is reported by [`connect`] at once (one direct
//!   connection is tried before the pool is built) as a retryable [`DbError::Connect`]. A pool
//!   stays usable after any error: it replaces dropped connections. Nothing panics on bad data.
//! - **Concurrency.** SQLite has one writer at a time: a transaction that reads before it
//!   writes must start with [`sqlite::begin_write`] (`BEGIN IMMEDIATE`). PostgreSQL
//!   transactions run at `READ COMMITTED`; row locks are taken by the statements themselves.
//!
//! # Layout
//!
//! `pool.rs` holds [`Dialect`], [`Pool`] and [`on_pool!`]; `connect.rs` URL dispatch, options
//! and migrations; `sqlite.rs` and `postgres.rs` each dialect's connection setup and write
//! transactions; `error.rs` [`DbError`] and the retryable classification; `testing.rs` the
//! PostgreSQL test-database harness.
#![cfg_attr(not(test), forbid(unsafe_code))]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::panic))]

mod connect;
mod error;
mod pool;
pub mod postgres;
pub mod sqlite;
#[cfg(feature = "testing")]
pub mod testing;

pub use connect::{connect, open_sqlite_file, Migrations, Options};
pub use error::{is_retryable, migrate_error_is_retryable, DbError};
pub use pool::{Dialect, Pool};
