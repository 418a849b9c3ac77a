//! Against a real anvil: deploy, register four keys with proofs of possession, freeze the
//! snapshot, and post blocks decided by a local 4-node network (the simulator running the
//! consensus state machines with real BLS signatures). Every tampering is rejected on-chain.
//!
//! Needs the npm-pinned anvil: `just test` installs it (`just contracts-install`).

use alloy::network::EthereumWallet;
use alloy::primitives::{FixedBytes, U256};
use alloy::providers::{Provider, ProviderBuilder};
use alloy::signers::local::PrivateKeySigner;
use sq_bindings::hot_shot_commitments::HotShotCommitments::{self, HotShotCommitmentsErrors};
use sq_l1::convert::{header_to_abi, qc_to_abi};
use sq_l1::deploy::{deploy_commitments, deploy_stake_table, register};
use sq_l1::stake::{read_snapshot, read_stake_table};
use sq_l1::task::{follow, CommitmentTask, DecidedSource, Progress, TaskConfig};
use sq_sim::{CryptoMode, Scenario};
use sq_types::{Leaf, NodeIndex};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// anvil's well-known development accounts 0..=4 (mnemonic "test test … junk").
const DEV_KEYS: [&str; 5] = [
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
    "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
    "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
    "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
];

struct AnvilGuard(Child);

impl Drop for AnvilGuard {
    fn drop(&mut self) {
        self.0.kill().ok();
        self.0.wait().ok();
    }
}

