//! Straight-line programs over BabyBear⁴ slots: how verifier circuits are written, and
//! their native execution (the witness).
//!
//! A program is a list of [`Op`]s in static single assignment: every slot is written by
//! exactly one op, before any op reads it. [`Builder`] enforces this by construction.

use p3_baby_bear::BabyBear;
use p3_field::extension::BinomialExtensionField;
use p3_field::{BasedVectorSpace, Field, PrimeCharacteristicRing, PrimeField32};

/// The extension field of the slots: BabyBear⁴ = BabyBear\[x\] / (x⁴ − 11), Plonky3's
/// `BinomialExtensionField<BabyBear, 4>` (the chunk proofs' challenge field).
pub type Ext = BinomialExtensionField<BabyBear, 4>;

/// A slot of the program's witness: one [`Ext`] value, written once.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Slot(pub u32);

impl Slot {
    /// The slot's position in the witness.
    pub const fn index(self) -> usize {
        self.0 as usize
    }
}

/// One operation. `out` is the slot it writes ([`Op::AssertZero`] writes none).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// `out = value`, a constant of the program.
    Const {
        /// The written slot.
        out: Slot,
        /// The constant.
        value: Ext,
    },
    /// `out = public[index]`, a base-field public value of the proof (embedded in Ext).
    Public {
        /// The written slot.
        out: Slot,
        /// Position in the public values.
        index: usize,
    },
    /// `out = hint[index]`: a value the prover supplies, constrained only by the ops that
    /// read it (the child proof's contents are hints).
    Hint {
        /// The written slot.
        out: Slot,
        /// Position in the hints.
        index: usize,
    },
    /// `out` = bit `bit` of the canonical integer of the base-field slot `x`: advice the
    /// executor computes, constrained only by the ops that read it (see
    /// [`super::bits::decompose`], which makes the decomposition unique).
    BitOf {
        /// The decomposed slot.
        x: Slot,
        /// Which bit (0 = least significant).
        bit: u8,
        /// The written slot.
        out: Slot,
    },
    /// `out` = coordinate `i` of the BabyBear⁴ slot `x` (embedded as a base-field value):
    /// advice, constrained only by the ops that read it (see
    /// [`super::field::coords`]).
    CoordOf {
        /// The split slot.
        x: Slot,
        /// Which coordinate (0..4).
        i: u8,
        /// The written slot.
        out: Slot,
    },
    /// `out = a + b`.
    Add {
        /// Left operand.
        a: Slot,
        /// Right operand.
        b: Slot,
        /// The written slot.
        out: Slot,
    },
    /// `out = a − b`, proven as `out + b = a`.
    Sub {
        /// Left operand.
        a: Slot,
        /// Right operand.
        b: Slot,
        /// The written slot.
        out: Slot,
    },
    /// `out = a · b`.
    Mul {
        /// Left operand.
        a: Slot,
        /// Right operand.
        b: Slot,
        /// The written slot.
        out: Slot,
    },
    /// `output = Poseidon2(input)`: the permutation of
    /// [`sq_prover_circuits::hash::permutation`] over 16 base-field slots (each read as
    /// `(slot, v, 0, 0, 0)`, so every input and output is a base-field element).
    Permute {
        /// The 16 input slots.
        input: [Slot; 16],
        /// The 16 output slots it writes.
        output: [Slot; 16],
    },
    /// `a = 0`, proven as the addition row `zero + zero = a`; writes no slot.
    AssertZero {
        /// The slot that must hold 0.
        a: Slot,
        /// The program's constant-0 slot.
        zero: Slot,
        /// Which check of the verifier this assertion belongs to ([`Builder::check`]).
        check: &'static str,
    },
    /// `out = a / b`, proven as `out · b = a`. Execution refuses `b = 0`; the constraint
    /// alone leaves `out` free when `a = b = 0`, so circuits divide only by values that
    /// are non-zero by construction (constants, roots of unity) or with overwhelming
    /// probability over the transcript (`β − x` for a random `β`), or check it with
    /// [`Builder::inverse`] (whose constraint `out · b = 1` has no solution for `b = 0`).
    Div {
        /// Dividend.
        a: Slot,
        /// Divisor.
        b: Slot,
        /// The written slot.
        out: Slot,
    },
}

