//! The example rollup on a real local network: a `cdn-server`, four `sequencer` processes,
//! the rollup inside nodes 0 and 1 (`--rollup-genesis`) and the standalone `rollup` binary
//! following node 2. Real signed transactions go through the JSON-RPC with alloy's provider
//! and wallet and with the real `cast` binary from `contracts/node_modules`; every refusal
//! rule of `eth_sendRawTransaction` and of execution is exercised; the three rollups must
//! reach identical blocks and state roots; batches and their witness inputs are served by
//! the proof-data-handler API, and a proof that does not verify is refused.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use alloy::consensus::TxEip1559;
use alloy::network::{EthereumWallet, TransactionBuilder};
use alloy::primitives::{Address, Bytes, U256};
use alloy::providers::{Provider, ProviderBuilder};
use alloy::rpc::types::TransactionRequest;
use alloy::signers::local::PrivateKeySigner;
use serde_json::{json, Value};
use sq_prover_circuits::pdh::client::{PdhClient, PdhError};
use sq_prover_circuits::pdh::BatchStatus;
use sq_testing::accounts::{self, fee_recipient, CHAIN_ID, ETH, GWEI, NAMESPACE};
use sq_testing::cluster::{free_port, Cluster, ClusterConfig, Proc};

mod common;
use common::bin_dir;

fn cast_bin() -> PathBuf {
    let cast = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../contracts/node_modules/.bin/cast");
    assert!(
        cast.exists(),
        "{} is missing: run `just contracts-install` (npm ci in contracts/)",
        cast.display()
    );
    cast
}

/// This test's key family (`sq_testing::accounts::key`).
const KEYS: u8 = 0x22;

fn key(i: u8) -> PrivateKeySigner {
    accounts::key(KEYS, i)
}

fn write_genesis(dir: &Path) -> PathBuf {
    let g = accounts::genesis((1..=4).map(|i| key(i).address()), 100 * ETH);
    accounts::write_genesis(dir, &g).expect("write genesis")
}

fn sign(signer: &PrivateKeySigner, tx: TxEip1559) -> Vec<u8> {
    accounts::sign(signer, tx).expect("sign")
}

/// A transfer at 2 gwei max fee and 1 gwei tip.
fn tx(chain_id: u64, nonce: u64, to: Address, value: u128) -> TxEip1559 {
    accounts::eip1559(chain_id, nonce, to, value, 2 * GWEI, GWEI)
}

struct Rpc {
    http: reqwest::Client,
    url: String,
}

impl Rpc {
    async fn call(&self, method: &str, params: Value) -> Value {
        let body = json!({ "jsonrpc": "2.0", "id": 1, "method": method, "params": params });
        self.http
            .post(&self.url)
            .json(&body)
            .send()
            .await
            .expect("rpc")
            .json()
            .await
            .expect("json")
    }

    async fn result(&self, method: &str, params: Value) -> Value {
        let v = self.call(method, params).await;
        assert!(v.get("error").is_none(), "{method}: {v}");
        v["result"].clone()
    }

