//! `GET /v0/availability/stream/leaves/{from}`: stored leaves from `from` in order, then each
//! new one once `stored_height` announces it; ends when the announcing side is gone.

use std::time::Duration;

use crate::common::*;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use sq_api::LeafBody;
use tower::ServiceExt;

/// Reads Server-Sent Events off a response body.
struct Events {
    body: Body,
    buf: String,
}

/// One event: name, id, data.
type Event = (String, String, String);

impl Events {
    async fn open(f: &Fixture, from: u64) -> Events {
        Events::open_after(f, from, None).await
    }

    /// Opens the stream as a reconnecting client that last saw event `last_id`.
    async fn open_after(f: &Fixture, from: u64, last_id: Option<&str>) -> Events {
        let mut req = Request::get(format!("/v0/availability/stream/leaves/{from}"));
        if let Some(id) = last_id {
            req = req.header("Last-Event-ID", id);
        }
        let req = req.body(Body::empty()).expect("request");
        let resp = f.router().oneshot(req).await.expect("infallible");
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(
            resp.headers().get("content-type").map(|v| v.as_bytes()),
            Some(&b"text/event-stream"[..])
        );
        Events {
            body: resp.into_body(),
            buf: String::new(),
        }
    }

    /// The next event, or `None` when the stream ended. Fails the test after 10 s: a guard
    /// against a hang, not a timing assumption (every event is ready or announced already).
    async fn next(&mut self) -> Option<Event> {
        tokio::time::timeout(Duration::from_secs(10), self.read())
            .await
            .expect("an event or the end within 10 s")
    }

    async fn read(&mut self) -> Option<Event> {
        loop {
            if let Some(i) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..i + 2).collect();
                let (mut event, mut id, mut data) = (String::new(), String::new(), String::new());
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event: ") {
                        event = v.to_owned();
                    } else if let Some(v) = line.strip_prefix("id: ") {
                        id = v.to_owned();
                    } else if let Some(v) = line.strip_prefix("data: ") {
                        data.push_str(v);
                    }
                }
                if event.is_empty() {
                    continue; // a keep-alive comment
                }
                return Some((event, id, data));
            }
            let frame = self.body.frame().await?.expect("body frame");
            if let Ok(bytes) = frame.into_data() {
                self.buf
                    .push_str(std::str::from_utf8(&bytes).expect("utf-8"));
            }
        }
    }

    async fn next_leaf(&mut self) -> LeafBody {
        let (event, id, data) = self.next().await.expect("a leaf event");
        assert_eq!(event, "leaf", "{data}");
        let leaf: LeafBody = serde_json::from_str(&data).expect("leaf JSON");
        assert_eq!(id, leaf.header.height.to_string());
        leaf
    }
}

#[tokio::test]
async fn streams_stored_leaves_in_order_then_new_ones() {
    let f = Fixture::new().await;
    let mut events = Events::open(&f, 2).await;
    for h in 2..=LEAF_ONLY {
        let leaf = events.next_leaf().await;
        assert_eq!(leaf.header.height, h);
        assert_eq!(leaf.decode().expect("decodes").0, f.block(h).leaf);
    }
    let next = block(
        LEAF_ONLY + 1,
        Some(&f.block(LEAF_ONLY).leaf),
        &txs_at(LEAF_ONLY + 1),
    );
    f.storage.insert_decided(&next).await.expect("stores");
    f.stored_height.send_replace(LEAF_ONLY + 1);
    let leaf = events.next_leaf().await;
    assert_eq!(leaf.header.height, LEAF_ONLY + 1);
    assert_eq!(leaf.decode().expect("decodes"), (next.leaf, next.qc));
}

#[tokio::test]
async fn a_stream_from_the_future_waits_and_ends_when_the_node_stops() {
    let f = Fixture::new().await;
    let mut events = Events::open(&f, LEAF_ONLY + 1).await;
    let next = block(
        LEAF_ONLY + 1,
        Some(&f.block(LEAF_ONLY).leaf),
        &txs_at(LEAF_ONLY + 1),
    );
    f.storage.insert_decided(&next).await.expect("stores");
    f.stored_height.send_replace(LEAF_ONLY + 1);
    assert_eq!(events.next_leaf().await.header.height, LEAF_ONLY + 1);
    let Fixture { stored_height, .. } = f;
    drop(stored_height);
    assert_eq!(events.next().await, None, "the stream ends with its sender");
}

#[tokio::test]
async fn a_closed_storage_ends_the_stream_with_an_error_event() {
    let f = Fixture::new().await;
    let mut events = Events::open(&f, 0).await;
    assert_eq!(events.next_leaf().await.header.height, 0);
    f.storage.close().await;
    // The rest of the first page was read before the close.
    for h in 1..=LEAF_ONLY {
        assert_eq!(events.next_leaf().await.header.height, h);
    }
    f.stored_height.send_replace(LEAF_ONLY + 1);
    let (event, _, data) = events.next().await.expect("an error event");
    assert_eq!(event, "error");
    let body: serde_json::Value = serde_json::from_str(&data).expect("JSON");
    assert_eq!(body["code"], "storage_unavailable");
    assert_eq!(events.next().await, None);
}

#[tokio::test]
async fn a_reconnecting_client_resumes_after_its_last_event_id() {
    let f = Fixture::new().await;
    let mut first = Events::open(&f, 0).await;
    let (_, last_id, _) = first.next().await.expect("an event");
    assert_eq!(last_id, "0");
    assert_eq!(first.next_leaf().await.header.height, 1);
    drop(first);
    // The client saw heights 0 and 1 and reconnects with the URL it first used.
    let mut resumed = Events::open_after(&f, 0, Some("1")).await;
    for h in 2..=LEAF_ONLY {
        assert_eq!(
            resumed.next_leaf().await.header.height,
            h,
            "no skip, no repeat"
        );
    }
    // A garbled header is ignored: the path's `from` applies.
    let mut garbled = Events::open_after(&f, 1, Some("one")).await;
    assert_eq!(garbled.next_leaf().await.header.height, 1);
}
