//! The one error type of this crate and its retry predicate.

use sq_db::DbError;
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
    /// Opening the database failed: unsupported URL scheme, unreachable database, failed
    /// migration or file-system error (see [`DbError`]).
    #[error(transparent)]
    Db(#[from] DbError),
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
            StorageError::Database(e) => sq_db::is_retryable(e),
            StorageError::Db(e) => e.is_retryable(),
            StorageError::Conflict { .. }
            | StorageError::InvalidBlock { .. }
            | StorageError::Corrupt { .. }
            | StorageError::OutOfRange { .. } => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retryability_is_the_db_layers_for_driver_errors_and_false_for_data_errors() {
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert!(StorageError::from(sqlx::Error::Io(refused)).is_retryable());
        assert!(StorageError::from(sqlx::Error::PoolTimedOut).is_retryable());
        assert!(!StorageError::from(sqlx::Error::RowNotFound).is_retryable());
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert!(StorageError::from(DbError::Io(refused)).is_retryable());
        assert!(!StorageError::Conflict { height: Height(3) }.is_retryable());
    }
}
