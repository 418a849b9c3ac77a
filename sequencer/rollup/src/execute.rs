//! The execution rules for one transfer. Pure: no I/O.
//!
//! 1. The effective gas price is the legacy gas price, or `min(max_fee, base_fee + tip)` for
//!    EIP-1559; either must reach the fixed base fee ([`crate::tx::FeeKind`]).
//! 2. The fee is `21,000 × effective gas price` wei and goes, whole, to the fee recipient
//!    (nothing is burnt).
//! 3. The transaction nonce must equal the sender's account nonce.
//! 4. The sender must hold `value + fee`.
//! 5. No balance may exceed 2^128 − 1 wei; a nonce must stay below
//!    [`sq_prover_circuits::account::NONCE_LIMIT`]; a new recipient needs a free leaf.
//! 6. The sender pays, then the recipient is credited (created when new), then the fee
//!    recipient: three leaf updates in this order, as the circuit proves them.
//!
//! A transfer that breaks a rule changes nothing: it gets a failed receipt and is skipped.

use alloy::primitives::Address;
use sq_prover_circuits::account::{Account, NONCE_LIMIT};
use sq_prover_circuits::transfer::Transfer;
use sq_prover_circuits::witness::TransferWitness;

use crate::state::State;
use crate::tx::{SignedTransfer, TxError, TRANSFER_GAS};

/// Why a transfer failed at execution. Messages are written for a wallet user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExecError {
    /// Pricing is below the base fee.
    #[error(transparent)]
    Fee(#[from] TxError),
    /// The nonce is not the account's.
    #[error("nonce mismatch: the account's nonce is {expected}, the transaction has {got}")]
    Nonce {
        /// The account nonce.
        expected: u64,
        /// The transaction's.
        got: u64,
    },
    /// `value + fee` exceeds the balance.
    #[error("insufficient funds for gas * price + value: balance {balance}, cost {cost}")]
    InsufficientFunds {
        /// The balance, wei.
        balance: u128,
        /// Value + fee, wei (saturated at 2^128 − 1).
        cost: u128,
    },
    /// A credited balance would exceed 2^128 − 1 wei.
    #[error("the credited balance would exceed 2^128 - 1 wei")]
    BalanceOverflow,
    /// The sender's nonce reached the limit.
    #[error("the account nonce has reached its limit")]
    NonceLimit,
    /// No leaf for a new account.
    #[error("the rollup's account tree is full")]
    TreeFull,
}

/// Fixed parameters of execution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExecParams {
    /// Base fee, wei per gas.
    pub base_fee: u128,
    /// The account credited with every fee.
    pub fee_recipient: Address,
}

/// The outcome of a successful transfer.
#[derive(Clone, Debug)]
pub struct Executed {
    /// The witness (three leaf updates).
    pub witness: TransferWitness,
    /// Effective gas price, wei per gas.
    pub effective_gas_price: u128,
    /// The fee paid, wei.
    pub fee: u128,
}

/// The fee the transfer would pay: `21,000 × effective gas price`.
///
/// # Errors
/// [`ExecError::Fee`] below the base fee; [`ExecError::BalanceOverflow`] if it overflows.
pub fn fee_of(tx: &SignedTransfer, base_fee: u128) -> Result<(u128, u128), ExecError> {
    let price = tx.fee.effective_gas_price(base_fee)?;
    let fee = price
        .checked_mul(u128::from(TRANSFER_GAS))
        .ok_or(ExecError::BalanceOverflow)?;
    Ok((price, fee))
}

/// Executes `tx` on `state`; on error `state` is unchanged.
///
/// # Errors
/// The first [`ExecError`] that applies, in the order of the module docs.
pub fn execute(
    state: &mut State,
    tx: &SignedTransfer,
    params: &ExecParams,
) -> Result<Executed, ExecError> {
    let (price, fee) = fee_of(tx, params.base_fee)?;
    // A sender without an account has nothing to pay with (and the circuit requires one).
    let sender = state
        .account(&tx.from)
        .copied()
        .ok_or(ExecError::InsufficientFunds {
            balance: 0,
            cost: tx.value.saturating_add(fee),
        })?;
    if tx.nonce != sender.nonce {
        return Err(ExecError::Nonce {
            expected: sender.nonce,
            got: tx.nonce,
        });
    }
    if sender.nonce + 1 >= NONCE_LIMIT {
        return Err(ExecError::NonceLimit);
    }
    let cost = tx.value.checked_add(fee);
    let remaining =
        cost.and_then(|c| sender.balance.checked_sub(c))
            .ok_or(ExecError::InsufficientFunds {
                balance: sender.balance,
                cost: cost.unwrap_or(u128::MAX),
            })?;
    let sender_after = Account {
        balance: remaining,
        nonce: sender.nonce + 1,
        ..sender
    };

    // Plan the three writes against a local view so that nothing changes on failure.
    let current = |address: &Address, planned: &[Account]| -> Option<Account> {
        planned
            .iter()
            .rev()
            .find(|a| Address::from(a.address) == *address)
            .copied()
            .or_else(|| state.account(address).copied())
    };
    let mut planned = vec![sender_after];
    let recipient = current(&tx.to, &planned);
    let recipient_after = match recipient {
        Some(a) => Account {
            balance: a
                .balance
                .checked_add(tx.value)
                .ok_or(ExecError::BalanceOverflow)?,
            ..a
        },
        None => Account {
            address: tx.to.0 .0,
            balance: tx.value,
            nonce: 0,
        },
    };
    planned.push(recipient_after);
    let fee_account = current(&params.fee_recipient, &planned);
    let fee_after = match fee_account {
        Some(a) => Account {
            balance: a
                .balance
                .checked_add(fee)
                .ok_or(ExecError::BalanceOverflow)?,
            ..a
        },
        None => Account {
            address: params.fee_recipient.0 .0,
            balance: fee,
            nonce: 0,
        },
    };
    let new_accounts = usize::from(recipient.is_none())
        + usize::from(fee_account.is_none() && params.fee_recipient != tx.to);
    if !state.has_room(new_accounts) {
        return Err(ExecError::TreeFull);
    }

    let (_, s) = state.write(sender_after).map_err(|_| ExecError::TreeFull)?;
    let (_, r) = state
        .write(recipient_after)
        .map_err(|_| ExecError::TreeFull)?;
    let (_, f) = state.write(fee_after).map_err(|_| ExecError::TreeFull)?;
    let transfer = Transfer {
        from: tx.from.0 .0,
        to: tx.to.0 .0,
        value: tx.value,
        fee,
        nonce: tx.nonce,
    };
    Ok(Executed {
        witness: TransferWitness {
            transfer,
            sender: s,
            recipient: r,
            fee_recipient: f,
        },
        effective_gas_price: price,
        fee,
    })
}