    /// The error message of a call that must fail with `code`.
    async fn error(&self, method: &str, params: Value, code: i64) -> String {
        let v = self.call(method, params).await;
        assert_eq!(v["error"]["code"].as_i64(), Some(code), "{method}: {v}");
        v["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    async fn send_raw(&self, raw: &[u8]) -> Value {
        self.call(
            "eth_sendRawTransaction",
            json!([format!("0x{}", hex::encode(raw))]),
        )
        .await
    }

    async fn balance(&self, a: Address) -> u128 {
        let v = self.result("eth_getBalance", json!([a, "latest"])).await;
        u128::from_str_radix(v.as_str().expect("hex").trim_start_matches("0x"), 16).expect("qty")
    }

    async fn block_number(&self) -> u64 {
        let v = self.result("eth_blockNumber", json!([])).await;
        u64::from_str_radix(v.as_str().expect("hex").trim_start_matches("0x"), 16).expect("qty")
    }

    async fn wait_receipt(&self, hash: &str, within: Duration) -> Value {
        let deadline = Instant::now() + within;
        loop {
            let r = self
                .result("eth_getTransactionReceipt", json!([hash]))
                .await;
            if !r.is_null() {
                return r;
            }
            assert!(Instant::now() < deadline, "no receipt for {hash}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rollup_on_a_local_network_serves_wallets_and_provers() {
    let work = tempfile::tempdir().expect("dir");
    let genesis = write_genesis(work.path());
    let (rpc0, pdh0, rpc1, pdh1) = (free_port(), free_port(), free_port(), free_port());
    let rollup_args = |rpc: u16, pdh: u16| -> Vec<String> {
        [
            "--rollup-genesis",
            &genesis.display().to_string(),
            "--rollup-rpc-addr",
            &format!("127.0.0.1:{rpc}"),
            "--rollup-pdh-addr",
            &format!("127.0.0.1:{pdh}"),
            "--rollup-batch-max-transfers",
            "4",
            "--rollup-batch-max-age-ms",
            "3000",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    };
    let bins = bin_dir();
    let cluster = Cluster::start(&ClusterConfig {
        nodes: 4,
        bin_dir: bins.clone(),
        libp2p: false,
        cdn_args: Vec::new(),
        database_urls: Vec::new(),
        node_args: Vec::new(),
        per_node_args: vec![(0, rollup_args(rpc0, pdh0)), (1, rollup_args(rpc1, pdh1))],
    })
    .expect("cluster");
    // The standalone binary, following node 2.
    let (rpc2, pdh2) = (free_port(), free_port());
    let standalone = Proc::spawn(
        &bins.join("rollup"),
        &[
            "--node-url".into(),
            format!("http://127.0.0.1:{}", cluster.api[2]),
            "--rollup-genesis".into(),
            genesis.display().to_string(),
            "--data-dir".into(),
            work.path().join("standalone").display().to_string(),
            "--rollup-rpc-addr".into(),
            format!("127.0.0.1:{rpc2}"),
            "--rollup-pdh-addr".into(),
            format!("127.0.0.1:{pdh2}"),
            "--rollup-batch-max-transfers".into(),
            "4".into(),
            "--rollup-batch-max-age-ms".into(),
            "3000".into(),
        ],
        work.path().join("standalone.log"),
    )
    .expect("rollup binary");
    cluster
        .wait_heights(&[0, 1, 2, 3], 3, Duration::from_secs(60))
        .expect("the network decides");

    let http = reqwest::Client::new();
    let rpc = Rpc {
        http: http.clone(),
        url: format!("http://127.0.0.1:{rpc0}"),
    };
    // Wait for the rollup to follow.
    let deadline = Instant::now() + Duration::from_secs(30);
    while rpc
        .call("eth_blockNumber", json!([]))
        .await
        .get("result")
        .is_none()
    {
        assert!(
            Instant::now() < deadline,
            "rollup RPC never came up\n{}",
            cluster.logs()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // Basic views.
    assert_eq!(
        rpc.result("eth_chainId", json!([])).await,
        json!(format!("{CHAIN_ID:#x}"))
    );
    assert_eq!(
        rpc.result("net_version", json!([])).await,
        json!(CHAIN_ID.to_string())
    );
    assert_eq!(rpc.balance(key(1).address()).await, 100 * ETH);
    assert_eq!(
        rpc.result(
            "eth_estimateGas",
            json!([{ "to": key(2).address(), "value": "0x1" }])
        )
        .await,
        json!("0x5208")
    );

    // 1. alloy's provider with a wallet: fills nonce, gas and fees through our RPC.
    let wallet = EthereumWallet::from(key(1));
    let provider = ProviderBuilder::new()
        .wallet(wallet)
        .connect_http(rpc.url.parse().expect("url"));
    let fresh = Address::repeat_byte(0x77);
    let pending = provider
        .send_transaction(
            TransactionRequest::default()
                .with_to(fresh)
                .with_value(U256::from(5 * ETH)),
        )
        .await
        .expect("alloy send");
    let receipt = pending
        .with_timeout(Some(Duration::from_secs(60)))
        .get_receipt()
        .await
        .expect("alloy receipt");
    assert!(receipt.status(), "{receipt:?}");
    assert_eq!(receipt.gas_used, 21_000);
    assert_eq!(rpc.balance(fresh).await, 5 * ETH);
    let fee = 21_000 * receipt.effective_gas_price;
    assert_eq!(rpc.balance(key(1).address()).await, 95 * ETH - fee);
    assert_eq!(rpc.balance(fee_recipient()).await, fee);
    let by_hash = rpc
        .result(
            "eth_getTransactionByHash",
            json!([receipt.transaction_hash]),
        )
        .await;
    assert_eq!(by_hash["from"], json!(key(1).address()));
    assert_eq!(
        by_hash["blockNumber"],
        json!(format!("{:#x}", receipt.block_number.expect("block")))
    );
    let block = rpc
        .result(
            "eth_getBlockByNumber",
            json!([format!("{:#x}", receipt.block_number.expect("n")), false]),
        )
        .await;
    assert!(block["transactions"]
        .as_array()
        .expect("txs")
        .contains(&json!(receipt.transaction_hash)));

    // 2. Every refusal at submission, with a standard code and a wallet-readable message.
    let k2 = key(2);
    let b = key(3).address();
    assert!(rpc
        .error(
            "eth_sendRawTransaction",
            json!([format!(
                "0x{}",
                hex::encode(sign(&k2, tx(CHAIN_ID + 1, 0, b, 1)))
            )]),
            -32000
        )
        .await
        .contains("invalid chain id"));
    let too_high = rpc.send_raw(&sign(&k2, tx(CHAIN_ID, 5, b, 1))).await;
    assert!(
        too_high["error"]["message"]
            .as_str()
            .expect("msg")
            .contains("nonce too high"),
        "{too_high}"
    );
    let broke = rpc
        .send_raw(&sign(&k2, tx(CHAIN_ID, 0, b, 1000 * ETH)))
        .await;
    assert!(
        broke["error"]["message"]
            .as_str()
            .expect("msg")
            .contains("insufficient funds"),
        "{broke}"
    );
    let calldata = TxEip1559 {
        input: Bytes::from_static(&[1, 2, 3, 4]),
        ..tx(CHAIN_ID, 0, b, 1)
    };
    assert!(rpc.send_raw(&sign(&k2, calldata)).await["error"]["message"]
        .as_str()
        .expect("msg")
        .contains("calldata"));
    let cheap = TxEip1559 {
        max_fee_per_gas: GWEI / 2,
        max_priority_fee_per_gas: 0,
        ..tx(CHAIN_ID, 0, b, 1)
    };
    assert!(rpc.send_raw(&sign(&k2, cheap)).await["error"]["message"]
        .as_str()
        .expect("msg")
        .contains("underpriced"));
    let garbage = rpc.send_raw(b"\x02garbage").await;
    assert_eq!(garbage["error"]["code"], json!(-32000), "{garbage}");
    assert_eq!(
        rpc.call("eth_sendRawTransaction", json!(["zz"])).await["error"]["code"],
        json!(-32602)
    );
    assert_eq!(
        rpc.call("eth_noSuchMethod", json!([])).await["error"]["code"],
        json!(-32601)
    );
    let ok = sign(&k2, tx(CHAIN_ID, 0, b, 7));
    let first = rpc.send_raw(&ok).await;
    let hash = first["result"].as_str().expect("accepted").to_owned();
    assert!(rpc.send_raw(&ok).await["error"]["message"]
        .as_str()
        .expect("msg")
        .contains("already known"));
    assert_eq!(
        rpc.result("eth_getTransactionCount", json!([k2.address(), "pending"]))
            .await,
        json!("0x1")
    );
    let low = rpc.send_raw(&sign(&k2, tx(CHAIN_ID, 0, b, 8))).await;
    assert!(
        low["error"]["message"]
            .as_str()
            .expect("msg")
            .contains("nonce too low"),
        "{low}"
    );
    let r = rpc.wait_receipt(&hash, Duration::from_secs(60)).await;
    assert_eq!(r["status"], json!("0x1"));

    // 3. A failure at execution: submitted straight to the sequencer (bypassing the RPC's
    //    checks) with a stale nonce → a failed receipt, and the rollup goes on.
    let stale = sign(&k2, tx(CHAIN_ID, 0, b, 9));
    let node3 = sq_api::client::Client::new(&format!("http://127.0.0.1:{}", cluster.api[3]))
        .expect("client");
    node3.submit(NAMESPACE, &stale).await.expect("submit");
    let stale_hash = format!("{:#x}", alloy::primitives::keccak256(&stale));
    let failed = rpc.wait_receipt(&stale_hash, Duration::from_secs(60)).await;
    assert_eq!(failed["status"], json!("0x0"), "{failed}");
    assert!(failed["revertReason"]
        .as_str()
        .expect("reason")
        .contains("nonce mismatch"));
    assert_eq!(rpc.balance(b).await, 100 * ETH + 7);

    // 4. The real `cast`: send, balance, receipt.
    let cast = cast_bin();
    let k4 = format!("0x{}", hex::encode(key(4).to_bytes()));
    let target = Address::repeat_byte(0x44);
    let out = Command::new(&cast)
        .args([
            "send",
            "--private-key",
            &k4,
            "--rpc-url",
            &rpc.url,
            &format!("{target:#x}"),
            "--value",
            "1234567",
            "--async",
        ])
        .output()
        .expect("cast send");
    assert!(
        out.status.success(),
        "cast send: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cast_hash = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    rpc.wait_receipt(&cast_hash, Duration::from_secs(60)).await;
    let out = Command::new(&cast)
        .args(["receipt", &cast_hash, "status", "--rpc-url", &rpc.url])
        .output()
        .expect("cast receipt");
    assert!(
        out.status.success(),
        "cast receipt: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let status = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    assert!(
        status == "1" || status == "true" || status.contains("(success)"),
        "cast receipt status: {status}"
    );
    let out = Command::new(&cast)
        .args(["balance", &format!("{target:#x}"), "--rpc-url", &rpc.url])
        .output()
        .expect("cast balance");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "1234567");
    let out = Command::new(&cast)
        .args([
            "nonce",
            &format!("{:#x}", key(4).address()),
            "--rpc-url",
            &rpc.url,
        ])
        .output()
        .expect("cast nonce");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "1");

    // 5. Batches: sealed by count or age, served with witness inputs that satisfy the relation.
    let deadline = Instant::now() + Duration::from_secs(60);
    let pdh = PdhClient::new(&format!("http://127.0.0.1:{pdh0}"), Duration::from_secs(60))
        .expect("client");
    let data = loop {
        if let Some(data) = pdh.proof_generation_data(0).await.expect("pdh") {
            break data;
        }
        assert!(Instant::now() < deadline, "no batch sealed");
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    assert_eq!(data.batch, 1);
    assert_eq!(data.protocol_version, "0.1.0");
    let witness = data.witness;
    witness
        .check()
        .expect("served witness satisfies the relation");
    assert!(!witness.transfers.is_empty());
    let batch = pdh.batch(1).await.expect("batch 1").expect("sealed");
    assert_eq!(batch.status, BatchStatus::Sealed);
    assert_eq!(
        pdh.batch(999).await.expect("answers"),
        None,
        "404 for an unknown batch"
    );
    let bad = pdh
        .submit_proof(1, vec![1u8, 2, 3])
        .await
        .expect_err("garbage refused");
    assert_eq!(bad.status(), Some(400), "{bad}");
    assert!(
        matches!(&bad, PdhError::Status { error: Some(e), .. } if e.contains("does not decode")),
        "{bad}"
    );
    prove_and_submit(&pdh, &witness).await;

    // 6. Three rollups (two in-node, one standalone) reach identical blocks and roots.
    let others = [
        Rpc {
            http: http.clone(),
            url: format!("http://127.0.0.1:{rpc1}"),
        },
        Rpc {
            http: http.clone(),
            url: format!("http://127.0.0.1:{rpc2}"),
        },
    ];
    let target_height = rpc.block_number().await;
    for other in &others {
        let deadline = Instant::now() + Duration::from_secs(60);
        while other
            .call("eth_blockNumber", json!([]))
            .await
            .get("result")
            .is_none()
            || other.block_number().await < target_height
        {
            assert!(
                Instant::now() < deadline,
                "{} lags\n{}\n{}",
                other.url,
                cluster.logs(),
                standalone.tail(20)
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        for h in [1, target_height / 2, target_height] {
            let q = json!([format!("{h:#x}"), false]);
            let mine = rpc.result("eth_getBlockByNumber", q.clone()).await;
            let theirs = other.result("eth_getBlockByNumber", q).await;
            assert_eq!(
                mine["hash"], theirs["hash"],
                "block {h} differs at {}",
                other.url
            );
            assert_eq!(mine["stateRoot"], theirs["stateRoot"]);
        }
    }
    drop(standalone);
}

/// Proves the served batch with the prover's circuits (chunk proofs, then the
/// aggregation rounds down to one scheduler proof, compressed into the L1 configuration)
/// and submits it; the node must refuse the uncompressed scheduler proof, verify and
/// accept the compressed one, then refuse a second submission.
async fn prove_and_submit(pdh: &PdhClient, witness: &sq_prover_circuits::witness::BatchWitness) {
    let chunks: Vec<_> = witness
        .chunks(2)
        .expect("chunks")
        .iter()
        .map(|c| {
            let p = sq_prover_circuits::prove_chunk(c).expect("prove chunk");
            let proof = postcard::from_bytes(&p.proof).expect("decode chunk proof");
            (proof, c.public.to_fields())
        })
        .collect();
    let aggregated =
        sq_prover_recursion::aggregation::prove_batch(&chunks, 2, witness.batch, "0.1.0")
            .expect("aggregate");
    let compressed =
        sq_prover_recursion::compression::prove_compression(&aggregated, witness.batch, "0.1.0")
            .expect("compress");
    let batch_proof = |proof| sq_prover_verifier::BatchProof {
        protocol_version: "0.1.0".into(),
        batch: witness.batch,
        proof,
    };
    let refused = |r: Result<_, PdhError>| r.expect_err("refused").status();
    // The scheduler proof states the same batch but is not one L1 can check: refused.
    let scheduler = batch_proof(sq_prover_verifier::FinalProof::Scheduler(aggregated));
    let r = pdh
        .submit_proof(witness.batch, scheduler.to_bytes().expect("encode"))
        .await;
    let e = r.expect_err("a scheduler proof is refused");
    assert_eq!(e.status(), Some(400));
    assert!(e.to_string().contains("round-3 proof"), "{e}");
    let proof = batch_proof(sq_prover_verifier::FinalProof::Compressed(compressed));
    let bytes = proof.to_bytes().expect("encode");
    // A proof of the wrong protocol version, and one stating another root, are refused.
    let mut wrong_version = sq_prover_verifier::BatchProof::from_bytes(&bytes).expect("decode");
    wrong_version.protocol_version = "0.2.0".into();
    let r = pdh
        .submit_proof(witness.batch, wrong_version.to_bytes().expect("encode"))
        .await;
    assert_eq!(refused(r), Some(400));
    let mut other_root = sq_prover_verifier::BatchProof::from_bytes(&bytes).expect("decode");
    other_root.proof.parts_mut().1[0] += sq_prover_circuits::hash::F::new(1);
    let r = pdh
        .submit_proof(witness.batch, other_root.to_bytes().expect("encode"))
        .await;
    assert_eq!(refused(r), Some(400));
    let accepted = pdh
        .submit_proof(witness.batch, proof.to_bytes().expect("encode"))
        .await
        .expect("accepted");
    assert_eq!(accepted.status, "accepted");
    let batch = pdh
        .batch(witness.batch)
        .await
        .expect("batch")
        .expect("sealed");
    assert_eq!(batch.status, BatchStatus::Proven);
    let again = pdh
        .submit_proof(witness.batch, proof.to_bytes().expect("encode"))
        .await;
    assert_eq!(refused(again), Some(409));
}
