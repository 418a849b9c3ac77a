//! `tx::decode`: every acceptance rule, one by one, with real alloy signatures.

use crate::common::*;
use alloy::consensus::TxEip1559;
use alloy::primitives::{Address, Bytes, TxKind, U256};
use sq_rollup::tx::{decode, FeeKind, TxError, MAX_RAW_TX_BYTES};

fn to() -> Address {
    Address::repeat_byte(0x22)
}

#[test]
fn legacy_eip155_and_eip1559_transfers_decode_with_their_signer() {
    let k = key(1);
    let t = decode(
        &legacy(&k, Some(CHAIN_ID), 3, to(), 5, 7 * BASE_FEE),
        CHAIN_ID,
    )
    .expect("legacy");
    assert_eq!((t.from, t.to, t.value, t.nonce), (k.address(), to(), 5, 3));
    assert_eq!(
        t.fee,
        FeeKind::Legacy {
            gas_price: 7 * BASE_FEE
        }
    );
    let t = decode(&transfer(&k, 0, to(), 9), CHAIN_ID).expect("1559");
    assert_eq!((t.from, t.value), (k.address(), 9));
    assert_eq!(
        t.fee,
        FeeKind::Eip1559 {
            max_fee: 2 * BASE_FEE,
            max_priority_fee: BASE_FEE
        }
    );
    // The effective price is min(max fee, base + tip), and must reach the base fee.
    assert_eq!(t.fee.effective_gas_price(BASE_FEE), Ok(2 * BASE_FEE));
    assert_eq!(
        t.fee.effective_gas_price(BASE_FEE / 2),
        Ok(BASE_FEE / 2 + BASE_FEE)
    );
    assert!(matches!(
        t.fee.effective_gas_price(3 * BASE_FEE),
        Err(TxError::FeeBelowBaseFee { .. })
    ));
}

#[test]
fn wrong_chain_id_and_pre_eip155_are_refused() {
    let k = key(1);
    assert_eq!(
        decode(&transfer(&k, 0, to(), 1), CHAIN_ID + 1).expect_err("must be refused"),
        TxError::WrongChainId {
            expected: CHAIN_ID + 1,
            got: CHAIN_ID
        }
    );
    assert_eq!(
        decode(&legacy(&k, None, 0, to(), 1, BASE_FEE), CHAIN_ID).expect_err("must be refused"),
        TxError::NotReplayProtected
    );
}

fn base_tx() -> TxEip1559 {
    TxEip1559 {
        chain_id: CHAIN_ID,
        nonce: 0,
        gas_limit: 21_000,
        max_fee_per_gas: 2 * BASE_FEE,
        max_priority_fee_per_gas: BASE_FEE,
        to: TxKind::Call(to()),
        value: U256::from(1u64),
        access_list: Default::default(),
        input: Bytes::new(),
    }
}

#[test]
fn calldata_creation_access_lists_low_gas_and_huge_values_are_refused() {
    let k = key(1);
    let calldata = TxEip1559 {
        input: Bytes::from_static(&[0xa9, 0x05, 0x9c, 0xbb]),
        ..base_tx()
    };
    assert_eq!(
        decode(&sign1559(&k, calldata), CHAIN_ID).expect_err("must be refused"),
        TxError::Calldata
    );
    let create = TxEip1559 {
        to: TxKind::Create,
        ..base_tx()
    };
    assert_eq!(
        decode(&sign1559(&k, create), CHAIN_ID).expect_err("must be refused"),
        TxError::ContractCreation
    );
    let mut list = alloy::eips::eip2930::AccessList::default();
    list.0.push(alloy::eips::eip2930::AccessListItem {
        address: to(),
        storage_keys: vec![],
    });
    let access = TxEip1559 {
        access_list: list,
        ..base_tx()
    };
    assert_eq!(
        decode(&sign1559(&k, access), CHAIN_ID).expect_err("must be refused"),
        TxError::AccessList
    );
    let low = TxEip1559 {
        gas_limit: 20_999,
        ..base_tx()
    };
    assert_eq!(
        decode(&sign1559(&k, low), CHAIN_ID).expect_err("must be refused"),
        TxError::GasTooLow { have: 20_999 }
    );
    let huge = TxEip1559 {
        value: U256::from(u128::MAX) + U256::from(1u64),
        ..base_tx()
    };
    assert_eq!(
        decode(&sign1559(&k, huge), CHAIN_ID).expect_err("must be refused"),
        TxError::ValueTooLarge
    );
    let tip = TxEip1559 {
        max_priority_fee_per_gas: 3 * BASE_FEE,
        ..base_tx()
    };
    assert_eq!(
        decode(&sign1559(&k, tip), CHAIN_ID).expect_err("must be refused"),
        TxError::TipAboveFeeCap
    );
}

#[test]
fn other_types_garbage_oversized_and_trailing_bytes_are_refused() {
    let k = key(1);
    assert_eq!(
        decode(&eip2930(&k, 0, to()), CHAIN_ID).expect_err("must be refused"),
        TxError::UnsupportedType(1)
    );
    assert!(matches!(
        decode(&[0x02, 0xc0, 0x01], CHAIN_ID),
        Err(TxError::Malformed(_))
    ));
    assert!(matches!(
        decode(b"hello world", CHAIN_ID),
        Err(TxError::Malformed(_))
    ));
    assert_eq!(
        decode(&[], CHAIN_ID).expect_err("must be refused"),
        TxError::Size { size: 0 }
    );
    let big = vec![0u8; MAX_RAW_TX_BYTES + 1];
    assert_eq!(
        decode(&big, CHAIN_ID).expect_err("must be refused"),
        TxError::Size {
            size: MAX_RAW_TX_BYTES + 1
        }
    );
    let mut trailing = transfer(&k, 0, to(), 1);
    trailing.push(0);
    assert!(matches!(
        decode(&trailing, CHAIN_ID),
        Err(TxError::Malformed(_))
    ));
    // Every truncation of a valid transaction is refused, none panics.
    let good = transfer(&k, 0, to(), 1);
    for len in 1..good.len() {
        assert!(
            decode(&good[..len], CHAIN_ID).is_err(),
            "truncated to {len} bytes"
        );
    }
}

#[test]
fn a_tampered_signature_does_not_yield_the_signer() {
    let k = key(1);
    let good = transfer(&k, 0, to(), 1);
    // The last 32 bytes are s; flip a bit in it.
    let mut bad = good.clone();
    let n = bad.len();
    bad[n - 5] ^= 0x01;
    match decode(&bad, CHAIN_ID) {
        Ok(t) => assert_ne!(
            t.from,
            k.address(),
            "a changed signature must not recover the signer"
        ),
        Err(e) => assert!(
            matches!(e, TxError::BadSignature(_) | TxError::Malformed(_)),
            "{e}"
        ),
    }
}
