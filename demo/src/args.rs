//! The demo's command line.

use std::path::PathBuf;

use clap::Parser;

/// `demo`: the whole stack on one machine, on real input.
#[derive(Parser, Debug, Clone)]
#[command(
    name = "demo",
    version,
    about = "Runs the whole stack on this machine: anvil with the contracts, cdn-server, N \
             sequencers (the rollup inside nodes 0 and 1, the L1 commitment task in node 0), \
             the prover, and a load generator of signed Ethereum transfers and raw payloads. \
             Prints a status line every second; Ctrl-C stops everything."
)]
pub struct Args {
    /// Sequencer nodes (each registered in the L1 stake table), at least 4.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(4..=64))]
    pub nodes: u16,
    /// Stop by itself after this many seconds and print a summary; runs until Ctrl-C when
    /// absent.
    #[arg(long)]
    pub duration: Option<u64>,
    /// With `--duration`: once it is over, keep running until the rollup node has verified
    /// this many batch proofs, for at most `--until-verified-max` more seconds (a batch's
    /// first proof goes through rounds 0–4, which takes minutes on 2 cores).
    #[arg(long, default_value_t = 0, requires = "duration")]
    pub until_verified: u64,
    /// The most seconds `--until-verified` adds to `--duration`.
    #[arg(long, default_value_t = 600)]
    pub until_verified_max: u64,
    /// The prover's job database, `postgres://…` (its prover tables are cleared first);
    /// SQLite in the run folder by default.
    #[arg(long)]
    pub database_url: Option<String>,
    /// Keep the run folder's data (databases, keys, contracts' addresses) after the run;
    /// by default only the logs are kept.
    #[arg(long)]
    pub keep_data: bool,
    /// Signed rollup transfers per second sent by the load generator.
    #[arg(long, default_value_t = 10)]
    pub tps: u32,
    /// Raw payloads per second sent to the sequencers' submit API (namespace 7).
    #[arg(long, default_value_t = 5)]
    pub payloads_per_s: u32,
    /// Where the run folders go (`RUNS/<unix time>/logs`, `…/data`).
    #[arg(long, default_value = "demo-runs")]
    pub runs_dir: PathBuf,
    /// Folder holding `cdn-server`, `sequencer`, `sq-l1`, `prover` and `prover-cli`
    /// [default: the folder of this binary].
    #[arg(long)]
    pub bin_dir: Option<PathBuf>,
    /// Folder holding `anvil` and `cast` [default: contracts/node_modules/.bin].
    #[arg(long, default_value = "contracts/node_modules/.bin")]
    pub foundry_bin: PathBuf,
    /// Transfers per chunk proof (`prover run --chunk-size`). Each batch of `c` chunks
    /// also costs `⌈c/2⌉` leaf, `⌈c/2⌉ − 1` node and one scheduler proof of tens of seconds
    /// each on 2 cores, so the defaults keep batches few and chunks large.
    #[arg(long, default_value_t = 16)]
    pub chunk_size: u32,
    /// The rollup seals a batch at this many transfers…
    #[arg(long, default_value_t = 64)]
    pub batch_max_transfers: u64,
    /// … or this many milliseconds after its first transfer.
    #[arg(long, default_value_t = 10_000)]
    pub batch_max_age_ms: u64,
}
