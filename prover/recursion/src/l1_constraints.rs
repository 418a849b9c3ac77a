//! The constraint programs of the on-chain verifier: each table's constraints, compiled
//! from `p3_batch_stark`'s symbolic constraints (the AIR's own and its LogUp gadget's,
//! `get_symbolic_constraints`) into a compact straight-line program that
//! `contracts/src/verifier/StarkConstraints.sol` interprets at ζ. Generated, not
//! hand-written: the same compiler serves any table of any circuit, and a program is data
//! (no contract-size limit applies to it, and its hash can be pinned by a verifying key).
//!
//! # Format
//!
//! A program is a byte string of instructions; every instruction but `FOLD` appends one
//! value (a `BabyBear4` element) to a value list, and operands are big-endian `u16`
//! indices into that list or into an input. Shared sub-expressions are compiled once.
//!
//! | opcode | operands | appends |
//! |---|---|---|
//! | `ADD`, `SUB`, `MUL` 0x01–0x03 | `a`, `b` | `v[a] ∘ v[b]` |
//! | `NEG` 0x04 | `a` | `−v[a]` |
//! | `MAIN`, `MAIN_NEXT` 0x10–0x11 | column | the main row at ζ / gζ |
//! | `PRE`, `PRE_NEXT` 0x12–0x13 | column | the preprocessed row at ζ / gζ |
//! | `PUBLIC` 0x14 | index | a public value |
//! | `PERM`, `PERM_NEXT` 0x15–0x16 | column | an extension column of the permutation trace |
//! | `CHALLENGE` 0x17 | index | a lookup challenge (`[bus prefix, β]` per lookup) |
//! | `PERM_VALUE` 0x18 | index | the table's lookup terminal |
//! | `FIRST`, `LAST`, `TRANSITION` 0x20–0x22 | — | the selector at ζ |
//! | `CONST` 0x30 | 4 bytes | a base constant (canonical, big-endian) |
//! | `EXT_CONST` 0x31 | 16 bytes | an extension constant, coefficient 0 first |
//! | `FOLD` 0x40 | `a` | nothing: `acc ← acc·α + v[a]` |
//!
//! Constraints are folded in Plonky3's order (the verifier's folder): the base-field
//! constraints, then the extension ones.

use std::collections::HashMap;

use p3_air::symbolic::{
    AirLayout, BaseEntry, BaseLeaf, ExtEntry, ExtLeaf, SymbolicExpression, SymbolicExpressionExt,
};
use p3_baby_bear::BabyBear;
use p3_batch_stark::symbolic::get_symbolic_constraints;
use p3_field::{BasedVectorSpace, PrimeField32};
use p3_lookup::{Kind, LogUpGadget, Lookup};
use p3_uni_stark::SymbolicExpr;

use crate::circuit::tables::TableAir;
use crate::circuit::Ext;

/// The opcodes (module docs).
#[allow(missing_docs)]
pub mod opcode {
    pub const ADD: u8 = 0x01;
    pub const SUB: u8 = 0x02;
    pub const MUL: u8 = 0x03;
    pub const NEG: u8 = 0x04;
    pub const MAIN: u8 = 0x10;
    pub const MAIN_NEXT: u8 = 0x11;
    pub const PRE: u8 = 0x12;
    pub const PRE_NEXT: u8 = 0x13;
    pub const PUBLIC: u8 = 0x14;
    pub const PERM: u8 = 0x15;
    pub const PERM_NEXT: u8 = 0x16;
    pub const CHALLENGE: u8 = 0x17;
    pub const PERM_VALUE: u8 = 0x18;
    pub const FIRST: u8 = 0x20;
    pub const LAST: u8 = 0x21;
    pub const TRANSITION: u8 = 0x22;
    pub const CONST: u8 = 0x30;
    pub const EXT_CONST: u8 = 0x31;
    pub const FOLD: u8 = 0x40;
}

/// One table's compiled constraints.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConstraintProgram {
    /// The instructions.
    pub code: Vec<u8>,
    /// How many values the program appends (the interpreter's list length).
    pub values: usize,
    /// How many constraints it folds.
    pub constraints: usize,
}

