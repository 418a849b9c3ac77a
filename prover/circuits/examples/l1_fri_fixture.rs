//! Prints the forge fixture for `FriFold.sol` (JSON on stdout): FRI fold rows and fold
//! schedules with Plonky3's results.
//! `cargo run -q -p sq-prover-circuits --example l1_fri_fixture > contracts/test/fixtures/l1_fri.json`
//! (`just fixtures` does it).

use sq_prover_circuits::l1_fri_fixture::fri_script;

fn main() -> Result<(), serde_json::Error> {
    println!("{}", serde_json::to_string(&fri_script(19))?);
    Ok(())
}
