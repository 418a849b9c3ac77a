//! The integration tests of this crate, one binary (STYLE 21): one module per area.

mod binary;
mod common;
mod db;
mod decode;
mod execute;
mod follow;
mod restart;
mod rpc;
