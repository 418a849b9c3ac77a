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
use backon::{ExponentialBuilder, Retryable};
use clap::{Parser, Subcommand};
use sq_api::mempool::{Mempool, MempoolConfig};
use sq_api::{router, ApiState};
use sq_consensus::{Config, Consensus};
use sq_network::cdn::CdnClient;
use sq_network::combined::Combined;
use sq_network::p2p::{Libp2pConfig, Libp2pNetwork};
use sq_network::Network;
use sq_node::catchup::CatchUp;
use sq_node::consensus::{ConsensusActor, Handles, NodeStatus};
use sq_node::metrics::Metrics;
use sq_node::store::SafetyStore;
use sq_node::writer::DecidedRecord;
use sq_storage::Storage;
use sq_types::{BlsCrypto, BlsKeyPair, NamespaceId};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, watch};

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
    /// Where the node keeps its safety state, and its SQLite database unless
    /// --database-url is given.
    #[arg(long, default_value = "data")]
    data_dir: PathBuf,
    /// Decided-block database: `postgres://user@host/db` or `sqlite://path`; default
    /// `DATA_DIR/sequencer.sqlite`.
    #[arg(long, env = "SEQUENCER_DATABASE_URL")]
    database_url: Option<String>,
    /// Keep the payloads, shares and transactions of only the last K decided blocks (leaves
    /// and QCs are always kept). Off by default.
    #[arg(long)]
    prune_keep: Option<u64>,
    /// A peer's API (`http://host:port`, repeatable), for catch-up of missing blocks.
    #[arg(long)]
    peer_api: Vec<String>,
    /// Only accept submissions in these namespaces (repeatable); any namespace when absent.
    #[arg(long)]
    namespace: Vec<u64>,
    /// Recently decided leaves kept in memory to serve peers' leaf requests; a node further
    /// behind than this rejoins from a leaf that catch-up stored.
    #[arg(long, default_value_t = 1024)]
    decided_window: usize,
    /// HTTP API port (status, availability, submit, metrics).
    #[arg(long, default_value_t = 8000)]
    api_port: u16,
    /// libp2p listen address; enables the libp2p fallback.
    #[arg(long)]
    libp2p_listen: Option<libp2p_addr::Multiaddr>,
    /// libp2p peers to dial (repeatable).
    #[arg(long)]
    libp2p_bootstrap: Vec<libp2p_addr::Multiaddr>,
    /// The example rollup inside this node (on when `--rollup-genesis` is given; see
    /// sq-rollup). Its default database is `DATA_DIR/rollup.sqlite`.
    #[command(flatten)]
    rollup: sq_rollup::RollupArgs,
    /// L1 JSON-RPC endpoint for the commitment task.
    #[arg(long, default_value = "http://127.0.0.1:8545")]
    l1_url: String,
    /// Run the L1 commitment task: the addresses file written by `sq-l1 deploy-stake-table`
    /// and `sq-l1 freeze` (it names the HotShotCommitments contract). Needs --l1-private-key.
    #[arg(long, requires = "l1_private_key")]
    l1_addresses: Option<PathBuf>,
    /// The commitment task's Ethereum private key (hex); it pays the gas of `newBlocks`.
    #[arg(long, env = "L1_PRIVATE_KEY", hide_env_values = true)]
    l1_private_key: Option<String>,
    /// Most headers per `newBlocks` transaction; each gets a 320,000 gas limit (they use about
    /// 215,000 at 4–10 signers), so 50 fit a 30M-gas L1 block.
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=90))]
    l1_max_run: u32,
}

mod libp2p_addr {
    pub(crate) use sq_network::p2p::Multiaddr;
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    sq_telemetry::init_tracing();
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
        .clone()
        .context("--key-file is required (create one with `sequencer keygen --out FILE`)")?;
    let text = std::fs::read_to_string(&key_file)
        .with_context(|| format!("reading {}", key_file.display()))?;
    let key = BlsKeyPair::from_hex(&text)
        .with_context(|| format!("{}: invalid BLS key file", key_file.display()))?;
    let store = SafetyStore::open(&args.data_dir)?;
    let (restored, payloads) = store.restore()?;
    let storage = match &args.database_url {
        Some(url) => Storage::connect(url).await,
        None => Storage::open_sqlite_dir(&args.data_dir).await,
    }
    .context("opening the decided-block database")?;
    let stored_from_db = storage
        .latest_height()
        .await
        .context("reading the decided-block database")?
        .map_or(0, |h| h.0);
    tracing::info!(target: "node", database = %storage.dialect(), stored_height = stored_from_db, "database open");

