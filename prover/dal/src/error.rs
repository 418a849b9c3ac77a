//! The one error type of this crate and its retry predicate.

use sq_db::DbError;

/// Why a [`crate::ProverDal`] operation failed.
///
/// [`DalError::is_retryable`] tells a dead or busy database (retry later: the pool
/// reconnects) from a bad argument, a missing job or a corrupt row (retrying cannot help).
#[derive(Debug, thiserror::Error)]
pub enum DalError {
    /// The database driver failed: connection refused or lost, pool timeout, SQL error, …
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// Opening the database failed: unsupported URL scheme, unreachable database, failed
    /// migration (see [`DbError`]; its messages call this "the prover database").
    #[error(transparent)]
    Db(#[from] DbError),
    /// A protocol version string is not of the form `0.minor.patch`.
    #[error("invalid protocol version {0:?}: expected 0.MINOR.PATCH")]
    InvalidProtocolVersion(String),
    /// The protocol version is already stored with a different verification-key hash.
    #[error("protocol version {version} is stored with another vk hash ({stored_hex})")]
    VersionConflict {
        /// The version.
        version: String,
        /// The stored hash, hex without `0x`.
        stored_hex: String,
    },
    /// No job (or batch) with this key exists in the stage's table.
    #[error("no {stage} job {id}")]
    NotFound {
        /// The stage (`"batch"` for the `batches` table).
        stage: &'static str,
        /// The prover-job id, or the batch number for per-batch stages.
        id: i64,
    },
    /// The job or batch exists but is not in a state that allows the transition.
    #[error("{stage} job {id} is {status:?}, cannot {action}")]
    WrongState {
        /// The stage (`"batch"` for the `batches` table).
        stage: &'static str,
        /// The job id or batch number.
        id: i64,
        /// Its current status.
        status: String,
        /// What was attempted.
        action: &'static str,
    },
    /// An argument is out of what the schema accepts (e.g. a batch with zero chunks).
    #[error("invalid argument: {0}")]
    InvalidArgument(&'static str),
    /// An integer argument does not fit the database's signed 64-bit column.
    #[error("{what} {value} does not fit a signed 64-bit column")]
    OutOfRange {
        /// Which integer.
        what: &'static str,
        /// Its value.
        value: u64,
    },
    /// A stored value cannot be turned back into its type (modified outside this crate).
    #[error("corrupt {what} in the prover database: {detail}")]
    Corrupt {
        /// Which column.
        what: &'static str,
        /// What is wrong.
        detail: String,
    },
}

impl DalError {
    /// True when the same call may succeed later without any change by the caller: the
    /// database is unreachable, the connection dropped, the pool timed out, the server is
    /// shutting down or overloaded, or a lock or serialization conflict aborted the
    /// transaction (SQLite `BUSY`/`LOCKED`, PostgreSQL `40001`/`40P01`).
    ///
    /// False for missing jobs, wrong states, conflicts, corrupt rows, invalid input,
    /// constraint violations and SQL errors.
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        match self {
            DalError::Database(e) => sq_db::is_retryable(e),
            DalError::Db(e) => e.is_retryable(),
            DalError::InvalidProtocolVersion(_)
            | DalError::VersionConflict { .. }
            | DalError::NotFound { .. }
            | DalError::WrongState { .. }
            | DalError::InvalidArgument(_)
            | DalError::OutOfRange { .. }
            | DalError::Corrupt { .. } => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retryability_is_the_db_layers_for_driver_errors_and_false_for_bad_calls() {
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert!(DalError::from(sqlx::Error::Io(refused)).is_retryable());
        assert!(!DalError::from(sqlx::Error::RowNotFound).is_retryable());
        let unsupported = DbError::UnsupportedUrl {
            scheme: "mysql".to_owned(),
        };
        assert!(!DalError::from(unsupported).is_retryable());
        assert!(!DalError::NotFound { stage: "x", id: 1 }.is_retryable());
    }
}
