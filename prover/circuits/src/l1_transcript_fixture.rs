//! A recorded run of the L1 configuration's Fiat–Shamir transcript ([`L1Challenger`]), for
//! checking an on-chain replay (`contracts/src/verifier/KeccakTranscript.sol`) against
//! Plonky3 byte for byte: a seeded script of observations (field elements, digests),
//! samples (base-field elements, bit strings) and proof-of-work checks, each sample with the
//! value Plonky3 produced.
//!
//! The checked-in fixture is `contracts/test/fixtures/l1_transcript.json` (`just
//! fixtures`); a test here fails when it is stale.

use p3_baby_bear::BabyBear;
use p3_challenger::{CanObserve, CanSample, CanSampleBits, GrindingChallenger};
use p3_field::PrimeField32;
use p3_symmetric::Hash;
use serde::{Deserialize, Serialize};

use crate::l1::{l1_challenger, L1Challenger};

/// Operation kinds of a [`TranscriptScript`] (`kinds[i]`).
pub mod op {
    /// Observe `args[i]`, a canonical BabyBear element; `results[i]` is 0.
    pub const OBSERVE: u8 = 0;
    /// Observe `args[i]` as a 32-byte digest (`0x`-hex); `results[i]` is 0.
    pub const OBSERVE_DIGEST: u8 = 1;
    /// Sample a base-field element; `results[i]` is it (canonical).
    pub const SAMPLE_BASE: u8 = 2;
    /// Sample `args[i]` bits; `results[i]` is the value.
    pub const SAMPLE_BITS: u8 = 3;
    /// Check a proof-of-work witness: `args[i]` is `bits << 32 | witness`; `results[i]` is 1
    /// when it passes, else 0.
    pub const CHECK_WITNESS: u8 = 4;
}

/// The recorded script: three parallel arrays, in the order run. Arguments and results are
/// 256-bit numbers as `0x`-hex of 32 bytes (a digest is its bytes as one big-endian number),
/// so that forge reads them as `uint256[]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TranscriptScript {
    /// Operation kinds ([`op`]).
    pub kinds: Vec<u8>,
    /// Arguments, `0x`-hex of 32 bytes.
    pub args: Vec<String>,
    /// Results, `0x`-hex of 32 bytes.
    pub results: Vec<String>,
}

impl TranscriptScript {
    /// An empty script.
    pub fn new() -> Self {
        Self {
            kinds: Vec::new(),
            args: Vec::new(),
            results: Vec::new(),
        }
    }

    /// Appends one operation: its kind ([`op`]), argument and result.
    pub fn push(&mut self, kind: u8, arg: String, result: u64) {
        self.kinds.push(kind);
        self.args.push(arg);
        self.results.push(word(result));
    }
}

impl Default for TranscriptScript {
    fn default() -> Self {
        Self::new()
    }
}

/// splitmix64: the fixtures' deterministic choices (no RNG dependency for a fixture).
pub(crate) fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A uniformly chosen canonical BabyBear element.
pub(crate) fn element(state: &mut u64) -> BabyBear {
    BabyBear::new((next(state) % u64::from(BabyBear::ORDER_U32)) as u32)
}

/// A 32-byte digest as `0x`-hex.
pub fn digest_hex(bytes: &[u8; 32]) -> String {
    format!("0x{}", hex::encode(bytes))
}

/// The value of a recorded word ([`word`]) that fits 32 bits (a field element).
///
/// # Panics
/// If `w` is not hex.
pub fn word_value(w: &str) -> u32 {
    u32::from_str_radix(&w[w.len() - 8..], 16).expect("a recorded word")
}

/// `x` as the `0x`-hex of a 32-byte big-endian word.
pub(crate) fn word(x: u64) -> String {
    let mut b = [0u8; 32];
    b[24..].copy_from_slice(&x.to_be_bytes());
    digest_hex(&b)
}

