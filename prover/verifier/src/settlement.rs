//! The statement an L1 settlement contract asks a batch proof to prove, in the layout
//! `contracts/src/verifier/IBatchVerifier.sol` documents: the scheduler's public values
//! (`sq_prover_recursion::scheduler_circuit::scheduler_publics`) without the trailing
//! circuit digest, which the L1 verifier owns. `RollupSettlement.statement` computes the
//! same 42 elements from a committed batch; the fixture this module writes
//! (`contracts/test/fixtures/settlement_statement.json`) lets forge check that it does,
//! and a test here fails when the checked-in fixture is stale.

use p3_baby_bear::BabyBear;
use p3_field::PrimeField32;
use serde::{Deserialize, Serialize};
use sq_prover_circuits::account::address_hex;
use sq_prover_circuits::hash::Digest;
use sq_prover_recursion::scheduler_circuit::{protocol_version_digest, scheduler_publics};

use crate::{claim_fields, BatchClaim};

/// Elements of the settlement statement (`RollupSettlement.STATEMENT_LEN`).
pub const STATEMENT_LEN: usize = 42;

/// The statement of `claim` under `protocol_version`: 4 batch-number limbs, the roots
/// before and after, the transfer commitment, 6 fee-recipient limbs and the protocol
/// version digest, as canonical BabyBear values.
pub fn settlement_statement(claim: &BatchClaim, protocol_version: &str) -> [u32; STATEMENT_LEN] {
    let publics = scheduler_publics(
        claim.batch,
        &claim_fields(claim),
        protocol_version,
        [BabyBear::default(); 8],
    );
    core::array::from_fn(|i| publics[i].as_canonical_u32())
}

/// The registry key of `protocol_version` on L1 (`RollupSettlement.StoredBatch.protocolVersion`):
/// its Poseidon2 digest as 32 bytes, 8 big-endian `u32` words.
pub fn protocol_version_key(protocol_version: &str) -> [u8; 32] {
    Digest(protocol_version_digest(protocol_version)).to_bytes()
}

/// The forge fixture: one claim, its registry key and its statement as Rust computes them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatementFixture {
    /// The batch number.
    pub number: u64,
    /// State root before, `0x`-hex of the 32-byte form.
    pub root_before: Digest,
    /// State root after.
    pub root_after: Digest,
    /// Transfer commitment.
    pub commitment: Digest,
    /// Fee recipient, `0x`-hex.
    #[serde(with = "address_hex")]
    pub fee_recipient: [u8; 20],
    /// The protocol version string.
    pub protocol_version_name: String,
    /// [`protocol_version_key`] of it (the digest's 32-byte form, `0x`-hex).
    pub protocol_version: Digest,
    /// [`settlement_statement`] of the claim.
    pub statement: Vec<u32>,
}

impl StatementFixture {
    /// The fixture for `claim` under `protocol_version`.
    pub fn new(claim: &BatchClaim, protocol_version: &str) -> Self {
        Self {
            number: claim.batch,
            root_before: claim.root_before,
            root_after: claim.root_after,
            commitment: claim.commitment,
            fee_recipient: claim.fee_recipient,
            protocol_version_name: protocol_version.to_owned(),
            protocol_version: Digest(protocol_version_digest(protocol_version)),
            statement: settlement_statement(claim, protocol_version).to_vec(),
        }
    }

    /// The claim the checked-in fixture uses: every limb and word distinct, words near the
    /// modulus and a batch number using all four 16-bit limbs.
    pub fn sample_claim() -> BatchClaim {
        let digest = |k: u32| {
            Digest(core::array::from_fn(|i| {
                BabyBear::new(BabyBear::ORDER_U32 - 1 - 1000 * k - i as u32)
            }))
        };
        BatchClaim {
            batch: 0x0004_0003_0002_0001,
            root_before: digest(1),
            root_after: digest(2),
            commitment: digest(3),
            fee_recipient: core::array::from_fn(|i| 0xa0 ^ (i as u8 * 13)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PROTOCOL_VERSION;

    /// The fixture forge checks `RollupSettlement.statement` against is what Rust computes
    /// today; regenerate with `just fixtures` when this fails.
    #[test]
    fn the_checked_in_forge_fixture_is_current() {
        let checked_in: StatementFixture = serde_json::from_str(include_str!(
            "../../../contracts/test/fixtures/settlement_statement.json"
        ))
        .expect("fixture parses");
        let fresh = StatementFixture::new(&StatementFixture::sample_claim(), PROTOCOL_VERSION);
        assert_eq!(checked_in, fresh, "stale fixture: run `just fixtures`");
    }

    #[test]
    fn the_statement_is_the_scheduler_publics_without_the_circuit_digest() {
        let claim = StatementFixture::sample_claim();
        let s = settlement_statement(&claim, PROTOCOL_VERSION);
        assert_eq!(&s[0..4], &[1, 2, 3, 4], "batch limbs, lowest first");
        let words = |d: Digest| d.0.map(|x| x.as_canonical_u32());
        assert_eq!(s[4..12], words(claim.root_before));
        assert_eq!(s[12..20], words(claim.root_after));
        assert_eq!(s[20..28], words(claim.commitment));
        assert_eq!(
            s[34..42],
            protocol_version_digest(PROTOCOL_VERSION).map(|x| x.as_canonical_u32())
        );
        // Another version, batch or fee recipient changes the statement.
        assert_ne!(s, settlement_statement(&claim, "0.1.1"));
        let mut other = claim;
        other.fee_recipient[19] ^= 1;
        assert_ne!(
            s[28..34],
            settlement_statement(&other, PROTOCOL_VERSION)[28..34]
        );
    }
}
