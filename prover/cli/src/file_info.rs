//! `file-info`: decodes a saved batch witness (JSON), chunk witness (JSON) or batch proof
//! (`SQB3` + postcard: one compressed or scheduler proof) and describes it.

use std::fmt::Write as _;

use anyhow::{anyhow, bail, Context as _};
use p3_field::{PrimeCharacteristicRing, PrimeField32};
use sq_prover_circuits::hash::{Digest, F};
use sq_prover_circuits::witness::{BatchWitness, ChunkWitness};
use sq_prover_recursion::aggregation::circuit_digest;
use sq_prover_verifier::{BatchProof, FinalProof, TreeShape};

/// The magic that starts every encoded batch proof.
const PROOF_MAGIC: &[u8] = &sq_prover_verifier::codec::MAGIC;

/// `0x`-prefixed hex of a 20-byte address.
fn address(a: &[u8; 20]) -> String {
    format!("0x{}", hex::encode(a))
}

/// Describes the file `bytes`: its kind, batch, chunks, roots, commitments and sizes.
///
/// # Errors
/// A message saying what the file is not, for an empty, truncated or unrecognized file.
pub fn render_file_info(bytes: &[u8]) -> anyhow::Result<String> {
    if bytes.is_empty() {
        bail!("the file is empty: not a batch witness, chunk witness or batch proof");
    }
    if bytes.starts_with(PROOF_MAGIC) || PROOF_MAGIC.starts_with(bytes) {
        let proof = BatchProof::from_bytes(bytes)
            .map_err(|e| anyhow!("not a valid SQB3 batch proof: {e}"))?;
        return Ok(render_batch_proof(&proof, bytes.len()));
    }
    let value: serde_json::Value = serde_json::from_slice(bytes).context(
        "the file is neither a batch proof (no SQB3 magic) nor JSON (a batch or chunk witness)",
    )?;
    if value.get("public").is_some() {
        let chunk: ChunkWitness = serde_json::from_value(value)
            .context("the JSON looks like a chunk witness but does not decode as one")?;
        return Ok(render_chunk_witness(&chunk, bytes.len()));
    }
    if value.get("batch").is_some() {
        let batch: BatchWitness = serde_json::from_value(value)
            .context("the JSON looks like a batch witness but does not decode as one")?;
        return Ok(render_batch_witness(&batch, bytes.len()));
    }
    bail!("the JSON is neither a batch witness (no \"batch\" field) nor a chunk witness (no \"public\" field)")
}

fn render_batch_witness(w: &BatchWitness, size: usize) -> String {
    let mut out = String::from("== Batch witness (JSON) ==\n");
    let _ = writeln!(out, "File size: {size} bytes");
    let _ = writeln!(out, "Batch: {}", w.batch);
    let _ = writeln!(out, "Fee recipient: {}", address(&w.fee_recipient));
    let _ = writeln!(out, "Root before: {}", w.root_before);
    let _ = writeln!(out, "Root after: {}", w.root_after);
    let _ = writeln!(out, "Commitment: {}", w.commitment);
    let _ = writeln!(out, "Transfers: {}", w.transfers.len());
    out
}

fn render_chunk_witness(w: &ChunkWitness, size: usize) -> String {
    let mut out = String::from("== Chunk witness (JSON) ==\n");
    let p = &w.public;
    let _ = writeln!(out, "File size: {size} bytes");
    let _ = writeln!(out, "Fee recipient: {}", address(&p.fee_recipient));
    let _ = writeln!(out, "Root before: {}", p.root_before);
    let _ = writeln!(out, "Root after: {}", p.root_after);
    let _ = writeln!(out, "Commitment before: {}", p.commitment_before);
    let _ = writeln!(out, "Commitment after: {}", p.commitment_after);
    let _ = writeln!(out, "Transfers: {}", w.transfers.len());
    out
}

/// A digest stated in a claim: 8 elements from `at`, or `?` when the claim is short.
fn stated(claim: &[F], at: usize) -> String {
    claim.get(at..at + 8).map_or_else(
        || "?".to_owned(),
        |d| {
            let mut a = [F::ZERO; 8];
            a.copy_from_slice(d);
            Digest(a).to_string()
        },
    )
}

/// The tree as text: `[b b]` for a leaf (each chunk's log2 trace height), `(l r)` for a
/// node.
fn shape_text(s: &TreeShape) -> String {
    match s {
        TreeShape::Leaf(bits) => {
            let b: Vec<String> = bits.iter().map(u8::to_string).collect();
            format!("[{}]", b.join(" "))
        }
        TreeShape::Node(l, r) => format!("({} {})", shape_text(l), shape_text(r)),
    }
}

fn render_batch_proof(p: &BatchProof, size: usize) -> String {
    let kind = match &p.proof {
        FinalProof::Compressed(_) => "compressed proof, round 4, L1 configuration (Keccak)",
        FinalProof::Scheduler(_) => "scheduler proof, round 3, chunk configuration (Poseidon2)",
    };
    let mut out = format!("== Batch proof (SQB3: {kind}) ==\n");
    let (shape, claim) = (p.proof.shape(), p.proof.claim());
    let _ = writeln!(out, "File size: {size} bytes");
    let _ = writeln!(out, "Protocol version: {}", p.protocol_version);
    let _ = writeln!(out, "Batch: {}", p.batch);
    let _ = writeln!(out, "Chunks: {}", shape.chunks());
    let _ = writeln!(out, "Tree depth: {}", shape.depth());
    let _ = writeln!(out, "Tree: {}", shape_text(shape));
    let _ = writeln!(out, "Stated root before: {}", stated(claim, 0));
    let _ = writeln!(out, "Stated root after: {}", stated(claim, 8));
    let _ = writeln!(out, "Stated commitment: {}", stated(claim, 24));
    let limbs: Vec<String> = claim
        .get(32..)
        .unwrap_or_default()
        .iter()
        .map(|l| format!("{:04x}", l.as_canonical_u32()))
        .collect();
    let _ = writeln!(out, "Stated fee recipient limbs: {}", limbs.join(" "));
    match circuit_digest(shape) {
        Ok(d) => {
            let _ = writeln!(out, "Circuit digest: {}", Digest(d));
        }
        Err(e) => {
            let _ = writeln!(out, "Circuit digest: none ({e})");
        }
    }
    out.push_str("(stated values are what the prover claims; `verify_batch` checks them)\n");
    out
}
