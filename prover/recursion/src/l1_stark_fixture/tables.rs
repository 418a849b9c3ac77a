//! The flattened parts of a [`super::StarkFixture`]: the opened values, what the
//! out-of-domain check derives at ζ, and the constraint programs with the LogUp layout.

use p3_batch_stark::proof::OpenedValuesWithLookups;
use p3_batch_stark::{BatchProof, CommonData, Domain};
use p3_commit::{Pcs, PolynomialSpace};
use p3_uni_stark::{
    recompose_quotient_from_chunks, OpenedValues, PreprocessedOpenedValues, StarkGenericConfig,
};
use serde::{Deserialize, Serialize};
use sq_prover_circuits::l1::{l1_config, L1Challenger, L1StarkConfig};
use sq_prover_circuits::l1_field_fixture::coefficients;

use super::recorder::RecordingConfig;
use crate::circuit::{Circuit, Ext};
use crate::l1_constraints::{compile, lookup_buses, ConstraintProgram};

type L1Pcs = <L1StarkConfig as StarkGenericConfig>::Pcs;

/// A proof's opened values, per table (tables in order; extension elements as 4 canonical
/// coefficients, flat). A row "at gζ" is empty for a table that does not read its next row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenedFixture {
    /// Each table's main-trace width…
    pub trace_widths: Vec<u64>,
    /// …whether it reads the next row…
    pub trace_next: Vec<bool>,
    /// …its main row at ζ…
    pub trace_local: Vec<u32>,
    /// …and at gζ.
    pub trace_next_values: Vec<u32>,
    /// Each table's preprocessed width…
    pub preprocessed_widths: Vec<u64>,
    /// …whether it reads the next preprocessed row…
    pub preprocessed_next: Vec<bool>,
    /// …its preprocessed row at ζ…
    pub preprocessed_local: Vec<u32>,
    /// …and at gζ.
    pub preprocessed_next_values: Vec<u32>,
    /// Each table's permutation width (base columns of the flattened matrix: 4 per
    /// extension column, one accumulator plus one column per lookup; 0 without lookups)…
    pub permutation_widths: Vec<u64>,
    /// …its permutation row at ζ…
    pub permutation_local: Vec<u32>,
    /// …and at gζ.
    pub permutation_next: Vec<u32>,
    /// Each table's quotient-chunk count…
    pub quotient_chunks: Vec<u64>,
    /// …and per chunk its 4 coordinate polynomials at ζ.
    pub quotient_values: Vec<u32>,
}

/// What the out-of-domain check of each table derives at ζ before evaluating its
/// constraints (extension elements, 4 coefficients each, tables in order).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AtZetaFixture {
    /// The quotient at ζ, recomposed from the chunks (`recompose_quotient_from_chunks`).
    pub quotient: Vec<u32>,
    /// The trace domain's Lagrange selectors at ζ (`selectors_at_point`): per table
    /// `is_first_row`, `is_last_row`, `is_transition`, `inv_vanishing`.
    pub selectors: Vec<u32>,
}

/// Each table's constraints compiled for the on-chain interpreter
/// ([`crate::l1_constraints`]), and the LogUp bus layout with Plonky3's challenges.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConstraintsFixture {
    /// Each table's program, `0x`-hex.
    pub programs: Vec<String>,
    /// Each table's value count (the interpreter's list length).
    pub values: Vec<u64>,
    /// Each table's lookup count…
    pub lookup_counts: Vec<u64>,
    /// …and each lookup's bus, tables in order.
    pub bus_ids: Vec<u64>,
    /// The widest lookup tuple (W: the bus offset is β^W).
    pub max_message_width: u64,
    /// Plonky3's laid-out lookup challenges (`[α + (bus + 1)·β^W, β]` per lookup), tables
    /// in order, extension elements flat.
    pub lookup_challenges: Vec<u32>,
}

