//! A local cluster of real processes on 127.0.0.1: one `cdn-server` and N `sequencer`s, each
//! logging to its own file. Used by the process-level tests and the network benchmark; every
//! process is killed when its [`Proc`] is dropped.
//!
//! Node `i` uses the BLS key derived from the input keying material `[i + 1; 32]` (test keys:
//! anyone can derive them), written to `node{i}.key` in the cluster's folder. The nodes' APIs
//! are read with the typed `sq_api` client ([`crate::http::node_api`]).

use sq_api::StatusBody;
use sq_types::BlsKeyPair;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::http::{block_on, node_api};

/// A child process that is killed (SIGKILL) and reaped when dropped.
#[derive(Debug)]
pub struct Proc {
    child: Child,
    log: PathBuf,
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

impl Proc {
    /// Starts `bin args…` with stdout and stderr going to `log` and `RUST_LOG=info`.
    ///
    /// # Errors
    /// When the log file cannot be created or the binary cannot be started.
    pub fn spawn(bin: &Path, args: &[String], log: PathBuf) -> std::io::Result<Proc> {
        Proc::spawn_inner(bin, args, log, false)
    }

    /// As [`Proc::spawn`], but in a process group of its own, so that a Ctrl-C in the
    /// terminal reaches only the parent, which then stops it with [`Proc::stop`].
    ///
    /// # Errors
    /// When the log file cannot be created or the binary cannot be started.
    pub fn spawn_in_own_group(bin: &Path, args: &[String], log: PathBuf) -> std::io::Result<Proc> {
        Proc::spawn_inner(bin, args, log, true)
    }

    fn spawn_inner(
        bin: &Path,
        args: &[String],
        log: PathBuf,
        own_group: bool,
    ) -> std::io::Result<Proc> {
        use std::os::unix::process::CommandExt;
        let out = std::fs::File::create(&log)?;
        let mut cmd = Command::new(bin);
        if own_group {
            cmd.process_group(0);
        }
        let child = cmd
            .args(args)
            .env("RUST_LOG", "info")
            .stdout(out.try_clone()?)
            .stderr(out)
            .stdin(Stdio::null())
            .spawn()
            .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", bin.display())))?;
        Ok(Proc { child, log })
    }

    /// The OS process id (for signals such as SIGSTOP in tests).
    #[must_use]
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The last `lines` lines of its log.
    #[must_use]
    pub fn tail(&self, lines: usize) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let all: Vec<&str> = text.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }

