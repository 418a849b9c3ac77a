//! The batch-STARK verifier in-circuit (what the node round is made of): a proof of a
//! small child program verifies in the node circuit; altered parts are refused by their
//! own check; a proof of another program is refused.

use p3_baby_bear::BabyBear;
use p3_field::PrimeCharacteristicRing;
use sq_prover_recursion::batch_verifier::{hints, verify_circuit_proof, ChildKey};
use sq_prover_recursion::circuit::{
    Builder, Circuit, CircuitError, CircuitProof, Ext, RunError, Slot,
};

type F = BabyBear;

/// `x, y` public, `h` a hint: asserts `h · h = x + k` and `x · y = y · x`.
fn child(k: u32) -> Circuit {
    let mut b = Builder::new();
    let x = b.public();
    let y = b.public();
    let h = b.hint();
    let hh = b.mul(h, h);
    let kk = b.constant(Ext::from(F::from_u32(k)));
    let xk = b.add(x, kk);
    b.assert_eq(hh, xk);
    let xy = b.mul(x, y);
    let yx = b.mul(y, x);
    b.assert_eq(xy, yx);
    let state: [Slot; 16] = core::array::from_fn(|i| if i == 0 { x } else { y });
    let _mixed = b.permute(state);
    Circuit::new(b.build())
}

/// `x = 15, y = 7`, `h = 4`: a proof of `child(1)`.
fn child_proof(c: &Circuit) -> (Vec<F>, CircuitProof) {
    let publics = vec![F::from_u32(15), F::from_u32(7)];
    let proof = c
        .prove(&publics, &[Ext::from(F::from_u32(4))])
        .expect("the child proves");
    c.verify(&publics, &proof).expect("and verifies natively");
    (publics, proof)
}

/// The node circuit over one proof of `key`'s program: the child's public values are
/// the node's.
fn node(key: &ChildKey) -> Circuit {
    let mut b = Builder::new();
    let publics: Vec<Slot> = (0..2).map(|_| b.public()).collect();
    verify_circuit_proof(&mut b, key, &publics);
    Circuit::new(b.build())
}

fn refused_by(c: &Circuit, publics: &[F], hints: &[Ext]) -> &'static str {
    match c.program().run(publics, hints) {
        Err(RunError::Assertion { check, .. }) => check,
        other => panic!("expected a failed check, got {:?}", other.map(|_| ())),
    }
}

#[test]
fn a_child_proof_is_verified_in_circuit() {
    let c = child(1);
    let (publics, proof) = child_proof(&c);
    let key = ChildKey::of(&c).expect("key");
    let h = hints(&key, &proof, &publics).expect("the proof verifies natively");
    let n = node(&key);
    n.program()
        .run(&publics, &h)
        .expect("the node's checks hold");
    let node_proof = n.prove(&publics, &h).expect("the node proves");
    n.verify(&publics, &node_proof).expect("and verifies");
}

#[test]
fn altered_parts_of_a_child_proof_are_refused() {
    let c = child(1);
    let (publics, proof) = child_proof(&c);
    let key = ChildKey::of(&c).expect("key");
    let h = hints(&key, &proof, &publics).expect("hints");
    let n = node(&key);
    // The commitments (24), the terminals (5), then the witness table's opened values.
    for (what, i, expected) in [
        ("main commitment", 2, "witness table at zeta"),
        ("quotient commitment", 20, "witness table at zeta"),
        ("a lookup terminal", 26, "witness table at zeta"),
        (
            "the witness table's opened main row",
            29,
            "witness table at zeta",
        ),
    ] {
        let mut bad = h.clone();
        bad[i] += Ext::ONE;
        assert_eq!(refused_by(&n, &publics, &bad), expected, "{what}");
    }
    let other = vec![publics[0], publics[1] + F::ONE];
    assert_eq!(
        refused_by(&n, &other, &h),
        "witness table at zeta",
        "public values"
    );
}

#[test]
fn a_proof_of_another_program_is_refused() {
    // Same tables and heights, another constant: another preprocessed commitment.
    let (a, b) = (child(1), child(2));
    let key_a = ChildKey::of(&a).expect("key");
    let key_b = ChildKey::of(&b).expect("key");
    let publics = vec![F::from_u32(14), F::from_u32(7)];
    let proof_b = b
        .prove(&publics, &[Ext::from(F::from_u32(4))])
        .expect("b proves");
    // Natively, replaying b's proof under a's key does not even reach a witness.
    assert!(hints(&key_a, &proof_b, &publics).is_err());
    // The witness of b's own verifier, fed to a's: refused.
    let h_b = hints(&key_b, &proof_b, &publics).expect("b's hints");
    assert!(matches!(
        node(&key_a).program().run(&publics, &h_b),
        Err(RunError::Assertion { .. })
    ));
}

#[test]
fn a_thousand_mutations_of_a_proof_are_rejected() {
    use rand::{Rng, SeedableRng};
    let c = child(1);
    let (publics, proof) = child_proof(&c);
    let bytes = postcard::to_allocvec(&proof).expect("encodes");
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
    let (mut undecodable, mut rejected) = (0, 0);
    // `verify` catches a panic of Plonky3's verifier itself and reports it as a rejection.
    for _ in 0..1000 {
        let mut bad = bytes.clone();
        let i = rng.gen_range(0..bad.len());
        bad[i] ^= 1 << rng.gen_range(0..8);
        let Ok(mutant) = postcard::from_bytes::<CircuitProof>(&bad) else {
            undecodable += 1;
            continue;
        };
        assert!(
            matches!(c.verify(&publics, &mutant), Err(CircuitError::Rejected(_))),
            "mutated byte {i} was not rejected"
        );
        rejected += 1;
    }
    assert_eq!(undecodable + rejected, 1000);
    assert!(
        rejected > 500,
        "most mutants decode and are rejected by the verifier"
    );
}

#[test]
fn malformed_child_proofs_are_refused_before_the_circuit() {
    use sq_prover_recursion::child::ChildError;
    let c = child(1);
    let (publics, proof) = child_proof(&c);
    let key = ChildKey::of(&c).expect("key");
    let bytes = postcard::to_allocvec(&proof).expect("encodes");
    let decode = || -> CircuitProof { postcard::from_bytes(&bytes).expect("decodes") };
    let mut extra_chunk = decode();
    let chunks = &mut extra_chunk.opened_values.instances[0]
        .base_opened_values
        .quotient_chunks;
    chunks.push(chunks[0].clone());
    assert!(matches!(
        hints(&key, &extra_chunk, &publics),
        Err(ChildError::Transcript(_))
    ));
    let mut ground = decode();
    ground.lookup_pow_witness = Some(F::ONE);
    assert!(matches!(
        hints(&key, &ground, &publics),
        Err(ChildError::Transcript(_))
    ));
    let mut taller = decode();
    taller.degree_bits[0] += 1;
    assert!(matches!(
        hints(&key, &taller, &publics),
        Err(ChildError::Transcript(_))
    ));
    let mut no_terminal = decode();
    no_terminal.lookup_terminals[2] = None;
    assert!(matches!(
        hints(&key, &no_terminal, &publics),
        Err(ChildError::Transcript(_))
    ));
}
