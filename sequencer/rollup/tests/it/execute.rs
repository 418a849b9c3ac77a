//! Execution rules one by one, batches, and the witness against the circuit's native relation.

use crate::common::*;
use alloy::primitives::Address;
use sq_prover_circuits::witness::BatchWitness;
use sq_rollup::chain::{BlockInput, BlockOutcome, Chain, OpenBatch};
use sq_rollup::execute::ExecParams;
use sq_rollup::state::State;
use sq_rollup::BatchLimits;

fn chain(limits: BatchLimits) -> Chain {
    let g = genesis(3);
    let state = State::genesis(&g).expect("genesis");
    let root = state.root();
    Chain {
        state,
        height: 0,
        last_hash: Default::default(),
        open: OpenBatch::new(root),
        next_batch: 1,
        chain_id: CHAIN_ID,
        params: ExecParams {
            base_fee: BASE_FEE,
            fee_recipient: fee_recipient(),
        },
        limits,
    }
}

fn block(c: &mut Chain, txs: Vec<Vec<u8>>) -> BlockOutcome {
    let height = c.height + 1;
    c.apply(&BlockInput {
        height,
        timestamp_ms: 1_000 * height,
        transactions: txs,
    })
}

fn balance(c: &Chain, a: Address) -> u128 {
    c.state.account(&a).map_or(0, |x| x.balance)
}

fn nonce(c: &Chain, a: Address) -> u64 {
    c.state.account(&a).map_or(0, |x| x.nonce)
}

const FEE: u128 = 21_000 * 2 * BASE_FEE; // max fee 2×base, tip 1×base → effective 2×base

#[test]
fn a_transfer_moves_value_and_pays_the_fee_to_the_fee_recipient() {
    let mut c = chain(BatchLimits::default());
    let (a, b) = (key(1).address(), key(2).address());
    let out = block(&mut c, vec![transfer(&key(1), 0, b, 5 * ETH)]);
    assert!(out.receipts[0].success, "{:?}", out.receipts[0].error);
    assert_eq!(out.receipts[0].gas_used, 21_000);
    assert_eq!(out.receipts[0].effective_gas_price, 2 * BASE_FEE);
    assert_eq!(balance(&c, a), 95 * ETH - FEE);
    assert_eq!(balance(&c, b), 105 * ETH);
    assert_eq!(balance(&c, fee_recipient()), FEE);
    assert_eq!((nonce(&c, a), nonce(&c, b)), (1, 0));
    assert_eq!(out.block.state_root, c.state.root());
}

#[test]
fn legacy_transfers_pay_their_gas_price() {
    let mut c = chain(BatchLimits::default());
    let out = block(
        &mut c,
        vec![legacy(
            &key(1),
            Some(CHAIN_ID),
            0,
            key(2).address(),
            1,
            3 * BASE_FEE,
        )],
    );
    assert!(out.receipts[0].success);
    assert_eq!(balance(&c, fee_recipient()), 21_000 * 3 * BASE_FEE);
}

#[test]
fn each_execution_failure_gets_a_failed_receipt_and_changes_nothing() {
    let mut c = chain(BatchLimits::default());
    let b = key(2).address();
    let root = c.state.root();
    let txs = vec![
        transfer(&key(1), 1, b, 1),                           // nonce too high
        transfer(&key(1), 0, b, 100 * ETH),                   // value + fee > balance
        eip1559(&key(1), CHAIN_ID, 0, b, 1, BASE_FEE - 1, 0), // fee cap below base fee
        transfer(&key(9), 0, b, 0),                           // sender without account
    ];
    let out = block(&mut c, txs);
    assert_eq!(out.receipts.len(), 4);
    let errors: Vec<String> = out
        .receipts
        .iter()
        .map(|r| r.error.clone().unwrap_or_default())
        .collect();
    assert!(out.receipts.iter().all(|r| !r.success && r.gas_used == 0));
    assert!(errors[0].contains("nonce mismatch"), "{}", errors[0]);
    assert!(errors[1].contains("insufficient funds"), "{}", errors[1]);
    assert!(errors[2].contains("underpriced"), "{}", errors[2]);
    assert!(errors[3].contains("insufficient funds"), "{}", errors[3]);
    assert_eq!(c.state.root(), root, "failed transfers change no state");
    assert!(out.block.witness.is_empty());
    // …and the rollup goes on: the next valid transfer executes.
    let out = block(&mut c, vec![transfer(&key(1), 0, b, 1)]);
    assert!(out.receipts[0].success);
}

