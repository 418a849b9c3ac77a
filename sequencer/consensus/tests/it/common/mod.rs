//! Shared fixtures for the state-machine tables: a 4-node network with real BLS keys, honest
//! message builders (signed with the other nodes' keys), and a Malachite-style step runner
//! (`TestStep { desc, input, expect }`, after Malachite's `core-driver/tests/it/basic.rs`).
// Each test binary uses a different subset of these helpers.
#![allow(dead_code, unreachable_pub, unused_imports)]

mod fixtures;
mod io;

pub use fixtures::*;
pub use io::*;

use sq_consensus::{Input, Output};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// A check on a step's outputs and the node's state afterwards; fails by panicking.
pub type Check = Box<dyn Fn(&[Output], &Node)>;

/// What a step's outputs must be.
pub enum Expect {
    /// Exactly these outputs, in this order.
    Outputs(Vec<Output>),
    /// A check on the outputs and the node's state afterwards; fails by panicking (`assert!`).
    That(Check),
}

/// One row of a table: a description, the input, and what must come out.
pub struct TestStep {
    pub desc: &'static str,
    pub input: Input,
    pub expect: Expect,
}

/// A step whose outputs must equal `outputs` exactly.
pub fn step(desc: &'static str, input: Input, outputs: Vec<Output>) -> TestStep {
    TestStep {
        desc,
        input,
        expect: Expect::Outputs(outputs),
    }
}

/// A step checked by `check`.
pub fn check(
    desc: &'static str,
    input: Input,
    check: impl Fn(&[Output], &Node) + 'static,
) -> TestStep {
    TestStep {
        desc,
        input,
        expect: Expect::That(Box::new(check)),
    }
}

/// A step whose outputs must equal `outputs` exactly, after which `state` checks the node.
pub fn step_then(
    desc: &'static str,
    input: Input,
    outputs: Vec<Output>,
    state: impl Fn(&Node) + 'static,
) -> TestStep {
    check(desc, input, move |got, node| {
        assert!(
            got == outputs.as_slice(),
            "outputs differ; want:\n{outputs:#?}"
        );
        state(node);
    })
}

/// Applies every step in order, failing with the step's number and description.
/// Returns each step's outputs.
pub fn run(node: &mut Node, steps: Vec<TestStep>) -> Vec<Vec<Output>> {
    let mut all = Vec::new();
    for (
        i,
        TestStep {
            desc,
            input,
            expect,
        },
    ) in steps.into_iter().enumerate()
    {
        let outputs = node.apply(input);
        match expect {
            Expect::Outputs(want) => {
                assert!(
                    outputs == want,
                    "step {i} `{desc}`: outputs differ\n--- got ---\n{outputs:#?}\n--- want ---\n{want:#?}"
                );
            }
            Expect::That(f) => {
                if let Err(e) = catch_unwind(AssertUnwindSafe(|| f(&outputs, node))) {
                    let why = e
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| e.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                        .unwrap_or_default();
                    panic!("step {i} `{desc}`: {why}\n--- outputs ---\n{outputs:#?}");
                }
            }
        }
        all.push(outputs);
    }
    all
}
