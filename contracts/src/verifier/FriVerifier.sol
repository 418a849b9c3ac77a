// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {FriFold} from "./FriFold.sol";
import {FriInputs} from "./FriInputs.sol";
import {KeccakMerkle} from "./KeccakMerkle.sol";
import {ScratchMemory} from "./ScratchMemory.sol";
import {KeccakTranscript as T} from "./KeccakTranscript.sol";

/// @title The L1 configuration's PCS opening check: FRI over Keccak Merkle commitments
/// @notice Plonky3 0.8's `TwoAdicFriPcs::verify` (`p3_fri::two_adic_pcs`, `p3_fri::verifier`):
/// given committed batches of matrices and claimed evaluations of their columns at points,
/// it replays the PCS and FRI transcripts (protocol seeds from the verifying key, the claims,
/// α, one β per commit round, the final polynomial, the query proof of work, the query
/// indices), checks every batch's opened rows against its commitment, reduces them per
/// height (`FriInputs`), folds each query down its chain (`FriFold`), checks the final
/// polynomial there, and checks every round's rebuilt rows against its commitment.
/// @dev Batch and commit-phase proof-of-work bits must be 0 (as in the L1 configuration):
/// their witnesses are then never read and are not part of the proof here. Reverts with the
/// errors of the libraries it calls or its own.
library FriVerifier {
    /// The FRI parameters (`FriParameters`).
    struct Params {
        uint256 logBlowup;
        uint256 logFinalPolyLen;
        uint256 maxLogArity;
        uint256 numQueries;
        uint256 queryPowBits;
    }

    /// The claims: each batch's commitment and, per matrix (batches in order, a batch's
    /// matrices in its order), its batch, width and `FriInputs.MatrixClaim` (LDE log-height,
    /// points, claimed values).
    struct Claims {
        bytes32[] commitments;
        uint256[] matBatch;
        uint256[] matWidths;
        FriInputs.MatrixClaim[] mats;
    }

    /// The opening proof (`FriProof` without the zero-bit witnesses).
    /// @param commitPhaseCommits One Merkle root per commit round.
    /// @param finalPoly The final polynomial's coefficients (extension words), low degree first.
    /// @param queryPowWitness The query proof-of-work witness.
    /// @param siblingValues Extension words: per round, per query, its arity − 1 sibling values.
    /// @param roundProofs Per round, the pruned Merkle proof of the queried rows.
    /// @param inputRows Per batch: per query, the opened rows of its matrices (base elements).
    /// @param inputProofs Per batch, the pruned Merkle proof of those rows.
    struct Proof {
        bytes32[] commitPhaseCommits;
        uint256[] finalPoly;
        uint256 queryPowWitness;
        uint256[] siblingValues;
        bytes32[][] roundProofs;
        uint256[][] inputRows;
        bytes32[][] inputProofs;
    }

    /// @notice The protocol seeds the transcript observes (Plonky3's domain separators of the
    /// PCS and of FRI for this proof shape, as field elements): part of the verifying key.
    struct Seeds {
        uint256[] pcs;
        uint256[] fri;
    }

    /// The proof's shape differs from the one the parameters and claims fix (`what` says which).
    error WrongProofShape(string what);
    /// The query proof-of-work witness does not pass.
    error QueryPowInvalid();
    /// Query `query` folds to a value the final polynomial does not take.
    error FinalPolyMismatch(uint256 query);

    /// @notice What the transcript yields and the schedule: α, β per round, query indices, the
    /// rounds' log-arities, the tallest log-height, the rows' prepared reduction, each batch's
    /// elements per query and the buffer one query's rows are copied into (set by
    /// `checkInputs`).
    struct Run {
        uint256 alpha;
        uint256[] betas;
        uint256[] indices;
        uint256[] schedule;
        uint256 logMaxHeight;
        FriInputs.Prepared prepared;
        uint256[] batchRowLens;
        uint256[] queryRows;
    }

    /// @notice Verifies `proof` of `claims`, continuing the transcript `t` (which has already
    /// observed what the protocol above the PCS observes).
    function verify(
        Params memory params,
        Claims memory claims,
        Proof memory proof,
        Seeds memory seeds,
        T.State memory t
    ) internal view {
        Run memory run = replay(params, claims, proof, seeds, t);
        checkInputs(claims, proof, run);
        (uint256[][] memory rows, uint256[][] memory groups) = foldQueries(params, proof, run);
        checkRounds(proof, run, rows, groups);
    }

    /// @notice Stage 4 of {verify}: each commit round's rebuilt rows (`foldQueries`) against
    /// its commitment.
    function checkRounds(Proof memory proof, Run memory run, uint256[][] memory rows, uint256[][] memory groups)
        internal
        pure
    {
        uint256 logHeight = run.logMaxHeight;
        for (uint256 r = 0; r < run.schedule.length; ++r) {
            uint256 scratch = ScratchMemory.mark();
            logHeight -= run.schedule[r];
            uint256[] memory heights = new uint256[](1);
            heights[0] = 2 ** logHeight;
            uint256[] memory widths = new uint256[](1);
            widths[0] = 4 * 2 ** run.schedule[r];
            KeccakMerkle.verifyMultiBatch(
                proof.commitPhaseCommits[r], heights, widths, groups[r], rows[r], proof.roundProofs[r]
            );
            ScratchMemory.release(scratch);
        }
    }

    /// @notice Stage 1 of {verify}: replays the PCS and FRI transcripts; fixes the schedule
    /// from the claims.
    function replay(
        Params memory params,
        Claims memory claims,
        Proof memory proof,
        Seeds memory seeds,
        T.State memory t
    ) internal pure returns (Run memory run) {
        for (uint256 i = 0; i < seeds.pcs.length; ++i) {
            T.observe(t, seeds.pcs[i]);
        }
        for (uint256 m = 0; m < claims.mats.length; ++m) {
            T.observeExtAll(t, claims.mats[m].values);
        }
        run.alpha = T.sampleExt(t);
        run.prepared = FriInputs.prepare(claims.mats, run.alpha);
        for (uint256 i = 0; i < seeds.fri.length; ++i) {
            T.observe(t, seeds.fri[i]);
        }
        uint256[] memory heights = run.prepared.heights;
        run.logMaxHeight = heights[0];
        run.schedule = FriFold.foldSchedule(heights, params.logBlowup + params.logFinalPolyLen, params.maxLogArity);
        if (proof.commitPhaseCommits.length != run.schedule.length) revert WrongProofShape("commit rounds");
        run.betas = new uint256[](run.schedule.length);
        for (uint256 r = 0; r < run.schedule.length; ++r) {
            T.observeDigest(t, proof.commitPhaseCommits[r]);
            run.betas[r] = T.sampleExt(t);
        }
        if (proof.finalPoly.length != 2 ** params.logFinalPolyLen) revert WrongProofShape("final polynomial");
        for (uint256 i = 0; i < proof.finalPoly.length; ++i) {
            T.observeExt(t, proof.finalPoly[i]);
        }
        if (!T.checkWitness(t, params.queryPowBits, proof.queryPowWitness)) revert QueryPowInvalid();
        run.indices = new uint256[](params.numQueries);
        for (uint256 q = 0; q < params.numQueries; ++q) {
            run.indices[q] = T.sampleBits(t, run.logMaxHeight);
        }
    }

    /// @notice Stage 2 of {verify}: checks each batch's opened rows against its commitment, at
    /// the queries' indices shifted down to the batch's tallest height.
    function checkInputs(Claims memory claims, Proof memory proof, Run memory run) internal pure {
        uint256 batches = claims.commitments.length;
        if (proof.inputRows.length != batches || proof.inputProofs.length != batches) {
            revert WrongProofShape("input batches");
        }
        run.batchRowLens = new uint256[](batches);
        uint256 rowLen = 0;
        for (uint256 b = 0; b < batches; ++b) {
            // A batch's shape and Merkle walk are done with when the next batch starts.
            uint256 scratch = ScratchMemory.mark();
            (uint256[] memory heights, uint256[] memory widths, uint256 logTallest) = _batchShape(claims, b);
            for (uint256 m = 0; m < widths.length; ++m) {
                run.batchRowLens[b] += widths[m];
            }
            rowLen += run.batchRowLens[b];
            uint256[] memory reduced = new uint256[](run.indices.length);
            for (uint256 q = 0; q < reduced.length; ++q) {
                reduced[q] = run.indices[q] >> (run.logMaxHeight - logTallest);
            }
            KeccakMerkle.verifyMultiBatch(
                claims.commitments[b], heights, widths, reduced, proof.inputRows[b], proof.inputProofs[b]
            );
            ScratchMemory.release(scratch);
        }
        run.queryRows = new uint256[](rowLen);
    }

    /// @notice Stage 3 of {verify}: folds every query (its reduced openings rolled in) down to
    /// the final polynomial; returns each round's rebuilt rows (flat base coefficients, per
    /// query) and group indices for the rounds' Merkle checks.
    function foldQueries(Params memory params, Proof memory proof, Run memory run)
        internal
        view
        returns (uint256[][] memory rows, uint256[][] memory groups)
    {
        uint256 rounds = run.schedule.length;
        rows = new uint256[][](rounds);
        groups = new uint256[][](rounds);
        uint256 siblingsPerQuery = 0;
        for (uint256 r = 0; r < rounds; ++r) {
            rows[r] = new uint256[](run.indices.length * 4 * 2 ** run.schedule[r]);
            groups[r] = new uint256[](run.indices.length);
            siblingsPerQuery += 2 ** run.schedule[r] - 1;
        }
        if (proof.siblingValues.length != siblingsPerQuery * run.indices.length) {
            revert WrongProofShape("sibling values");
        }
        for (uint256 q = 0; q < run.indices.length; ++q) {
            // A query's chain lives until `_scatter` copies it into `rows` and `groups`.
            uint256 scratch = ScratchMemory.mark();
            _foldQuery(params, proof, run, q, rows, groups);
            ScratchMemory.release(scratch);
        }
    }

    /// @dev Query q's fold chain down to the final polynomial; its rows and group indices go
    /// into `rows` and `groups`.
    function _foldQuery(
        Params memory params,
        Proof memory proof,
        Run memory run,
        uint256 q,
        uint256[][] memory rows,
        uint256[][] memory groups
    ) private view {
        FriFold.QueryChain memory chain = _chain(params, proof, run, q);
        (uint256 folded, uint256 index, uint256[] memory chainRows, uint256[] memory chainGroups) =
            FriFold.foldQuery(chain);
        uint256 x = FriFold.queryPoint(index, run.logMaxHeight);
        if (FriFold.finalPolyAt(proof.finalPoly, x) != folded) revert FinalPolyMismatch(q);
        _scatter(run.schedule, q, chainRows, chainGroups, rows, groups);
    }

    /// @dev Query q's fold chain: its reduced openings and its siblings of every round.
    function _chain(Params memory params, Proof memory proof, Run memory run, uint256 q)
        private
        view
        returns (FriFold.QueryChain memory chain)
    {
        chain.index = run.indices[q];
        chain.logMaxHeight = run.logMaxHeight;
        chain.logFinalHeight = params.logBlowup + params.logFinalPolyLen;
        chain.betas = run.betas;
        chain.logArities = run.schedule;
        chain.roLogHeights = run.prepared.heights;
        _queryRows(proof, run, q);
        chain.roValues =
            FriInputs.reduce(run.prepared, run.queryRows, run.indices[q], run.logMaxHeight, params.logBlowup);
        uint256 perQuery = proof.siblingValues.length / run.indices.length;
        chain.siblings = new uint256[](perQuery);
        uint256 at = 0;
        uint256 roundStart = 0;
        uint256[] memory siblings = chain.siblings;
        uint256[] memory all = proof.siblingValues;
        for (uint256 r = 0; r < run.schedule.length; ++r) {
            uint256 n = 2 ** run.schedule[r] - 1;
            // `foldQueries` checked the sibling count against the schedule and query count.
            assert(roundStart + (q + 1) * n <= all.length && at + n <= siblings.length);
            assembly ("memory-safe") {
                mcopy(
                    add(siblings, shl(5, add(at, 1))),
                    add(all, shl(5, add(add(roundStart, mul(q, n)), 1))),
                    shl(5, n)
                )
            }
            at += n;
            roundStart += run.indices.length * n;
        }
    }

    /// @dev Copies query q's opened rows of every matrix, batches in order, into the buffer
    /// `run.queryRows` (allocated once: a copy per query would grow memory, whose cost is
    /// quadratic), one `mcopy` per batch.
    function _queryRows(Proof memory proof, Run memory run, uint256 q) private pure {
        uint256[] memory out = run.queryRows;
        uint256 at = 0;
        for (uint256 b = 0; b < run.batchRowLens.length; ++b) {
            uint256[] memory batchRows = proof.inputRows[b];
            uint256 perQuery = run.batchRowLens[b];
            if (batchRows.length < (q + 1) * perQuery || at + perQuery > out.length) {
                revert WrongProofShape("input rows");
            }
            assembly ("memory-safe") {
                mcopy(
                    add(add(out, 32), mul(at, 32)),
                    add(add(batchRows, 32), mul(mul(q, perQuery), 32)),
                    mul(perQuery, 32)
                )
            }
            at += perQuery;
        }
    }

    /// @dev Copies query q's rows (extension words, as flat base coefficients) and group
    /// indices into the rounds' arrays.
    function _scatter(
        uint256[] memory schedule,
        uint256 q,
        uint256[] memory chainRows,
        uint256[] memory chainGroups,
        uint256[][] memory rows,
        uint256[][] memory groups
    ) private pure {
        uint256 at = 0;
        for (uint256 r = 0; r < schedule.length; ++r) {
            uint256 arity = 2 ** schedule[r];
            groups[r][q] = chainGroups[r];
            uint256[] memory round = rows[r];
            // `foldQueries` sized round r for 4·arity coefficients per query, and the chain
            // holds arity values per round.
            assert((q + 1) * arity * 4 <= round.length && at + arity <= chainRows.length);
            assembly ("memory-safe") {
                let dst := add(round, shl(5, add(mul(mul(q, arity), 4), 1)))
                let src := add(chainRows, shl(5, add(at, 1)))
                for { let end := add(src, shl(5, arity)) } lt(src, end) { src := add(src, 32) } {
                    let v := mload(src)
                    mstore(dst, and(v, 0xffffffffffffffff))
                    mstore(add(dst, 32), and(shr(64, v), 0xffffffffffffffff))
                    mstore(add(dst, 64), and(shr(128, v), 0xffffffffffffffff))
                    mstore(add(dst, 96), shr(192, v))
                    dst := add(dst, 128)
                }
            }
            at += arity;
        }
    }

    /// @dev Batch b's matrix heights (2^LDE log-height) and widths, and its tallest log-height.
    function _batchShape(Claims memory claims, uint256 b)
        private
        pure
        returns (uint256[] memory heights, uint256[] memory widths, uint256 logTallest)
    {
        uint256 n = 0;
        for (uint256 m = 0; m < claims.matBatch.length; ++m) {
            if (claims.matBatch[m] == b) ++n;
        }
        heights = new uint256[](n);
        widths = new uint256[](n);
        uint256 i = 0;
        for (uint256 m = 0; m < claims.matBatch.length; ++m) {
            if (claims.matBatch[m] != b) continue;
            uint256 h = claims.mats[m].logHeight;
            heights[i] = 2 ** h;
            widths[i++] = claims.matWidths[m];
            if (h > logTallest) logTallest = h;
        }
    }
}
