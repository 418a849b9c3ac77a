//! HTTP client for peers' availability APIs (`sq-api` routes under `/v0`), used by catch-up.
//! Answers are read into `sq-api`'s own response types, their byte fields decoded with the
//! bounded sq-types/sq-da codecs, and then checked by [`super::verify`]; a peer is never trusted.

use serde::de::DeserializeOwned;
use sq_api::{LeafBody, PayloadBody, StatusBody, VidShareBody};
use sq_da::{VidCommon, VidShare};
use sq_types::codec::Decode;
use sq_types::{Leaf, QuorumCertificate};
use std::time::Duration;
use thiserror::Error;

/// Why a fetch failed. Each is retried later or against another peer.
#[derive(Debug, Error)]
pub enum FetchError {
    /// The request failed or timed out.
    #[error("{url}: {source}")]
    Http {
        /// The URL.
        url: String,
        /// The client error.
        source: reqwest::Error,
    },
    /// The peer answered with an unexpected status.
    #[error("{url}: HTTP {status}")]
    Status {
        /// The URL.
        url: String,
        /// Its status code.
        status: u16,
    },
    /// The body did not have the documented shape or did not decode.
    #[error("{url}: malformed answer: {reason}")]
    Malformed {
        /// The URL.
        url: String,
        /// What was wrong.
        reason: String,
    },
}

/// One peer's API, e.g. `http://127.0.0.1:8001`.
#[derive(Clone, Debug)]
pub struct PeerClient {
    http: reqwest::Client,
    base: String,
}

impl PeerClient {
    /// A client for the API at `base` (no trailing slash), with a 10 s timeout per request.
    ///
    /// # Errors
    /// When the HTTP client cannot be built.
    pub fn new(base: &str) -> Result<PeerClient, reqwest::Error> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()?;
        Ok(PeerClient {
            http,
            base: base.trim_end_matches('/').to_string(),
        })
    }

    /// The peer's base URL.
    #[must_use]
    pub fn base(&self) -> &str {
        &self.base
    }

    /// GET `path`: the JSON body as `T`, `None` on 404.
    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<Option<T>, FetchError> {
        let url = format!("{}{path}", self.base);
        let http = |source| FetchError::Http {
            url: url.clone(),
            source,
        };
        let resp = self.http.get(&url).send().await.map_err(http)?;
        match resp.status().as_u16() {
            200 => Ok(Some(resp.json().await.map_err(http)?)),
            404 => Ok(None),
            status => Err(FetchError::Status { url, status }),
        }
    }

    fn malformed(&self, path: &str, reason: String) -> FetchError {
        FetchError::Malformed {
            url: format!("{}{path}", self.base),
            reason,
        }
    }

    /// The highest height the peer has stored (`/v0/status` `stored_height`).
    ///
    /// # Errors
    /// [`FetchError`].
    pub async fn stored_height(&self) -> Result<u64, FetchError> {
        let path = "/v0/status";
        let status: StatusBody = self
            .get(path)
            .await?
            .ok_or_else(|| self.malformed(path, "no status".into()))?;
        Ok(status.stored_height)
    }

    /// Up to `limit` stored leaves with their QCs from height `from`, ascending.
    ///
    /// # Errors
    /// [`FetchError`], including a leaf or QC that does not decode.
    pub async fn leaves(
        &self,
        from: u64,
        limit: usize,
    ) -> Result<Vec<(Leaf, QuorumCertificate)>, FetchError> {
        let path = format!("/v0/availability/leaves?from={from}&limit={limit}");
        let bodies: Vec<LeafBody> = self.get(&path).await?.unwrap_or_default();
        bodies
            .iter()
            .map(|b| b.decode().map_err(|e| self.malformed(&path, e.to_string())))
            .collect()
    }

    /// The payload at `height`, `None` when the peer does not have it.
    ///
    /// # Errors
    /// [`FetchError`].
    pub async fn payload(&self, height: u64) -> Result<Option<Vec<u8>>, FetchError> {
        let path = format!("/v0/availability/payload/{height}");
        let body: Option<PayloadBody> = self.get(&path).await?;
        Ok(body.map(|b| b.payload))
    }

    /// The peer's own VID share at `height` with the common data, `None` when it has none.
    ///
    /// # Errors
    /// [`FetchError`], including a share that does not decode.
    pub async fn vid_share(
        &self,
        height: u64,
    ) -> Result<Option<(VidCommon, VidShare)>, FetchError> {
        let path = format!("/v0/availability/vid/share/{height}");
        let Some(body) = self.get::<VidShareBody>(&path).await? else {
            return Ok(None);
        };
        let common =
            VidCommon::decode(&body.common).map_err(|e| self.malformed(&path, e.to_string()))?;
        let share =
            VidShare::decode(&body.share).map_err(|e| self.malformed(&path, e.to_string()))?;
        Ok(Some((common, share)))
    }
}
