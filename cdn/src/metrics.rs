//! Prometheus metrics of the CDN server (`prometheus-client`), served as OpenMetrics text on
//! `GET /metrics` by [`serve`].

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use std::sync::Arc;
use tokio::net::TcpListener;

/// Label of the relay metrics: `broadcast_global`, `broadcast_da` or `direct`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct KindLabel {
    /// See [`crate::hub::Kind::as_str`].
    pub kind: &'static str,
}

/// Label of the drop and refusal metrics.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReasonLabel {
    /// A `snake_case` reason.
    pub reason: &'static str,
}

/// Every metric the server exports. Cloning shares the underlying values.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    /// `cdn_connections`: open TCP connections, in any state.
    pub connections: Gauge,
    /// `cdn_authenticated_nodes`: stake-table members with a live, configured connection.
    pub authenticated_nodes: Gauge,
    /// `cdn_relayed_messages_total{kind}`: frames enqueued to recipients (one per recipient).
    pub relayed_messages: Family<KindLabel, Counter>,
    /// `cdn_relayed_bytes_total{kind}`: payload bytes enqueued to recipients (per recipient).
    pub relayed_bytes: Family<KindLabel, Counter>,
    /// `cdn_dropped_messages_total{reason}`: copies not delivered. `unreachable`: the recipient
    /// is offline; `overflow`: its queue was full (it is then disconnected); `not_member`: the
    /// sender has no configuration yet.
    pub dropped: Family<ReasonLabel, Counter>,
    /// `cdn_slow_readers_disconnected_total`: connections closed because their queue overflowed.
    pub slow_readers: Counter,
    /// `cdn_refused_connections_total{reason}`: connections closed with an error frame, by
    /// error code (`unknown_key`, `duplicate_key`, `bad_signature`, ...).
    pub refused: Family<ReasonLabel, Counter>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    /// Fresh metrics, registered under the `cdn_` prefix.
    #[must_use]
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("cdn");
        let m = Metrics {
            registry: Registry::default(),
            connections: Gauge::default(),
            authenticated_nodes: Gauge::default(),
            relayed_messages: Family::default(),
            relayed_bytes: Family::default(),
            dropped: Family::default(),
            slow_readers: Counter::default(),
            refused: Family::default(),
        };
        registry.register(
            "connections",
            "Open TCP connections, in any state",
            m.connections.clone(),
        );
        registry.register(
            "authenticated_nodes",
            "Stake-table members with a live, configured connection",
            m.authenticated_nodes.clone(),
        );
        registry.register(
            "relayed_messages",
            "Frames enqueued to recipients, one per recipient",
            m.relayed_messages.clone(),
        );
        registry.register(
            "relayed_bytes",
            "Payload bytes enqueued to recipients, per recipient",
            m.relayed_bytes.clone(),
        );
        registry.register(
            "dropped_messages",
            "Message copies not delivered, by reason",
            m.dropped.clone(),
        );
        registry.register(
            "slow_readers_disconnected",
            "Connections closed because their send queue overflowed",
            m.slow_readers.clone(),
        );
        registry.register(
            "refused_connections",
            "Connections refused with an error frame, by error code",
            m.refused.clone(),
        );
        Metrics { registry, ..m }
    }

    /// Counts `n` dropped copies for `reason`.
    pub fn drop_n(&self, reason: &'static str, n: u64) {
        if n > 0 {
            self.dropped
                .get_or_create(&ReasonLabel { reason })
                .inc_by(n);
        }
    }

    /// The OpenMetrics text exposition ([`sq_telemetry::encode_metrics`]).
    #[must_use]
    pub fn render(&self) -> String {
        sq_telemetry::encode_metrics(&self.registry)
    }
}

/// Serves `GET /metrics` on `listener` until the task is dropped.
///
/// # Errors
/// An I/O error from the HTTP server.
pub async fn serve(listener: TcpListener, metrics: Arc<Metrics>) -> std::io::Result<()> {
    let app = axum::Router::new().route(
        "/metrics",
        axum::routing::get(move || {
            let metrics = metrics.clone();
            async move {
                (
                    [(
                        axum::http::header::CONTENT_TYPE,
                        sq_telemetry::METRICS_CONTENT_TYPE,
                    )],
                    metrics.render(),
                )
            }
        }),
    );
    axum::serve(listener, app).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_names_every_metric() {
        let m = Metrics::new();
        m.connections.inc();
        m.drop_n("overflow", 2);
        m.refused
            .get_or_create(&ReasonLabel {
                reason: "bad_signature",
            })
            .inc();
        let text = m.render();
        for needle in [
            "cdn_connections 1",
            "cdn_authenticated_nodes 0",
            "cdn_dropped_messages_total{reason=\"overflow\"} 2",
            "cdn_refused_connections_total{reason=\"bad_signature\"} 1",
            "cdn_slow_readers_disconnected_total 0",
            "# TYPE cdn_relayed_bytes counter",
        ] {
            assert!(text.contains(needle), "{needle} missing in\n{text}");
        }
    }
}
