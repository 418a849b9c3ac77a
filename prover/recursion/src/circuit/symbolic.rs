//! Compiles Plonky3 symbolic constraint expressions (`p3_air::symbolic`) into program
//! ops: how a child AIR's constraints become circuit code instead of being hand-written.
//!
//! Every node of the expression DAG is compiled once (shared sub-expressions are
//! `Arc`s, memoised by address while the constraint list is alive); each leaf is looked
//! up in an [`Env`]: the slots of the opened values, public values, selectors and, for
//! AIRs with lookups, the permutation columns, their challenges and terminal values.

use std::collections::HashMap;

use p3_air::symbolic::{
    BaseEntry, BaseLeaf, ExtEntry, ExtLeaf, SymbolicExpression, SymbolicExpressionExt,
};
use p3_baby_bear::BabyBear;
use p3_uni_stark::SymbolicExpr;

use super::program::{Builder, Ext, Slot};

/// The slots the leaves of one AIR instance's constraints evaluate to.
#[derive(Clone, Debug)]
pub struct Env {
    /// Main trace row at ζ and at gζ.
    pub local: Vec<Slot>,
    /// Main trace row at gζ (empty when the AIR reads no next row).
    pub next: Vec<Slot>,
    /// Preprocessed row at ζ.
    pub preprocessed_local: Vec<Slot>,
    /// Preprocessed row at gζ (empty when not read).
    pub preprocessed_next: Vec<Slot>,
    /// Public values.
    pub publics: Vec<Slot>,
    /// Periodic columns at ζ.
    pub periodic: Vec<Slot>,
    /// Permutation (lookup) columns at ζ, BabyBear⁴ each.
    pub permutation_local: Vec<Slot>,
    /// Permutation columns at gζ.
    pub permutation_next: Vec<Slot>,
    /// Lookup challenges.
    pub challenges: Vec<Slot>,
    /// Permutation values (lookup terminals).
    pub permutation_values: Vec<Slot>,
    /// `is_first_row` at ζ.
    pub is_first_row: Slot,
    /// `is_last_row` at ζ.
    pub is_last_row: Slot,
    /// `is_transition` at ζ.
    pub is_transition: Slot,
}

impl Env {
    /// An environment with these selectors and nothing else bound yet.
    pub fn with_selectors(is_first_row: Slot, is_last_row: Slot, is_transition: Slot) -> Self {
        Env {
            local: Vec::new(),
            next: Vec::new(),
            preprocessed_local: Vec::new(),
            preprocessed_next: Vec::new(),
            publics: Vec::new(),
            periodic: Vec::new(),
            permutation_local: Vec::new(),
            permutation_next: Vec::new(),
            challenges: Vec::new(),
            permutation_values: Vec::new(),
            is_first_row,
            is_last_row,
            is_transition,
        }
    }
}

/// Why a leaf could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the constraints read {what} {index}, which the environment does not hold")]
pub struct UnboundLeaf {
    /// The kind of leaf.
    pub what: &'static str,
    /// Its index.
    pub index: usize,
}

/// A compiler over one environment.
pub struct Compiler<'a> {
    env: &'a Env,
    base: HashMap<*const SymbolicExpression<BabyBear>, Slot>,
    ext: HashMap<*const SymbolicExpressionExt<BabyBear, Ext>, Slot>,
}

fn get(slots: &[Slot], index: usize, what: &'static str) -> Result<Slot, UnboundLeaf> {
    slots.get(index).copied().ok_or(UnboundLeaf { what, index })
}

impl<'a> Compiler<'a> {
    /// A compiler resolving leaves in `env`.
    pub fn new(env: &'a Env) -> Self {
        Compiler {
            env,
            base: HashMap::new(),
            ext: HashMap::new(),
        }
    }

