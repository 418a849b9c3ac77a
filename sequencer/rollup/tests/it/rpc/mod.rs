//! The rollup's JSON-RPC over HTTP: every method, the execution-apis fields of block,
//! transaction and receipt objects, -32602 for each class of ill-typed parameter, batches,
//! and the answers the server gave before it moved to jsonrpsee. Blocks are applied directly
//! (no sequencer, no clock); a stub node takes submissions.

mod batch;
mod harness;
mod invalid;
mod methods;
mod new_methods;
mod objects;
