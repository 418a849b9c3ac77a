//! Pure checks on what catch-up fetched from peers: a leaf must extend the previous one and be
//! certified by a quorum of the stake table; a payload must disperse to the header's VID
//! commitment. Nothing fetched is stored before these pass.

use sq_da::Dispersal;
use sq_types::{Crypto, Height, Leaf, QuorumCertificate, StakeTable};
use thiserror::Error;

/// Why fetched data was refused.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum VerifyError {
    /// The leaf is not the child of the previous one.
    #[error("leaf at {height} does not extend the leaf at {}: {reason}", height.0.saturating_sub(1))]
    Chain {
        /// Its height.
        height: Height,
        /// What differs.
        reason: String,
    },
    /// Its QC does not certify it, or the signatures do not verify.
    #[error("QC for the leaf at {height}: {reason}")]
    Certificate {
        /// The leaf's height.
        height: Height,
        /// What failed.
        reason: String,
    },
    /// The payload does not match the header's commitment.
    #[error("payload at {height}: {reason}")]
    Payload {
        /// The leaf's height.
        height: Height,
        /// What failed.
        reason: String,
    },
}

/// Checks that `leaf` (certified by `qc`) is the child of `prev`: height one more, parent equal
/// to `prev`'s commitment, header consistent with its justify QC; and that `qc` certifies
/// exactly this leaf with an aggregate signature by signers holding a quorum of `table`'s stake.
///
/// # Errors
/// [`VerifyError::Chain`] or [`VerifyError::Certificate`].
pub fn verify_leaf(
    prev: &Leaf,
    leaf: &Leaf,
    qc: &QuorumCertificate,
    crypto: &impl Crypto,
    table: &StakeTable,
) -> Result<(), VerifyError> {
    let height = leaf.header.height;
    let chain = |reason: String| VerifyError::Chain { height, reason };
    if height != prev.header.height.next() {
        return Err(chain(format!(
            "height {} after {}",
            height.0, prev.header.height.0
        )));
    }
    if leaf.header.parent != prev.commit() {
        return Err(chain("parent commitment differs".into()));
    }
    leaf.check_links().map_err(|e| chain(e.to_string()))?;
    let cert = |reason: String| VerifyError::Certificate { height, reason };
    if qc.leaf != leaf.commit() || qc.height != height || qc.view != leaf.header.view {
        return Err(cert("certifies another leaf".into()));
    }
    let stake = qc
        .signers
        .stake(table)
        .ok_or_else(|| cert("signer bitmap has the wrong size".into()))?;
    if !table.is_quorum(stake) {
        return Err(cert(format!(
            "signers hold {stake} of {} stake, not a quorum",
            table.total_stake()
        )));
    }
    if !crypto.verify_aggregate(&qc.signers, &qc.digest(), &qc.signature) {
        return Err(cert("aggregate signature does not verify".into()));
    }
    Ok(())
}

/// Re-disperses `payload` for `n` nodes and checks it against `leaf`'s payload commitment;
/// returns the dispersal so the caller keeps its own share.
///
/// # Errors
/// [`VerifyError::Payload`] when it does not disperse or the commitment differs.
pub fn verify_payload(n: usize, leaf: &Leaf, payload: &[u8]) -> Result<Dispersal, VerifyError> {
    let height = leaf.header.height;
    let d = sq_consensus::da::disperse(n, payload, &leaf.header.ns_table).map_err(|e| {
        VerifyError::Payload {
            height,
            reason: e.to_string(),
        }
    })?;
    if d.commitment != leaf.header.payload_commitment {
        return Err(VerifyError::Payload {
            height,
            reason: "does not match the header's VID commitment".into(),
        });
    }
    Ok(d)
}
