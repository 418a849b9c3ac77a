//! What every process of the workspace sets up the same way: the tracing subscriber and the Prometheus text rendering of its prometheus-client registry.
//!
//! - Each binary (`sequencer`, `cdn-server`, `rollup`, `prover`, `sq-l1`) calls
//!   [`init_tracing`] first thing in `main`, so every process logs in one format to one place
//!   and stdout stays free for a command's own output (keys, addresses, tables).
//! - Every `/metrics` endpoint answers [`encode_metrics`] of its `prometheus-client` registry
//!   with the content type [`METRICS_CONTENT_TYPE`].
#![forbid(unsafe_code)]

use std::io::IsTerminal;

use prometheus_client::registry::Registry;
use tracing_subscriber::EnvFilter;

/// The content type of what [`encode_metrics`] writes: the OpenMetrics text format 1.0.0,
/// which Prometheus scrapes (it also reads it as the 0.0.4 text format).
pub const METRICS_CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// `registry` in the OpenMetrics text format (ends with `# EOF`). Counters carry the
/// `_total` suffix, which `prometheus-client` appends to the registered name.
#[must_use]
pub fn encode_metrics(registry: &Registry) -> String {
    let mut out = String::new();
    // Writing into a String cannot fail.
    prometheus_client::encoding::text::encode(&mut out, registry).ok();
    out
}

/// The filter used when `RUST_LOG` is unset or does not parse.
pub const DEFAULT_FILTER: &str = "info";

/// Installs the process-wide tracing subscriber: the `RUST_LOG` filter (default
/// [`DEFAULT_FILTER`]), human-readable lines on **stderr**, ANSI colour only when stderr is a
/// terminal (log files stay plain). Call once, before anything logs; a second call (or one
/// after another subscriber was set) leaves the first in place and does nothing.
pub fn init_tracing() {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init()
        .ok();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_render_with_their_help_and_the_eof_marker() {
        let mut registry = Registry::with_prefix("demo");
        let counter = prometheus_client::metrics::counter::Counter::<u64>::default();
        counter.inc_by(3);
        registry.register("widgets", "Widgets made", counter);
        let text = encode_metrics(&registry);
        assert!(text.contains("# HELP demo_widgets Widgets made."), "{text}");
        assert!(text.contains("\ndemo_widgets_total 3\n"), "{text}");
        assert!(text.ends_with("# EOF\n"), "{text}");
    }

    #[test]
    fn a_second_initialisation_is_harmless() {
        init_tracing();
        init_tracing();
        assert!(
            tracing_subscriber::fmt().try_init().is_err(),
            "the first subscriber stays"
        );
    }
}
