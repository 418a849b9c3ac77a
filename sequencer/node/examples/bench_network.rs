//! Network benchmark (not in CI; `just bench-network`): decided payload MB/s and p50/p99 decide
//! latency of a real `cdn-server` plus N real `sequencer` processes on loopback, under a load of
//! fixed-size transactions submitted through `POST /v0/submit`.
//!
//! For each (N, transaction size) it starts a fresh cluster, waits for height 3, loads it for
//! `--seconds`, and reads every node's `/metrics` before and after the window:
//! * payload MB/s = Δ`sequencer_decided_payload_bytes_total` of node 0 / window (10^6 bytes);
//! * decide latency = proposal timestamp → local decide, the p50/p99 of the Δ histogram of all
//!   nodes, interpolated within buckets (20% wide);
//! * tx/s = Δ`sequencer_decided_transactions_total` of node 0 / window.
//!
//! `cargo run --release -p sq-node --example bench_network -- [--nodes 4,10] [--tx-bytes 512,102400] [--seconds 20] [--submitters 4]`

use sq_testing::cluster::{Cluster, ClusterConfig};
use sq_testing::http::{block_on, node_api};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

struct Args {
    nodes: Vec<usize>,
    tx_bytes: Vec<usize>,
    seconds: u64,
    submitters: usize,
}

fn parse_list(v: &str) -> Vec<usize> {
    v.split(',').filter_map(|x| x.trim().parse().ok()).collect()
}

fn args() -> Args {
    let mut a = Args {
        nodes: vec![4, 10],
        tx_bytes: vec![512, 100 * 1024],
        seconds: 20,
        submitters: 4,
    };
    let argv: Vec<String> = std::env::args().skip(1).collect();
    for pair in argv.chunks(2) {
        let value = pair.get(1).map_or("", String::as_str);
        match pair[0].as_str() {
            "--nodes" => a.nodes = parse_list(value),
            "--tx-bytes" => a.tx_bytes = parse_list(value),
            "--seconds" => a.seconds = value.parse().unwrap_or(a.seconds),
            "--submitters" => a.submitters = value.parse().unwrap_or(a.submitters),
            other => {
                eprintln!("unknown flag {other}; flags: --nodes 4,10 --tx-bytes 512,102400 --seconds 20 --submitters 4");
                std::process::exit(2);
            }
        }
    }
    a
}

/// One node's counters and latency histogram (cumulative bucket counts by upper bound).
#[derive(Default, Clone)]
struct Scrape {
    payload_bytes: f64,
    transactions: f64,
    buckets: BTreeMap<u64, f64>, // upper bound in µs (u64::MAX for +Inf) → cumulative count
}

fn scrape(port: u16) -> Scrape {
    let mut s = Scrape::default();
    let Ok(text) = block_on(node_api(port).metrics()) else {
        return s;
    };
    for line in text.lines() {
        let Some((name, value)) = line.rsplit_once(' ') else {
            continue;
        };
        let value: f64 = value.parse().unwrap_or(0.0);
        if name == "sequencer_decided_payload_bytes_total" {
            s.payload_bytes = value;
        } else if name == "sequencer_decided_transactions_total" {
            s.transactions = value;
        } else if let Some(le) = name.strip_prefix("sequencer_decide_latency_seconds_bucket{le=\"")
        {
            let le = le.trim_end_matches("\"}");
            let bound = if le == "+Inf" {
                u64::MAX
            } else {
                (le.parse::<f64>().unwrap_or(0.0) * 1e6) as u64
            };
            s.buckets.insert(bound, value);
        }
    }
    s
}

/// The q-quantile (ms) of a histogram given as cumulative counts by upper bound (µs), with
/// linear interpolation inside the bucket (Prometheus' `histogram_quantile`).
fn quantile_ms(buckets: &BTreeMap<u64, f64>, q: f64) -> f64 {
    let total = buckets.get(&u64::MAX).copied().unwrap_or(0.0);
    if total <= 0.0 {
        return f64::NAN;
    }
    let rank = q * total;
    let (mut lo_bound, mut lo_count) = (0u64, 0.0);
    for (&bound, &count) in buckets {
        if count >= rank {
            if bound == u64::MAX {
                return lo_bound as f64 / 1e3;
            }
            let frac = if count > lo_count {
                (rank - lo_count) / (count - lo_count)
            } else {
                1.0
            };
            return (lo_bound as f64 + frac * (bound - lo_bound) as f64) / 1e3;
        }
        (lo_bound, lo_count) = (bound, count);
    }
    f64::NAN
}

struct Row {
    nodes: usize,
    tx_bytes: usize,
    window_s: f64,
    blocks: u64,
    tx_per_s: f64,
    mb_per_s: f64,
    p50_ms: f64,
    p99_ms: f64,
    rejected: u64,
}

