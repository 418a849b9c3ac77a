//! `file-info`: decodes a saved batch witness (JSON), chunk witness (JSON) or batch proof
//! (`SQBP` + postcard) and describes it.

use std::fmt::Write as _;

use anyhow::{anyhow, bail, Context as _};
use sq_prover_circuits::witness::{BatchWitness, ChunkWitness};
use sq_prover_verifier::BatchProof;

/// The magic that starts every encoded batch proof.
const PROOF_MAGIC: &[u8] = b"SQBP";

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
            .map_err(|e| anyhow!("not a valid SQBP batch proof: {e}"))?;
        return Ok(render_batch_proof(&proof, bytes.len()));
    }
    let value: serde_json::Value = serde_json::from_slice(bytes).context(
        "the file is neither a batch proof (no SQBP magic) nor JSON (a batch or chunk witness)",
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

fn render_batch_proof(p: &BatchProof, size: usize) -> String {
    let mut out = String::from("== Batch proof (SQBP) ==\n");
    let _ = writeln!(out, "File size: {size} bytes");
    let _ = writeln!(out, "Protocol version: {}", p.protocol_version);
    let _ = writeln!(out, "Batch: {}", p.batch);
    let _ = writeln!(out, "Chunks: {}", p.chunks.len());
    if let (Some(first), Some(last)) = (p.chunks.first(), p.chunks.last()) {
        let _ = writeln!(out, "Root before: {}", first.public.root_before);
        let _ = writeln!(out, "Root after: {}", last.public.root_after);
        let _ = writeln!(out, "Commitment: {}", last.public.commitment_after);
        let _ = writeln!(
            out,
            "Fee recipient: {}",
            address(&first.public.fee_recipient)
        );
    }
    let total: usize = p.chunks.iter().map(|c| c.proof.len()).sum();
    let _ = writeln!(out, "Chunk proof bytes: {total}");
    for (i, c) in p.chunks.iter().enumerate() {
        let _ = writeln!(
            out,
            "  chunk {i}: root {} -> {}, proof {} bytes",
            c.public.root_before,
            c.public.root_after,
            c.proof.len()
        );
    }
    out
}
