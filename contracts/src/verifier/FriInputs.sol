// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {BabyBear} from "./BabyBear.sol";
import {BabyBear4 as E} from "./BabyBear4.sol";
import {FriFold} from "./FriFold.sol";

/// @title FRI's reduced openings for the L1 configuration
/// @notice The arithmetic of Plonky3 0.8's `open_inputs` (`p3_fri::verifier`): a query's opened
/// rows of the committed matrices and the claimed evaluations at the opening points become one
/// value per LDE height, the reduced opening that the query's fold chain rolls in
/// (`FriFold.foldQuery`):
///   ro[h] = Σ over points z of matrices of LDE height 2^h (batch, matrix, point order)
///           (Σ_i α^(off+i)·p_i(z) − Σ_i α^(off+i)·p_i(x)) / (z − x),
/// where x = 31·g_h^{rev_h(index >> (H − h))} (the query's point on the LDE coset of shift 31,
/// BabyBear's multiplicative generator), and `off` walks a ladder of α powers per height,
/// advancing by the matrix width at every point. The rows must already be authenticated
/// against their batch commitments (`KeccakMerkle`). Extension elements are `BabyBear4` words.
library FriInputs {
    /// The shift of every LDE coset: BabyBear's multiplicative generator (Plonky3 `GENERATOR`).
    uint256 internal constant COSET_SHIFT = 31;

    /// One committed matrix as the verifier knows it, matrices of all batches in order.
    /// @param logHeight log2 of the matrix's LDE height (trace log-height + log_blowup).
    /// @param points The opening points z.
    /// @param values The claimed p_i(z): for each point, the matrix's `width` values.
    struct MatrixClaim {
        uint256 logHeight;
        uint256[] points;
        uint256[] values;
    }

    /// The query-independent half of the reduction (`prepare`).
    /// @param widths Each matrix's width (its claimed values per point).
    /// @param offsets Each opening point's ladder start, points of all matrices in order.
    /// @param sumsAtZ Each opening point's Σ_i α^(off+i)·p_i(z).
    /// @param alphaPowers α^0, α^1, … up to the longest ladder.
    /// @param heights The distinct LDE log-heights, decreasing.
    struct Prepared {
        uint256[] widths;
        uint256[] offsets;
        uint256[] sumsAtZ;
        uint256[] alphaPowers;
        uint256[] heights;
    }

    /// Matrix `matrix` has no opening point, or claimed values that are not a whole row per point.
    error BadClaim(uint256 matrix);
    /// A query's opened rows are not one row of each matrix (`expected` base elements).
    error WrongRowLength(uint256 expected, uint256 got);
    /// An opening point equals the query's point (the quotient is undefined).
    error OpeningPointMatchesQueryPoint(uint256 matrix, uint256 point);
    /// A constant (height-1) trace's quotient is not zero at the query.
    error ConstantQuotientNonZero();

    /// @notice The reduction's query-independent half: widths, ladder offsets, the claims'
    /// combinations Σ α^(off+i)·p_i(z), the α powers and the distinct heights.
    /// @dev Reverts BadClaim for a matrix without points or with a ragged claim.
    function prepare(MatrixClaim[] memory mats, uint256 alpha) internal pure returns (Prepared memory p) {
        uint256 n = mats.length;
        p.widths = new uint256[](n);
        uint256 totalPoints = 0;
        for (uint256 m = 0; m < n; ++m) {
            uint256 k = mats[m].points.length;
            if (k == 0 || mats[m].values.length % k != 0) revert BadClaim(m);
            p.widths[m] = mats[m].values.length / k;
            totalPoints += k;
        }
        p.heights = _distinctHeights(mats);
        p.offsets = new uint256[](totalPoints);
        p.sumsAtZ = new uint256[](totalPoints);
        uint256[] memory ladder = new uint256[](p.heights.length);
        uint256 longest = 0;
        uint256 at = 0;
        for (uint256 m = 0; m < n; ++m) {
            uint256 slot = _heightSlot(p.heights, mats[m].logHeight);
            for (uint256 j = 0; j < mats[m].points.length; ++j) {
                p.offsets[at++] = ladder[slot];
                ladder[slot] += p.widths[m];
                if (ladder[slot] > longest) longest = ladder[slot];
            }
        }
        p.alphaPowers = new uint256[](longest);
        uint256 power = 1;
        for (uint256 i = 0; i < longest; ++i) {
            p.alphaPowers[i] = power;
            power = E.mul(power, alpha);
        }
        at = 0;
        for (uint256 m = 0; m < n; ++m) {
            for (uint256 j = 0; j < mats[m].points.length; ++j) {
                p.sumsAtZ[at] = _dot(p.alphaPowers, p.offsets[at], mats[m].values, j * p.widths[m], p.widths[m]);
                ++at;
            }
        }
    }

    /// @notice One query's reduced openings, one per distinct height (`p.heights` order:
    /// decreasing), as `FriFold.QueryChain` takes them.
    /// @param rows The query's opened rows: each matrix's `widths[m]` canonical base elements.
    /// @param index The query index at the tallest height 2^logMaxHeight.
    /// @param logBlowup The FRI blowup's log: the reduced opening at that height (a constant
    /// trace's) must be zero.
    /// @dev Reverts WrongRowLength, OpeningPointMatchesQueryPoint, ConstantQuotientNonZero.
    function reduce(
        MatrixClaim[] memory mats,
        Prepared memory p,
        uint256[] memory rows,
        uint256 index,
        uint256 logMaxHeight,
        uint256 logBlowup
    ) internal view returns (uint256[] memory ro) {
        _checkRows(p, rows);
        ro = new uint256[](p.heights.length);
        Cursor memory c;
        for (uint256 m = 0; m < mats.length; ++m) {
            uint256 x = ldePoint(index, logMaxHeight, mats[m].logHeight);
            _reduceMatrix(mats[m], m, p, rows, x, ro, c);
        }
        uint256 last = p.heights.length - 1;
        if (p.heights[last] == logBlowup && ro[last] != 0) revert ConstantQuotientNonZero();
    }

    /// @notice The query's point on the LDE coset of log-height h:
    /// 31·g_h^{rev_h(index >> (logMaxHeight − h))}.
    function ldePoint(uint256 index, uint256 logMaxHeight, uint256 h) internal pure returns (uint256) {
        return mulmod(COSET_SHIFT, FriFold.queryPoint(index >> (logMaxHeight - h), h), BabyBear.P);
    }

    /// @dev Where `reduce` is: the next opening point and the next matrix's first row element.
    struct Cursor {
        uint256 at;
        uint256 rowAt;
    }

    /// @dev Adds matrix m's quotients at the query's point x into its height's reduction.
    function _reduceMatrix(
        MatrixClaim memory mat,
        uint256 m,
        Prepared memory p,
        uint256[] memory rows,
        uint256 x,
        uint256[] memory ro,
        Cursor memory c
    ) private view {
        uint256 slot = _heightSlot(p.heights, mat.logHeight);
        for (uint256 j = 0; j < mat.points.length; ++j) {
            uint256 diff = E.sub(mat.points[j], x);
            if (diff == 0) revert OpeningPointMatchesQueryPoint(m, j);
            uint256 sumAtX = _dotBase(p.alphaPowers, p.offsets[c.at], rows, c.rowAt, p.widths[m]);
            ro[slot] = E.add(ro[slot], E.mul(E.sub(p.sumsAtZ[c.at], sumAtX), E.inv(diff)));
            ++c.at;
        }
        c.rowAt += p.widths[m];
    }

    function _checkRows(Prepared memory p, uint256[] memory rows) private pure {
        uint256 total = 0;
        for (uint256 m = 0; m < p.widths.length; ++m) {
            total += p.widths[m];
        }
        if (rows.length != total) revert WrongRowLength(total, rows.length);
        for (uint256 i = 0; i < rows.length; ++i) {
            if (rows[i] >= BabyBear.P) revert BabyBear.NotAFieldElement(rows[i]);
        }
    }

    /// @dev Σ_i powers[off+i]·values[from+i] over `len` extension values.
    function _dot(uint256[] memory powers, uint256 off, uint256[] memory values, uint256 from, uint256 len)
        private
        pure
        returns (uint256 acc)
    {
        for (uint256 i = 0; i < len; ++i) {
            acc = E.add(acc, E.mul(powers[off + i], values[from + i]));
        }
    }

    /// @dev Σ_i powers[off+i]·row[from+i] over `len` base values.
    function _dotBase(uint256[] memory powers, uint256 off, uint256[] memory row, uint256 from, uint256 len)
        private
        pure
        returns (uint256 acc)
    {
        for (uint256 i = 0; i < len; ++i) {
            acc = E.add(acc, E.mulBase(powers[off + i], row[from + i]));
        }
    }

    /// @dev The matrices' distinct log-heights, decreasing.
    function _distinctHeights(MatrixClaim[] memory mats) private pure returns (uint256[] memory hs) {
        hs = new uint256[](mats.length);
        uint256 n = 0;
        for (uint256 m = 0; m < mats.length; ++m) {
            uint256 h = mats[m].logHeight;
            uint256 i = 0;
            while (i < n && hs[i] > h) ++i;
            if (i < n && hs[i] == h) continue;
            for (uint256 j = n; j > i; --j) {
                hs[j] = hs[j - 1];
            }
            hs[i] = h;
            ++n;
        }
        assembly ("memory-safe") {
            mstore(hs, n)
        }
    }

    /// @dev The position of height h in the decreasing list hs (present by construction).
    function _heightSlot(uint256[] memory hs, uint256 h) private pure returns (uint256 i) {
        while (hs[i] != h) ++i;
    }
}