impl Op {
    /// Whether this op writes slot `s`.
    pub fn writes(&self, s: Slot) -> bool {
        match *self {
            Op::Const { out, .. }
            | Op::Public { out, .. }
            | Op::Hint { out, .. }
            | Op::BitOf { out, .. }
            | Op::CoordOf { out, .. }
            | Op::Add { out, .. }
            | Op::Sub { out, .. }
            | Op::Mul { out, .. }
            | Op::Div { out, .. } => out == s,
            Op::Permute { output, .. } => output.contains(&s),
            Op::AssertZero { .. } => false,
        }
    }
}

/// Why a program could not run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RunError {
    /// Fewer public values than the program reads.
    #[error("the program reads {expected} public values, {got} were given")]
    Publics {
        /// Public values the program declares.
        expected: usize,
        /// Given.
        got: usize,
    },
    /// Fewer hints than the program reads.
    #[error("the program reads {expected} hints, {got} were given")]
    Hints {
        /// Hints the program declares.
        expected: usize,
        /// Given.
        got: usize,
    },
    /// An asserted-zero slot holds another value: the statement is false.
    #[error("the {check} fails (slot {slot} must be zero)")]
    Assertion {
        /// The slot.
        slot: u32,
        /// The check it belongs to.
        check: &'static str,
    },
    /// A permutation input or a decomposed slot is not a base-field element.
    #[error("slot {0} is not in the base field")]
    NotBase(u32),
    /// A division by zero (`Div` or an inverse).
    #[error("division by zero writing slot {0}")]
    DivisionByZero(u32),
}

/// A straight-line program: its ops, slot count and input counts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Program {
    ops: Vec<Op>,
    slots: usize,
    publics: usize,
    hints: usize,
}

impl Program {
    /// The ops in execution order.
    pub fn ops(&self) -> &[Op] {
        &self.ops
    }

    /// Slots written (the witness length).
    pub const fn slots(&self) -> usize {
        self.slots
    }

    /// Public values read.
    pub const fn publics(&self) -> usize {
        self.publics
    }

    /// Hints read.
    pub const fn hints(&self) -> usize {
        self.hints
    }

    /// Executes the program: the value of every slot.
    ///
    /// # Errors
    /// [`RunError`]: too few publics or hints, or a division by zero.
    pub fn run(&self, publics: &[BabyBear], hints: &[Ext]) -> Result<Vec<Ext>, RunError> {
        self.execute(publics, hints, true)
    }

    /// Executes the program without stopping at failed assertions: the witness a
    /// cheating prover would commit to, for soundness tests.
    ///
    /// # Errors
    /// As [`Program::run`], without [`RunError::Assertion`].
    #[doc(hidden)]
    pub fn run_unchecked(&self, publics: &[BabyBear], hints: &[Ext]) -> Result<Vec<Ext>, RunError> {
        self.execute(publics, hints, false)
    }

    /// Executes the program as [`Program::run_unchecked`] does, but every slot listed in
    /// `overrides` takes the given value right after its op writes it: a cheating
    /// prover's choice of advice, for soundness tests.
    ///
    /// # Errors
    /// As [`Program::run_unchecked`].
    #[doc(hidden)]
    pub fn run_overriding(
        &self,
        publics: &[BabyBear],
        hints: &[Ext],
        overrides: &[(Slot, Ext)],
    ) -> Result<Vec<Ext>, RunError> {
        self.execute_with(publics, hints, false, overrides)
    }

    fn execute(
        &self,
        publics: &[BabyBear],
        hints: &[Ext],
        check: bool,
    ) -> Result<Vec<Ext>, RunError> {
        self.execute_with(publics, hints, check, &[])
    }

