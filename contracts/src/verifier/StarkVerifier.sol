// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {BatchStarkTranscript as S} from "./BatchStarkTranscript.sol";
import {FriVerifier as V} from "./FriVerifier.sol";
import {KeccakTranscript as T} from "./KeccakTranscript.sol";
import {StarkConstraints as C} from "./StarkConstraints.sol";
import {StarkOpenings as O} from "./StarkOpenings.sol";
import {StarkQuotient as Q} from "./StarkQuotient.sol";
import {ScratchMemory} from "./ScratchMemory.sol";

/// @title A whole p3-batch-stark 0.8 proof in the L1 configuration, verified on chain
/// @notice `p3_batch_stark::verify_batch` for a circuit fixed by a verifying key, in its order:
/// 1. the proof's degree bits and the preprocessed commitment must be the key's (the circuit);
/// 2. the batch layer of the transcript (`BatchStarkTranscript`): lookup pair, constraint
///    challenge α, ζ;
/// 3. the opening argument (`StarkOpenings` claims, `FriVerifier`): every opened value is what
///    the committed traces give at ζ and ζ·g;
/// 4. each table's out-of-domain identity (`StarkConstraints`, over its generated constraint
///    program, with `StarkQuotient`'s selectors and recomposed quotient);
/// 5. the LogUp terminals cancel.
/// The statement is the public values; the proof carries everything else.
/// @dev Reverts with the first failing check's error: WrongDegreeBits, WrongPreprocessedCommitment,
/// WrongPublicValueCount here; the named errors of the libraries otherwise. Not gas-optimised:
/// see the README's gas table.
library StarkVerifier {
    /// @notice What fixes a circuit (one per circuit, pinned by the settlement contract).
    /// @param shape The batch transcript's shape (protocol seed, public-value counts, lookups,
    /// grinding bits).
    /// @param preprocessedCommitment The circuit's preprocessed commitment (its program).
    /// @param tables Each table's shape (degree bits, widths, quotient chunks).
    /// @param fri The FRI parameters.
    /// @param seeds The PCS and FRI protocol seeds.
    /// @param programs Each table's constraint program (`sq_prover_recursion::l1_constraints`).
    /// @param programValues Each program's value count.
    /// @param busIds Each table's LogUp bus per lookup.
    /// @param maxMessageWidth The widest lookup tuple (W).
    /// @param transcriptCapacity Input bytes the transcript must hold between two samples.
    struct VerifyingKey {
        S.Shape shape;
        bytes32 preprocessedCommitment;
        O.Table[] tables;
        V.Params fri;
        V.Seeds seeds;
        bytes[] programs;
        uint256[] programValues;
        uint256[][] busIds;
        uint256 maxMessageWidth;
        uint256 transcriptCapacity;
    }

    /// @notice A proof: the batch layer's input (its public values are overwritten by the
    /// statement's), the opened values per table, and the opening proof.
    struct Proof {
        S.Input input;
        O.Opened[] opened;
        V.Proof opening;
    }

    /// Table `table`'s degree bits are not the verifying key's.
    error WrongDegreeBits(uint256 table);
    /// The proof's preprocessed commitment is not the verifying key's.
    error WrongPreprocessedCommitment();
    /// The statement does not hold the key's public-value count.
    error WrongPublicValueCount(uint256 expected, uint256 got);

    /// @notice Verifies `proof` of the circuit `vk` fixes with public values `publicValues`
    /// (all tables', in order).
    function verify(VerifyingKey memory vk, Proof memory proof, uint256[] memory publicValues) internal view {
        (T.State memory t, S.Challenges memory ch) = replayBatch(vk, proof, publicValues);
        checkOpening(vk, proof, ch, t);
        checkTables(vk, proof, ch, publicValues);
    }

    /// @notice Stage 1 and 2 of {verify}: checks the proof is of `vk`'s circuit and replays
    /// the batch layer of the transcript (its public values become `publicValues`).
    /// @return t The transcript after ζ. @return ch The batch layer's challenges.
    function replayBatch(VerifyingKey memory vk, Proof memory proof, uint256[] memory publicValues)
        internal
        pure
        returns (T.State memory t, S.Challenges memory ch)
    {
        _checkKey(vk, proof, publicValues);
        proof.input.publicValues = publicValues;
        t = T.init(vk.transcriptCapacity);
        ch = S.replay(vk.shape, proof.input, t);
    }

    /// @notice Stage 3 of {verify}: the opening argument, continuing transcript `t`.
    function checkOpening(VerifyingKey memory vk, Proof memory proof, S.Challenges memory ch, T.State memory t)
        internal
        view
    {
        V.verify(vk.fri, openingClaims(vk, proof, ch), proof.opening, vk.seeds, t);
    }

    /// @notice The opening argument's claims of `proof` (its opened values at ζ and ζ·g, under
    /// its commitments), for `vk`'s tables.
    function openingClaims(VerifyingKey memory vk, Proof memory proof, S.Challenges memory ch)
        internal
        pure
        returns (V.Claims memory)
    {
        return O.claims(vk.tables, proof.opened, proof.input, ch.zeta, vk.fri.logBlowup);
    }

    /// @notice Stages 4 and 5 of {verify}: each table's out-of-domain identity, then the
    /// LogUp terminals.
    function checkTables(
        VerifyingKey memory vk,
        Proof memory proof,
        S.Challenges memory ch,
        uint256[] memory publicValues
    ) internal view {
        uint256 publicAt = 0;
        for (uint256 i = 0; i < vk.tables.length; ++i) {
            // A table's environment and constraint values are done with after its check.
            uint256 scratch = ScratchMemory.mark();
            uint256 count = vk.shape.publicValueCounts[i];
            _checkTable(vk, proof, ch, i, _slice(publicValues, publicAt, count));
            publicAt += count;
            ScratchMemory.release(scratch);
        }
        C.checkTerminals(proof.input.terminals);
    }

    function _checkKey(VerifyingKey memory vk, Proof memory proof, uint256[] memory publicValues) private pure {
        uint256[] memory degreeBits = proof.input.degreeBits;
        if (degreeBits.length != vk.tables.length) revert S.WrongBatchShape("degree bits");
        for (uint256 i = 0; i < degreeBits.length; ++i) {
            if (degreeBits[i] != vk.tables[i].degreeBits) revert WrongDegreeBits(i);
        }
        if (proof.input.preprocessedCommitment != vk.preprocessedCommitment) revert WrongPreprocessedCommitment();
        uint256 expected = 0;
        for (uint256 i = 0; i < vk.shape.publicValueCounts.length; ++i) {
            expected += vk.shape.publicValueCounts[i];
        }
        if (publicValues.length != expected) revert WrongPublicValueCount(expected, publicValues.length);
    }

    /// @dev Table `i`'s out-of-domain identity.
    function _checkTable(
        VerifyingKey memory vk,
        Proof memory proof,
        S.Challenges memory ch,
        uint256 i,
        uint256[] memory publics
    ) private view {
        O.Opened memory o = proof.opened[i];
        uint256 degreeBits = vk.tables[i].degreeBits;
        C.Env memory env = C.envOf(
            o,
            publics,
            C.lookupChallenges(ch.lookupAlpha, ch.lookupBeta, vk.maxMessageWidth, vk.busIds[i]),
            _terminalOf(vk, proof, i),
            ch.zeta,
            degreeBits
        );
        uint256 quotient = Q.quotient(ch.zeta, degreeBits, o.quotientChunks);
        C.checkTable(i, vk.programs[i], vk.programValues[i], env, ch.alpha, quotient);
    }

    /// @dev Table `i`'s terminal (one entry), or none when it has no lookups: terminals are
    /// listed for the tables with lookups only, in order.
    function _terminalOf(VerifyingKey memory vk, Proof memory proof, uint256 i)
        private
        pure
        returns (uint256[] memory out)
    {
        if (vk.tables[i].permutationWidth == 0) return new uint256[](0);
        uint256 at = 0;
        for (uint256 j = 0; j < i; ++j) {
            if (vk.tables[j].permutationWidth > 0) ++at;
        }
        out = new uint256[](1);
        out[0] = proof.input.terminals[at];
    }

    function _slice(uint256[] memory xs, uint256 from, uint256 n) private pure returns (uint256[] memory out) {
        out = new uint256[](n);
        for (uint256 j = 0; j < n; ++j) {
            out[j] = xs[from + j];
        }
    }
}
