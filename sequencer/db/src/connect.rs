//! [`connect`]: URL dispatch, connection options and migrations.

use std::path::Path;
use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::sqlite::SqliteConnectOptions;
use tracing::info;

use crate::{postgres, sqlite, DbError, Dialect, Pool};

/// The schema of one subsystem, once per dialect: the `sqlx::migrate!` output of its
/// `migrations/sqlite` and `migrations/postgres` folders (the same tables, spelled per
/// dialect). The owning crate builds them, since `sqlx::migrate!` reads the folders at
/// compile time relative to that crate:
///
/// ```ignore
/// static SQLITE: Migrator = sqlx::migrate!("./migrations/sqlite");
/// static POSTGRES: Migrator = sqlx::migrate!("./migrations/postgres");
/// const MIGRATIONS: Migrations = Migrations { sqlite: &SQLITE, postgres: &POSTGRES };
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Migrations {
    /// Applied to a SQLite database.
    pub sqlite: &'static Migrator,
    /// Applied to a PostgreSQL database.
    pub postgres: &'static Migrator,
}

/// How a subsystem's database is named in errors and sized. [`Options::new`] gives the
/// defaults; a crate overrides single fields with struct update syntax.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// What errors call the database: `"database"` gives "cannot open the SQLite database: …",
    /// `"prover database"` gives "cannot open the SQLite prover database: …".
    pub name: &'static str,
    /// How long a SQLite statement waits for another connection's lock before failing with
    /// `SQLITE_BUSY` (which [`crate::is_retryable`] reports as retryable). Default 5 s.
    pub sqlite_busy_timeout: Duration,
    /// Connections in a SQLite pool (WAL lets readers proceed beside the one writer); an
    /// in-memory database always gets exactly one, since each connection would see its own.
    /// Default 4.
    pub sqlite_max_connections: u32,
    /// Connections in a PostgreSQL pool. Default 8.
    pub postgres_max_connections: u32,
    /// How long a call waits for a pooled PostgreSQL connection (or a new one) before
    /// [`sqlx::Error::PoolTimedOut`]. Default 10 s.
    pub postgres_acquire_timeout: Duration,
}

impl Options {
    /// The defaults, naming the database `name` in errors.
    #[must_use]
    pub const fn new(name: &'static str) -> Options {
        Options {
            name,
            sqlite_busy_timeout: Duration::from_secs(5),
            sqlite_max_connections: 4,
            postgres_max_connections: 8,
            postgres_acquire_timeout: Duration::from_secs(10),
        }
    }
}

impl Dialect {
    /// The dialect a connection URL names by its scheme: `sqlite:` → [`Dialect::Sqlite`],
    /// `postgres:` or `postgresql:` → [`Dialect::Postgres`].
    ///
    /// # Errors
    /// [`DbError::UnsupportedUrl`] for any other scheme, keeping only the scheme (the text
    /// before the first `:`) so that a password in the URL never reaches a log.
    pub fn of_url(url: &str) -> Result<Dialect, DbError> {
        let scheme = url.split_once(':').map_or(url, |(scheme, _)| scheme);
        match scheme {
            "sqlite" => Ok(Dialect::Sqlite),
            "postgres" | "postgresql" => Ok(Dialect::Postgres),
            other => Err(DbError::UnsupportedUrl {
                scheme: other.to_owned(),
            }),
        }
    }
}

