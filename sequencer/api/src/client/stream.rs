//! The client side of `GET /v0/availability/stream/leaves/{from}`: Server-Sent Events decoded
//! into [`LeafBody`]s.
//!
//! The request carries no overall timeout (a stream lives as long as the node does); a
//! connection that sends nothing, not even the server's keep-alive comment (every 15 s), for
//! [`STREAM_READ_TIMEOUT`] is dropped as unreachable. Resuming is the caller's choice: pass the
//! last height it handled as `last_event_id` and the server starts after it (the SSE
//! "Last-Event-ID" rule, see the server's `handlers::stream`).

use std::time::Duration;

use eventsource_stream::Eventsource;
use futures::{Stream, StreamExt};

use super::{malformed, Client, ClientError};
use crate::{ErrorBody, LeafBody};

/// Longest silence on a leaf stream before the client gives up on the connection: three of
/// the server's 15 s keep-alive intervals.
pub const STREAM_READ_TIMEOUT: Duration = Duration::from_secs(45);

/// One item of a leaf stream.
pub type LeafStreamItem = Result<LeafBody, ClientError>;

impl Client {
    /// Opens the leaf stream from `from` (`GET /v0/availability/stream/leaves/{from}`) and
    /// yields each `leaf` event's body in order. With `last_event_id = Some(h)` the request
    /// sends `Last-Event-ID: h`, and the server starts at `max(from, h + 1)`.
    ///
    /// The stream ends when the server closes it. An `error` event (the server's
    /// `{"code", "message"}`) is yielded as [`ClientError::Status`] with status 0 and the
    /// stream goes on, as the server's does; a broken connection or a read timeout
    /// ([`STREAM_READ_TIMEOUT`]) as [`ClientError::Unreachable`]; a `leaf` event whose data is
    /// not a `LeafBody`, or whose `id` is not its height, as [`ClientError::Malformed`].
    ///
    /// # Errors
    /// Opening it: [`ClientError::Unreachable`], or [`ClientError::Status`] for a non-2xx
    /// answer.
    pub async fn leaf_stream(
        &self,
        from: u64,
        last_event_id: Option<u64>,
    ) -> Result<impl Stream<Item = LeafStreamItem> + Send + 'static, ClientError> {
        let url = self.url(&format!("/v0/availability/stream/leaves/{from}"));
        let mut req = self.stream_client(&url)?.get(&url);
        if let Some(id) = last_event_id {
            req = req.header("last-event-id", id.to_string());
        }
        let resp = Self::check(self.send(req, &url).await?, &url).await?;
        let events = resp.bytes_stream().eventsource();
        Ok(events.filter_map(move |event| {
            let url = url.clone();
            async move {
                match event {
                    Err(eventsource_stream::EventStreamError::Transport(source)) => {
                        Some(Err(ClientError::Unreachable { url, source }))
                    }
                    Err(e) => Some(Err(malformed(&url, e))),
                    Ok(ev) if ev.event == "leaf" => Some(leaf_event(&url, &ev.id, &ev.data)),
                    Ok(ev) if ev.event == "error" => Some(Err(ClientError::Status {
                        url,
                        status: 0,
                        body: serde_json::from_str::<ErrorBody>(&ev.data).ok(),
                    })),
                    Ok(_) => None,
                }
            }
        }))
    }
}

impl Client {
    /// The streaming HTTP client, built once.
    fn stream_client(&self, url: &str) -> Result<&reqwest::Client, ClientError> {
        if let Some(c) = self.stream_http.get() {
            return Ok(c);
        }
        let built = reqwest::Client::builder()
            .connect_timeout(self.timeout)
            .read_timeout(STREAM_READ_TIMEOUT)
            .build()
            .map_err(|source| ClientError::Unreachable {
                url: url.to_owned(),
                source,
            })?;
        Ok(self.stream_http.get_or_init(|| built))
    }
}

/// A `leaf` event: its data as a [`LeafBody`] whose height is the event's `id`.
fn leaf_event(url: &str, id: &str, data: &str) -> LeafStreamItem {
    let body: LeafBody = serde_json::from_str(data).map_err(|e| malformed(url, e))?;
    if id != body.header.height.to_string() {
        return Err(malformed(
            url,
            format!(
                "leaf event id {id:?} is not its height {}",
                body.header.height
            ),
        ));
    }
    Ok(body)
}
