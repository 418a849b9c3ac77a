//! `sq-l1`: deploy the L1 contracts, register node keys, freeze the snapshot, read the table.
//!
//! A typical development flow against anvil:
//! ```text
//! sq-l1 deploy-stake-table --private-key $DEPLOYER --out l1.json
//! sq-l1 register --private-key $OPERATOR_i --addresses l1.json --bls-key-file node_i.key   # per node
//! sq-l1 freeze --private-key $DEPLOYER --addresses l1.json
//! sq-l1 stake-table --addresses l1.json
//! ```

use alloy::network::EthereumWallet;
use alloy::primitives::U256;
use alloy::providers::ProviderBuilder;
use anyhow::{bail, Context};
use clap::{Parser, Subcommand};
use sq_l1::deploy::{deploy_commitments, deploy_stake_table, register, Addresses};
use sq_l1::stake::read_stake_table;
use sq_types::{BlsKeyPair, Leaf};
use std::path::{Path, PathBuf};

#[derive(Parser)]
#[command(version, about = "L1 contracts: deploy, register, freeze, inspect")]
struct Cli {
    /// L1 JSON-RPC endpoint.
    #[arg(long, global = true, default_value = "http://127.0.0.1:8545")]
    rpc_url: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write a new BLS key to a file (hex secret scalar), printing its public key.
    Keygen {
        /// Where to write the key (refuses to overwrite).
        #[arg(long)]
        out: PathBuf,
    },
    /// Deploy the StakeTable contract and write the addresses file.
    DeployStakeTable {
        /// Deployer's Ethereum private key (hex).
        #[arg(long, env = "L1_PRIVATE_KEY")]
        private_key: String,
        /// Deposit, in wei, that buys one unit of stake.
        #[arg(long, default_value = "1000000000000000000")]
        min_deposit_wei: U256,
        /// Exit delay after deregistration, seconds.
        #[arg(long, default_value_t = 86_400)]
        exit_delay_s: u64,
        /// Addresses file to write.
        #[arg(long)]
        out: PathBuf,
    },
    /// Register a node's BLS key (with its proof of possession) from an operator account.
    Register {
        /// Operator's Ethereum private key (hex); one registration per account.
        #[arg(long, env = "L1_PRIVATE_KEY")]
        private_key: String,
        /// Addresses file.
        #[arg(long)]
        addresses: PathBuf,
        /// The node's BLS key file (from `keygen`).
        #[arg(long)]
        bls_key_file: PathBuf,
        /// Deposit, wei.
        #[arg(long, default_value = "1000000000000000000")]
        deposit_wei: U256,
    },
    /// Freeze the current stake table into a HotShotCommitments contract (genesis at height 0).
    Freeze {
        /// Deployer's Ethereum private key (hex).
        #[arg(long, env = "L1_PRIVATE_KEY")]
        private_key: String,
        /// Addresses file (updated with the commitments address).
        #[arg(long)]
        addresses: PathBuf,
    },
    /// Print the active stake table.
    StakeTable {
        /// Addresses file.
        #[arg(long)]
        addresses: PathBuf,
    },
}

fn read_key(path: &Path) -> anyhow::Result<BlsKeyPair> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    BlsKeyPair::from_hex(&text).with_context(|| format!("{}: invalid BLS key file", path.display()))
}

fn signer(hex_key: &str) -> anyhow::Result<EthereumWallet> {
    Ok(EthereumWallet::from(sq_l1::parse_private_key(hex_key)?))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    sq_telemetry::init_tracing();
    let cli = Cli::parse();
    let url = cli.rpc_url.parse().context("invalid --rpc-url")?;
    match cli.command {
        Command::Keygen { out } => {
            if out.exists() {
                bail!("{} exists; refusing to overwrite a key", out.display());
            }
            let key = BlsKeyPair::generate();
            std::fs::write(&out, key.to_hex())?;
            println!("0x{}", hex::encode(key.public.to_compressed()));
        }
        Command::DeployStakeTable {
            private_key,
            min_deposit_wei,
            exit_delay_s,
            out,
        } => {
            let provider = ProviderBuilder::new()
                .wallet(signer(&private_key)?)
                .connect_http(url);
            let chain_id = alloy::providers::Provider::get_chain_id(&provider).await?;
            let stake_table = deploy_stake_table(&provider, min_deposit_wei, exit_delay_s).await?;
            Addresses {
                chain_id,
                stake_table,
                commitments: None,
            }
            .write(&out)?;
            println!("StakeTable at {stake_table}");
        }
        Command::Register {
            private_key,
            addresses,
            bls_key_file,
            deposit_wei,
        } => {
            let provider = ProviderBuilder::new()
                .wallet(signer(&private_key)?)
                .connect_http(url);
            let a = Addresses::read(&addresses)?;
            let key = read_key(&bls_key_file)?;
            register(&provider, a.stake_table, &key, deposit_wei).await?;
            println!("registered 0x{}", hex::encode(key.public.to_compressed()));
        }
        Command::Freeze {
            private_key,
            addresses,
        } => {
            let provider = ProviderBuilder::new()
                .wallet(signer(&private_key)?)
                .connect_http(url);
            let mut a = Addresses::read(&addresses)?;
            if let Some(existing) = a.commitments {
                bail!(
                    "{} already names a commitments contract ({existing})",
                    addresses.display()
                );
            }
            let (commitments, table) =
                deploy_commitments(&provider, a.stake_table, Leaf::genesis().commit()).await?;
            a.commitments = Some(commitments);
            a.write(&addresses)?;
            println!(
                "HotShotCommitments at {commitments}: {} nodes, snapshot {}",
                table.len(),
                table.commit()
            );
        }
        Command::StakeTable { addresses } => {
            let provider = ProviderBuilder::new().connect_http(url);
            let a = Addresses::read(&addresses)?;
            let table = read_stake_table(&provider, a.stake_table).await?;
            for (i, e) in table.entries().iter().enumerate() {
                println!("{i}\t0x{}\t{}", hex::encode(e.key.to_compressed()), e.stake);
            }
            println!(
                "total stake {}, snapshot {}",
                table.total_stake(),
                table.commit()
            );
        }
    }
    Ok(())
}
