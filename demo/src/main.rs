//! `demo`: the whole stack on one machine (see the `sq-demo` library for the parts).
//!
//! ```text
//! just demo                      # 4 nodes until Ctrl-C
//! just demo --nodes 10 --duration 300 --database-url postgres://postgres@127.0.0.1/prover
//! ```
//! Every process logs to `demo-runs/<unix ms>/logs/`; a process that dies ends the demo with
//! its log's tail and exit code 1.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use clap::Parser;

use sq_demo::accounts::{self, key_hex, l1_key, rollup_key, POSTER, YOURS};
use sq_demo::args::Args;
use sq_demo::stack::{self, run_once, wait_until, Children, Ports, RunDir};
use sq_demo::summary::{keep_running, render_summary, status_line, Snapshot};
use sq_demo::{cast_check, l1, load, status};

const PROTOCOL_VERSION: &str = "0.1.0";

fn main() -> ExitCode {
    let args = Args::parse();
    let stop = Arc::new(AtomicBool::new(false));
    let _signals = match watch_signals(stop.clone()) {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("demo: cannot install the signal handlers: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    let mut children = Children::default();
    let outcome = run(&args, &stop, &mut children);
    let killed = children.stop_all();
    if !killed.is_empty() {
        eprintln!("demo: had to SIGKILL {}", killed.join(", "));
    }
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("demo failed: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// A runtime whose only task sets `stop` on SIGINT or SIGTERM.
fn watch_signals(stop: Arc<AtomicBool>) -> anyhow::Result<tokio::runtime::Runtime> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    let mut term = {
        let _guard = rt.enter();
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?
    };
    rt.spawn(async move {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
        stop.store(true, Ordering::Relaxed);
    });
    Ok(rt)
}

fn s(v: impl ToString) -> String {
    v.to_string()
}

fn find_bins(args: &Args) -> anyhow::Result<PathBuf> {
    let dir = match &args.bin_dir {
        Some(d) => d.clone(),
        None => std::env::current_exe()?
            .parent()
            .context("the demo binary has no folder")?
            .to_path_buf(),
    };
    for b in ["cdn-server", "sequencer", "sq-l1", "prover", "prover-cli"] {
        if !dir.join(b).exists() {
            bail!(
                "{} is missing; build the binaries first (`just demo` does: cargo build --release)",
                dir.join(b).display()
            );
        }
    }
    for b in ["anvil", "cast"] {
        if !args.foundry_bin.join(b).exists() {
            bail!(
                "{} is missing; install Foundry with `just contracts-install` (npm, into contracts/)",
                args.foundry_bin.join(b).display()
            );
        }
    }
    Ok(dir)
}

fn run(args: &Args, stop: &AtomicBool, children: &mut Children) -> anyhow::Result<()> {
    let bins = find_bins(args)?;
    let cast = std::path::absolute(args.foundry_bin.join("cast"))?;
    let dir = RunDir::create(&args.runs_dir)?;
    let result = run_in(args, stop, children, &bins, &cast, &dir);
    children.stop_all();
    println!("logs: {}", dir.logs.display());
    if args.keep_data {
        println!("data kept: {}", dir.data.display());
    } else {
        std::fs::remove_dir_all(&dir.data).ok();
    }
    result
}

#[allow(clippy::too_many_lines)]
fn run_in(
    args: &Args,
    stop: &AtomicBool,
    children: &mut Children,
    bins: &Path,
    cast: &Path,
    dir: &RunDir,
) -> anyhow::Result<()> {
    let n = usize::from(args.nodes);
    let ports = Ports::pick(n);
    let (data, logs) = (dir.data.as_path(), dir.logs.as_path());
    println!("run folder: {}", dir.root.display());

    println!("[setup] anvil on 127.0.0.1:{}", ports.anvil);
    l1::start_anvil(children, &args.foundry_bin, ports.anvil, logs)?;
    println!(
        "[setup] deploying StakeTable, registering {n} node keys, freezing HotShotCommitments"
    );
    let addresses = l1::deploy(&bins.join("sq-l1"), ports.anvil, args.nodes, data)?;
    let commitments = l1::commitments_address(&addresses)?;
    let l1_url = format!("http://127.0.0.1:{}", ports.anvil);

    let genesis = data.join("genesis.json");
    std::fs::write(&genesis, serde_json::to_vec_pretty(&accounts::genesis())?)?;
    let db_url = match &args.database_url {
        Some(u) => {
            println!("[setup] clearing the prover tables of {u}");
            run_once(
                "prover-cli delete --all",
                &bins.join("prover-cli"),
                &[
                    s("--db-url"),
                    u.clone(),
                    s("delete"),
                    s("--all"),
                    s("--yes"),
                ],
            )
            .map(|_| ())
            .or_else(|e| {
                // A database the prover never used has no tables yet: init creates them.
                if e.to_string().contains("does not exist")
                    || e.to_string().contains("no such table")
                {
                    Ok(())
                } else {
                    Err(e)
                }
            })?;
            u.clone()
        }
        None => format!("sqlite://{}", data.join("prover.sqlite").display()),
    };
    run_once(
        "prover init",
        &bins.join("prover"),
        &[
            s("init"),
            s("--db-url"),
            db_url.clone(),
            s("--protocol-version"),
            s(PROTOCOL_VERSION),
        ],
    )?;

    println!(
        "[setup] cdn-server on 127.0.0.1:{} (stake table from L1)",
        ports.cdn
    );
    children.spawn(
        "cdn-server",
        &bins.join("cdn-server"),
        &[
            s("-p"),
            s(ports.cdn),
            s("--bind"),
            s("127.0.0.1"),
            s("--metrics-port"),
            s(ports.cdn_metrics),
            s("--stake-table-from-l1"),
            s("--l1-url"),
            l1_url.clone(),
            s("--addresses"),
            s(addresses.display()),
        ],
        logs,
    )?;
    println!("[setup] {n} sequencers (rollup in nodes 0 and 1, the L1 commitment task in node 0)");
    for i in 0..n {
        let mut a = vec![
            s("--cdn-url"),
            format!("tcp://127.0.0.1:{}", ports.cdn),
            s("--key-file"),
            s(data.join(format!("node{i}.key")).display()),
            s("--data-dir"),
            s(data.join(format!("node{i}")).display()),
            s("--api-port"),
            s(ports.api[i]),
        ];
        for (j, p) in ports.api.iter().enumerate().filter(|(j, _)| *j != i) {
            let _ = j;
            a.extend([s("--peer-api"), format!("http://127.0.0.1:{p}")]);
        }
        if i < 2 {
            a.extend([
                s("--rollup-genesis"),
                s(genesis.display()),
                s("--rollup-rpc-addr"),
                format!("127.0.0.1:{}", ports.rpc[i]),
                s("--rollup-pdh-addr"),
                format!("127.0.0.1:{}", ports.pdh[i]),
                s("--rollup-batch-max-transfers"),
                s(args.batch_max_transfers),
                s("--rollup-batch-max-age-ms"),
                s(args.batch_max_age_ms),
                s("--rollup-protocol-version"),
                s(PROTOCOL_VERSION),
            ]);
        }
        if i == 0 {
            a.extend([
                s("--l1-url"),
                l1_url.clone(),
                s("--l1-addresses"),
                s(addresses.display()),
                s("--l1-private-key"),
                key_hex(&l1_key(POSTER)),
            ]);
        }
        children.spawn(&format!("node{i}"), &bins.join("sequencer"), &a, logs)?;
    }
    wait_until(
        "the first decided block",
        Duration::from_secs(180),
        children,
        || sq_testing::cluster::height(ports.api[0]).is_some_and(|h| h >= 1),
    )?;
    wait_until(
        "the rollup JSON-RPC",
        Duration::from_secs(60),
        children,
        || stack::json_rpc(ports.rpc[0], "eth_chainId", serde_json::json!([])).is_ok(),
    )?;

    println!("[setup] prover run ({})", mask(&db_url));
    children.spawn(
        "prover",
        &bins.join("prover"),
        &[
            s("run"),
            s("--db-url"),
            db_url.clone(),
            s("--protocol-version"),
            s(PROTOCOL_VERSION),
            s("--rollup-url"),
            format!("http://127.0.0.1:{}", ports.pdh[0]),
            s("--metrics-addr"),
            format!("127.0.0.1:{}", ports.prover_metrics),
            s("--worker-id"),
            s("demo-prover"),
            s("--chunk-size"),
            s(args.chunk_size),
            s("--poll-ms"),
            s(200),
        ],
        logs,
    )?;

    print_endpoints(&ports, &commitments, cast);

    let counters = Arc::new(load::LoadCounters::default());
    let load_stop = Arc::new(AtomicBool::new(false));
    let load_threads = load::start(
        load::LoadConfig {
            rpc_port: ports.rpc[0],
            api_ports: ports.api.clone(),
            tps: args.tps,
            payloads_per_s: args.payloads_per_s,
        },
        load_stop.clone(),
        counters.clone(),
    );
    let (cast_tx, cast_rx) = mpsc::channel();
    {
        let (cast, port) = (cast.to_path_buf(), ports.rpc[0]);
        std::thread::spawn(move || {
            let r = cast_check::run(&cast, port, Duration::from_secs(120));
            cast_tx.send(r).ok();
        });
    }

    let sources = status::Sources {
        node_api: ports.api[0],
        anvil: ports.anvil,
        commitments,
        pdh: ports.pdh[0],
        prover: ports.prover_metrics,
    };
    let t0 = Instant::now();
    let start = status::read(&sources, &Snapshot::default(), 0.0, &counters);
    let mut prev = start.clone();
    let mut cast_result: Option<String> = None;
    let running = |prev: &Snapshot| {
        keep_running(
            t0.elapsed().as_secs_f64(),
            args.duration,
            prev.batches_verified,
            args.until_verified,
            args.until_verified_max,
        )
    };
    let mut failure = None;
    let mut tick = t0;
    while !stop.load(Ordering::Relaxed) && running(&prev) {
        // One line per second of wall time, however long the reads take.
        tick += Duration::from_secs(1);
        std::thread::sleep(tick.saturating_duration_since(Instant::now()));
        if let Some(dead) = children.first_dead() {
            failure = Some(dead);
            break;
        }
        if cast_result.is_none() {
            if let Ok(r) = cast_rx.try_recv() {
                let line = r.unwrap_or_else(|e| format!("FAILED: {e:#}"));
                println!("[cast] {line}");
                cast_result = Some(line);
            }
        }
        let now = status::read(&sources, &prev, t0.elapsed().as_secs_f64(), &counters);
        println!("{}", status_line(&now, &prev));
        prev = now;
    }
    load_stop.store(true, Ordering::Relaxed);
    for t in load_threads {
        t.join().ok();
    }
    if let Some(dead) = failure {
        bail!("{dead}");
    }
    let cast_result = match cast_result {
        Some(r) => r,
        None => match cast_rx.recv_timeout(Duration::from_secs(if stop.load(Ordering::Relaxed) {
            0
        } else {
            60
        })) {
            Ok(r) => r.unwrap_or_else(|e| format!("FAILED: {e:#}")),
            Err(_) => "not finished".into(),
        },
    };
    let end = status::read(&sources, &prev, t0.elapsed().as_secs_f64(), &counters);
    print!("{}", render_summary(args.nodes, &start, &end, &cast_result));
    Ok(())
}

/// A database URL without its password.
fn mask(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

fn print_endpoints(ports: &Ports, commitments: &str, cast: &Path) {
    let yours = rollup_key(YOURS);
    println!("--- endpoints ---");
    println!(
        "L1 (anvil) JSON-RPC      http://127.0.0.1:{}   HotShotCommitments {commitments}",
        ports.anvil
    );
    println!(
        "cdn-server metrics       http://127.0.0.1:{}/metrics",
        ports.cdn_metrics
    );
    for (i, p) in ports.api.iter().enumerate() {
        println!("node {i} API              http://127.0.0.1:{p}/v0/status   /metrics   /v0/openapi.json");
    }
    for i in 0..2 {
        println!(
            "rollup (node {i}) JSON-RPC  http://127.0.0.1:{}   proof data / metrics http://127.0.0.1:{}/batches  /metrics",
            ports.rpc[i], ports.pdh[i]
        );
    }
    println!(
        "prover metrics           http://127.0.0.1:{}/metrics   /queue_report",
        ports.prover_metrics
    );
    println!(
        "--- try it (account {:#x}, funded at genesis) ---",
        yours.address()
    );
    println!(
        "{} send --rpc-url http://127.0.0.1:{} --private-key {} 0x000000000000000000000000000000000000dEaD --value 1000000000000000",
        cast.display(),
        ports.rpc[0],
        key_hex(&yours)
    );
    println!(
        "{} balance --rpc-url http://127.0.0.1:{} 0x000000000000000000000000000000000000dEaD",
        cast.display(),
        ports.rpc[0]
    );
    println!("-----------------");
}

#[cfg(test)]
mod tests {
    use super::mask;

    #[test]
    fn passwords_are_masked() {
        assert_eq!(mask("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(mask("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(mask("sqlite://x.sqlite"), "sqlite://x.sqlite");
    }
}
