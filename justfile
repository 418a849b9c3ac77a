# Task runner. `cargo install --locked just` once; then `just --list`.

set shell := ["bash", "-euo", "pipefail", "-c"]

# List the recipes.
default:
    @just --list

# The test suite CI runs (`.ci/run` calls exactly this): Rust tests, then the contracts.
test: contracts-install
    cargo test --workspace --locked
    cd contracts && ./node_modules/.bin/forge test

# Install the npm-pinned Foundry (forge, anvil, cast) and solc-js into contracts/ when missing.
contracts-install:
    [ -x contracts/node_modules/.bin/forge ] || (cd contracts && npm ci --no-audit --no-fund)

# Contract gas figures for newBlocks at 4, 10 and 100 signers.
gas: contracts-install
    cd contracts && ./node_modules/.bin/forge test --match-contract HotShotCommitmentsGasTest -vv

# Formatting and lints, warnings as errors.
lint:
    cargo fmt --all --check
    cargo clippy --workspace --all-targets --locked -- -D warnings

# Benchmarks (not in CI): consensus views per simulated second and wall-clock cost per view.
bench:
    cargo run --release --locked -p sq-sim -- bench

# Seeded adversarial simulation sweep, e.g. `just sim --seeds 1000 --nodes 10 --faulty 3`.
sim *ARGS:
    cargo run --release --locked -p sq-sim -- sweep {{ARGS}}

# Regenerate the L1 contract fixtures from the Rust encodings and real BLS signatures.
fixtures:
    for n in 4 10 100; do cargo run -q --locked -p sq-types --example l1_fixtures -- $n 3 > contracts/test/fixtures/qc_n$n.json; done

# The end-to-end demo. The full stack (issue "just demo") is not built yet: for now this runs
# the consensus simulator so that you can watch the protocol decide under attack.
demo:
    @echo "The full-stack demo (anvil, cdn-server, sequencers, rollup, prover) is not built yet."
    @echo "Running the deterministic consensus simulator instead: 4, 10 and 100 nodes, then 20 adversarial seeds."
    cargo run --release --locked -p sq-sim -- bench --duration-ms 10000
    cargo run --release --locked -p sq-sim -- sweep --seeds 20 --nodes 10 --faulty 3