/// Opens the database at `url` and brings its schema up to date with `migrations`.
///
/// - `sqlite://PATH` / `sqlite:PATH` (`sqlite:///abs/path` for an absolute path,
///   `sqlite::memory:` for a private in-memory database): the file is created if missing and
///   opened in WAL mode with `synchronous = FULL` and foreign keys on (see [`crate::sqlite`]).
/// - `postgres://…` / `postgresql://…`: a libpq-style URL (no TLS). One direct connection is
///   tried first, so that a dead server is reported at once rather than after the pool has
///   retried for [`Options::postgres_acquire_timeout`].
///
/// # Errors
/// [`DbError::UnsupportedUrl`] for another scheme; [`DbError::Connect`] when the URL does not
/// parse or the database cannot be reached or opened (retryable for a dead server);
/// [`DbError::Migrate`] when the schema cannot be applied.
pub async fn connect(
    url: &str,
    migrations: &Migrations,
    options: &Options,
) -> Result<Pool, DbError> {
    let pool = match Dialect::of_url(url)? {
        Dialect::Sqlite => {
            let in_memory = url.contains(":memory:") || url.contains("mode=memory");
            let connect = sqlite::options_from_url(url, options)?;
            Pool::Sqlite(sqlite::open(connect, in_memory, options).await?)
        }
        Dialect::Postgres => Pool::Postgres(postgres::open(url, options).await?),
    };
    migrate(&pool, migrations, options).await?;
    info!(target: "db", dialect = %pool.dialect(), name = options.name, "database opened");
    Ok(pool)
}

/// Opens (creating it, and its parent directories, if missing) the SQLite database file at
/// `path` and brings its schema up to date, as [`connect`] does for a `sqlite://` URL.
///
/// # Errors
/// [`DbError::Io`] if the parent directory cannot be created; otherwise as [`connect`].
pub async fn open_sqlite_file(
    path: &Path,
    migrations: &Migrations,
    options: &Options,
) -> Result<Pool, DbError> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let connect = SqliteConnectOptions::new().filename(path);
    let pool = Pool::Sqlite(sqlite::open(connect, false, options).await?);
    migrate(&pool, migrations, options).await?;
    info!(target: "db", path = %path.display(), name = options.name, "database opened");
    Ok(pool)
}

/// Applies the pool's dialect's migrations (those already applied are skipped).
async fn migrate(pool: &Pool, migrations: &Migrations, options: &Options) -> Result<(), DbError> {
    let applied = match pool {
        Pool::Sqlite(pool) => migrations.sqlite.run(pool).await,
        Pool::Postgres(pool) => migrations.postgres.run(pool).await,
    };
    applied.map_err(|source| DbError::Migrate {
        name: options.name,
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scheme_picks_the_dialect() {
        for (url, dialect) in [
            ("sqlite://data/x.sqlite", Dialect::Sqlite),
            ("sqlite:x.sqlite", Dialect::Sqlite),
            ("sqlite::memory:", Dialect::Sqlite),
            ("postgres://u@h/db", Dialect::Postgres),
            (
                "postgresql://u:p@h:5432/db?sslmode=disable",
                Dialect::Postgres,
            ),
        ] {
            assert_eq!(Dialect::of_url(url).ok(), Some(dialect), "{url}");
        }
    }

    #[test]
    fn an_unknown_scheme_is_refused_without_echoing_the_url() {
        for (url, scheme) in [
            ("mysql://user:secret@host/db", "mysql"),
            ("secret-without-a-colon", "secret-without-a-colon"),
            ("", ""),
        ] {
            let err = Dialect::of_url(url).expect_err(url);
            assert!(
                matches!(&err, DbError::UnsupportedUrl { scheme: s } if s == scheme),
                "{err:?}"
            );
            assert!(!err.is_retryable());
            if url.contains(':') {
                assert!(!err.to_string().contains("secret"), "{err}");
            }
        }
    }

    #[test]
    fn names_and_dialects_appear_in_messages() {
        assert_eq!(Dialect::Sqlite.to_string(), "SQLite");
        assert_eq!(Dialect::Postgres.to_string(), "PostgreSQL");
        let err = DbError::Connect {
            dialect: Dialect::Postgres,
            name: Options::new("prover database").name,
            source: sqlx::Error::PoolTimedOut,
        };
        assert!(
            err.to_string()
                .starts_with("cannot open the PostgreSQL prover database:"),
            "{err}"
        );
    }
}
