//! Decided blocks for tests that need a stored chain without running consensus: real
//! payloads (`sq_types::payload::build`) and real dispersals (`sq_da::disperse`), so that the
//! API's namespace proofs and VID data verify, under QCs whose signatures are filler (storage
//! and the API do not check them).

use sq_da::{disperse, VidParams};
use sq_storage::DecidedBlock;
use sq_types::certificate::SignatureBytes;
use sq_types::codec::Encode;
use sq_types::{
    payload, Commitment, Header, Height, Leaf, NodeIndex, QuorumCertificate, SignerBitmap,
    Transaction, View,
};

/// Signers 0..3 of a stake table of `nodes`.
fn signers(nodes: u32) -> SignerBitmap {
    let mut b = SignerBitmap::new(nodes as usize);
    for i in 0..3.min(nodes) {
        b.set(NodeIndex(i));
    }
    b
}

/// A decided block at `height` on top of `parent` (`None` for height 0) holding `txs`,
/// dispersed to `nodes` shares (share 0 kept). View `2·height + 1`, header time
/// `1_700_000_000_000 + height` ms, L1 head `100 + height`.
///
/// # Panics
/// If `txs` do not fit one payload or `nodes` is not a valid share count.
#[must_use]
pub fn decided_block(
    height: u64,
    parent: Option<&Leaf>,
    txs: &[Transaction],
    nodes: u32,
) -> DecidedBlock {
    let (payload, ns_table) = payload::build(txs).expect("payload fits");
    let params = VidParams::new(nodes).expect("valid n");
    let d = disperse(params, &payload, &ns_table).expect("disperses");
    let justify_qc = match parent {
        None => QuorumCertificate::genesis(Commitment::ZERO),
        Some(p) => QuorumCertificate {
            view: p.header.view,
            height: p.header.height,
            leaf: p.commit(),
            signers: signers(nodes),
            signature: SignatureBytes([1; 96]),
        },
    };
    let header = Header {
        height: Height(height),
        view: View(2 * height + 1),
        parent: justify_qc.leaf,
        payload_commitment: d.commitment,
        timestamp_ms: 1_700_000_000_000 + height,
        l1_head: 100 + height,
        ns_table: ns_table.clone(),
    };
    let leaf = Leaf { header, justify_qc };
    let qc = QuorumCertificate {
        view: leaf.header.view,
        height: leaf.header.height,
        leaf: leaf.commit(),
        signers: signers(nodes),
        signature: SignatureBytes([7; 96]),
    };
    let transactions = payload::all_transactions(&payload, &ns_table).expect("decodes");
    DecidedBlock {
        leaf,
        qc,
        payload: Some(payload),
        vid_common: Some(d.common.encode()),
        vid_share: d.shares.first().map(Encode::encode),
        transactions,
    }
}

/// Blocks `0..count` chained on each other, block `h` holding `txs(h)`.
#[must_use]
pub fn decided_chain(
    count: u64,
    nodes: u32,
    mut txs: impl FnMut(u64) -> Vec<Transaction>,
) -> Vec<DecidedBlock> {
    let mut out: Vec<DecidedBlock> = Vec::new();
    for h in 0..count {
        let b = decided_block(h, out.last().map(|b| &b.leaf), &txs(h), nodes);
        out.push(b);
    }
    out
}
