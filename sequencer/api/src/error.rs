//! Error responses: the stable [`ErrorCode`]s, their HTTP statuses, and the JSON body
//! `{"code", "message"}` ([`ErrorBody`]) every failed request gets.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use sq_storage::StorageError;

use crate::mempool::SubmitError;

/// A stable, machine-readable error code. Clients match on [`ErrorCode::as_str`]; the message
/// next to it is for humans and may change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// 400: malformed hex, JSON, path or query parameter, or `limit` above 100.
    BadRequest,
    /// 404: no leaf, payload, transaction or VID share at that height, hash or index (or no
    /// such route).
    NotFound,
    /// 404: the data existed but was pruned (height at or below `Storage::pruned_through`).
    Pruned,
    /// 413: the transaction payload, or the whole request body, is over its limit.
    TransactionTooLarge,
    /// 409: the same transaction (same commitment) is waiting or was recently decided.
    DuplicateTransaction,
    /// 400: this sequencer does not accept the transaction's namespace.
    UnknownNamespace,
    /// 429: the mempool is at its transaction or byte limit.
    MempoolFull,
    /// 429: too many submissions in flight on this node; retry later.
    RateLimited,
    /// 503: the database is unreachable, busy or shut down; retry later or elsewhere.
    StorageUnavailable,
    /// 500: anything else (a corrupt row, stored data inconsistent with its header).
    Internal,
}

impl ErrorCode {
    /// Every code, in the order of the crate's error table.
    pub const ALL: [ErrorCode; 10] = [
        ErrorCode::BadRequest,
        ErrorCode::NotFound,
        ErrorCode::Pruned,
        ErrorCode::TransactionTooLarge,
        ErrorCode::DuplicateTransaction,
        ErrorCode::UnknownNamespace,
        ErrorCode::MempoolFull,
        ErrorCode::RateLimited,
        ErrorCode::StorageUnavailable,
        ErrorCode::Internal,
    ];

    /// The code as it appears in the `code` field.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::NotFound => "not_found",
            ErrorCode::Pruned => "pruned",
            ErrorCode::TransactionTooLarge => "transaction_too_large",
            ErrorCode::DuplicateTransaction => "duplicate_transaction",
            ErrorCode::UnknownNamespace => "unknown_namespace",
            ErrorCode::MempoolFull => "mempool_full",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::StorageUnavailable => "storage_unavailable",
            ErrorCode::Internal => "internal",
        }
    }

    /// The HTTP status it is sent with.
    #[must_use]
    pub fn status(self) -> StatusCode {
        match self {
            ErrorCode::BadRequest | ErrorCode::UnknownNamespace => StatusCode::BAD_REQUEST,
            ErrorCode::NotFound | ErrorCode::Pruned => StatusCode::NOT_FOUND,
            ErrorCode::TransactionTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::DuplicateTransaction => StatusCode::CONFLICT,
            ErrorCode::MempoolFull | ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::StorageUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// The JSON body of every error response: `{"code": "<ErrorCode>", "message": "…"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// [`ErrorCode::as_str`].
    #[schema(value_type = ErrorCode)]
    pub code: String,
    /// What went wrong, for humans.
    pub message: String,
}

/// A failed request: a code and a message, turned into the status and [`ErrorBody`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub(crate) code: ErrorCode,
    pub(crate) message: String,
}

impl ApiError {
    pub(crate) fn new(code: ErrorCode, message: impl Into<String>) -> ApiError {
        ApiError {
            code,
            message: message.into(),
        }
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(ErrorCode::BadRequest, message)
    }

    pub(crate) fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(ErrorCode::NotFound, message)
    }

    /// A 500 for data this node should be able to serve but cannot; logged.
    pub(crate) fn internal(message: impl Into<String>) -> ApiError {
        let message = message.into();
        tracing::error!(target: "api", %message, "internal error");
        ApiError::new(ErrorCode::Internal, message)
    }

    pub(crate) fn body(&self) -> ErrorBody {
        ErrorBody {
            code: self.code.as_str().to_owned(),
            message: self.message.clone(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.code.status(), Json(self.body())).into_response()
    }
}

/// `storage_unavailable` for an error a retry can cure, and for a closed pool (the node is
/// shutting down: `sq-storage` calls that non-retryable, but for a client it means "ask again
/// later or ask another node"); `internal` for everything else, e.g. a corrupt row.
impl From<StorageError> for ApiError {
    fn from(e: StorageError) -> ApiError {
        let closed = matches!(e, StorageError::Database(sqlx::Error::PoolClosed));
        if e.is_retryable() || closed {
            tracing::warn!(target: "api", error = %e, "storage unavailable");
            ApiError::new(ErrorCode::StorageUnavailable, format!("storage: {e}"))
        } else {
            ApiError::internal(format!("storage: {e}"))
        }
    }
}

impl From<SubmitError> for ApiError {
    fn from(e: SubmitError) -> ApiError {
        let code = match e {
            SubmitError::TooLarge { .. } => ErrorCode::TransactionTooLarge,
            SubmitError::Duplicate(_) => ErrorCode::DuplicateTransaction,
            SubmitError::UnknownNamespace(_) => ErrorCode::UnknownNamespace,
            SubmitError::Full => ErrorCode::MempoolFull,
        };
        ApiError::new(code, e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn submit_errors_keep_the_mempool_codes() {
        let cases = [
            SubmitError::TooLarge { len: 2, max: 1 },
            SubmitError::Duplicate(sq_types::Commitment::ZERO),
            SubmitError::UnknownNamespace(sq_types::NamespaceId(9)),
            SubmitError::Full,
        ];
        for e in cases {
            assert_eq!(ApiError::from(e.clone()).code.as_str(), e.code());
        }
    }

    #[test]
    fn codes_are_distinct() {
        let set: std::collections::HashSet<_> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(set.len(), ErrorCode::ALL.len());
    }
}
