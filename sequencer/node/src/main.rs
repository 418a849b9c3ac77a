//! `sequencer`: one consensus node.
//!
//! ```text
//! sequencer keygen --out node0.key
//! sequencer --cdn-url tcp://127.0.0.1:7000 --key-file node0.key --data-dir data/0 --api-port 8000 \
//!           --libp2p-listen /ip4/127.0.0.1/tcp/9000 --libp2p-bootstrap /ip4/127.0.0.1/tcp/9001
//! ```
//! The CDN distributes the network configuration (stake table, timings) once every node has
//! joined; the node then runs consensus over the CDN and, when libp2p flags are given, falls
//! back to libp2p whenever the CDN is unreachable.

use anyhow::Context;
use clap::{Parser, Subcommand};
use sq_consensus::{Config, Consensus};
use sq_network::cdn::CdnClient;
use sq_network::combined::Combined;
use sq_network::p2p::{Libp2pConfig, Libp2pNetwork};
use sq_network::Network;
use sq_node::api::{router, ApiState};
use sq_node::consensus::{ConsensusActor, Handles, NodeStatus};
use sq_node::mempool::{Mempool, MempoolConfig};
use sq_node::metrics::Metrics;
use sq_node::store::SafetyStore;
use sq_types::{BlsCrypto, BlsKeyPair};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use tokio::sync::watch;

#[derive(Parser)]
#[command(version, about = "A HotShot-style sequencer node")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Write a new BLS key file (hex secret scalar) and print the public key.
    Keygen {
        /// Where to write it; an existing file is never overwritten.
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(clap::Args)]
struct RunArgs {
    /// The CDN server, `tcp://host:port`.
    #[arg(long, default_value = "tcp://127.0.0.1:7000")]
    cdn_url: String,
    /// This node's BLS key file (from `sequencer keygen`).
    #[arg(long)]
    key_file: Option<PathBuf>,
    /// Where the node keeps its safety state.
    #[arg(long, default_value = "data")]
    data_dir: PathBuf,
    /// HTTP API port (status, submit, metrics).
    #[arg(long, default_value_t = 8000)]
    api_port: u16,
    /// libp2p listen address; enables the libp2p fallback.
    #[arg(long)]
    libp2p_listen: Option<libp2p_addr::Multiaddr>,
    /// libp2p peers to dial (repeatable).
    #[arg(long)]
    libp2p_bootstrap: Vec<libp2p_addr::Multiaddr>,
}

mod libp2p_addr {
    pub(crate) use sq_network::p2p::Multiaddr;
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .init();
    let cli = Cli::parse();
    if let Some(Command::Keygen { out }) = cli.command {
        anyhow::ensure!(
            !out.exists(),
            "{} exists; refusing to overwrite a key",
            out.display()
        );
        let key = BlsKeyPair::generate();
        std::fs::write(&out, key.to_hex()).with_context(|| format!("writing {}", out.display()))?;
        println!("0x{}", hex::encode(key.public.to_compressed()));
        return Ok(());
    }
    run(cli.run).await
}

async fn run(args: RunArgs) -> anyhow::Result<()> {
    let key_file = args
        .key_file
        .context("--key-file is required (create one with `sequencer keygen --out FILE`)")?;
    let text = std::fs::read_to_string(&key_file)
        .with_context(|| format!("reading {}", key_file.display()))?;
    let key = BlsKeyPair::from_hex(&text)
        .with_context(|| format!("{}: invalid BLS key file", key_file.display()))?;
    let store = SafetyStore::open(&args.data_dir)?;
    let (restored, payloads) = store.restore()?;

    tracing::info!(target: "node", cdn = %args.cdn_url, "connecting to the CDN; waiting for the network configuration");
    let mut delay = std::time::Duration::from_millis(200);
    let (cdn, config) = loop {
        match CdnClient::connect(&args.cdn_url, key.clone()).await {
            Ok(joined) => break joined,
            Err(e) if e.is_retryable() => {
                tracing::warn!(target: "node", error = %e, retry_ms = delay.as_millis() as u64, "CDN not reachable yet");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(std::time::Duration::from_secs(5));
            }
            Err(e) => return Err(e).context("the CDN refused this node"),
        }
    };
    let table = config.stake_table.clone();
    let me = table
        .index_of(&key.public)
        .context("this key is not in the stake table the CDN distributed")?;
    tracing::info!(target: "node", node = me.0, nodes = table.len(), "joined the network");

    let metrics = Arc::new(Metrics::new());
    let mempool_cfg = MempoolConfig {
        max_block_bytes: config.max_block_bytes as usize,
        ..MempoolConfig::default()
    };
    let max_transaction_bytes = mempool_cfg.max_transaction_bytes;
    let mempool = Arc::new(Mutex::new(Mempool::new(mempool_cfg)));
    let (status_tx, status_rx) = watch::channel(NodeStatus {
        node: me.0,
        ..NodeStatus::default()
    });
    let consensus_cfg = Config {
        view_timeout_ms: config.view_timeout_ms,
        max_view_timeout_ms: config.max_view_timeout_ms,
        ..Config::default()
    };
    let machine = Consensus::new(
        consensus_cfg,
        BlsCrypto::new(key.clone(), &table),
        table.clone(),
        me,
        restored,
    );

    let api = router(ApiState {
        mempool: mempool.clone(),
        metrics: metrics.clone(),
        status: status_rx,
        max_transaction_bytes,
    });
    let listener = tokio::net::TcpListener::bind(("0.0.0.0", args.api_port))
        .await
        .with_context(|| format!("binding the API port {}", args.api_port))?;
    tracing::info!(target: "node", port = args.api_port, "API listening");
    tokio::spawn(async move { axum::serve(listener, api).await });

    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    if config.start_unix_ms > now_ms {
        tokio::time::sleep(std::time::Duration::from_millis(
            config.start_unix_ms - now_ms,
        ))
        .await;
    }
    match args.libp2p_listen {
        Some(listen) => {
            let p2p = Libp2pNetwork::start(Libp2pConfig {
                listen,
                bootstrap: args.libp2p_bootstrap,
                key,
                me,
                table,
                queue: 4096,
            })
            .await?;
            spawn_actor(
                Combined::new(cdn, p2p),
                machine,
                store,
                payloads,
                mempool,
                metrics,
                status_tx,
            )
            .await
        }
        None => spawn_actor(cdn, machine, store, payloads, mempool, metrics, status_tx).await,
    }
}

async fn spawn_actor<N: Network>(
    net: N,
    machine: Consensus<BlsCrypto>,
    store: SafetyStore,
    payloads: Vec<sq_node::store::HeldProposal>,
    mempool: Arc<Mutex<Mempool>>,
    metrics: Arc<Metrics>,
    status: watch::Sender<NodeStatus>,
) -> anyhow::Result<()> {
    let handles = Handles {
        mempool,
        metrics,
        status,
        decided_tx: None,
    };
    let actor = ConsensusActor::new(machine, net, store, payloads, handles);
    tokio::select! {
        r = actor.run() => r,
        _ = tokio::signal::ctrl_c() => {
            tracing::info!(target: "node", "shutting down");
            Ok(())
        }
    }
}
