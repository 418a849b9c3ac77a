//! Prints the forge fixture for `RollupSettlement.statement` (JSON on stdout):
//! `cargo run -q -p sq-prover-verifier --example settlement_fixture > contracts/test/fixtures/settlement_statement.json`
//! (`just fixtures` does it).

use sq_prover_verifier::settlement::StatementFixture;
use sq_prover_verifier::PROTOCOL_VERSION;

fn main() -> Result<(), serde_json::Error> {
    let fixture = StatementFixture::new(&StatementFixture::sample_claim(), PROTOCOL_VERSION);
    println!("{}", serde_json::to_string_pretty(&fixture)?);
    Ok(())
}
