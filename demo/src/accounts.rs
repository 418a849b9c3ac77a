//! The demo's accounts: deterministic test keys (anyone can derive them, so they hold only
//! demo funds), the rollup genesis that funds them, and signed transfers, all from
//! `sq_testing::accounts` (the demo's key families are tags 0x44 and 0x51).

use alloy::primitives::{keccak256, Address};
use alloy::signers::local::PrivateKeySigner;
use sq_testing::accounts::Genesis;

pub use sq_testing::accounts::{CHAIN_ID, NAMESPACE};
/// The namespace of the raw payloads the load generator submits.
pub const RAW_NAMESPACE: u64 = 7;
/// Genesis accounts the load generator sends from (indices `1..=LOAD_ACCOUNTS`).
pub const LOAD_ACCOUNTS: u8 = 8;
/// The account of the automatic `cast send` check.
pub const SELF_CHECK: u8 = 9;
/// The account printed for you to use with `cast`.
pub const YOURS: u8 = 10;
/// Balance of every genesis account: 1000 ETH, in wei.
pub const GENESIS_BALANCE_WEI: u128 = 1_000 * 1_000_000_000_000_000_000;
/// Recipients of load transfers: this many fixed addresses, so the state tree stays small.
pub const RECIPIENTS: u64 = 64;
/// anvil's first default account (mnemonic "test test … junk"): deploys the contracts.
pub const ANVIL_DEPLOYER_KEY: &str =
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

/// Rollup account `i` (1-based).
#[must_use]
pub fn rollup_key(i: u8) -> PrivateKeySigner {
    sq_testing::accounts::key(0x44, i)
}

/// L1 account `i`: node `i`'s stake-table registrant for `i < nodes`, and the commitment
/// task's poster for `i = 200`.
#[must_use]
pub fn l1_key(i: u8) -> PrivateKeySigner {
    sq_testing::accounts::key(0x51, i)
}

/// The L1 account of the commitment task.
pub const POSTER: u8 = 200;

/// A private key as `0x` + 64 hex digits.
#[must_use]
pub fn key_hex(key: &PrivateKeySigner) -> String {
    format!("0x{}", hex::encode(key.to_bytes()))
}

/// Load recipient `n mod RECIPIENTS`: the last 20 bytes of keccak256("demo recipient" ‖ n).
#[must_use]
pub fn recipient(n: u64) -> Address {
    let mut pre = b"demo recipient".to_vec();
    pre.extend_from_slice(&(n % RECIPIENTS).to_be_bytes());
    Address::from_slice(&keccak256(pre)[12..])
}

/// The rollup genesis: accounts `1..=YOURS` funded with [`GENESIS_BALANCE_WEI`].
#[must_use]
pub fn genesis() -> Genesis {
    sq_testing::accounts::genesis(
        (1..=YOURS).map(|i| rollup_key(i).address()),
        GENESIS_BALANCE_WEI,
    )
}

/// An EIP-1559 transfer of `value` wei to `to`, signed by `key`, 2718-encoded: gas limit
/// 21,000, max fee 2 gwei, tip 1 gwei.
///
/// # Errors
/// If signing fails.
pub fn signed_transfer(
    key: &PrivateKeySigner,
    nonce: u64,
    to: Address,
    value: u64,
) -> anyhow::Result<Vec<u8>> {
    Ok(sq_testing::accounts::transfer(
        key,
        nonce,
        to,
        u128::from(value),
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_distinct_and_stable() {
        let a = rollup_key(1).address();
        assert_eq!(a, rollup_key(1).address());
        assert_ne!(a, rollup_key(2).address());
        assert_ne!(a, l1_key(1).address());
        assert_eq!(key_hex(&rollup_key(3)).len(), 66);
        assert_eq!(recipient(5), recipient(5 + RECIPIENTS));
        assert_ne!(recipient(5), recipient(6));
    }

    #[test]
    fn genesis_funds_every_demo_account() {
        let g = genesis();
        assert_eq!(g.accounts.len(), usize::from(YOURS));
        assert_eq!(g.chain_id, CHAIN_ID);
    }

    #[test]
    fn transfers_decode_back_to_their_signer() {
        use alloy::consensus::transaction::SignerRecoverable;
        use alloy::consensus::TxEnvelope;
        use alloy::eips::eip2718::Decodable2718;
        let raw = signed_transfer(&rollup_key(2), 7, recipient(1), 1000).expect("sign");
        let tx = TxEnvelope::decode_2718(&mut raw.as_slice()).expect("decode");
        assert_eq!(
            tx.recover_signer().expect("signer"),
            rollup_key(2).address()
        );
    }
}