    /// The slot of a base-field expression's value.
    ///
    /// # Errors
    /// [`UnboundLeaf`] for a leaf outside the environment.
    pub fn base(
        &mut self,
        b: &mut Builder,
        e: &SymbolicExpression<BabyBear>,
    ) -> Result<Slot, UnboundLeaf> {
        let key = e as *const _;
        if let Some(&s) = self.base.get(&key) {
            return Ok(s);
        }
        let s = match e {
            SymbolicExpr::Leaf(leaf) => self.base_leaf(b, leaf)?,
            SymbolicExpr::Add { x, y, .. } => {
                let (x, y) = (self.base(b, x)?, self.base(b, y)?);
                b.add(x, y)
            }
            SymbolicExpr::Sub { x, y, .. } => {
                let (x, y) = (self.base(b, x)?, self.base(b, y)?);
                b.sub(x, y)
            }
            SymbolicExpr::Neg { x, .. } => {
                let x = self.base(b, x)?;
                let zero = b.zero();
                b.sub(zero, x)
            }
            SymbolicExpr::Mul { x, y, .. } => {
                let (x, y) = (self.base(b, x)?, self.base(b, y)?);
                b.mul(x, y)
            }
        };
        self.base.insert(key, s);
        Ok(s)
    }

    /// The slot of an extension-field expression's value.
    ///
    /// # Errors
    /// [`UnboundLeaf`] for a leaf outside the environment.
    pub fn ext(
        &mut self,
        b: &mut Builder,
        e: &SymbolicExpressionExt<BabyBear, Ext>,
    ) -> Result<Slot, UnboundLeaf> {
        let key = e as *const _;
        if let Some(&s) = self.ext.get(&key) {
            return Ok(s);
        }
        let s = match e {
            SymbolicExpr::Leaf(ExtLeaf::Base(inner)) => self.base(b, inner)?,
            SymbolicExpr::Leaf(ExtLeaf::ExtConstant(c)) => b.constant(*c),
            SymbolicExpr::Leaf(ExtLeaf::ExtVariable(v)) => {
                let env = self.env;
                match v.entry {
                    ExtEntry::Permutation { offset: 0 } => {
                        get(&env.permutation_local, v.index, "permutation column")?
                    }
                    ExtEntry::Permutation { .. } => {
                        get(&env.permutation_next, v.index, "next permutation column")?
                    }
                    ExtEntry::Challenge => get(&env.challenges, v.index, "lookup challenge")?,
                    ExtEntry::PermutationValue => {
                        get(&env.permutation_values, v.index, "permutation value")?
                    }
                }
            }
            SymbolicExpr::Add { x, y, .. } => {
                let (x, y) = (self.ext(b, x)?, self.ext(b, y)?);
                b.add(x, y)
            }
            SymbolicExpr::Sub { x, y, .. } => {
                let (x, y) = (self.ext(b, x)?, self.ext(b, y)?);
                b.sub(x, y)
            }
            SymbolicExpr::Neg { x, .. } => {
                let x = self.ext(b, x)?;
                let zero = b.zero();
                b.sub(zero, x)
            }
            SymbolicExpr::Mul { x, y, .. } => {
                let (x, y) = (self.ext(b, x)?, self.ext(b, y)?);
                b.mul(x, y)
            }
        };
        self.ext.insert(key, s);
        Ok(s)
    }

    fn base_leaf(
        &mut self,
        b: &mut Builder,
        leaf: &BaseLeaf<BabyBear>,
    ) -> Result<Slot, UnboundLeaf> {
        let env = self.env;
        Ok(match leaf {
            BaseLeaf::Variable(v) => match v.entry {
                BaseEntry::Main { offset: 0 } => get(&env.local, v.index, "main column")?,
                BaseEntry::Main { .. } => get(&env.next, v.index, "next main column")?,
                BaseEntry::Preprocessed { offset: 0 } => {
                    get(&env.preprocessed_local, v.index, "preprocessed column")?
                }
                BaseEntry::Preprocessed { .. } => {
                    get(&env.preprocessed_next, v.index, "next preprocessed column")?
                }
                BaseEntry::Public => get(&env.publics, v.index, "public value")?,
                BaseEntry::Periodic => get(&env.periodic, v.index, "periodic column")?,
            },
            BaseLeaf::IsFirstRow => env.is_first_row,
            BaseLeaf::IsLastRow => env.is_last_row,
            BaseLeaf::IsTransition => env.is_transition,
            BaseLeaf::Constant(c) => b.constant(Ext::from(*c)),
        })
    }
}
