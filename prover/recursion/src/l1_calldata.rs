//! A circuit proof in the L1 configuration as the packed calldata `StarkCircuitVerifier`
//! takes: the batch layer with the opened values (`batch`) and the opening proof
//! (`opening`), in the byte format of [`sq_prover_circuits::l1_calldata`] (whose docs give
//! the element encodings and the opening proof's layout).
//!
//! The batch part (`BatchStarkTranscript.Input` less what the verifying key and the
//! statement supply, then `StarkOpenings.Opened` per table), in order: each table's degree
//! bits (array of 4-byte integers), the main commitment (digest), the lookup phase's
//! proof-of-work witness (base; 0 without lookups), the permutation commitment (digest; 32
//! zero bytes without lookups), the lookup terminals of the tables with lookups (extension
//! array), the quotient commitment (digest), the out-of-domain proof-of-work witness
//! (base), then the opened values: a count of tables, and per table seven extension
//! arrays: main row at ζ, main row at gζ (empty when the table does not read it),
//! preprocessed row at ζ and at gζ (likewise), permutation row at ζ and at gζ, and the
//! quotient chunks' coordinate values at ζ (4 per chunk).
//!
//! The public values are not in it: the verifier takes the statement's. Nor is the
//! preprocessed commitment: it is the verifying key's.
//!
//! [`settlement_proof`] wraps the two for `CompressedBatchVerifier` (the `proof` argument of
//! `RollupSettlement.proveBatches`): the 8 elements of the circuit digest that ends the
//! compressed proof's public values (base elements), the batch part's length (4 bytes),
//! the batch part, then the opening proof.

use p3_baby_bear::BabyBear;
use p3_field::PrimeCharacteristicRing;
use sq_prover_circuits::l1_calldata::{encode_opening, TooLong, Writer};

use crate::circuit::{Ext, L1CircuitProof};

/// A proof's two calldata arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct L1Calldata {
    /// The batch layer and the opened values (module docs).
    pub batch: Vec<u8>,
    /// The opening proof ([`sq_prover_circuits::l1_calldata`]).
    pub opening: Vec<u8>,
}

/// Packs `proof` for `StarkCircuitVerifier.verify`.
///
/// # Errors
/// [`TooLong`] for an array past the format's 4-byte count.
pub fn encode(proof: &L1CircuitProof) -> Result<L1Calldata, TooLong> {
    Ok(L1Calldata {
        batch: encode_batch(proof)?,
        opening: encode_opening(&proof.opening_proof)?,
    })
}

/// The `proof` argument `RollupSettlement.proveBatches` passes to `CompressedBatchVerifier`
/// for a compressed proof whose public values end with circuit digest `digest` (module docs).
///
/// # Errors
/// [`TooLong`] for an array past the format's 4-byte count, or a batch part longer than
/// `u32::MAX` bytes.
pub fn settlement_proof(
    digest: &[BabyBear; 8],
    proof: &L1CircuitProof,
) -> Result<Vec<u8>, TooLong> {
    let parts = encode(proof)?;
    let mut w = Writer::new();
    for &x in digest {
        w.base(x);
    }
    w.count(parts.batch.len())?;
    let mut bytes = w.into_bytes();
    bytes.extend_from_slice(&parts.batch);
    bytes.extend_from_slice(&parts.opening);
    Ok(bytes)
}

/// The batch part of [`encode`].
fn encode_batch(proof: &L1CircuitProof) -> Result<Vec<u8>, TooLong> {
    let mut w = Writer::new();
    w.array(&proof.degree_bits, |w, &b| w.count(b))?;
    let c = &proof.commitments;
    w.commitment(&c.main);
    w.base(proof.lookup_pow_witness.unwrap_or(BabyBear::ZERO));
    match &c.permutation {
        Some(cap) => w.commitment(cap),
        None => w.digest(&[0u8; 32]),
    }
    let terminals: Vec<Ext> = proof
        .lookup_terminals
        .iter()
        .flatten()
        .map(|t| t.0)
        .collect();
    w.exts(&terminals)?;
    w.commitment(&c.quotient_chunks);
    w.base(proof.ood_pow_witness);
    w.array(&proof.opened_values.instances, |w, o| {
        let base = &o.base_opened_values;
        let pre = base.preprocessed.as_ref();
        w.exts(&base.trace_local)?;
        w.exts(base.trace_next.as_deref().unwrap_or_default())?;
        w.exts(pre.map_or(&[][..], |p| &p.local))?;
        w.exts(pre.and_then(|p| p.next.as_deref()).unwrap_or_default())?;
        w.exts(&o.permutation_local)?;
        w.exts(&o.permutation_next)?;
        w.exts(&base.quotient_chunks.concat())
    })?;
    Ok(w.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::l1_stark_fixture::StarkRecord;

    /// The fixture's proof: its settlement proof is the digest, the batch part's length and
    /// the two parts [`encode`] writes, in that order.
    #[test]
    fn a_settlement_proof_is_digest_length_batch_opening() {
        let r: StarkRecord = serde_json::from_str(include_str!(
            "../../../contracts/test/fixtures/l1_stark_record.json"
        ))
        .expect("record parses");
        let bytes = hex::decode(&r.proof_postcard).expect("hex");
        let proof: L1CircuitProof = postcard::from_bytes(&bytes).expect("the proof decodes");
        let digest: [BabyBear; 8] = core::array::from_fn(|i| BabyBear::new(i as u32 + 1));
        let parts = encode(&proof).expect("fits");
        let s = settlement_proof(&digest, &proof).expect("fits");
        assert_eq!(&s[..4], &[0, 0, 0, 1]);
        assert_eq!(&s[28..32], &[0, 0, 0, 8]);
        assert_eq!(&s[32..36], &(parts.batch.len() as u32).to_be_bytes());
        assert_eq!(&s[36..36 + parts.batch.len()], &parts.batch[..]);
        assert_eq!(&s[36 + parts.batch.len()..], &parts.opening[..]);
    }
}
