// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {BabyBear4 as E} from "./BabyBear4.sol";
import {BatchStarkTranscript as S} from "./BatchStarkTranscript.sol";
import {FriFold} from "./FriFold.sol";
import {FriInputs} from "./FriInputs.sol";
import {FriVerifier} from "./FriVerifier.sol";

/// @title The opening argument's claims of a batch-STARK proof
/// @notice What p3-batch-stark 0.8's verifier asks the PCS to check
/// (`p3_batch_stark::verifier::commitments_with_opening_points`, non-hiding), built from the
/// proof's opened values: four batches in this order,
/// 1. the main trace: per table, its row at ζ and, when it reads the next row, at ζ·g
///    (g generating the table's trace domain, of order 2^degreeBits);
/// 2. the quotient chunks: per table, per chunk, its 4 coordinate polynomials at ζ;
/// 3. the preprocessed trace (when some table has one): per such table, its row at ζ and,
///    when read, at ζ·g;
/// 4. the permutation trace (when some table has lookups): per such table, its flattened row
///    (4 base columns per extension column) at ζ and ζ·g.
/// Every matrix is committed over the natural domain of its table's trace height, so its LDE
/// log-height is degreeBits + logBlowup (a quotient chunk's domain has the trace's size).
/// Values are `BabyBear4` words.
/// @dev Reverts WrongOpenedShape when an opened row is not the width the verifying key fixes.
library StarkOpenings {
    /// @notice One table as the verifying key fixes it.
    /// @param degreeBits log2 of its trace height.
    /// @param width Its main-trace width.
    /// @param mainNext Whether its constraints read the next main row.
    /// @param preprocessedWidth Its preprocessed width (0: none).
    /// @param preprocessedNext Whether its constraints read the next preprocessed row.
    /// @param permutationWidth Its permutation trace's base columns (0: no lookups).
    /// @param quotientChunks Its quotient-chunk count.
    struct Table {
        uint256 degreeBits;
        uint256 width;
        bool mainNext;
        uint256 preprocessedWidth;
        bool preprocessedNext;
        uint256 permutationWidth;
        uint256 quotientChunks;
    }

    /// @notice One table's opened values (empty where the table has none).
    struct Opened {
        uint256[] traceLocal;
        uint256[] traceNext;
        uint256[] preprocessedLocal;
        uint256[] preprocessedNext;
        uint256[] permutationLocal;
        uint256[] permutationNext;
        uint256[] quotientChunks;
    }

    /// Table `table`'s opened `what` does not have the verifying key's width.
    error WrongOpenedShape(uint256 table, string what);

    /// @dev The claims under construction: the next matrix slot and the current batch.
    struct Builder {
        FriVerifier.Claims claims;
        uint256 at;
        uint256 batch;
        uint256 zeta;
        uint256 logBlowup;
    }

    /// @notice The PCS claims of a proof with `opened` values at `zeta`, committed under
    /// `input`'s commitments, for `tables`.
    function claims(
        Table[] memory tables,
        Opened[] memory opened,
        S.Input memory input,
        uint256 zeta,
        uint256 logBlowup
    ) internal pure returns (FriVerifier.Claims memory) {
        (uint256 matrices, uint256 batches, bool pre, bool perm) = _count(tables, opened);
        Builder memory b;
        b.zeta = zeta;
        b.logBlowup = logBlowup;
        b.claims.commitments = new bytes32[](batches);
        b.claims.matBatch = new uint256[](matrices);
        b.claims.matWidths = new uint256[](matrices);
        b.claims.mats = new FriInputs.MatrixClaim[](matrices);
        b.claims.commitments[0] = input.mainCommitment;
        for (uint256 i = 0; i < tables.length; ++i) {
            _push(b, tables[i].degreeBits, tables[i].width, opened[i].traceLocal, opened[i].traceNext);
        }
        b.batch = 1;
        b.claims.commitments[1] = input.quotientCommitment;
        for (uint256 i = 0; i < tables.length; ++i) {
            for (uint256 k = 0; k < tables[i].quotientChunks; ++k) {
                _pushChunk(b, tables[i].degreeBits, opened[i].quotientChunks, k);
            }
        }
        if (pre) {
            b.claims.commitments[++b.batch] = input.preprocessedCommitment;
            _preprocessedBatch(b, tables, opened);
        }
        if (perm) {
            b.claims.commitments[++b.batch] = input.permutationCommitment;
            _permutationBatch(b, tables, opened);
        }
        return b.claims;
    }

    function _preprocessedBatch(Builder memory b, Table[] memory tables, Opened[] memory opened) private pure {
        for (uint256 i = 0; i < tables.length; ++i) {
            if (tables[i].preprocessedWidth == 0) continue;
            _push(
                b,
                tables[i].degreeBits,
                tables[i].preprocessedWidth,
                opened[i].preprocessedLocal,
                opened[i].preprocessedNext
            );
        }
    }

    function _permutationBatch(Builder memory b, Table[] memory tables, Opened[] memory opened) private pure {
        for (uint256 i = 0; i < tables.length; ++i) {
            if (tables[i].permutationWidth == 0) continue;
            _push(
                b,
                tables[i].degreeBits,
                tables[i].permutationWidth,
                opened[i].permutationLocal,
                opened[i].permutationNext
            );
        }
    }

    /// @dev Checks every opened row's width; counts the matrices and batches and whether the
    /// preprocessed and permutation batches exist.
    function _count(Table[] memory tables, Opened[] memory opened)
        private
        pure
        returns (uint256 matrices, uint256 batches, bool pre, bool perm)
    {
        if (opened.length != tables.length) revert WrongOpenedShape(opened.length, "table count");
        uint256 preMats = 0;
        uint256 permMats = 0;
        uint256 chunks = 0;
        for (uint256 i = 0; i < tables.length; ++i) {
            Table memory t = tables[i];
            Opened memory o = opened[i];
            _checkRow(i, "trace", o.traceLocal, o.traceNext, t.width, t.mainNext);
            _checkRow(
                i, "preprocessed", o.preprocessedLocal, o.preprocessedNext, t.preprocessedWidth, t.preprocessedNext
            );
            _checkRow(
                i, "permutation", o.permutationLocal, o.permutationNext, t.permutationWidth, t.permutationWidth > 0
            );
            if (o.quotientChunks.length != 4 * t.quotientChunks) revert WrongOpenedShape(i, "quotient chunks");
            if (t.preprocessedWidth > 0) ++preMats;
            if (t.permutationWidth > 0) ++permMats;
            chunks += t.quotientChunks;
        }
        pre = preMats > 0;
        perm = permMats > 0;
        matrices = tables.length + chunks + preMats + permMats;
        batches = 2 + (pre ? 1 : 0) + (perm ? 1 : 0);
    }

    function _checkRow(
        uint256 table,
        string memory what,
        uint256[] memory local,
        uint256[] memory next,
        uint256 width,
        bool readsNext
    ) private pure {
        if (local.length != width) revert WrongOpenedShape(table, string.concat(what, " at zeta"));
        if (next.length != (readsNext ? width : 0)) revert WrongOpenedShape(table, string.concat(what, " at g*zeta"));
    }

    /// @dev Appends a matrix of `width` opened at ζ (and at ζ·g when `next` is not empty).
    function _push(Builder memory b, uint256 degreeBits, uint256 width, uint256[] memory local, uint256[] memory next)
        private
        pure
    {
        FriInputs.MatrixClaim memory m = b.claims.mats[b.at];
        m.logHeight = degreeBits + b.logBlowup;
        bool two = next.length > 0;
        m.points = new uint256[](two ? 2 : 1);
        m.points[0] = b.zeta;
        m.values = new uint256[](two ? 2 * width : width);
        for (uint256 j = 0; j < width; ++j) {
            m.values[j] = local[j];
        }
        if (two) {
            m.points[1] = E.mulBase(b.zeta, FriFold.twoAdicGenerator(degreeBits));
            for (uint256 j = 0; j < width; ++j) {
                m.values[width + j] = next[j];
            }
        }
        b.claims.matBatch[b.at] = b.batch;
        b.claims.matWidths[b.at] = width;
        ++b.at;
    }

    /// @dev Appends quotient chunk `k` (4 coordinate values at ζ).
    function _pushChunk(Builder memory b, uint256 degreeBits, uint256[] memory values, uint256 k) private pure {
        FriInputs.MatrixClaim memory m = b.claims.mats[b.at];
        m.logHeight = degreeBits + b.logBlowup;
        m.points = new uint256[](1);
        m.points[0] = b.zeta;
        m.values = new uint256[](4);
        for (uint256 j = 0; j < 4; ++j) {
            m.values[j] = values[4 * k + j];
        }
        b.claims.matBatch[b.at] = b.batch;
        b.claims.matWidths[b.at] = 4;
        ++b.at;
    }
}