/// The constraint programs of `circuit`'s tables and the LogUp layout.
pub(super) fn constraints(
    circuit: &Circuit,
    common: &CommonData<RecordingConfig>,
    challenges: &[Vec<Ext>],
) -> ConstraintsFixture {
    let programs: Vec<ConstraintProgram> = circuit
        .airs()
        .iter()
        .zip(&common.lookups)
        .map(|(air, lookups)| compile(air, lookups).expect("the circuit's tables compile"))
        .collect();
    let (buses, width) = lookup_buses(&common.lookups);
    ConstraintsFixture {
        programs: programs
            .iter()
            .map(|p| format!("0x{}", hex::encode(&p.code)))
            .collect(),
        values: programs.iter().map(|p| p.values as u64).collect(),
        lookup_counts: buses.iter().map(|b| b.len() as u64).collect(),
        bus_ids: buses.iter().flatten().map(|&b| b as u64).collect(),
        max_message_width: width as u64,
        lookup_challenges: challenges
            .iter()
            .flatten()
            .copied()
            .flat_map(coefficients)
            .collect(),
    }
}

/// Plonky3's quotient recomposition and selectors at `zeta` for each table of `proof`.
pub(super) fn at_zeta(
    proof: &BatchProof<RecordingConfig>,
    quotient_domains: &[Vec<Domain<RecordingConfig>>],
    zeta: Ext,
) -> AtZetaFixture {
    let pcs = l1_config().pcs().clone();
    let mut quotient = Vec::new();
    let mut selectors = Vec::new();
    for (i, inst) in proof.opened_values.instances.iter().enumerate() {
        let q = recompose_quotient_from_chunks::<RecordingConfig>(
            &quotient_domains[i],
            &inst.base_opened_values.quotient_chunks,
            zeta,
        );
        quotient.extend(coefficients(q));
        let domain = <L1Pcs as Pcs<Ext, L1Challenger>>::natural_domain_for_degree(
            &pcs,
            1 << proof.degree_bits[i],
        );
        let s = domain.selectors_at_point(zeta);
        for x in [
            s.is_first_row,
            s.is_last_row,
            s.is_transition,
            s.inv_vanishing,
        ] {
            selectors.extend(coefficients(x));
        }
    }
    AtZetaFixture {
        quotient,
        selectors,
    }
}

/// Flattens `proof`'s opened values.
pub(super) fn opened(proof: &BatchProof<RecordingConfig>) -> OpenedFixture {
    let inst = &proof.opened_values.instances;
    let exts = |f: &dyn Fn(&OpenedValuesWithLookups<Ext>) -> Vec<Ext>| -> Vec<u32> {
        inst.iter().flat_map(f).flat_map(coefficients).collect()
    };
    fn base(o: &OpenedValuesWithLookups<Ext>) -> &OpenedValues<Ext> {
        &o.base_opened_values
    }
    fn pre(o: &OpenedValuesWithLookups<Ext>) -> Option<&PreprocessedOpenedValues<Ext>> {
        base(o).preprocessed.as_ref()
    }
    OpenedFixture {
        trace_widths: inst
            .iter()
            .map(|o| base(o).trace_local.len() as u64)
            .collect(),
        trace_next: inst.iter().map(|o| base(o).trace_next.is_some()).collect(),
        trace_local: exts(&|o| base(o).trace_local.clone()),
        trace_next_values: exts(&|o| base(o).trace_next.clone().unwrap_or_default()),
        preprocessed_widths: inst
            .iter()
            .map(|o| pre(o).map_or(0, |p| p.local.len() as u64))
            .collect(),
        preprocessed_next: inst
            .iter()
            .map(|o| pre(o).is_some_and(|p| p.next.is_some()))
            .collect(),
        preprocessed_local: exts(&|o| pre(o).map(|p| p.local.clone()).unwrap_or_default()),
        preprocessed_next_values: exts(&|o| {
            pre(o).and_then(|p| p.next.clone()).unwrap_or_default()
        }),
        permutation_widths: inst
            .iter()
            .map(|o| o.permutation_local.len() as u64)
            .collect(),
        permutation_local: exts(&|o| o.permutation_local.clone()),
        permutation_next: exts(&|o| o.permutation_next.clone()),
        quotient_chunks: inst
            .iter()
            .map(|o| base(o).quotient_chunks.len() as u64)
            .collect(),
        quotient_values: exts(&|o| base(o).quotient_chunks.concat()),
    }
}
