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

pub(crate) async fn header(
    State(state): State<ApiState>,
    PathParams(height): PathParams<u64>,
) -> Reply<HeaderBody> {
    let (leaf, _) = leaf_at(&state.storage, height).await?;
    Ok(Json(HeaderBody::from(&leaf.header)))
}

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
