//! Recursion-circuit benchmark: for chunk proofs of 8, 32 and 128 transfers, builds the
//! chunk circuit (transcript up to ζ and the out-of-domain check, see
//! `sq_prover_recursion::chunk_circuit`) and prints its size (ops, slots, rows of each
//! table), the native run time, the batch proof's prove time, size and verify time, and
//! peak RSS (of the whole process, chunk proving included).
//!
//! Run in release: `cargo run --release -p sq-prover-recursion --example circuit_bench`.

use std::time::Instant;

use p3_uni_stark::Proof;
use sq_prover_circuits::prove_chunk;
use sq_prover_circuits::stark::ChunkStarkConfig;
use sq_prover_circuits::testing::{peak_rss_mib, random_batch};
use sq_prover_recursion::chunk_circuit::{build, hints, ChildShape};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!(
        "{:>9} {:>6} {:>7} {:>7} {:>30} {:>7} {:>9} {:>11} {:>10} {:>13}",
        "transfers",
        "d",
        "ops",
        "slots",
        "rows witness/pub/add/mul/p2",
        "run_ms",
        "prove_ms",
        "proof_bytes",
        "verify_ms",
        "peak_rss_MiB"
    );
    for n in [8usize, 32, 128] {
        let batch = random_batch(n, 50, 7 + n as u64)?;
        let chunk = batch.chunks(n)?.remove(0);
        let publics = chunk.public.to_fields();
        let child: Proof<ChunkStarkConfig> = postcard::from_bytes(&prove_chunk(&chunk)?.proof)?;
        let shape = ChildShape::of(&child)?;
        let c = build(shape).circuit;
        let h = hints(&child, &publics)?;
        let t = Instant::now();
        c.program().run(&publics, &h)?;
        let run_ms = t.elapsed().as_secs_f64() * 1e3;
        let t = Instant::now();
        let proof = c.prove(&publics, &h)?;
        let prove_ms = t.elapsed().as_secs_f64() * 1e3;
        let bytes = postcard::to_allocvec(&proof)?.len();
        let t = Instant::now();
        c.verify(&publics, &proof)?;
        let verify_ms = t.elapsed().as_secs_f64() * 1e3;
        let rows: Vec<String> = c.traces_heights().iter().map(usize::to_string).collect();
        println!(
            "{:>9} {:>6} {:>7} {:>7} {:>30} {:>7.1} {:>9.1} {:>11} {:>10.1} {:>13.1}",
            n,
            shape.degree_bits,
            c.program().ops().len(),
            c.program().slots(),
            rows.join("/"),
            run_ms,
            prove_ms,
            bytes,
            verify_ms,
            peak_rss_mib()
        );
    }
    Ok(())
}
