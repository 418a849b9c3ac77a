//! Aggregation benchmark: proves a batch of pseudo-random transfers in chunks, one leaf
//! proof per chunk, then a binary tree of node proofs down to one, and prints per round:
//! proofs made, total prove time, proof size, verify time of one proof, and peak RSS;
//! then proven transfers per second end to end.
//!
//! Run in release: `cargo run --release -p sq-prover-recursion --example aggregate_bench
//! -- [chunk_size] [chunks]` (default 8 transfers × 2 chunks; `chunks` a power of two).

use std::time::Instant;

use p3_baby_bear::BabyBear;
use p3_uni_stark::Proof;
use sq_prover_circuits::stark::ChunkStarkConfig;
use sq_prover_circuits::testing::{peak_rss_mib, random_batch};
use sq_prover_circuits::{prove_chunk, verify_chunk};
use sq_prover_recursion::batch_verifier::ChildKey;
use sq_prover_recursion::chunk_circuit::ChildShape;
use sq_prover_recursion::circuit::{Circuit, CircuitProof};
use sq_prover_recursion::leaf_circuit::{self, leaf_claim, leaf_hints};
use sq_prover_recursion::node_circuit::{self, node_hints, NodeChild};

type F = BabyBear;

fn row(round: &str, proofs: usize, prove_s: f64, bytes: usize, verify_ms: f64, rows: &str) {
    println!(
        "{round:>9} {proofs:>6} {prove_s:>9.2} {bytes:>11} {verify_ms:>10.1} {:>13.1}  {rows}",
        peak_rss_mib()
    );
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse())
        .collect::<Result<_, _>>()?;
    let chunk_size = args.first().copied().unwrap_or(8);
    let chunks = args.get(1).copied().unwrap_or(2).next_power_of_two();
    let batch = random_batch(chunk_size * chunks, 50, 7)?;
    println!("{chunks} chunks of {chunk_size} transfers");
    println!(
        "{:>9} {:>6} {:>9} {:>11} {:>10} {:>13}  table rows witness/public/add/mul/poseidon2",
        "round", "proofs", "prove_s", "proof_bytes", "verify_ms", "peak_rss_MiB",
    );
    let start = Instant::now();

    let t = Instant::now();
    let mut basic: Vec<(Proof<ChunkStarkConfig>, Vec<F>)> = Vec::new();
    let mut basic_bytes = 0;
    for w in batch.chunks(chunk_size)? {
        let p = prove_chunk(&w)?;
        basic_bytes = p.proof.len();
        basic.push((postcard::from_bytes(&p.proof)?, w.public.to_fields()));
    }
    let prove_s = t.elapsed().as_secs_f64();
    let last = prove_chunk(&batch.chunks(chunk_size)?.remove(0))?;
    let t = Instant::now();
    verify_chunk(&last)?;
    row(
        "0 basic",
        basic.len(),
        prove_s,
        basic_bytes,
        t.elapsed().as_secs_f64() * 1e3,
        "",
    );

    let leaf = leaf_circuit::build(&[ChildShape::of(&basic[0].0)?]);
    let t = Instant::now();
    let mut level: Vec<(CircuitProof, Vec<F>)> = Vec::new();
    for (proof, publics) in &basic {
        let hints = leaf_hints(&[(proof, publics.clone())])?;
        let claim = leaf_claim(std::slice::from_ref(publics));
        level.push((leaf.prove(&claim, &hints)?, claim));
    }
    report("1 leaf", &leaf, &level, t.elapsed().as_secs_f64())?;

    let mut circuit = leaf;
    let mut depth = 2;
    while level.len() > 1 {
        let key = ChildKey::of(&circuit)?;
        let node = node_circuit::build(&key, &key);
        let t = Instant::now();
        let mut next = Vec::new();
        for pair in level.chunks(2) {
            let child = |i: usize| NodeChild {
                key: &key,
                proof: &pair[i].0,
                claim: &pair[i].1,
            };
            let hints = node_hints(&child(0), &child(1))?;
            let claim = leaf_claim(&[pair[0].1.clone(), pair[1].1.clone()]);
            next.push((node.prove(&claim, &hints)?, claim));
        }
        report(
            &format!("{depth} node"),
            &node,
            &next,
            t.elapsed().as_secs_f64(),
        )?;
        level = next;
        circuit = node;
        depth += 1;
    }
    let total = start.elapsed().as_secs_f64();
    println!(
        "end to end: {:.2} s, {:.2} proven transfers/s",
        total,
        (chunk_size * chunks) as f64 / total
    );
    Ok(())
}

fn report(
    round: &str,
    circuit: &Circuit,
    proofs: &[(CircuitProof, Vec<F>)],
    prove_s: f64,
) -> Result<(), Box<dyn std::error::Error>> {
    let (proof, claim) = &proofs[0];
    let t = Instant::now();
    circuit.verify(claim, proof)?;
    let verify_ms = t.elapsed().as_secs_f64() * 1e3;
    let rows: Vec<String> = circuit
        .traces_heights()
        .iter()
        .map(usize::to_string)
        .collect();
    row(
        round,
        proofs.len(),
        prove_s,
        postcard::to_allocvec(proof)?.len(),
        verify_ms,
        &rows.join("/"),
    );
    Ok(())
}
