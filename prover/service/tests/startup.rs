//! Start-up checks of the `prover` binary: a database without this version's verification
//! key gives a clear error and exit code 2, not a panic; `init` registers it and the check
//! then passes; a version registered with another key is refused.

use std::process::Command;

fn prover(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_prover"))
        .args(args)
        .output()
        .expect("run prover")
}

#[test]
fn the_protocol_version_must_be_registered_with_this_builds_key() {
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}/prover.sqlite", dir.path().display());

    let out = prover(&["scheduler", "--db-url", &url]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("does not know protocol version 0.1.0"),
        "{err}"
    );
    assert!(
        err.contains("prover init --protocol-version 0.1.0"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");

    let out = prover(&["init", "--db-url", &url]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("registered"));

    // Another build's key under a version: this build refuses to serve it.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("rt");
    rt.block_on(async {
        let dal = sq_prover_dal::ProverDal::connect(&url).await.expect("dal");
        dal.insert_protocol_version("0.3.0", [7u8; 32])
            .await
            .expect("insert");
    });
    let out = prover(&["prover", "--db-url", &url, "--protocol-version", "0.3.0"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("but this prover build has"), "{err}");
}

#[test]
fn a_dead_database_is_a_clear_error() {
    let out = prover(&["prover", "--db-url", "postgres://nobody@127.0.0.1:1/none"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("opening the prover database"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}
