//! Checks 1 (after ζ), 3 and 4 of the verifier as circuit code: the opening argument of
//! `TwoAdicFriPcs` in the chunk configuration (p3-fri 0.8 `verify` and `verify_fri`, step
//! for step), for any list of commitments, each over matrices of power-of-two heights,
//! each matrix opened at one or more points ([`CommitmentClaim`]).
//!
//! # Transcript (continuing the caller's challenger)
//! 1. the PCS domain separator's seed (constants); every claimed value's coordinates in
//!    commitment → matrix → point → column order; the batching challenge α;
//! 2. the FRI seed (constants); per commit round, its commitment then the folding
//!    challenge βᵣ; the final polynomial's coordinates;
//! 3. the query proof of work: observe the witness, sample, the low `pow_bits` bits are 0;
//! 4. each query index: the low `H` bits of one sample (`H` = the tallest log-height).
//!
//! # Per query, at index `i` (bits `i₀ … i_{H−1}`, little-endian)
//! - each commitment opens at `i >> (H − t)` (`t` its tallest log-height): a batch
//!   opening over its matrices ([`super::hash::assert_batch_opening`]);
//! - per input log-height `h`, `x_h = 31 · ω_h^{rev_h(i >> (H − h))}`, and the reduced
//!   opening `ro_h = Σ α^{off+j} (y_j − row_j) / (z − x_h)` over the claims of matrices of
//!   height `h` (the offset `off` restarts at 0 for each height and advances by the width
//!   at each point), the query-independent sums `Σ α^{off+j} y_j` computed once;
//! - per round of log-arity `a`: the row of `2^a` values holds the folded value at
//!   position `pos` = the next `a` index bits and the proof's siblings elsewhere, opens
//!   against the round's commitment at the remaining bits, and the folded value becomes
//!   the row's interpolant at βᵣ over `s·ω_a^{rev(m)}`, `s = Π_{bit ℓ of the remaining
//!   index} ω_{a+ℓ+1}` (barycentric form); when the height reached is an input height
//!   `h`, `β^{2^a} · ro_h` is rolled in;
//! - the last folded value equals the final polynomial (one coefficient).
//!
//! Denominators `z − x`, `β − xₘ` go through [`Builder::inverse`], whose constraint has
//! no solution at 0 (the native verifier rejects `z = x` too).
//!
//! The proof's batch and commit proof-of-work witnesses (0 bits) enter no transcript
//! and no check, so the circuit is more permissive than the native verifier, which
//! requires them to be zero: it also accepts a proof that differs from a valid one only
//! there. What is proven is unchanged (those fields influence nothing else); the native
//! witness generator ([`crate::fri_witness`]) refuses such proofs anyway.

use p3_baby_bear::BabyBear;
use p3_field::{Field, PrimeCharacteristicRing, TwoAdicField};

use super::bits::low_bits;
use super::challenger::Challenger;
use super::field::{coords, one_hot, pow_2k, product_of_set};
use super::hash::{
    assert_batch_opening, assert_merkle_path, base_constant, digest_hint, DigestSlots,
};
use super::program::{Builder, Slot};

/// The FRI parameters a circuit is built for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FriConfig {
    /// The input log-heights (LDE heights of the committed matrices), distinct,
    /// descending; the first is `H`.
    pub input_log_heights: Vec<usize>,
    /// log2 of each commit round's arity, in round order.
    pub log_arities: Vec<usize>,
    /// Queries.
    pub num_queries: usize,
    /// Proof-of-work bits before the queries.
    pub query_pow_bits: usize,
}

impl FriConfig {
    /// `H`, the tallest log-height.
    pub fn log_height(&self) -> usize {
        self.input_log_heights[0]
    }
}

/// One matrix of a commitment and what is claimed about it.
#[derive(Clone, Debug)]
pub struct MatrixClaim {
    /// log2 of its committed (LDE) height.
    pub log_height: usize,
    /// Each opening point and the claimed values there (one BabyBear⁴ slot per column).
    pub points: Vec<(Slot, Vec<Slot>)>,
}

impl MatrixClaim {
    /// Its width (columns).
    pub fn width(&self) -> usize {
        self.points.first().map_or(0, |(_, v)| v.len())
    }
}

/// One commitment and its matrices, in the order the prover committed them.
#[derive(Clone, Debug)]
pub struct CommitmentClaim {
    /// The name of its opening check ([`Builder::check`]), e.g. "trace opening".
    pub name: &'static str,
    /// The commitment's root.
    pub commitment: DigestSlots,
    /// Its matrices.
    pub matrices: Vec<MatrixClaim>,
}

