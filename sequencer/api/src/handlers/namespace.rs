//! `GET /v0/availability/block/{height}/namespace/{ns}`: one namespace's transactions with the
//! proof that ties them to the header's payload commitment.

use axum::extract::State;
use axum::Json;
use sq_da::{disperse, namespace_proof, VidCommon, VidParams};
use sq_types::codec::{Decode, Encode};
use sq_types::{payload, Header, Height, NamespaceId};

use crate::body::NamespaceBody;
use crate::error::ApiError;
use crate::extract::PathParams;
use crate::lookup::{blocking, leaf_at, payload_at};
use crate::ApiState;

/// One namespace's transactions with a NamespaceProof against the header's payload commitment; `proof` is null (and `transactions` empty) when the namespace is absent from the header's `ns_table`.
#[utoipa::path(
    get,
    path = "/v0/availability/block/{height}/namespace/{ns}",
    params(("height" = u64, Path, description = "Block height"), ("ns" = u64, Path, description = "Namespace id")),
    responses((status = 200, description = "OK", body = NamespaceBody), crate::openapi::DataErrors),
)]
pub(crate) async fn namespace(
    State(state): State<ApiState>,
    PathParams((height, ns)): PathParams<(u64, u64)>,
) -> Result<Json<NamespaceBody>, ApiError> {
    let (leaf, _) = leaf_at(&state.storage, height).await?;
    let payload = payload_at(&state.storage, height).await?;
    let stored_common = state.storage.vid_share(Height(height)).await?.map(|v| v.0);
    let nodes = state.nodes;
    let header = leaf.header;
    blocking(move || {
        let common = vid_common(&header, &payload, stored_common.as_deref(), nodes)?;
        let namespace = NamespaceId(ns);
        let inconsistent = |e: &dyn std::fmt::Display| {
            ApiError::internal(format!(
                "stored payload at height {height} does not fit its namespace table: {e}"
            ))
        };
        let proof =
            namespace_proof(&payload, &header.ns_table, namespace).map_err(|e| inconsistent(&e))?;
        let transactions = payload::namespace_transactions(&payload, &header.ns_table, namespace)
            .map_err(|e| inconsistent(&e))?;
        Ok(Json(NamespaceBody {
            height,
            namespace: ns,
            transactions: transactions.into_iter().map(|tx| tx.payload).collect(),
            proof: proof.map(|p| p.encode()),
            vid_common: common.encode(),
            payload_commitment: header.payload_commitment,
        }))
    })
    .await
}

/// The block's VID common data: the stored one, or (for a payload stored without it) the one
/// re-derived by dispersing the payload to `nodes` shares; either must match the header's
/// commitment.
fn vid_common(
    header: &Header,
    payload: &[u8],
    stored: Option<&[u8]>,
    nodes: u32,
) -> Result<VidCommon, ApiError> {
    let height = header.height;
    let common = match stored {
        Some(bytes) => VidCommon::decode(bytes).map_err(|e| {
            ApiError::internal(format!("corrupt VID common data at height {height}: {e}"))
        })?,
        None => {
            let params = VidParams::new(nodes)
                .map_err(|e| ApiError::internal(format!("VID parameters: {e}")))?;
            disperse(params, payload, &header.ns_table)
                .map_err(|e| {
                    ApiError::internal(format!("re-dispersing the payload at height {height}: {e}"))
                })?
                .common
        }
    };
    if common.commitment() != header.payload_commitment {
        return Err(ApiError::internal(format!(
            "VID common data at height {height} does not match the header's payload commitment"
        )));
    }
    Ok(common)
}
