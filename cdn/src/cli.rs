//! Command-line flags of `cdn-server`, and turning them into a [`ServerConfig`].

use crate::admission::Membership;
use crate::hub::Timings;
use crate::server::ServerConfig;
use anyhow::{bail, Context};
use clap::Parser;
use sq_types::codec::limits;
use sq_types::StakeTable;
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Authenticated relay for sequencer nodes.
///
/// Waits until N nodes have connected and proved their BLS keys, sends each the network
/// configuration (stake table, view timeouts, block limit, start time), then relays broadcast
/// (per topic) and direct messages between them. Without L1, the first N distinct keys form the
/// stake table (stake 1 each, ordered by compressed key bytes); with --stake-table-from-l1 the
/// table is read from the StakeTable contract (or the frozen HotShotCommitments snapshot when the
/// addresses file names one) and only its keys are admitted.
///
/// Logs go to stderr (RUST_LOG, default info). Prometheus metrics: http://BIND:METRICS_PORT/metrics.
#[derive(Debug, Parser)]
#[command(name = "cdn-server", version)]
pub struct Args {
    /// TCP port for node connections (0 picks a free port; the start-up log line shows it).
    #[arg(short, long)]
    pub port: u16,

    /// Nodes to wait for before sending the configuration. Without L1 this is the stake table
    /// size (1..=4096); with --stake-table-from-l1 it is how many table members must connect
    /// first (default: all of them).
    #[arg(short, long, required_unless_present = "stake_table_from_l1")]
    pub nodes: Option<usize>,

    /// Address to listen on.
    #[arg(long, default_value = "0.0.0.0")]
    pub bind: IpAddr,

    /// Port for Prometheus GET /metrics [default: --port + 1, or a free port when --port is 0].
    #[arg(long)]
    pub metrics_port: Option<u16>,

    /// Base view timeout sent to the nodes, milliseconds.
    #[arg(long, default_value_t = 1_000)]
    pub view_timeout_ms: u64,

    /// Cap of the nodes' exponential view-timeout back-off, milliseconds.
    #[arg(long, default_value_t = 10_000)]
    pub max_view_timeout_ms: u64,

    /// Largest block payload a leader may propose, bytes (at most 8 MiB).
    #[arg(long, default_value_t = 1 << 20)]
    pub max_block_bytes: u64,

    /// Consensus starts this long after the table completes, milliseconds.
    #[arg(long, default_value_t = 2_000)]
    pub start_delay_ms: u64,

    /// Per-connection send queue, frames; a reader that lets it fill is disconnected.
    #[arg(long, default_value_t = 4096)]
    pub queue_frames: usize,

    /// Per-connection send queue, bytes.
    #[arg(long, default_value_t = 64 << 20)]
    pub queue_bytes: usize,

    /// Most open TCP connections (any state); more are refused with `Full`.
    #[arg(long, default_value_t = 1024)]
    pub max_connections: usize,

    /// Seconds a connection has to complete Hello → Challenge → Auth.
    #[arg(long, default_value_t = 10)]
    pub handshake_timeout_s: u64,

    /// Read the stake table from L1 instead of taking the first N keys.
    #[arg(long, requires_all = ["l1_url", "addresses"])]
    pub stake_table_from_l1: bool,

    /// L1 JSON-RPC URL (with --stake-table-from-l1).
    #[arg(long)]
    pub l1_url: Option<String>,

    /// Addresses file written by `sq-l1 deploy-stake-table` (with --stake-table-from-l1).
    #[arg(long)]
    pub addresses: Option<PathBuf>,
}

impl Args {
    /// The metrics port: `--metrics-port`, else `--port + 1` (0 when `--port` is 0).
    ///
    /// # Errors
    /// When `--port` is 65535 and no `--metrics-port` is given.
    pub fn metrics_port(&self) -> anyhow::Result<u16> {
        match (self.metrics_port, self.port) {
            (Some(p), _) => Ok(p),
            (None, 0) => Ok(0),
            (None, p) => p
                .checked_add(1)
                .context("--port 65535 needs an explicit --metrics-port"),
        }
    }

