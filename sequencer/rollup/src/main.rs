//! The `rollup` binary: follows a sequencer node and serves JSON-RPC, the proof-data-handler
//! API and `/metrics`.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
use sq_api::client::Client as NodeClient;
use sq_rollup::{BatchLimits, Genesis, Rollup, RollupConfig, RollupDb};

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
    sq_telemetry::init_tracing();
    let args = Args::parse();
    let genesis = Genesis::load(&args.genesis)?;
    let db = match &args.database_url {
        Some(url) => RollupDb::connect(url).await,
        None => {
            RollupDb::open_sqlite_file(&args.data_dir.join(sq_rollup::db::SQLITE_FILE_NAME)).await
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
    let rollup = Rollup::open(db, config, NodeClient::new(&args.node_url)?).await?;
    sq_rollup::service::serve(rollup, args.rpc_addr, args.pdh_addr).await
}
