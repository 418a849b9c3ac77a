//! Aggregation benchmark: proves a batch of pseudo-random transfers in chunks, then runs
//! the pipeline's rounds through `sq_prover_recursion::aggregation` — leaves of two
//! chunks, the node tree, the scheduler, the compression into the L1 configuration — and
//! prints per round: proofs made, total prove time, the size and verify time of one proof
//! (the last), and peak RSS; then proven transfers per second end to end.
//!
//! Run in release: `cargo run --release -p sq-prover-recursion --example aggregate_bench
//! -- [chunk_size] [chunks]` (default 8 transfers × 2 chunks).

use std::time::Instant;

use p3_baby_bear::BabyBear;
use p3_uni_stark::Proof;
use sq_prover_circuits::stark::ChunkStarkConfig;
use sq_prover_circuits::testing::{peak_rss_mib, random_batch};
use sq_prover_circuits::{prove_chunk, verify_chunk};
use sq_prover_recursion::aggregation::{
    prove_leaf, prove_node, prove_scheduler, verify_round, verify_scheduler, RoundProof,
};
use sq_prover_recursion::compression::{prove_compression, verify_compressed};

/// Chunk proofs per leaf, as the pipeline's plan (`sq_prover_dal::plan::LEAF_CHUNKS`).
const LEAF_CHUNKS: usize = 2;
const VERSION: &str = "0.1.0";

fn row(round: &str, proofs: usize, prove_s: f64, bytes: usize, verify_ms: f64) {
    println!(
        "{round:>11} {proofs:>6} {prove_s:>9.2} {bytes:>11} {verify_ms:>10.1} {:>13.1}",
        peak_rss_mib()
    );
}

/// Milliseconds `verify` took; its error ends the benchmark.
fn ms_of<T, E: std::error::Error + 'static>(
    verify: impl FnOnce() -> Result<T, E>,
) -> Result<f64, Box<dyn std::error::Error>> {
    let t = Instant::now();
    verify()?;
    Ok(t.elapsed().as_secs_f64() * 1e3)
}

/// The node tree over `proofs` (the pipeline's split), counting nodes and their time.
fn tree(
    mut proofs: Vec<RoundProof>,
    nodes: &mut (usize, f64),
) -> Result<RoundProof, Box<dyn std::error::Error>> {
    if proofs.len() == 1 {
        return Ok(proofs.remove(0));
    }
    let right = proofs.split_off(proofs.len().next_power_of_two() / 2);
    let (l, r) = (tree(proofs, nodes)?, tree(right, nodes)?);
    let t = Instant::now();
    let node = prove_node(&l, &r)?;
    nodes.0 += 1;
    nodes.1 += t.elapsed().as_secs_f64();
    Ok(node)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse())
        .collect::<Result<_, _>>()?;
    let chunk_size = args.first().copied().unwrap_or(8);
    let chunks = args.get(1).copied().unwrap_or(2).max(1);
    let batch = random_batch(chunk_size * chunks, 50, 7)?;
    println!("{chunks} chunks of {chunk_size} transfers, leaves of {LEAF_CHUNKS} chunks");
    println!(
        "{:>11} {:>6} {:>9} {:>11} {:>10} {:>13}",
        "round", "proofs", "prove_s", "proof_bytes", "verify_ms", "peak_rss_MiB",
    );
    let start = Instant::now();

    let t = Instant::now();
    let mut basic: Vec<(Proof<ChunkStarkConfig>, Vec<BabyBear>)> = Vec::new();
    let mut last = None;
    for w in batch.chunks(chunk_size)? {
        let p = prove_chunk(&w)?;
        basic.push((postcard::from_bytes(&p.proof)?, w.public.to_fields()));
        last = Some(p);
    }
    let prove_s = t.elapsed().as_secs_f64();
    let last = last.ok_or("no chunks")?;
    let verify_ms = ms_of(|| verify_chunk(&last))?;
    row("0 basic", basic.len(), prove_s, last.proof.len(), verify_ms);

    let t = Instant::now();
    let leaves = basic
        .chunks(LEAF_CHUNKS)
        .map(prove_leaf)
        .collect::<Result<Vec<_>, _>>()?;
    let prove_s = t.elapsed().as_secs_f64();
    let one = &leaves[leaves.len() - 1];
    let verify_ms = ms_of(|| verify_round(one))?;
    let bytes = postcard::to_allocvec(one)?.len();
    row("1 leaf", leaves.len(), prove_s, bytes, verify_ms);

    let mut nodes = (0, 0.0);
    let top = tree(leaves, &mut nodes)?;
    if nodes.0 > 0 {
        let verify_ms = ms_of(|| verify_round(&top))?;
        let bytes = postcard::to_allocvec(&top)?.len();
        row("2 node", nodes.0, nodes.1, bytes, verify_ms);
    }

    let t = Instant::now();
    let scheduler = prove_scheduler(&top, batch.batch, VERSION)?;
    let prove_s = t.elapsed().as_secs_f64();
    let verify_ms = ms_of(|| verify_scheduler(&scheduler, batch.batch, &top.claim, VERSION))?;
    let bytes = postcard::to_allocvec(&scheduler)?.len();
    row("3 scheduler", 1, prove_s, bytes, verify_ms);

    let t = Instant::now();
    let compressed = prove_compression(&scheduler, batch.batch, VERSION)?;
    let prove_s = t.elapsed().as_secs_f64();
    let verify_ms = ms_of(|| verify_compressed(&compressed, batch.batch, &top.claim, VERSION))?;
    let bytes = postcard::to_allocvec(&compressed)?.len();
    row("4 compress", 1, prove_s, bytes, verify_ms);

    let total = start.elapsed().as_secs_f64();
    println!(
        "end to end: {:.2} s, {:.2} proven transfers/s",
        total,
        (chunk_size * chunks) as f64 / total
    );
    Ok(())
}
