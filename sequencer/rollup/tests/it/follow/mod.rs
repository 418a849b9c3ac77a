//! Following a remote node: every tamper class of a served block is refused for its own
//! reason ([`sq_rollup::follow::verify`]), and [`sq_rollup::follow::LeafStream`] against a
//! fake node (the real `/v0` API over a real stored chain) refuses a tampered namespace proof
//! and resumes after a node restart without skipping or repeating a block.

mod fake_node;
mod stream;
mod verify;
