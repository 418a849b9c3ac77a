//! The proof-data-handler API's bodies (server: `sq-rollup`'s `pdh` module; client: the
//! prover gateway, tests and the demo), and with feature `client` its typed client
//! [`client::PdhClient`]. One definition, so the two sides cannot drift.
//!
//! | route | request | answer |
//! |-------|---------|--------|
//! | `POST /proof_generation_data` | optional [`DataRequest`] | [`DataResponse`] |
//! | `POST /submit_proof/{batch}` | `BatchProof::to_bytes()` (`application/octet-stream`) | [`SubmitProofResponse`]; 400, 404, 409 with [`PdhErrorBody`] |
//! | `GET /batches/{n}` | | [`BatchBody`]; 404 [`PdhErrorBody`] |
//! | `GET /batches` | | [`BatchesBody`] |
//!
//! Digests are the `0x`-hex of [`Digest::to_bytes`]; heights, batch numbers and times are
//! JSON numbers (times in Unix milliseconds).

use serde::{Deserialize, Serialize};

use crate::hash::Digest;
use crate::witness::BatchWitness;

#[cfg(feature = "client")]
pub mod client;

/// The optional body of `POST /proof_generation_data`: `{"after": N}`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataRequest {
    /// Only batches above this number (a gateway passes the highest it already holds); 0 by
    /// default.
    #[serde(default)]
    pub after: u64,
}

/// The answer to `POST /proof_generation_data`: `{"data": null}` when every sealed batch
/// (above `after`) is proven, else the lowest unproven one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataResponse {
    /// The batch to prove, `None` when there is none.
    pub data: Option<BatchData>,
}

/// One batch's witness inputs, as served to a prover.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchData {
    /// The batch number (= `witness.batch`).
    pub batch: u64,
    /// The protocol version its proof must be made for, e.g. `"0.1.0"`.
    pub protocol_version: String,
    /// The witness inputs.
    pub witness: BatchWitness,
}

/// The answer to an accepted `POST /submit_proof/{batch}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmitProofResponse {
    /// Always `"accepted"`.
    pub status: String,
    /// The batch now proven.
    pub batch: u64,
    /// The verifier's caveats (`sq_prover_verifier::NOTE`).
    pub note: String,
}

/// The body of every refused proof-data-handler request: `{"error": "…"}`, for humans.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PdhErrorBody {
    /// What went wrong (e.g. "the proof does not decode: …", "batch 3 is already proven").
    pub error: String,
}

/// The status of a sealed batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BatchStatus {
    /// Sealed, witness served, no verified proof yet.
    Sealed,
    /// A proof was submitted and verified.
    Proven,
}

/// A sealed batch: `(number, first/last height, roots, transfer commitment)`. Also the record
/// the rollup stores per batch (JSON).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchRecord {
    /// Batch number, from 1.
    pub number: u64,
    /// First sequencer height.
    pub first_height: u64,
    /// Last sequencer height (inclusive).
    pub last_height: u64,
    /// State root before the first block.
    pub root_before: Digest,
    /// State root after the last block.
    pub root_after: Digest,
    /// Poseidon2 commitment to the ordered transfers (`crate::transfer::commit`).
    pub commitment: Digest,
    /// Successful transfers in the batch.
    pub transfers: u64,
    /// Header time of the sealing block, Unix milliseconds.
    pub sealed_at_ms: u64,
}

/// The answer to `GET /batches/{n}`: the record's fields, then `status` and `proof_bytes`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchBody {
    /// The batch record.
    #[serde(flatten)]
    pub record: BatchRecord,
    /// Sealed or proven.
    pub status: BatchStatus,
    /// Size of the accepted proof, bytes; `None` while unproven.
    pub proof_bytes: Option<u64>,
}

/// The answer to `GET /batches`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchesBody {
    /// Batches sealed so far.
    pub sealed: u64,
    /// Of those, batches with an accepted proof.
    pub proven: u64,
    /// The lowest batch without a proof, `None` when every batch is proven.
    pub lowest_unproven: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_body_is_the_record_flattened_with_status_and_size() {
        let record = BatchRecord {
            number: 3,
            first_height: 10,
            last_height: 12,
            root_before: Digest::ZERO,
            root_after: Digest::ZERO,
            commitment: Digest::ZERO,
            transfers: 4,
            sealed_at_ms: 1_700_000_000_000,
        };
        let body = BatchBody {
            record: record.clone(),
            status: BatchStatus::Proven,
            proof_bytes: Some(1234),
        };
        let json = serde_json::to_value(&body).expect("serializes");
        let mut expected = serde_json::to_value(&record).expect("serializes");
        let obj = expected.as_object_mut().expect("an object");
        obj.insert("status".into(), "proven".into());
        obj.insert("proof_bytes".into(), 1234.into());
        assert_eq!(json, expected);
        assert_eq!(
            serde_json::from_value::<BatchBody>(json).expect("reads back"),
            body
        );
    }

    #[test]
    fn an_empty_data_request_means_from_the_start() {
        let req: DataRequest = serde_json::from_str("{}").expect("parses");
        assert_eq!(req.after, 0);
        let none: DataResponse = serde_json::from_str(r#"{"data": null}"#).expect("parses");
        assert_eq!(none.data, None);
    }
}
