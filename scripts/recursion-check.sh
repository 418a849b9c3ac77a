#!/usr/bin/env bash
# Full-size recursion checks, run outside CI (release build; about 5 minutes on 2 cores):
# - the recursion tests in release, where a cheating prover's tampering with the LogUp bus
#   reaches the batch-STARK verifier (in debug builds Plonky3's prover-side checker stops
#   it first, which is what CI exercises);
# - a batch of 4 chunks of 8 transfers aggregated through leaf and node rounds to one
#   proof, with the per-round table of aggregate_bench.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --release --locked -p sq-prover-recursion
cargo run --release --locked -p sq-prover-recursion --example aggregate_bench -- 8 4
