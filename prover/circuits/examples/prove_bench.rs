//! Proving benchmark: proves one chunk of 8, 32 and 128 pseudo-random honest transfers and
//! prints prove time, throughput, proof size, verify time and peak RSS.
//!
//! Run in release: `cargo run --release -p sq-prover-circuits --example prove_bench`.

use std::time::Instant;

use sq_prover_circuits::testing::{peak_rss_mib, random_batch};
use sq_prover_circuits::trace::trace_height;
use sq_prover_circuits::{circuit_id, prove_chunk, verify_chunk};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse())
        .collect::<Result<_, _>>()?;
    let sizes = if sizes.is_empty() {
        vec![8, 32, 128]
    } else {
        sizes
    };
    println!("circuit {}", circuit_id());
    println!(
        "{:>9} {:>7} {:>10} {:>12} {:>11} {:>10} {:>13}",
        "transfers", "rows", "prove_s", "transfers/s", "proof_bytes", "verify_ms", "peak_rss_MiB"
    );
    for n in sizes {
        let batch = random_batch(n, 50, 7 + n as u64)?;
        let chunk = batch
            .chunks(n.max(1))?
            .into_iter()
            .next()
            .ok_or("no chunk")?;
        let t = Instant::now();
        let proof = prove_chunk(&chunk)?;
        let prove_s = t.elapsed().as_secs_f64();
        let t = Instant::now();
        verify_chunk(&proof)?;
        let verify_ms = t.elapsed().as_secs_f64() * 1e3;
        println!(
            "{:>9} {:>7} {:>10.3} {:>12.1} {:>11} {:>10.1} {:>13.1}",
            n,
            trace_height(n),
            prove_s,
            n as f64 / prove_s,
            proof.proof.len(),
            verify_ms,
            peak_rss_mib()
        );
    }
    Ok(())
}
