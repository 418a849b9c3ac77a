//! Certificate verification (with a cache), vote accumulation, and what a node learns from a
//! verified certificate: a higher lock, a decide, a view change.

use crate::machine::Consensus;
use sq_types::certificate::{timeout_digest, SignatureBytes};
use sq_types::codec::Encode;
use sq_types::{
    Commitment, Crypto, NodeIndex, QuorumCertificate, SignerBitmap, StakeTable, TimeoutCertificate,
};

/// Signatures collected towards one certificate.
#[derive(Clone, Debug)]
pub(crate) struct Accumulator {
    pub(crate) signers: SignerBitmap,
    pub(crate) sigs: Vec<SignatureBytes>,
    pub(crate) stake: u128,
    /// A certificate was already formed from it.
    pub(crate) done: bool,
}

impl Accumulator {
    pub(crate) fn new(n: usize) -> Accumulator {
        Accumulator {
            signers: SignerBitmap::new(n),
            sigs: Vec::new(),
            stake: 0,
            done: false,
        }
    }

    /// Adds a verified signature; false if `signer` already contributed or is unknown.
    pub(crate) fn add(
        &mut self,
        table: &StakeTable,
        signer: NodeIndex,
        sig: SignatureBytes,
    ) -> bool {
        let Some(entry) = table.get(signer) else {
            return false;
        };
        if self.signers.get(signer) {
            return false;
        }
        self.signers.set(signer);
        self.sigs.push(sig);
        self.stake += u128::from(entry.stake);
        true
    }
}

impl<C: Crypto> Consensus<C> {
    /// Checks a QC: the genesis QC of the genesis leaf, or an aggregate signature over its digest
    /// by signers holding a quorum of stake.
    pub(crate) fn verify_qc(&mut self, qc: &QuorumCertificate) -> Result<(), String> {
        if qc.is_genesis_shaped() {
            return if qc.leaf == self.genesis {
                Ok(())
            } else {
                Err("genesis-shaped QC of another leaf".into())
            };
        }
        let key = Commitment::keccak(&[&qc.encode()]);
        if self.verified.contains(&key) {
            return Ok(());
        }
        self.check_quorum_signature("QC", &qc.signers, &qc.digest(), &qc.signature)?;
        self.verified.insert(key);
        Ok(())
    }

    /// The check QCs and TCs share: the signers hold a quorum of stake and their aggregate
    /// signature over `digest` verifies. `what` names the certificate in the error.
    fn check_quorum_signature(
        &self,
        what: &str,
        signers: &SignerBitmap,
        digest: &Commitment,
        signature: &SignatureBytes,
    ) -> Result<(), String> {
        let stake = signers
            .stake(&self.table)
            .ok_or_else(|| format!("{what} signer bitmap has the wrong size"))?;
        if !self.table.is_quorum(stake) {
            return Err(format!(
                "{what} signers hold {stake} of {} stake, not a quorum",
                self.table.total_stake()
            ));
        }
        if !self.crypto.verify_aggregate(signers, digest, signature) {
            return Err(format!("{what} aggregate signature does not verify"));
        }
        Ok(())
    }

    /// Checks a TC: a quorum's aggregate signature over the timeout digest, and a valid high QC
    /// from an earlier view.
    pub(crate) fn verify_tc(&mut self, tc: &TimeoutCertificate) -> Result<(), String> {
        if tc.high_qc.view >= tc.view {
            return Err("TC high QC is not from an earlier view".into());
        }
        let key = Commitment::keccak(&[b"tc", &tc.encode()]);
        if !self.verified.contains(&key) {
            self.check_quorum_signature(
                "TC",
                &tc.signers,
                &timeout_digest(tc.view),
                &tc.signature,
            )?;
            self.verified.insert(key);
        }
        self.verify_qc(&tc.high_qc)
    }

    /// Learns from a verified QC: raise the lock, try the decide rule, enter the next view.
    pub(crate) fn observe_qc(&mut self, qc: &QuorumCertificate) {
        if qc.view > self.safety.locked_qc.view {
            self.safety.locked_qc = qc.clone();
        }
        self.try_decide(qc);
        if qc.view >= self.view {
            self.backoff = 0;
            self.enter_view(qc.view.next());
        }
    }

    /// Learns from a verified TC: its high QC, and enter the view after it.
    pub(crate) fn observe_tc(&mut self, tc: &TimeoutCertificate) {
        self.observe_qc(&tc.high_qc);
        if self.high_tc.as_ref().is_none_or(|h| tc.view > h.view) {
            self.high_tc = Some(tc.clone());
        }
        if tc.view >= self.view {
            self.enter_view(tc.view.next());
        }
    }
}
