//! What the rollup's JSON-RPC answered before jsonrpsee, kept as a jsonrpsee RPC middleware:
//! an unknown method gets geth's message, surplus parameters are refused with -32602, and a
//! batch holds at most [`MAX_BATCH`] requests. jsonrpsee's own batch loop calls the inner
//! service directly, so batches are walked here to pass every entry through [`Guard::call`].

use std::collections::HashMap;
use std::sync::Arc;

use jsonrpsee::core::middleware::{Batch, BatchEntry, Notification, RpcServiceT};
use jsonrpsee::core::server::BatchResponseBuilder;
use jsonrpsee::types::{ErrorObjectOwned, Id, Request};
use jsonrpsee::MethodResponse;

use super::api::MAX_PARAMS;
use super::error::{RpcError, INVALID_REQUEST, METHOD_NOT_FOUND};
use super::{MAX_BATCH, MAX_RESPONSE_BYTES};

/// The middleware layer: wraps jsonrpsee's service in a [`Guard`].
#[derive(Clone)]
pub(crate) struct GuardLayer {
    max_params: Arc<HashMap<&'static str, usize>>,
}

impl GuardLayer {
    pub(crate) fn new() -> GuardLayer {
        GuardLayer {
            max_params: Arc::new(MAX_PARAMS.iter().copied().collect()),
        }
    }
}

impl<S> tower::Layer<S> for GuardLayer {
    type Service = Guard<S>;

    fn layer(&self, inner: S) -> Guard<S> {
        Guard {
            inner,
            max_params: self.max_params.clone(),
        }
    }
}

/// See the module docs.
#[derive(Clone)]
pub(crate) struct Guard<S> {
    inner: S,
    max_params: Arc<HashMap<&'static str, usize>>,
}

/// Why `request` is refused before it reaches its method, if it is.
fn refusal(max_params: &HashMap<&'static str, usize>, request: &Request<'_>) -> Option<RpcError> {
    let method = request.method_name();
    let Some(&max) = max_params.get(method) else {
        return Some(RpcError::new(
            METHOD_NOT_FOUND,
            format!("the method {method} does not exist/is not available"),
        ));
    };
    let given = request
        .params
        .as_ref()
        .and_then(|p| serde_json::from_str::<Vec<serde_json::Value>>(p.get()).ok())
        .map_or(0, |p| p.len());
    (given > max).then(|| {
        RpcError::params(format!(
            "too many parameters: {method} takes at most {max}, got {given}"
        ))
    })
}

fn error(id: Id<'_>, e: RpcError) -> MethodResponse {
    MethodResponse::error(id, ErrorObjectOwned::from(e))
}

impl<S> RpcServiceT for Guard<S>
where
    S: RpcServiceT<
            MethodResponse = MethodResponse,
            BatchResponse = MethodResponse,
            NotificationResponse = MethodResponse,
        > + Send
        + Sync
        + Clone
        + 'static,
{
    type MethodResponse = MethodResponse;
    type BatchResponse = MethodResponse;
    type NotificationResponse = MethodResponse;

    fn call<'a>(
        &self,
        request: Request<'a>,
    ) -> impl std::future::Future<Output = MethodResponse> + Send + 'a {
        let refused = refusal(&self.max_params, &request);
        let inner = self.inner.clone();
        async move {
            match refused {
                Some(e) => error(request.id, e),
                None => inner.call(request).await,
            }
        }
    }

    fn batch<'a>(
        &self,
        batch: Batch<'a>,
    ) -> impl std::future::Future<Output = MethodResponse> + Send + 'a {
        let this = self.clone();
        async move {
            let entries: Vec<_> = batch.into_iter().collect();
            if entries.is_empty() || entries.len() > MAX_BATCH {
                let e = RpcError::new(
                    INVALID_REQUEST,
                    format!("a batch holds 1..={MAX_BATCH} requests"),
                );
                return error(Id::Null, e);
            }
            let mut out = BatchResponseBuilder::new_with_limit(MAX_RESPONSE_BYTES as usize);
            let mut notified = false;
            for entry in entries {
                let response = match entry {
                    Ok(BatchEntry::Call(request)) => this.call(request).await,
                    Ok(BatchEntry::Notification(n)) => {
                        notified = true;
                        this.inner.notification(n).await;
                        continue;
                    }
                    Err(e) => {
                        let (e, id) = e.into_parts();
                        MethodResponse::error(id, e)
                    }
                };
                if let Err(too_large) = out.append(response) {
                    return too_large;
                }
            }
            if out.is_empty() && notified {
                MethodResponse::notification()
            } else {
                MethodResponse::from_batch(out.finish())
            }
        }
    }

    fn notification<'a>(
        &self,
        n: Notification<'a>,
    ) -> impl std::future::Future<Output = MethodResponse> + Send + 'a {
        self.inner.notification(n)
    }
}
