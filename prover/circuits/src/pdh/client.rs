//! The typed client of the proof-data-handler API (feature `client`), over the bodies of
//! [`super`].

use std::time::Duration;

use serde::de::DeserializeOwned;

use super::{
    BatchBody, BatchData, BatchesBody, DataRequest, DataResponse, PdhErrorBody, SubmitProofResponse,
};

/// A failed call.
#[derive(Debug, thiserror::Error)]
pub enum PdhError {
    /// The rollup could not be reached, or did not answer within the timeout.
    #[error("{url}: unreachable: {source}")]
    Unreachable {
        /// The URL called.
        url: String,
        /// The HTTP client's error.
        source: reqwest::Error,
    },
    /// The rollup answered with a non-2xx status (other than a lookup's 404).
    #[error("{url}: HTTP {status}: {}", error.as_deref().unwrap_or("(no error body)"))]
    Status {
        /// The URL called.
        url: String,
        /// The HTTP status code: 400 (a proof that does not decode or verify), 404 (unknown
        /// batch), 409 (already proven), 500.
        status: u16,
        /// The server's [`PdhErrorBody::error`], `None` when the body was not one.
        error: Option<String>,
    },
    /// The answer did not have the documented shape.
    #[error("{url}: malformed answer: {reason}")]
    Malformed {
        /// The URL called.
        url: String,
        /// What was wrong.
        reason: String,
    },
}

impl PdhError {
    /// The HTTP status, for [`PdhError::Status`].
    #[must_use]
    pub fn status(&self) -> Option<u16> {
        match self {
            PdhError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// A rollup's proof-data-handler at a base URL such as `http://127.0.0.1:3320`. Cloning is
/// cheap and shares the connection pool.
#[derive(Clone, Debug)]
pub struct PdhClient {
    http: reqwest::Client,
    base: String,
}

impl PdhClient {
    /// A client for `base` (a trailing `/` is ignored) whose requests time out after `timeout`
    /// (a witness can be large: the gateway uses minutes).
    ///
    /// # Errors
    /// [`PdhError::Unreachable`] if the HTTP client cannot be built.
    pub fn new(base: &str, timeout: Duration) -> Result<PdhClient, PdhError> {
        let base = base.trim_end_matches('/').to_owned();
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .map_err(|source| PdhError::Unreachable {
                url: base.clone(),
                source,
            })?;
        Ok(PdhClient { http, base })
    }

    /// The base URL, without a trailing `/`.
    #[must_use]
    pub fn base(&self) -> &str {
        &self.base
    }

    /// `POST /proof_generation_data` with `{"after": after}`: the lowest unproven batch above
    /// `after`, `None` when there is none.
    ///
    /// # Errors
    /// [`PdhError`].
    pub async fn proof_generation_data(&self, after: u64) -> Result<Option<BatchData>, PdhError> {
        let url = self.url("/proof_generation_data");
        let req = self.http.post(&url).json(&DataRequest { after });
        let answer: DataResponse = self.json(req, &url).await?;
        Ok(answer.data)
    }

    /// `POST /submit_proof/{batch}` with `proof` = `BatchProof::to_bytes()`.
    ///
    /// # Errors
    /// [`PdhError::Status`] 400 with the reason for a proof that does not decode or verify,
    /// 404 for an unknown batch, 409 when the batch is already proven; [`PdhError`].
    pub async fn submit_proof(
        &self,
        batch: u64,
        proof: Vec<u8>,
    ) -> Result<SubmitProofResponse, PdhError> {
        let url = self.url(&format!("/submit_proof/{batch}"));
        let req = self
            .http
            .post(&url)
            .header("content-type", "application/octet-stream")
            .body(proof);
        self.json(req, &url).await
    }

    /// `GET /batches/{n}`; `None` when batch `n` is not sealed (404).
    ///
    /// # Errors
    /// [`PdhError`].
    pub async fn batch(&self, n: u64) -> Result<Option<BatchBody>, PdhError> {
        let url = self.url(&format!("/batches/{n}"));
        match self.json(self.http.get(&url), &url).await {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.status() == Some(404) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `GET /batches`: counts and the lowest unproven batch.
    ///
    /// # Errors
    /// [`PdhError`].
    pub async fn batches(&self) -> Result<BatchesBody, PdhError> {
        let url = self.url("/batches");
        self.json(self.http.get(&url), &url).await
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Sends `req`; the 2xx body as `T`, else [`PdhError::Status`] with the error body.
    async fn json<T: DeserializeOwned>(
        &self,
        req: reqwest::RequestBuilder,
        url: &str,
    ) -> Result<T, PdhError> {
        let resp = req.send().await.map_err(|source| PdhError::Unreachable {
            url: url.to_owned(),
            source,
        })?;
        let status = resp.status();
        if !status.is_success() {
            let error = resp.json::<PdhErrorBody>().await.ok().map(|b| b.error);
            return Err(PdhError::Status {
                url: url.to_owned(),
                status: status.as_u16(),
                error,
            });
        }
        resp.json().await.map_err(|e| PdhError::Malformed {
            url: url.to_owned(),
            reason: e.to_string(),
        })
    }
}
