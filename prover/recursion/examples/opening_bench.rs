//! Opening-table benchmark: for chunk proofs of 8, 32 and 128 transfers, verifies the
//! 42 trace-commitment openings of the child inside the opening AIR and prints the
//! witness-generation time, the opening proof's prove time, size and verify time, and
//! peak RSS (of the whole process, chunk proving included).
//!
//! Run in release: `cargo run --release -p sq-prover-recursion --example opening_bench`.

use std::time::Instant;

use p3_uni_stark::Proof;
use sq_prover_circuits::prove_chunk;
use sq_prover_circuits::stark::ChunkStarkConfig;
use sq_prover_circuits::testing::{peak_rss_mib, random_batch};
use sq_prover_recursion::opening_trace::blocks;
use sq_prover_recursion::{prove_openings, trace_openings, verify_openings};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!(
        "{:>9} {:>11} {:>6} {:>7} {:>10} {:>9} {:>11} {:>10} {:>13}",
        "transfers",
        "child_depth",
        "width",
        "rows",
        "witness_ms",
        "prove_ms",
        "proof_bytes",
        "verify_ms",
        "peak_rss_MiB"
    );
    for n in [8usize, 32, 128] {
        let batch = random_batch(n, 50, 7 + n as u64)?;
        let chunk = batch.chunks(n)?.remove(0);
        let child: Proof<ChunkStarkConfig> = postcard::from_bytes(&prove_chunk(&chunk)?.proof)?;
        let t = Instant::now();
        let c = trace_openings(&chunk, &child)?;
        let witness_ms = t.elapsed().as_secs_f64() * 1e3;
        let t = Instant::now();
        let proof = prove_openings(&c.shape, &c.root, &c.openings)?;
        let prove_ms = t.elapsed().as_secs_f64() * 1e3;
        let bytes = postcard::to_allocvec(&proof)?.len();
        let t = Instant::now();
        verify_openings(&c.shape, &c.root, &proof)?;
        let verify_ms = t.elapsed().as_secs_f64() * 1e3;
        println!(
            "{:>9} {:>11} {:>6} {:>7} {:>10.1} {:>9.1} {:>11} {:>10.1} {:>13.1}",
            n,
            c.shape.depth(),
            c.shape.leaf_width(),
            blocks(&c.shape, c.openings.len()) * c.shape.period(),
            witness_ms,
            prove_ms,
            bytes,
            verify_ms,
            peak_rss_mib()
        );
    }
    Ok(())
}
