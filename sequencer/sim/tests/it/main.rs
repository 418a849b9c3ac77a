//! The integration tests of this crate, one binary (STYLE 21): one module per area.

mod recovery;
mod safety;
