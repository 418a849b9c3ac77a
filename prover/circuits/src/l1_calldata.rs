//! The packed calldata of an L1 proof: the byte layout `contracts/src/verifier/ProofCalldata.sol`
//! decodes, written here from Plonky3's proof types. One owner of the format on each side;
//! the forge fixture carries the bytes this module writes, so the two cannot drift apart
//! unnoticed.
//!
//! ABI-encoding a proof spends 32 bytes on every 31-bit field element (85% of the bytes
//! zero); the transaction cap of EIP-7825 counts the calldata fee, so the proof travels
//! packed instead. Layout (all integers big-endian, no padding):
//!
//! - a **base** element: its canonical value, 4 bytes (must be below p: the verifier
//!   rejects other values where it serializes them);
//! - an **extension** element (BabyBear⁴): its 4 basis coefficients a₀…a₃, 4 bytes each,
//!   a₀ first (16 bytes);
//! - a **digest**: its 32 bytes;
//! - an **array**: its element count as 4 bytes, then the elements; a nested array is a
//!   count of arrays, then each array.
//!
//! The opening proof (`FriVerifier.Proof`, [`encode_opening`]), in order: commit-phase
//! commitments (digest array), final polynomial (extension array), query proof-of-work
//! witness (base), sibling values (extension array: per round, per query, its arity − 1
//! siblings), per round the pruned Merkle proof (array of digest arrays), per input batch
//! the opened rows (array of base arrays: per query, per matrix, its row), per input batch
//! its pruned Merkle proof (array of digest arrays).
//!
//! A proof with more than 2³² − 1 elements in one array cannot be written ([`TooLong`]).

use p3_baby_bear::BabyBear;
use p3_field::{BasedVectorSpace, PrimeField32};
use p3_merkle_tree::MerkleCap;

use crate::l1::{L1Challenge, L1PcsProof};

/// An array too long for the format's 4-byte count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("an array of {0} elements does not fit the calldata's 4-byte count")]
pub struct TooLong(pub usize);

/// Appends the packed encoding of proof parts (the module docs give the layout).
#[derive(Debug, Default, Clone)]
pub struct Writer {
    bytes: Vec<u8>,
}

impl Writer {
    /// An empty encoding.
    pub fn new() -> Self {
        Self::default()
    }

    /// The bytes written so far.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    /// A base element: 4 bytes, canonical.
    pub fn base(&mut self, x: BabyBear) {
        self.bytes
            .extend_from_slice(&x.as_canonical_u32().to_be_bytes());
    }

    /// An extension element: its coefficients a₀…a₃, 4 bytes each.
    pub fn ext(&mut self, x: L1Challenge) {
        for &c in BasedVectorSpace::<BabyBear>::as_basis_coefficients_slice(&x) {
            self.base(c);
        }
    }

    /// A digest: 32 bytes.
    pub fn digest(&mut self, d: &[u8; 32]) {
        self.bytes.extend_from_slice(d);
    }

    /// An array's element count, 4 bytes.
    ///
    /// # Errors
    /// [`TooLong`] when `n` exceeds `u32::MAX`.
    pub fn count(&mut self, n: usize) -> Result<(), TooLong> {
        let n32 = u32::try_from(n).map_err(|_| TooLong(n))?;
        self.bytes.extend_from_slice(&n32.to_be_bytes());
        Ok(())
    }

    /// An array of elements, each written by `put`.
    ///
    /// # Errors
    /// [`TooLong`] when the array has more than `u32::MAX` elements.
    pub fn array<T>(
        &mut self,
        items: &[T],
        mut put: impl FnMut(&mut Self, &T) -> Result<(), TooLong>,
    ) -> Result<(), TooLong> {
        self.count(items.len())?;
        items.iter().try_for_each(|x| put(self, x))
    }

    /// An array of base elements.
    ///
    /// # Errors
    /// [`TooLong`], as [`Writer::array`].
    pub fn bases(&mut self, xs: &[BabyBear]) -> Result<(), TooLong> {
        self.array(xs, |w, &x| {
            w.base(x);
            Ok(())
        })
    }

    /// An array of extension elements.
    ///
    /// # Errors
    /// [`TooLong`], as [`Writer::array`].
    pub fn exts(&mut self, xs: &[L1Challenge]) -> Result<(), TooLong> {
        self.array(xs, |w, &x| {
            w.ext(x);
            Ok(())
        })
    }

    /// An array of digests.
    ///
    /// # Errors
    /// [`TooLong`], as [`Writer::array`].
    pub fn digests(&mut self, ds: &[[u8; 32]]) -> Result<(), TooLong> {
        self.array(ds, |w, d| {
            w.digest(d);
            Ok(())
        })
    }

    /// A commitment of the L1 configuration: the root of its cap-height-0 tree.
    pub fn commitment(&mut self, cap: &MerkleCap<BabyBear, [u8; 32]>) {
        self.digest(&cap.roots()[0]);
    }
}

/// The packed encoding of an L1 PCS opening proof (`FriVerifier.Proof`; module docs).
///
/// # Errors
/// [`TooLong`] for an array past the format's 4-byte count.
pub fn encode_opening(proof: &L1PcsProof) -> Result<Vec<u8>, TooLong> {
    let mut w = Writer::new();
    w.array(&proof.commit_phase_commits, |w, c| {
        w.commitment(c);
        Ok(())
    })?;
    w.exts(&proof.final_poly)?;
    w.base(proof.query_pow_witness);
    let siblings: Vec<L1Challenge> = proof
        .commit_phase_openings
        .iter()
        .flat_map(|r| r.sibling_values.iter().flatten().copied())
        .collect();
    w.exts(&siblings)?;
    w.array(&proof.commit_phase_openings, |w, r| {
        w.digests(&r.opening_proof.sibling_hashes)
    })?;
    w.array(&proof.input_openings, |w, b| {
        let rows: Vec<BabyBear> = b
            .opened_values
            .iter()
            .flatten()
            .flatten()
            .copied()
            .collect();
        w.bases(&rows)
    })?;
    w.array(&proof.input_openings, |w, b| {
        w.digests(&b.opening_proof.sibling_hashes)
    })?;
    Ok(w.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use p3_field::PrimeCharacteristicRing;

    #[test]
    fn elements_are_big_endian_and_canonical() {
        let mut w = Writer::new();
        w.base(BabyBear::new(0x0102_0304));
        w.ext(L1Challenge::from_basis_coefficients_fn(|k| {
            BabyBear::new(k as u32 + 1)
        }));
        w.base(-BabyBear::ONE);
        let mut expected = vec![1, 2, 3, 4];
        for k in 1u32..=4 {
            expected.extend_from_slice(&k.to_be_bytes());
        }
        expected.extend_from_slice(&0x7800_0000u32.to_be_bytes());
        assert_eq!(w.into_bytes(), expected);
    }

    #[test]
    fn arrays_carry_their_count_first() {
        let mut w = Writer::new();
        w.digests(&[[7u8; 32], [9u8; 32]]).expect("fits");
        w.bases(&[]).expect("fits");
        let bytes = w.into_bytes();
        assert_eq!(&bytes[..4], &[0, 0, 0, 2]);
        assert_eq!(&bytes[4..36], &[7u8; 32]);
        assert_eq!(&bytes[36..68], &[9u8; 32]);
        assert_eq!(&bytes[68..], &[0, 0, 0, 0]);
    }

    #[test]
    fn a_count_past_four_bytes_is_refused() {
        let mut w = Writer::new();
        assert_eq!(w.count(1 << 32), Err(TooLong(1 << 32)));
        assert!(w.into_bytes().is_empty());
    }
}
