//! The command line (clap derive), mirroring zkSync's `prover_cli`.

use std::path::PathBuf;
use std::time::Duration;

use clap::parser::ValueSource;
use clap::{ArgGroup, Args, Parser, Subcommand};

/// The environment variable holding the database URL.
pub const DB_URL_ENV: &str = "PLI__DB_URL";

/// Default `--max-attempts`, as zkSync's prover_cli.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 10;

/// `prover-cli`: maintenance of the prover database.
#[derive(Debug, Parser)]
#[command(
    name = "prover-cli",
    version,
    about = "Inspect and repair the prover pipeline's job tables"
)]
pub struct Cli {
    /// The prover database: `sqlite://PATH` or `postgres://USER[:PASSWORD]@HOST/DB`.
    #[arg(long, env = DB_URL_ENV, global = true)]
    pub db_url: Option<String>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Where the effective database URL came from (for `config`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DbUrlSource {
    /// `--db-url`.
    Flag,
    /// The [`DB_URL_ENV`] environment variable.
    Env,
    /// Not given.
    Unset,
}

impl DbUrlSource {
    /// The source of `db_url` in parsed `matches` (of the top-level command or a subcommand,
    /// since the flag is global).
    #[must_use]
    pub fn of(matches: &clap::ArgMatches) -> DbUrlSource {
        let mut m = matches;
        loop {
            match m.value_source("db_url") {
                Some(ValueSource::CommandLine) => return DbUrlSource::Flag,
                Some(ValueSource::EnvVariable) => return DbUrlSource::Env,
                _ => {}
            }
            match m.subcommand() {
                Some((_, sub)) => m = sub,
                None => return DbUrlSource::Unset,
            }
        }
    }
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Proof status of batches, or of the L1.
    #[command(subcommand)]
    Status(StatusCommand),
    /// Requeue the failed and stuck jobs of batches (attempts reset to 0).
    Requeue(RequeueArgs),
    /// Restart a batch from witness generation, or one prover job.
    Restart(RestartArgs),
    /// Delete a batch, or every batch, from the prover database.
    Delete(DeleteArgs),
    /// Proving statistics over a period.
    Stats(StatsArgs),
    /// Decode a saved batch witness, chunk witness or batch proof file.
    FileInfo(FileInfoArgs),
    /// Print the effective configuration (passwords masked).
    Config,
}

/// `status …`.
#[derive(Debug, Subcommand)]
pub enum StatusCommand {
    /// Per-stage status of one or more batches.
    Batch(StatusBatchArgs),
    /// Status of the proofs on L1 (no L1 verifier contract exists yet).
    L1,
}

/// `status batch`.
#[derive(Debug, Args)]
pub struct StatusBatchArgs {
    /// Batch number (repeat for several).
    #[arg(short = 'n', long = "number", required = true)]
    pub numbers: Vec<u64>,
    /// Show every job: attempts, errors, worker, times.
    #[arg(short, long)]
    pub verbose: bool,
    /// Attempts after which a failed job counts as stuck.
    #[arg(long, default_value_t = DEFAULT_MAX_ATTEMPTS)]
    pub max_attempts: u32,
}

/// `requeue`.
#[derive(Debug, Args)]
pub struct RequeueArgs {
    /// Batch number (repeat for several).
    #[arg(short = 'b', long = "batch", required = true)]
    pub batches: Vec<u64>,
    /// Jobs in progress with at least this many attempts count as stuck and are requeued.
    #[arg(long, default_value_t = DEFAULT_MAX_ATTEMPTS)]
    pub max_attempts: u32,
}

/// `restart`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("target").required(true).args(["batch", "prover_job"])))]
pub struct RestartArgs {
    /// Restart this batch from witness generation (deletes its later jobs).
    #[arg(short = 'b', long)]
    pub batch: Option<u64>,
    /// Restart this prover job (back to queued, attempts 0).
    #[arg(short = 'p', long)]
    pub prover_job: Option<i64>,
}

/// `delete`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("target").required(true).args(["batch", "all"])))]
pub struct DeleteArgs {
    /// Delete this batch.
    #[arg(short = 'b', long)]
    pub batch: Option<u64>,
    /// Delete every batch and job (protocol versions are kept).
    #[arg(short = 'a', long)]
    pub all: bool,
    /// Do not ask for confirmation.
    #[arg(short = 'y', long)]
    pub yes: bool,
}

/// `stats`.
#[derive(Debug, Args)]
pub struct StatsArgs {
    /// The period ending now: a number and a unit, `s`, `m`, `h`, `d` or `w` (`30m`, `1h`,
    /// `1d`).
    #[arg(long, default_value = "1d", value_parser = parse_period)]
    pub period: Duration,
}

/// `file-info`.
#[derive(Debug, Args)]
pub struct FileInfoArgs {
    /// The file to decode.
    #[arg(long)]
    pub file_path: PathBuf,
}

/// Parses a period such as `30m`, `1h`, `1d`.
///
/// # Errors
/// A message naming the accepted forms.
pub fn parse_period(s: &str) -> Result<Duration, String> {
    let bad = || {
        format!("invalid period {s:?}: expected a number and s, m, h, d or w (e.g. 30m, 1h, 1d)")
    };
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
    let (n, unit) = s.split_at(split);
    let n: u64 = n.parse().map_err(|_| bad())?;
    let secs = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 604_800,
        _ => return Err(bad()),
    };
    n.checked_mul(secs).map(Duration::from_secs).ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_parse() {
        assert_eq!(parse_period("30m"), Ok(Duration::from_secs(1800)));
        assert_eq!(parse_period("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_period("1d"), Ok(Duration::from_secs(86_400)));
        assert!(parse_period("h").is_err());
        assert!(parse_period("10").is_err());
        assert!(parse_period("5y").is_err());
    }

    #[test]
    fn the_command_line_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
