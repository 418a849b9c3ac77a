//! Witness inputs: what the rollup executor records for each batch and the prover consumes.
//!
//! Every transfer updates three leaves, in this order, each against the root the previous
//! update left: the sender (balance − value − fee, nonce + 1), the recipient (balance +
//! value; a new account when its leaf was empty) and the fee recipient (balance + fee). Each
//! [`LeafUpdate`] carries the leaf before and after and one [`Path`]: a single leaf changes,
//! so the siblings before and after are the same.
//!
//! [`BatchWitness::check`] and [`ChunkWitness::check`] evaluate, natively, exactly the
//! relation the basic circuit constrains. The prover runs them before proving so that a bad
//! witness is reported by name instead of as an unsatisfied constraint.
//!
//! Not covered by this relation (and so not by the proof): transaction signatures (checked
//! by the executor), and that a newly created account's address is absent from every other
//! leaf (the executor's address→index map guarantees it).

use serde::{Deserialize, Serialize};

use crate::account::{address_hex, leaf_of, Account, Address, NONCE_LIMIT};
use crate::hash::Digest;
use crate::merkle::{Path, PathError};
use crate::transfer::{absorb, Transfer};

/// One leaf's change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeafUpdate {
    /// The account before; `None` for an empty leaf (a new account).
    pub before: Option<Account>,
    /// The account after.
    pub after: Account,
    /// The leaf's index and siblings (the same before and after).
    pub path: Path,
}

/// One transfer with its three leaf updates.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferWitness {
    /// The transfer.
    pub transfer: Transfer,
    /// The sender's leaf.
    pub sender: LeafUpdate,
    /// The recipient's leaf.
    pub recipient: LeafUpdate,
    /// The fee recipient's leaf.
    pub fee_recipient: LeafUpdate,
}

/// The public inputs of one chunk proof.
///
/// As field elements ([`PublicInputs::to_fields`]): root before (8), root after (8),
/// commitment before (8), commitment after (8), fee-recipient address limbs (6) = 38.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicInputs {
    /// The state root before the chunk.
    pub root_before: Digest,
    /// The state root after the chunk.
    pub root_after: Digest,
    /// The transfer commitment before the chunk (`ZERO` for a batch's first chunk).
    pub commitment_before: Digest,
    /// The transfer commitment after the chunk.
    pub commitment_after: Digest,
    /// The account credited with every fee.
    #[serde(with = "address_hex")]
    pub fee_recipient: Address,
}

/// Elements in [`PublicInputs::to_fields`].
pub const PUBLIC_INPUTS_LEN: usize = 38;

impl PublicInputs {
    /// The flat field-element form (layout on [`PublicInputs`]).
    pub fn to_fields(&self) -> Vec<crate::hash::F> {
        let mut out = Vec::with_capacity(PUBLIC_INPUTS_LEN);
        for d in [
            self.root_before,
            self.root_after,
            self.commitment_before,
            self.commitment_after,
        ] {
            out.extend_from_slice(&d.0);
        }
        out.extend_from_slice(&crate::account::address_limbs(&self.fee_recipient));
        out
    }
}

/// The witness inputs of one batch, as served by the proof-data-handler API.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchWitness {
    /// The batch number (from 1).
    pub batch: u64,
    /// The account credited with every fee.
    #[serde(with = "address_hex")]
    pub fee_recipient: Address,
    /// The state root before the batch.
    pub root_before: Digest,
    /// The state root after the batch.
    pub root_after: Digest,
    /// The transfer commitment of the whole batch (from `ZERO`).
    pub commitment: Digest,
    /// The successful transfers, in execution order.
    pub transfers: Vec<TransferWitness>,
}

/// A contiguous slice of a batch: what one basic (round 0) proof covers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChunkWitness {
    /// The chunk's public inputs.
    pub public: PublicInputs,
    /// Its transfers, in order.
    pub transfers: Vec<TransferWitness>,
}

/// Why a witness does not satisfy the relation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WitnessError {
    /// A path is malformed.
    #[error("transfer {transfer}: {source}")]
    Path {
        /// Index of the transfer in its chunk or batch.
        transfer: usize,
        /// The path error.
        source: PathError,
    },
    /// A leaf before does not fold to the current root.
    #[error("transfer {transfer}: the {leaf} leaf's path does not lead to the current root")]
    WrongPath {
        /// Index of the transfer.
        transfer: usize,
        /// `sender`, `recipient` or `fee recipient`.
        leaf: &'static str,
    },
    /// A leaf's account does not match the transfer or the arithmetic.
    #[error("transfer {transfer}: the {leaf} leaf is inconsistent: {reason}")]
    WrongLeaf {
        /// Index of the transfer.
        transfer: usize,
        /// `sender`, `recipient` or `fee recipient`.
        leaf: &'static str,
        /// What is wrong.
        reason: &'static str,
    },
    /// The final root or commitment differs from the claimed one.
    #[error("the {what} after the transfers differs from the claimed one")]
    WrongClaim {
        /// `root` or `commitment`.
        what: &'static str,
    },
}

fn leaf_err(transfer: usize, leaf: &'static str, reason: &'static str) -> WitnessError {
    WitnessError::WrongLeaf {
        transfer,
        leaf,
        reason,
    }
}

/// Applies one leaf update to `root`; returns the new root.
fn apply(
    root: Digest,
    update: &LeafUpdate,
    transfer: usize,
    leaf: &'static str,
) -> Result<Digest, WitnessError> {
    let fold = |d| {
        update
            .path
            .root(d)
            .map_err(|source| WitnessError::Path { transfer, source })
    };
    if fold(leaf_of(update.before.as_ref()))? != root {
        return Err(WitnessError::WrongPath { transfer, leaf });
    }
    if update.after.nonce >= NONCE_LIMIT {
        return Err(leaf_err(transfer, leaf, "nonce at the limit"));
    }
    if let Some(before) = &update.before {
        if before.address != update.after.address {
            return Err(leaf_err(transfer, leaf, "address changed"));
        }
    }
    fold(update.after.leaf())
}

