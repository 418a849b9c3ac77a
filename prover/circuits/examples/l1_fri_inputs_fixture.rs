//! Prints the forge fixture for `FriInputs.sol` (JSON on stdout): openings of two committed
//! batches at 5 queries with Plonky3's reduced openings.
//! `cargo run -q -p sq-prover-circuits --example l1_fri_inputs_fixture > contracts/test/fixtures/l1_fri_inputs.json`
//! (`just fixtures` does it).

use sq_prover_circuits::l1_fri_inputs_fixture::inputs_script;

fn main() -> Result<(), serde_json::Error> {
    println!("{}", serde_json::to_string(&inputs_script(5, 23))?);
    Ok(())
}
