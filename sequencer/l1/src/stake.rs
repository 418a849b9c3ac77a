//! Reading the stake table from L1, so that nodes and the CDN need no stake-table file.

use crate::convert::stake_table_from_abi;
use crate::L1Error;
use alloy::primitives::Address;
use alloy::providers::Provider;
use sq_bindings::hot_shot_commitments::HotShotCommitments;
use sq_bindings::stake_table::StakeTable as StakeTableContract;
use sq_types::StakeTable;

/// The active registrations of the `StakeTable` contract, in registration order.
///
/// # Errors
/// [`L1Error`] from the call, or [`L1Error::InvalidData`] for keys the Rust side rejects.
pub async fn read_stake_table<P: Provider + Clone>(
    provider: &P,
    stake_table: Address,
) -> Result<StakeTable, L1Error> {
    let snapshot = StakeTableContract::new(stake_table, provider.clone())
        .snapshot()
        .call()
        .await?;
    stake_table_from_abi(&snapshot.publicKeys, &snapshot.stakes)
}

/// The frozen snapshot a `HotShotCommitments` contract checks QCs against: the table consensus
/// must use so that both agree on every QC.
///
/// # Errors
/// [`L1Error`] from the calls, or [`L1Error::InvalidData`] if the recomputed snapshot
/// commitment differs from the one the contract records.
pub async fn read_snapshot<P: Provider + Clone>(
    provider: &P,
    commitments: Address,
) -> Result<StakeTable, L1Error> {
    let contract = HotShotCommitments::new(commitments, provider.clone());
    let n: u64 = contract
        .nodeCount()
        .call()
        .await?
        .try_into()
        .map_err(|_| L1Error::InvalidData("node count".into()))?;
    let mut keys = Vec::new();
    let mut stakes = Vec::new();
    for i in 0..n {
        let node = contract
            .node(alloy::primitives::U256::from(i))
            .call()
            .await?;
        keys.push(node.publicKey);
        stakes.push(node.stake);
    }
    let table = stake_table_from_abi(&keys, &stakes)?;
    let recorded = contract.stakeTableCommitment().call().await?;
    if recorded.0 != table.commit().0 {
        return Err(L1Error::InvalidData(
            "snapshot commitment does not match the contract's keys".into(),
        ));
    }
    Ok(table)
}
