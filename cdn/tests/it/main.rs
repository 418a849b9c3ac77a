//! The integration tests of this crate, one binary (STYLE 21): one module per area.

mod common;
mod handshake;
mod reconnect;
mod relay;
