//! Checks 1 (after ζ), 3 and 4 of the verifier as circuit code: the opening argument of
//! a uni-STARK proof in the chunk configuration (p3-fri 0.8 `TwoAdicFriPcs::verify` and
//! `verify_fri`, step for step), for one trace matrix opened at ζ and gζ and a quotient
//! of `k` chunks opened at ζ.
//!
//! # Transcript (continuing the challenger from ζ)
//! 1. the PCS domain separator's seed (constants), the claimed openings' coordinates
//!    (trace at ζ, trace at gζ, each quotient chunk), then the batching challenge α;
//! 2. the FRI seed (constants); per commit round, its commitment then the folding
//!    challenge βᵣ; the final polynomial's coordinates;
//! 3. the query proof of work: observe the witness, sample, the low `pow_bits` bits are 0;
//! 4. each query index: the low `log_height` bits of one sample.
//!
//! # Per query, at index `i` (bits `i₀ … i_{H−1}`, little-endian)
//! - `x = 31 · Π_{iₗ = 1} ω_{ℓ+1}` (the LDE is bit-reversed on the coset `31·⟨ω_H⟩`);
//! - the trace row and the quotient rows open at `i` against their commitments;
//! - the reduced opening `ro = Σ_c α^c (T_c(ζ) − t_c)/(ζ − x) + Σ_c α^{W+c} (T_c(gζ) −
//!   t_c)/(gζ − x) + Σ_{j,c} α^{2W+4j+c} (Q_{j,c}(ζ) − q_{j,c})/(ζ − x)`, with the
//!   query-independent sums computed once;
//! - per round of log-arity `a`: the row of `2^a` values holds the folded value at
//!   position `pos` = the next `a` index bits and the proof's siblings elsewhere, opens
//!   against the round's commitment at the remaining bits, and the folded value becomes
//!   the row's interpolant at βᵣ over `s·ω_a^{rev(m)}`, `s = Π_{bit ℓ of the remaining
//!   index} ω_{a+ℓ+1}` (barycentric form);
//! - the last folded value equals the final polynomial (one coefficient).
//!
//! Denominators `ζ − x`, `gζ − x`, `β − xₘ` go through [`Builder::inverse`], whose
//! constraint has no solution at 0 (the native verifier rejects `ζ = x` too).
//! The proof's batch and commit proof-of-work witnesses (0 bits) and its out-of-domain
//! witness are read by nothing here: they influence no check.

use p3_baby_bear::BabyBear;
use p3_field::{Field, PrimeCharacteristicRing, TwoAdicField};

use super::bits::low_bits;
use super::challenger::Challenger;
use super::field::{coords, one_hot, pow_2k, product_of_set};
use super::hash::{assert_merkle_path, base_constant, DigestSlots};
use super::program::{Builder, Slot};

/// The FRI parameters a circuit is built for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FriConfig {
    /// log2 of the LDE height: `degree_bits + log_blowup`.
    pub log_height: usize,
    /// log2 of each commit round's arity, in round order.
    pub log_arities: Vec<usize>,
    /// Queries.
    pub num_queries: usize,
    /// Proof-of-work bits before the queries.
    pub query_pow_bits: usize,
}

/// One query's hints.
#[derive(Clone, Debug)]
pub struct QuerySlots {
    /// The trace row at the query index (base field).
    pub trace_row: Vec<Slot>,
    /// Each quotient chunk's row (4 base-field values each).
    pub quotient_rows: Vec<[Slot; 4]>,
    /// The trace row's path, leaf level first.
    pub trace_path: Vec<DigestSlots>,
    /// The quotient rows' path.
    pub quotient_path: Vec<DigestSlots>,
    /// Per commit round: the row's other `2^a − 1` values (BabyBear⁴) and its path.
    pub rounds: Vec<(Vec<Slot>, Vec<DigestSlots>)>,
}

