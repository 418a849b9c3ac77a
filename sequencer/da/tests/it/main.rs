//! Integration tests for `sq-da`, one binary (modules below) to keep build time down. All
//! randomness is seeded ChaCha, so every run checks the same cases.

mod codec;
mod common;
mod inconsistent;
mod layout;
mod namespace;
mod recovery;
mod tamper;
