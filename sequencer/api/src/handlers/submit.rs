//! `POST /v0/submit`: a transaction into the mempool.

use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use sq_types::{Commitment, NamespaceId, Transaction};
use utoipa::ToSchema;

use crate::error::{ApiError, ErrorCode};
use crate::ApiState;

/// The body of `POST /v0/submit`: `{"namespace": u64, "payload": "0x…"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SubmitRequest {
    /// The rollup namespace.
    pub namespace: u64,
    /// The transaction payload, hex (the `0x` is optional).
    #[serde(with = "crate::hexstr::bytes")]
    #[schema(value_type = String, pattern = "^(0x)?[0-9a-fA-F]*$")]
    pub payload: Vec<u8>,
}

/// The answer to an accepted submission: `{"commitment": "0x…"}`, the transaction's hash
/// ([`Transaction::commit`]) under which `GET /v0/availability/transaction/hash/{hash}` finds
/// it once decided.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SubmitResponse {
    /// [`Transaction::commit`].
    #[serde(with = "crate::hexstr::commitment")]
    #[schema(value_type = String, pattern = "^0x[0-9a-f]*$")]
    pub commitment: Commitment,
}

/// Submit a transaction to the mempool.
#[utoipa::path(
    post,
    path = "/v0/submit",
    request_body = SubmitRequest,
    responses((status = 200, description = "Queued", body = SubmitResponse), crate::openapi::SubmitErrors),
)]
pub(crate) async fn submit(
    State(state): State<ApiState>,
    body: Result<Json<SubmitRequest>, JsonRejection>,
) -> Result<Json<SubmitResponse>, ApiError> {
    let Json(req) = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                ErrorCode::TransactionTooLarge,
                format!(
                    "request body exceeds the limit of {} bytes (2 × the {}-byte transaction limit + 4096)",
                    state.body_limit(),
                    state.max_transaction_bytes
                ),
            )
        } else {
            ApiError::bad_request(e.body_text())
        }
    })?;
    let tx = Transaction {
        namespace: NamespaceId(req.namespace),
        payload: req.payload,
    };
    let commitment = state
        .mempool
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .submit(tx)?;
    Ok(Json(SubmitResponse { commitment }))
}
