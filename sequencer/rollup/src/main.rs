//! The `rollup` binary: follows a sequencer node's SSE leaf stream, checks the namespace proof
//! of every block, and serves JSON-RPC, the proof-data-handler API and `/metrics`.

use std::path::PathBuf;

use clap::Parser;
use sq_api::client::Client as NodeClient;
use sq_rollup::follow::LeafStream;
use sq_rollup::sequencer::Sequencer;
use sq_rollup::{Rollup, RollupArgs};

/// Runs the example rollup against a sequencer node.
#[derive(Parser, Debug)]
#[command(name = "rollup", version, about)]
struct Args {
    /// The sequencer node's API, e.g. http://127.0.0.1:8080.
    #[arg(long, env = "ROLLUP_NODE_URL")]
    node_url: String,
    /// Directory for the default SQLite database.
    #[arg(long, default_value = "rollup-data")]
    data_dir: PathBuf,
    #[command(flatten)]
    rollup: RollupArgs,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    sq_telemetry::init_tracing();
    let args = Args::parse();
    let config = args.rollup.config()?;
    let db = args.rollup.open_database(&args.data_dir).await?;
    let node = NodeClient::new(&args.node_url)?;
    let source = LeafStream::new(node.clone(), config.genesis.namespace);
    let rollup = Rollup::open(db, config, Sequencer::Api(node)).await?;
    sq_rollup::service::serve(
        rollup,
        args.rollup.rollup_rpc_addr,
        args.rollup.rollup_pdh_addr,
        source,
    )
    .await
}