/// Everything the opening argument reads.
#[derive(Clone, Debug)]
pub struct FriInputs {
    /// The out-of-domain point ζ (derived earlier in the transcript).
    pub zeta: Slot,
    /// log2 of the trace height (for gζ).
    pub degree_bits: usize,
    /// The trace row at ζ and at gζ (BabyBear⁴).
    pub local: Vec<Slot>,
    /// The trace row at gζ.
    pub next: Vec<Slot>,
    /// Each quotient chunk's 4 coordinate polynomials at ζ (BabyBear⁴).
    pub quotient_chunks: Vec<[Slot; 4]>,
    /// The trace commitment.
    pub trace_commitment: DigestSlots,
    /// The quotient commitment.
    pub quotient_commitment: DigestSlots,
    /// One commitment per commit round.
    pub commit_phase_commits: Vec<DigestSlots>,
    /// The final polynomial's one coefficient (BabyBear⁴).
    pub final_poly: Slot,
    /// The query proof-of-work witness (base field).
    pub pow_witness: Slot,
    /// Per query.
    pub queries: Vec<QuerySlots>,
    /// The PCS domain separator's seed elements.
    pub pcs_seed: Vec<BabyBear>,
    /// The FRI domain separator's seed elements.
    pub fri_seed: Vec<BabyBear>,
}

fn observe_constants(b: &mut Builder, ch: &mut Challenger, xs: &[BabyBear]) {
    for &x in xs {
        let s = base_constant(b, x);
        ch.observe(b, s);
    }
}

fn observe_ext(b: &mut Builder, ch: &mut Challenger, x: Slot) {
    let c = coords(b, x);
    ch.observe_all(b, &c);
}

/// The transcript's challenges for the opening argument.
struct Challenges {
    alpha: Slot,
    betas: Vec<Slot>,
    indices: Vec<Vec<Slot>>,
}

fn transcript(
    b: &mut Builder,
    ch: &mut Challenger,
    inp: &FriInputs,
    cfg: &FriConfig,
) -> Challenges {
    b.check("claimed openings' coordinates");
    observe_constants(b, ch, &inp.pcs_seed);
    let claimed = inp
        .local
        .iter()
        .chain(&inp.next)
        .chain(inp.quotient_chunks.iter().flatten());
    for &v in claimed {
        observe_ext(b, ch, v);
    }
    let alpha = ch.sample_ext(b);
    observe_constants(b, ch, &inp.fri_seed);
    let betas = inp
        .commit_phase_commits
        .iter()
        .map(|commit| {
            ch.observe_all(b, commit);
            ch.sample_ext(b)
        })
        .collect();
    b.check("final polynomial's coordinates");
    observe_ext(b, ch, inp.final_poly);
    b.check("query proof of work");
    ch.observe(b, inp.pow_witness);
    let pow_sample = ch.sample(b);
    for bit in low_bits(b, pow_sample, cfg.query_pow_bits) {
        b.assert_zero(bit);
    }
    b.check("query index bits");
    let indices = (0..cfg.num_queries)
        .map(|_| {
            let s = ch.sample(b);
            low_bits(b, s, cfg.log_height)
        })
        .collect();
    Challenges {
        alpha,
        betas,
        indices,
    }
}

/// `[α⁰, …, α^{n−1}]`.
fn powers(b: &mut Builder, alpha: Slot, n: usize) -> Vec<Slot> {
    let mut out = Vec::with_capacity(n);
    let mut p = b.one();
    for _ in 0..n {
        out.push(p);
        p = b.mul(p, alpha);
    }
    out
}

fn inner_product(b: &mut Builder, xs: &[Slot], ys: &[Slot]) -> Slot {
    let mut acc = b.zero();
    for (&x, &y) in xs.iter().zip(ys) {
        let t = b.mul(x, y);
        acc = b.add(acc, t);
    }
    acc
}

/// The query-independent parts of the reduced opening.
struct Reduction {
    alpha_pow: Vec<Slot>,
    alpha_w: Slot,
    alpha_2w: Slot,
    at_zeta: Slot,
    at_zeta_next: Slot,
    zeta_next: Slot,
}