    tracing::info!(target: "node", cdn = %args.cdn_url, "connecting to the CDN; waiting for the network configuration");
    let (cdn, config) = (|| CdnClient::connect(&args.cdn_url, key.clone()))
        .retry(
            ExponentialBuilder::default()
                .with_min_delay(Duration::from_millis(200))
                .with_max_delay(Duration::from_secs(5))
                .without_max_times(),
        )
        .when(|e| e.is_retryable())
        .notify(|e, delay| {
            tracing::warn!(target: "node", error = %e, retry_ms = delay.as_millis() as u64, "CDN not reachable yet");
        })
        .await
        .context("the CDN refused this node")?;
    let table = config.stake_table.clone();
    let me = table
        .index_of(&key.public)
        .context("this key is not in the stake table the CDN distributed")?;
    tracing::info!(target: "node", node = me.0, nodes = table.len(), "joined the network");

    let metrics = Arc::new(Metrics::new());
    let mempool_cfg = MempoolConfig {
        max_block_bytes: config.max_block_bytes as usize,
        allowed_namespaces: if args.namespace.is_empty() {
            None
        } else {
            Some(args.namespace.iter().copied().map(NamespaceId).collect())
        },
        ..MempoolConfig::default()
    };
    let max_transaction_bytes = mempool_cfg.max_transaction_bytes;
    let mempool = Arc::new(Mutex::new(Mempool::new(mempool_cfg)));
    let (status_tx, status_rx) = watch::channel(NodeStatus {
        node: me.0,
        ..NodeStatus::default()
    });
    let (stored_tx, stored_rx) = watch::channel(stored_from_db);
    let consensus_cfg = Config {
        view_timeout_ms: config.view_timeout_ms,
        max_view_timeout_ms: config.max_view_timeout_ms,
        decided_window: args.decided_window.max(1),
    };
    let crypto = BlsCrypto::new(key.clone(), &table);
    let machine = Consensus::new(
        consensus_cfg.clone(),
        crypto.clone(),
        table.clone(),
        me,
        restored,
    );

    let render = metrics.clone();
    let api = router(ApiState {
        storage: storage.clone(),
        mempool: mempool.clone(),
        max_transaction_bytes,
        status: status_rx,
        stored_height: stored_rx,
        metrics: Arc::new(move || render.render()),
        nodes: table.len() as u32,
    });
    let listener = tokio::net::TcpListener::bind(("0.0.0.0", args.api_port))
        .await
        .with_context(|| format!("binding the API port {}", args.api_port))?;
    tracing::info!(target: "node", port = args.api_port, "API listening");
    tokio::spawn(async move { axum::serve(listener, api).await });
    if args.rollup.rollup_genesis.is_some() {
        sq_node::rollup::start(
            &args.rollup,
            &args.data_dir,
            storage.clone(),
            stored_tx.subscribe(),
            mempool.clone(),
        )
        .await?;
    }

    let (store_tx, store_rx) = mpsc::channel::<DecidedRecord>(4096);
    tokio::spawn(sq_node::writer::run(
        storage.clone(),
        store_rx,
        stored_tx.clone(),
        args.prune_keep,
    ));
    let peers = args
        .peer_api
        .iter()
        .map(|u| sq_api::client::Client::new(u))
        .collect::<Result<Vec<_>, _>>()
        .context("building the peer API client")?;
    if !peers.is_empty() {
        tokio::spawn(
            CatchUp {
                storage: storage.clone(),
                peers,
                crypto: BlsCrypto::new(key.clone(), &table),
                table: table.clone(),
                me: me.0 as usize,
                stored: stored_tx,
                interval: Duration::from_secs(1),
                lag: 5,
            }
            .run(),
        );
    }

    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    if config.start_unix_ms > now_ms {
        tokio::time::sleep(Duration::from_millis(config.start_unix_ms - now_ms)).await;
    }
    if let Some(path) = &args.l1_addresses {
        let addresses = sq_l1::deploy::Addresses::read(path)?;
        let commitments = addresses.commitments.with_context(|| {
            format!(
                "{} names no HotShotCommitments contract yet (run `sq-l1 freeze`)",
                path.display()
            )
        })?;
        let cfg = sq_node::l1::L1Config {
            rpc_url: args.l1_url.clone(),
            commitments,
            private_key: args.l1_private_key.clone().unwrap_or_default(),
            poll_ms: 250,
            max_run: args.l1_max_run as usize,
        };
        sq_node::l1::spawn(storage.clone(), cfg, metrics.clone())?;
    }
    let handles = Handles {
        mempool,
        metrics,
        status: status_tx,
        store_tx: Some(store_tx),
        storage: Some(storage.clone()),
    };
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
            let net = Combined::new(cdn, p2p);
            let actor = ConsensusActor::new(
                consensus_cfg,
                crypto,
                machine,
                net,
                store,
                payloads,
                handles,
            );
            run_actor(actor).await
        }
        None => {
            let actor = ConsensusActor::new(
                consensus_cfg,
                crypto,
                machine,
                cdn,
                store,
                payloads,
                handles,
            );
            run_actor(actor).await
        }
    }
}

async fn run_actor<N: Network>(actor: ConsensusActor<N>) -> anyhow::Result<()> {
    tokio::select! {
        r = actor.run() => r,
        _ = tokio::signal::ctrl_c() => {
            tracing::info!(target: "node", "shutting down");
            Ok(())
        }
    }
}
