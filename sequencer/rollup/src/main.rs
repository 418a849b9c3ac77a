//! The `rollup` binary: follows a sequencer node and serves JSON-RPC, the proof-data-handler
//! API and `/metrics`.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
use sq_api::client::Client as NodeClient;
use sq_rollup::{BatchLimits, Genesis, Rollup, RollupConfig};
use sq_storage::Storage;

/// Runs the example rollup against a sequencer node.
#[derive(Parser, Debug)]
#[command(name = "rollup", version, about)]
struct Args {
    /// The sequencer node's API, e.g. http://127.0.0.1:8080.
    #[arg(long, env = "ROLLUP_NODE_URL")]
    node_url: String,
    /// The genesis file (JSON: chain_id, namespace, base_fee, fee_recipient, accounts).
    #[arg(long, env = "ROLLUP_GENESIS")]
    genesis: PathBuf,
    /// Database URL: sqlite://PATH or postgres://…; default sqlite in --data-dir.
    #[arg(long, env = "ROLLUP_DATABASE_URL")]
    database_url: Option<String>,
    /// Directory for the default SQLite database.
    #[arg(long, default_value = "rollup-data")]
    data_dir: PathBuf,
    /// JSON-RPC listen address.
    #[arg(long, default_value = "127.0.0.1:8545")]
    rpc_addr: SocketAddr,
    /// Proof-data-handler API and /metrics listen address.
    #[arg(long, default_value = "127.0.0.1:3320")]
    pdh_addr: SocketAddr,
    /// Protocol version proofs must carry (0.minor.patch).
    #[arg(long, default_value = "0.1.0")]
    protocol_version: String,
    /// Seal a batch at this many transfers.
    #[arg(long, default_value_t = BatchLimits::default().max_transfers)]
    batch_max_transfers: u64,
    /// Seal a batch at this many namespace bytes.
    #[arg(long, default_value_t = BatchLimits::default().max_bytes)]
    batch_max_bytes: u64,
    /// Seal a batch this many header-time milliseconds after its first transfer.
    #[arg(long, default_value_t = BatchLimits::default().max_age_ms)]
    batch_max_age_ms: u64,
    /// Suggested priority fee, wei per gas.
    #[arg(long, default_value_t = 1_000_000_000)]
    suggested_tip: u128,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let genesis = Genesis::load(&args.genesis)?;
    let storage = match &args.database_url {
        Some(url) => Storage::connect(url).await,
        None => {
            std::fs::create_dir_all(&args.data_dir)
                .with_context(|| format!("creating {}", args.data_dir.display()))?;
            let path = args.data_dir.join("rollup.sqlite");
            Storage::connect(&format!("sqlite://{}", path.display())).await
        }
    }
    .context("opening the rollup database")?;
    let config = RollupConfig {
        genesis,
        batch: BatchLimits {
            max_transfers: args.batch_max_transfers,
            max_bytes: args.batch_max_bytes,
            max_age_ms: args.batch_max_age_ms,
        },
        protocol_version: args.protocol_version,
        suggested_tip: args.suggested_tip,
    };
    let rollup = Rollup::open(storage, config, NodeClient::new(&args.node_url)?).await?;
    sq_rollup::service::serve(rollup, args.rpc_addr, args.pdh_addr).await
}
