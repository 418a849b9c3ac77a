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
/// @dev Heights must be powers of two (every matrix a STARK commits is); Plonky3 also admits
/// other heights, which this library refuses with UnsupportedHeight. Each check reverts with
/// its own error, in the order Plonky3 checks them where it has one.
library KeccakMerkle {
    /// No matrix was given.
    error NoMatrices();
    /// `heights` and `widths` differ in length.
    error ShapeMismatch(uint256 heights, uint256 widths);
    /// Matrix `matrix` has a height that is zero or not a power of two.
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
            if (h == 0 || h & (h - 1) != 0) revert UnsupportedHeight(m, h);
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
        uint256[] memory order = new uint256[](q);
        for (uint256 i = 0; i < q; ++i) {
            uint256 j = i;
            while (j > 0 && indices[order[j - 1]] > indices[i]) {
                order[j] = order[j - 1];
                --j;
            }
            order[j] = i;
        }
        if (indices[order[q - 1]] >= s.maxHeight) revert IndexOutOfBounds(s.maxHeight, indices[order[q - 1]]);
        reps = order;
        uint256 u = 0;
        for (uint256 i = 0; i < q; ++i) {
            if (u > 0 && indices[order[i]] == indices[reps[u - 1]]) {
                if (!_equal(values, reps[u - 1] * s.rowLen, order[i] * s.rowLen, s.rowLen)) {
                    revert InconsistentDuplicateOpening(indices[order[i]]);
                }
                continue;
            }
            reps[u++] = order[i];
        }
        assembly ("memory-safe") {
            mstore(reps, u)
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
        uint256 i = 0;
        while (i < f.len) {
            uint256 node = f.nodes[i];
            uint256 lo = f.lo[i];
            bytes32 d;
            uint256 hi;
            if (i + 1 < f.len && f.nodes[i + 1] >> 1 == node >> 1) {
                d = _compress(f.digests[i], f.digests[i + 1]);
                hi = f.hi[i + 1];
                i += 2;
            } else {
                bytes32 sibling = cursor < siblings.length ? siblings[cursor] : bytes32(0);
                ++cursor;
                d = node & 1 == 0 ? _compress(f.digests[i], sibling) : _compress(sibling, f.digests[i]);
                hi = f.hi[i];
                i += 1;
            }
            f.lo[w] = lo;
            f.nodes[w] = node >> 1;
            f.digests[w] = d;
            f.hi[w] = hi;
            ++w;
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
    /// The caller has checked that `values` and `scratch` hold the range.
    function _serializeRow(uint256[] memory values, uint256 from, uint256 width, bytes memory scratch, uint256 at)
        private
        pure
        returns (bool ok, uint256 bad)
    {
        uint256 p = BabyBear.P;
        uint256 r = BabyBear.MONTY_R;
        ok = true;
        assembly ("memory-safe") {
            let src := add(add(values, 32), mul(from, 32))
            let dst := add(add(scratch, 32), at)
            for { let c := 0 } lt(c, width) { c := add(c, 1) } {
                let x := mload(add(src, mul(c, 32)))
                if iszero(lt(x, p)) {
                    ok := 0
                    bad := x
                    break
                }
                let m := mulmod(x, r, p)
                let le := or(or(shl(24, and(m, 0xff)), shl(8, and(m, 0xff00))), or(and(shr(8, m), 0xff00), shr(24, m)))
                mstore(add(dst, mul(c, 4)), shl(224, le))
            }
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
    function _equal(uint256[] memory values, uint256 a, uint256 b, uint256 len) private pure returns (bool) {
        for (uint256 i = 0; i < len; ++i) {
            if (values[a + i] != values[b + i]) return false;
        }
        return true;
    }

    /// @dev log2 of a power of two.
    function _log2(uint256 x) private pure returns (uint256 r) {
        while (x > 1) {
            x >>= 1;
            ++r;
        }
    }
}
