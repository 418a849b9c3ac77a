//! `GET /v0/availability/stream/leaves/{from}`: Server-Sent Events, one `leaf` event per stored
//! height from `from` upward.
//!
//! The stream reads storage a page ([`MAX_LEAVES_PER_REQUEST`] leaves) at a time up to
//! [`ApiState::stored_height`], then waits for that value to change. It is pulled by the
//! connection: the next page is read only once the previous one is written to the socket, so a
//! slow client holds at most one page in memory. Heights absent from storage are skipped; each
//! event's `id` is its height, so a client sees a gap.
//!
//! Resuming (the Server-Sent Events specification, "Last-Event-ID"): a client that reconnects
//! with a `Last-Event-ID: H` header (a decimal height, as every `leaf` event's `id` is) gets
//! the stream from `max(from, H + 1)`, so it neither skips nor repeats a height. A header that
//! is not a decimal `u64` is ignored.
//!
//! Errors are `error` events whose data is the usual `{"code", "message"}`: after a retryable
//! storage error the stream waits [`RETRY_AFTER`] and goes on; after any other it ends. It also
//! ends once the `stored_height` sender is gone (the node is stopping) and every stored leaf was
//! sent; otherwise only when the client disconnects.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::Stream;
use sq_storage::Storage;
use sq_types::{Height, Leaf, QuorumCertificate};
use tokio::sync::watch;

use crate::body::LeafBody;
use crate::error::ApiError;
use crate::extract::PathParams;
use crate::{ApiState, MAX_LEAVES_PER_REQUEST};

/// Wait after a retryable storage error before reading again.
const RETRY_AFTER: Duration = Duration::from_secs(1);

/// The `Last-Event-ID` request header (SSE resumption).
const LAST_EVENT_ID: &str = "last-event-id";

/// Server-Sent Events: one `leaf` event (id = height, data = a `LeafBody`) per stored height
/// from `from` upward, then each new one as it is stored; `error` events carry an
/// `ErrorBody`. Ends when the client disconnects.
#[utoipa::path(
    get,
    path = "/v0/availability/stream/leaves/{from}",
    params(
        ("from" = u64, Path, description = "First height"),
        ("Last-Event-ID" = Option<u64>, Header, description = "Resume: the id (height) of the last event this client received; the stream starts after it when that is later than `from`. Ignored unless a decimal integer"),
    ),
    responses((status = 200, description = "An event stream", body = String, content_type = "text/event-stream"), crate::openapi::StreamErrors),
)]
pub(crate) async fn leaves(
    State(state): State<ApiState>,
    PathParams(from): PathParams<u64>,
    headers: HeaderMap,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let cursor = Cursor {
        storage: state.storage,
        stored: state.stored_height,
        next: resume_from(from, &headers),
        page: VecDeque::new(),
        phase: Phase::Live,
    };
    Sse::new(futures::stream::unfold(cursor, Cursor::step)).keep_alive(KeepAlive::default())
}

/// The first height to send: `from`, or the height after the client's `Last-Event-ID` when
/// that is later.
fn resume_from(from: u64, headers: &HeaderMap) -> u64 {
    headers
        .get(LAST_EVENT_ID)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map_or(from, |last| from.max(last.saturating_add(1)))
}

/// What the cursor does next besides sending buffered leaves.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Read storage, wait for new heights.
    Live,
    /// Sleep [`RETRY_AFTER`], then read again.
    Retry,
    /// The sender is gone: send what is stored, then end.
    Draining,
    /// End the stream.
    Done,
}

/// One client's position in the chain.
struct Cursor {
    storage: Storage,
    stored: watch::Receiver<u64>,
    /// The lowest height not yet sent.
    next: u64,
    /// Leaves read but not yet sent, ascending, all `>= next`.
    page: VecDeque<(Leaf, QuorumCertificate)>,
    phase: Phase,
}

impl Cursor {
    /// The next event, or `None` to end the stream.
    async fn step(mut self) -> Option<(Result<Event, Infallible>, Cursor)> {
        loop {
            if let Some((leaf, qc)) = self.page.pop_front() {
                self.next = leaf.header.height.0.saturating_add(1);
                return Some((Ok(leaf_event(&leaf, &qc)), self));
            }
            match self.phase {
                Phase::Done => return None,
                Phase::Retry => {
                    tokio::time::sleep(RETRY_AFTER).await;
                    self.phase = Phase::Live;
                }
                Phase::Live | Phase::Draining => {
                    let top = *self.stored.borrow_and_update();
                    if self.next <= top {
                        if let Err(e) = self.read_page(top).await {
                            return Some((Ok(error_event(&e)), self));
                        }
                    } else if self.phase == Phase::Draining {
                        return None;
                    } else if self.stored.changed().await.is_err() {
                        self.phase = Phase::Draining;
                    }
                }
            }
        }
    }

    /// Reads the next page from `next`. When nothing is stored up to `top` the heights in
    /// between are gaps and are skipped. On error sets the phase for the retry policy.
    async fn read_page(&mut self, top: u64) -> Result<(), ApiError> {
        match self
            .storage
            .leaves(Height(self.next), MAX_LEAVES_PER_REQUEST)
            .await
        {
            Ok(found) if found.is_empty() => {
                self.next = top.saturating_add(1);
                Ok(())
            }
            Ok(found) => {
                self.page.extend(found);
                Ok(())
            }
            Err(e) => {
                self.phase = if e.is_retryable() && self.phase == Phase::Live {
                    Phase::Retry
                } else {
                    Phase::Done
                };
                Err(ApiError::from(e))
            }
        }
    }
}

fn leaf_event(leaf: &Leaf, qc: &QuorumCertificate) -> Event {
    let height = leaf.header.height.0;
    match serde_json::to_string(&LeafBody::new(leaf, qc)) {
        Ok(json) => Event::default()
            .event("leaf")
            .id(height.to_string())
            .data(json),
        Err(e) => error_event(&ApiError::internal(format!(
            "serializing the leaf at height {height}: {e}"
        ))),
    }
}

fn error_event(e: &ApiError) -> Event {
    let json = serde_json::to_string(&e.body()).unwrap_or_default();
    Event::default().event("error").data(json)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_last(id: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(LAST_EVENT_ID, id.parse().expect("header value"));
        h
    }

    #[test]
    fn last_event_id_resumes_after_it_and_never_before_from() {
        assert_eq!(resume_from(3, &HeaderMap::new()), 3);
        assert_eq!(resume_from(3, &with_last("7")), 8);
        assert_eq!(resume_from(9, &with_last("7")), 9, "from is later");
        assert_eq!(resume_from(3, &with_last(" 7 ")), 8);
        assert_eq!(resume_from(3, &with_last("x")), 3, "ignored");
        assert_eq!(resume_from(3, &with_last("-1")), 3, "ignored");
        assert_eq!(
            resume_from(0, &with_last(&u64::MAX.to_string())),
            u64::MAX,
            "saturates"
        );
    }
}
