//! prover-cli: inspect and repair the prover pipeline's job tables (status, requeue, restart, delete, stats, file-info, config).
//!
//! Modelled on zkSync's `prover_cli`.
//!
//! The binary (`src/main.rs`) parses [`cli::Cli`] and runs [`commands::run`]; everything that
//! formats output is a pure function in [`render`] or [`file_info`], tested on its own.

pub mod cli;
pub mod commands;
pub mod file_info;
pub mod render;

pub use render::{mask_db_url, render_batch_status, render_stats};
