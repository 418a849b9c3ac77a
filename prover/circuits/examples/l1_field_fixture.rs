//! Prints the forge fixture for `BabyBear4.sol` (JSON on stdout): 64 cases of extension-field
//! arithmetic with Plonky3's results.
//! `cargo run -q -p sq-prover-circuits --example l1_field_fixture > contracts/test/fixtures/l1_field.json`
//! (`just fixtures` does it).

use sq_prover_circuits::l1_field_fixture::field_script;

fn main() -> Result<(), serde_json::Error> {
    println!("{}", serde_json::to_string(&field_script(64, 17))?);
    Ok(())
}
