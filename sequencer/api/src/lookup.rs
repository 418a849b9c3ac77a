//! Storage lookups shared by the availability handlers, with the rule that tells `pruned` from
//! `not_found`.

use sq_storage::Storage;
use sq_types::{Height, Leaf, QuorumCertificate};

use crate::error::{ApiError, ErrorCode};

/// The leaf at `height` and its QC, or 404 `not_found`.
pub(crate) async fn leaf_at(
    storage: &Storage,
    height: u64,
) -> Result<(Leaf, QuorumCertificate), ApiError> {
    storage
        .leaf(Height(height))
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no leaf at height {height}")))
}

/// The error for `what` missing at `height` when the leaf there is stored: 404 `pruned` if the
/// height was pruned, 404 `not_found` otherwise (this node never had it).
pub(crate) async fn missing(storage: &Storage, height: u64, what: &str) -> ApiError {
    match storage.pruned_through().await {
        Ok(Some(p)) if p.0 >= height => ApiError::new(
            ErrorCode::Pruned,
            format!("{what} at height {height} was pruned (pruned through {p})"),
        ),
        Ok(_) => ApiError::not_found(format!("no {what} stored at height {height}")),
        Err(e) => e.into(),
    }
}

/// The payload at `height` (whose leaf is stored), or [`missing`].
pub(crate) async fn payload_at(storage: &Storage, height: u64) -> Result<Vec<u8>, ApiError> {
    match storage.payload(Height(height)).await? {
        Some(p) => Ok(p),
        None => Err(missing(storage, height, "payload").await),
    }
}

/// Runs CPU-heavy work (hashing a whole payload) off the async workers.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::internal(format!("worker failed: {e}")))?
}
