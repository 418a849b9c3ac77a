//! The `rollup` binary refuses a missing or malformed genesis file with a clear error.

use std::process::Command;

fn rollup(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_rollup"))
        .args(args)
        .output()
        .expect("run rollup")
}

#[test]
fn a_missing_or_malformed_genesis_is_refused_clearly() {
    let dir = tempfile::tempdir().expect("dir");
    let missing = dir.path().join("nope.json");
    let out = rollup(&[
        "--node-url",
        "http://127.0.0.1:9",
        "--rollup-genesis",
        &missing.display().to_string(),
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot read the genesis file"), "{err}");

    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, br#"{"fee_recipient": "0x00", "accounts": []}"#).expect("write");
    let out = rollup(&[
        "--node-url",
        "http://127.0.0.1:9",
        "--rollup-genesis",
        &bad.display().to_string(),
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("is not valid"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}
