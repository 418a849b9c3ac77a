//! The typed client of this API (feature `client`), built on the same body types the server
//! sends, so a changed field breaks the client's build instead of its callers at run time.
//!
//! Every call is one HTTP request with the client's timeout (10 s unless set with
//! [`Client::with_timeout`]). Lookups of a height, hash or index answer `Ok(None)` on 404
//! (`not_found` or `pruned`); every other non-2xx status is [`ClientError::Status`] with the
//! server's [`ErrorBody`] when it sent one. Byte fields that carry an `sq_types` / `sq_da`
//! encoding are decoded with those bounded codecs ([`Client::leaf`], [`Client::leaves`],
//! [`Client::vid_share`]); the answer is decoded, never verified: checking QCs and shares is
//! the caller's job.

mod stream;

use std::time::Duration;

use serde::de::DeserializeOwned;
use sq_da::{VidCommon, VidShare};
use sq_types::codec::Decode;
use sq_types::{Commitment, Leaf, QuorumCertificate};

use crate::{
    BlockBody, ErrorBody, ErrorCode, HeaderBody, LeafBody, NamespaceBody, PayloadBody, StatusBody,
    SubmitRequest, SubmitResponse, TransactionBody, VidShareBody,
};

/// Per-request timeout of [`Client::new`].
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// A failed call.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The node could not be reached, or did not answer within the timeout.
    #[error("{url}: unreachable: {source}")]
    Unreachable {
        /// The URL called.
        url: String,
        /// The HTTP client's error.
        source: reqwest::Error,
    },
    /// The node answered with a non-2xx status (other than a lookup's 404).
    #[error("{url}: HTTP {status}: {}", body.as_ref().map_or("(no error body)", |b| b.message.as_str()))]
    Status {
        /// The URL called.
        url: String,
        /// The HTTP status code.
        status: u16,
        /// The server's `{"code", "message"}`, `None` when the body was not one.
        body: Option<ErrorBody>,
    },
    /// The answer did not have the documented shape, or a byte field did not decode.
    #[error("{url}: malformed answer: {reason}")]
    Malformed {
        /// The URL called.
        url: String,
        /// What was wrong.
        reason: String,
    },
}

impl ClientError {
    /// The server's stable error code (`ErrorCode::as_str`), when it sent an error body.
    #[must_use]
    pub fn code(&self) -> Option<&str> {
        match self {
            ClientError::Status { body: Some(b), .. } => Some(b.code.as_str()),
            _ => None,
        }
    }

    /// Whether the server refused with `code`.
    #[must_use]
    pub fn is(&self, code: ErrorCode) -> bool {
        self.code() == Some(code.as_str())
    }

    /// Whether asking again later, or another node, may succeed: unreachable, 429 or 503.
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        match self {
            ClientError::Unreachable { .. } => true,
            ClientError::Status { status, .. } => matches!(status, 429 | 503),
            ClientError::Malformed { .. } => false,
        }
    }
}

/// One node's `/v0` API at a base URL such as `http://127.0.0.1:8080`. Cloning is cheap and
/// shares the connection pool.
#[derive(Clone, Debug)]
pub struct Client {
    http: reqwest::Client,
    /// For streams: no overall timeout, a read timeout ([`STREAM_READ_TIMEOUT`]) instead.
    /// Built on the first [`Client::leaf_stream`] (most clients never stream) and shared by
    /// the clones.
    stream_http: std::sync::Arc<std::sync::OnceLock<reqwest::Client>>,
    /// The connect timeout of `stream_http`.
    timeout: Duration,
    base: String,
}

pub use stream::{LeafStreamItem, STREAM_READ_TIMEOUT};

impl Client {
    /// A client for `base` (a trailing `/` is ignored) with [`DEFAULT_TIMEOUT`] per request.
    ///
    /// # Errors
    /// [`ClientError::Unreachable`] if the HTTP client cannot be built (no TLS backend or
    /// resolver).
    pub fn new(base: &str) -> Result<Client, ClientError> {
        Client::with_timeout(base, DEFAULT_TIMEOUT)
    }