impl CommitmentClaim {
    fn tallest(&self) -> usize {
        self.matrices
            .iter()
            .map(|m| m.log_height)
            .max()
            .unwrap_or(0)
    }
}

/// One query's hints.
#[derive(Clone, Debug)]
pub struct QuerySlots {
    /// Per commitment, per matrix: the opened row (base field).
    pub rows: Vec<Vec<Vec<Slot>>>,
    /// Per commitment: the batch opening's path, leaf level first.
    pub paths: Vec<Vec<DigestSlots>>,
    /// Per commit round: the row's other `2^a − 1` values (BabyBear⁴) and its path.
    pub rounds: Vec<(Vec<Slot>, Vec<DigestSlots>)>,
}

/// Everything the opening argument reads.
#[derive(Clone, Debug)]
pub struct FriInputs {
    /// The claims, in the order the PCS verifies them.
    pub claims: Vec<CommitmentClaim>,
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
    for claim in &inp.claims {
        for matrix in &claim.matrices {
            for (_, values) in &matrix.points {
                for &v in values {
                    observe_ext(b, ch, v);
                }
            }
        }
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
            low_bits(b, s, cfg.log_height())
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

/// One (matrix, point) claim's place in its height's α ladder, and its
/// query-independent sum `Σ_j α^{off+j} y_j`.
struct Term {
    commitment: usize,
    matrix: usize,
    point: Slot,
    alpha_off: Slot,
    claimed: Slot,
}

/// The query-independent parts of the reduced openings: per input height, its terms.
struct Reduction {
    alpha_pow: Vec<Slot>,
    terms: Vec<(usize, Vec<Term>)>,
}

fn reduction(b: &mut Builder, inp: &FriInputs, cfg: &FriConfig, alpha: Slot) -> Reduction {
    let widest = inp
        .claims
        .iter()
        .flat_map(|c| &c.matrices)
        .map(MatrixClaim::width)
        .max()
        .unwrap_or(0);
    let alpha_pow = powers(b, alpha, widest);
    let mut terms = Vec::new();
    for &h in &cfg.input_log_heights {
        let mut off = 0usize;
        let mut at_h = Vec::new();
        for (ci, claim) in inp.claims.iter().enumerate() {
            for (mi, matrix) in claim.matrices.iter().enumerate() {
                if matrix.log_height != h {
                    continue;
                }
                for (point, values) in &matrix.points {
                    let alpha_off = pow_n(b, alpha, off);
                    let sum = inner_product(b, &alpha_pow[..values.len()], values);
                    let claimed = b.mul(alpha_off, sum);
                    at_h.push(Term {
                        commitment: ci,
                        matrix: mi,
                        point: *point,
                        alpha_off,
                        claimed,
                    });
                    off += values.len();
                }
            }
        }
        terms.push((h, at_h));
    }
    Reduction { alpha_pow, terms }
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

/// The reduced opening at height `h` of one query whose row index bits there are
/// `bits` (little-endian, `h` of them).
fn reduced_opening(
    b: &mut Builder,
    r: &Reduction,
    terms: &[Term],
    q: &QuerySlots,
    bits: &[Slot],
) -> Slot {
    let coset: Vec<BabyBear> = (0..bits.len()).map(|l| omega(l + 1)).collect();
    let unshifted = product_of_set(b, bits, &coset);
    let shift = base_constant(b, BabyBear::GENERATOR);
    let x = b.mul(shift, unshifted);
    let mut row_sums: Vec<((usize, usize), Slot)> = Vec::new();
    let mut inverses: Vec<(Slot, Slot)> = Vec::new();
    let mut ro = b.zero();
    for t in terms {
        let key = (t.commitment, t.matrix);
        let sum = match row_sums.iter().find(|(k, _)| *k == key) {
            Some(&(_, s)) => s,
            None => {
                let row = &q.rows[t.commitment][t.matrix];
                let s = inner_product(b, &r.alpha_pow[..row.len()], row);
                row_sums.push((key, s));
                s
            }
        };
        let inv = match inverses.iter().find(|(z, _)| *z == t.point) {
            Some(&(_, inv)) => inv,
            None => {
                let den = b.sub(t.point, x);
                let inv = b.inverse(den);
                inverses.push((t.point, inv));
                inv
            }
        };
        let at_row = b.mul(t.alpha_off, sum);
        let num = b.sub(t.claimed, at_row);
        let term = b.mul(num, inv);
        ro = b.add(ro, term);
    }
    ro
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
/// `challenger`.
///
/// # Panics
/// When `inp` does not match `cfg` (query, round, commitment or path counts): a bug in
/// the circuit's author, not bad input (the hints' values are free, their number is
/// not).
pub fn assert_fri(b: &mut Builder, challenger: &mut Challenger, inp: &FriInputs, cfg: &FriConfig) {
    assert_eq!(inp.queries.len(), cfg.num_queries, "one hint set per query");
    assert!(
        cfg.query_pow_bits > 0,
        "the transcript below replays a query proof of work (natively absent at 0 bits)"
    );
    assert_eq!(
        inp.commit_phase_commits.len(),
        cfg.log_arities.len(),
        "one commit per round"
    );
    let ch = transcript(b, challenger, inp, cfg);
    let red = reduction(b, inp, cfg, ch.alpha);
    let beta_n: Vec<Slot> = ch
        .betas
        .iter()
        .zip(&cfg.log_arities)
        .map(|(&beta, &a)| pow_2k(b, beta, a))
        .collect();
    let h = cfg.log_height();
    for (q, bits) in inp.queries.iter().zip(&ch.indices) {
        for (ci, claim) in inp.claims.iter().enumerate() {
            b.check(claim.name);
            let t = claim.tallest();
            let rows: Vec<(usize, Vec<Slot>)> = claim
                .matrices
                .iter()
                .zip(&q.rows[ci])
                .map(|(m, row)| (m.log_height, row.clone()))
                .collect();
            assert_batch_opening(b, &rows, &bits[h - t..], &q.paths[ci], claim.commitment);
        }
        let mut reduced: Vec<(usize, Slot)> = red
            .terms
            .iter()
            .map(|(height, terms)| {
                (
                    *height,
                    reduced_opening(b, &red, terms, q, &bits[h - height..]),
                )
            })
            .collect();
        let mut folded = reduced.remove(0).1;
        let mut offset = 0;
        for (r, (&a, (siblings, path))) in cfg.log_arities.iter().zip(&q.rounds).enumerate() {
            b.check("commit-phase opening");
            let (pos, rest) = bits[offset..].split_at(a);
            let e = one_hot(b, pos);
            let row = round_row(b, &e, folded, siblings);
            let leaf: Vec<Slot> = row.iter().flat_map(|&v| coords(b, v)).collect();
            assert_merkle_path(b, &leaf, rest, path, inp.commit_phase_commits[r]);
            let rest_omegas: Vec<BabyBear> = (0..rest.len()).map(|l| omega(a + l + 1)).collect();
            let s = product_of_set(b, rest, &rest_omegas);
            folded = fold(b, &row, s, a, ch.betas[r], beta_n[r]);
            offset += a;
            if let Some(pos) = reduced.iter().position(|(height, _)| *height == h - offset) {
                let (_, ro) = reduced.remove(pos);
                let rolled = b.mul(beta_n[r], ro);
                folded = b.add(folded, rolled);
            }
        }
        assert!(reduced.is_empty(), "every input height is rolled in");
        b.check("final polynomial");
        b.assert_eq(folded, inp.final_poly);
    }
}

/// Allocates the opening argument's hints for `claims` under `cfg`, in the order of
/// [`crate::fri_witness::fri_hints`]: the commit-phase commitments, the final
/// polynomial, the proof-of-work witness, then per query: per commitment its matrices'
/// rows then its path; per round the row's other values then its path.
pub fn allocate(
    b: &mut Builder,
    claims: Vec<CommitmentClaim>,
    cfg: &FriConfig,
    pcs_seed: Vec<BabyBear>,
    fri_seed: Vec<BabyBear>,
) -> FriInputs {
    let commit_phase_commits = cfg.log_arities.iter().map(|_| digest_hint(b)).collect();
    let final_poly = b.hint();
    let pow_witness = b.hint();
    let h = cfg.log_height();
    let queries = (0..cfg.num_queries)
        .map(|_| {
            let mut rows = Vec::with_capacity(claims.len());
            let mut paths = Vec::with_capacity(claims.len());
            for claim in &claims {
                rows.push(
                    claim
                        .matrices
                        .iter()
                        .map(|m| (0..m.width()).map(|_| b.hint()).collect())
                        .collect(),
                );
                paths.push((0..claim.tallest()).map(|_| digest_hint(b)).collect());
            }
            let mut remaining = h;
            let rounds = cfg
                .log_arities
                .iter()
                .map(|&a| {
                    remaining -= a;
                    let others = (0..(1 << a) - 1).map(|_| b.hint()).collect();
                    let path = (0..remaining).map(|_| digest_hint(b)).collect();
                    (others, path)
                })
                .collect();
            QuerySlots {
                rows,
                paths,
                rounds,
            }
        })
        .collect();
    FriInputs {
        claims,
        commit_phase_commits,
        final_poly,
        pow_witness,
        queries,
        pcs_seed,
        fri_seed,
    }
}