/// Why a table does not compile.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CompileError {
    /// An index does not fit the format's 16 bits.
    #[error("{what} index {index} does not fit 16 bits")]
    TooLarge {
        /// Which index.
        what: &'static str,
        /// Its value.
        index: usize,
    },
    /// The AIR reads a periodic column (not in the format).
    #[error("periodic columns are not supported")]
    Periodic,
}

/// Compiles `air`'s constraints with its `lookups` (LogUp) into a program.
///
/// # Errors
/// [`CompileError`] for a table outside the format.
pub fn compile(
    air: &TableAir,
    lookups: &[Lookup<BabyBear>],
) -> Result<ConstraintProgram, CompileError> {
    let (base, ext) = get_symbolic_constraints::<BabyBear, Ext, _, _>(
        air,
        AirLayout::from_air(air),
        lookups,
        &LogUpGadget::new(),
    );
    let mut e = Emitter::default();
    for c in &base {
        let v = e.base(c)?;
        e.op1(opcode::FOLD, v)?;
    }
    for c in &ext {
        let v = e.ext(c)?;
        e.op1(opcode::FOLD, v)?;
    }
    Ok(ConstraintProgram {
        code: e.code,
        values: e.values,
        constraints: base.len() + ext.len(),
    })
}

/// The LogUp bus of every lookup of every table (`p3_batch_stark`'s layout: a global bus
/// per name in order of first use, a fresh bus per local lookup) and the widest tuple: the
/// challenges of lookup `j` are `[α + (bus + 1)·β^W, β]`.
pub fn lookup_buses<L: AsRef<[Lookup<BabyBear>]>>(all: &[L]) -> (Vec<Vec<usize>>, usize) {
    let mut names: HashMap<String, usize> = HashMap::new();
    let mut next = 0usize;
    let mut width = 1usize;
    let buses = all
        .iter()
        .map(|lookups| {
            lookups
                .as_ref()
                .iter()
                .map(|l| {
                    width = width.max(l.elements.first().map_or(0, Vec::len));
                    match &l.kind {
                        Kind::Global(name) => *names.entry(name.clone()).or_insert_with(|| {
                            next += 1;
                            next - 1
                        }),
                        Kind::Local => {
                            next += 1;
                            next - 1
                        }
                    }
                })
                .collect()
        })
        .collect();
    (buses, width)
}

/// The program under construction, with the values already appended per node and leaf.
#[derive(Default)]
struct Emitter {
    code: Vec<u8>,
    values: usize,
    base: HashMap<*const SymbolicExpression<BabyBear>, usize>,
    ext: HashMap<*const SymbolicExpressionExt<BabyBear, Ext>, usize>,
    leaves: HashMap<(u8, usize), usize>,
    constants: HashMap<[u32; 4], usize>,
}

fn u16_of(what: &'static str, index: usize) -> Result<[u8; 2], CompileError> {
    u16::try_from(index)
        .map(u16::to_be_bytes)
        .map_err(|_| CompileError::TooLarge { what, index })
}

impl Emitter {
    fn push(&mut self, bytes: &[u8]) -> usize {
        self.code.extend_from_slice(bytes);
        self.values += 1;
        self.values - 1
    }

    fn op1(&mut self, op: u8, a: usize) -> Result<usize, CompileError> {
        let a = u16_of("value", a)?;
        if op == opcode::FOLD {
            self.code.extend_from_slice(&[op, a[0], a[1]]);
            return Ok(0);
        }
        Ok(self.push(&[op, a[0], a[1]]))
    }

    fn op2(&mut self, op: u8, a: usize, b: usize) -> Result<usize, CompileError> {
        let (a, b) = (u16_of("value", a)?, u16_of("value", b)?);
        Ok(self.push(&[op, a[0], a[1], b[0], b[1]]))
    }

    fn leaf(&mut self, op: u8, index: usize) -> Result<usize, CompileError> {
        if let Some(&v) = self.leaves.get(&(op, index)) {
            return Ok(v);
        }
        let i = u16_of("leaf", index)?;
        let v = self.push(&[op, i[0], i[1]]);
        self.leaves.insert((op, index), v);
        Ok(v)
    }

    fn selector(&mut self, op: u8) -> usize {
        if let Some(&v) = self.leaves.get(&(op, 0)) {
            return v;
        }
        let v = self.push(&[op]);
        self.leaves.insert((op, 0), v);
        v
    }