    /// A client for `base` whose requests time out after `timeout`.
    ///
    /// # Errors
    /// As [`Client::new`].
    pub fn with_timeout(base: &str, timeout: Duration) -> Result<Client, ClientError> {
        let base = base.trim_end_matches('/').to_owned();
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .map_err(|source| ClientError::Unreachable {
                url: base.clone(),
                source,
            })?;
        Ok(Client {
            http,
            stream_http: std::sync::Arc::default(),
            timeout,
            base,
        })
    }

    /// The base URL, without a trailing `/`.
    #[must_use]
    pub fn base(&self) -> &str {
        &self.base
    }

    /// `GET /v0/status`.
    ///
    /// # Errors
    /// [`ClientError`].
    pub async fn status(&self) -> Result<StatusBody, ClientError> {
        let path = "/v0/status";
        self.get(path)
            .await?
            .ok_or_else(|| self.status_error(path, 404, None))
    }

    /// The node's Prometheus text (`GET /v0/status/metrics`).
    ///
    /// # Errors
    /// [`ClientError`].
    pub async fn metrics(&self) -> Result<String, ClientError> {
        let url = self.url("/v0/status/metrics");
        let resp = self.send(self.http.get(&url), &url).await?;
        let resp = Self::check(resp, &url).await?;
        resp.text().await.map_err(|e| malformed(&url, e))
    }

    /// The decided leaf at `height` with its certifying QC (`GET /v0/availability/leaf/{h}`),
    /// decoded from `leaf_bytes` / `qc_bytes`; `None` on 404.
    ///
    /// # Errors
    /// [`ClientError`]; [`ClientError::Malformed`] when an encoding does not decode.
    pub async fn leaf(
        &self,
        height: u64,
    ) -> Result<Option<(Leaf, QuorumCertificate)>, ClientError> {
        let path = format!("/v0/availability/leaf/{height}");
        let Some(body) = self.get::<LeafBody>(&path).await? else {
            return Ok(None);
        };
        body.decode()
            .map(Some)
            .map_err(|e| malformed(&self.url(&path), e))
    }

    /// Up to `limit` (at most `MAX_LEAVES_PER_REQUEST`) stored leaves with their QCs from
    /// height `from`, ascending (`GET /v0/availability/leaves`), decoded; empty when the node
    /// has none there.
    ///
    /// # Errors
    /// [`ClientError`]; 400 `bad_request` for `limit` over 100.
    pub async fn leaves(
        &self,
        from: u64,
        limit: usize,
    ) -> Result<Vec<(Leaf, QuorumCertificate)>, ClientError> {
        let path = format!("/v0/availability/leaves?from={from}&limit={limit}");
        let bodies: Vec<LeafBody> = self.get(&path).await?.unwrap_or_default();
        bodies
            .iter()
            .map(|b| b.decode().map_err(|e| malformed(&self.url(&path), e)))
            .collect()
    }

    /// The header at `height` (`GET /v0/availability/header/{h}`); `None` on 404.
    ///
    /// # Errors
    /// [`ClientError`].
    pub async fn header(&self, height: u64) -> Result<Option<HeaderBody>, ClientError> {
        self.get(&format!("/v0/availability/header/{height}")).await
    }

    /// The payload at `height` (`GET /v0/availability/payload/{h}`); `None` on 404
    /// (unknown or pruned).
    ///
    /// # Errors
    /// [`ClientError`].
    pub async fn payload(&self, height: u64) -> Result<Option<PayloadBody>, ClientError> {
        self.get(&format!("/v0/availability/payload/{height}"))
            .await
    }

    /// The whole block at `height` (`GET /v0/availability/block/{h}`): header, payload and
    /// its transactions; `None` on 404.
    ///
    /// # Errors
    /// [`ClientError`].
    pub async fn block(&self, height: u64) -> Result<Option<BlockBody>, ClientError> {
        self.get(&format!("/v0/availability/block/{height}")).await
    }

    /// Namespace `namespace` of the block at `height` with its proof
    /// (`GET /v0/availability/block/{h}/namespace/{ns}`); `None` on 404. Verifying the proof
    /// is the caller's job (see [`NamespaceBody`]).
    ///
    /// # Errors
    /// [`ClientError`].
    pub async fn namespace(
        &self,
        height: u64,
        namespace: u64,
    ) -> Result<Option<NamespaceBody>, ClientError> {
        self.get(&format!(
            "/v0/availability/block/{height}/namespace/{namespace}"
        ))
        .await
    }

