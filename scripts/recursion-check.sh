#!/usr/bin/env bash
# Full-size recursion checks, run outside CI (release build; about 15 minutes on 2 cores):
# - the recursion tests in release, where a cheating prover's tampering with the LogUp bus
#   reaches the batch-STARK verifier (in debug builds Plonky3's prover-side checker stops
#   it first, which is what CI exercises);
# - 1,000 random mutations of a compressed batch proof, each refused by the codec or the
#   verifier (CI runs 48);
# - a batch of 4 chunks of 8 transfers aggregated through leaf, node, scheduler and
#   compression rounds to one proof, with the per-round table of aggregate_bench;
# - the L1 configuration's FRI trade-off table (l1_fri_table).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --release --locked -p sq-prover-recursion
SQ_MUTATION_CASES=1000 cargo test --release --locked -p sq-prover-verifier \
  mutated_proof_bytes_never_verify -- --nocapture
cargo run --release --locked -p sq-prover-recursion --example aggregate_bench -- 8 4
cargo run --release --locked -p sq-prover-recursion --example l1_fri_table
