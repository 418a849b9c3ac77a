//! What the job queries spell differently on SQLite (connection setup, durability and write
//! transactions are sq-db's [`sq_db::sqlite`]).
//!
//! SQLite has one writer at a time: every write transaction starts with `BEGIN IMMEDIATE`
//! ([`begin_write`]), so it holds the write lock from its first statement and picks are
//! serialized (the `SKIP LOCKED` of PostgreSQL has nothing to skip). WAL mode with
//! `synchronous = FULL`, as in sq-storage; writers wait up to 10 s for the lock.

pub(crate) use sq_db::sqlite::begin_write;

/// Appended to a pick's inner `SELECT`: nothing (the write lock serializes picks).
pub(crate) const SKIP_LOCKED: &str = "";

/// Locks a batch's scheduler row before gating it: not needed under one writer.
pub(crate) const LOCK_SCHEDULER: Option<&str> = None;