    /// The decided transaction with commitment `hash`
    /// (`GET /v0/availability/transaction/hash/{hash}`); `None` on 404.
    ///
    /// # Errors
    /// [`ClientError`].
    pub async fn transaction_by_hash(
        &self,
        hash: &Commitment,
    ) -> Result<Option<TransactionBody>, ClientError> {
        self.get(&format!(
            "/v0/availability/transaction/hash/0x{}",
            hex::encode(hash.0)
        ))
        .await
    }

    /// The node's own VID share at `height` and the common data
    /// (`GET /v0/availability/vid/share/{h}`), decoded; `None` on 404.
    ///
    /// # Errors
    /// [`ClientError`]; [`ClientError::Malformed`] when an encoding does not decode.
    pub async fn vid_share(
        &self,
        height: u64,
    ) -> Result<Option<(VidCommon, VidShare)>, ClientError> {
        let path = format!("/v0/availability/vid/share/{height}");
        let Some(body) = self.get::<VidShareBody>(&path).await? else {
            return Ok(None);
        };
        let url = self.url(&path);
        let common = VidCommon::decode(&body.common).map_err(|e| malformed(&url, e))?;
        let share = VidShare::decode(&body.share).map_err(|e| malformed(&url, e))?;
        Ok(Some((common, share)))
    }

    /// Submits `payload` under `namespace` (`POST /v0/submit`); the transaction's commitment.
    ///
    /// # Errors
    /// [`ClientError::Status`] with the node's code (`mempool_full`, `rate_limited`,
    /// `transaction_too_large`, `duplicate_transaction`, `unknown_namespace`, …);
    /// [`ClientError::Unreachable`].
    pub async fn submit(&self, namespace: u64, payload: &[u8]) -> Result<Commitment, ClientError> {
        let url = self.url("/v0/submit");
        let body = SubmitRequest {
            namespace,
            payload: payload.to_vec(),
        };
        let resp = self.send(self.http.post(&url).json(&body), &url).await?;
        let resp = Self::check(resp, &url).await?;
        let answer: SubmitResponse = resp.json().await.map_err(|e| malformed(&url, e))?;
        Ok(answer.commitment)
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn status_error(&self, path: &str, status: u16, body: Option<ErrorBody>) -> ClientError {
        ClientError::Status {
            url: self.url(path),
            status,
            body,
        }
    }

    async fn send(
        &self,
        req: reqwest::RequestBuilder,
        url: &str,
    ) -> Result<reqwest::Response, ClientError> {
        req.send().await.map_err(|source| ClientError::Unreachable {
            url: url.to_owned(),
            source,
        })
    }

    /// `resp` if it is 2xx, else [`ClientError::Status`] with its error body.
    async fn check(resp: reqwest::Response, url: &str) -> Result<reqwest::Response, ClientError> {
        let status = resp.status();
        if status.is_success() {
            return Ok(resp);
        }
        let body = resp
            .bytes()
            .await
            .ok()
            .and_then(|b| serde_json::from_slice::<ErrorBody>(&b).ok());
        Err(ClientError::Status {
            url: url.to_owned(),
            status: status.as_u16(),
            body,
        })
    }

    /// GET `path`: the JSON body as `T`, `None` on 404.
    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<Option<T>, ClientError> {
        let url = self.url(path);
        let resp = self.send(self.http.get(&url), &url).await?;
        if resp.status() == reqwest::StatusCode::NOT_FOUND {
            return Ok(None);
        }
        let resp = Self::check(resp, &url).await?;
        let bytes = resp
            .bytes()
            .await
            .map_err(|source| ClientError::Unreachable {
                url: url.clone(),
                source,
            })?;
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| malformed(&url, e))
    }
}

fn malformed(url: &str, reason: impl std::fmt::Display) -> ClientError {
    ClientError::Malformed {
        url: url.to_owned(),
        reason: reason.to_string(),
    }
}
