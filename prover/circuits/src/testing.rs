//! Test and bench support (not part of the stable API): a native executor over
//! [`Tree`] that records [`TransferWitness`]es, for building honest and deliberately
//! invalid witnesses.

use std::collections::HashMap;

use crate::account::{Account, Address};
use crate::hash::Digest;
use crate::merkle::{PathError, Tree};
use crate::transfer::{absorb, Transfer};
use crate::witness::{BatchWitness, ChunkWitness, LeafUpdate, PublicInputs, TransferWitness};

/// Why the native executor refused a step.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TestingError {
    /// The sender has no account.
    #[error("the sender has no account")]
    NoSender,
    /// The tree refused an index.
    #[error(transparent)]
    Path(#[from] PathError),
}

/// A native rollup state.
#[derive(Clone, Debug)]
pub struct State {
    /// The account tree.
    pub tree: Tree,
    /// Address → (leaf index, account).
    pub accounts: HashMap<Address, (u32, Account)>,
    /// The fee recipient.
    pub fee_recipient: Address,
    /// The running transfer commitment.
    pub commitment: Digest,
}

/// A deterministic address from a small number.
pub fn addr(n: u8) -> Address {
    let mut a = [0u8; 20];
    a[0] = 0xa0;
    a[7] = n.wrapping_mul(31);
    a[19] = n;
    a
}

impl State {
    /// Genesis with `(address, balance)` accounts at indices `0..`, nonce 0; the fee
    /// recipient gets no account until its first fee.
    ///
    /// # Errors
    /// [`TestingError::Path`] past the tree's capacity.
    pub fn new(genesis: &[(Address, u128)], fee_recipient: Address) -> Result<State, TestingError> {
        let mut s = State {
            tree: Tree::new(),
            accounts: HashMap::new(),
            fee_recipient,
            commitment: Digest::ZERO,
        };
        for &(address, balance) in genesis {
            let index = s.tree.len();
            let acc = Account {
                address,
                balance,
                nonce: 0,
            };
            s.tree.set(index, acc.leaf())?;
            s.accounts.insert(address, (index, acc));
        }
        Ok(s)
    }

    /// Rewrites the account at `address` (appended when absent) with `f`.
    fn update(
        &mut self,
        address: Address,
        f: impl FnOnce(Option<Account>) -> Account,
    ) -> Result<LeafUpdate, TestingError> {
        let (index, before) = match self.accounts.get(&address) {
            Some(&(i, a)) => (i, Some(a)),
            None => (self.tree.len(), None),
        };
        let path = self.tree.path(index)?;
        let after = f(before);
        self.tree.set(index, after.leaf())?;
        self.accounts.insert(address, (index, after));
        Ok(LeafUpdate {
            before,
            after,
            path,
        })
    }

    /// Executes one transfer. `bonus` is extra (wrong) credit for the recipient, and the
    /// sender is debited with wrapping arithmetic, so that tests can build internally
    /// consistent (roots, commitment) but invalid executions.
    ///
    /// # Errors
    /// [`TestingError::NoSender`]; [`TestingError::Path`].
    pub fn transfer_with(
        &mut self,
        from: Address,
        to: Address,
        value: u128,
        fee: u128,
        bonus: u128,
    ) -> Result<TransferWitness, TestingError> {
        let nonce = self
            .accounts
            .get(&from)
            .ok_or(TestingError::NoSender)?
            .1
            .nonce;
        let transfer = Transfer {
            from,
            to,
            value,
            fee,
            nonce,
        };
        let sender = self.update(from, |b| {
            let balance = b.map_or(0, |a| a.balance);
            Account {
                address: from,
                balance: balance.wrapping_sub(value).wrapping_sub(fee),
                nonce: nonce + 1,
            }
        })?;
        let credit = |b: Option<Account>, address: Address, amount: u128| {
            let (bal, nonce) = b.map_or((0, 0), |a| (a.balance, a.nonce));
            Account {
                address,
                balance: bal.wrapping_add(amount),
                nonce,
            }
        };
        let recipient = self.update(to, |b| credit(b, to, value.wrapping_add(bonus)))?;
        let fr = self.fee_recipient;
        let fee_recipient = self.update(fr, |b| credit(b, fr, fee))?;
        self.commitment = absorb(&self.commitment, &transfer);
        Ok(TransferWitness {
            transfer,
            sender,
            recipient,
            fee_recipient,
        })
    }

