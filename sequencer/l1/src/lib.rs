//! L1 client on alloy: deploys the contracts, reads the stake table, and posts decided blocks with their QCs to the commitments contract.
//!
//! * [`convert`]: Rust types ↔ the contracts' ABI structs (headers, QCs, EIP-2537 points);
//! * [`deploy`]: deploying `StakeTable` and `HotShotCommitments`, registering keys, and the
//!   addresses file other commands read;
//! * [`keys`]: parsing the Ethereum private keys that pay for transactions;
//! * [`stake`]: reading the stake table from L1 instead of a file;
//! * [`task`]: the commitment task that posts decided leaves in runs.
//!
//! The bindings come from `forge bind` (crate `sq-bindings`, checked in). Alloy is used rather
//! than ethers-rs, which is deprecated upstream in favour of alloy.
#![cfg_attr(not(test), forbid(unsafe_code))]

pub mod convert;
pub mod deploy;
pub mod error;
pub mod keys;
pub mod stake;
pub mod task;

pub use error::L1Error;
pub use keys::parse_private_key;
