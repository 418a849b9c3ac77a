//! The route table and [`router`]: one list of `(method, path, handler)` that builds the router
//! and that [`routes`] exposes, so the OpenAPI document can be checked against it.

use axum::error_handling::HandleErrorLayer;
use axum::extract::DefaultBodyLimit;
use axum::http::Method;
use axum::routing::{get, post, MethodRouter};
use axum::{Json, Router};
use tower::{BoxError, ServiceBuilder};

use crate::error::{ApiError, ErrorCode};
use crate::handlers::{availability, namespace, status, stream, submit};
use crate::{openapi, ApiState};

/// Most leaves one `GET /v0/availability/leaves` returns (and the default `limit`).
pub const MAX_LEAVES_PER_REQUEST: usize = 100;

/// Default for [`RouterConfig::max_submits_in_flight`].
pub const DEFAULT_MAX_SUBMITS_IN_FLIGHT: usize = 256;

/// Flood-protection settings of [`router_with`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RouterConfig {
    /// Most `POST /v0/submit` requests handled at once across all clients; further ones are
    /// answered at once with 429 `rate_limited` instead of queueing. `0` refuses every
    /// submission. Default [`DEFAULT_MAX_SUBMITS_IN_FLIGHT`].
    pub max_submits_in_flight: usize,
}

impl Default for RouterConfig {
    fn default() -> Self {
        RouterConfig {
            max_submits_in_flight: DEFAULT_MAX_SUBMITS_IN_FLIGHT,
        }
    }
}

struct Route {
    method: Method,
    path: &'static str,
    handler: MethodRouter<ApiState>,
}

/// The route table. `max_submits_in_flight` sizes the submit route's concurrency limit.
fn table(max_submits_in_flight: usize) -> Vec<Route> {
    let r = |method: Method, path, handler| Route {
        method,
        path,
        handler,
    };
    let submit = post(submit::submit).layer(
        ServiceBuilder::new()
            .layer(HandleErrorLayer::new(overloaded))
            .load_shed()
            .concurrency_limit(max_submits_in_flight),
    );
    vec![
        r(Method::GET, "/v0/status", get(status::status)),
        r(Method::GET, "/v0/status/metrics", get(status::metrics)),
        r(Method::GET, "/metrics", get(status::metrics)),
        r(
            Method::GET,
            "/v0/availability/leaf/{height}",
            get(availability::leaf),
        ),
        r(
            Method::GET,
            "/v0/availability/leaves",
            get(availability::leaves),
        ),
        r(
            Method::GET,
            "/v0/availability/header/{height}",
            get(availability::header),
        ),
        r(
            Method::GET,
            "/v0/availability/payload/{height}",
            get(availability::payload),
        ),
        r(
            Method::GET,
            "/v0/availability/block/{height}",
            get(availability::block),
        ),
        r(
            Method::GET,
            "/v0/availability/block/{height}/namespace/{ns}",
            get(namespace::namespace),
        ),
        r(
            Method::GET,
            "/v0/availability/transaction/hash/{hash}",
            get(availability::transaction_by_hash),
        ),
        r(
            Method::GET,
            "/v0/availability/transaction/{height}/{index}",
            get(availability::transaction_at),
        ),
        r(
            Method::GET,
            "/v0/availability/vid/share/{height}",
            get(availability::vid_share),
        ),
        r(
            Method::GET,
            "/v0/availability/stream/leaves/{from}",
            get(stream::leaves),
        ),
        r(Method::POST, "/v0/submit", submit),
        r(Method::GET, "/v0/openapi.json", get(openapi_json)),
    ]
}

/// Every route the [`router`] serves, as `(method, path)` with axum's `{param}` syntax (the
/// same as OpenAPI's).
#[must_use]
pub fn routes() -> Vec<(Method, &'static str)> {
    table(1).into_iter().map(|r| (r.method, r.path)).collect()
}

/// The API router over `state` (routes in the crate docs), with the default
/// [`RouterConfig`].
///
/// Request bodies are capped at [`ApiState::body_limit`]; `POST /v0/submit` runs at most
/// [`DEFAULT_MAX_SUBMITS_IN_FLIGHT`] requests at once and answers the others 429
/// `rate_limited`; unknown paths are 404 `not_found`. Every error body is
/// `{"code", "message"}`.
pub fn router(state: ApiState) -> Router {
    router_with(state, RouterConfig::default())
}

/// [`router`] with explicit flood-protection settings.
pub fn router_with(state: ApiState, config: RouterConfig) -> Router {
    let mut router = Router::new();
    for route in table(config.max_submits_in_flight) {
        router = router.route(route.path, route.handler);
    }
    router
        .fallback(no_route)
        .layer(DefaultBodyLimit::max(state.body_limit()))
        .with_state(state)
}

async fn overloaded(e: BoxError) -> ApiError {
    if e.is::<tower::load_shed::error::Overloaded>() {
        ApiError::new(
            ErrorCode::RateLimited,
            "too many submissions in flight; retry later",
        )
    } else {
        ApiError::internal(format!("submit service: {e}"))
    }
}

async fn no_route() -> ApiError {
    ApiError::not_found("no such route")
}

async fn openapi_json() -> Json<serde_json::Value> {
    Json(openapi::document())
}
