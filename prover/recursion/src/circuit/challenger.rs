//! Plonky3's `DuplexChallenger<BabyBear, Poseidon2, 16, 8>` as circuit code: the
//! Fiat–Shamir transcript of a child proof, replayed over the permutation table.
//!
//! Semantics (p3-challenger 0.8, `duplex_challenger.rs`), step for step:
//! - `observe(x)`: clear the output buffer, push `x` to the input buffer; at 8 inputs,
//!   duplex;
//! - `sample()`: duplex when inputs are buffered or no output is left, then pop the
//!   **last** output;
//! - duplexing with `n > 0` inputs: lanes `0..n` ← inputs, lanes `n..8` ← 0,
//!   lane 8 += n; permute; outputs ← lanes `0..8`. With no input: permute only.
//!
//! The transcript's starting state (after Plonky3's domain separator seeds it) depends
//! only on the child's shape, so it enters the circuit as constants ([`Challenger::from_native`]).

use p3_baby_bear::{BabyBear, Poseidon2BabyBear};
use p3_challenger::DuplexChallenger;
use p3_field::PrimeCharacteristicRing;

use super::field::from_coords;
use super::hash::{base_constant, RATE};
use super::program::{Builder, Slot};

/// The native challenger of chunk proofs.
pub type NativeChallenger = DuplexChallenger<BabyBear, Poseidon2BabyBear<16>, 16, 8>;

/// The duplex challenger's state as slots.
#[derive(Clone, Debug)]
pub struct Challenger {
    state: [Slot; 16],
    input: Vec<Slot>,
    output: Vec<Slot>,
}

impl Challenger {
    /// The circuit copy of a native challenger's current state (constants).
    pub fn from_native(b: &mut Builder, native: &NativeChallenger) -> Self {
        Challenger {
            state: native.sponge_state.map(|x| base_constant(b, x)),
            input: native
                .input_buffer
                .iter()
                .map(|&x| base_constant(b, x))
                .collect(),
            output: native
                .output_buffer
                .iter()
                .map(|&x| base_constant(b, x))
                .collect(),
        }
    }

    fn duplex(&mut self, b: &mut Builder) {
        let n = self.input.len();
        if n > 0 {
            let zero = b.zero();
            for (i, lane) in self.state.iter_mut().enumerate().take(RATE) {
                *lane = self.input.get(i).copied().unwrap_or(zero);
            }
            let count = base_constant(b, BabyBear::from_usize(n));
            self.state[RATE] = b.add(self.state[RATE], count);
            self.input.clear();
        }
        self.state = b.permute(self.state);
        self.output = self.state[..RATE].to_vec();
    }

    /// Observes one base-field slot.
    pub fn observe(&mut self, b: &mut Builder, x: Slot) {
        self.output.clear();
        self.input.push(x);
        if self.input.len() == RATE {
            self.duplex(b);
        }
    }

    /// Observes several base-field slots in order.
    pub fn observe_all(&mut self, b: &mut Builder, xs: &[Slot]) {
        for &x in xs {
            self.observe(b, x);
        }
    }

    /// Samples one base-field element.
    pub fn sample(&mut self, b: &mut Builder) -> Slot {
        if !self.input.is_empty() || self.output.is_empty() {
            self.duplex(b);
        }
        self.output.pop().expect("a duplex leaves 8 outputs")
    }

    /// Samples an extension element: coefficient `i` is the `i`-th sample.
    pub fn sample_ext(&mut self, b: &mut Builder) -> Slot {
        let coeffs: [Slot; 4] = core::array::from_fn(|_| self.sample(b));
        from_coords(b, &coeffs)
    }
}

/// The uni-STARK transcript up to ζ, from the seeded state: observe the trace
/// commitment, the public values, sample α; observe the quotient commitment, sample ζ
/// (p3-uni-stark 0.8 `constraint_phase` and `ood_phase`, no preprocessed trace, no
/// randomization, no out-of-domain proof of work). Returns `(α, ζ)`.
///
/// # Panics
/// When the chunk configuration grinds before ζ (a configuration this replay does not
/// cover: a bug to fix here, not bad input).
pub fn stark_challenges(
    b: &mut Builder,
    challenger: &mut Challenger,
    trace_commitment: &[Slot; 8],
    publics: &[Slot],
    quotient_commitment: &[Slot; 8],
) -> (Slot, Slot) {
    assert_eq!(
        p3_uni_stark::StarkGenericConfig::ood_proof_of_work_bits(
            &sq_prover_circuits::stark::config()
        ),
        0,
        "no out-of-domain grinding to replay"
    );
    challenger.observe_all(b, trace_commitment);
    challenger.observe_all(b, publics);
    let alpha = challenger.sample_ext(b);
    challenger.observe_all(b, quotient_commitment);
    let zeta = challenger.sample_ext(b);
    (alpha, zeta)
}