fn run_one(
    bin_dir: &std::path::Path,
    nodes: usize,
    tx_bytes: usize,
    seconds: u64,
    submitters: usize,
) -> Result<Row, String> {
    let cluster = Cluster::start(&ClusterConfig {
        nodes,
        bin_dir: bin_dir.to_path_buf(),
        libp2p: false,
        cdn_args: Vec::new(),
        database_urls: Vec::new(),
        node_args: Vec::new(),
        per_node_args: Vec::new(),
    })
    .map_err(|e| e.to_string())?;
    let all: Vec<usize> = (0..nodes).collect();
    cluster.wait_heights(&all, 3, Duration::from_secs(120))?;

    let stop = Arc::new(AtomicBool::new(false));
    let counter = Arc::new(AtomicU64::new(0));
    let rejected = Arc::new(AtomicU64::new(0));
    let mut threads = Vec::new();
    for t in 0..submitters {
        let (stop, counter, rejected) = (stop.clone(), counter.clone(), rejected.clone());
        let apis: Vec<_> = cluster.api.iter().map(|&p| node_api(p)).collect();
        threads.push(std::thread::spawn(move || {
            let mut i = t;
            while !stop.load(Ordering::Relaxed) {
                // Unique payloads: an 8-byte sequence number, then filler.
                let seq = counter.fetch_add(1, Ordering::Relaxed);
                let mut payload = seq.to_be_bytes().to_vec();
                payload.resize(tx_bytes, 0xab);
                match block_on(apis[i % apis.len()].submit(1, &payload)) {
                    Ok(_) => {}
                    Err(_) => {
                        rejected.fetch_add(1, Ordering::Relaxed);
                        std::thread::sleep(Duration::from_millis(5));
                    }
                }
                i += 1;
            }
        }));
    }
    // Let the mempools fill before measuring.
    std::thread::sleep(Duration::from_secs(2));
    let h0 = cluster.max_height(&all);
    let before: Vec<Scrape> = cluster.api.iter().map(|&p| scrape(p)).collect();
    let start = Instant::now();
    std::thread::sleep(Duration::from_secs(seconds));
    let after: Vec<Scrape> = cluster.api.iter().map(|&p| scrape(p)).collect();
    let window_s = start.elapsed().as_secs_f64();
    let h1 = cluster.max_height(&all);
    stop.store(true, Ordering::Relaxed);
    for t in threads {
        t.join().ok();
    }
    let mut merged: BTreeMap<u64, f64> = BTreeMap::new();
    for (b, a) in before.iter().zip(&after) {
        for (bound, count) in &a.buckets {
            *merged.entry(*bound).or_default() +=
                count - b.buckets.get(bound).copied().unwrap_or(0.0);
        }
    }
    Ok(Row {
        nodes,
        tx_bytes,
        window_s,
        blocks: h1.saturating_sub(h0),
        tx_per_s: (after[0].transactions - before[0].transactions) / window_s,
        mb_per_s: (after[0].payload_bytes - before[0].payload_bytes) / window_s / 1e6,
        p50_ms: quantile_ms(&merged, 0.5),
        p99_ms: quantile_ms(&merged, 0.99),
        rejected: rejected.load(Ordering::Relaxed),
    })
}

fn main() {
    let a = args();
    let bin_dir = std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().and_then(|d| d.parent()).map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("target/release"));
    for bin in ["cdn-server", "sequencer"] {
        if !bin_dir.join(bin).exists() {
            eprintln!("{} is missing: run `cargo build --release -p sq-cdn -p sq-node --bins` first (or `just bench-network`)", bin_dir.join(bin).display());
            std::process::exit(2);
        }
    }
    let cores = std::thread::available_parallelism().map_or(0, std::num::NonZeroUsize::get);
    println!("network benchmark: cdn-server + N sequencers on 127.0.0.1, {cores} cores, {} s window, {} submitters", a.seconds, a.submitters);
    println!();
    println!("| N | tx bytes | window s | blocks | blocks/s | tx/s | payload MB/s | decide p50 ms | decide p99 ms | submits refused |");
    println!("|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
    for &n in &a.nodes {
        for &size in &a.tx_bytes {
            match run_one(&bin_dir, n, size, a.seconds, a.submitters) {
                Ok(r) => println!(
                    "| {} | {} | {:.1} | {} | {:.1} | {:.0} | {:.2} | {:.0} | {:.0} | {} |",
                    r.nodes,
                    r.tx_bytes,
                    r.window_s,
                    r.blocks,
                    r.blocks as f64 / r.window_s,
                    r.tx_per_s,
                    r.mb_per_s,
                    r.p50_ms,
                    r.p99_ms,
                    r.rejected
                ),
                Err(e) => println!(
                    "| {n} | {size} | failed: {} |",
                    e.lines().next().unwrap_or("")
                ),
            }
        }
    }
}
