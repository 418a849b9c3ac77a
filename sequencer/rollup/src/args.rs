//! [`RollupArgs`]: the rollup's command-line flags, one set flattened into both the
//! `sequencer` binary (the rollup inside a node) and the standalone `rollup` binary, so that
//! the two forms share names, defaults and environment variables.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::config::{BatchLimits, Genesis, RollupConfig};
use crate::db::{RollupDb, SQLITE_FILE_NAME};

/// Default suggested priority fee (`eth_maxPriorityFeePerGas`): 1 gwei per gas.
pub const DEFAULT_SUGGESTED_TIP_WEI: u128 = 1_000_000_000;

/// The rollup's flags (all `--rollup-*`).
#[derive(clap::Args, Clone, Debug)]
pub struct RollupArgs {
    /// The rollup's genesis file (JSON: chain_id, namespace, base_fee, fee_recipient,
    /// accounts). In `sequencer` it turns the in-node rollup on; `rollup` requires it.
    #[arg(long, env = "ROLLUP_GENESIS")]
    pub rollup_genesis: Option<PathBuf>,
    /// The rollup's database: sqlite://PATH or postgres://…; default a SQLite file
    /// `rollup.sqlite` in the data directory.
    #[arg(long, env = "ROLLUP_DATABASE_URL")]
    pub rollup_database_url: Option<String>,
    /// The rollup's JSON-RPC listen address.
    #[arg(long, default_value = "0.0.0.0:8545")]
    pub rollup_rpc_addr: SocketAddr,
    /// The rollup's proof-data-handler API and /metrics listen address.
    #[arg(long, default_value = "0.0.0.0:3320")]
    pub rollup_pdh_addr: SocketAddr,
    /// Protocol version the rollup requires of proofs (0.minor.patch).
    #[arg(long, default_value = "0.1.0")]
    pub rollup_protocol_version: String,
    /// Seal a batch at this many transfers.
    #[arg(long, default_value_t = BatchLimits::default().max_transfers)]
    pub rollup_batch_max_transfers: u64,
    /// Seal a batch at this many namespace bytes.
    #[arg(long, default_value_t = BatchLimits::default().max_bytes)]
    pub rollup_batch_max_bytes: u64,
    /// Seal a batch this many header-time milliseconds after its first transfer.
    #[arg(long, default_value_t = BatchLimits::default().max_age_ms)]
    pub rollup_batch_max_age_ms: u64,
    /// Suggested priority fee (`eth_maxPriorityFeePerGas`), wei per gas.
    #[arg(long, default_value_t = DEFAULT_SUGGESTED_TIP_WEI)]
    pub rollup_suggested_tip: u128,
}

impl RollupArgs {
    /// The configuration, with the genesis read from `--rollup-genesis`.
    ///
    /// # Errors
    /// When no genesis file is given, or it cannot be read or parsed
    /// ([`crate::config::GenesisError`]).
    pub fn config(&self) -> anyhow::Result<RollupConfig> {
        let path = self
            .rollup_genesis
            .as_deref()
            .ok_or_else(|| anyhow::anyhow!("--rollup-genesis is required"))?;
        Ok(RollupConfig {
            genesis: Genesis::load(path)?,
            batch: BatchLimits {
                max_transfers: self.rollup_batch_max_transfers,
                max_bytes: self.rollup_batch_max_bytes,
                max_age_ms: self.rollup_batch_max_age_ms,
            },
            protocol_version: self.rollup_protocol_version.clone(),
            suggested_tip: self.rollup_suggested_tip,
        })
    }

    /// Opens (and migrates) the rollup's database: `--rollup-database-url`, or
    /// `data_dir/rollup.sqlite`.
    ///
    /// # Errors
    /// [`crate::db::RollupDbError`] when it cannot be opened or migrated.
    pub async fn open_database(&self, data_dir: &Path) -> anyhow::Result<RollupDb> {
        let db = match &self.rollup_database_url {
            Some(url) => RollupDb::connect(url).await,
            None => RollupDb::open_sqlite_file(&data_dir.join(SQLITE_FILE_NAME)).await,
        };
        db.context("opening the rollup database")
    }
}
