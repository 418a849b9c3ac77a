//! The one error type of this crate and its retry predicate.

use sq_types::codec::DecodeError;
use sq_types::Height;

/// Why a storage operation failed.
///
/// Every variant says whether retrying can help through [`StorageError::is_retryable`]: a dead
/// or busy database can come back; a conflict, a corrupt row or a bad argument cannot.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The database driver failed: connection refused or lost, pool timeout, SQL error, …
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The database could not be reached or opened when connecting.
    #[error("cannot open the {dialect} database: {source}")]
    Connect {
        /// Which database.
        dialect: crate::Dialect,
        /// The driver's error.
        source: sqlx::Error,
    },
    /// Applying the schema migrations failed.
    #[error("schema migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A local file-system operation failed (creating the SQLite directory).
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
    /// The connection URL has a scheme other than `sqlite:`, `postgres:` or `postgresql:`.
    /// Only the scheme is kept, so that a password in the URL never reaches a log.
    #[error("unsupported database URL scheme {scheme:?}: expected sqlite://, postgres:// or postgresql://")]
    UnsupportedUrl {
        /// The scheme found (the text before the first `:`).
        scheme: String,
    },
    /// A different leaf is already stored at this height: the decided chain forked, or the
    /// caller mixed up two chains. Nothing was written.
    #[error("a different leaf is already stored at height {height}")]
    Conflict {
        /// The height both leaves claim.
        height: Height,
    },
    /// The block handed to [`crate::Storage::insert_decided`] is inconsistent with itself.
    /// Nothing was written.
    #[error("invalid decided block at height {height}: {reason}")]
    InvalidBlock {
        /// The leaf's height.
        height: Height,
        /// What is inconsistent.
        reason: &'static str,
    },
    /// A stored row could not be turned back into its type: the database was modified outside
    /// this crate, or the disk corrupted it.
    #[error("corrupt {what} at height {height}: {source}")]
    Corrupt {
        /// Which column or value (`"leaf"`, `"qc"`, `"transaction hash"`, …).
        what: &'static str,
        /// The row's height.
        height: u64,
        /// Why it does not decode.
        source: DecodeError,
    },
    /// A protocol integer does not fit the database's signed 64-bit column.
    #[error("{what} {value} does not fit a signed 64-bit column")]
    OutOfRange {
        /// Which integer (`"height"`, `"view"`).
        what: &'static str,
        /// Its value.
        value: u64,
    },
    /// A rollup table holds an integer outside its type's range (negative, or an index
    /// above `u32::MAX`): the database was modified outside this crate.
    #[error("corrupt {what} in the rollup tables")]
    CorruptRollup {
        /// Which column.
        what: &'static str,
    },
}

impl StorageError {
    /// True when the same call may succeed later without any change by the caller: the database
    /// is unreachable, the connection dropped, the pool timed out, the server is shutting down
    /// or overloaded, or a lock or serialization conflict aborted the transaction.
    ///
    /// False for conflicts, corrupt rows, invalid input, constraint violations and SQL errors.
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        match self {
            StorageError::Database(e) | StorageError::Connect { source: e, .. } => {
                sqlx_retryable(e)
            }
            StorageError::Migrate(sqlx::migrate::MigrateError::Execute(e)) => sqlx_retryable(e),
            StorageError::Io(_) => true,
            StorageError::Migrate(_)
            | StorageError::UnsupportedUrl { .. }
            | StorageError::Conflict { .. }
            | StorageError::InvalidBlock { .. }
            | StorageError::Corrupt { .. }
            | StorageError::OutOfRange { .. }
            | StorageError::CorruptRollup { .. } => false,
        }
    }
}

/// Whether a driver error is transient (see [`StorageError::is_retryable`]).
fn sqlx_retryable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => {
            if let Some(pg) = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
                pg_code_retryable(pg.code())
            } else if db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
                db.code().is_some_and(|c| sqlite_code_retryable(&c))
            } else {
                false
            }
        }
        _ => false,
    }
}

/// PostgreSQL SQLSTATEs that mean "try again": class 08 (connection exception),
/// serialization failure, deadlock, too many connections, and the server shutting down or
/// starting up (`57P01`–`57P03`).
fn pg_code_retryable(code: &str) -> bool {
    code.starts_with("08")
        || matches!(
            code,
            "40001" | "40P01" | "53300" | "57P01" | "57P02" | "57P03"
        )
}

/// SQLite result codes whose primary code (low byte) is `SQLITE_BUSY` (5) or `SQLITE_LOCKED`
/// (6): another connection holds the lock past the busy timeout.
fn sqlite_code_retryable(code: &str) -> bool {
    code.parse::<i32>().is_ok_and(|c| matches!(c & 0xff, 5 | 6))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transient_codes_are_retryable_and_others_are_not() {
        assert!(pg_code_retryable("08006"));
        assert!(pg_code_retryable("57P01"));
        assert!(pg_code_retryable("40001"));
        assert!(!pg_code_retryable("23505")); // unique violation
        assert!(!pg_code_retryable("3D000")); // database does not exist
        assert!(sqlite_code_retryable("5"));
        assert!(sqlite_code_retryable("517")); // SQLITE_BUSY_SNAPSHOT
        assert!(!sqlite_code_retryable("2067")); // SQLITE_CONSTRAINT_UNIQUE
        assert!(!sqlite_code_retryable("x"));
    }

    #[test]
    fn driver_errors_are_classified() {
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert!(StorageError::from(sqlx::Error::Io(refused)).is_retryable());
        assert!(StorageError::from(sqlx::Error::PoolTimedOut).is_retryable());
        assert!(!StorageError::from(sqlx::Error::RowNotFound).is_retryable());
        assert!(!StorageError::Conflict { height: Height(3) }.is_retryable());
    }
}
