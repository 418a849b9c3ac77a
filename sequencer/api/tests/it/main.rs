//! The integration tests of this crate, one binary (STYLE 21): one module per area.

mod availability;
mod client;
mod common;
mod errors;
mod namespace;
mod openapi;
mod stream;
mod submit;