#[test]
fn a_replayed_transaction_fails_on_its_nonce() {
    let mut c = chain(BatchLimits::default());
    let tx = transfer(&key(1), 0, key(2).address(), 1);
    let out = block(&mut c, vec![tx.clone(), tx]);
    assert!(out.receipts[0].success);
    assert!(!out.receipts[1].success);
    assert_eq!(nonce(&c, key(1).address()), 1);
}

#[test]
fn undecodable_payloads_are_skipped_without_receipts() {
    let mut c = chain(BatchLimits::default());
    let out = block(
        &mut c,
        vec![
            b"not a transaction".to_vec(),
            transfer(&key(1), 0, key(2).address(), 1),
        ],
    );
    assert_eq!(out.rejected.len(), 1);
    assert_eq!(out.receipts.len(), 1);
    assert!(out.receipts[0].success);
}

#[test]
fn new_accounts_self_transfers_and_fee_recipient_senders_work() {
    let mut c = chain(BatchLimits::default());
    let fresh = Address::repeat_byte(0x77);
    let a = key(1).address();
    let out = block(
        &mut c,
        vec![
            transfer(&key(1), 0, fresh, 3),
            transfer(&key(1), 1, a, 7),
            transfer(&key(1), 2, fee_recipient(), 11),
        ],
    );
    assert!(out.receipts.iter().all(|r| r.success), "{:?}", out.receipts);
    assert_eq!(balance(&c, fresh), 3);
    assert_eq!(balance(&c, a), 100 * ETH - 3 - 11 - 3 * FEE);
    assert_eq!(balance(&c, fee_recipient()), 11 + 3 * FEE);
    assert_eq!(nonce(&c, a), 3);
}

#[test]
fn batches_are_cut_by_count_and_age_and_their_witness_satisfies_the_relation() {
    let limits = BatchLimits {
        max_transfers: 3,
        max_bytes: u64::MAX,
        max_age_ms: 5_000,
    };
    let mut c = chain(limits);
    let (k1, k2) = (key(1), key(2));
    let fresh = Address::repeat_byte(0x55);
    let mut blocks = Vec::new();
    // Block 1: two transfers; block 2: two more → count limit reached after block 2.
    blocks.push(block(
        &mut c,
        vec![
            transfer(&k1, 0, k2.address(), 10),
            transfer(&k2, 0, fresh, 4),
        ],
    ));
    assert!(blocks[0].sealed.is_none());
    blocks.push(block(
        &mut c,
        vec![
            transfer(&k1, 1, fresh, 1),
            transfer(&k2, 1, k1.address(), 2),
        ],
    ));
    let sealed = blocks[1].sealed.clone().expect("count limit seals");
    assert_eq!(
        (
            sealed.number,
            sealed.first_height,
            sealed.last_height,
            sealed.transfers
        ),
        (1, 1, 2, 4)
    );
    // Empty blocks never seal; age seals once a transfer waited 5 s of header time.
    for _ in 0..6 {
        assert!(block(&mut c, vec![]).sealed.is_none());
    }
    blocks.push(block(&mut c, vec![transfer(&k1, 2, fresh, 1)]));
    assert!(blocks[2].sealed.is_none());
    let mut aged = None;
    for _ in 0..6 {
        if let Some(s) = block(&mut c, vec![]).sealed {
            aged = Some(s);
            break;
        }
    }
    let aged = aged.expect("age limit seals");
    assert_eq!(aged.number, 2);
    assert_eq!(aged.root_before, sealed.root_after);

    // The first batch's witness is exactly what the circuit relation accepts.
    let transfers: Vec<_> = blocks[..2]
        .iter()
        .flat_map(|b| b.block.witness.clone())
        .collect();
    let witness = BatchWitness {
        batch: 1,
        fee_recipient: fee_recipient().0 .0,
        root_before: sealed.root_before,
        root_after: sealed.root_after,
        commitment: sealed.commitment,
        transfers,
    };
    witness
        .check()
        .expect("the executor's witness satisfies the relation");
    let chunks = witness.chunks(3).expect("chunks");
    assert_eq!(chunks.len(), 2);
    for chunk in &chunks {
        chunk.check().expect("chunk");
    }
    // A tampered witness does not.
    let mut bad = witness.clone();
    bad.transfers[1].recipient.after.balance += 1;
    assert!(bad.check().is_err());
}

#[test]
fn two_chains_fed_the_same_blocks_agree() {
    let mut c1 = chain(BatchLimits::default());
    let mut c2 = chain(BatchLimits::default());
    for n in 0..5 {
        let txs = vec![transfer(&key(1), n, key(3).address(), 100 + u128::from(n))];
        let a = block(&mut c1, txs.clone());
        let b = block(&mut c2, txs);
        assert_eq!(a.block, b.block);
    }
    assert_eq!(c1.state.root(), c2.state.root());
}