/// Checks one transfer against `root` and returns the root after its three updates.
fn check_transfer(
    root: Digest,
    i: usize,
    w: &TransferWitness,
    fee_recipient: &Address,
) -> Result<Digest, WitnessError> {
    let t = &w.transfer;
    // Sender: an existing account at `from`, nonce = t.nonce, pays value + fee.
    let s = &w.sender;
    let before = s
        .before
        .ok_or(leaf_err(i, "sender", "the sender has no account"))?;
    if before.address != t.from {
        return Err(leaf_err(i, "sender", "not the transfer's sender"));
    }
    if before.nonce != t.nonce || s.after.nonce != t.nonce + 1 {
        return Err(leaf_err(i, "sender", "nonce"));
    }
    let cost = t
        .value
        .checked_add(t.fee)
        .ok_or(leaf_err(i, "sender", "value + fee overflows"))?;
    let remaining =
        before
            .balance
            .checked_sub(cost)
            .ok_or(leaf_err(i, "sender", "insufficient balance"))?;
    if s.after.balance != remaining {
        return Err(leaf_err(i, "sender", "balance"));
    }
    let root = apply(root, s, i, "sender")?;

    // Recipient: `to`, existing or new, gains value; nonce unchanged.
    let r = &w.recipient;
    let (bal, nonce) = r.before.map_or((0, 0), |a| (a.balance, a.nonce));
    if r.after.address != t.to {
        return Err(leaf_err(i, "recipient", "not the transfer's recipient"));
    }
    if r.after.nonce != nonce || Some(r.after.balance) != bal.checked_add(t.value) {
        return Err(leaf_err(i, "recipient", "balance or nonce"));
    }
    let root = apply(root, r, i, "recipient")?;

    // Fee recipient: gains the fee.
    let f = &w.fee_recipient;
    let (bal, nonce) = f.before.map_or((0, 0), |a| (a.balance, a.nonce));
    if &f.after.address != fee_recipient {
        return Err(leaf_err(i, "fee recipient", "not the fee recipient"));
    }
    if f.after.nonce != nonce || Some(f.after.balance) != bal.checked_add(t.fee) {
        return Err(leaf_err(i, "fee recipient", "balance or nonce"));
    }
    apply(root, f, i, "fee recipient")
}

/// Runs the relation over `transfers` from `(root, commitment)`; returns the final pair.
fn run(
    mut root: Digest,
    mut commitment: Digest,
    transfers: &[TransferWitness],
    fee_recipient: &Address,
) -> Result<(Digest, Digest), WitnessError> {
    for (i, w) in transfers.iter().enumerate() {
        root = check_transfer(root, i, w, fee_recipient)?;
        commitment = absorb(&commitment, &w.transfer);
    }
    Ok((root, commitment))
}

impl ChunkWitness {
    /// Checks the chunk's transfers against its public inputs.
    ///
    /// # Errors
    /// The first [`WitnessError`] found.
    pub fn check(&self) -> Result<(), WitnessError> {
        let p = &self.public;
        let (root, commitment) = run(
            p.root_before,
            p.commitment_before,
            &self.transfers,
            &p.fee_recipient,
        )?;
        if root != p.root_after {
            return Err(WitnessError::WrongClaim { what: "root" });
        }
        if commitment != p.commitment_after {
            return Err(WitnessError::WrongClaim { what: "commitment" });
        }
        Ok(())
    }
}

impl BatchWitness {
    /// Checks the whole batch against its claimed roots and commitment.
    ///
    /// # Errors
    /// The first [`WitnessError`] found.
    pub fn check(&self) -> Result<(), WitnessError> {
        let (root, commitment) = run(
            self.root_before,
            Digest::ZERO,
            &self.transfers,
            &self.fee_recipient,
        )?;
        if root != self.root_after {
            return Err(WitnessError::WrongClaim { what: "root" });
        }
        if commitment != self.commitment {
            return Err(WitnessError::WrongClaim { what: "commitment" });
        }
        Ok(())
    }

    /// Splits the batch into chunks of at most `chunk_size` transfers (at least one chunk,
    /// empty for an empty batch), chaining roots and commitments.
    ///
    /// # Errors
    /// The first [`WitnessError`] found while computing the intermediate roots.
    ///
    /// # Panics
    /// If `chunk_size == 0`.
    pub fn chunks(&self, chunk_size: usize) -> Result<Vec<ChunkWitness>, WitnessError> {
        assert!(chunk_size > 0, "chunk size must be positive");
        let mut out = Vec::new();
        let mut root = self.root_before;
        let mut commitment = Digest::ZERO;
        let slices: Vec<&[TransferWitness]> = if self.transfers.is_empty() {
            vec![&[]]
        } else {
            self.transfers.chunks(chunk_size).collect()
        };
        for slice in slices {
            let (next_root, next_commitment) = run(root, commitment, slice, &self.fee_recipient)?;
            out.push(ChunkWitness {
                public: PublicInputs {
                    root_before: root,
                    root_after: next_root,
                    commitment_before: commitment,
                    commitment_after: next_commitment,
                    fee_recipient: self.fee_recipient,
                },
                transfers: slice.to_vec(),
            });
            root = next_root;
            commitment = next_commitment;
        }
        Ok(out)
    }
}