    fn execute_with(
        &self,
        publics: &[BabyBear],
        hints: &[Ext],
        check: bool,
        overrides: &[(Slot, Ext)],
    ) -> Result<Vec<Ext>, RunError> {
        if publics.len() < self.publics {
            return Err(RunError::Publics {
                expected: self.publics,
                got: publics.len(),
            });
        }
        if hints.len() < self.hints {
            return Err(RunError::Hints {
                expected: self.hints,
                got: hints.len(),
            });
        }
        let mut w = vec![Ext::ZERO; self.slots];
        for op in &self.ops {
            match step(op, &mut w, publics, hints) {
                Err(RunError::Assertion { .. }) if !check => {}
                other => other?,
            }
            for (s, v) in overrides {
                if op.writes(*s) {
                    w[s.index()] = *v;
                }
            }
        }
        Ok(w)
    }
}

/// Executes one op over the witness so far, writing its output slots.
fn step(op: &Op, w: &mut [Ext], publics: &[BabyBear], hints: &[Ext]) -> Result<(), RunError> {
    let (out, value) = match *op {
        Op::Const { out, value } => (out, value),
        Op::Public { out, index } => (out, Ext::from(publics[index])),
        Op::Hint { out, index } => (out, hints[index]),
        Op::BitOf { x, bit, out } => {
            let v = base(&w[x.index()]).ok_or(RunError::NotBase(x.0))?;
            let b = (v.as_canonical_u32() >> bit) & 1;
            (out, Ext::from(BabyBear::from_u32(b)))
        }
        Op::CoordOf { x, i, out } => {
            let c = <Ext as BasedVectorSpace<BabyBear>>::as_basis_coefficients_slice(&w[x.index()]);
            (out, Ext::from(c[usize::from(i)]))
        }
        Op::Add { a, b, out } => (out, w[a.index()] + w[b.index()]),
        Op::Sub { a, b, out } => (out, w[a.index()] - w[b.index()]),
        Op::Mul { a, b, out } => (out, w[a.index()] * w[b.index()]),
        Op::Div { a, b, out } => {
            let inv = w[b.index()]
                .try_inverse()
                .ok_or(RunError::DivisionByZero(out.0))?;
            (out, w[a.index()] * inv)
        }
        Op::Permute { input, output } => {
            let mut state = [BabyBear::ZERO; 16];
            for (x, s) in state.iter_mut().zip(input) {
                *x = base(&w[s.index()]).ok_or(RunError::NotBase(s.0))?;
            }
            for (y, s) in sq_prover_circuits::hash::permute(state)
                .into_iter()
                .zip(output)
            {
                w[s.index()] = Ext::from(y);
            }
            return Ok(());
        }
        Op::AssertZero { a, check, .. } => {
            return if w[a.index()] == Ext::ZERO {
                Ok(())
            } else {
                Err(RunError::Assertion { slot: a.0, check })
            };
        }
    };
    w[out.index()] = value;
    Ok(())
}

/// `x` as a base-field element, when its other coordinates are 0.
pub fn base(x: &Ext) -> Option<BabyBear> {
    let c = <Ext as BasedVectorSpace<BabyBear>>::as_basis_coefficients_slice(x);
    c[1..].iter().all(|v| *v == BabyBear::ZERO).then_some(c[0])
}

/// Builds a [`Program`]: each method appends one op and returns the slot it writes.
#[derive(Debug, Default)]
pub struct Builder {
    ops: Vec<Op>,
    consts: std::collections::HashMap<[u32; 4], Slot>,
    slots: u32,
    publics: usize,
    hints: usize,
    check: &'static str,
}

impl Builder {
    /// An empty program.
    pub fn new() -> Self {
        Builder {
            check: "assertion",
            ..Self::default()
        }
    }

