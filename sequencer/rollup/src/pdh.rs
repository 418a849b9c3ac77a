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
//!   decode, is not the compressed (round 4) proof, or does not verify (with the reason);
//!   404 for an unknown batch; 409 when already proven.
//! - `GET /batches/{n}` → the batch record and `"status": "sealed" | "proven"`.
//! - `GET /batches` → counts and the lowest unproven batch number.
//!
//! The bodies are [`sq_prover_circuits::pdh`]'s, which the prover gateway's client reads.

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use sq_prover_circuits::account::Address as RawAddress;
use sq_prover_circuits::pdh::{
    BatchBody, BatchData, BatchStatus, BatchesBody, DataRequest, DataResponse, PdhErrorBody,
    SubmitProofResponse,
};
use sq_prover_verifier::{verify_batch, BatchClaim, BatchProof, COMPRESSED_ROUND};
use tracing::{info, warn};

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

/// A refusal: the status and `{"error": …}`.
type Refusal = (StatusCode, Json<PdhErrorBody>);

type Reply<T> = Result<Json<T>, Refusal>;

fn refusal(status: StatusCode, error: impl std::fmt::Display) -> Refusal {
    (
        status,
        Json(PdhErrorBody {
            error: error.to_string(),
        }),
    )
}

fn internal(e: impl std::fmt::Display) -> Refusal {
    refusal(StatusCode::INTERNAL_SERVER_ERROR, e)
}

fn fee_recipient(rollup: &Rollup) -> RawAddress {
    rollup.config().genesis.fee_recipient.0 .0
}

async fn proof_generation_data(State(rollup): State<Rollup>, body: Bytes) -> Reply<DataResponse> {
    let req: DataRequest = if body.is_empty() {
        DataRequest::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            refusal(
                StatusCode::BAD_REQUEST,
                format!("invalid request body: {e}"),
            )
        })?
    };
    let Some(row) = rollup
        .db()
        .lowest_unproven_batch(req.after)
        .await
        .map_err(internal)?
    else {
        return Ok(Json(DataResponse { data: None }));
    };
    let record = store::batch_record(&row).map_err(internal)?;
    let witness = store::batch_witness(rollup.db(), &record, rollup.config().genesis.fee_recipient)
        .await
        .map_err(internal)?;
    Ok(Json(DataResponse {
        data: Some(BatchData {
            batch: row.number,
            protocol_version: rollup.config().protocol_version.clone(),
            witness,
        }),
    }))
}

async fn submit_proof(
    State(rollup): State<Rollup>,
    Path(batch): Path<u64>,
    body: Bytes,
) -> Reply<SubmitProofResponse> {
    let already_proven = || {
        refusal(
            StatusCode::CONFLICT,
            format!("batch {batch} is already proven"),
        )
    };
    let row = rollup
        .db()
        .batch(batch)
        .await
        .map_err(internal)?
        .ok_or_else(|| {
            refusal(
                StatusCode::NOT_FOUND,
                format!("batch {batch} is not sealed"),
            )
        })?;
    if row.proof.is_some() {
        return Err(already_proven());
    }
    let record = store::batch_record(&row).map_err(internal)?;
    let refuse = |reason: String| {
        rollup.metrics().proofs_rejected.inc();
        warn!(target: "rollup", batch, %reason, "proof refused");
        refusal(StatusCode::BAD_REQUEST, reason)
    };
    let proof = BatchProof::from_bytes(&body)
        .map_err(|e| refuse(format!("the proof does not decode: {e}")))?;
    // Only the compressed proof is one an L1 contract can check: a scheduler proof states
    // the same, but in the chunk configuration, and would leave the batch unsettleable.
    let round = proof.proof.round();
    if round != COMPRESSED_ROUND {
        return Err(refuse(format!(
            "the rollup accepts the compressed proof (round {COMPRESSED_ROUND}) only, \
             this is a round-{round} proof"
        )));
    }
    let claim = BatchClaim {
        batch: record.number,
        root_before: record.root_before,
        root_after: record.root_after,
        commitment: record.commitment,
        fee_recipient: fee_recipient(&rollup),
    };
    let version = rollup.config().protocol_version.clone();
    // Verification is CPU work: keep it off the async workers.
    let v = tokio::task::spawn_blocking(move || verify_batch(&proof, &claim, &version))
        .await
        .map_err(internal)?
        .map_err(|e| refuse(format!("the proof does not verify: {e}")))?;
    if !rollup
        .db()
        .mark_proven(batch, &body)
        .await
        .map_err(internal)?
    {
        return Err(already_proven());
    }
    rollup.metrics().batches_proven.inc();
    info!(target: "rollup", batch, chunks = v.chunks, round = v.round, "proof verified; batch proven");
    Ok(Json(SubmitProofResponse {
        status: "accepted".into(),
        batch,
        note: v.note,
    }))
}

async fn batch(State(rollup): State<Rollup>, Path(n): Path<u64>) -> Reply<BatchBody> {
    let row = rollup
        .db()
        .batch(n)
        .await
        .map_err(internal)?
        .ok_or_else(|| refusal(StatusCode::NOT_FOUND, format!("batch {n} is not sealed")))?;
    let record = store::batch_record(&row).map_err(internal)?;
    let status = if row.proof.is_some() {
        BatchStatus::Proven
    } else {
        BatchStatus::Sealed
    };
    Ok(Json(BatchBody {
        record,
        status,
        proof_bytes: row.proof.as_ref().map(|p| p.len() as u64),
    }))
}

async fn batches(State(rollup): State<Rollup>) -> Reply<BatchesBody> {
    let (sealed, proven) = rollup.db().batch_counts().await.map_err(internal)?;
    let lowest = rollup
        .db()
        .lowest_unproven_batch(0)
        .await
        .map_err(internal)?;
    Ok(Json(BatchesBody {
        sealed,
        proven,
        lowest_unproven: lowest.map(|r| r.number),
    }))
}
