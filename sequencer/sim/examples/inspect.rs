//! Prints one random scenario and its report: `cargo run -p sq-sim --example inspect -- SEED [N F MS]`.
fn main() -> anyhow::Result<()> {
    let a: Vec<u64> = std::env::args()
        .skip(1)
        .map(|s| s.parse())
        .collect::<Result<_, _>>()?;
    let s = sq_sim::Scenario::random(
        a[0],
        *a.get(1).unwrap_or(&10) as usize,
        *a.get(2).unwrap_or(&3) as usize,
        *a.get(3).unwrap_or(&20_000),
    );
    println!("{:?}\n{:?}\n{:?}", s.network, s.behaviors, s.crashes);
    println!("{:#?}", sq_sim::run(s)?);
    Ok(())
}
