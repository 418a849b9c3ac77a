//! VID throughput benchmark: `cargo run --release --example vid_bench`.
//!
//! For 1, 5 and 30 MB payloads (10^6 bytes) at n = 10 and n = 100 it prints a markdown table of
//! payload MB/s for `disperse` (framing, Reed–Solomon, Merkle tree, namespace root) and `recover`
//! (share checks, decode, re-encode and re-hash), next to the raw `reed_solomon_simd::encode` /
//! `decode` on the same shards, and the raw/full ratio. Recovery uses the last `k` shares, which
//! are all recovery shards, so every original shard must be decoded. Each figure is the median
//! of a few runs timed with `Instant`; this is a quick table, not a statistical benchmark. A
//! last line gives plain keccak-256 throughput, which bounds both VID columns.

use std::hint::black_box;
use std::time::{Duration, Instant};

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sq_da::{disperse, recover, VidParams};
use sq_types::{NamespaceId, NsTable, NsTableEntry};

const MB: usize = 1_000_000;

fn median_time<T>(iters: usize, mut f: impl FnMut() -> T) -> Duration {
    let mut times: Vec<Duration> = (0..iters)
        .map(|_| {
            let start = Instant::now();
            black_box(f());
            start.elapsed()
        })
        .collect();
    times.sort_unstable();
    times[times.len() / 2]
}

fn mb_per_s(bytes: usize, t: Duration) -> f64 {
    bytes as f64 / MB as f64 / t.as_secs_f64()
}

/// Four namespaces of equal size.
fn table(len: usize) -> NsTable {
    NsTable(
        (1..=4u32)
            .map(|i| NsTableEntry {
                namespace: NamespaceId(u64::from(i)),
                end: (len as u64 * u64::from(i) / 4) as u32,
            })
            .collect(),
    )
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    println!("| n | k | payload | disperse MB/s | raw RS encode MB/s | raw/disperse | recover MB/s | raw RS decode MB/s | raw/recover |");
    println!("|---|---|---|---|---|---|---|---|---|");
    for n in [10u32, 100] {
        let params = VidParams::new(n)?;
        let (k, r) = (params.k() as usize, params.recovery_count() as usize);
        for size in [MB, 5 * MB, 30 * MB] {
            let iters = if size >= 30 * MB { 3 } else { 5 };
            let mut payload = vec![0u8; size];
            rng.fill_bytes(&mut payload);
            let table = table(size);
            let d = disperse(params, &payload, &table)?;
            let last_k = &d.shares[n as usize - k..];
            let got = recover(&d.common, &d.commitment, &table, last_k)?;
            assert_eq!(got.payload, payload, "recovery must be exact");

            let t_disperse = median_time(iters, || disperse(params, &payload, &table));
            let t_recover =
                median_time(iters, || recover(&d.common, &d.commitment, &table, last_k));

            let originals: Vec<&[u8]> = d.shares[..k].iter().map(|s| &s.data[..]).collect();
            let t_rs_encode = median_time(iters, || reed_solomon_simd::encode(k, r, &originals));
            let recovery: Vec<(usize, &[u8])> = last_k
                .iter()
                .map(|s| (s.index.as_usize() - k, &s.data[..]))
                .collect();
            let no_originals: [(usize, &[u8]); 0] = [];
            let t_rs_decode = median_time(iters, || {
                reed_solomon_simd::decode(k, r, no_originals, recovery.iter().copied())
            });

            let (de, re) = (mb_per_s(size, t_disperse), mb_per_s(size, t_rs_encode));
            let (rc, rd) = (mb_per_s(size, t_recover), mb_per_s(size, t_rs_decode));
            println!(
                "| {n} | {k} | {} MB | {de:.0} | {re:.0} | {:.1}× | {rc:.0} | {rd:.0} | {:.1}× |",
                size / MB,
                re / de,
                rd / rc
            );
        }
    }
    let block = vec![0u8; 30 * MB];
    let t_keccak = median_time(3, || sq_da::merkle::keccak(&[&block]));
    println!(
        "\nkeccak-256 alone (sha3 crate): {:.0} MB/s; disperse hashes about (n/k + 1) × the payload, \
         recover about (n/k + 2) ×.",
        mb_per_s(30 * MB, t_keccak)
    );
    Ok(())
}
