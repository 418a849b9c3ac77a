//! The account state: the Poseidon2 tree of `sq-prover-circuits` plus an address→index map.
//! Pure: no I/O.

use std::collections::HashMap;

use alloy::primitives::Address;
use sq_prover_circuits::account::Account;
use sq_prover_circuits::hash::Digest;
use sq_prover_circuits::merkle::{Tree, CAPACITY};
use sq_prover_circuits::witness::LeafUpdate;

use crate::config::{Genesis, GenesisError};

/// Accounts and their tree. Leaf `i` holds `accounts[i]`.
#[derive(Clone, Debug, Default)]
pub struct State {
    tree: Tree,
    index: HashMap<Address, u32>,
    accounts: Vec<Account>,
}

/// The tree is full: no leaf for a new account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the state tree is full ({CAPACITY} accounts)")]
pub struct TreeFull;

impl State {
    /// The genesis state (indices in file order, then the fee recipient if unlisted).
    ///
    /// # Errors
    /// [`GenesisError::Duplicate`], [`GenesisError::TooMany`].
    pub fn genesis(genesis: &Genesis) -> Result<State, GenesisError> {
        let mut accounts: Vec<Account> = Vec::new();
        let mut index = HashMap::new();
        for a in &genesis.accounts {
            if index.insert(a.address, accounts.len() as u32).is_some() {
                return Err(GenesisError::Duplicate(a.address));
            }
            accounts.push(Account {
                address: a.address.0 .0,
                balance: a.balance,
                nonce: 0,
            });
        }
        if let std::collections::hash_map::Entry::Vacant(slot) = index.entry(genesis.fee_recipient)
        {
            slot.insert(accounts.len() as u32);
            accounts.push(Account {
                address: genesis.fee_recipient.0 .0,
                balance: 0,
                nonce: 0,
            });
        }
        State::from_accounts(accounts).map_err(|_| GenesisError::TooMany(genesis.accounts.len()))
    }

    /// A state from accounts in leaf order (as stored).
    ///
    /// # Errors
    /// [`TreeFull`] for more than [`CAPACITY`] accounts.
    pub fn from_accounts(accounts: Vec<Account>) -> Result<State, TreeFull> {
        let leaves = accounts.iter().map(Account::leaf).collect();
        let tree = Tree::from_leaves(leaves).map_err(|_| TreeFull)?;
        let index = accounts
            .iter()
            .enumerate()
            .map(|(i, a)| (Address::from(a.address), i as u32))
            .collect();
        Ok(State {
            tree,
            index,
            accounts,
        })
    }

    /// The state root.
    pub fn root(&self) -> Digest {
        self.tree.root()
    }

    /// The account at `address`, if it exists.
    pub fn account(&self, address: &Address) -> Option<&Account> {
        self.index.get(address).map(|&i| &self.accounts[i as usize])
    }

    /// The leaf index of `address`, if it exists.
    pub fn index_of(&self, address: &Address) -> Option<u32> {
        self.index.get(address).copied()
    }

    /// Number of accounts.
    pub fn len(&self) -> usize {
        self.accounts.len()
    }

    /// Whether there are no accounts.
    pub fn is_empty(&self) -> bool {
        self.accounts.is_empty()
    }

    /// All accounts in leaf order.
    pub fn accounts(&self) -> &[Account] {
        &self.accounts
    }

    /// Whether `n` more accounts fit.
    pub fn has_room(&self, n: usize) -> bool {
        self.accounts.len() + n <= CAPACITY as usize
    }

    /// Writes `after` (existing address or a new account at the next index) and returns the
    /// leaf update with its path.
    ///
    /// # Errors
    /// [`TreeFull`] for a new account when the tree is full.
    pub fn write(&mut self, after: Account) -> Result<(u32, LeafUpdate), TreeFull> {
        let address = Address::from(after.address);
        let (index, before) = match self.index.get(&address) {
            Some(&i) => (i, Some(self.accounts[i as usize])),
            None => {
                if !self.has_room(1) {
                    return Err(TreeFull);
                }
                (self.accounts.len() as u32, None)
            }
        };
        let path = self.tree.path(index).map_err(|_| TreeFull)?;
        self.tree.set(index, after.leaf()).map_err(|_| TreeFull)?;
        if before.is_some() {
            self.accounts[index as usize] = after;
        } else {
            self.index.insert(address, index);
            self.accounts.push(after);
        }
        Ok((
            index,
            LeafUpdate {
                before,
                after,
                path,
            },
        ))
    }
}
