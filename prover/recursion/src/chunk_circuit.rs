//! The recursion circuit of one chunk proof, as far as it is built: the transcript up to
//! ζ replayed in-circuit, and the out-of-domain constraint check of the chunk AIR
//! (checks 1, up to ζ, and 2 of the crate docs). The opening argument (FRI, Merkle
//! openings) is not in it yet, so this circuit alone does **not** verify a chunk proof:
//! it shows that the opened values satisfy the constraints at the transcript's ζ.
//!
//! Inputs: the child's public values are the circuit's public values; everything else
//! the child proof carries is hints, in the order of [`hints`].

use p3_uni_stark::Proof;
use sq_prover_circuits::air::ChunkAir;
use sq_prover_circuits::stark::ChunkStarkConfig;
use sq_prover_circuits::witness::PUBLIC_INPUTS_LEN;

use crate::child::seeded_challenger;
use crate::circuit::challenger::{stark_challenges, Challenger};
use crate::circuit::ood::{assert_ood, OodInputs};
use crate::circuit::{Builder, Circuit, Ext, Slot};

/// What fixes the circuit of a chunk proof: its trace height and quotient chunk count
/// (the chunk AIR's width and public-value count are constants).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ChildShape {
    /// log2 of the child's trace height.
    pub degree_bits: usize,
    /// Chunks of the child's quotient.
    pub quotient_chunks: usize,
}

impl ChildShape {
    /// The shape of `proof`.
    pub fn of(proof: &Proof<ChunkStarkConfig>) -> Self {
        ChildShape {
            degree_bits: proof.degree_bits,
            quotient_chunks: proof.opened_values.quotient_chunks.len(),
        }
    }
}

/// The circuit and the slots of its derived challenges.
#[derive(Clone, Debug)]
pub struct ChunkCircuit {
    /// The circuit.
    pub circuit: Circuit,
    /// The constraint-folding challenge α, derived in-circuit.
    pub alpha: Slot,
    /// The out-of-domain point ζ, derived in-circuit.
    pub zeta: Slot,
}

/// Builds the circuit for children of `shape`.
pub fn build(shape: ChildShape) -> ChunkCircuit {
    let width = sq_prover_circuits::air::WIDTH;
    let mut b = Builder::new();
    let publics: Vec<Slot> = (0..PUBLIC_INPUTS_LEN).map(|_| b.public()).collect();
    let local = (0..width).map(|_| b.hint()).collect();
    let next = (0..width).map(|_| b.hint()).collect();
    let quotient_chunks = (0..shape.quotient_chunks)
        .map(|_| core::array::from_fn(|_| b.hint()))
        .collect();
    let trace_commitment: [Slot; 8] = core::array::from_fn(|_| b.hint());
    let quotient_commitment: [Slot; 8] = core::array::from_fn(|_| b.hint());
    let seeded = seeded_challenger(shape.degree_bits, shape.quotient_chunks);
    let mut challenger = Challenger::from_native(&mut b, &seeded);
    let (alpha, zeta) = stark_challenges(
        &mut b,
        &mut challenger,
        &trace_commitment,
        &publics,
        &quotient_commitment,
    );
    let inputs = OodInputs {
        local,
        next,
        publics,
        quotient_chunks,
        zeta,
        alpha,
        degree_bits: shape.degree_bits,
    };
    assert_ood(&mut b, &ChunkAir, &inputs).expect("the chunk AIR is a plain AIR");
    ChunkCircuit {
        circuit: Circuit::new(b.build()),
        alpha,
        zeta,
    }
}

/// The hints of a chunk proof, in the circuit's order: the trace row at ζ, the row at
/// gζ, each quotient chunk's 4 coordinates at ζ, the trace commitment (8), the quotient
/// commitment (8). A proof without a next row (never made by the chunk AIR) gives zeros
/// there, which fails the check.
pub fn hints(proof: &Proof<ChunkStarkConfig>) -> Vec<Ext> {
    let o = &proof.opened_values;
    let next = o.trace_next.clone().unwrap_or_default();
    let mut hints: Vec<Ext> = o.trace_local.iter().chain(&next).copied().collect();
    hints.resize(2 * o.trace_local.len(), Ext::default());
    hints.extend(o.quotient_chunks.iter().flatten().copied());
    let commitments = [&proof.commitments.trace, &proof.commitments.quotient_chunks];
    hints.extend(commitments.iter().flat_map(|c| c.roots()[0].map(Ext::from)));
    hints
}
