//! The demo's L1: anvil, the contracts deployed with `sq-l1`, and every node's BLS key
//! registered in the stake table from its own funded account.

use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use serde_json::json;
use sq_types::BlsKeyPair;

use crate::accounts::{key_hex, l1_key, ANVIL_DEPLOYER_KEY, POSTER};
use crate::stack::{json_rpc, run_once, wait_until, Children};

/// Starts anvil on `port` (chain id 31337, instant mining).
///
/// # Errors
/// When it cannot start or does not answer within 30 s.
pub fn start_anvil(
    children: &mut Children,
    foundry_bin: &Path,
    port: u16,
    logs: &Path,
) -> anyhow::Result<()> {
    let args = ["--port", &port.to_string(), "--host", "127.0.0.1"].map(String::from);
    children.spawn("anvil", &foundry_bin.join("anvil"), &args, logs)?;
    wait_until("anvil", Duration::from_secs(30), children, || {
        json_rpc(port, "eth_chainId", json!([])).is_ok()
    })
}

/// Funds `address` with 100 ETH (`anvil_setBalance`).
fn fund(port: u16, address: alloy::primitives::Address) -> anyhow::Result<()> {
    json_rpc(
        port,
        "anvil_setBalance",
        json!([format!("{address:#x}"), "0x56bc75e2d63100000"]),
    )
    .map(|_| ())
}

/// Writes a fresh BLS key per node to `data/node{i}.key`, deploys `StakeTable`, registers
/// every key from L1 account `i` (1 ETH of stake each), funds the commitment poster, and
/// freezes the table into `HotShotCommitments`. Returns the addresses file.
///
/// # Errors
/// Any step's failure, with `sq-l1`'s message.
pub fn deploy(
    sq_l1: &Path,
    anvil_port: u16,
    nodes: u16,
    data: &Path,
) -> anyhow::Result<std::path::PathBuf> {
    let rpc = format!("http://127.0.0.1:{anvil_port}");
    let addresses = data.join("addresses.json");
    let base = |cmd: &str| -> Vec<String> { vec!["--rpc-url".into(), rpc.clone(), cmd.into()] };
    let mut args = base("deploy-stake-table");
    args.extend(
        ["--private-key", ANVIL_DEPLOYER_KEY, "--out"]
            .map(String::from)
            .into_iter()
            .chain([addresses.display().to_string()]),
    );
    run_once("sq-l1 deploy-stake-table", sq_l1, &args)?;
    for i in 0..nodes {
        let key_file = data.join(format!("node{i}.key"));
        std::fs::write(&key_file, BlsKeyPair::generate().to_hex())
            .with_context(|| format!("writing {}", key_file.display()))?;
        let operator = l1_key(u8::try_from(i + 1).context("at most 199 nodes")?);
        fund(anvil_port, operator.address())?;
        let mut args = base("register");
        args.extend([
            "--private-key".into(),
            key_hex(&operator),
            "--addresses".into(),
            addresses.display().to_string(),
            "--bls-key-file".into(),
            key_file.display().to_string(),
        ]);
        run_once(&format!("sq-l1 register (node {i})"), sq_l1, &args)?;
    }
    fund(anvil_port, l1_key(POSTER).address())?;
    let mut args = base("freeze");
    args.extend([
        "--private-key".into(),
        ANVIL_DEPLOYER_KEY.into(),
        "--addresses".into(),
        addresses.display().to_string(),
    ]);
    run_once("sq-l1 freeze", sq_l1, &args)?;
    Ok(addresses)
}

/// The commitments contract's address from the addresses file.
///
/// # Errors
/// An unreadable file or one without a commitments address.
pub fn commitments_address(addresses: &Path) -> anyhow::Result<String> {
    let text = std::fs::read_to_string(addresses)?;
    let v: serde_json::Value = serde_json::from_str(&text)?;
    v["commitments"]
        .as_str()
        .map(str::to_owned)
        .context("the addresses file names no commitments contract")
}

/// `HotShotCommitments.latestHeight()` through `eth_call`.
///
/// # Errors
/// No answer or a malformed one.
pub fn latest_height(anvil_port: u16, commitments: &str) -> anyhow::Result<u64> {
    let selector = &alloy::primitives::keccak256("latestHeight()")[..4];
    let v = json_rpc(
        anvil_port,
        "eth_call",
        json!([{ "to": commitments, "data": format!("0x{}", hex::encode(selector)) }, "latest"]),
    )?;
    let word = v.as_str().context("eth_call result is not a string")?;
    let digits = word.trim_start_matches("0x").trim_start_matches('0');
    if digits.is_empty() {
        return Ok(0);
    }
    u64::from_str_radix(digits, 16).context("latestHeight() is not a u64")
}