/// Runs `ops` seeded operations on a fresh [`L1Challenger`] and records them. Observations
/// come in runs of up to 15 and samples in runs of up to 16, so flushes over inputs of many
/// lengths and chained flushes with no observation between them both occur. Witnesses are
/// found for 8 bits (honest) or taken at random (usually refused).
pub fn transcript_script(ops: usize, seed: u64) -> TranscriptScript {
    let mut challenger: L1Challenger = l1_challenger();
    let mut rng = seed;
    let mut s = TranscriptScript::new();
    while s.kinds.len() < ops {
        match next(&mut rng) % 5 {
            0 | 1 => {
                for _ in 0..next(&mut rng) % 16 {
                    let x = element(&mut rng);
                    challenger.observe(x);
                    s.push(op::OBSERVE, word(x.as_canonical_u32().into()), 0);
                }
            }
            2 => {
                let d: [u8; 32] = core::array::from_fn(|_| next(&mut rng) as u8);
                challenger.observe(Hash::<BabyBear, u8, 32>::from(d));
                s.push(op::OBSERVE_DIGEST, digest_hex(&d), 0);
            }
            3 => {
                for _ in 0..1 + next(&mut rng) % 16 {
                    if next(&mut rng).is_multiple_of(2) {
                        let x: BabyBear = challenger.sample();
                        s.push(op::SAMPLE_BASE, word(0), x.as_canonical_u32().into());
                    } else {
                        let bits = (next(&mut rng) % 31) as usize;
                        let v = challenger.sample_bits(bits);
                        s.push(op::SAMPLE_BITS, word(bits as u64), v as u64);
                    }
                }
            }
            _ => {
                let bits = 8;
                // The honest witness is the smallest that passes, found by checking on
                // copies (the passing copy becomes the transcript): `grind` searches in
                // parallel and may return another one per run, which would make the
                // fixture irreproducible.
                let (witness, passes) = if next(&mut rng).is_multiple_of(2) {
                    let (w, passed) = (0u32..)
                        .map(BabyBear::new)
                        .find_map(|w| {
                            let mut c = challenger.clone();
                            c.check_witness(bits, w).then_some((w, c))
                        })
                        .expect("an 8-bit witness exists below p");
                    challenger = passed;
                    (w, true)
                } else {
                    let w = element(&mut rng);
                    (w, challenger.check_witness(bits, w))
                };
                let arg = (bits as u64) << 32 | u64::from(witness.as_canonical_u32());
                s.push(op::CHECK_WITNESS, word(arg), u64::from(passes));
            }
        }
    }
    // A run may overshoot; the script is exactly `ops` long.
    s.kinds.truncate(ops);
    s.args.truncate(ops);
    s.results.truncate(ops);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fixture forge replays is what Plonky3 records today; regenerate with `just
    /// fixtures` when this fails.
    #[test]
    fn the_checked_in_forge_fixture_is_current() {
        let checked_in: TranscriptScript = serde_json::from_str(include_str!(
            "../../../contracts/test/fixtures/l1_transcript.json"
        ))
        .expect("fixture parses");
        assert_eq!(
            checked_in,
            transcript_script(400, 16),
            "stale fixture: run `just fixtures`"
        );
    }

    #[test]
    fn the_script_covers_every_operation_and_both_witness_outcomes() {
        let s = transcript_script(400, 16);
        for kind in [
            op::OBSERVE,
            op::OBSERVE_DIGEST,
            op::SAMPLE_BASE,
            op::SAMPLE_BITS,
        ] {
            assert!(s.kinds.contains(&kind), "kind {kind} missing");
        }
        let witnesses: Vec<&String> = (0..s.kinds.len())
            .filter(|&i| s.kinds[i] == op::CHECK_WITNESS)
            .map(|i| &s.results[i])
            .collect();
        assert!(witnesses.contains(&&word(1)) && witnesses.contains(&&word(0)));
    }
}
