//! Starting and stopping the stack's processes, each logging to `RUN/logs/<name>.log`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use serde_json::Value;
use sq_testing::cluster::{free_port, Proc};

/// The running children, in start order, with their names.
#[derive(Debug, Default)]
pub struct Children {
    procs: Vec<(String, Proc)>,
}

impl Children {
    /// Starts `bin args…` as `name` in its own process group, logging to `logs/<name>.log`.
    ///
    /// # Errors
    /// When the binary cannot be started.
    pub fn spawn(
        &mut self,
        name: &str,
        bin: &Path,
        args: &[String],
        logs: &Path,
    ) -> anyhow::Result<()> {
        let log = logs.join(format!("{name}.log"));
        let p = Proc::spawn_in_own_group(bin, args, log)
            .with_context(|| format!("starting {name} ({})", bin.display()))?;
        self.procs.push((name.to_owned(), p));
        Ok(())
    }

    /// The first child that has exited, with its status and the last 30 lines of its log.
    pub fn first_dead(&mut self) -> Option<String> {
        self.procs.iter_mut().find_map(|(name, p)| {
            p.exited().map(|status| {
                format!(
                    "{name} exited unexpectedly ({status}); its log is {}; last lines:\n{}",
                    p.log_path().display(),
                    p.tail(30)
                )
            })
        })
    }

    /// Stops every child, newest first: SIGINT, 10 s grace, then SIGKILL. Returns the names
    /// of those that needed SIGKILL.
    pub fn stop_all(&mut self) -> Vec<String> {
        let mut killed = Vec::new();
        while let Some((name, mut p)) = self.procs.pop() {
            if !p.stop(Duration::from_secs(10)) {
                killed.push(name);
            }
        }
        killed
    }
}

/// Runs a one-shot command to completion; its stdout on success.
///
/// # Errors
/// When it cannot start or exits non-zero (with its stderr).
pub fn run_once(what: &str, bin: &Path, args: &[String]) -> anyhow::Result<String> {
    let out = Command::new(bin)
        .args(args)
        .output()
        .with_context(|| format!("{what}: starting {}", bin.display()))?;
    if !out.status.success() {
        bail!(
            "{what} failed ({}): {}{}",
            out.status,
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// One JSON-RPC call to `127.0.0.1:port`; the `result`.
///
/// # Errors
/// No answer, or an `error` object (its message).
pub fn json_rpc(port: u16, method: &str, params: Value) -> anyhow::Result<Value> {
    let v = sq_testing::http::json_rpc(port, method, params)
        .with_context(|| format!("{method}: no JSON answer on port {port}"))?;
    if let Some(e) = v.get("error") {
        bail!(
            "{}",
            e["message"].as_str().unwrap_or("error without a message")
        );
    }
    Ok(v["result"].clone())
}

/// Waits until `ready` holds, checking the children (a dead one fails at once).
///
/// # Errors
/// A child died, or `within` passed.
pub fn wait_until(
    what: &str,
    within: Duration,
    children: &mut Children,
    mut ready: impl FnMut() -> bool,
) -> anyhow::Result<()> {
    let deadline = Instant::now() + within;
    loop {
        if ready() {
            return Ok(());
        }
        if let Some(dead) = children.first_dead() {
            bail!("while waiting for {what}: {dead}");
        }
        if Instant::now() >= deadline {
            bail!("timed out after {} s waiting for {what}", within.as_secs());
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The ports of one run, picked free at start.
#[derive(Clone, Debug)]
pub struct Ports {
    /// anvil's JSON-RPC.
    pub anvil: u16,
    /// cdn-server's node port.
    pub cdn: u16,
    /// cdn-server's /metrics.
    pub cdn_metrics: u16,
    /// Each sequencer's HTTP API (status, availability, submit, /metrics).
    pub api: Vec<u16>,
    /// The rollup JSON-RPC of nodes 0 and 1.
    pub rpc: [u16; 2],
    /// The rollup proof-data-handler API (and its /metrics) of nodes 0 and 1.
    pub pdh: [u16; 2],
    /// The prover's /metrics and /queue_report.
    pub prover_metrics: u16,
}

impl Ports {
    /// Free ports for `nodes` sequencers, all distinct (the OS may hand out a port it just
    /// released again, so each is checked against the ones already picked).
    #[must_use]
    pub fn pick(nodes: usize) -> Ports {
        let mut taken = std::collections::HashSet::new();
        let mut next = || loop {
            let p = free_port();
            if taken.insert(p) {
                return p;
            }
        };
        Ports {
            anvil: next(),
            cdn: next(),
            cdn_metrics: next(),
            api: (0..nodes).map(|_| next()).collect(),
            rpc: [next(), next()],
            pdh: [next(), next()],
            prover_metrics: next(),
        }
    }
}

/// The run folder: `RUNS/<unix ms>/{logs,data}`.
#[derive(Clone, Debug)]
pub struct RunDir {
    /// The run's root.
    pub root: PathBuf,
    /// Logs, one per process; kept.
    pub logs: PathBuf,
    /// Keys, databases, the genesis and the addresses file; deleted unless `--keep-data`.
    pub data: PathBuf,
}

impl RunDir {
    /// Creates a fresh run folder under `runs`.
    ///
    /// # Errors
    /// When it cannot be created.
    pub fn create(runs: &Path) -> anyhow::Result<RunDir> {
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        let root = runs.join(stamp.to_string());
        let (logs, data) = (root.join("logs"), root.join("data"));
        for d in [&logs, &data] {
            std::fs::create_dir_all(d).with_context(|| format!("creating {}", d.display()))?;
        }
        Ok(RunDir { root, logs, data })
    }
}

#[cfg(test)]
mod tests {
    use super::Ports;

    #[test]
    fn picked_ports_are_distinct() {
        for _ in 0..20 {
            let p = Ports::pick(10);
            let mut all = vec![p.anvil, p.cdn, p.cdn_metrics, p.prover_metrics];
            all.extend(&p.api);
            all.extend(p.rpc);
            all.extend(p.pdh);
            let n = all.len();
            all.sort_unstable();
            all.dedup();
            assert_eq!(all.len(), n);
        }
    }
}