    fn constant(&mut self, c: Ext) -> usize {
        let coeffs: [u32; 4] = core::array::from_fn(|i| {
            BasedVectorSpace::<BabyBear>::as_basis_coefficients_slice(&c)[i].as_canonical_u32()
        });
        if let Some(&v) = self.constants.get(&coeffs) {
            return v;
        }
        let mut bytes = Vec::with_capacity(17);
        if coeffs[1..] == [0, 0, 0] {
            bytes.push(opcode::CONST);
            bytes.extend_from_slice(&coeffs[0].to_be_bytes());
        } else {
            bytes.push(opcode::EXT_CONST);
            for x in coeffs {
                bytes.extend_from_slice(&x.to_be_bytes());
            }
        }
        let v = self.push(&bytes);
        self.constants.insert(coeffs, v);
        v
    }

    fn base(&mut self, e: &SymbolicExpression<BabyBear>) -> Result<usize, CompileError> {
        let key = e as *const _;
        if let Some(&v) = self.base.get(&key) {
            return Ok(v);
        }
        let v = match e {
            SymbolicExpr::Leaf(leaf) => self.base_leaf(leaf)?,
            SymbolicExpr::Add { x, y, .. } => {
                let (x, y) = (self.base(x)?, self.base(y)?);
                self.op2(opcode::ADD, x, y)?
            }
            SymbolicExpr::Sub { x, y, .. } => {
                let (x, y) = (self.base(x)?, self.base(y)?);
                self.op2(opcode::SUB, x, y)?
            }
            SymbolicExpr::Neg { x, .. } => {
                let x = self.base(x)?;
                self.op1(opcode::NEG, x)?
            }
            SymbolicExpr::Mul { x, y, .. } => {
                let (x, y) = (self.base(x)?, self.base(y)?);
                self.op2(opcode::MUL, x, y)?
            }
        };
        self.base.insert(key, v);
        Ok(v)
    }

    fn ext(&mut self, e: &SymbolicExpressionExt<BabyBear, Ext>) -> Result<usize, CompileError> {
        let key = e as *const _;
        if let Some(&v) = self.ext.get(&key) {
            return Ok(v);
        }
        let v = match e {
            SymbolicExpr::Leaf(ExtLeaf::Base(inner)) => self.base(inner)?,
            SymbolicExpr::Leaf(ExtLeaf::ExtConstant(c)) => self.constant(*c),
            SymbolicExpr::Leaf(ExtLeaf::ExtVariable(v)) => match v.entry {
                ExtEntry::Permutation { offset: 0 } => self.leaf(opcode::PERM, v.index)?,
                ExtEntry::Permutation { .. } => self.leaf(opcode::PERM_NEXT, v.index)?,
                ExtEntry::Challenge => self.leaf(opcode::CHALLENGE, v.index)?,
                ExtEntry::PermutationValue => self.leaf(opcode::PERM_VALUE, v.index)?,
            },
            SymbolicExpr::Add { x, y, .. } => {
                let (x, y) = (self.ext(x)?, self.ext(y)?);
                self.op2(opcode::ADD, x, y)?
            }
            SymbolicExpr::Sub { x, y, .. } => {
                let (x, y) = (self.ext(x)?, self.ext(y)?);
                self.op2(opcode::SUB, x, y)?
            }
            SymbolicExpr::Neg { x, .. } => {
                let x = self.ext(x)?;
                self.op1(opcode::NEG, x)?
            }
            SymbolicExpr::Mul { x, y, .. } => {
                let (x, y) = (self.ext(x)?, self.ext(y)?);
                self.op2(opcode::MUL, x, y)?
            }
        };
        self.ext.insert(key, v);
        Ok(v)
    }

