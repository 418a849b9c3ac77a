// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {BabyBear} from "./BabyBear.sol";

/// @title Multi-openings of the L1 configuration's Merkle commitments, checked on chain
/// @notice Plonky3 0.8's `MerkleTreeMmcs` with Keccak-256, binary, cap height 0
/// (`sq_prover_circuits::l1::L1ValMmcs`), and its pruned multi-opening
/// (`verify_multi_batch` → `verify_batch_pruned`), the form in which FRI's query phase opens
/// every committed batch of matrices:
/// - a leaf of the tallest matrices (height H) is `keccak256` of their rows at that index,
///   matrices in their given order, each element as its 4 serialized bytes (`BabyBear`); a
///   node is `keccak256(left ‖ right)`;
/// - after the k-th compression the layer has H/2^k nodes; the rows of every matrix of that
///   height (given order) are hashed the same way and **injected**: node = `keccak256(node ‖
///   rows hash)`, down to height 1 at the root;
/// - the proof is the pruned set of sibling digests: walking the queried nodes level by level
///   (leaves first, ascending index), a node whose sibling is also queried pairs with it for
///   free; otherwise the next digest of the proof is its sibling.
/// Query indices come from the caller's transcript, never from the proof.
/// @dev Heights must be powers of two up to 2^64 (every matrix a STARK commits is); Plonky3
/// also admits other heights, which this library refuses with UnsupportedHeight. Each check reverts with
/// its own error, in the order Plonky3 checks them where it has one.
library KeccakMerkle {
    /// No matrix was given.
    error NoMatrices();
    /// `heights` and `widths` differ in length.
    error ShapeMismatch(uint256 heights, uint256 widths);
    /// Matrix `matrix` has a height that is zero, not a power of two, or above 2^64.
    error UnsupportedHeight(uint256 matrix, uint256 height);
    /// The opened values are not one row per matrix per query (`expected` elements).
    error WrongBatchSize(uint256 expected, uint256 got);
    /// A query index is not below the tallest matrix's height.
    error IndexOutOfBounds(uint256 maxHeight, uint256 index);
    /// Two queries of the same leaf opened different rows.
    error InconsistentDuplicateOpening(uint256 index);
    /// Two queries whose paths have merged opened different rows of matrix `matrix`, which
    /// both read at the same row (`index` is the later query's leaf).
    error InconsistentGroupOpening(uint256 index, uint256 matrix);
    /// The proof does not hold exactly the sibling digests the queries need.
    error SiblingCountMismatch(uint256 expected, uint256 got);
    /// The openings do not hash to the commitment.
    error RootMismatch(bytes32 expected, bytes32 computed);

    /// @notice The committed batch's shape: per matrix its width, first column in a query's
    /// flat row and the tree layer it enters at (log2(H / height)); a query's row length, H
    /// and log2(H).
    struct Shape {
        uint256[] widths;
        uint256[] offsets;
        uint256[] layers;
        uint256 rowLen;
        uint256 maxHeight;
        uint256 depth;
    }

    /// @notice The queried nodes of one tree layer, ascending: `nodes[i]` at this layer,
    /// digest `digests[i]`, standing for the sorted unique queries `lo[i]` to `hi[i] - 1`.
    struct Frontier {
        uint256[] nodes;
        bytes32[] digests;
        uint256[] lo;
        uint256[] hi;
        uint256 len;
    }

    /// @notice Checks that `values` are the rows at `indices` of the matrices committed in
    /// `root`, with the pruned proof `siblings`.
    /// @param heights Each matrix's height (rows), a power of two.
    /// @param widths Each matrix's width (elements per row).
    /// @param indices The query indices into the tallest matrix's rows (any order, repeats
    /// allowed); a matrix of height h is read at row `index >> log2(H / h)`.
    /// @param values Flat canonical elements: for each query in `indices` order, for each
    /// matrix in order, its `widths[m]` row elements.
    /// @param siblings The pruned proof's digests in Plonky3's wire order.
    /// @dev Reverts with this library's errors or BabyBear.NotAFieldElement. No queries and no
    /// siblings verify (as in Plonky3).
    function verifyMultiBatch(
        bytes32 root,
        uint256[] memory heights,
        uint256[] memory widths,
        uint256[] memory indices,
        uint256[] memory values,
        bytes32[] memory siblings
    ) internal pure {
        Shape memory s = _shape(heights, widths);
        if (values.length != indices.length * s.rowLen) {
            revert WrongBatchSize(indices.length * s.rowLen, values.length);
        }
        if (indices.length == 0) {
            if (siblings.length != 0) revert SiblingCountMismatch(0, siblings.length);
            return;
        }
        uint256[] memory reps = _uniqueQueries(s, indices, values);
        bytes memory scratch = new bytes(4 * s.rowLen + 32);
        Frontier memory f = _leaves(s, indices, values, reps, scratch);
        uint256 cursor = 0;
        for (uint256 level = 0; level < s.depth; ++level) {
            cursor = _compressLayer(f, siblings, cursor);
            _inject(s, f, values, reps, indices, level + 1, scratch);
        }
        if (cursor != siblings.length) revert SiblingCountMismatch(cursor, siblings.length);
        if (f.digests[0] != root) revert RootMismatch(root, f.digests[0]);
    }

    /// @dev Validates the dimensions and lays out a query's flat row.
    function _shape(uint256[] memory heights, uint256[] memory widths) private pure returns (Shape memory s) {
        uint256 n = heights.length;
        if (n == 0) revert NoMatrices();
        if (widths.length != n) revert ShapeMismatch(n, widths.length);
        uint256 maxHeight = 0;
        for (uint256 m = 0; m < n; ++m) {
            uint256 h = heights[m];
            if (h == 0 || h & (h - 1) != 0 || h > 2 ** 64) revert UnsupportedHeight(m, h);
            if (h > maxHeight) maxHeight = h;
        }
        s.widths = widths;
        s.offsets = new uint256[](n);
        s.layers = new uint256[](n);
        s.maxHeight = maxHeight;
        s.depth = _log2(maxHeight);
        for (uint256 m = 0; m < n; ++m) {
            s.offsets[m] = s.rowLen;
            s.rowLen += widths[m];
            s.layers[m] = s.depth - _log2(heights[m]);
        }
    }

    /// @dev The queries sorted by index with repeats removed (their positions in `indices`),
    /// after checking bounds and that repeats opened identical rows.
    function _uniqueQueries(Shape memory s, uint256[] memory indices, uint256[] memory values)
        private
        pure
        returns (uint256[] memory reps)
    {
        uint256 q = indices.length;
        uint256 largest = 0;
        for (uint256 i = 0; i < q; ++i) {
            if (indices[i] > largest) largest = indices[i];
        }
        if (largest >= s.maxHeight) revert IndexOutOfBounds(s.maxHeight, largest);
        // Sort keys index << 128 | position (indices < maxHeight ≤ 2^64, `_shape`), then keep
        // the first position of each index in the same array.
        reps = _sortedKeys(indices);
        uint256 u = 0;
        uint256 last = 0;
        for (uint256 i = 0; i < q; ++i) {
            uint256 key = reps[i];
            (uint256 index, uint256 position) = (key >> 128, key & type(uint128).max);
            if (u > 0 && index == last) {
                if (!_equal(values, reps[u - 1] * s.rowLen, position * s.rowLen, s.rowLen)) {
                    revert InconsistentDuplicateOpening(index);
                }
                continue;
            }
            reps[u++] = position;
            last = index;
        }
        assembly ("memory-safe") {
            mstore(reps, u)
        }
    }

    /// @dev indices[i] << 128 | i for every i, ascending (insertion sort: a few dozen queries).
    function _sortedKeys(uint256[] memory indices) private pure returns (uint256[] memory keys) {
        keys = new uint256[](indices.length);
        assembly ("memory-safe") {
            let base := add(keys, 32)
            for { let i := 0 } lt(i, mload(indices)) { i := add(i, 1) } {
                let key := or(shl(128, mload(add(indices, shl(5, add(i, 1))))), i)
                let j := i
                // At j = 0 the comparison reads the length word, but the conjunction is 0.
                for {} and(gt(j, 0), gt(mload(add(base, shl(5, sub(j, 1)))), key)) { j := sub(j, 1) } {
                    mstore(add(base, shl(5, j)), mload(add(base, shl(5, sub(j, 1)))))
                }
                mstore(add(base, shl(5, j)), key)
            }
        }
    }

    /// @dev The leaf layer: each unique query's leaf hash.
    function _leaves(
        Shape memory s,
        uint256[] memory indices,
        uint256[] memory values,
        uint256[] memory reps,
        bytes memory scratch
    ) private pure returns (Frontier memory f) {
        uint256 u = reps.length;
        f.nodes = new uint256[](u);
        f.digests = new bytes32[](u);
        f.lo = new uint256[](u);
        f.hi = new uint256[](u);
        f.len = u;
        for (uint256 i = 0; i < u; ++i) {
            f.nodes[i] = indices[reps[i]];
            f.digests[i] = _hashRows(s, values, reps[i], 0, scratch);
            f.lo[i] = i;
            f.hi[i] = i + 1;
        }
    }

    /// @dev One level up: pairs of queried siblings merge; a lone node takes its sibling from
    /// the proof. Returns the proof cursor; past the proof's end it reads zero digests and
    /// keeps counting, so the caller can report the count the queries need.
    function _compressLayer(Frontier memory f, bytes32[] memory siblings, uint256 cursor)
        private
        pure
        returns (uint256)
    {
        uint256 w = 0;
        // The frontier's arrays hold at least `f.len` entries, and entry w is written only
        // after the entries it is made of (i ≥ w) were read.
        uint256[] memory nodes = f.nodes;
        bytes32[] memory digests = f.digests;
        uint256[] memory lo = f.lo;
        uint256[] memory hi = f.hi;
        assembly ("memory-safe") {
            // keccak256(left ‖ right) in the scratch space.
            function compress(left, right) -> d {
                mstore(0, left)
                mstore(32, right)
                d := keccak256(0, 64)
            }
            // f.len, Frontier's fifth word (read here: a local would not fit the stack).
            let len := mload(add(f, 0x80))
            for { let i := 0 } lt(i, len) {} {
                let at := shl(5, add(i, 1))
                let to := shl(5, add(w, 1))
                let node := mload(add(nodes, at))
                mstore(add(lo, to), mload(add(lo, at)))
                switch and(lt(add(i, 1), len), eq(shr(1, mload(add(nodes, add(at, 32)))), shr(1, node)))
                case 1 {
                    mstore(add(digests, to), compress(mload(add(digests, at)), mload(add(digests, add(at, 32)))))
                    mstore(add(hi, to), mload(add(hi, add(at, 32))))
                    i := add(i, 2)
                }
                default {
                    let sibling := 0
                    if lt(cursor, mload(siblings)) { sibling := mload(add(siblings, shl(5, add(cursor, 1)))) }
                    cursor := add(cursor, 1)
                    switch and(node, 1)
                    case 0 { mstore(add(digests, to), compress(mload(add(digests, at)), sibling)) }
                    default { mstore(add(digests, to), compress(sibling, mload(add(digests, at)))) }
                    mstore(add(hi, to), mload(add(hi, at)))
                    i := add(i, 1)
                }
                mstore(add(nodes, to), shr(1, node))
                w := add(w, 1)
            }
        }
        f.len = w;
        return cursor;
    }

    /// @dev Injects the matrices entering at `layer` into every queried node, after checking
    /// that the queries merged into a node agree on those rows.
    function _inject(
        Shape memory s,
        Frontier memory f,
        uint256[] memory values,
        uint256[] memory reps,
        uint256[] memory indices,
        uint256 layer,
        bytes memory scratch
    ) private pure {
        uint256 n = s.layers.length;
        bool any = false;
        for (uint256 m = 0; m < n; ++m) {
            if (s.layers[m] == layer) any = true;
        }
        if (!any) return;
        for (uint256 g = 0; g < f.len; ++g) {
            _checkGroup(s, f, g, values, reps, indices, layer);
            f.digests[g] = _compress(f.digests[g], _hashRows(s, values, reps[f.lo[g]], layer, scratch));
        }
    }

    /// @dev Reverts InconsistentGroupOpening unless every query merged into node `g` opened
    /// the same rows of the matrices entering at `layer` as the node's first query.
    function _checkGroup(
        Shape memory s,
        Frontier memory f,
        uint256 g,
        uint256[] memory values,
        uint256[] memory reps,
        uint256[] memory indices,
        uint256 layer
    ) private pure {
        uint256 lead = reps[f.lo[g]] * s.rowLen;
        for (uint256 slot = f.lo[g] + 1; slot < f.hi[g]; ++slot) {
            uint256 member = reps[slot] * s.rowLen;
            for (uint256 m = 0; m < s.layers.length; ++m) {
                if (s.layers[m] != layer) continue;
                if (!_equal(values, lead + s.offsets[m], member + s.offsets[m], s.widths[m])) {
                    revert InconsistentGroupOpening(indices[reps[slot]], m);
                }
            }
        }
    }

    /// @dev keccak256 of query `q`'s rows of the matrices entering at `layer`, serialized.
    function _hashRows(Shape memory s, uint256[] memory values, uint256 q, uint256 layer, bytes memory scratch)
        private
        pure
        returns (bytes32 h)
    {
        uint256 len = 0;
        // Bounded by the row length the caller checked against `values`.
        unchecked {
            uint256 base = q * s.rowLen;
            for (uint256 m = 0; m < s.layers.length; ++m) {
                if (s.layers[m] != layer) continue;
                uint256 from = base + s.offsets[m];
                uint256 width = s.widths[m];
                (bool ok, uint256 bad) = _serializeRow(values, from, width, scratch, len);
                if (!ok) revert BabyBear.NotAFieldElement(bad);
                len += 4 * width;
            }
        }
        assembly ("memory-safe") {
            h := keccak256(add(scratch, 32), len)
        }
    }

    /// @dev Writes `values[from..from+width]` serialized (`BabyBear.serialized`, 4 bytes each) into
    /// `scratch` at byte `at`; returns whether all are below p, and else the first that is not.
    /// The caller has checked that `values` and `scratch` hold the range. Eight values share one
    /// word: their Montgomery forms are packed big-endian, each 32-bit lane byte-swapped to
    /// little-endian with two mask-and-shift steps, and the word stored once.
    function _serializeRow(uint256[] memory values, uint256 from, uint256 width, bytes memory scratch, uint256 at)
        private
        pure
        returns (bool ok, uint256 bad)
    {
        uint256 p = BabyBear.P;
        uint256 r = BabyBear.MONTY_R;
        uint256 over;
        assembly ("memory-safe") {
            let src := add(add(values, 32), mul(from, 32))
            let dst := add(add(scratch, 32), at)
            let end := add(src, mul(width, 32))
            // Four values' Montgomery forms packed big-endian into 128 bits, and whether one is
            // above p − 1 = 0x78000000 (not canonical). R = 2^32 mod p = 268435454.
            function pack4(ptr) -> packed, o {
                let x0 := mload(ptr)
                let x1 := mload(add(ptr, 32))
                let x2 := mload(add(ptr, 64))
                let x3 := mload(add(ptr, 96))
                o := or(or(gt(x0, 0x78000000), gt(x1, 0x78000000)), or(gt(x2, 0x78000000), gt(x3, 0x78000000)))
                packed := or(
                    or(shl(96, mulmod(x0, 268435454, 2013265921)), shl(64, mulmod(x1, 268435454, 2013265921))),
                    or(shl(32, mulmod(x2, 268435454, 2013265921)), mulmod(x3, 268435454, 2013265921))
                )
            }
            // Each 32-bit lane byte-reversed (big- to little-endian), two mask-and-shift steps.
            function lanesLittleEndian(word) -> le {
                le := or(
                    shl(8, and(word, 0x00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff)),
                    and(shr(8, word), 0x00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff)
                )
                le := or(
                    shl(16, and(le, 0x0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff)),
                    and(shr(16, le), 0x0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff)
                )
            }
            for {} iszero(gt(add(src, 256), end)) {} {
                let hi, o1 := pack4(src)
                let lo, o2 := pack4(add(src, 128))
                over := or(over, or(o1, o2))
                mstore(dst, lanesLittleEndian(or(shl(128, hi), lo)))
                src := add(src, 256)
                dst := add(dst, 32)
            }
            if iszero(gt(add(src, 128), end)) {
                let w, o := pack4(src)
                over := or(over, o)
                mstore(dst, lanesLittleEndian(shl(128, w)))
                src := add(src, 128)
                dst := add(dst, 16)
            }
            for {} lt(src, end) {} {
                let x := mload(src)
                over := or(over, gt(x, 0x78000000))
                mstore(dst, lanesLittleEndian(shl(224, mulmod(x, r, p))))
                src := add(src, 32)
                dst := add(dst, 4)
            }
        }
        if (over == 0) return (true, 0);
        for (uint256 c = from; c < from + width; ++c) {
            if (values[c] >= p) return (false, values[c]);
        }
    }

    /// @dev keccak256(left ‖ right), in the scratch space.
    function _compress(bytes32 left, bytes32 right) private pure returns (bytes32 h) {
        assembly ("memory-safe") {
            mstore(0, left)
            mstore(32, right)
            h := keccak256(0, 64)
        }
    }

    /// @dev Whether `len` elements of `values` from `a` equal those from `b`.
    function _equal(uint256[] memory values, uint256 a, uint256 b, uint256 len) private pure returns (bool eq_) {
        // Callers pass ranges inside `values`.
        assert(a + len <= values.length && b + len <= values.length);
        eq_ = true;
        assembly ("memory-safe") {
            let pa := add(values, shl(5, add(a, 1)))
            let pb := add(values, shl(5, add(b, 1)))
            for { let end := add(pa, shl(5, len)) } lt(pa, end) {} {
                if iszero(eq(mload(pa), mload(pb))) {
                    eq_ := 0
                    break
                }
                pa := add(pa, 32)
                pb := add(pb, 32)
            }
        }
    }

    /// @dev log2 of a power of two.
    function _log2(uint256 x) private pure returns (uint256 r) {
        while (x > 1) {
            x >>= 1;
            ++r;
        }
    }
}
