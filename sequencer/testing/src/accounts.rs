//! Deterministic rollup accounts for tests and the demo: test keys (anyone can derive them, so
//! they may hold only test funds), the genesis that funds them, and signed EIP-1559 transfers.

use std::path::{Path, PathBuf};

use alloy::consensus::{SignableTransaction, TxEip1559, TxEnvelope};
use alloy::eips::eip2718::Encodable2718;
use alloy::primitives::{Address, Bytes, TxKind, B256, U256};
use alloy::signers::local::PrivateKeySigner;
use alloy::signers::SignerSync;
use sq_rollup::config::{
    GenesisAccount, DEFAULT_BASE_FEE_WEI, DEFAULT_CHAIN_ID, DEFAULT_NAMESPACE,
};
pub use sq_rollup::Genesis;

/// The rollup's chain id (EIP-155), the sq-rollup default: 35353.
pub const CHAIN_ID: u64 = DEFAULT_CHAIN_ID;
/// The rollup's namespace in the sequencer's blocks, the sq-rollup default: 42.
pub const NAMESPACE: u64 = DEFAULT_NAMESPACE;
/// The genesis base fee, wei per gas (1 gwei).
pub const BASE_FEE: u128 = DEFAULT_BASE_FEE_WEI;
/// One gwei, in wei.
pub const GWEI: u128 = 1_000_000_000;
/// One ether, in wei.
pub const ETH: u128 = 1_000_000_000_000_000_000;

/// Test key `i` of the family `tag`: the secret `tag, 0, …, 0, i` (big-endian), far below the
/// secp256k1 group order, so valid for every `tag` and `i` except `tag = i = 0`. Different
/// tags keep the keys of different tests (or of the demo's L1 and rollup) apart.
///
/// # Panics
/// For `tag = i = 0` (the zero scalar).
#[must_use]
pub fn key(tag: u8, i: u8) -> PrivateKeySigner {
    let mut secret = [0u8; 32];
    secret[0] = tag;
    secret[31] = i;
    #[allow(clippy::expect_used)]
    PrivateKeySigner::from_bytes(&B256::from(secret)).expect("a valid secp256k1 scalar")
}

/// The fee recipient of [`genesis`]: `0xfefe…fe`.
#[must_use]
pub fn fee_recipient() -> Address {
    Address::repeat_byte(0xfe)
}

/// A genesis at [`CHAIN_ID`], [`NAMESPACE`] and [`BASE_FEE`], fees to [`fee_recipient`],
/// funding each of `accounts` with `balance` wei, in order.
#[must_use]
pub fn genesis(accounts: impl IntoIterator<Item = Address>, balance: u128) -> Genesis {
    Genesis {
        chain_id: CHAIN_ID,
        namespace: NAMESPACE,
        base_fee: BASE_FEE,
        fee_recipient: fee_recipient(),
        accounts: accounts
            .into_iter()
            .map(|address| GenesisAccount { address, balance })
            .collect(),
    }
}

/// Writes `genesis` as `dir/genesis.json` (the file `--genesis` / `--rollup-genesis` read);
/// its path.
///
/// # Errors
/// When the file cannot be written.
pub fn write_genesis(dir: &Path, genesis: &Genesis) -> std::io::Result<PathBuf> {
    let path = dir.join("genesis.json");
    std::fs::write(&path, serde_json::to_vec_pretty(genesis)?)?;
    Ok(path)
}

/// An EIP-1559 transfer (gas limit 21,000, no data) at `chain_id`: the unsigned transaction.
#[must_use]
pub fn eip1559(
    chain_id: u64,
    nonce: u64,
    to: Address,
    value: u128,
    max_fee: u128,
    tip: u128,
) -> TxEip1559 {
    TxEip1559 {
        chain_id,
        nonce,
        gas_limit: 21_000,
        max_fee_per_gas: max_fee,
        max_priority_fee_per_gas: tip,
        to: TxKind::Call(to),
        value: U256::from(value),
        access_list: Default::default(),
        input: Bytes::new(),
    }
}

/// `tx` signed by `signer`, 2718-encoded (what `eth_sendRawTransaction` takes).
///
/// # Errors
/// If signing fails.
pub fn sign(signer: &PrivateKeySigner, tx: TxEip1559) -> alloy::signers::Result<Vec<u8>> {
    let sig = signer.sign_hash_sync(&tx.signature_hash())?;
    Ok(TxEnvelope::from(tx.into_signed(sig)).encoded_2718())
}

/// A signed transfer of `value` wei to `to` at [`CHAIN_ID`]: max fee 2 gwei, tip 1 gwei.
///
/// # Errors
/// If signing fails.
pub fn transfer(
    signer: &PrivateKeySigner,
    nonce: u64,
    to: Address,
    value: u128,
) -> alloy::signers::Result<Vec<u8>> {
    sign(signer, eip1559(CHAIN_ID, nonce, to, value, 2 * GWEI, GWEI))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_distinct_and_stable() {
        assert_eq!(key(1, 1).address(), key(1, 1).address());
        assert_ne!(key(1, 1).address(), key(1, 2).address());
        assert_ne!(key(1, 1).address(), key(2, 1).address());
    }

    #[test]
    fn transfers_decode_back_to_their_signer() {
        use alloy::consensus::transaction::SignerRecoverable;
        use alloy::eips::eip2718::Decodable2718;
        let raw = transfer(&key(9, 2), 7, fee_recipient(), 1000).expect("sign");
        let tx = TxEnvelope::decode_2718(&mut raw.as_slice()).expect("decode");
        assert_eq!(tx.recover_signer().expect("signer"), key(9, 2).address());
    }

    #[test]
    fn the_genesis_file_reads_back() {
        let dir = tempfile::tempdir().expect("dir");
        let g = genesis((1..=3).map(|i| key(5, i).address()), 7 * ETH);
        let path = write_genesis(dir.path(), &g).expect("write");
        assert_eq!(Genesis::load(&path).expect("load"), g);
    }
}