/// Starts anvil on a free port and waits until it answers JSON-RPC.
async fn start_anvil() -> (AnvilGuard, String) {
    let bin =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../contracts/node_modules/.bin/anvil");
    assert!(
        bin.exists(),
        "{} missing: run `just contracts-install` (npm ci in contracts/)",
        bin.display()
    );
    let port = TcpListener::bind("127.0.0.1:0")
        .expect("free port")
        .local_addr()
        .expect("addr")
        .port();
    let child = Command::new(bin)
        .args([
            "--port",
            &port.to_string(),
            "--host",
            "127.0.0.1",
            "--silent",
        ])
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn anvil");
    let guard = AnvilGuard(child);
    let url = format!("http://127.0.0.1:{port}");
    let probe = ProviderBuilder::new().connect_http(url.parse().expect("url"));
    let deadline = Instant::now() + Duration::from_secs(20);
    while probe.get_chain_id().await.is_err() {
        assert!(Instant::now() < deadline, "anvil did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    (guard, url)
}

fn wallet(i: usize) -> EthereumWallet {
    EthereumWallet::from(DEV_KEYS[i].parse::<PrivateKeySigner>().expect("dev key"))
}

fn revert_of(err: sq_l1::L1Error) -> HotShotCommitmentsErrors {
    match err {
        sq_l1::L1Error::CommitmentsRevert(e) => e,
        other => panic!("not a HotShotCommitments revert: {other}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decided_blocks_are_certified_on_l1_and_tampering_reverts() {
    tracing_subscriber::fmt().with_test_writer().try_init().ok();
    let (_anvil, url) = start_anvil().await;
    let deployer = ProviderBuilder::new()
        .wallet(wallet(0))
        .connect_http(url.parse().expect("url"));

    // The stake table: four operators register the simulator's four BLS keys.
    let one_eth = U256::from(10u64).pow(U256::from(18u64));
    let stake_table = deploy_stake_table(&deployer, one_eth, 86_400)
        .await
        .expect("deploy stake table");
    let keys = sq_sim::crypto::keypairs(4).expect("keys");
    for (i, key) in keys.iter().enumerate() {
        let operator = ProviderBuilder::new()
            .wallet(wallet(i + 1))
            .connect_http(url.parse().expect("url"));
        register(&operator, stake_table, key, one_eth)
            .await
            .expect("register");
    }
    let on_l1 = read_stake_table(&deployer, stake_table)
        .await
        .expect("read stake table");
    let (consensus_table, _) = sq_sim::crypto::setup(4, 1, CryptoMode::Bls).expect("setup");
    assert_eq!(
        on_l1.commit(),
        consensus_table.commit(),
        "L1 and consensus use the same table"
    );

    // Freeze the snapshot into the commitments contract.
    let (address, frozen) = deploy_commitments(&deployer, stake_table, Leaf::genesis().commit())
        .await
        .expect("freeze");
    assert_eq!(frozen.commit(), consensus_table.commit());
    assert_eq!(
        read_snapshot(&deployer, address)
            .await
            .expect("snapshot")
            .commit(),
        consensus_table.commit()
    );

    // A local 4-node network decides blocks with real BLS signatures.
    let mut scenario = Scenario::honest(1, 4, 1_500);
    scenario.crypto = CryptoMode::Bls;
    scenario.record_decided = true;
    let report = sq_sim::run(scenario).expect("simulation");
    assert!(report.violations.is_empty());
    let decided = report.decided;
    assert!(decided.len() >= 12, "only {} decided blocks", decided.len());

    // Post the first five through the task.
    let cfg = TaskConfig {
        max_run: 5,
        ..TaskConfig::default()
    };
    let mut task = CommitmentTask::new(deployer.clone(), address, cfg.clone())
        .await
        .expect("task");
    for (leaf, qc) in &decided {
        task.push(leaf.clone(), qc.clone());
    }
    assert_eq!(task.post_next().await.expect("post"), 5);

    // Tampering with block 6 is rejected, each case with its own error.
    // Tampered posts come from another account: a reverting send may consume a nonce from the
    // provider's cache, which must not stall the deployer's later transactions.
    let other = ProviderBuilder::new()
        .wallet(wallet(4))
        .connect_http(url.parse().expect("url"));
    let contract = HotShotCommitments::new(address, other);
    let post = |leaves: Vec<(Leaf, sq_types::QuorumCertificate)>| {
        let contract = contract.clone();
        async move {
            let headers = leaves
                .iter()
                .map(|(l, _)| header_to_abi(&l.header))
                .collect();
            let qcs = leaves
                .iter()
                .map(|(_, qc)| qc_to_abi(qc).expect("qc"))
                .collect();
            contract
                .newBlocks(headers, qcs)
                .send()
                .await
                .map_err(sq_l1::L1Error::from)
        }
    };
    let (l6, qc6) = decided[5].clone();
    let mut wrong_sig = qc6.clone();
    wrong_sig.signature = decided[6].1.signature;
    assert!(matches!(
        revert_of(
            post(vec![(l6.clone(), wrong_sig)])
                .await
                .expect_err("reverts")
        ),
        HotShotCommitmentsErrors::BadSignature(_)
    ));
    let mut fewer = qc6.clone();
    let mut bitmap = sq_types::SignerBitmap::new(4);
    for i in fewer.signers.signers().take(2) {
        bitmap.set(i);
    }
    fewer.signers = bitmap;
    assert!(matches!(
        revert_of(post(vec![(l6.clone(), fewer)]).await.expect_err("reverts")),
        HotShotCommitmentsErrors::InsufficientStake(_)
    ));
    let mut swapped = qc6.clone();
    let mut bitmap = sq_types::SignerBitmap::new(4);
    for i in 0..4u32 {
        if i != swapped.signers.signers().next().expect("a signer").0 {
            bitmap.set(NodeIndex(i));
        }
    }
    swapped.signers = bitmap;
    let err = revert_of(
        post(vec![(l6.clone(), swapped)])
            .await
            .expect_err("reverts"),
    );
    assert!(
        matches!(err, HotShotCommitmentsErrors::BadSignature(_)),
        "{err:?}"
    );
    let mut wrong_parent = l6.clone();
    wrong_parent.header.parent = sq_types::Commitment([9; 32]);
    assert!(matches!(
        revert_of(
            post(vec![(wrong_parent, qc6.clone())])
                .await
                .expect_err("reverts")
        ),
        HotShotCommitmentsErrors::WrongParent(_)
    ));
    assert!(matches!(
        revert_of(post(vec![decided[6].clone()]).await.expect_err("reverts")),
        HotShotCommitmentsErrors::HeightGap(_)
    ));
    assert!(matches!(
        revert_of(post(vec![decided[4].clone()]).await.expect_err("reverts")),
        HotShotCommitmentsErrors::AlreadyCertified(_)
    ));

    // The follower posts the rest from its source; a restarted task posts nothing twice.
    let fresh = CommitmentTask::new(deployer.clone(), address, cfg.clone())
        .await
        .expect("task");
    assert_eq!(
        fresh.on_chain_height(),
        5,
        "resumes from the contract's height"
    );
    let (progress_tx, mut progress_rx) = tokio::sync::mpsc::unbounded_channel();
    let follower = tokio::spawn(follow(
        deployer.clone(),
        address,
        cfg.clone(),
        Decided(decided.clone()),
        Duration::from_millis(50),
        move |p: Progress| {
            progress_tx.send(p).ok();
        },
    ));
    let target = decided.len() as u64;
    tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(p) = progress_rx.recv().await {
            if p.on_chain >= target {
                break;
            }
        }
    })
    .await
    .expect("the follower certifies every decided block");
    follower.abort();
    let height = contract.latestHeight().call().await.expect("height");
    assert_eq!(height, decided.len() as u64);
    for (leaf, _) in &decided {
        let on_chain = contract
            .commitmentAt(leaf.header.height.0)
            .call()
            .await
            .expect("commitment");
        assert_eq!(on_chain, FixedBytes(leaf.commit().0));
    }
    let mut again = CommitmentTask::new(deployer.clone(), address, cfg)
        .await
        .expect("task");
    for (leaf, qc) in &decided {
        again.push(leaf.clone(), qc.clone());
    }
    assert_eq!(again.pending(), 0, "everything is already on L1");
    assert_eq!(again.post_next().await.expect("post"), 0);
}

/// The fixtures the forge tests use (produced by `just fixtures`) must also hold against the
/// deployed contract from Rust: the contract's own header commitment and quorum digest equal the
/// Rust ones, and the fixture blocks are accepted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forge_fixtures_hold_against_the_deployed_contract() {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../contracts/test/fixtures/qc_n10.json");
    let fx: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("fixture")).expect("json");
    let hex_bytes = |v: &serde_json::Value| {
        alloy::primitives::Bytes::from(
            hex::decode(v.as_str().expect("hex").trim_start_matches("0x")).expect("hex"),
        )
    };
    let b32 = |v: &serde_json::Value| FixedBytes::<32>::from_slice(&hex_bytes(v));
    let (_anvil, url) = start_anvil().await;
    let provider = ProviderBuilder::new()
        .wallet(wallet(0))
        .connect_http(url.parse().expect("url"));

    let keys = fx["keys"].as_array().expect("keys");
    let pks: Vec<_> = keys.iter().map(|k| hex_bytes(&k["pk"])).collect();
    let stakes: Vec<u64> = keys
        .iter()
        .map(|k| k["stake"].as_u64().expect("stake"))
        .collect();
    let table = sq_l1::convert::stake_table_from_abi(&pks, &stakes).expect("valid keys");
    assert_eq!(
        FixedBytes(table.commit().0),
        b32(&fx["stakeTableCommitment"])
    );
    assert_eq!(FixedBytes(Leaf::genesis().commit().0), b32(&fx["genesis"]));
    let contract = HotShotCommitments::deploy(provider.clone(), pks, stakes, b32(&fx["genesis"]))
        .await
        .expect("deploy");
    assert_eq!(
        contract.stakeTableCommitment().call().await.expect("call"),
        b32(&fx["stakeTableCommitment"])
    );
    let mut headers = Vec::new();
    let mut qcs = Vec::new();
    for b in fx["blocks"].as_array().expect("blocks") {
        let header = HotShotCommitments::Header {
            height: b["height"].as_u64().expect("height"),
            viewNumber: b["view"].as_u64().expect("view"),
            parent: b32(&b["parent"]),
            payloadCommitment: b32(&b["payloadCommitment"]),
            timestampMs: b["timestampMs"].as_u64().expect("ts"),
            l1Head: b["l1Head"].as_u64().expect("l1"),
            nsTable: hex_bytes(&b["nsTable"]),
        };
        let commitment = contract
            .headerCommitment(header.clone())
            .call()
            .await
            .expect("call");
        assert_eq!(commitment, b32(&b["commitment"]));
        let digest = contract
            .quorumDigest(header.viewNumber, header.height, commitment)
            .call()
            .await
            .expect("call");
        assert_eq!(digest, b32(&b["qc"]["digest"]));
        let rust_digest = sq_types::certificate::quorum_digest(
            sq_types::View(header.viewNumber),
            sq_types::Height(header.height),
            &sq_types::Commitment(commitment.0),
        );
        assert_eq!(digest, FixedBytes(rust_digest.0));
        headers.push(header);
        qcs.push(HotShotCommitments::QC {
            signers: hex_bytes(&b["qc"]["signers"]),
            signature: hex_bytes(&b["qc"]["signature"]),
        });
    }
    let receipt = contract
        .newBlocks(headers.clone(), qcs)
        .send()
        .await
        .expect("send")
        .get_receipt()
        .await
        .expect("receipt");
    assert!(receipt.status());
    assert_eq!(
        contract.latestHeight().call().await.expect("call"),
        headers.len() as u64
    );
}

/// The simulator's decided chain as the follower's source (heights 1..=len, in order).
struct Decided(Vec<(Leaf, sq_types::QuorumCertificate)>);

impl DecidedSource for Decided {
    type Error = std::convert::Infallible;

    async fn decided_from(
        &self,
        from: u64,
        max: usize,
    ) -> Result<Vec<(Leaf, sq_types::QuorumCertificate)>, Self::Error> {
        Ok(self
            .0
            .iter()
            .filter(|(l, _)| l.header.height.0 >= from)
            .take(max)
            .cloned()
            .collect())
    }
}
