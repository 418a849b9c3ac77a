//! Running a parsed command against the database.

use std::io::{BufRead as _, Write as _};
use std::time::{Duration, SystemTime};

use anyhow::{bail, Context as _};
use indicatif::{ProgressBar, ProgressStyle};
use sq_prover_dal::ProverDal;

use crate::cli::{
    Cli, Command, DbUrlSource, DeleteArgs, RequeueArgs, RestartArgs, StatusCommand, DB_URL_ENV,
};
use crate::file_info::render_file_info;
use crate::render::{mask_db_url, render_batch_status, render_stats};

/// The plain statement `status l1` prints.
pub const NO_L1: &str = "No L1 rollup verifier contract exists yet: proofs are delivered to \
     the rollup node and verified there, so there is no L1 state to compare with the prover \
     database.";

/// Runs `cli`; `source` says where its database URL came from.
///
/// # Errors
/// Any failure, with context; the binary prints it and exits 1.
pub async fn run(cli: Cli, source: DbUrlSource) -> anyhow::Result<()> {
    match &cli.command {
        Command::Status(StatusCommand::L1) => {
            println!("{NO_L1}");
            Ok(())
        }
        Command::FileInfo(args) => {
            let bytes = std::fs::read(&args.file_path)
                .with_context(|| format!("cannot read {}", args.file_path.display()))?;
            print!("{}", render_file_info(&bytes)?);
            Ok(())
        }
        Command::Config => {
            println!("== prover-cli configuration ==");
            match (&cli.db_url, source) {
                (Some(url), DbUrlSource::Env) => {
                    println!("Database URL: {} (from {DB_URL_ENV})", mask_db_url(url));
                }
                (Some(url), _) => println!("Database URL: {} (from --db-url)", mask_db_url(url)),
                (None, _) => println!("Database URL: (unset: pass --db-url or set {DB_URL_ENV})"),
            }
            Ok(())
        }
        _ => {
            let dal = connect(cli.db_url.as_deref()).await?;
            run_on_db(&dal, &cli.command, cli.db_url.as_deref().unwrap_or("")).await
        }
    }
}

async fn connect(url: Option<&str>) -> anyhow::Result<ProverDal> {
    let Some(url) = url else {
        bail!("no database URL: pass --db-url or set {DB_URL_ENV}");
    };
    ProverDal::connect(url)
        .await
        .with_context(|| format!("cannot connect to {}", mask_db_url(url)))
}

/// A progress bar of `len` steps on stderr (hidden when stderr is not a terminal).
fn bar(len: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    if let Ok(style) = ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({eta})") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(what.to_owned());
    bar
}

/// Asks on stderr and reads one line of stdin; only `y` or `yes` confirm.
fn confirm(question: &str) -> bool {
    eprint!("{question} [y/N] ");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    match std::io::stdin().lock().read_line(&mut line) {
        Ok(_) => matches!(line.trim().to_ascii_lowercase().as_str(), "y" | "yes"),
        Err(_) => false,
    }
}

async fn run_on_db(dal: &ProverDal, command: &Command, url: &str) -> anyhow::Result<()> {
    match command {
        Command::Status(StatusCommand::Batch(args)) => {
            let mut first = true;
            for &n in &args.numbers {
                if !first {
                    println!();
                }
                first = false;
                match dal.batch_status(n).await? {
                    Some(report) => {
                        print!(
                            "{}",
                            render_batch_status(&report, args.verbose, args.max_attempts)
                        );
                    }
                    None => println!("== Batch {n} Status ==\n> No batch found 🚫"),
                }
            }
        }
        Command::Status(StatusCommand::L1) | Command::FileInfo(_) | Command::Config => {}
        Command::Requeue(RequeueArgs {
            batches,
            max_attempts,
        }) => {
            let bar = bar(batches.len() as u64, "requeueing");
            let mut lines = Vec::new();
            for &b in batches {
                let n = dal.requeue_batch(b, *max_attempts).await?;
                lines.push(format!("Requeued {n} job(s) of batch {b}."));
                bar.inc(1);
            }
            bar.finish_and_clear();
            for l in lines {
                println!("{l}");
            }
        }
        Command::Restart(RestartArgs { batch, prover_job }) => {
            if let Some(b) = batch {
                dal.restart_batch(*b).await?;
                println!("Batch {b} restarted from witness generation.");
            }
            if let Some(id) = prover_job {
                if !dal.restart_job(*id).await? {
                    bail!("no prover job {id} (unknown or archived)");
                }
                println!("Prover job {id} requeued with attempts reset.");
            }
        }
        Command::Delete(DeleteArgs { batch, all, yes }) => {
            let target = match batch {
                Some(b) if !*all => format!("batch {b}"),
                _ => "ALL batches and jobs".to_owned(),
            };
            if !*yes && !confirm(&format!("Delete {target} from {}?", mask_db_url(url))) {
                bail!("aborted: nothing deleted (pass --yes to skip the confirmation)");
            }
            if *all {
                let batches = dal.batch_numbers().await?;
                let bar = bar(batches.len() as u64, "deleting");
                for b in &batches {
                    dal.delete_batch(*b).await?;
                    bar.inc(1);
                }
                let rest = dal.delete_all().await?;
                bar.finish_and_clear();
                println!("Deleted {} batch(es).", batches.len() as u64 + rest);
            } else if let Some(b) = batch {
                if dal.delete_batch(*b).await? {
                    println!("Deleted batch {b}.");
                } else {
                    println!("Batch {b} not found: nothing deleted.");
                }
            }
        }
        Command::Stats(args) => {
            let since = SystemTime::now()
                .checked_sub(args.period)
                .unwrap_or(SystemTime::UNIX_EPOCH);
            let report = dal.stats(since).await?;
            print!("{}", render_stats(&report, &humanize(args.period)));
        }
    }
    Ok(())
}

/// `d` as the largest whole unit among w, d, h, m, s (`3600 s` → `1h`).
fn humanize(d: Duration) -> String {
    let s = d.as_secs();
    for (unit, secs) in [("w", 604_800), ("d", 86_400), ("h", 3600), ("m", 60)] {
        if s >= secs && s % secs == 0 {
            return format!("{}{unit}", s / secs);
        }
    }
    format!("{s}s")
}
