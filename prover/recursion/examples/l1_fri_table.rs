//! The L1 configuration's FRI trade-off, measured: the compression circuit of a one-chunk
//! batch proven under each row of the table in `sq_prover_circuits::l1` (blowup 2 to 16,
//! queries for ≥100 conjectured bits with 20 bits of proof of work), printing prove time,
//! proof size, verify time and the process's peak RSS so far (it only rises: rows are in
//! increasing blowup, so each row's is its own unless an earlier row's was higher). Proof
//! size stands in for L1 calldata and the queries for the Merkle paths an L1 verifier
//! hashes.
//!
//! Run in release: `cargo run --release -p sq-prover-recursion --example l1_fri_table`.

use std::time::Instant;

use sq_prover_circuits::l1::{l1_config_with, L1_FRI_PARAMS};
use sq_prover_circuits::prove_chunk;
use sq_prover_circuits::stark::FriParams;
use sq_prover_circuits::testing::{peak_rss_mib, random_batch};
use sq_prover_recursion::aggregation::prove_batch;
use sq_prover_recursion::compression::compression_witness;

const VERSION: &str = "0.1.0";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let batch = random_batch(8, 50, 7)?;
    let chunk = batch.chunks(8)?.remove(0);
    let proof = prove_chunk(&chunk)?;
    let child = (
        postcard::from_bytes(&proof.proof)?,
        chunk.public.to_fields(),
    );
    let scheduler = prove_batch(&[child], 2, batch.batch, VERSION)?;
    let (circuit, publics, hints) = compression_witness(&scheduler, batch.batch, VERSION)?;
    println!(
        "compression circuit of a one-chunk batch: table heights {:?}",
        circuit.traces_heights()
    );
    println!(
        "{:>10} {:>7} {:>5} {:>5} {:>9} {:>11} {:>10} {:>19}",
        "log_blowup",
        "queries",
        "pow",
        "bits",
        "prove_s",
        "proof_bytes",
        "verify_ms",
        "peak_rss_so_far_MiB"
    );
    for (log_blowup, num_queries) in [(1, 80), (2, 40), (3, 27), (4, 20)] {
        let params = FriParams {
            log_blowup,
            num_queries,
            ..L1_FRI_PARAMS
        };
        let cfg = l1_config_with(params);
        let t = Instant::now();
        let proof = match circuit.prove_l1(&cfg, &publics, &hints) {
            Ok(p) => p,
            Err(e) => {
                println!("{log_blowup:>10} {num_queries:>7}: does not prove ({e})");
                continue;
            }
        };
        let prove_s = t.elapsed().as_secs_f64();
        let bytes = postcard::to_allocvec(&proof)?.len();
        let common = circuit.common_data_l1(&cfg)?;
        let t = Instant::now();
        circuit.verify_l1(&cfg, &publics, &proof, &common)?;
        let verify_ms = t.elapsed().as_secs_f64() * 1e3;
        println!(
            "{log_blowup:>10} {num_queries:>7} {:>5} {:>5} {prove_s:>9.2} {bytes:>11} {verify_ms:>10.1} {:>19.1}",
            params.query_pow_bits,
            params.conjectured_security_bits(),
            peak_rss_mib()
        );
    }
    Ok(())
}