    /// The timings, checked.
    ///
    /// # Errors
    /// A zero view timeout, a cap below it, or a block limit above the codec's payload limit.
    pub fn timings(&self) -> anyhow::Result<Timings> {
        if self.view_timeout_ms == 0 {
            bail!("--view-timeout-ms must be positive");
        }
        if self.max_view_timeout_ms < self.view_timeout_ms {
            bail!("--max-view-timeout-ms must be at least --view-timeout-ms");
        }
        if self.max_block_bytes > limits::MAX_PAYLOAD_BYTES as u64 {
            bail!(
                "--max-block-bytes exceeds the payload limit of {}",
                limits::MAX_PAYLOAD_BYTES
            );
        }
        Ok(Timings {
            view_timeout_ms: self.view_timeout_ms,
            max_view_timeout_ms: self.max_view_timeout_ms,
            max_block_bytes: self.max_block_bytes,
            start_delay_ms: self.start_delay_ms,
        })
    }

    /// Open membership from `--nodes`, or fixed membership from `table` (read from L1).
    ///
    /// # Errors
    /// A node count of 0, above the table limit, or above the L1 table's size.
    pub fn membership(&self, table: Option<StakeTable>) -> anyhow::Result<Membership> {
        match table {
            None => {
                let nodes = self.nodes.context("--nodes is required without L1")?;
                if nodes == 0 || nodes > limits::MAX_NODES {
                    bail!("--nodes must be in 1..={}", limits::MAX_NODES);
                }
                Ok(Membership::Open { nodes })
            }
            Some(table) => {
                let quorum = self.nodes.unwrap_or(table.len());
                if quorum == 0 || quorum > table.len() {
                    bail!(
                        "--nodes {quorum} is not in 1..={} (the L1 table's size)",
                        table.len()
                    );
                }
                Ok(Membership::Fixed { table, quorum })
            }
        }
    }

    /// The full server configuration.
    ///
    /// # Errors
    /// As [`Args::timings`] and [`Args::membership`].
    pub fn server_config(&self, table: Option<StakeTable>) -> anyhow::Result<ServerConfig> {
        Ok(ServerConfig {
            membership: self.membership(table)?,
            timings: self.timings()?,
            queue_frames: self.queue_frames.max(1),
            queue_bytes: self.queue_bytes.max(1),
            handshake_timeout: Duration::from_secs(self.handshake_timeout_s.max(1)),
            max_connections: self.max_connections.max(1),
        })
    }

    /// Reads the stake table from L1 when `--stake-table-from-l1` is set: the frozen snapshot of
    /// the `HotShotCommitments` contract when the addresses file names one (the table QCs are
    /// checked against), else the `StakeTable` contract's active registrations.
    ///
    /// # Errors
    /// An unreadable addresses file, a bad URL, or a failed L1 call.
    pub async fn l1_table(&self) -> anyhow::Result<Option<StakeTable>> {
        if !self.stake_table_from_l1 {
            return Ok(None);
        }
        let (Some(url), Some(path)) = (&self.l1_url, &self.addresses) else {
            bail!("--stake-table-from-l1 needs --l1-url and --addresses");
        };
        let provider = alloy::providers::ProviderBuilder::new()
            .connect_http(url.parse().context("invalid --l1-url")?);
        let addresses = sq_l1::deploy::Addresses::read(path)?;
        let table = match addresses.commitments {
            Some(commitments) => sq_l1::stake::read_snapshot(&provider, commitments).await?,
            None => sq_l1::stake::read_stake_table(&provider, addresses.stake_table).await?,
        };
        Ok(Some(table))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn flags_parse_and_validate() {
        Args::command().debug_assert();
        let a = Args::try_parse_from(["cdn-server", "-p", "7000", "-n", "4"]).expect("parses");
        assert_eq!(a.metrics_port().expect("port"), 7001);
        assert_eq!(
            a.membership(None).expect("open"),
            Membership::Open { nodes: 4 }
        );
        assert_eq!(a.timings().expect("defaults"), Timings::default());
        assert!(
            Args::try_parse_from(["cdn-server", "-p", "7000"]).is_err(),
            "-n required"
        );
        assert!(
            Args::try_parse_from(["cdn-server", "-p", "1", "--stake-table-from-l1"]).is_err(),
            "L1 needs a URL and addresses"
        );
        let a = Args::try_parse_from([
            "cdn-server",
            "-p",
            "0",
            "-n",
            "0",
            "--view-timeout-ms",
            "500",
            "--max-view-timeout-ms",
            "100",
        ])
        .expect("parses");
        assert_eq!(a.metrics_port().expect("port"), 0);
        assert!(a.membership(None).is_err());
        assert!(a.timings().is_err());
    }
}
