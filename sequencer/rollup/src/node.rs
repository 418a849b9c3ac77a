//! The HTTP client for the sequencer node the rollup follows and submits to (sq-api `/v0`).

use std::time::Duration;

use serde::Deserialize;

/// A node's `/v0` API at a base URL such as `http://127.0.0.1:8080`.
#[derive(Clone, Debug)]
pub struct NodeClient {
    http: reqwest::Client,
    base: String,
}

/// A failed call to the node.
#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    /// The node could not be reached or did not answer in time.
    #[error("the sequencer node at {url} is unreachable: {source}")]
    Unreachable {
        /// The URL called.
        url: String,
        /// The HTTP error.
        source: reqwest::Error,
    },
    /// The node answered with an error status.
    #[error("the sequencer node refused the request ({status}): {body}")]
    Refused {
        /// HTTP status.
        status: u16,
        /// The error body.
        body: String,
    },
    /// The answer does not parse.
    #[error("unexpected answer from the sequencer node: {0}")]
    BadAnswer(String),
}

#[derive(Deserialize)]
struct Status {
    stored_height: u64,
}

#[derive(Deserialize)]
struct Header {
    timestamp_ms: u64,
}

#[derive(Deserialize)]
struct BlockTx {
    namespace: u64,
    payload: String,
}

#[derive(Deserialize)]
struct Block {
    header: Header,
    transactions: Vec<BlockTx>,
}

impl NodeClient {
    /// A client for `base` (no trailing slash needed); every call times out after 10 s.
    ///
    /// # Errors
    /// [`NodeError::BadAnswer`] if the HTTP client cannot be built.
    pub fn new(base: &str) -> Result<NodeClient, NodeError> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| NodeError::BadAnswer(e.to_string()))?;
        Ok(NodeClient {
            http,
            base: base.trim_end_matches('/').to_owned(),
        })
    }

    /// The base URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    async fn get(&self, path: &str) -> Result<Option<reqwest::Response>, NodeError> {
        let url = format!("{}{path}", self.base);
        let resp = self
            .http
            .get(&url)
            .send()
            .await
            .map_err(|source| NodeError::Unreachable { url, source })?;
        if resp.status() == reqwest::StatusCode::NOT_FOUND {
            return Ok(None);
        }
        if !resp.status().is_success() {
            let status = resp.status().as_u16();
            let body = resp.text().await.unwrap_or_default();
            return Err(NodeError::Refused { status, body });
        }
        Ok(Some(resp))
    }

    /// The highest height whose block the node serves (`stored_height` of `/v0/status`).
    ///
    /// # Errors
    /// [`NodeError`].
    pub async fn stored_height(&self) -> Result<u64, NodeError> {
        let resp = self
            .get("/v0/status")
            .await?
            .ok_or(NodeError::BadAnswer("no /v0/status".into()))?;
        let s: Status = resp
            .json()
            .await
            .map_err(|e| NodeError::BadAnswer(e.to_string()))?;
        Ok(s.stored_height)
    }

    /// Block `height`: header time (ms) and the payloads of `namespace`, in order; `None`
    /// when the node has no such block.
    ///
    /// # Errors
    /// [`NodeError`].
    pub async fn block(
        &self,
        height: u64,
        namespace: u64,
    ) -> Result<Option<(u64, Vec<Vec<u8>>)>, NodeError> {
        let Some(resp) = self
            .get(&format!("/v0/availability/block/{height}"))
            .await?
        else {
            return Ok(None);
        };
        let b: Block = resp
            .json()
            .await
            .map_err(|e| NodeError::BadAnswer(e.to_string()))?;
        let mut txs = Vec::new();
        for t in b
            .transactions
            .into_iter()
            .filter(|t| t.namespace == namespace)
        {
            let hex = t.payload.strip_prefix("0x").unwrap_or(&t.payload);
            txs.push(hex::decode(hex).map_err(|e| NodeError::BadAnswer(e.to_string()))?);
        }
        Ok(Some((b.header.timestamp_ms, txs)))
    }

    /// Submits `payload` under `namespace` (`POST /v0/submit`).
    ///
    /// # Errors
    /// [`NodeError::Refused`] with the node's message (mempool full, oversized, namespace not
    /// allowed, …); [`NodeError::Unreachable`].
    pub async fn submit(&self, namespace: u64, payload: &[u8]) -> Result<(), NodeError> {
        let url = format!("{}/v0/submit", self.base);
        let body = serde_json::json!({ "namespace": namespace, "payload": format!("0x{}", hex::encode(payload)) });
        let resp = self
            .http
            .post(&url)
            .json(&body)
            .send()
            .await
            .map_err(|source| NodeError::Unreachable { url, source })?;
        if !resp.status().is_success() {
            let status = resp.status().as_u16();
            let body = resp.text().await.unwrap_or_default();
            return Err(NodeError::Refused { status, body });
        }
        Ok(())
    }
}
