// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {BabyBear4 as E} from "./BabyBear4.sol";
import {KeccakTranscript as T} from "./KeccakTranscript.sol";

/// @title The batch-STARK layer of the L1 transcript: what is observed and drawn before the
/// opening argument
/// @notice p3-batch-stark 0.8's transcript (`transcript.rs`: `BatchShape`,
/// `BatchVerifierTranscript`), replayed on the L1 configuration's sponge in its order:
/// 1. the protocol seed (the domain separator of the batch's shape: a verifying-key constant);
/// 2. per instance, its trace log-height as an extension element `(d, 0, 0, 0)`;
/// 3. the main-trace commitment, then per instance its public values;
/// 4. the preprocessed commitment, when the batch has one;
/// 5. when an instance declares a lookup: the lookup proof of work, the LogUp pair α and β,
///    the permutation commitment, and one terminal per instance with lookups;
/// 6. the constraint-folding challenge;
/// 7. the quotient-chunk commitment (the L1 configuration does not hide: no randomization
///    commitment);
/// 8. the out-of-domain proof of work, then ζ.
/// The opening argument (`FriVerifier.verify`) continues on the same sponge. A proof-of-work
/// step of 0 bits observes nothing and its witness must be 0 (Plonky3 pins it so that a proof
/// has one encoding).
/// @dev Reverts WrongBatchShape when the input does not have the shape's counts,
/// NonCanonicalPowWitness / PowWitnessInvalid for a bad grinding witness, and with
/// KeccakTranscript's and BabyBear's errors for values out of range.
library BatchStarkTranscript {
    /// @notice What the verifying key fixes about the batch's transcript.
    /// @param seed The protocol seed's field elements.
    /// @param publicValueCounts Each instance's public-value count (its length is the
    /// instance count).
    /// @param hasPreprocessed Whether the batch has a preprocessed commitment.
    /// @param numLookupInstances How many instances declare a lookup (0: no lookup phase).
    /// @param lookupPowBits The lookup phase's grinding bits.
    /// @param oodPowBits The out-of-domain phase's grinding bits.
    struct Shape {
        uint256[] seed;
        uint256[] publicValueCounts;
        bool hasPreprocessed;
        uint256 numLookupInstances;
        uint256 lookupPowBits;
        uint256 oodPowBits;
    }

    /// @notice What the proof and the statement bring to the batch layer.
    /// @param degreeBits Each instance's trace log-height.
    /// @param mainCommitment The main-trace commitment (Merkle root).
    /// @param publicValues The public values, instances in order (canonical BabyBear).
    /// @param preprocessedCommitment The preprocessed commitment (ignored without one).
    /// @param lookupPowWitness The lookup phase's grinding witness.
    /// @param permutationCommitment The permutation-trace commitment (ignored without lookups).
    /// @param terminals One LogUp terminal per instance with lookups (`BabyBear4` words).
    /// @param quotientCommitment The quotient-chunk commitment.
    /// @param oodPowWitness The out-of-domain phase's grinding witness.
    struct Input {
        uint256[] degreeBits;
        bytes32 mainCommitment;
        uint256[] publicValues;
        bytes32 preprocessedCommitment;
        uint256 lookupPowWitness;
        bytes32 permutationCommitment;
        uint256[] terminals;
        bytes32 quotientCommitment;
        uint256 oodPowWitness;
    }

    /// @notice The challenges the batch layer draws (`BabyBear4` words; the lookup pair is 0
    /// without lookups).
    struct Challenges {
        uint256 lookupAlpha;
        uint256 lookupBeta;
        uint256 alpha;
        uint256 zeta;
    }

    /// The input's counts are not the shape's (`what` says which).
    error WrongBatchShape(string what);
    /// A zero-bit grinding step carries a nonzero witness (`phase`: "lookup" or "ood").
    error NonCanonicalPowWitness(string phase);
    /// A grinding witness does not give the required zero bits.
    error PowWitnessInvalid(string phase);

    /// @notice Replays the batch layer on `t` (a fresh transcript) and returns its challenges;
    /// `t` is left where the opening argument starts.
    function replay(Shape memory shape, Input memory input, T.State memory t)
        internal
        pure
        returns (Challenges memory ch)
    {
        _checkShape(shape, input);
        for (uint256 i = 0; i < shape.seed.length; ++i) {
            T.observe(t, shape.seed[i]);
        }
        for (uint256 i = 0; i < input.degreeBits.length; ++i) {
            T.observeExt(t, E.pack(input.degreeBits[i], 0, 0, 0));
        }
        T.observeDigest(t, input.mainCommitment);
        for (uint256 i = 0; i < input.publicValues.length; ++i) {
            T.observe(t, input.publicValues[i]);
        }
        if (shape.hasPreprocessed) T.observeDigest(t, input.preprocessedCommitment);
        if (shape.numLookupInstances > 0) {
            _grind(t, shape.lookupPowBits, input.lookupPowWitness, "lookup");
            ch.lookupAlpha = T.sampleExt(t);
            ch.lookupBeta = T.sampleExt(t);
            T.observeDigest(t, input.permutationCommitment);
            for (uint256 i = 0; i < input.terminals.length; ++i) {
                T.observeExt(t, input.terminals[i]);
            }
        }
        ch.alpha = T.sampleExt(t);
        T.observeDigest(t, input.quotientCommitment);
        _grind(t, shape.oodPowBits, input.oodPowWitness, "ood");
        ch.zeta = T.sampleExt(t);
    }

    /// @dev The counts the shape fixes: one degree-bits entry per instance, the public values
    /// of every instance, one terminal per lookup instance, and no lookup witness, permutation
    /// commitment or terminal without lookups.
    function _checkShape(Shape memory shape, Input memory input) private pure {
        uint256[] memory counts = shape.publicValueCounts;
        if (input.degreeBits.length != counts.length) revert WrongBatchShape("degree bits");
        uint256 publics = 0;
        for (uint256 i = 0; i < counts.length; ++i) {
            publics += counts[i];
        }
        if (input.publicValues.length != publics) revert WrongBatchShape("public values");
        if (input.terminals.length != shape.numLookupInstances) revert WrongBatchShape("terminals");
        if (shape.numLookupInstances == 0) {
            if (input.lookupPowWitness != 0) revert WrongBatchShape("lookup witness without lookups");
            if (input.permutationCommitment != 0) revert WrongBatchShape("permutation commitment");
        }
        if (!shape.hasPreprocessed && input.preprocessedCommitment != 0) {
            revert WrongBatchShape("preprocessed commitment");
        }
    }

    /// @dev A grinding step: at 0 bits the witness must be 0 and nothing is observed;
    /// otherwise `checkWitness` must pass.
    function _grind(T.State memory t, uint256 bits, uint256 witness, string memory phase) private pure {
        if (bits == 0) {
            if (witness != 0) revert NonCanonicalPowWitness(phase);
        } else if (!T.checkWitness(t, bits, witness)) {
            revert PowWitnessInvalid(phase);
        }
    }
}
