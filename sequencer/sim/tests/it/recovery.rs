//! Crash/restart from persisted safety state, partitions and healing, determinism, and the
//! production BLS path.

use sq_sim::{run, Crash, CryptoMode, Partition, Scenario};

#[test]
fn the_same_seed_gives_the_same_decided_log_and_report() {
    let a = run(Scenario::random(42, 10, 3, 20_000)).expect("setup");
    let b = run(Scenario::random(42, 10, 3, 20_000)).expect("setup");
    assert_eq!(a, b);
    let c = run(Scenario::random(43, 10, 3, 20_000)).expect("setup");
    assert_ne!(a.log_hash, c.log_hash);
}

#[test]
fn repeated_crash_and_restart_loses_no_safety_and_the_node_rejoins() {
    let mut s = Scenario::honest(5, 4, 30_000);
    s.network.jitter_ms = 20;
    // Node 2 crashes five times, each time for 1.5 s; node 0 once, overlapping none of them.
    for k in 0..5u64 {
        let at_ms = 2_000 + k * 4_000;
        s.crashes.push(Crash {
            node: 2,
            at_ms,
            restart_ms: Some(at_ms + 1_500),
        });
    }
    s.crashes.push(Crash {
        node: 0,
        at_ms: 24_000,
        restart_ms: Some(25_000),
    });
    let r = run(s).expect("setup");
    assert!(r.violations.is_empty(), "{:?}", r.violations);
    assert!(
        r.recovery_views.is_some_and(|v| v <= 9),
        "recovery {:?}",
        r.recovery_views
    );
    assert!(r.max_height > 100, "only {} blocks", r.max_height);
}

#[test]
fn a_two_two_partition_stops_decisions_and_healing_resumes_them() {
    let mut cut = Scenario::honest(9, 4, 20_000);
    cut.network.partitions.push(Partition {
        from_ms: 0,
        to_ms: 20_000,
        groups: vec![vec![0, 1], vec![2, 3]],
    });
    let r = run(cut).expect("setup");
    assert_eq!(r.max_height, 0, "no side holds a quorum");

    let mut healed = Scenario::honest(9, 4, 20_000);
    healed.network.partitions.push(Partition {
        from_ms: 0,
        to_ms: 8_000,
        groups: vec![vec![0, 1], vec![2, 3]],
    });
    let r = run(healed).expect("setup");
    assert!(r.violations.is_empty(), "{:?}", r.violations);
    let views = r.recovery_views.expect("decides after healing");
    assert!(views <= 9, "{views} views to recover");
    assert!(r.max_height > 20, "only {} blocks", r.max_height);
}

#[test]
fn lossy_network_with_jitter_still_decides() {
    let mut s = Scenario::honest(11, 10, 20_000);
    s.network.loss = 0.1;
    s.network.jitter_ms = 80;
    let r = run(s).expect("setup");
    assert!(r.violations.is_empty(), "{:?}", r.violations);
    assert!(r.max_height > 10, "only {} blocks", r.max_height);
}

#[test]
fn real_bls_signatures_decide_blocks() {
    let mut s = Scenario::honest(1, 4, 3_000);
    s.crypto = CryptoMode::Bls;
    s.crashes.push(Crash {
        node: 3,
        at_ms: 1_000,
        restart_ms: Some(1_500),
    });
    let r = run(s).expect("setup");
    assert!(r.violations.is_empty(), "{:?}", r.violations);
    assert!(r.max_height >= 20, "only {} blocks", r.max_height);
}
