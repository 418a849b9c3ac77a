// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {BabyBear} from "./BabyBear.sol";
import {BabyBear4 as E} from "./BabyBear4.sol";

/// @title FRI's folding arithmetic for the L1 configuration
/// @notice Plonky3 0.8's `TwoAdicFriFolding` (`p3_fri::two_adic_pcs`) and fold schedule
/// (`p3_fri::fold_schedule`): the pure arithmetic a FRI verifier runs per query, apart from
/// the transcript and the Merkle checks. Extension elements are `BabyBear4` words.
/// - A round of arity 2^k folds a row of 2^k evaluations (a group of the committed codeword,
///   in bit-reversed order) into the value at β of the polynomial of degree < 2^k that
///   interpolates them on the coset s·⟨ω_k⟩, where s = g_{h+k}^{rev_h(index)} for the group's
///   index at the folded log-height h (Ben-Sasson et al., "Fast Reed–Solomon IOPP", 2018).
/// - The schedule folds from the tallest input height to the final height by the largest
///   arity up to the cap that does not jump past the next input's height.
library FriFold {
    /// log2 of the largest power-of-two subgroup of BabyBear's multiplicative group.
    uint256 internal constant TWO_ADICITY = 27;
    /// Plonky3's generator of that subgroup (order 2^27); the generator of order 2^k is its
    /// 2^(27−k)-th power, as `two_adic_generator(k)`.
    uint256 internal constant TWO_ADIC_GENERATOR = 0x1a427a41;
    /// 1/2 in BabyBear.
    uint256 private constant HALF = (BabyBear.P + 1) / 2;
    /// g_3^0, g_3^−1, g_3^−2, g_3^−3 for the generator g_3 of order 8, 32 bits each, the first
    /// in the low bits (Plonky3's `INV_ROOTS_8` for BabyBear).
    uint256 private constant INV_ROOTS_8 = 0x19166b7b10faa3e06b615c4700000001;

    /// A subgroup of order 2^logN is asked for beyond the two-adicity.
    error TwoAdicityExceeded(uint256 logN);
    /// A row does not hold the 2^logArity evaluations of its round, or logArity is 0.
    error WrongRowLength(uint256 logArity, uint256 got);
    /// The schedule's inputs are not strictly decreasing, or the arity cap is 0.
    error BadSchedule();
    /// Round `round`'s log-arity is 0 or above 8.
    error ArityOutOfRange(uint256 round, uint256 logArity);
    /// There is not one β per round.
    error WrongBetaCount(uint256 expected, uint256 got);
    /// There is not one value per reduced-opening height.
    error WrongOpeningCount(uint256 expected, uint256 got);
    /// The rounds fold past the final height.
    error FoldScheduleTooLong(uint256 totalLogArity, uint256 logMaxHeight, uint256 logFinalHeight);
    /// The sibling values are not arity − 1 per round.
    error WrongSiblingCount(uint256 expected, uint256 got);
    /// The first reduced opening is missing or not at the tallest height.
    error InitialOpeningHeight(uint256 expected, uint256 got);
    /// The rounds end above or below the final height.
    error FinalFoldHeight(uint256 expected, uint256 got);
    /// A reduced opening was never rolled in (its log-height).
    error UnconsumedReducedOpening(uint256 logHeight);

    /// @notice One query's fold chain (`fold_query`'s inputs).
    /// @param index The query index at the tallest height, 2^logMaxHeight.
    /// @param logMaxHeight log2 of the tallest input's LDE height.
    /// @param logFinalHeight log2 of the final codeword's height (log_blowup + log_final_poly_len).
    /// @param betas Each round's folding challenge.
    /// @param logArities Each round's log-arity (the schedule).
    /// @param siblings Flat: each round's arity − 1 sibling values in row order, this query's
    /// own position left out.
    /// @param roLogHeights The reduced openings' log-heights, strictly decreasing.
    /// @param roValues The reduced openings (this query's combined input values per height).
    struct QueryChain {
        uint256 index;
        uint256 logMaxHeight;
        uint256 logFinalHeight;
        uint256[] betas;
        uint256[] logArities;
        uint256[] siblings;
        uint256[] roLogHeights;
        uint256[] roValues;
    }

    /// @notice The generator of the subgroup of order 2^logN (Plonky3's `two_adic_generator`).
    /// @dev Reverts TwoAdicityExceeded when logN > 27.
    function twoAdicGenerator(uint256 logN) internal pure returns (uint256 g) {
        if (logN > TWO_ADICITY) revert TwoAdicityExceeded(logN);
        g = TWO_ADIC_GENERATOR;
        assembly ("memory-safe") {
            for { let i := logN } lt(i, TWO_ADICITY) { i := add(i, 1) } { g := mulmod(g, g, 2013265921) }
        }
    }

    /// @notice The low `bits` bits of x in reverse order (Plonky3's `reverse_bits_len`).
    /// @dev Up to 32 bits (every two-adic height here has at most 27), the 32-bit word is
    /// reversed with five mask-and-swap steps and shifted down; wider, bit by bit.
    function reverseBits(uint256 x, uint256 bits) internal pure returns (uint256 r) {
        if (bits > 32) {
            for (uint256 i = 0; i < bits; ++i) {
                r = (r << 1) | (x & 1);
                x >>= 1;
            }
            return r;
        }
        assembly ("memory-safe") {
            r := and(x, 0xffffffff)
            r := or(shr(1, and(r, 0xaaaaaaaa)), shl(1, and(r, 0x55555555)))
            r := or(shr(2, and(r, 0xcccccccc)), shl(2, and(r, 0x33333333)))
            r := or(shr(4, and(r, 0xf0f0f0f0)), shl(4, and(r, 0x0f0f0f0f)))
            r := or(shr(8, and(r, 0xff00ff00)), shl(8, and(r, 0x00ff00ff)))
            r := or(shr(16, r), and(shl(16, r), 0xffff0000))
            r := shr(sub(32, bits), r)
        }
    }

    /// @notice Folds one round's row: the value at `beta` of the interpolant of `evals` on the
    /// coset of group `index` at the folded log-height `logHeight` (`fold_row`).
    /// @param index The group's index at the folded height (the query index shifted by k).
    /// @param evals The 2^logArity row values, bit-reversed order (as committed); not modified.
    /// @dev Computed as k binary folds instead of Plonky3's Lagrange interpolation (the value
    /// is the same: the interpolant is unique). In bit-reversed order the pair (2j, 2j + 1)
    /// holds f at x_j and −x_j, x_j = s·ω^{rev(2j)}; with f(X) = f_e(X²) + X·f_o(X²),
    /// f(β) = g(β²) for g = f_e + β·f_o, whose values on the squared coset, again in
    /// bit-reversed order, are (f(x) + f(−x))/2 + β·(f(x) − f(−x))/(2x). So each level halves
    /// the row with β, then β², β⁴, …, and needs no extension inverse. Reverts WrongRowLength
    /// or TwoAdicityExceeded.
    function foldRow(uint256 index, uint256 logHeight, uint256 logArity, uint256 beta, uint256[] memory evals)
        internal
        view
        returns (uint256)
    {
        if (logArity == 0 || evals.length != 2 ** logArity) revert WrongRowLength(logArity, evals.length);
        uint256[] memory v = new uint256[](evals.length);
        assembly ("memory-safe") {
            mcopy(add(v, 32), add(evals, 32), shl(5, mload(evals)))
        }
        return _foldInPlace(index, logHeight, logArity, beta, v);
    }

    /// @dev `foldRow` over `v` (2^logArity values, checked by the caller), overwriting it.
    function _foldInPlace(uint256 index, uint256 logHeight, uint256 logArity, uint256 beta, uint256[] memory v)
        private
        view
        returns (uint256)
    {
        uint256 s = BabyBear.pow(twoAdicGenerator(logHeight + logArity), reverseBits(index, logHeight));
        // 1/(2·s_l) for the level's coset shift s_l (s_0 = s, s_{l+1} = s_l²).
        uint256 halfSInv = mulmod(HALF, BabyBear.inv(s), BabyBear.P);
        for (uint256 b = logArity; b > 0; --b) {
            _foldLevel(v, b, beta, halfSInv);
            beta = E.mul(beta, beta);
            halfSInv = mulmod(2, mulmod(halfSInv, halfSInv, BabyBear.P), BabyBear.P);
        }
        return v[0];
    }

    /// @dev Halves the 2^b values of v in place: pair j (points ±x_j, x_j = s_l·ω^{rev_{b−1}(j)},
    /// ω of order 2^b) becomes (v₀ + v₁)/2 + β·(v₀ − v₁)/(2x_j); halfSInv is 1/(2·s_l).
    function _foldLevel(uint256[] memory v, uint256 b, uint256 beta, uint256 halfSInv) private view {
        uint256 half = 2 ** (b - 1);
        // The caller's row holds 2^b values (b ≤ its log-arity).
        assert(2 * half <= v.length);
        for (uint256 j = 0; j < half; ++j) {
            uint256 xInvHalf = mulmod(halfSInv, _omegaInvPow(b, reverseBits(j, b - 1)), BabyBear.P);
            (uint256 v0, uint256 v1) = _pairAt(v, j);
            uint256 sum = E.mulBase(E.add(v0, v1), HALF);
            uint256 diff = E.mulBase(E.sub(v0, v1), xInvHalf);
            _setAt(v, j, E.add(sum, E.mul(beta, diff)));
        }
    }

    /// @dev v[2j] and v[2j + 1], unchecked (`_foldLevel` bounds j).
    function _pairAt(uint256[] memory v, uint256 j) private pure returns (uint256 v0, uint256 v1) {
        assembly ("memory-safe") {
            let at := add(v, shl(6, add(j, 1)))
            v0 := mload(sub(at, 32))
            v1 := mload(at)
        }
    }

    /// @dev v[j] = x, unchecked (`_foldLevel` bounds j).
    function _setAt(uint256[] memory v, uint256 j, uint256 x) private pure {
        assembly ("memory-safe") {
            mstore(add(v, shl(5, add(j, 1))), x)
        }
    }

    /// @dev ω_b^{−r} for the generator ω_b of order 2^b: for b ≤ 3 (every arity up to 8) read
    /// from the powers g_3^0..g_3^−3 (Plonky3's `INV_ROOTS_8`), as ω_b^{−r} = g_3^{−r·2^(3−b)}.
    function _omegaInvPow(uint256 b, uint256 r) private view returns (uint256) {
        if (b <= 3) return (INV_ROOTS_8 >> (32 * (r << (3 - b)))) & 0xffffffff;
        return BabyBear.pow(BabyBear.inv(twoAdicGenerator(b)), r);
    }

    /// @notice The log-arity of every commit round (`fold_schedule`): from the tallest input
    /// log-height down to `logFinalHeight`, each round folding by the largest log-arity up
    /// to `maxLogArity` that does not pass the next input's height or the final height.
    /// @param inputLogHeights The inputs' log-heights, strictly decreasing.
    /// @dev Reverts BadSchedule unless the heights strictly decrease and maxLogArity > 0.
    function foldSchedule(uint256[] memory inputLogHeights, uint256 logFinalHeight, uint256 maxLogArity)
        internal
        pure
        returns (uint256[] memory schedule)
    {
        if (maxLogArity == 0) revert BadSchedule();
        for (uint256 i = 1; i < inputLogHeights.length; ++i) {
            if (inputLogHeights[i] >= inputLogHeights[i - 1]) revert BadSchedule();
        }
        if (inputLogHeights.length == 0 || inputLogHeights[0] <= logFinalHeight) return new uint256[](0);
        uint256 height = inputLogHeights[0];
        schedule = new uint256[](height - logFinalHeight);
        uint256 rounds = 0;
        uint256 next = 1;
        while (height > logFinalHeight) {
            uint256 step = height - logFinalHeight;
            if (next < inputLogHeights.length && height - inputLogHeights[next] < step) {
                step = height - inputLogHeights[next];
            }
            if (maxLogArity < step) step = maxLogArity;
            schedule[rounds++] = step;
            height -= step;
            if (next < inputLogHeights.length && inputLogHeights[next] == height) ++next;
        }
        assembly ("memory-safe") {
            mstore(schedule, rounds)
        }
    }

    /// @notice Runs one query's fold chain (`fold_query`): each round rebuilds the committed row
    /// (the running value at the query's position in its group, the siblings elsewhere),
    /// folds it with β, and rolls in the reduced opening of the folded height times β^arity.
    /// @return folded The value the final polynomial must take at the query's point.
    /// @return index The query's index after the last round (`queryPoint` takes it).
    /// @return rows Flat: each round's rebuilt row (arity values), for its Merkle check.
    /// @return groups Each round's group index (the row's index in that round's tree).
    /// @dev Reverts with this library's chain errors. The rows are not authenticated here:
    /// the caller checks them against the commit-phase commitments.
    function foldQuery(QueryChain memory q)
        internal
        view
        returns (uint256 folded, uint256 index, uint256[] memory rows, uint256[] memory groups)
    {
        rows = new uint256[](_checkChainShape(q));
        groups = new uint256[](q.logArities.length);
        ChainState memory st = ChainState(q.roValues[0], q.index, q.logMaxHeight, 1, 0, 0);
        for (uint256 r = 0; r < q.logArities.length; ++r) {
            _foldRound(q, st, r, rows);
            groups[r] = st.index;
        }
        if (st.height != q.logFinalHeight) revert FinalFoldHeight(q.logFinalHeight, st.height);
        if (st.ro < q.roLogHeights.length) revert UnconsumedReducedOpening(q.roLogHeights[st.ro]);
        return (st.folded, st.index, rows, groups);
    }

    /// @dev A fold chain's running state: the value, the index and log-height it is at, and
    /// cursors into the reduced openings, the siblings and the rows.
    struct ChainState {
        uint256 folded;
        uint256 index;
        uint256 height;
        uint256 ro;
        uint256 sib;
        uint256 at;
    }

    /// @dev Round r of a chain: rebuild the row into `rows`, fold it, roll in an opening.
    function _foldRound(QueryChain memory q, ChainState memory st, uint256 r, uint256[] memory rows) private view {
        uint256 logArity = q.logArities[r];
        uint256[] memory row = _rowOf(q.siblings, st, 2 ** logArity, rows);
        st.height -= logArity;
        st.index >>= logArity;
        st.folded = _foldInPlace(st.index, st.height, logArity, q.betas[r], row);
        if (st.ro < q.roLogHeights.length && q.roLogHeights[st.ro] == st.height) {
            uint256 betaPow = q.betas[r];
            for (uint256 k = 0; k < logArity; ++k) {
                betaPow = E.mul(betaPow, betaPow);
            }
            st.folded = E.add(st.folded, E.mul(betaPow, q.roValues[st.ro++]));
        }
    }

    /// @dev The round's row: the next arity − 1 siblings in order with the folded value at the
    /// index's position; also appended to `rows`. Advances the state's cursors.
    function _rowOf(uint256[] memory siblings, ChainState memory st, uint256 arity, uint256[] memory rows)
        private
        pure
        returns (uint256[] memory row)
    {
        row = new uint256[](arity);
        uint256 own = st.index % arity;
        uint256 sib = st.sib;
        uint256 at = st.at;
        uint256 folded = st.folded;
        // `_checkChainShape` sized the siblings and the rows for every round.
        assert(sib + arity - 1 <= siblings.length && at + arity <= rows.length);
        assembly ("memory-safe") {
            let dst := add(row, 32)
            let src := add(siblings, shl(5, add(sib, 1)))
            mcopy(dst, src, shl(5, own))
            mstore(add(dst, shl(5, own)), folded)
            mcopy(add(dst, shl(5, add(own, 1))), add(src, shl(5, own)), shl(5, sub(sub(arity, own), 1)))
            mcopy(add(rows, shl(5, add(at, 1))), dst, shl(5, arity))
        }
        st.sib = sib + arity - 1;
        st.at = at + arity;
    }

    /// @dev Checks the chain's lengths before any arithmetic; returns the rows' total length.
    function _checkChainShape(QueryChain memory q) private pure returns (uint256 rowValues) {
        uint256 total = 0;
        for (uint256 r = 0; r < q.logArities.length; ++r) {
            uint256 logArity = q.logArities[r];
            if (logArity == 0 || logArity > 8) revert ArityOutOfRange(r, logArity);
            total += logArity;
            rowValues += 2 ** logArity;
        }
        if (total + q.logFinalHeight > q.logMaxHeight) {
            revert FoldScheduleTooLong(total, q.logMaxHeight, q.logFinalHeight);
        }
        if (q.betas.length != q.logArities.length) revert WrongBetaCount(q.logArities.length, q.betas.length);
        if (q.siblings.length != rowValues - q.logArities.length) {
            revert WrongSiblingCount(rowValues - q.logArities.length, q.siblings.length);
        }
        if (q.roLogHeights.length == 0) revert InitialOpeningHeight(q.logMaxHeight, 0);
        if (q.roLogHeights[0] != q.logMaxHeight) revert InitialOpeningHeight(q.logMaxHeight, q.roLogHeights[0]);
        if (q.roValues.length != q.roLogHeights.length) {
            revert WrongOpeningCount(q.roLogHeights.length, q.roValues.length);
        }
    }

    /// @notice The point at which the final polynomial is checked for a query whose index is
    /// `index` after the last round: g_H^{rev_H(index)} with H = logMaxHeight, as Plonky3's
    /// `verify_fri` computes it.
    function queryPoint(uint256 index, uint256 logMaxHeight) internal pure returns (uint256) {
        return BabyBear.pow(twoAdicGenerator(logMaxHeight), reverseBits(index, logMaxHeight));
    }

    /// @notice The final polynomial (coefficients low degree first) at the base point x
    /// (Horner, as `horner`).
    function finalPolyAt(uint256[] memory coeffs, uint256 x) internal pure returns (uint256 acc) {
        for (uint256 i = coeffs.length; i > 0; --i) {
            acc = E.add(E.mulBase(acc, x), coeffs[i - 1]);
        }
    }
}
