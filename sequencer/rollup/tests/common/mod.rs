//! Shared test helpers: deterministic keys, signed transactions, a genesis.
#![allow(dead_code, unreachable_pub)]

use alloy::consensus::{SignableTransaction, TxEip1559, TxEip2930, TxEnvelope, TxLegacy};
use alloy::eips::eip2718::Encodable2718;
use alloy::primitives::{Address, Bytes, TxKind, B256, U256};
use alloy::signers::local::PrivateKeySigner;
use alloy::signers::SignerSync;
use sq_rollup::config::{Genesis, GenesisAccount};
use sq_rollup::{BatchLimits, RollupConfig};

pub const CHAIN_ID: u64 = 35_353;
pub const BASE_FEE: u128 = 1_000_000_000;
pub const ETH: u128 = 1_000_000_000_000_000_000;

/// Key `i` (1-based secret, so deterministic).
pub fn key(i: u8) -> PrivateKeySigner {
    let mut secret = [0u8; 32];
    secret[31] = i;
    secret[0] = 0x11;
    PrivateKeySigner::from_bytes(&B256::from(secret)).expect("valid key")
}

pub fn fee_recipient() -> Address {
    Address::repeat_byte(0xfe)
}

/// Accounts 1..=n funded with 100 ETH each.
pub fn genesis(n: u8) -> Genesis {
    Genesis {
        chain_id: CHAIN_ID,
        namespace: 42,
        base_fee: BASE_FEE,
        fee_recipient: fee_recipient(),
        accounts: (1..=n)
            .map(|i| GenesisAccount {
                address: key(i).address(),
                balance: 100 * ETH,
            })
            .collect(),
    }
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
    let tx = TxEip1559 {
        chain_id,
        nonce,
        gas_limit: 21_000,
        max_fee_per_gas: max_fee,
        max_priority_fee_per_gas: tip,
        to: TxKind::Call(to),
        value: U256::from(value),
        access_list: Default::default(),
        input: Bytes::new(),
    };
    sign1559(signer, tx)
}

pub fn sign1559(signer: &PrivateKeySigner, tx: TxEip1559) -> Vec<u8> {
    let sig = signer.sign_hash_sync(&tx.signature_hash()).expect("sign");
    TxEnvelope::from(tx.into_signed(sig)).encoded_2718()
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