fn reduction(b: &mut Builder, inp: &FriInputs, alpha: Slot) -> Reduction {
    let w = inp.local.len();
    let q: Vec<Slot> = inp.quotient_chunks.iter().flatten().copied().collect();
    let alpha_pow = powers(b, alpha, w.max(q.len()));
    let alpha_w = pow_n(b, alpha, w);
    let alpha_2w = b.mul(alpha_w, alpha_w);
    let local = inner_product(b, &alpha_pow[..w], &inp.local);
    let quotient = inner_product(b, &alpha_pow[..q.len()], &q);
    let quotient = b.mul(alpha_2w, quotient);
    let at_zeta = b.add(local, quotient);
    let next = inner_product(b, &alpha_pow[..w], &inp.next);
    let at_zeta_next = b.mul(alpha_w, next);
    let g = base_constant(b, BabyBear::two_adic_generator(inp.degree_bits));
    let zeta_next = b.mul(inp.zeta, g);
    Reduction {
        alpha_pow,
        alpha_w,
        alpha_2w,
        at_zeta,
        at_zeta_next,
        zeta_next,
    }
}

/// `x^n` by square-and-multiply over the constant `n`.
fn pow_n(b: &mut Builder, x: Slot, n: usize) -> Slot {
    let mut acc = b.one();
    for bit in (0..usize::BITS - n.leading_zeros()).rev() {
        acc = b.mul(acc, acc);
        if (n >> bit) & 1 == 1 {
            acc = b.mul(acc, x);
        }
    }
    acc
}

/// `ω_n`, the two-adic generator of order `2^n`.
fn omega(n: usize) -> BabyBear {
    BabyBear::two_adic_generator(n)
}

/// The reduced opening of one query at `x`.
fn reduced_opening(
    b: &mut Builder,
    inp: &FriInputs,
    r: &Reduction,
    q: &QuerySlots,
    x: Slot,
) -> Slot {
    let w = q.trace_row.len();
    let s_t = inner_product(b, &r.alpha_pow[..w], &q.trace_row);
    let rows: Vec<Slot> = q.quotient_rows.iter().flatten().copied().collect();
    let s_q = inner_product(b, &r.alpha_pow[..rows.len()], &rows);
    let s_q = b.mul(r.alpha_2w, s_q);
    let at_zeta_rows = b.add(s_t, s_q);
    let num_zeta = b.sub(r.at_zeta, at_zeta_rows);
    let den_zeta = b.sub(inp.zeta, x);
    let inv_zeta = b.inverse(den_zeta);
    let term_zeta = b.mul(num_zeta, inv_zeta);
    let s_t_next = b.mul(r.alpha_w, s_t);
    let num_next = b.sub(r.at_zeta_next, s_t_next);
    let den_next = b.sub(r.zeta_next, x);
    let inv_next = b.inverse(den_next);
    let term_next = b.mul(num_next, inv_next);
    b.add(term_zeta, term_next)
}

/// The row of one commit round: the folded value at `pos` (one-hot `e`), the siblings
/// in ascending order elsewhere.
fn round_row(b: &mut Builder, e: &[Slot], folded: Slot, siblings: &[Slot]) -> Vec<Slot> {
    let n = e.len();
    let mut row = Vec::with_capacity(n);
    let (mut below, mut at_or_below) = (b.zero(), b.zero());
    for m in 0..n {
        // below = [pos < m], at_or_below = [pos ≤ m] (prefix sums of the one-hot e).
        at_or_below = b.add(at_or_below, e[m]);
        let mut v = b.mul(e[m], folded);
        if m + 1 < n {
            // pos > m: the sibling keeps its index.
            let one = b.one();
            let above = b.sub(one, at_or_below);
            let t = b.mul(above, siblings[m]);
            v = b.add(v, t);
        }
        if m > 0 {
            // pos < m: the sibling shifted up by one.
            let t = b.mul(below, siblings[m - 1]);
            v = b.add(v, t);
        }
        row.push(v);
        below = at_or_below;
    }
    row
}

