//! Shared test helpers: deterministic keys, signed transactions, a genesis (built on
//! `sq_testing::accounts`; the legacy and EIP-2930 encodings only this crate tests are here).
#![allow(dead_code, unreachable_pub, unused_imports)]

use alloy::consensus::{SignableTransaction, TxEip1559, TxEip2930, TxEnvelope, TxLegacy};
use alloy::eips::eip2718::Encodable2718;
use alloy::primitives::{Address, Bytes, TxKind, U256};
use alloy::signers::local::PrivateKeySigner;
use alloy::signers::SignerSync;
use sq_rollup::config::Genesis;
use sq_rollup::{BatchLimits, RollupConfig};

pub use sq_testing::accounts::{fee_recipient, BASE_FEE, CHAIN_ID, ETH};

/// Key `i` of this crate's family (`sq_testing::accounts::key`, tag 0x11).
pub fn key(i: u8) -> PrivateKeySigner {
    sq_testing::accounts::key(0x11, i)
}

/// Accounts 1..=n funded with 100 ETH each.
pub fn genesis(n: u8) -> Genesis {
    sq_testing::accounts::genesis((1..=n).map(|i| key(i).address()), 100 * ETH)
}

pub fn config(n: u8, batch: BatchLimits) -> RollupConfig {
    RollupConfig {
        genesis: genesis(n),
        batch,
        protocol_version: "0.1.0".into(),
        suggested_tip: 1_000_000_000,
    }
}

pub fn eip1559(
    signer: &PrivateKeySigner,
    chain_id: u64,
    nonce: u64,
    to: Address,
    value: u128,
    max_fee: u128,
    tip: u128,
) -> Vec<u8> {
    sign1559(
        signer,
        sq_testing::accounts::eip1559(chain_id, nonce, to, value, max_fee, tip),
    )
}

pub fn sign1559(signer: &PrivateKeySigner, tx: TxEip1559) -> Vec<u8> {
    sq_testing::accounts::sign(signer, tx).expect("sign")
}

pub fn legacy(
    signer: &PrivateKeySigner,
    chain_id: Option<u64>,
    nonce: u64,
    to: Address,
    value: u128,
    gas_price: u128,
) -> Vec<u8> {
    let tx = TxLegacy {
        chain_id,
        nonce,
        gas_price,
        gas_limit: 21_000,
        to: TxKind::Call(to),
        value: U256::from(value),
        input: Bytes::new(),
    };
    let sig = signer.sign_hash_sync(&tx.signature_hash()).expect("sign");
    TxEnvelope::from(tx.into_signed(sig)).encoded_2718()
}

pub fn eip2930(signer: &PrivateKeySigner, nonce: u64, to: Address) -> Vec<u8> {
    let tx = TxEip2930 {
        chain_id: CHAIN_ID,
        nonce,
        gas_price: 2 * BASE_FEE,
        gas_limit: 21_000,
        to: TxKind::Call(to),
        value: U256::from(1u64),
        access_list: Default::default(),
        input: Bytes::new(),
    };
    let sig = signer.sign_hash_sync(&tx.signature_hash()).expect("sign");
    TxEnvelope::from(tx.into_signed(sig)).encoded_2718()
}

/// A plain 1559 transfer at twice the base fee with a 1 gwei tip.
pub fn transfer(signer: &PrivateKeySigner, nonce: u64, to: Address, value: u128) -> Vec<u8> {
    eip1559(signer, CHAIN_ID, nonce, to, value, 2 * BASE_FEE, BASE_FEE)
}
