// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {Base} from "./Base.sol";
import {BabyBear} from "../src/verifier/BabyBear.sol";
import {BabyBear4 as E} from "../src/verifier/BabyBear4.sol";
import {FriInputs as I} from "../src/verifier/FriInputs.sol";

/// Calls the library through an external function, so that its reverts can be expected.
contract InputsHarness {
    function reduce(I.MatrixClaim[] memory mats, uint256 alpha, uint256[] memory rows, uint256 index)
        external
        view
        returns (uint256[] memory)
    {
        I.Prepared memory p = I.prepare(mats, alpha);
        return I.reduce(p, rows, index, 8, 3);
    }
}

/// On-chain reduced openings equal Plonky3's `open_inputs`: two committed batches of matrices of
/// three LDE heights, opened at 5 queries with claims at one or two points per matrix, recorded
/// from Rust (`sq_prover_circuits::l1_fri_inputs_fixture`); malformed inputs revert with their
/// own errors.
contract FriInputsTest is Base {
    uint256 internal constant QUERIES = 5;
    /// Base elements of one query's rows (widths 3, 2, 4, 1).
    uint256 internal constant ROW = 10;

    InputsHarness internal h;
    string internal json;

    function setUp() public {
        h = new InputsHarness();
        json = vm.readFile("test/fixtures/l1_fri_inputs.json");
    }

    function claims() internal view returns (I.MatrixClaim[] memory mats) {
        uint256[] memory heights = vm.parseJsonUintArray(json, ".mat_log_heights");
        uint256[] memory counts = vm.parseJsonUintArray(json, ".mat_point_counts");
        uint256[] memory points = vm.parseJsonUintArray(json, ".points");
        uint256[] memory values = vm.parseJsonUintArray(json, ".claims");
        uint256[4] memory widths = [uint256(3), 2, 4, 1];
        mats = new I.MatrixClaim[](heights.length);
        uint256 pointAt = 0;
        uint256 valueAt = 0;
        for (uint256 m = 0; m < mats.length; ++m) {
            mats[m].logHeight = heights[m];
            mats[m].points = new uint256[](counts[m]);
            mats[m].values = new uint256[](counts[m] * widths[m]);
            for (uint256 j = 0; j < counts[m]; ++j) {
                mats[m].points[j] = E.fromFlat(points, pointAt++);
            }
            for (uint256 j = 0; j < mats[m].values.length; ++j) {
                mats[m].values[j] = E.fromFlat(values, valueAt++);
            }
        }
    }

    function rowsOf(uint256 q) internal view returns (uint256[] memory row) {
        uint256[] memory rows = vm.parseJsonUintArray(json, ".rows");
        row = new uint256[](ROW);
        for (uint256 i = 0; i < ROW; ++i) {
            row[i] = rows[q * ROW + i];
        }
    }

    function alpha() internal view returns (uint256) {
        return E.fromFlat(vm.parseJsonUintArray(json, ".alpha"), 0);
    }

    function test_reducesAsPlonky3() public view {
        I.MatrixClaim[] memory mats = claims();
        uint256[] memory indices = vm.parseJsonUintArray(json, ".indices");
        uint256[] memory expected = vm.parseJsonUintArray(json, ".ro_values");
        uint256 before = gasleft();
        I.Prepared memory p = I.prepare(mats, alpha());
        log("gas of prepare (4 matrices, 5 points, 13 claims)", before - gasleft());
        assertEq(
            keccak256(abi.encode(p.heights)),
            keccak256(abi.encode(vm.parseJsonUintArray(json, ".ro_log_heights"))),
            "heights"
        );
        for (uint256 q = 0; q < QUERIES; ++q) {
            uint256[] memory row = rowsOf(q);
            before = gasleft();
            uint256[] memory ro = I.reduce(p, row, indices[q], 8, 3);
            if (q == 0) log("gas of reduce, one query", before - gasleft());
            for (uint256 k = 0; k < 3; ++k) {
                assertEq(ro[k], E.fromFlat(expected, 3 * q + k), string.concat("query ", vm.toString(q)));
            }
        }
    }

    function test_aChangedRowValueOrClaimChangesTheReduction() public view {
        I.MatrixClaim[] memory mats = claims();
        uint256[] memory indices = vm.parseJsonUintArray(json, ".indices");
        uint256[] memory row = rowsOf(0);
        uint256[] memory honest = h.reduce(mats, alpha(), row, indices[0]);
        row[4] = (row[4] + 1) % BabyBear.P;
        uint256[] memory changedRow = h.reduce(mats, alpha(), row, indices[0]);
        assertTrue(changedRow[2] != honest[2], "matrix 1 (height 2^6) feeds the last reduction");
        row = rowsOf(0);
        mats[2].values[3] = E.add(mats[2].values[3], 1);
        uint256[] memory changedClaim = h.reduce(mats, alpha(), row, indices[0]);
        assertTrue(changedClaim[0] != honest[0], "matrix 2 (height 2^8) feeds the first reduction");
    }

    function test_rejectsMalformedInputs() public {
        I.MatrixClaim[] memory mats = claims();
        uint256[] memory indices = vm.parseJsonUintArray(json, ".indices");
        uint256 a = alpha();
        uint256[] memory row = rowsOf(0);

        uint256[] memory short = new uint256[](ROW - 1);
        vm.expectRevert(abi.encodeWithSelector(I.WrongRowLength.selector, ROW, ROW - 1));
        h.reduce(mats, a, short, indices[0]);

        row[0] = BabyBear.P;
        vm.expectRevert(abi.encodeWithSelector(BabyBear.NotAFieldElement.selector, BabyBear.P));
        h.reduce(mats, a, row, indices[0]);
        // The range check runs as the rows are dotted: the last value, a value far past a
        // 64-bit lane, and of two bad values the first, are each caught.
        row = rowsOf(0);
        row[ROW - 1] = 2 ** 31 - 1;
        vm.expectRevert(abi.encodeWithSelector(BabyBear.NotAFieldElement.selector, 2 ** 31 - 1));
        h.reduce(mats, a, row, indices[0]);
        row[ROW - 1] = 2 ** 200;
        vm.expectRevert(abi.encodeWithSelector(BabyBear.NotAFieldElement.selector, 2 ** 200));
        h.reduce(mats, a, row, indices[0]);
        row[ROW - 2] = BabyBear.P + 1;
        vm.expectRevert(abi.encodeWithSelector(BabyBear.NotAFieldElement.selector, BabyBear.P + 1));
        h.reduce(mats, a, row, indices[0]);
        row = rowsOf(0);

        // Matrix 3 (LDE height 2^7) queried at its row index>>1: put its point there.
        uint256 x = mulmod(31, BabyBear.pow(0x1a427a41, 2 ** 20 * rev7(indices[0] >> 1)), BabyBear.P);
        mats[3].points[0] = x;
        vm.expectRevert(abi.encodeWithSelector(I.OpeningPointMatchesQueryPoint.selector, 3, 0));
        h.reduce(mats, a, row, indices[0]);

        mats = claims();
        mats[1].points = new uint256[](0);
        vm.expectRevert(abi.encodeWithSelector(I.BadClaim.selector, 1));
        h.reduce(mats, a, row, indices[0]);
    }

    /// A height-2^3 matrix (a constant trace at blowup 8) must reduce to zero.
    function test_rejectsANonZeroConstantQuotient() public {
        I.MatrixClaim[] memory mats = new I.MatrixClaim[](2);
        mats[0].logHeight = 8;
        mats[0].points = new uint256[](1);
        mats[0].points[0] = E.pack(1, 2, 3, 4);
        mats[0].values = new uint256[](1);
        mats[1].logHeight = 3;
        mats[1].points = new uint256[](1);
        mats[1].points[0] = E.pack(5, 6, 7, 8);
        mats[1].values = new uint256[](1);
        mats[1].values[0] = 9;
        uint256[] memory row = new uint256[](2);
        row[1] = 10;
        vm.expectRevert(I.ConstantQuotientNonZero.selector);
        h.reduce(mats, 7, row, 0);
        // The constant's claim equals its row: the quotient is zero and the reduction passes.
        mats[1].values[0] = 10;
        h.reduce(mats, 7, row, 0);
    }

    /// The low 7 bits of x reversed.
    function rev7(uint256 x) internal pure returns (uint256 r) {
        for (uint256 i = 0; i < 7; ++i) {
            r = (r << 1) | ((x >> i) & 1);
        }
    }
}
