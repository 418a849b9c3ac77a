//! `sq-sim`: runs many seeds and prints a summary table, or benchmarks views per second.
//!
//! * `sq-sim sweep --seeds 1000 --nodes 10 --faulty 3` — random adversarial scenarios;
//! * `sq-sim bench` — decided views per simulated second and wall-clock cost per view at
//!   N = 4, 10, 100.

use clap::{Parser, Subcommand};
use sq_sim::{run, CryptoMode, Scenario};
use std::time::Instant;

#[derive(Parser)]
#[command(version, about = "Deterministic consensus simulator")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run random adversarial scenarios over many seeds and print a summary.
    Sweep {
        /// Number of seeds (1..=seeds).
        #[arg(long, default_value_t = 100)]
        seeds: u64,
        /// First seed.
        #[arg(long, default_value_t = 1)]
        first_seed: u64,
        /// Nodes per run.
        #[arg(long, default_value_t = 10)]
        nodes: usize,
        /// Byzantine or crashed nodes per run (at most ⌊(n-1)/3⌋ for the guarantees to hold).
        #[arg(long, default_value_t = 3)]
        faulty: usize,
        /// Simulated duration of each run, milliseconds.
        #[arg(long, default_value_t = 40_000)]
        duration_ms: u64,
        /// Use BLS signatures instead of the fast test double.
        #[arg(long)]
        bls: bool,
    },
    /// Measure decided views per simulated second and wall-clock cost per view.
    Bench {
        /// Simulated duration per size, milliseconds.
        #[arg(long, default_value_t = 20_000)]
        duration_ms: u64,
        /// Use BLS signatures instead of the fast test double.
        #[arg(long)]
        bls: bool,
    },
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Sweep {
            seeds,
            first_seed,
            nodes,
            faulty,
            duration_ms,
            bls,
        } => {
            let mut violations = 0usize;
            let mut decides = 0u64;
            let mut max_recovery = 0u64;
            let mut stalled = Vec::new();
            let started = Instant::now();
            for seed in first_seed..first_seed + seeds {
                let mut s = Scenario::random(seed, nodes, faulty, duration_ms);
                if bls {
                    s.crypto = CryptoMode::Bls;
                }
                let r = run(s)?;
                for v in &r.violations {
                    println!("seed {seed}: VIOLATION {v}");
                }
                violations += r.violations.len();
                decides += r.max_height;
                match r.recovery_views {
                    Some(v) => max_recovery = max_recovery.max(v),
                    None => stalled.push(seed),
                }
            }
            println!("| seeds | nodes | faulty | decided blocks (sum) | max views to recover | no decide after heal | violations | wall s |");
            println!("|------:|------:|-------:|---------------------:|---------------------:|---------------------:|-----------:|-------:|");
            println!(
                "| {seeds} | {nodes} | {faulty} | {decides} | {max_recovery} | {} | {violations} | {:.1} |",
                stalled.len(),
                started.elapsed().as_secs_f64()
            );
            if !stalled.is_empty() {
                println!("seeds with no decide after healing: {stalled:?}");
            }
            if violations > 0 {
                anyhow::bail!("{violations} safety violations");
            }
        }
        Command::Bench { duration_ms, bls } => {
            println!("| N | simulated s | views | decided blocks | blocks per simulated s | wall ms | wall µs per view |");
            println!("|--:|------------:|------:|---------------:|-----------------------:|--------:|-----------------:|");
            for n in [4, 10, 100] {
                let mut s = Scenario::honest(1, n, duration_ms);
                if bls {
                    s.crypto = CryptoMode::Bls;
                }
                let started = Instant::now();
                let r = run(s)?;
                let wall = started.elapsed();
                let secs = duration_ms as f64 / 1000.0;
                println!(
                    "| {n} | {secs:.0} | {} | {} | {:.1} | {} | {:.0} |",
                    r.max_view,
                    r.max_height,
                    r.max_height as f64 / secs,
                    wall.as_millis(),
                    wall.as_micros() as f64 / r.max_view.max(1) as f64
                );
            }
        }
    }
    Ok(())
}
