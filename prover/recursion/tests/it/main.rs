//! Integration tests of the recursion tables (one test binary, STYLE 21).

mod batch_verifier;
mod bits;
mod chunk_verifier;
mod circuit;
mod common;
mod completeness;
mod compression;
mod hash;
mod leaf;
mod node;
mod ood;
mod real_child;
mod soundness;
