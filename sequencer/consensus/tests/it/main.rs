//! The integration tests of this crate, one binary (STYLE 21): one module per area.

mod codec;
mod common;
mod decide;
mod decide_edges;
mod rejections;
mod rejections_certs;
mod restart;
mod timeouts;
mod transitions;
mod votes;