    /// Names the check that the assertions emitted from now on belong to (reported by
    /// [`RunError::Assertion`]).
    pub fn check(&mut self, name: &'static str) {
        self.check = name;
    }

    fn fresh(&mut self) -> Slot {
        let s = Slot(self.slots);
        self.slots += 1;
        s
    }

    fn push(&mut self, make: impl FnOnce(Slot) -> Op) -> Slot {
        let out = self.fresh();
        self.ops.push(make(out));
        out
    }

    /// A constant (one slot per distinct value).
    pub fn constant(&mut self, value: Ext) -> Slot {
        let key: [u32; 4] = core::array::from_fn(|i| {
            <Ext as BasedVectorSpace<BabyBear>>::as_basis_coefficients_slice(&value)[i]
                .as_canonical_u32()
        });
        if let Some(&s) = self.consts.get(&key) {
            return s;
        }
        let s = self.push(|out| Op::Const { out, value });
        self.consts.insert(key, s);
        s
    }

    /// The constant 0.
    pub fn zero(&mut self) -> Slot {
        self.constant(Ext::ZERO)
    }

    /// The constant 1.
    pub fn one(&mut self) -> Slot {
        self.constant(Ext::ONE)
    }

    /// The next public value (base field).
    pub fn public(&mut self) -> Slot {
        let index = self.publics;
        self.publics += 1;
        self.push(|out| Op::Public { out, index })
    }

    /// The next hint.
    pub fn hint(&mut self) -> Slot {
        let index = self.hints;
        self.hints += 1;
        self.push(|out| Op::Hint { out, index })
    }

    /// `a + b`.
    pub fn add(&mut self, a: Slot, b: Slot) -> Slot {
        self.push(|out| Op::Add { a, b, out })
    }

    /// `a − b`.
    pub fn sub(&mut self, a: Slot, b: Slot) -> Slot {
        self.push(|out| Op::Sub { a, b, out })
    }

    /// `a · b`.
    pub fn mul(&mut self, a: Slot, b: Slot) -> Slot {
        self.push(|out| Op::Mul { a, b, out })
    }

    /// `a / b` (see [`Op::Div`] for `b = 0`).
    pub fn div(&mut self, a: Slot, b: Slot) -> Slot {
        self.push(|out| Op::Div { a, b, out })
    }

    /// `1 / b`; the proof fails when `b = 0`.
    pub fn inverse(&mut self, b: Slot) -> Slot {
        let one = self.one();
        self.div(one, b)
    }

    /// Bit `bit` of the canonical integer of base-field slot `x`, as unconstrained
    /// advice (see [`super::bits::decompose`]).
    pub fn bit_of(&mut self, x: Slot, bit: u8) -> Slot {
        self.push(|out| Op::BitOf { x, bit, out })
    }

    /// Coordinate `i` of slot `x`, as unconstrained advice (see [`super::field::coords`]).
    pub fn coord_of(&mut self, x: Slot, i: u8) -> Slot {
        self.push(|out| Op::CoordOf { x, i, out })
    }

    /// `Poseidon2(input)`, the 16 output slots.
    pub fn permute(&mut self, input: [Slot; 16]) -> [Slot; 16] {
        let output: [Slot; 16] = core::array::from_fn(|_| self.fresh());
        self.ops.push(Op::Permute { input, output });
        output
    }

    /// Constrains `a = 0` (an addition row `0 + 0 = a`; it writes no slot).
    pub fn assert_zero(&mut self, a: Slot) {
        let zero = self.zero();
        self.ops.push(Op::AssertZero {
            a,
            zero,
            check: self.check,
        });
    }

    /// Constrains `a = b`.
    pub fn assert_eq(&mut self, a: Slot, b: Slot) {
        let d = self.sub(a, b);
        self.assert_zero(d);
    }

    /// The finished program.
    pub fn build(self) -> Program {
        Program {
            ops: self.ops,
            slots: self.slots as usize,
            publics: self.publics,
            hints: self.hints,
        }
    }
}
