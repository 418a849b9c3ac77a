//! Writes the L1 batch-STARK fixture into the directory given as the only argument
//! (`l1_stark.json`: what forge reads; `l1_stark_record.json`: the proof and its recorded
//! transcript), compact (forge reads them many times): a small circuit proven in the L1
//! configuration (`just fixtures`).

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .ok_or("usage: l1_stark_fixture <output directory>")?,
    );
    let (fixture, record) = sq_prover_recursion::l1_stark_fixture::generate();
    std::fs::write(
        dir.join("l1_stark.json"),
        serde_json::to_string(&fixture)? + "\n",
    )?;
    std::fs::write(
        dir.join("l1_stark_record.json"),
        serde_json::to_string(&record)? + "\n",
    )?;
    Ok(())
}
