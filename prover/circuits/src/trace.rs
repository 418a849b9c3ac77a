//! Trace generation for [`crate::air::ChunkAir`] from a [`ChunkWitness`].
//!
//! The generator never panics on a bad witness: it fills the cells from the witness as
//! given (wrong paths, balances or nonces included), so that a witness that does not
//! satisfy the relation yields a trace that does not satisfy the AIR.

use p3_field::{PrimeCharacteristicRing, PrimeField32};
use p3_matrix::dense::RowMajorMatrix;

use crate::account::{address_limbs, balance_limbs, Account, LEAF_TAG};
use crate::air::{col, fill_perm, perm, COMMIT_STEP, LEAF_STEPS, SPONGE_STEP, STEPS, WIDTH};
use crate::hash::{Digest, F, WIDTH as PERM_WIDTH};
use crate::merkle::DEPTH;
use crate::witness::{ChunkWitness, LeafUpdate};

/// The smallest trace height.
pub const MIN_HEIGHT: usize = 8;

/// The trace height for `transfers` transfers: the next power of two above
/// `56 × transfers` (at least one padding row), at least [`MIN_HEIGHT`].
pub fn trace_height(transfers: usize) -> usize {
    (STEPS * transfers + 1).next_power_of_two().max(MIN_HEIGHT)
}

/// The preimage of an account, without the nonce assertion of [`Account::preimage`].
fn preimage(a: &Account) -> [F; PERM_WIDTH] {
    let mut out = [F::ZERO; PERM_WIDTH];
    out[0] = F::from_u32(LEAF_TAG);
    out[1..7].copy_from_slice(&address_limbs(&a.address));
    out[7..15].copy_from_slice(&balance_limbs(a.balance));
    out[15] = F::from_u64(a.nonce);
    out
}

fn digest_of(state: &[F; PERM_WIDTH]) -> [F; 8] {
    let mut d = [F::ZERO; 8];
    d.copy_from_slice(&state[..8]);
    d
}

/// Fills the 16 bits of `value` (canonical, truncated to 16 bits) at `base`.
fn fill_bits(row: &mut [F], base: usize, value: F) {
    let v = value.as_canonical_u32();
    for i in 0..16 {
        row[base + i] = F::from_u32((v >> i) & 1);
    }
}

/// The mutable state of the generator between rows.
struct Gen<'a> {
    rows: &'a mut [F],
    root: [F; 8],
    comm: [F; 8],
    /// Output of the previous row's lanes (A's node digest, B's output state).
    prev_node_a: [F; 8],
    prev_out_a: [F; PERM_WIDTH],
    prev_out_b: [F; PERM_WIDTH],
    /// Lane B filler for rows that do not use it.
    zero_out: [F; PERM_WIDTH],
}

impl Gen<'_> {
    fn row(&mut self, r: usize) -> &mut [F] {
        &mut self.rows[r * WIDTH..(r + 1) * WIDTH]
    }

    /// Common cells of row `r`: step, state, transfer columns.
    fn start_row(&mut self, r: usize, step: Option<usize>, tx: &[F; col::TX_END - col::FROM]) {
        let (root, comm) = (self.root, self.comm);
        let row = self.row(r);
        match step {
            Some(k) => row[col::E + k] = F::ONE,
            None => row[col::PAD] = F::ONE,
        }
        row[col::ROOT..col::ROOT + 8].copy_from_slice(&root);
        row[col::COMM..col::COMM + 8].copy_from_slice(&comm);
        row[col::FROM..col::TX_END].copy_from_slice(tx);
    }

    /// Fills both lanes of row `r`; records their outputs; sets `node_a`.
    fn lanes(&mut self, r: usize, a: [F; PERM_WIDTH], b: Option<[F; PERM_WIDTH]>, is_new: bool) {
        let zero_out = self.zero_out;
        let row = self.row(r);
        let out_a = fill_perm(row, col::LANE_A, a);
        let out_b = match b {
            Some(b) => fill_perm(row, col::LANE_B, b),
            None => {
                let _unused = fill_perm(row, col::LANE_B, [F::ZERO; PERM_WIDTH]);
                zero_out
            }
        };
        let node_a = if is_new {
            [F::ZERO; 8]
        } else {
            digest_of(&out_a)
        };
        row[col::IS_NEW] = F::from_bool(is_new);
        row[col::NODE_A..col::NODE_A + 8].copy_from_slice(&node_a);
        self.prev_node_a = node_a;
        self.prev_out_a = out_a;
        self.prev_out_b = out_b;
    }
}

