//! Prints the forge fixture for the on-chain FRI verifier (JSON on stdout): a whole L1 PCS
//! opening proof, its claims and the transcript Plonky3's verifier runs over it.
//! `cargo run -q -p sq-prover-circuits --example l1_pcs_fixture > contracts/test/fixtures/l1_pcs.json`
//! (`just fixtures` does it; the proof differs per run because proof of work is searched).

use sq_prover_circuits::l1_pcs_fixture::{check_fixture, pcs_fixture};

fn main() -> Result<(), serde_json::Error> {
    let fixture = pcs_fixture();
    check_fixture(&fixture);
    println!("{}", serde_json::to_string(&fixture)?);
    Ok(())
}
