//! What the job queries spell differently on PostgreSQL (connection setup, durability and
//! write transactions are sq-db's [`sq_db::postgres`]).
//!
//! Picks are one `UPDATE … WHERE id = (SELECT … FOR UPDATE SKIP LOCKED) RETURNING …`, so
//! concurrent workers on different connections never wait for, nor receive, the same row.
//! Transactions run at `READ COMMITTED` ([`begin_write`]); row locks do the rest.

pub(crate) use sq_db::postgres::begin_write;

/// Appended to a pick's inner `SELECT`.
pub(crate) const SKIP_LOCKED: &str = " FOR UPDATE SKIP LOCKED";

/// Locks a batch's scheduler row before the gating count, so that two transactions saving
/// the last two chunk proofs at once cannot both miss each other's proof.
pub(crate) const LOCK_SCHEDULER: Option<&str> =
    Some("SELECT batch FROM scheduler_jobs WHERE batch = $1 FOR UPDATE");
