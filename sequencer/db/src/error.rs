//! [`DbError`] and the retryable classification of driver errors, shared by every crate on
//! this layer.

use sqlx::migrate::MigrateError;

use crate::Dialect;

/// Why opening a database failed ([`crate::connect`], [`crate::open_sqlite_file`]).
///
/// [`DbError::is_retryable`] tells a dead or busy database (retry later) from a bad URL or a
/// broken schema (retrying cannot help).
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The URL does not parse, or the database could not be reached or opened.
    #[error("cannot open the {dialect} {name}: {source}")]
    Connect {
        /// Which database.
        dialect: Dialect,
        /// What the caller calls it ([`crate::Options::name`]).
        name: &'static str,
        /// The driver's error.
        source: sqlx::Error,
    },
    /// Applying the schema migrations failed.
    #[error("{name} schema migration failed: {source}")]
    Migrate {
        /// What the caller calls the database ([`crate::Options::name`]).
        name: &'static str,
        /// The migrator's error.
        source: MigrateError,
    },
    /// The URL's scheme is not `sqlite:`, `postgres:` or `postgresql:`. Only the scheme is
    /// kept, so that a password in the URL never reaches a log.
    #[error(
        "unsupported database URL scheme {scheme:?}: expected sqlite://, postgres:// or postgresql://"
    )]
    UnsupportedUrl {
        /// The text before the first `:` (the whole URL if it has none).
        scheme: String,
    },
    /// A local file-system operation failed (creating the SQLite file's directory).
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
}

impl DbError {
    /// True when the same call may succeed later without any change by the caller: the
    /// database is unreachable or busy (see [`is_retryable`]), or a file-system operation
    /// failed. False for an unsupported URL, a URL that does not parse and a migration that
    /// the schema refuses.
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        match self {
            DbError::Connect { source, .. } => is_retryable(source),
            DbError::Migrate { source, .. } => migrate_error_is_retryable(source),
            DbError::Io(_) => true,
            DbError::UnsupportedUrl { .. } => false,
        }
    }
}

/// True when a driver error is transient, so the same call may succeed later without any
/// change by the caller: the database is unreachable, the connection dropped, the pool timed
/// out, the server is shutting down or overloaded, or a lock or serialization conflict
/// aborted the transaction (SQLite `BUSY`/`LOCKED`, PostgreSQL `40001`/`40P01`).
///
/// False for constraint violations, SQL errors, decoding errors, a closed pool and every
/// other error.
#[must_use]
pub fn is_retryable(e: &sqlx::Error) -> bool {
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

/// True when a migration failed on a transient driver error ([`MigrateError::Execute`] with a
/// retryable [`sqlx::Error`]); false for a schema the migrator refuses (a changed or missing
/// migration, a dirty database).
#[must_use]
pub fn migrate_error_is_retryable(e: &MigrateError) -> bool {
    match e {
        MigrateError::Execute(e) => is_retryable(e),
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
        assert!(pg_code_retryable("40P01"));
        assert!(!pg_code_retryable("23505")); // unique violation
        assert!(!pg_code_retryable("3D000")); // database does not exist
        assert!(sqlite_code_retryable("5"));
        assert!(sqlite_code_retryable("6"));
        assert!(sqlite_code_retryable("517")); // SQLITE_BUSY_SNAPSHOT
        assert!(!sqlite_code_retryable("2067")); // SQLITE_CONSTRAINT_UNIQUE
        assert!(!sqlite_code_retryable("x"));
    }

    #[test]
    fn driver_errors_are_classified() {
        let refused = || std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert!(is_retryable(&sqlx::Error::Io(refused())));
        assert!(is_retryable(&sqlx::Error::PoolTimedOut));
        assert!(!is_retryable(&sqlx::Error::RowNotFound));
        assert!(!is_retryable(&sqlx::Error::PoolClosed));
        assert!(migrate_error_is_retryable(&MigrateError::Execute(
            sqlx::Error::PoolTimedOut
        )));
        assert!(!migrate_error_is_retryable(&MigrateError::VersionMissing(
            2
        )));
        let connect = |source| DbError::Connect {
            dialect: Dialect::Postgres,
            name: "database",
            source,
        };
        assert!(connect(sqlx::Error::Io(refused())).is_retryable());
        assert!(!connect(sqlx::Error::Configuration("bad url".into())).is_retryable());
        assert!(DbError::Io(refused()).is_retryable());
        assert!(!DbError::UnsupportedUrl {
            scheme: "mysql".to_owned()
        }
        .is_retryable());
    }
}
