//! `GET /v0/availability/…`: leaves, headers, payloads, blocks, transactions and VID shares,
//! read from storage.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use sq_types::{payload, Height};

use crate::body::{
    BlockBody, BlockTransactionBody, HeaderBody, LeafBody, PayloadBody, TransactionBody,
    VidShareBody,
};
use crate::error::ApiError;
use crate::extract::{PathParams, QueryParams};
use crate::lookup::{blocking, leaf_at, missing, payload_at};
use crate::{hexstr, ApiState, MAX_LEAVES_PER_REQUEST};

type Reply<T> = Result<Json<T>, ApiError>;

/// The decided leaf at a height with its certifying QC.
#[utoipa::path(
    get,
    path = "/v0/availability/leaf/{height}",
    params(("height" = u64, Path, description = "Block height")),
    responses((status = 200, description = "OK", body = LeafBody), crate::openapi::LookupErrors),
)]
pub(crate) async fn leaf(
    State(state): State<ApiState>,
    PathParams(height): PathParams<u64>,
) -> Reply<LeafBody> {
    let (leaf, qc) = leaf_at(&state.storage, height).await?;
    Ok(Json(LeafBody::new(&leaf, &qc)))
}

/// `?from=H&limit=L`.
#[derive(Deserialize)]
pub(crate) struct LeavesQuery {
    from: u64,
    limit: Option<usize>,
}

/// Up to `limit` stored leaves with height >= `from`, ascending (heights absent from storage are skipped).
#[utoipa::path(
    get,
    path = "/v0/availability/leaves",
    params(("from" = u64, Query, description = "Lowest height"), ("limit" = Option<u64>, Query, maximum = 100, description = "Most leaves to return, at most 100 (the default); above that: bad_request")),
    responses((status = 200, description = "OK", body = Vec<LeafBody>), crate::openapi::ListErrors),
)]
pub(crate) async fn leaves(
    State(state): State<ApiState>,
    QueryParams(q): QueryParams<LeavesQuery>,
) -> Reply<Vec<LeafBody>> {
    let limit = q.limit.unwrap_or(MAX_LEAVES_PER_REQUEST);
    if limit > MAX_LEAVES_PER_REQUEST {
        return Err(ApiError::bad_request(format!(
            "limit {limit} is above the maximum of {MAX_LEAVES_PER_REQUEST}"
        )));
    }
    let found = state.storage.leaves(Height(q.from), limit).await?;
    Ok(Json(
        found
            .iter()
            .map(|(leaf, qc)| LeafBody::new(leaf, qc))
            .collect(),
    ))
}

/// The header at a height.
#[utoipa::path(
    get,
    path = "/v0/availability/header/{height}",
    params(("height" = u64, Path, description = "Block height")),
    responses((status = 200, description = "OK", body = HeaderBody), crate::openapi::LookupErrors),
)]
pub(crate) async fn header(
    State(state): State<ApiState>,
    PathParams(height): PathParams<u64>,
) -> Reply<HeaderBody> {
    let (leaf, _) = leaf_at(&state.storage, height).await?;
    Ok(Json(HeaderBody::from(&leaf.header)))
}

/// The block payload at a height.
#[utoipa::path(
    get,
    path = "/v0/availability/payload/{height}",
    params(("height" = u64, Path, description = "Block height")),
    responses((status = 200, description = "OK", body = PayloadBody), crate::openapi::DataErrors),
)]
pub(crate) async fn payload(
    State(state): State<ApiState>,
    PathParams(height): PathParams<u64>,
) -> Reply<PayloadBody> {
    let (leaf, _) = leaf_at(&state.storage, height).await?;
    let payload = payload_at(&state.storage, height).await?;
    Ok(Json(PayloadBody {
        height,
        payload,
        payload_commitment: leaf.header.payload_commitment,
    }))
}

/// Header, payload and transactions of a block.
#[utoipa::path(
    get,
    path = "/v0/availability/block/{height}",
    params(("height" = u64, Path, description = "Block height")),
    responses((status = 200, description = "OK", body = BlockBody), crate::openapi::DataErrors),
)]
pub(crate) async fn block(
    State(state): State<ApiState>,
    PathParams(height): PathParams<u64>,
) -> Reply<BlockBody> {
    let (leaf, _) = leaf_at(&state.storage, height).await?;
    let payload = payload_at(&state.storage, height).await?;
    let header = leaf.header;
    blocking(move || {
        let txs = payload::all_transactions(&payload, &header.ns_table).map_err(|e| {
            ApiError::internal(format!(
                "stored payload at height {height} does not fit its header: {e}"
            ))
        })?;
        let transactions = (0u32..)
            .zip(&txs)
            .map(|(i, tx)| BlockTransactionBody::new(i, tx))
            .collect();
        Ok(Json(BlockBody {
            header: HeaderBody::from(&header),
            payload,
            transactions,
        }))
    })
    .await
}

/// A decided transaction by hash (its first occurrence).
#[utoipa::path(
    get,
    path = "/v0/availability/transaction/hash/{hash}",
    params(("hash" = String, Path, description = "Transaction commitment, 32 bytes hex")),
    responses((status = 200, description = "OK", body = TransactionBody), crate::openapi::LookupErrors),
)]
pub(crate) async fn transaction_by_hash(
    State(state): State<ApiState>,
    PathParams(hash): PathParams<String>,
) -> Reply<TransactionBody> {
    let hash = hexstr::decode_commitment(&hash)
        .map_err(|e| ApiError::bad_request(format!("transaction hash: {e}")))?;
    let (height, index, tx) = state
        .storage
        .transaction_by_hash(&hash)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no transaction with hash {hash}")))?;
    Ok(Json(TransactionBody::new(height.0, index, &tx)))
}

/// The transaction at an index of a block.
#[utoipa::path(
    get,
    path = "/v0/availability/transaction/{height}/{index}",
    params(("height" = u64, Path, description = "Block height"), ("index" = u32, Path, description = "Index in the block (payload order)")),
    responses((status = 200, description = "OK", body = TransactionBody), crate::openapi::DataErrors),
)]
pub(crate) async fn transaction_at(
    State(state): State<ApiState>,
    PathParams((height, index)): PathParams<(u64, u32)>,
) -> Reply<TransactionBody> {
    if let Some(tx) = state.storage.transaction_at(Height(height), index).await? {
        return Ok(Json(TransactionBody::new(height, index, &tx)));
    }
    leaf_at(&state.storage, height).await?;
    let what = format!("transaction at index {index}");
    Err(missing(&state.storage, height, &what).await)
}

/// This node's VID share and the VID common data of a block.
#[utoipa::path(
    get,
    path = "/v0/availability/vid/share/{height}",
    params(("height" = u64, Path, description = "Block height")),
    responses((status = 200, description = "OK", body = VidShareBody), crate::openapi::DataErrors),
)]
pub(crate) async fn vid_share(
    State(state): State<ApiState>,
    PathParams(height): PathParams<u64>,
) -> Reply<VidShareBody> {
    leaf_at(&state.storage, height).await?;
    match state.storage.vid_share(Height(height)).await? {
        Some((common, share)) => Ok(Json(VidShareBody {
            height,
            common,
            share,
        })),
        None => Err(missing(&state.storage, height, "VID share").await),
    }
}
