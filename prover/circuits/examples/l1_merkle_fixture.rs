//! Prints the forge fixture for `KeccakMerkle.sol` (JSON on stdout): Merkle multi-openings of
//! the L1 commitment scheme that Plonky3 accepts.
//! `cargo run -q -p sq-prover-circuits --example l1_merkle_fixture > contracts/test/fixtures/l1_merkle.json`
//! (`just fixtures` does it).

use sq_prover_circuits::l1_merkle_fixture::merkle_fixture;

fn main() -> Result<(), serde_json::Error> {
    println!("{}", serde_json::to_string(&merkle_fixture())?);
    Ok(())
}
