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
    /// @param pointCounts Each matrix's number of opening points.
    /// @param firsts Each matrix's ladder start at its first point (`off_0`): its points sit
    /// one width apart on its height's ladder, so point j starts at off_0 + j·width.
    /// @param shifts Each opening point's α^(off_j − off_0) (1 at a matrix's first point),
    /// points of all matrices in order.
    /// @param pairSumsAtZ Each pair's Σ over its opening points of Σ_i α^(off+i)·p_i(z).
    /// @param alphaPowers α^0, α^1, … up to the longest ladder.
    /// @param heights The distinct LDE log-heights, decreasing.
    /// @param pairOf Each opening point's pair: its (point z, height) among the distinct ones.
    /// @param pairPoints Each pair's point z…
    /// @param pairSlots …its height's position in `heights`…
    /// @param pairFirst …and the first (matrix << 128 | point) that names it (for errors).
    /// Quotients by z − x are taken once per pair: the matrices of one height opened at one
    /// point share their denominator.
    struct Prepared {
        uint256[] widths;
        uint256[] pointCounts;
        uint256[] firsts;
        uint256[] shifts;
        uint256[] pairSumsAtZ;
        uint256[] alphaPowers;
        uint256[] heights;
        uint256[] pairOf;
        uint256[] pairPoints;
        uint256[] pairSlots;
        uint256[] pairFirst;
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
        p.pointCounts = new uint256[](n);
        uint256 totalPoints = 0;
        for (uint256 m = 0; m < n; ++m) {
            uint256 k = mats[m].points.length;
            if (k == 0 || mats[m].values.length % k != 0) revert BadClaim(m);
            p.widths[m] = mats[m].values.length / k;
            p.pointCounts[m] = k;
            totalPoints += k;
        }
        p.heights = _distinctHeights(mats);
        uint256[] memory offsets = _ladders(mats, p, totalPoints, alpha);
        p.shifts = new uint256[](totalPoints);
        uint256[] memory sumsAtZ = new uint256[](totalPoints);
        uint256 at = 0;
        for (uint256 m = 0; m < n; ++m) {
            for (uint256 j = 0; j < mats[m].points.length; ++j) {
                p.shifts[at] = p.alphaPowers[offsets[at] - p.firsts[m]];
                sumsAtZ[at] = _dot(p.alphaPowers, offsets[at], mats[m].values, j * p.widths[m], p.widths[m]);
                ++at;
            }
        }
        _pairs(mats, p, totalPoints);
        p.pairSumsAtZ = new uint256[](p.pairPoints.length);
        for (uint256 i = 0; i < totalPoints; ++i) {
            uint256 k = p.pairOf[i];
            p.pairSumsAtZ[k] = E.add(p.pairSumsAtZ[k], sumsAtZ[i]);
        }
    }

    /// @dev Walks each height's ladder: returns every opening point's start (points of all
    /// matrices in order); sets `firsts` and the α powers up to the longest ladder.
    function _ladders(MatrixClaim[] memory mats, Prepared memory p, uint256 totalPoints, uint256 alpha)
        private
        pure
        returns (uint256[] memory offsets)
    {
        offsets = new uint256[](totalPoints);
        p.firsts = new uint256[](mats.length);
        uint256[] memory ladder = new uint256[](p.heights.length);
        uint256 longest = 0;
        uint256 at = 0;
        for (uint256 m = 0; m < mats.length; ++m) {
            uint256 slot = _heightSlot(p.heights, mats[m].logHeight);
            p.firsts[m] = ladder[slot];
            for (uint256 j = 0; j < mats[m].points.length; ++j) {
                offsets[at++] = ladder[slot];
                ladder[slot] += p.widths[m];
                if (ladder[slot] > longest) longest = ladder[slot];
            }
        }
        uint256[] memory powers = new uint256[](longest);
        uint256 power = 1;
        for (uint256 i = 0; i < longest; ++i) {
            assembly ("memory-safe") {
                mstore(add(powers, shl(5, add(i, 1))), power)
            }
            power = E.mul(power, alpha);
        }
        p.alphaPowers = powers;
    }

    /// @dev Groups the opening points by (point, height): `pairOf`, `pairPoints`, `pairSlots`,
    /// `pairFirst`.
    function _pairs(MatrixClaim[] memory mats, Prepared memory p, uint256 totalPoints) private pure {
        p.pairOf = new uint256[](totalPoints);
        uint256[] memory points = new uint256[](totalPoints);
        uint256[] memory slots = new uint256[](totalPoints);
        uint256[] memory first = new uint256[](totalPoints);
        uint256 pairs = 0;
        uint256 at = 0;
        for (uint256 m = 0; m < mats.length; ++m) {
            uint256 slot = _heightSlot(p.heights, mats[m].logHeight);
            for (uint256 j = 0; j < mats[m].points.length; ++j) {
                uint256 z = mats[m].points[j];
                uint256 k = 0;
                while (k < pairs && (points[k] != z || slots[k] != slot)) ++k;
                if (k == pairs) {
                    (points[k], slots[k], first[k]) = (z, slot, m << 128 | j);
                    ++pairs;
                }
                p.pairOf[at++] = k;
            }
        }
        assembly ("memory-safe") {
            mstore(points, pairs)
            mstore(slots, pairs)
            mstore(first, pairs)
        }
        (p.pairPoints, p.pairSlots, p.pairFirst) = (points, slots, first);
    }

    /// @notice One query's reduced openings, one per distinct height (`p.heights` order:
    /// decreasing), as `FriFold.QueryChain` takes them.
    /// @param rows The query's opened rows: each matrix's `widths[m]` canonical base elements.
    /// @param index The query index at the tallest height 2^logMaxHeight.
    /// @param logBlowup The FRI blowup's log: the reduced opening at that height (a constant
    /// trace's) must be zero.
    /// @dev Reverts WrongRowLength, OpeningPointMatchesQueryPoint, ConstantQuotientNonZero.
    function reduce(Prepared memory p, uint256[] memory rows, uint256 index, uint256 logMaxHeight, uint256 logBlowup)
        internal
        view
        returns (uint256[] memory ro)
    {
        _checkRows(p, rows);
        ro = _divide(p, _numerators(p, rows), index, logMaxHeight);
        uint256 last = p.heights.length - 1;
        if (p.heights[last] == logBlowup && ro[last] != 0) revert ConstantQuotientNonZero();
    }

    /// @dev Per pair, Σ over its opening points of Σ_i α^(off+i)·(p_i(z) − p_i(x)): the pair's
    /// prepared sum at z, less each of its points' α^(off_j − off_0)·Σ_i α^(off_0+i)·p_i(x), one
    /// dot of the matrix's row serving all its points.
    function _numerators(Prepared memory p, uint256[] memory rows) private pure returns (uint256[] memory numerators) {
        uint256[] memory sums = p.pairSumsAtZ;
        // Per pair, first the canonical terms Σ α^(off_j − off_0)·dot summed lane-wise without
        // reduction (fewer than 2^32 points keep every lane below 2^64), then reduced once.
        numerators = new uint256[](sums.length);
        uint256[] memory pairOf = p.pairOf;
        uint256[] memory shifts = p.shifts;
        uint256 at = 0;
        uint256 rowAt = 0;
        for (uint256 m = 0; m < p.widths.length; ++m) {
            uint256 width = p.widths[m];
            uint256 dot = _dotBase(p.alphaPowers, p.firsts[m], rows, rowAt, width);
            uint256 end = at + p.pointCounts[m];
            for (uint256 j = at; j < end; ++j) {
                uint256 term = j == at ? dot : E.mul(shifts[j], dot);
                unchecked {
                    numerators[pairOf[j]] += term;
                }
            }
            at = end;
            rowAt += width;
        }
        for (uint256 k = 0; k < sums.length; ++k) {
            numerators[k] = E.sub(sums[k], E.add(numerators[k], 0));
        }
    }

    /// @dev ro[height] = Σ over its pairs of numerator / (z − x), x the query's point at that
    /// height.
    function _divide(Prepared memory p, uint256[] memory numerators, uint256 index, uint256 logMaxHeight)
        private
        view
        returns (uint256[] memory ro)
    {
        ro = new uint256[](p.heights.length);
        uint256[] memory xs = new uint256[](p.heights.length);
        for (uint256 s = 0; s < xs.length; ++s) {
            xs[s] = ldePoint(index, logMaxHeight, p.heights[s]);
        }
        for (uint256 k = 0; k < numerators.length; ++k) {
            uint256 slot = p.pairSlots[k];
            uint256 diff = E.sub(p.pairPoints[k], xs[slot]);
            if (diff == 0) revert OpeningPointMatchesQueryPoint(p.pairFirst[k] >> 128, uint128(p.pairFirst[k]));
            ro[slot] = E.add(ro[slot], E.mul(numerators[k], E.inv(diff)));
        }
    }

    /// @notice The query's point on the LDE coset of log-height h:
    /// 31·g_h^{rev_h(index >> (logMaxHeight − h))}.
    function ldePoint(uint256 index, uint256 logMaxHeight, uint256 h) internal pure returns (uint256) {
        return mulmod(COSET_SHIFT, FriFold.queryPoint(index >> (logMaxHeight - h), h), BabyBear.P);
    }

    /// @dev The rows' length; their values are range-checked as `_dotBase` reads them.
    function _checkRows(Prepared memory p, uint256[] memory rows) private pure {
        uint256 total = 0;
        for (uint256 m = 0; m < p.widths.length; ++m) {
            total += p.widths[m];
        }
        if (rows.length != total) revert WrongRowLength(total, rows.length);
    }

    /// @dev Σ_i powers[off+i]·values[from+i] over `len` extension values.
    /// Products are canonical, so their lanes are summed without reduction (len < 2^33 keeps
    /// each lane below 2^64) and reduced once.
    function _dot(uint256[] memory powers, uint256 off, uint256[] memory values, uint256 from, uint256 len)
        private
        pure
        returns (uint256 acc)
    {
        // `prepare` lays the ladders inside the α powers and the rows inside the claims.
        assert(off + len <= powers.length && from + len <= values.length && len < 2 ** 33);
        uint256 pw;
        uint256 vw;
        assembly ("memory-safe") {
            pw := add(powers, shl(5, add(off, 1)))
            vw := add(values, shl(5, add(from, 1)))
        }
        for (uint256 i = 0; i < len; ++i) {
            uint256 x;
            uint256 y;
            assembly ("memory-safe") {
                x := mload(add(pw, shl(5, i)))
                y := mload(add(vw, shl(5, i)))
            }
            unchecked {
                acc += E.mul(x, y);
            }
        }
        acc = E.add(acc, 0);
    }

    /// @dev Σ_i powers[off+i]·row[from+i] over `len` base values. The powers are canonical
    /// `BabyBear4` words (four 64-bit lanes, each < p) and the row values canonical base
    /// elements (< p < 2^31), so one 256-bit multiplication gives all four lane products
    /// (each < p² < 2^62) without carries between lanes; four such products still fit a lane
    /// (4p² < 2^64), so products are summed four at a time, then spread into four unbounded
    /// lane sums, reduced mod p once at the end. Reverts BabyBear.NotAFieldElement with the
    /// first row value ≥ p (each is checked as it is read).
    function _dotBase(uint256[] memory powers, uint256 off, uint256[] memory row, uint256 from, uint256 len)
        private
        pure
        returns (uint256 acc)
    {
        if (from + len > row.length) revert WrongRowLength(from + len, row.length);
        // `prepare` sizes the α powers for the longest ladder.
        assert(off + len <= powers.length);
        uint256 p = BabyBear.P;
        bool ok;
        assembly ("memory-safe") {
            let pw := add(powers, mul(add(off, 1), 32))
            let rw := add(row, mul(add(from, 1), 32))
            // p − 1 = 0x78000000 and the 64-bit lane mask are literals: the loop is at the stack's limit.
            let bad := 0
            let s0 := 0
            let s1 := 0
            let s2 := 0
            let s3 := 0
            // Four products per step, one spread into the lane sums.
            for { let last := add(rw, mul(and(len, not(3)), 32)) } lt(rw, last) {} {
                let r0 := mload(rw)
                let r1 := mload(add(rw, 32))
                let r2 := mload(add(rw, 64))
                let r3 := mload(add(rw, 96))
                bad := or(
                    bad,
                    or(or(gt(r0, 0x78000000), gt(r1, 0x78000000)), or(gt(r2, 0x78000000), gt(r3, 0x78000000)))
                )
                let chunk :=
                    add(
                        add(mul(mload(pw), r0), mul(mload(add(pw, 32)), r1)),
                        add(mul(mload(add(pw, 64)), r2), mul(mload(add(pw, 96)), r3))
                    )
                s0 := add(s0, and(chunk, 0xffffffffffffffff))
                s1 := add(s1, and(shr(64, chunk), 0xffffffffffffffff))
                s2 := add(s2, and(shr(128, chunk), 0xffffffffffffffff))
                s3 := add(s3, shr(192, chunk))
                pw := add(pw, 128)
                rw := add(rw, 128)
            }
            let chunk := 0
            for { let last := add(rw, mul(and(len, 3), 32)) } lt(rw, last) {} {
                let r := mload(rw)
                bad := or(bad, gt(r, 0x78000000))
                chunk := add(chunk, mul(mload(pw), r))
                pw := add(pw, 32)
                rw := add(rw, 32)
            }
            s0 := add(s0, and(chunk, 0xffffffffffffffff))
            s1 := add(s1, and(shr(64, chunk), 0xffffffffffffffff))
            s2 := add(s2, and(shr(128, chunk), 0xffffffffffffffff))
            s3 := add(s3, shr(192, chunk))
            acc := or(or(mod(s0, p), shl(64, mod(s1, p))), or(shl(128, mod(s2, p)), shl(192, mod(s3, p))))
            ok := iszero(bad)
        }
        if (!ok) _revertFirstNonCanonical(row, from, len);
    }

    /// @dev Reverts BabyBear.NotAFieldElement with the first of `row[from..from+len]` that is ≥ p
    /// (the error path of `_dotBase`, which only knows that one is).
    function _revertFirstNonCanonical(uint256[] memory row, uint256 from, uint256 len) private pure {
        for (uint256 i = from; i < from + len; ++i) {
            if (row[i] >= BabyBear.P) revert BabyBear.NotAFieldElement(row[i]);
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
