//! Writes the L1 batch-STARK fixture into the directory given as the only argument
//! (`l1_stark.json`: what forge reads; `l1_stark_record.json`: the proof and its recorded
//! transcript), compact (forge reads them many times): a small circuit proven in the L1
//! configuration (`just fixtures`). With `--keep-proof` first, the proof already in
//! `l1_stark_record.json` is recorded again instead of proving anew (for a change of the
//! fixture's format: the proof, and so every figure measured on it, stays).

use std::path::PathBuf;

use sq_prover_recursion::l1_stark_fixture::{generate, rerecord, StarkRecord};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let usage = "usage: l1_stark_fixture [--keep-proof] <output directory>";
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let keep_proof = args.first().is_some_and(|a| a == "--keep-proof");
    if keep_proof {
        args.remove(0);
    }
    let [dir] = args.as_slice() else {
        return Err(usage.into());
    };
    let dir = PathBuf::from(dir);
    let record_path = dir.join("l1_stark_record.json");
    let (fixture, record) = if keep_proof {
        let kept: StarkRecord = serde_json::from_str(&std::fs::read_to_string(&record_path)?)?;
        rerecord(&kept)
    } else {
        generate()
    };
    std::fs::write(
        dir.join("l1_stark.json"),
        serde_json::to_string(&fixture)? + "\n",
    )?;
    std::fs::write(record_path, serde_json::to_string(&record)? + "\n")?;
    Ok(())
}
