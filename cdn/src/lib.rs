//! The cdn-server binary: an authenticated relay that admits the stake table's nodes, distributes the network configuration, and relays broadcast and direct messages.
//!
//! `cdn-server -p PORT -n N` waits until `N` nodes have authenticated, sends each the
//! [`sq_network::cdn::NetworkConfig`] (keys and stake of all nodes, consensus timings, block
//! limit, start time), and from then on relays `Broadcast` by topic to every other member and
//! `Direct` to its target (DESIGN.md "CDN server"). The wire protocol and the client live in
//! `sq_network::cdn`.
//!
//! Layout: pure state apart from I/O.
//! * [`admission`]: who may join (open: first N keys; fixed: a table from L1), signature checks;
//! * [`router`]: index → bounded outbox, reporting overflow instead of buffering;
//! * [`hub`]: admission + configuration + routing in one pure state;
//! * [`server`]: tokio listener, handshake, per-connection reader/writer tasks;
//! * [`metrics`]: Prometheus metrics and the `/metrics` endpoint;
//! * [`cli`]: command-line flags and the optional L1 stake-table read.
//!
//! Limits: frames are at most [`sq_network::cdn::MAX_FRAME_BYTES`] (a handshake frame at most
//! 1 KiB); each connection's send queue is bounded in frames and bytes, and a connection whose
//! queue overflows is disconnected. Nothing a connection sends is relayed before it has
//! authenticated and received the configuration.
#![cfg_attr(not(test), forbid(unsafe_code))]

pub mod admission;
pub mod cli;
pub mod hub;
pub mod metrics;
pub mod router;
pub mod server;

pub use server::{CdnServer, ServerConfig};