    /// Stops it cleanly: SIGINT (what every binary here treats as "shut down"), then up to
    /// `grace` for it to exit, then SIGKILL. Returns `true` if it exited on SIGINT in time.
    pub fn stop(&mut self, grace: Duration) -> bool {
        if self.exited().is_some() {
            return true;
        }
        let sent = Command::new("kill")
            .args(["-INT", &self.pid().to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        let deadline = Instant::now() + grace;
        while sent && Instant::now() < deadline {
            if self.exited().is_some() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        self.child.kill().ok();
        self.child.wait().ok();
        false
    }

    /// The log file's path.
    #[must_use]
    pub fn log_path(&self) -> &Path {
        &self.log
    }

    /// Whether it has exited (and its status, if so).
    pub fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().ok().flatten()
    }
}

/// A TCP port that was free on 127.0.0.1 a moment ago (the OS picks it), and that this process
/// has not handed out before: the OS may return a port it just released again, and two
/// children told the same port would fail to bind.
///
/// # Panics
/// When no port can be bound at all.
#[must_use]
pub fn free_port() -> u16 {
    static ISSUED: std::sync::Mutex<Vec<u16>> = std::sync::Mutex::new(Vec::new());
    loop {
        #[allow(clippy::unwrap_used)]
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap();
        let mut issued = ISSUED
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if !issued.contains(&port) {
            issued.push(port);
            return port;
        }
    }
}

/// Makes sure `dir` holds every binary in `bins`: when one is missing, runs `cargo build
/// --bins` for `packages` (with `$CARGO`, else `cargo`). For tests that start the stack's
/// processes from their own build folder.
///
/// # Panics
/// When cargo cannot be started or the build fails.
pub fn ensure_bins(dir: &Path, bins: &[&str], packages: &[&str]) {
    if bins.iter().all(|b| dir.join(b).exists()) {
        return;
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.arg("build");
    for p in packages {
        cmd.args(["-p", p]);
    }
    #[allow(clippy::expect_used)]
    let status = cmd.arg("--bins").status().expect("cargo");
    assert!(status.success(), "building the binaries failed");
}

/// `GET /v0/status` of the node whose API listens on `port`; `None` when it does not answer
/// within [`crate::http::TIMEOUT`] or answers something else.
#[must_use]
pub fn status(port: u16) -> Option<StatusBody> {
    block_on(node_api(port).status()).ok()
}

/// The decided height the node on `port` reports (`block_height` of `/v0/status`).
#[must_use]
pub fn height(port: u16) -> Option<u64> {
    status(port).map(|s| s.block_height)
}

/// How to start a cluster.
#[derive(Clone, Debug)]
pub struct ClusterConfig {
    /// Number of sequencer nodes (`cdn-server -n`).
    pub nodes: usize,
    /// Folder holding `cdn-server` and `sequencer`.
    pub bin_dir: PathBuf,
    /// Whether nodes also run libp2p (the CDN fallback), each bootstrapping from all others.
    pub libp2p: bool,
    /// Extra `cdn-server` flags (timings, limits).
    pub cdn_args: Vec<String>,
    /// `--database-url` per node index; nodes not listed use SQLite in their data directory.
    pub database_urls: Vec<(usize, String)>,
    /// Extra `sequencer` flags for every node.
    pub node_args: Vec<String>,
    /// Extra `sequencer` flags for one node index (after `node_args`).
    pub per_node_args: Vec<(usize, Vec<String>)>,
}

/// A running cluster. Dropping it kills every process and deletes its folder.
#[derive(Debug)]
pub struct Cluster {
    dir: tempfile::TempDir,
    bin_dir: PathBuf,
    libp2p: bool,
    database_urls: Vec<(usize, String)>,
    node_args: Vec<String>,
    per_node_args: Vec<(usize, Vec<String>)>,
    /// The CDN server, `None` once killed.
    pub cdn: Option<Proc>,
    /// The CDN's node port.
    pub cdn_port: u16,
    /// The CDN's metrics port.
    pub cdn_metrics_port: u16,
    /// The nodes, `None` where killed.
    pub nodes: Vec<Option<Proc>>,
    /// Each node's API port.
    pub api: Vec<u16>,
    p2p: Vec<u16>,
}

impl Cluster {
    /// Starts the CDN server, then the nodes.
    ///
    /// # Errors
    /// When a folder, key file or process cannot be created.
    pub fn start(cfg: &ClusterConfig) -> std::io::Result<Cluster> {
        let dir = tempfile::tempdir()?;
        let cdn_port = free_port();
        let cdn_metrics_port = free_port();
        let mut args: Vec<String> = [
            "-p",
            &cdn_port.to_string(),
            "-n",
            &cfg.nodes.to_string(),
            "--bind",
            "127.0.0.1",
            "--metrics-port",
            &cdn_metrics_port.to_string(),
            "--start-delay-ms",
            "500",
        ]
        .map(String::from)
        .to_vec();
        args.extend(cfg.cdn_args.iter().cloned());
        let cdn = Proc::spawn(
            &cfg.bin_dir.join("cdn-server"),
            &args,
            dir.path().join("cdn.log"),
        )?;
        let mut c = Cluster {
            dir,
            bin_dir: cfg.bin_dir.clone(),
            libp2p: cfg.libp2p,
            database_urls: cfg.database_urls.clone(),
            node_args: cfg.node_args.clone(),
            per_node_args: cfg.per_node_args.clone(),
            cdn: Some(cdn),
            cdn_port,
            cdn_metrics_port,
            nodes: Vec::new(),
            api: (0..cfg.nodes).map(|_| free_port()).collect(),
            p2p: (0..cfg.nodes).map(|_| free_port()).collect(),
        };
        for i in 0..cfg.nodes {
            let key = BlsKeyPair::from_ikm(&[i as u8 + 1; 32])
                .map_err(|e| std::io::Error::other(e.to_string()))?;
            std::fs::write(c.dir.path().join(format!("node{i}.key")), key.to_hex())?;
            let node = c.spawn_node(i)?;
            c.nodes.push(Some(node));
        }
        Ok(c)
    }

    /// The cluster's folder (keys, data directories, logs).
    #[must_use]
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Starts node `i` (again), keeping its data directory; each start gets a new log file.
    /// Every other node's API is passed as `--peer-api` (for catch-up).
    ///
    /// # Errors
    /// When the process cannot be started.
    pub fn spawn_node(&self, i: usize) -> std::io::Result<Proc> {
        let d = self.dir.path();
        let mut args: Vec<String> = vec![
            "--cdn-url".into(),
            format!("tcp://127.0.0.1:{}", self.cdn_port),
            "--key-file".into(),
            d.join(format!("node{i}.key")).display().to_string(),
            "--data-dir".into(),
            d.join(format!("data{i}")).display().to_string(),
            "--api-port".into(),
            self.api[i].to_string(),
        ];
        for (_, port) in self.api.iter().enumerate().filter(|(j, _)| *j != i) {
            args.push("--peer-api".into());
            args.push(format!("http://127.0.0.1:{port}"));
        }
        if let Some((_, url)) = self.database_urls.iter().find(|(j, _)| *j == i) {
            args.push("--database-url".into());
            args.push(url.clone());
        }
        args.extend(self.node_args.iter().cloned());
        for (_, extra) in self.per_node_args.iter().filter(|(j, _)| *j == i) {
            args.extend(extra.iter().cloned());
        }
        if self.libp2p {
            args.push("--libp2p-listen".into());
            args.push(format!("/ip4/127.0.0.1/tcp/{}", self.p2p[i]));
            for (_, port) in self.p2p.iter().enumerate().filter(|(j, _)| *j != i) {
                args.push("--libp2p-bootstrap".into());
                args.push(format!("/ip4/127.0.0.1/tcp/{port}"));
            }
        }
        let started = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |t| t.as_millis());
        let log = d.join(format!("node{i}.{started}.log"));
        Proc::spawn(&self.bin_dir.join("sequencer"), &args, log)
    }

    /// The tails of every live process's log, for failure messages.
    #[must_use]
    pub fn logs(&self) -> String {
        let mut out = String::new();
        if let Some(c) = &self.cdn {
            out += &format!("--- cdn-server\n{}\n", c.tail(15));
        }
        for (i, n) in self.nodes.iter().enumerate() {
            if let Some(n) = n {
                out += &format!("--- node {i}\n{}\n", n.tail(15));
            }
        }
        out
    }

    /// Waits until every listed node reports a height of at least `target`.
    ///
    /// # Errors
    /// After `within`, the heights seen last and the logs' tails.
    pub fn wait_heights(
        &self,
        nodes: &[usize],
        target: u64,
        within: Duration,
    ) -> Result<(), String> {
        let deadline = Instant::now() + within;
        loop {
            let heights: Vec<Option<u64>> = nodes.iter().map(|&i| height(self.api[i])).collect();
            if heights.iter().all(|h| h.is_some_and(|h| h >= target)) {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(format!(
                    "heights {heights:?}, wanted {target}\n{}",
                    self.logs()
                ));
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// The highest height any listed node reports (0 when none answers).
    #[must_use]
    pub fn max_height(&self, nodes: &[usize]) -> u64 {
        nodes
            .iter()
            .filter_map(|&i| height(self.api[i]))
            .max()
            .unwrap_or(0)
    }
}
