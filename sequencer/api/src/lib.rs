//! The node's HTTP API under /v0 (status, availability with namespace proofs, submit, leaf streaming, OpenAPI) and the bounded mempool that submissions enter.
//!
//! [`router`] builds the axum router over an [`ApiState`] (storage, mempool, the actor's
//! status, metrics). Bodies are JSON; byte strings and commitments are `0x`-hex; heights,
//! views and namespaces are `u64`. The OpenAPI 3.0 document ([`openapi::document`]) is served
//! at `GET /v0/openapi.json`.
//!
//! # Routes
//!
//! | route | answer |
//! |-------|--------|
//! | `GET /v0/status` | [`StatusBody`] |
//! | `GET /v0/status/metrics`, `GET /metrics` | Prometheus text |
//! | `GET /v0/availability/leaf/{height}` | [`LeafBody`]: header fields, `qc`, `leaf_bytes`, `qc_bytes` |
//! | `GET /v0/availability/leaves?from=H&limit=L` | `[LeafBody]`, ascending, `L ≤ 100` (default 100) |
//! | `GET /v0/availability/header/{height}` | [`HeaderBody`] |
//! | `GET /v0/availability/payload/{height}` | [`PayloadBody`] |
//! | `GET /v0/availability/block/{height}` | [`BlockBody`] |
//! | `GET /v0/availability/block/{height}/namespace/{ns}` | [`NamespaceBody`] (transactions and `sq_da::NamespaceProof`) |
//! | `GET /v0/availability/transaction/hash/{hash}` | [`TransactionBody`] |
//! | `GET /v0/availability/transaction/{height}/{index}` | [`TransactionBody`] |
//! | `GET /v0/availability/vid/share/{height}` | [`VidShareBody`] |
//! | `GET /v0/availability/stream/leaves/{from}` | Server-Sent Events: `leaf` events ([`LeafBody`]) |
//! | `POST /v0/submit` | [`SubmitRequest`] → [`SubmitResponse`] |
//! | `GET /v0/openapi.json` | the OpenAPI document |
//!
//! # Errors
//!
//! Every error body is [`ErrorBody`] `{"code", "message"}`; `code` is stable:
//!
//! | status | code | when |
//! |--------|------|------|
//! | 400 | `bad_request` | bad hex, bad JSON, bad path or query parameter, `limit > 100` |
//! | 404 | `not_found` | no leaf, payload, transaction or VID share at that height, hash or index; unknown route |
//! | 404 | `pruned` | the payload, transactions or VID share at that height were pruned |
//! | 413 | `transaction_too_large` | payload over the mempool limit, or body over `2 × max_transaction_bytes + 4096` |
//! | 409 | `duplicate_transaction` | the transaction is waiting or was recently decided |
//! | 400 | `unknown_namespace` | namespace outside `MempoolConfig::allowed_namespaces` |
//! | 429 | `mempool_full` | the mempool is at its transaction or byte limit |
//! | 429 | `rate_limited` | more than [`RouterConfig::max_submits_in_flight`] submissions in flight |
//! | 503 | `storage_unavailable` | a retryable storage error, or storage closed (node stopping) |
//! | 500 | `internal` | any other storage error (e.g. a corrupt row), stored data inconsistent with its header |
//!
//! # Flood protection
//!
//! `POST /v0/submit` sits behind a global concurrency limit with load shedding: requests over
//! [`RouterConfig::max_submits_in_flight`] are refused at once (429 `rate_limited`), never queued.
//! Request bodies are capped at [`ApiState::body_limit`]. The leaf stream is pulled by the
//! connection and buffers at most one page of leaves per client.
//!
//! # Layout
//!
//! `state.rs` ([`ApiState`]), `router.rs` (the route table), `handlers/` (one file per route
//! group), `body.rs` (response bodies), `error.rs` (codes), `extract.rs` (parameter parsing),
//! `lookup.rs` (storage lookups, pruned vs not found), `hexstr.rs` (hex in JSON), `openapi.rs`, `mempool.rs`,
//! `status.rs` ([`status::NodeStatus`]), `client.rs` (feature `client`: the typed client
//! `client::Client` over these body types, for peers, the standalone rollup, tests and tools).
#![cfg_attr(not(test), forbid(unsafe_code))]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::panic))]

mod body;
#[cfg(feature = "client")]
pub mod client;
mod error;
mod extract;
mod handlers;
mod hexstr;
mod lookup;
pub mod mempool;
pub mod openapi;
mod router;
mod state;
pub mod status;

pub use body::{
    BlockBody, BlockTransactionBody, HeaderBody, LeafBody, NamespaceBody, NsEntryBody, PayloadBody,
    QcBody, TransactionBody, VidShareBody,
};
pub use error::{ErrorBody, ErrorCode};
pub use handlers::status::StatusBody;
pub use handlers::submit::{SubmitRequest, SubmitResponse};
pub use router::{
    router, router_with, routes, RouterConfig, DEFAULT_MAX_SUBMITS_IN_FLIGHT,
    MAX_LEAVES_PER_REQUEST,
};
pub use state::{ApiState, MetricsRender};