    /// An honest transfer.
    ///
    /// # Errors
    /// As [`State::transfer_with`].
    pub fn transfer(
        &mut self,
        from: Address,
        to: Address,
        value: u128,
        fee: u128,
    ) -> Result<TransferWitness, TestingError> {
        self.transfer_with(from, to, value, fee, 0)
    }

    /// Runs `f` on the state and wraps the transfers it returns into a chunk whose public
    /// inputs are those of the native execution.
    ///
    /// # Errors
    /// Whatever `f` returns.
    pub fn chunk(
        &mut self,
        f: impl FnOnce(&mut State) -> Result<Vec<TransferWitness>, TestingError>,
    ) -> Result<ChunkWitness, TestingError> {
        let root_before = self.tree.root();
        let commitment_before = self.commitment;
        let transfers = f(self)?;
        Ok(ChunkWitness {
            public: PublicInputs {
                root_before,
                root_after: self.tree.root(),
                commitment_before,
                commitment_after: self.commitment,
                fee_recipient: self.fee_recipient,
            },
            transfers,
        })
    }
}

/// Genesis of most tests: accounts `addr(1..=3)` with assorted balances; fee recipient
/// `addr(9)` (created by the first fee).
///
/// # Errors
/// Never in practice ([`TestingError::Path`]).
pub fn genesis() -> Result<State, TestingError> {
    State::new(
        &[
            (addr(1), 1_000_000_000_000_000_000),
            (addr(2), 5_000),
            (addr(3), u128::from(u64::MAX) * 3),
        ],
        addr(9),
    )
}

/// Four honest transfers covering the fee recipient's creation, a new recipient,
/// sender == recipient, carries across limbs, and an existing recipient.
///
/// # Errors
/// As [`State::transfer`].
pub fn honest_transfers(s: &mut State) -> Result<Vec<TransferWitness>, TestingError> {
    Ok(vec![
        s.transfer(addr(1), addr(2), 123_456_789, 21_000)?,
        s.transfer(addr(2), addr(4), 65_535, 21_000)?,
        s.transfer(addr(3), addr(3), 1 << 40, 65_536)?,
        s.transfer(addr(1), addr(4), u128::from(u32::MAX) + 1, 1)?,
    ])
}

/// A batch of `n` pseudo-random honest transfers among `accounts` funded accounts (some
/// transfers create new accounts), starting from a fresh genesis.
///
/// # Errors
/// As [`State::transfer`].
pub fn random_batch(n: usize, accounts: u8, seed: u64) -> Result<BatchWitness, TestingError> {
    let genesis: Vec<(Address, u128)> = (1..=accounts).map(|i| (addr(i), 1u128 << 100)).collect();
    let mut s = State::new(&genesis, addr(0))?;
    let root_before = s.tree.root();
    let mut x = seed | 1;
    let mut rnd = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut transfers = Vec::with_capacity(n);
    for _ in 0..n {
        let from = addr(1 + (rnd() % u64::from(accounts)) as u8);
        // One in eight goes to a fresh address (a new account, once).
        let to = addr((rnd() % (u64::from(accounts) + u64::from(accounts) / 8 + 1)) as u8 + 1);
        let value = u128::from(rnd() % 1_000_000_000);
        transfers.push(s.transfer(from, to, value, 21_000 * u128::from(rnd() % 100))?);
    }
    Ok(BatchWitness {
        batch: 1,
        fee_recipient: s.fee_recipient,
        root_before,
        root_after: s.tree.root(),
        commitment: s.commitment,
        transfers,
    })
}

/// Peak resident set size of this process (`VmHWM` in `/proc/self/status`) in MiB, for
/// the benchmarks' tables; `NaN` where `/proc` cannot be read.
pub fn peak_rss_mib() -> f64 {
    let read = || -> Option<f64> {
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
        Some(line.split_whitespace().nth(1)?.parse::<f64>().ok()? / 1024.0)
    };
    read().unwrap_or(f64::NAN)
}
