// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {Base} from "./Base.sol";
import {BabyBear} from "../src/verifier/BabyBear.sol";
import {BabyBear4 as E} from "../src/verifier/BabyBear4.sol";
import {FriFold as F} from "../src/verifier/FriFold.sol";

/// Calls the library through external functions, so that its reverts can be expected.
contract FoldHarness {
    function foldRow(uint256 index, uint256 logHeight, uint256 logArity, uint256 beta, uint256[] memory evals)
        external
        view
        returns (uint256)
    {
        return F.foldRow(index, logHeight, logArity, beta, evals);
    }

    function foldSchedule(uint256[] memory inputs, uint256 finalHeight, uint256 cap)
        external
        pure
        returns (uint256[] memory)
    {
        return F.foldSchedule(inputs, finalHeight, cap);
    }

    function twoAdicGenerator(uint256 logN) external pure returns (uint256) {
        return F.twoAdicGenerator(logN);
    }
}

/// On-chain FRI folding computes what Plonky3 computes: rows of arity 2, 4 and 8 at several
/// heights (one per arity with β on its coset) and fold schedules, recorded from Rust
/// (`sq_prover_circuits::l1_fri_fixture`).
contract FriFoldTest is Base {
    /// Evaluations stored per row case (rows are zero-padded to it).
    uint256 internal constant MAX_ARITY = 8;

    FoldHarness internal h;
    string internal json;

    function setUp() public {
        h = new FoldHarness();
        json = vm.readFile("test/fixtures/l1_fri.json");
    }

    function ext(uint256[] memory flat, uint256 i) internal pure returns (uint256) {
        return E.pack(flat[4 * i], flat[4 * i + 1], flat[4 * i + 2], flat[4 * i + 3]);
    }

    function row(uint256[] memory flat, uint256 i, uint256 logArity) internal pure returns (uint256[] memory evals) {
        evals = new uint256[](2 ** logArity);
        for (uint256 j = 0; j < evals.length; ++j) {
            evals[j] = ext(flat, MAX_ARITY * i + j);
        }
    }

    function test_foldsRowsAsPlonky3() public view {
        uint256[] memory index = vm.parseJsonUintArray(json, ".row_index");
        uint256[] memory logHeight = vm.parseJsonUintArray(json, ".row_log_height");
        uint256[] memory logArity = vm.parseJsonUintArray(json, ".row_log_arity");
        uint256[] memory beta = vm.parseJsonUintArray(json, ".row_beta");
        uint256[] memory evals = vm.parseJsonUintArray(json, ".row_evals");
        uint256[] memory result = vm.parseJsonUintArray(json, ".row_result");
        assertEq(index.length, 18, "row cases");
        for (uint256 i = 0; i < index.length; ++i) {
            uint256 b = ext(beta, i);
            uint256[] memory r = row(evals, i, logArity[i]);
            uint256 before = gasleft();
            uint256 got = F.foldRow(index[i], logHeight[i], logArity[i], b, r);
            uint256 used = before - gasleft();
            assertEq(got, ext(result, i), string.concat("row ", vm.toString(i)));
            if (i % 6 == 1) log(string.concat("gas of foldRow, log-arity ", vm.toString(logArity[i])), used);
        }
    }

    function test_schedulesAsPlonky3() public view {
        uint256[] memory inputs = vm.parseJsonUintArray(json, ".schedule_inputs");
        uint256[] memory inputLens = vm.parseJsonUintArray(json, ".schedule_input_lens");
        uint256[] memory finals = vm.parseJsonUintArray(json, ".schedule_final");
        uint256[] memory caps = vm.parseJsonUintArray(json, ".schedule_max_log_arity");
        uint256[] memory rounds = vm.parseJsonUintArray(json, ".schedule_rounds");
        uint256[] memory roundLens = vm.parseJsonUintArray(json, ".schedule_round_lens");
        uint256 inAt = 0;
        uint256 outAt = 0;
        for (uint256 i = 0; i < finals.length; ++i) {
            uint256[] memory caseInputs = new uint256[](inputLens[i]);
            for (uint256 j = 0; j < caseInputs.length; ++j) {
                caseInputs[j] = inputs[inAt++];
            }
            uint256[] memory got = F.foldSchedule(caseInputs, finals[i], caps[i]);
            assertEq(got.length, roundLens[i], string.concat("rounds of schedule ", vm.toString(i)));
            for (uint256 j = 0; j < got.length; ++j) {
                assertEq(got[j], rounds[outAt++], string.concat("schedule ", vm.toString(i)));
            }
        }
    }

    /// The generator of order 2^k has exactly that order.
    function test_twoAdicGeneratorsHaveTheirOrder() public view {
        for (uint256 k = 1; k <= F.TWO_ADICITY; ++k) {
            uint256 g = h.twoAdicGenerator(k);
            assertEq(BabyBear.pow(g, 2 ** k), 1, "g^(2^k)");
            assertEq(BabyBear.pow(g, 2 ** (k - 1)), BabyBear.P - 1, "g^(2^(k-1)) = -1");
        }
    }

    function test_rejectsBadRowsAndSchedules() public {
        uint256[] memory three = new uint256[](3);
        vm.expectRevert(abi.encodeWithSelector(F.WrongRowLength.selector, 2, 3));
        h.foldRow(0, 4, 2, 5, three);
        vm.expectRevert(abi.encodeWithSelector(F.WrongRowLength.selector, 0, 3));
        h.foldRow(0, 4, 0, 5, three);
        uint256[] memory two = new uint256[](2);
        vm.expectRevert(abi.encodeWithSelector(F.TwoAdicityExceeded.selector, 28));
        h.foldRow(0, 27, 1, 5, two);
        uint256[] memory flat = new uint256[](2);
        flat[0] = 10;
        flat[1] = 10;
        vm.expectRevert(F.BadSchedule.selector);
        h.foldSchedule(flat, 3, 3);
        flat[1] = 8;
        vm.expectRevert(F.BadSchedule.selector);
        h.foldSchedule(flat, 3, 0);
    }
}
