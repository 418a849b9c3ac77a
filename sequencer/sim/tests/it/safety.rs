//! Safety and liveness over random adversarial seeds, and the broken-rule check.

use sq_sim::{run, Behavior, Scenario};

/// Views allowed between healing and the next decide. After healing, a decide needs three
/// consecutive honest leaders (propose, certify the child, form its QC); with f faulty nodes in
/// round-robin order that takes at most n + 3 views, plus one or two views to resynchronise.
fn recovery_bound(n: usize) -> u64 {
    n as u64 + 5
}

#[test]
fn random_adversaries_n10_f3_never_violate_safety_and_recover() {
    // CI runs 60 seeds; `just sim --seeds 1000` runs the full sweep in release.
    for seed in 1..=60 {
        let r = run(Scenario::random(seed, 10, 3, 40_000)).expect("setup");
        assert!(r.violations.is_empty(), "seed {seed}: {:?}", r.violations);
        let rec = r
            .recovery_views
            .unwrap_or_else(|| panic!("seed {seed}: no decide after healing"));
        assert!(
            rec <= recovery_bound(10),
            "seed {seed}: {rec} views to recover"
        );
        assert!(
            r.max_height >= 10,
            "seed {seed}: only {} blocks",
            r.max_height
        );
    }
}

#[test]
fn random_adversaries_n4_f1_never_violate_safety() {
    for seed in 100..=160 {
        let r = run(Scenario::random(seed, 4, 1, 20_000)).expect("setup");
        assert!(r.violations.is_empty(), "seed {seed}: {:?}", r.violations);
        assert!(
            r.recovery_views.is_some(),
            "seed {seed}: no decide after healing"
        );
    }
}

/// The worst spread for round-robin: every third leader silent, so the only run of three honest
/// leaders (needed for a 2-chain decide) is 97, 98, 99 — about one decide per 100 views.
#[test]
fn n100_with_33_silent_nodes_spread_out_still_decides() {
    let mut s = Scenario::honest(7, 100, 60_000);
    for node in (0..100).step_by(3).take(33) {
        s.behaviors.insert(node, Behavior::Silent);
    }
    let r = run(s).expect("setup");
    assert!(r.violations.is_empty(), "{:?}", r.violations);
    assert!(r.max_height >= 1, "nothing decided in {} views", r.max_view);
}

#[test]
fn n100_with_33_randomly_chosen_silent_nodes_decides_steadily() {
    use rand::seq::SliceRandom;
    use rand::SeedableRng;
    let mut ids: Vec<usize> = (0..100).collect();
    ids.shuffle(&mut rand_chacha::ChaCha8Rng::seed_from_u64(33));
    let mut s = Scenario::honest(8, 100, 30_000);
    for &node in &ids[..33] {
        s.behaviors.insert(node, Behavior::Silent);
    }
    let r = run(s).expect("setup");
    assert!(r.violations.is_empty(), "{:?}", r.violations);
    assert!(
        r.max_height >= 10,
        "only {} blocks in {} views",
        r.max_height,
        r.max_view
    );
}

/// n = 7: node 5 is silent (its views time out) and node 6 leads right after it, so it proposes
/// with a TC and forks from an old QC. Replicas that ignore the lock vote for the fork.
fn forking_scenario(seed: u64, replicas: Behavior) -> Scenario {
    let mut s = Scenario::honest(seed, 7, 30_000);
    s.network.jitter_ms = 30;
    for node in 0..5 {
        s.behaviors.insert(node, replicas);
    }
    s.behaviors.insert(5, Behavior::Silent);
    s.behaviors.insert(6, Behavior::ForkingLeader);
    s
}

#[test]
fn a_replica_that_ignores_the_lock_is_caught_by_the_simulator() {
    let caught = (1..=10)
        .filter(|&seed| {
            !run(forking_scenario(seed, Behavior::LockIgnoring))
                .expect("setup")
                .violations
                .is_empty()
        })
        .count();
    assert!(
        caught > 0,
        "the broken lock rule went unnoticed in 10 seeds"
    );
}

#[test]
fn the_same_forking_attack_fails_against_the_real_lock_rule() {
    for seed in 1..=10 {
        let r = run(forking_scenario(seed, Behavior::Honest)).expect("setup");
        assert!(r.violations.is_empty(), "seed {seed}: {:?}", r.violations);
        assert!(
            r.max_height > 10,
            "seed {seed}: only {} blocks",
            r.max_height
        );
    }
}

#[test]
fn equivocation_and_double_votes_do_not_break_safety() {
    for seed in 1..=10 {
        let mut s = Scenario::honest(seed, 10, 20_000);
        s.network.jitter_ms = 40;
        s.behaviors.insert(1, Behavior::Equivocator);
        s.behaviors.insert(4, Behavior::DoubleVoter);
        s.behaviors.insert(7, Behavior::DoubleVoter);
        let r = run(s).expect("setup");
        assert!(r.violations.is_empty(), "seed {seed}: {:?}", r.violations);
        assert!(
            r.max_height > 10,
            "seed {seed}: only {} blocks",
            r.max_height
        );
    }
}

#[test]
fn garbage_is_rejected_by_the_decoders_and_progress_continues() {
    let mut s = Scenario::honest(3, 4, 10_000);
    s.behaviors.insert(2, Behavior::Malformed);
    let r = run(s).expect("setup");
    assert!(r.violations.is_empty(), "{:?}", r.violations);
    assert!(
        r.stats.malformed_rejected > 10,
        "only {} malformed deliveries",
        r.stats.malformed_rejected
    );
    assert!(r.max_height > 50, "only {} blocks", r.max_height);
}
