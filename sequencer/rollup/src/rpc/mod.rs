//! The Ethereum JSON-RPC subset (JSON-RPC 2.0 over HTTP POST, single and batch requests)
//! that `cast`, alloy, viem and block explorers need, served with jsonrpsee.
//!
//! The methods are declared once in [`api::EthApi`] (server trait and typed client);
//! [`handler`] implements them over the [`Rollup`], [`objects`] builds the execution-apis
//! block, transaction and receipt objects, [`params`] holds parameter types and block-tag
//! rules, and [`middleware`] keeps the answers the hand-written dispatch gave before.
//!
//! Error codes (JSON-RPC 2.0 and EIP-1474, as geth uses them; see [`error`]): -32700 parse
//! error, -32600 invalid request, -32601 method not found, -32602 invalid params (wrong
//! count or types, non-hex quantities, bad block tags, addresses or hashes), -32000 a
//! transaction or query refused (nonce, funds, fee, type, chain id, historical state …),
//! -32603 internal (database, sequencer down). State is kept for the latest block only: a
//! state query for an older block is refused with -32000.
//!
//! Differences from the hand-written dispatch this replaced (jsonrpsee's behaviour, which
//! follows JSON-RPC 2.0): a -32602 from a parameter that does not deserialise says
//! `Invalid params` with the reason in `data`; a body that is not JSON gets
//! `Parse error`; a request without `"jsonrpc": "2.0"` is invalid (-32600); a request
//! without `id` is a notification and gets no answer; parameters given by name (an object,
//! as JSON-RPC 2.0 allows) are accepted where they were refused.

pub mod api;
pub mod error;
mod handler;
mod hash_index;
mod middleware;
mod objects;
pub mod params;
mod reader;

use std::future::Future;

use axum::http::{header, HeaderValue};
use jsonrpsee::server::middleware::rpc::RpcServiceBuilder;
use jsonrpsee::server::{BatchRequestConfig, Server, ServerConfig};

pub use api::{EthApiClient, EthApiServer, RollupReceipt};
pub use error::RpcError;

use crate::service::Rollup;

/// Largest request body, bytes.
pub const MAX_BODY_BYTES: u32 = 1 << 20;

/// Largest response body, bytes (jsonrpsee's default).
pub const MAX_RESPONSE_BYTES: u32 = 10 << 20;

/// Most requests in one batch.
pub const MAX_BATCH: usize = 100;

/// Most concurrent connections.
pub const MAX_CONNECTIONS: u32 = 512;

/// The served methods over `rollup` (every name is in [`api::MAX_PARAMS`]).
pub fn methods(rollup: Rollup) -> jsonrpsee::Methods {
    handler::EthHandler::new(rollup).into_rpc().into()
}

/// Builds the JSON-RPC server on an already bound `listener` (HTTP only; every path answers,
/// as `POST /` always did) and returns the future that serves until the process ends.
///
/// # Errors
/// When the listener cannot be handed to the server.
pub fn serve(
    rollup: Rollup,
    listener: std::net::TcpListener,
) -> std::io::Result<impl Future<Output = ()> + Send> {
    // The hand-written server read any body as JSON whatever its Content-Type (curl's
    // default form type included); jsonrpsee refuses a non-JSON type, so it is set here.
    let http =
        tower::ServiceBuilder::new().map_request(|mut req: jsonrpsee::server::HttpRequest| {
            req.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            req
        });
    let config = ServerConfig::builder()
        .http_only()
        .max_request_body_size(MAX_BODY_BYTES)
        .max_response_body_size(MAX_RESPONSE_BYTES)
        .max_connections(MAX_CONNECTIONS)
        .set_batch_request_config(BatchRequestConfig::Unlimited)
        .build();
    let server = Server::builder()
        .set_config(config)
        .set_http_middleware(http)
        .set_rpc_middleware(RpcServiceBuilder::new().layer(middleware::GuardLayer::new()))
        .build_from_tcp(listener)?;
    let module = methods(rollup);
    Ok(async move {
        let handle = server.start(module);
        handle.stopped().await;
    })
}
