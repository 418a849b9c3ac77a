//! Prints the L1 batch-STARK fixture (`contracts/test/fixtures/l1_stark.json`): a small
//! circuit proven in the L1 configuration, with its recorded verifier transcript. Run in
//! release (`just fixtures`); it proves.

fn main() {
    let fixture = sq_prover_recursion::l1_stark_fixture::generate();
    println!(
        "{}",
        serde_json::to_string_pretty(&fixture).expect("the fixture serializes")
    );
}
