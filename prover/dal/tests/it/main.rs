//! The prover DAL on both dialects (one test binary): the pipeline end to end, picking rules,
//! concurrency, the house keeper, the repair commands and connecting.

mod common;
mod connect;
mod house_keeping;
mod picking;
mod pipeline;
