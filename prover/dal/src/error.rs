//! The one error type of this crate and its retry predicate.

/// Why a [`crate::ProverDal`] operation failed.
///
/// [`DalError::is_retryable`] tells a dead or busy database (retry later: the pool
/// reconnects) from a bad argument, a missing job or a corrupt row (retrying cannot help).
#[derive(Debug, thiserror::Error)]
pub enum DalError {
    /// The database driver failed: connection refused or lost, pool timeout, SQL error, …
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The database could not be reached or opened by [`crate::ProverDal::connect`].
    #[error("cannot open the {dialect} prover database: {source}")]
    Connect {
        /// Which database.
        dialect: crate::Dialect,
        /// The driver's error.
        source: sqlx::Error,
    },
    /// Applying the schema migrations failed.
    #[error("prover database schema migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The URL's scheme is not `sqlite:`, `postgres:` or `postgresql:`. Only the scheme is
    /// kept, so that a password in the URL never reaches a log.
    #[error(
        "unsupported database URL scheme {scheme:?}: expected sqlite://, postgres:// or postgresql://"
    )]
    UnsupportedUrl {
        /// The text before the first `:`.
        scheme: String,
    },
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
            DalError::Database(e) | DalError::Connect { source: e, .. } => sqlx_retryable(e),
            DalError::Migrate(sqlx::migrate::MigrateError::Execute(e)) => sqlx_retryable(e),
            DalError::Migrate(_)
            | DalError::UnsupportedUrl { .. }
            | DalError::InvalidProtocolVersion(_)
            | DalError::VersionConflict { .. }
            | DalError::NotFound { .. }
            | DalError::WrongState { .. }
            | DalError::InvalidArgument(_)
            | DalError::OutOfRange { .. }
            | DalError::Corrupt { .. } => false,
        }
    }
}

/// Whether a driver error is transient (see [`DalError::is_retryable`]).
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
/// serialization failure, deadlock, too many connections, server shutting down/starting.
fn pg_code_retryable(code: &str) -> bool {
    code.starts_with("08")
        || matches!(
            code,
            "40001" | "40P01" | "53300" | "57P01" | "57P02" | "57P03"
        )
}

/// SQLite result codes whose primary code is `SQLITE_BUSY` (5) or `SQLITE_LOCKED` (6).
fn sqlite_code_retryable(code: &str) -> bool {
    code.parse::<i32>().is_ok_and(|c| matches!(c & 0xff, 5 | 6))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transient_codes_are_retryable_and_others_are_not() {
        assert!(pg_code_retryable("08006"));
        assert!(pg_code_retryable("40001"));
        assert!(!pg_code_retryable("23505"));
        assert!(sqlite_code_retryable("5"));
        assert!(sqlite_code_retryable("517"));
        assert!(!sqlite_code_retryable("2067"));
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert!(DalError::from(sqlx::Error::Io(refused)).is_retryable());
        assert!(!DalError::NotFound { stage: "x", id: 1 }.is_retryable());
    }
}
