//! The load generator: signed EIP-1559 transfers from the funded genesis accounts through the
//! rollup's JSON-RPC (`eth_sendRawTransaction`), and raw payloads in another namespace
//! through the sequencers' `POST /v0/submit`, each at a fixed rate.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use sq_testing::http::{block_on, node_api};

use crate::accounts::{recipient, rollup_key, signed_transfer, LOAD_ACCOUNTS, RAW_NAMESPACE};
use crate::stack::json_rpc;

/// What the load generator has done so far.
#[derive(Debug, Default)]
pub struct LoadCounters {
    /// Transfers the JSON-RPC accepted.
    pub transfers_sent: AtomicU64,
    /// Transfers it refused (each refusal is logged to stderr once per account and reason).
    pub transfers_refused: AtomicU64,
    /// Raw payloads a sequencer accepted.
    pub payloads_sent: AtomicU64,
    /// Raw payloads refused or unanswered.
    pub payloads_refused: AtomicU64,
}

/// Where to send and how fast.
#[derive(Clone, Debug)]
pub struct LoadConfig {
    /// The rollup JSON-RPC port.
    pub rpc_port: u16,
    /// Sequencer API ports for raw payloads (round robin).
    pub api_ports: Vec<u16>,
    /// Transfers per second.
    pub tps: u32,
    /// Raw payloads per second.
    pub payloads_per_s: u32,
}

/// Sends transfers until `stop`; runs on the calling thread.
pub fn transfers(cfg: &LoadConfig, stop: &AtomicBool, counters: &LoadCounters) {
    if cfg.tps == 0 {
        return;
    }
    let keys: Vec<_> = (1..=LOAD_ACCOUNTS).map(rollup_key).collect();
    let mut nonces: Vec<Option<u64>> = vec![None; keys.len()];
    let interval = Duration::from_secs_f64(1.0 / f64::from(cfg.tps));
    let mut next = Instant::now();
    let mut n: u64 = 0;
    let mut last_error = String::new();
    while !stop.load(Ordering::Relaxed) {
        let i = (n % keys.len() as u64) as usize;
        let key = &keys[i];
        let nonce = match nonces[i] {
            Some(v) => v,
            None => match pending_nonce(cfg.rpc_port, key.address()) {
                Some(v) => v,
                None => {
                    std::thread::sleep(Duration::from_millis(200));
                    continue;
                }
            },
        };
        let sent = signed_transfer(key, nonce, recipient(n), 1_000 + n % 1_000)
            .map_err(|e| e.to_string())
            .and_then(|raw| {
                json_rpc(
                    cfg.rpc_port,
                    "eth_sendRawTransaction",
                    json!([format!("0x{}", hex::encode(raw))]),
                )
                .map_err(|e| e.to_string())
            });
        match sent {
            Ok(_) => {
                nonces[i] = Some(nonce + 1);
                counters.transfers_sent.fetch_add(1, Ordering::Relaxed);
            }
            Err(e) => {
                // Re-read the nonce next time: a refusal may mean our count drifted.
                nonces[i] = None;
                counters.transfers_refused.fetch_add(1, Ordering::Relaxed);
                if e != last_error {
                    eprintln!("load: transfer refused: {e}");
                    last_error = e;
                }
            }
        }
        n += 1;
        next += interval;
        let now = Instant::now();
        if next > now {
            std::thread::sleep(next - now);
        } else if now - next > Duration::from_secs(1) {
            // Fell behind (slow answers): do not burst to catch up.
            next = now;
        }
    }
}

fn pending_nonce(port: u16, address: alloy::primitives::Address) -> Option<u64> {
    let v = json_rpc(
        port,
        "eth_getTransactionCount",
        json!([format!("{address:#x}"), "pending"]),
    )
    .ok()?;
    u64::from_str_radix(v.as_str()?.trim_start_matches("0x"), 16).ok()
}

/// Sends raw payloads (namespace [`RAW_NAMESPACE`], 64–319 bytes, unique) until `stop`.
pub fn payloads(cfg: &LoadConfig, stop: &AtomicBool, counters: &LoadCounters) {
    if cfg.payloads_per_s == 0 || cfg.api_ports.is_empty() {
        return;
    }
    let interval = Duration::from_secs_f64(1.0 / f64::from(cfg.payloads_per_s));
    let apis: Vec<_> = cfg.api_ports.iter().map(|&p| node_api(p)).collect();
    let mut n: u64 = 0;
    while !stop.load(Ordering::Relaxed) {
        let api = &apis[(n % apis.len() as u64) as usize];
        let len = 64 + (n % 256) as usize;
        let mut payload = format!("demo payload {n} ").into_bytes();
        payload.resize(len, b'.');
        match block_on(api.submit(RAW_NAMESPACE, &payload)) {
            Ok(_) => counters.payloads_sent.fetch_add(1, Ordering::Relaxed),
            Err(_) => counters.payloads_refused.fetch_add(1, Ordering::Relaxed),
        };
        n += 1;
        std::thread::sleep(interval);
    }
}

/// Starts both generators on their own threads.
#[must_use]
pub fn start(
    cfg: LoadConfig,
    stop: Arc<AtomicBool>,
    counters: Arc<LoadCounters>,
) -> Vec<std::thread::JoinHandle<()>> {
    let (c1, s1, k1) = (cfg.clone(), stop.clone(), counters.clone());
    vec![
        std::thread::spawn(move || transfers(&c1, &s1, &k1)),
        std::thread::spawn(move || payloads(&cfg, &stop, &counters)),
    ]
}