/// The interpolant of `row` over `s · ω_a^{rev_a(m)}` at `beta` (`beta_n = β^{2^a}`).
fn fold(b: &mut Builder, row: &[Slot], s: Slot, a: usize, beta: Slot, beta_n: Slot) -> Slot {
    let n = row.len();
    let mut mu: Vec<BabyBear> = omega(a).powers().take(n).collect();
    p3_util::reverse_slice_index_bits(&mut mu);
    let s_n = pow_2k(b, s, a);
    let z = b.sub(beta_n, s_n);
    let mut acc = b.zero();
    for (&v, &mu_m) in row.iter().zip(&mu) {
        let mu_m = base_constant(b, mu_m);
        let x_m = b.mul(s, mu_m);
        let den = b.sub(beta, x_m);
        let inv = b.inverse(den);
        let t = b.mul(v, x_m);
        let t = b.mul(t, inv);
        acc = b.add(acc, t);
    }
    let n_const = base_constant(b, BabyBear::from_usize(n));
    let den = b.mul(n_const, s_n);
    let inv = b.inverse(den);
    let scaled = b.mul(z, acc);
    b.mul(scaled, inv)
}

/// Emits the opening argument's transcript and checks (module docs), continuing
/// `challenger` from ζ.
///
/// # Panics
/// When `inp` does not match `cfg` (query, round or path counts): a bug in the
/// circuit's author, not bad input (the hints' values are free, their number is not).
pub fn assert_fri(b: &mut Builder, challenger: &mut Challenger, inp: &FriInputs, cfg: &FriConfig) {
    assert_eq!(inp.queries.len(), cfg.num_queries, "one hint set per query");
    assert_eq!(
        inp.commit_phase_commits.len(),
        cfg.log_arities.len(),
        "one commit per round"
    );
    let ch = transcript(b, challenger, inp, cfg);
    let red = reduction(b, inp, ch.alpha);
    let beta_n: Vec<Slot> = ch
        .betas
        .iter()
        .zip(&cfg.log_arities)
        .map(|(&beta, &a)| pow_2k(b, beta, a))
        .collect();
    let h = cfg.log_height;
    let coset: Vec<BabyBear> = (0..h).map(|l| omega(l + 1)).collect();
    let shift = base_constant(b, BabyBear::GENERATOR);
    for (q, bits) in inp.queries.iter().zip(&ch.indices) {
        let unshifted = product_of_set(b, bits, &coset);
        let x = b.mul(shift, unshifted);
        b.check("trace opening");
        assert_merkle_path(b, &q.trace_row, bits, &q.trace_path, inp.trace_commitment);
        b.check("quotient opening");
        let rows: Vec<Slot> = q.quotient_rows.iter().flatten().copied().collect();
        assert_merkle_path(b, &rows, bits, &q.quotient_path, inp.quotient_commitment);
        let mut folded = reduced_opening(b, inp, &red, q, x);
        let mut offset = 0;
        for (r, (&a, (siblings, path))) in cfg.log_arities.iter().zip(&q.rounds).enumerate() {
            let (pos, rest) = bits[offset..].split_at(a);
            b.check("commit-phase opening");
            let e = one_hot(b, pos);
            let row = round_row(b, &e, folded, siblings);
            let leaf: Vec<Slot> = row.iter().flat_map(|&v| coords(b, v)).collect();
            assert_merkle_path(b, &leaf, rest, path, inp.commit_phase_commits[r]);
            let rest_omegas: Vec<BabyBear> = (0..rest.len()).map(|l| omega(a + l + 1)).collect();
            let s = product_of_set(b, rest, &rest_omegas);
            folded = fold(b, &row, s, a, ch.betas[r], beta_n[r]);
            offset += a;
        }
        b.check("final polynomial");
        b.assert_eq(folded, inp.final_poly);
    }
}
