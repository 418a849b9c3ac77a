//! Deploying the contracts, registering node keys, and the addresses file.

use crate::convert::stake_table_from_abi;
use crate::L1Error;
use alloy::primitives::{Address, Bytes, FixedBytes, U256};
use alloy::providers::Provider;
use serde::{Deserialize, Serialize};
use sq_bindings::hot_shot_commitments::HotShotCommitments;
use sq_bindings::stake_table::StakeTable as StakeTableContract;
use sq_types::{BlsKeyPair, Commitment, StakeTable};
use std::path::Path;

/// Where the contracts live. Written by `sq-l1 deploy`, read by the other commands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Addresses {
    /// The chain id the contracts were deployed on.
    pub chain_id: u64,
    /// The `StakeTable` contract.
    pub stake_table: Address,
    /// The `HotShotCommitments` contract, once the snapshot is frozen.
    pub commitments: Option<Address>,
}

impl Addresses {
    /// Reads an addresses file (JSON).
    ///
    /// # Errors
    /// [`L1Error::File`] if it cannot be read, [`L1Error::Format`] if it is not valid JSON of
    /// this shape.
    pub fn read(path: &Path) -> Result<Addresses, L1Error> {
        let text = std::fs::read_to_string(path).map_err(|source| L1Error::File {
            path: path.display().to_string(),
            source,
        })?;
        serde_json::from_str(&text).map_err(|e| L1Error::Format {
            path: path.display().to_string(),
            reason: e.to_string(),
        })
    }

    /// Writes the addresses file (JSON), replacing it atomically.
    ///
    /// # Errors
    /// [`L1Error::File`].
    pub fn write(&self, path: &Path) -> Result<(), L1Error> {
        let file_err = |source| L1Error::File {
            path: path.display().to_string(),
            source,
        };
        let json = serde_json::to_string_pretty(self).map_err(|e| L1Error::Format {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, json).map_err(file_err)?;
        std::fs::rename(&tmp, path).map_err(|source| L1Error::File {
            path: path.display().to_string(),
            source,
        })
    }
}

/// Deploys `StakeTable` with a minimum deposit (wei, buys one unit of stake) and an exit delay
/// (seconds).
///
/// # Errors
/// [`L1Error`] from the deployment transaction.
pub async fn deploy_stake_table<P: Provider + Clone>(
    provider: &P,
    min_deposit: U256,
    exit_delay_s: u64,
) -> Result<Address, L1Error> {
    let contract = StakeTableContract::deploy(provider.clone(), min_deposit, exit_delay_s).await?;
    Ok(*contract.address())
}

/// Registers `key` (with its proof of possession) from the provider's account, paying `deposit`
/// wei.
///
/// # Errors
/// [`L1Error`]; the contract reverts for a duplicate key, a bad proof of possession, a deposit
/// below the minimum, or an account that already registered.
pub async fn register<P: Provider + Clone>(
    provider: &P,
    stake_table: Address,
    key: &BlsKeyPair,
    deposit: U256,
) -> Result<(), L1Error> {
    let contract = StakeTableContract::new(stake_table, provider.clone());
    let pk = Bytes::copy_from_slice(&key.public.to_eip2537());
    let pop = Bytes::copy_from_slice(&key.proof_of_possession().0.to_eip2537());
    let receipt = contract
        .register(pk, pop)
        .value(deposit)
        .send()
        .await?
        .get_receipt()
        .await?;
    if !receipt.status() {
        return Err(L1Error::Reverted(receipt.transaction_hash.to_string()));
    }
    Ok(())
}

/// Freezes the current stake table into a `HotShotCommitments` contract starting from `genesis`
/// (the genesis leaf commitment), and returns its address with the snapshot as a Rust table.
///
/// # Errors
/// [`L1Error`] from the calls, or [`L1Error::InvalidData`] if the snapshot is not a valid table
/// (for example empty).
pub async fn deploy_commitments<P: Provider + Clone>(
    provider: &P,
    stake_table: Address,
    genesis: Commitment,
) -> Result<(Address, StakeTable), L1Error> {
    let snapshot = StakeTableContract::new(stake_table, provider.clone())
        .snapshot()
        .call()
        .await?;
    let table = stake_table_from_abi(&snapshot.publicKeys, &snapshot.stakes)?;
    let contract = HotShotCommitments::deploy(
        provider.clone(),
        snapshot.publicKeys,
        snapshot.stakes,
        FixedBytes(genesis.0),
    )
    .await?;
    Ok((*contract.address(), table))
}
