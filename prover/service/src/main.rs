//! The `prover` binary: one subcommand per pipeline component, or `run` for all of them.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use sq_prover_dal::ProverDal;
use sq_prover_service::gateway::Gateway;
use sq_prover_service::metrics::{self, Metrics};
use sq_prover_service::{config, housekeeper, version, workers, ProverConfig, WHAT_IS_PROVEN};
use tracing::info;

/// The zkSync-shaped prover pipeline over one shared job database.
#[derive(Parser, Debug)]
#[command(name = "prover", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    common: Common,
}

#[derive(Args, Debug)]
struct Common {
    /// Job database: sqlite://PATH (default sqlite://prover-data/prover.sqlite) or postgres://…
    #[arg(long, global = true, env = "PROVER_DB_URL")]
    db_url: Option<String>,
    /// The protocol version this process serves.
    #[arg(long, global = true, default_value = sq_prover_verifier::PROTOCOL_VERSION)]
    protocol_version: String,
    /// Name recorded in `picked_by` (default hostname-pid).
    #[arg(long, global = true)]
    worker_id: Option<String>,
    /// /metrics and /queue_report listen address (off when absent).
    #[arg(long, global = true)]
    metrics_addr: Option<SocketAddr>,
    /// Idle poll interval, ms.
    #[arg(long, global = true, default_value_t = 200)]
    poll_ms: u64,
    /// Transfers per chunk (witness generator).
    #[arg(long, global = true, default_value_t = 16)]
    chunk_size: usize,
    /// Prover groups served, `ROUND:CIRCUIT,…` (default: all).
    #[arg(long, global = true, default_value = "")]
    groups: String,
    /// The rollup's proof-data-handler API (gateway), e.g. http://127.0.0.1:3320.
    #[arg(long, global = true, env = "PROVER_ROLLUP_URL")]
    rollup_url: Option<String>,
    /// Requeue in-progress jobs with no heartbeat for this many seconds (house keeper;
    /// workers send one every second while they work, so 2 or more).
    #[arg(long, global = true, default_value_t = 120)]
    processing_timeout_s: u64,
    /// Attempts after which a job stays failed (house keeper).
    #[arg(long, global = true, default_value_t = 5)]
    max_attempts: u32,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Registers this build's verification key for --protocol-version in the database.
    Init,
    /// Pulls batches from the rollup and submits finished proofs.
    Gateway,
    /// Splits batch witnesses into chunk witnesses.
    WitnessGenerator,
    /// Proves chunks (basic, round 0).
    Prover,
    /// Checks and packs each batch's chunk proofs (not yet succinct).
    Scheduler,
    /// Passes the scheduler result on (compression is planned work).
    Compressor,
    /// Requeues timed-out and failed jobs.
    HouseKeeper,
    /// Every component in one process.
    Run,
}

fn default_worker_id() -> String {
    let host = std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_owned())
        .unwrap_or_else(|_| "host".into());
    format!("{host}-{}", std::process::id())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    sq_telemetry::init_tracing();
    let cli = Cli::parse();
    let c = &cli.common;
    let url = match &c.db_url {
        Some(u) => u.clone(),
        None => {
            std::fs::create_dir_all("prover-data").context("creating prover-data/")?;
            "sqlite://prover-data/prover.sqlite".into()
        }
    };
    let dal = ProverDal::connect(&url)
        .await
        .context("opening the prover database")?;
    let cfg = Arc::new(ProverConfig {
        protocol_version: c.protocol_version.clone(),
        worker_id: c.worker_id.clone().unwrap_or_else(default_worker_id),
        poll: Duration::from_millis(c.poll_ms),
        chunk_size: c.chunk_size.max(1),
        groups: config::parse_groups(&c.groups).map_err(anyhow::Error::msg)?,
        rollup_url: c.rollup_url.clone(),
        processing_timeout: Duration::from_secs(c.processing_timeout_s),
        max_attempts: c.max_attempts,
    });
    if let Command::Init = cli.command {
        dal.insert_protocol_version(&cfg.protocol_version, version::build_vk())
            .await?;
        println!(
            "protocol version {} registered with vk hash {}",
            cfg.protocol_version,
            hex::encode(version::build_vk())
        );
        return Ok(());
    }
    if let Err(e) = version::check(&dal, &cfg.protocol_version).await {
        eprintln!("error: {e}");
        std::process::exit(2);
    }
    info!(target: "prover", version = %cfg.protocol_version, vk = %hex::encode(version::build_vk()), "{WHAT_IS_PROVEN}");
    let m = Arc::new(Metrics::default());
    if let Some(addr) = c.metrics_addr {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("binding {addr}"))?;
        let app = metrics::router(dal.clone(), m.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
    }
    let (g, w, p, s, k, h) = match cli.command {
        Command::Gateway => (true, false, false, false, false, false),
        Command::WitnessGenerator => (false, true, false, false, false, false),
        Command::Prover => (false, false, true, false, false, false),
        Command::Scheduler => (false, false, false, true, false, false),
        Command::Compressor => (false, false, false, false, true, false),
        Command::HouseKeeper => (false, false, false, false, false, true),
        Command::Run | Command::Init => (true, true, true, true, true, true),
    };
    let mut tasks = tokio::task::JoinSet::new();
    if g {
        let base = cfg
            .rollup_url
            .clone()
            .context("the gateway needs --rollup-url")?;
        let gw = Gateway::new(&base)?;
        let (d, c2, gw2) = (dal.clone(), cfg.clone(), gw.clone());
        tasks.spawn(workers::run_loop("gateway-fetch", cfg.clone(), move || {
            let (d, gw) = (d.clone(), gw.clone());
            async move { gw.fetch_step(&d).await }
        }));
        let d = dal.clone();
        tasks.spawn(workers::run_loop("gateway-send", c2, move || {
            let (d, gw) = (d.clone(), gw2.clone());
            async move { gw.send_step(&d).await }
        }));
    }
    if w {
        let (d, c2) = (dal.clone(), cfg.clone());
        tasks.spawn(workers::run_loop(
            "witness-generator",
            cfg.clone(),
            move || {
                let (d, c2) = (d.clone(), c2.clone());
                async move { workers::witness_generator_step(&d, &c2).await }
            },
        ));
    }
    if p {
        let (d, c2, m2) = (dal.clone(), cfg.clone(), m.clone());
        tasks.spawn(workers::run_loop("prover", cfg.clone(), move || {
            let (d, c2, m2) = (d.clone(), c2.clone(), m2.clone());
            async move { workers::prover_step(&d, &c2, &m2).await }
        }));
    }
    if s {
        let (d, c2) = (dal.clone(), cfg.clone());
        tasks.spawn(workers::run_loop("scheduler", cfg.clone(), move || {
            let (d, c2) = (d.clone(), c2.clone());
            async move { workers::scheduler_step(&d, &c2).await }
        }));
    }
    if k {
        let (d, c2) = (dal.clone(), cfg.clone());
        tasks.spawn(workers::run_loop("compressor", cfg.clone(), move || {
            let (d, c2) = (d.clone(), c2.clone());
            async move { workers::compressor_step(&d, &c2).await }
        }));
    }
    if h {
        let (d, c2) = (dal.clone(), cfg.clone());
        tasks.spawn(workers::run_loop("house-keeper", cfg.clone(), move || {
            let (d, c2) = (d.clone(), c2.clone());
            async move {
                housekeeper::step(&d, &c2).await?;
                Ok(false)
            }
        }));
    }
    while let Some(r) = tasks.join_next().await {
        r?;
    }
    Ok(())
}
