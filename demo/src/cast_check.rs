//! The self-check with the real `cast` binary: one transfer through the rollup's JSON-RPC,
//! its receipt, and the recipient's balance before and after.

use std::path::Path;
use std::time::{Duration, Instant};

use alloy::primitives::Address;
use anyhow::{bail, Context};
use serde_json::json;

use crate::accounts::{key_hex, rollup_key, SELF_CHECK};
use crate::stack::{json_rpc, run_once};

/// Value the check sends, wei.
pub const VALUE_WEI: u128 = 1_234_567;

/// The recipient of the check's transfer.
#[must_use]
pub fn recipient() -> Address {
    Address::repeat_byte(0xca)
}

/// `cast balance`, wei.
fn balance(cast: &Path, rpc: &str, who: Address) -> anyhow::Result<u128> {
    let out = run_once(
        "cast balance",
        cast,
        &[
            "balance".into(),
            format!("{who:#x}"),
            "--rpc-url".into(),
            rpc.into(),
        ],
    )?;
    out.trim()
        .parse()
        .with_context(|| format!("cast balance printed {out:?}"))
}

/// Runs the check: `cast send --async`, waits (up to `within`) for the receipt, then
/// `cast receipt … status` and `cast balance`. Returns a one-line description.
///
/// # Errors
/// Any step's failure, or a receipt status other than success, or a balance that did not
/// move by [`VALUE_WEI`].
pub fn run(cast: &Path, rpc_port: u16, within: Duration) -> anyhow::Result<String> {
    let rpc = format!("http://127.0.0.1:{rpc_port}");
    let to = recipient();
    let before = balance(cast, &rpc, to)?;
    let hash = run_once(
        "cast send",
        cast,
        &[
            "send".into(),
            "--private-key".into(),
            key_hex(&rollup_key(SELF_CHECK)),
            "--rpc-url".into(),
            rpc.clone(),
            format!("{to:#x}"),
            "--value".into(),
            VALUE_WEI.to_string(),
            "--async".into(),
        ],
    )?
    .trim()
    .to_owned();
    let deadline = Instant::now() + within;
    while json_rpc(rpc_port, "eth_getTransactionReceipt", json!([hash]))
        .map_or(true, |r| r.is_null())
    {
        if Instant::now() > deadline {
            bail!("no receipt for {hash} within {} s", within.as_secs());
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    let status = run_once(
        "cast receipt",
        cast,
        &[
            "receipt".into(),
            hash.clone(),
            "status".into(),
            "--rpc-url".into(),
            rpc.clone(),
        ],
    )?;
    let status = status.trim();
    if !(status == "1" || status == "true" || status.contains("success")) {
        bail!("cast receipt {hash} status: {status}");
    }
    let after = balance(cast, &rpc, to)?;
    if after.checked_sub(before) != Some(VALUE_WEI) {
        bail!("the balance of {to:#x} went from {before} to {after} wei, not +{VALUE_WEI}");
    }
    Ok(format!(
        "ok (tx {hash}, receipt status {status}, balance of {to:#x} +{VALUE_WEI} wei)"
    ))
}
