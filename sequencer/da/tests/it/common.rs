//! Shared fixtures: seeded payloads and namespace tables that cover them.

use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sq_da::{disperse, Dispersal, VidParams};
use sq_types::{NamespaceId, NsTable, NsTableEntry};

/// The share counts and payload sizes (bytes) the tests sweep.
pub(crate) const NS: [u32; 4] = [1, 4, 10, 100];
pub(crate) const SIZES: [usize; 6] = [0, 1, 7, 1001, 4097, 100_000];

pub(crate) fn rng(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

pub(crate) fn payload(rng: &mut ChaCha8Rng, len: usize) -> Vec<u8> {
    let mut p = vec![0u8; len];
    rng.fill_bytes(&mut p);
    p
}

/// A valid table for a `len`-byte payload: empty for `len == 0`, otherwise `parts` namespaces
/// (ids 10, 20, …) at random cut points, so some ranges may be empty.
pub(crate) fn table(rng: &mut ChaCha8Rng, len: usize, parts: usize) -> NsTable {
    if len == 0 {
        return NsTable::default();
    }
    let mut cuts: Vec<u32> = (1..parts).map(|_| rng.gen_range(0..=len as u32)).collect();
    cuts.sort_unstable();
    cuts.push(len as u32);
    NsTable(
        cuts.into_iter()
            .enumerate()
            .map(|(i, end)| NsTableEntry {
                namespace: NamespaceId(10 * (i as u64 + 1)),
                end,
            })
            .collect(),
    )
}

pub(crate) fn params(n: u32) -> VidParams {
    VidParams::new(n).expect("n in range")
}

/// Disperses a seeded payload of `len` bytes with a 3-namespace table.
pub(crate) fn dispersal(seed: u64, n: u32, len: usize) -> (Vec<u8>, NsTable, Dispersal) {
    let mut r = rng(seed);
    let p = payload(&mut r, len);
    let t = table(&mut r, len, 3);
    let d = disperse(params(n), &p, &t).expect("valid input");
    (p, t, d)
}