/// Which of the three updates.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Sender,
    Recipient,
    FeeRecipient,
}

/// Carries `c_0..c_8` of one limb-wise update, as computed from the limbs (0..=2 each).
fn carries(role: Role, old: &[F; 8], new: &[F; 8], value: &[F; 8], fee: &[F; 8]) -> [u32; 8] {
    let mut out = [0u32; 8];
    let mut cin: i64 = 0;
    for i in 0..8 {
        let g = |x: &[F; 8]| i64::from(x[i].as_canonical_u32());
        // lhs - rhs without the carry-out, which must equal c_i · 2^16.
        let t = match role {
            Role::Sender => g(new) + g(value) + g(fee) + cin - g(old),
            Role::Recipient => g(old) + g(value) + cin - g(new),
            Role::FeeRecipient => g(old) + g(fee) + cin - g(new),
        };
        let c = t.div_euclid(1 << 16).clamp(0, 2);
        out[i] = c as u32;
        cin = c;
    }
    out
}

/// Builds the trace for `w` (whether or not it satisfies the relation).
pub fn generate(w: &ChunkWitness) -> RowMajorMatrix<F> {
    let height = trace_height(w.transfers.len());
    let mut values = F::zero_vec(height * WIDTH);
    let mut zero_row = vec![F::ZERO; WIDTH];
    let zero_out = fill_perm(&mut zero_row, col::LANE_A, [F::ZERO; PERM_WIDTH]);
    let mut g = Gen {
        rows: &mut values,
        root: w.public.root_before.0,
        comm: w.public.commitment_before.0,
        prev_node_a: [F::ZERO; 8],
        prev_out_a: [F::ZERO; PERM_WIDTH],
        prev_out_b: [F::ZERO; PERM_WIDTH],
        zero_out,
    };

    for (t_index, tw) in w.transfers.iter().enumerate() {
        let base = t_index * STEPS;
        let t = &tw.transfer;
        let from = address_limbs(&t.from);
        let to = address_limbs(&t.to);
        let value = balance_limbs(t.value);
        let fee = balance_limbs(t.fee);
        let nonce = F::from_u64(t.nonce);
        let mut tx = [F::ZERO; col::TX_END - col::FROM];
        tx[0..6].copy_from_slice(&from);
        tx[6..12].copy_from_slice(&to);
        tx[12..20].copy_from_slice(&value);
        tx[20..28].copy_from_slice(&fee);
        tx[28] = nonce;

        let updates: [(Role, &LeafUpdate); 3] = [
            (Role::Sender, &tw.sender),
            (Role::Recipient, &tw.recipient),
            (Role::FeeRecipient, &tw.fee_recipient),
        ];
        for (u, (role, upd)) in updates.into_iter().enumerate() {
            let leaf_row = base + LEAF_STEPS[u];
            let old_pre = upd.before.as_ref().map_or([F::ZERO; PERM_WIDTH], preimage);
            let new_pre = preimage(&upd.after);
            let is_new = upd.before.is_none();
            let mut old_bal = [F::ZERO; 8];
            old_bal.copy_from_slice(&old_pre[7..15]);
            let mut new_bal = [F::ZERO; 8];
            new_bal.copy_from_slice(&new_pre[7..15]);
            let cs = carries(role, &old_bal, &new_bal, &value, &fee);
            let new_nonce = new_pre[15].as_canonical_u32();
            let (nlo, nhi) = (new_nonce & 0xffff, new_nonce >> 16);

            g.start_row(leaf_row, Some(LEAF_STEPS[u]), &tx);
            g.lanes(leaf_row, old_pre, Some(new_pre), is_new);
            let mut bal = [F::ZERO; 16];
            bal[..8].copy_from_slice(&old_bal);
            bal[8..].copy_from_slice(&new_bal);
            {
                let row = g.row(leaf_row);
                for (i, &cv) in cs.iter().enumerate() {
                    row[col::CA + i] = F::from_bool(cv >= 1);
                    row[col::CB + i] = F::from_bool(cv >= 2);
                }
                row[col::BAL..col::BAL + 16].copy_from_slice(&bal);
                row[col::NLO] = F::from_u32(nlo);
                row[col::NHI] = F::from_u32(nhi);
                fill_bits(row, col::RC1, F::from_u32(nlo));
                fill_bits(row, col::RC2, F::from_u32(nhi.wrapping_mul(4)));
            }

            for k in 0..DEPTH {
                let r = leaf_row + 1 + k;
                let sib = upd.path.siblings.get(k).copied().unwrap_or(Digest::ZERO).0;
                let bit = (upd.path.index >> k) & 1 == 1;
                let order = |node: [F; 8]| {
                    let mut s = [F::ZERO; PERM_WIDTH];
                    let (left, right) = if bit { (sib, node) } else { (node, sib) };
                    s[..8].copy_from_slice(&left);
                    s[8..].copy_from_slice(&right);
                    s
                };
                let a = order(g.prev_node_a);
                let b = order(digest_of(&g.prev_out_b));
                g.start_row(r, Some(LEAF_STEPS[u] + 1 + k), &tx);
                g.lanes(r, a, Some(b), false);
                let row = g.row(r);
                row[col::SIB..col::SIB + 8].copy_from_slice(&sib);
                row[col::BIT] = F::from_bool(bit);
                row[col::BAL..col::BAL + 16].copy_from_slice(&bal);
                fill_bits(row, col::RC1, bal[k]);
                if role == Role::Sender {
                    fill_bits(row, col::RC2, if k < 8 { value[k] } else { fee[k - 8] });
                }
            }
            // The top row's lane B output is the new root.
            g.root = digest_of(&g.prev_out_b);
        }

        // Sponge over the encoding, then the commitment.
        let enc = t.encode();
        for blk in 0..4 {
            let r = base + SPONGE_STEP + blk;
            let mut s = [F::ZERO; PERM_WIDTH];
            if blk > 0 {
                s[8..].copy_from_slice(&g.prev_out_a[8..]);
            }
            s[..8].copy_from_slice(&enc[8 * blk..8 * blk + 8]);
            g.start_row(r, Some(SPONGE_STEP + blk), &tx);
            g.lanes(r, s, None, false);
        }
        let r = base + COMMIT_STEP;
        let mut s = [F::ZERO; PERM_WIDTH];
        s[..8].copy_from_slice(&g.comm);
        s[8..].copy_from_slice(&g.prev_out_a[..8]);
        g.start_row(r, Some(COMMIT_STEP), &tx);
        g.lanes(r, s, None, false);
        g.comm = digest_of(&g.prev_out_a);
    }

    // Padding: copy one padding row.
    let first_pad = STEPS * w.transfers.len();
    let tx = [F::ZERO; col::TX_END - col::FROM];
    g.start_row(first_pad, None, &tx);
    g.lanes(first_pad, [F::ZERO; PERM_WIDTH], None, false);
    let pad_row: Vec<F> = g.row(first_pad).to_vec();
    for r in first_pad + 1..height {
        g.row(r).copy_from_slice(&pad_row);
    }
    // `perm::LANE` is referenced so the layout stays in one place.
    debug_assert_eq!(col::LANE_B - col::LANE_A, perm::LANE);
    RowMajorMatrix::new(values, WIDTH)
}