    fn base_leaf(&mut self, leaf: &BaseLeaf<BabyBear>) -> Result<usize, CompileError> {
        Ok(match leaf {
            BaseLeaf::Variable(v) => match v.entry {
                BaseEntry::Main { offset: 0 } => self.leaf(opcode::MAIN, v.index)?,
                BaseEntry::Main { .. } => self.leaf(opcode::MAIN_NEXT, v.index)?,
                BaseEntry::Preprocessed { offset: 0 } => self.leaf(opcode::PRE, v.index)?,
                BaseEntry::Preprocessed { .. } => self.leaf(opcode::PRE_NEXT, v.index)?,
                BaseEntry::Public => self.leaf(opcode::PUBLIC, v.index)?,
                BaseEntry::Periodic => return Err(CompileError::Periodic),
            },
            BaseLeaf::IsFirstRow => self.selector(opcode::FIRST),
            BaseLeaf::IsLastRow => self.selector(opcode::LAST),
            BaseLeaf::IsTransition => self.selector(opcode::TRANSITION),
            BaseLeaf::Constant(c) => self.constant(Ext::from(*c)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::l1_stark_fixture::program;

    /// Walks a program: every operand names an earlier value, every instruction is whole,
    /// and it appends `values` values and folds `constraints` constraints.
    fn walk(p: &ConstraintProgram) {
        let (mut at, mut values, mut folds) = (0, 0, 0);
        let u16_at = |i: usize| usize::from(u16::from_be_bytes([p.code[i], p.code[i + 1]]));
        while at < p.code.len() {
            let op = p.code[at];
            let (len, operands) = match op {
                opcode::ADD | opcode::SUB | opcode::MUL => {
                    (5, vec![u16_at(at + 1), u16_at(at + 3)])
                }
                opcode::NEG | opcode::FOLD => (3, vec![u16_at(at + 1)]),
                opcode::MAIN..=opcode::PERM_VALUE => (3, vec![]),
                opcode::FIRST..=opcode::TRANSITION => (1, vec![]),
                opcode::CONST => (5, vec![]),
                opcode::EXT_CONST => (17, vec![]),
                other => panic!("unknown opcode {other:#x} at {at}"),
            };
            assert!(at + len <= p.code.len(), "truncated at {at}");
            assert!(
                operands.iter().all(|&a| a < values),
                "forward reference at {at}"
            );
            if op == opcode::FOLD {
                folds += 1;
            } else {
                values += 1;
            }
            at += len;
        }
        assert_eq!((values, folds), (p.values, p.constraints));
    }

    /// Every table of a circuit compiles into a well-formed program that folds each of its
    /// constraints once, and shared leaves are loaded once.
    #[test]
    fn every_table_compiles_into_a_well_formed_program() {
        let (circuit, _, _) = program();
        let common = circuit
            .common_data_l1(&sq_prover_circuits::l1::l1_config())
            .expect("common data");
        for (air, lookups) in circuit.airs().iter().zip(&common.lookups) {
            let p = compile(air, lookups).expect("compiles");
            walk(&p);
            let loads = p
                .code
                .windows(3)
                .filter(|w| w == &[opcode::MAIN, 0, 0])
                .count();
            assert!(loads >= 1 && p.constraints > 0);
        }
    }

    /// The bus layout reproduces Plonky3's laid-out challenges for the fixture's proof:
    /// `[α + (bus + 1)·β^W, β]` per lookup equals what its batch transcript handed out.
    #[test]
    fn buses_reproduce_plonky3s_challenges() {
        use p3_field::PrimeCharacteristicRing;
        let f: crate::l1_stark_fixture::StarkFixture = serde_json::from_str(include_str!(
            "../../../contracts/test/fixtures/l1_stark.json"
        ))
        .expect("fixture parses");
        let ext = |c: &[u32]| Ext::from_basis_coefficients_fn(|i| BabyBear::new(c[i]));
        let (alpha, beta) = (ext(&f.lookup_alpha), ext(&f.lookup_beta));
        let (circuit, _, _) = program();
        let common = circuit
            .common_data_l1(&sq_prover_circuits::l1::l1_config())
            .expect("common data");
        let (buses, width) = lookup_buses(&common.lookups);
        let gamma = beta.exp_u64(width as u64);
        let ours: Vec<Ext> = buses
            .iter()
            .flatten()
            .flat_map(|&bus| [alpha + gamma * Ext::from_usize(bus + 1), beta])
            .collect();
        let theirs: Vec<Ext> = f.constraints.lookup_challenges.chunks(4).map(ext).collect();
        assert_eq!(ours, theirs);
        // The recursion circuit's tables all speak on one global bus (`witness`).
        assert_eq!(ours.len(), 2 * 23, "23 lookups over five tables");
    }
}
