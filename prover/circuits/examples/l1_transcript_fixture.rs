//! Prints the forge fixture for `KeccakTranscript.sol` (JSON on stdout): 400 seeded
//! operations of the L1 transcript with Plonky3's results.
//! `cargo run -q -p sq-prover-circuits --example l1_transcript_fixture > contracts/test/fixtures/l1_transcript.json`
//! (`just fixtures` does it).

use sq_prover_circuits::l1_transcript_fixture::transcript_script;

fn main() -> Result<(), serde_json::Error> {
    println!("{}", serde_json::to_string(&transcript_script(400, 16))?);
    Ok(())
}
