//! Prints differential-test fixtures for the L1 contracts as JSON: `n` deterministic BLS keys
//! with proofs of possession (EIP-2537 encodings), and a chain of `blocks` headers, each with a
//! quorum certificate signed by the first ⌊2n/3⌋+1 keys.
//!
//! Usage: `cargo run -p sq-types --example l1_fixtures -- [n] [blocks] > fixtures.json`

use sq_types::certificate::quorum_digest;
use sq_types::codec::Encode;
use sq_types::{
    BlsKeyPair, BlsSignature, Commitment, Header, Height, Leaf, NamespaceId, NodeIndex, NsTable,
    NsTableEntry, SignerBitmap, StakeEntry, StakeTable, View,
};

fn hex0x(bytes: &[u8]) -> String {
    format!("\"0x{}\"", hex::encode(bytes))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse())
        .collect::<Result<_, _>>()?;
    let n = args.first().copied().unwrap_or(4);
    let blocks = args.get(1).copied().unwrap_or(3);
    let keys: Vec<BlsKeyPair> = (0..n)
        .map(|i| BlsKeyPair::from_ikm(&[(i % 251) as u8 + 1; 32].map(|b| b ^ (i / 251) as u8)))
        .collect::<Result<_, _>>()?;
    let table = StakeTable::new(
        keys.iter()
            .map(|k| StakeEntry {
                key: k.public.clone(),
                stake: 1,
            })
            .collect(),
    )?;
    let quorum = 2 * n / 3 + 1;

    let mut out = String::from("{\n  \"keys\": [\n");
    for (i, k) in keys.iter().enumerate() {
        let pop = k.proof_of_possession();
        out += &format!(
            "    {{\"pk\": {}, \"pop\": {}, \"popMessage\": {}, \"stake\": 1}}{}\n",
            hex0x(&k.public.to_eip2537()),
            hex0x(&pop.0.to_eip2537()),
            hex0x(&k.public.pop_message().0),
            if i + 1 < n { "," } else { "" }
        );
    }
    let genesis = Leaf::genesis();
    out += &format!(
        "  ],\n  \"stakeTableCommitment\": {},\n",
        hex0x(&table.commit().0)
    );
    out += &format!(
        "  \"quorum\": {quorum},\n  \"genesis\": {},\n  \"blocks\": [\n",
        hex0x(&genesis.commit().0)
    );

    let mut parent = genesis.header.clone();
    for b in 0..blocks {
        let header = Header {
            height: Height(parent.height.0 + 1),
            view: View(parent.view.0 + 1 + (b as u64 % 2)),
            parent: parent.commit(),
            payload_commitment: Commitment::keccak(&[format!("payload {b}").as_bytes()]),
            timestamp_ms: 1_700_000_000_000 + b as u64,
            l1_head: 10 + b as u64,
            ns_table: NsTable(vec![NsTableEntry {
                namespace: NamespaceId(1),
                end: 0,
            }]),
        };
        let leaf = header.commit();
        let digest = quorum_digest(header.view, header.height, &leaf);
        let mut signers = SignerBitmap::new(n);
        let sigs: Vec<BlsSignature> = (0..quorum)
            .map(|i| {
                signers.set(NodeIndex(i as u32));
                keys[i].sign(&digest)
            })
            .collect();
        let agg = BlsSignature::aggregate(&sigs.iter().collect::<Vec<_>>())?;
        out += &format!(
            "    {{\"height\": {}, \"view\": {}, \"parent\": {}, \"payloadCommitment\": {}, \"timestampMs\": {}, \"l1Head\": {}, \"nsTable\": {}, \"commitment\": {}, \"qc\": {{\"digest\": {}, \"signers\": {}, \"signature\": {}}}}}{}\n",
            header.height.0,
            header.view.0,
            hex0x(&header.parent.0),
            hex0x(&header.payload_commitment.0),
            header.timestamp_ms,
            header.l1_head,
            hex0x(&header.ns_table.encode()),
            hex0x(&leaf.0),
            hex0x(&digest.0),
            hex0x(signers.as_bytes()),
            hex0x(&agg.to_eip2537()),
            if b + 1 < blocks { "," } else { "" }
        );
        parent = header;
    }
    out += "  ]\n}\n";
    print!("{out}");
    Ok(())
}
