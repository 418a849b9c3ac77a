//! The proof-data-handler API (HTTP, shaped after zkSync's): provers pull witness inputs and
//! push proofs.
//!
//! - `POST /proof_generation_data` (optional body `{"after": N}`) → `{"data": null}` when
//!   every sealed batch (above N) is proven, else `{"data": {"batch": N, "protocol_version":
//!   "0.1.0", "witness": BatchWitness}}` for the lowest unproven batch (above N).
//! - `POST /submit_proof/{batch}` with body = `sq_prover_verifier::BatchProof::to_bytes()`
//!   (`application/octet-stream`). The proof is verified with `sq-prover-verifier` against the
//!   batch's record (roots, transfer commitment, fee recipient, protocol version) before the
//!   batch is marked proven. 200 `{"status":"accepted"}`; 400 for a proof that does not
//!   decode or verify (with the reason); 404 for an unknown batch; 409 when already proven.
//! - `GET /batches/{n}` → the batch record and `"status": "sealed" | "proven"`.
//! - `GET /batches` → counts and the lowest unproven batch number.

use std::sync::atomic::Ordering;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use sq_prover_circuits::account::Address as RawAddress;
use sq_prover_verifier::{verify_batch, BatchClaim, BatchProof};
use tracing::{info, warn};

use crate::records::BatchStatus;
use crate::service::Rollup;
use crate::store;

/// Largest proof body accepted, bytes.
pub const MAX_PROOF_BODY_BYTES: usize = 64 << 20;

/// The router.
pub fn router(rollup: Rollup) -> Router {
    Router::new()
        .route("/proof_generation_data", post(proof_generation_data))
        .route("/submit_proof/{batch}", post(submit_proof))
        .route("/batches", get(batches))
        .route("/batches/{n}", get(batch))
        .layer(DefaultBodyLimit::max(MAX_PROOF_BODY_BYTES))
        .with_state(rollup)
}

type Reply = (StatusCode, Json<Value>);

fn reply(status: StatusCode, v: Value) -> Reply {
    (status, Json(v))
}

fn internal(e: impl std::fmt::Display) -> Reply {
    reply(
        StatusCode::INTERNAL_SERVER_ERROR,
        json!({ "error": e.to_string() }),
    )
}

fn fee_recipient(rollup: &Rollup) -> RawAddress {
    rollup.config().genesis.fee_recipient.0 .0
}

/// Optional body of `POST /proof_generation_data`.
#[derive(Debug, Default, serde::Deserialize)]
struct DataRequest {
    /// Only batches above this number (a gateway passes the highest it already holds).
    #[serde(default)]
    after: u64,
}

async fn proof_generation_data(State(rollup): State<Rollup>, body: Bytes) -> Reply {
    let req: DataRequest = if body.is_empty() {
        DataRequest::default()
    } else {
        match serde_json::from_slice(&body) {
            Ok(r) => r,
            Err(e) => {
                return reply(
                    StatusCode::BAD_REQUEST,
                    json!({ "error": format!("invalid request body: {e}") }),
                )
            }
        }
    };
    let row = match rollup.db().lowest_unproven_batch(req.after).await {
        Ok(Some(row)) => row,
        Ok(None) => return reply(StatusCode::OK, json!({ "data": null })),
        Err(e) => return internal(e),
    };
    let result = async {
        let record = store::batch_record(&row)?;
        store::batch_witness(rollup.db(), &record, rollup.config().genesis.fee_recipient).await
    }
    .await;
    match result {
        Ok(witness) => reply(
            StatusCode::OK,
            json!({ "data": {
                "batch": row.number,
                "protocol_version": rollup.config().protocol_version,
                "witness": witness,
            }}),
        ),
        Err(e) => internal(e),
    }
}

async fn submit_proof(State(rollup): State<Rollup>, Path(batch): Path<u64>, body: Bytes) -> Reply {
    let row = match rollup.db().batch(batch).await {
        Ok(Some(row)) => row,
        Ok(None) => {
            return reply(
                StatusCode::NOT_FOUND,
                json!({ "error": format!("batch {batch} is not sealed") }),
            )
        }
        Err(e) => return internal(e),
    };
    if row.proof.is_some() {
        return reply(
            StatusCode::CONFLICT,
            json!({ "error": format!("batch {batch} is already proven") }),
        );
    }
    let record = match store::batch_record(&row) {
        Ok(r) => r,
        Err(e) => return internal(e),
    };
    let refuse = |reason: String| {
        rollup
            .metrics()
            .proofs_rejected
            .fetch_add(1, Ordering::Relaxed);
        warn!(target: "rollup", batch, %reason, "proof refused");
        reply(StatusCode::BAD_REQUEST, json!({ "error": reason }))
    };
    let proof = match BatchProof::from_bytes(&body) {
        Ok(p) => p,
        Err(e) => return refuse(format!("the proof does not decode: {e}")),
    };
    let claim = BatchClaim {
        batch: record.number,
        root_before: record.root_before,
        root_after: record.root_after,
        commitment: record.commitment,
        fee_recipient: fee_recipient(&rollup),
    };
    let version = rollup.config().protocol_version.clone();
    // Verification is CPU work: keep it off the async workers.
    let verified =
        tokio::task::spawn_blocking(move || verify_batch(&proof, &claim, &version)).await;
    match verified {
        Ok(Ok(v)) => match rollup.db().mark_proven(batch, &body).await {
            Ok(true) => {
                rollup
                    .metrics()
                    .batches_proven
                    .fetch_add(1, Ordering::Relaxed);
                info!(target: "rollup", batch, chunks = v.chunks, "proof verified; batch proven");
                reply(
                    StatusCode::OK,
                    json!({ "status": "accepted", "batch": batch, "note": v.note }),
                )
            }
            Ok(false) => reply(
                StatusCode::CONFLICT,
                json!({ "error": format!("batch {batch} is already proven") }),
            ),
            Err(e) => internal(e),
        },
        Ok(Err(e)) => refuse(format!("the proof does not verify: {e}")),
        Err(e) => internal(e),
    }
}

async fn batch(State(rollup): State<Rollup>, Path(n): Path<u64>) -> Reply {
    match rollup.db().batch(n).await {
        Ok(Some(row)) => match store::batch_record(&row) {
            Ok(record) => {
                let status = if row.proof.is_some() {
                    BatchStatus::Proven
                } else {
                    BatchStatus::Sealed
                };
                let mut v = serde_json::to_value(&record).unwrap_or(Value::Null);
                if let Some(obj) = v.as_object_mut() {
                    obj.insert(
                        "status".into(),
                        serde_json::to_value(status).unwrap_or(Value::Null),
                    );
                    obj.insert(
                        "proof_bytes".into(),
                        json!(row.proof.as_ref().map(Vec::len)),
                    );
                }
                reply(StatusCode::OK, v)
            }
            Err(e) => internal(e),
        },
        Ok(None) => reply(
            StatusCode::NOT_FOUND,
            json!({ "error": format!("batch {n} is not sealed") }),
        ),
        Err(e) => internal(e),
    }
}

async fn batches(State(rollup): State<Rollup>) -> Reply {
    let counts = rollup.db().batch_counts().await;
    let lowest = rollup.db().lowest_unproven_batch(0).await;
    match (counts, lowest) {
        (Ok((sealed, proven)), Ok(lowest)) => reply(
            StatusCode::OK,
            json!({ "sealed": sealed, "proven": proven, "lowest_unproven": lowest.map(|r| r.number) }),
        ),
        (Err(e), _) | (_, Err(e)) => internal(e),
    }
}
