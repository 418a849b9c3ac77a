//! The integration tests of this crate, one binary (STYLE 21): one module per area.

#[macro_use]
mod common;
mod durability;
mod failures;
mod storage;
