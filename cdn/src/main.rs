//! `cdn-server`: see `cdn-server --help` and the `sq_cdn` crate docs.

use anyhow::Context;
use clap::Parser;
use sq_cdn::cli::Args;
use sq_cdn::metrics::{self, Metrics};
use sq_cdn::CdnServer;
use std::sync::Arc;
use tokio::net::TcpListener;
use tracing::info;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    sq_telemetry::init_tracing();
    let args = Args::parse();
    let table = args
        .l1_table()
        .await
        .context("reading the stake table from L1")?;
    if let Some(t) = &table {
        info!(target: "cdn::server", nodes = t.len(), snapshot = %t.commit(), "stake table read from L1");
    }
    let config = args.server_config(table)?;
    let metrics = Arc::new(Metrics::new());
    let server = CdnServer::bind((args.bind, args.port), config, metrics.clone())
        .await
        .with_context(|| format!("binding {}:{}", args.bind, args.port))?;
    let metrics_listener = TcpListener::bind((args.bind, args.metrics_port()?))
        .await
        .context("binding the metrics port")?;
    info!(target: "cdn::server", addr = %server.local_addr()?, metrics = %metrics_listener.local_addr()?, "cdn-server listening");
    tokio::select! {
        r = server.run() => r.context("serving nodes")?,
        r = metrics::serve(metrics_listener, metrics) => r.context("serving metrics")?,
        r = tokio::signal::ctrl_c() => {
            r.context("waiting for Ctrl-C")?;
            info!(target: "cdn::server", "interrupted; shutting down");
        }
    }
    Ok(())
}
