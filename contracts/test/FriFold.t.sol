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

    function foldQuery(F.QueryChain memory q) external view returns (uint256) {
        (uint256 folded,,,) = F.foldQuery(q);
        return folded;
    }

    function twoAdicGenerator(uint256 logN) external pure returns (uint256) {
        return F.twoAdicGenerator(logN);
    }
}

/// On-chain FRI folding computes what Plonky3 computes: rows of arity 2, 4 and 8 at several
/// heights (one per arity with β on its coset), fold schedules, and whole fold chains of one
/// query with their final-polynomial point, recorded from Rust
/// (`sq_prover_circuits::l1_fri_fixture`); malformed chains revert with their own errors.
contract FriFoldTest is Base {
    /// Evaluations stored per row case (rows are zero-padded to it).
    uint256 internal constant MAX_ARITY = 8;

    FoldHarness internal h;
    string internal json;

    function setUp() public {
        h = new FoldHarness();
        json = vm.readFile("test/fixtures/l1_fri.json");
    }

    function row(uint256[] memory flat, uint256 i, uint256 logArity) internal pure returns (uint256[] memory evals) {
        evals = new uint256[](2 ** logArity);
        for (uint256 j = 0; j < evals.length; ++j) {
            evals[j] = E.fromFlat(flat, MAX_ARITY * i + j);
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
            uint256 b = E.fromFlat(beta, i);
            uint256[] memory r = row(evals, i, logArity[i]);
            uint256 before = gasleft();
            uint256 got = F.foldRow(index[i], logHeight[i], logArity[i], b, r);
            uint256 used = before - gasleft();
            assertEq(got, E.fromFlat(result, i), string.concat("row ", vm.toString(i)));
            if (i % 6 == 1) log(string.concat("gas of foldRow, log-arity ", vm.toString(logArity[i])), used);
        }
    }

    /// The flat coefficient array `flat` as extension words.
    function exts(uint256[] memory flat) internal pure returns (uint256[] memory out) {
        out = new uint256[](flat.length / 4);
        for (uint256 i = 0; i < out.length; ++i) {
            out[i] = E.fromFlat(flat, i);
        }
    }

    function chain(uint256 i) internal view returns (F.QueryChain memory q) {
        string memory k = string.concat(".chains[", vm.toString(i), "]");
        q.index = vm.parseJsonUint(json, string.concat(k, ".index"));
        q.logMaxHeight = vm.parseJsonUint(json, string.concat(k, ".log_max_height"));
        q.logFinalHeight = vm.parseJsonUint(json, string.concat(k, ".log_final_height"));
        q.betas = exts(vm.parseJsonUintArray(json, string.concat(k, ".betas")));
        q.logArities = vm.parseJsonUintArray(json, string.concat(k, ".log_arities"));
        q.siblings = exts(vm.parseJsonUintArray(json, string.concat(k, ".siblings")));
        q.roLogHeights = vm.parseJsonUintArray(json, string.concat(k, ".ro_log_heights"));
        q.roValues = exts(vm.parseJsonUintArray(json, string.concat(k, ".ro_values")));
    }

    function test_foldsChainsAsPlonky3() public view {
        for (uint256 i = 0; i < 3; ++i) {
            string memory k = string.concat(".chains[", vm.toString(i), "]");
            F.QueryChain memory q = chain(i);
            uint256 before = gasleft();
            (uint256 folded, uint256 index, uint256[] memory rows, uint256[] memory groups) = F.foldQuery(q);
            log(string.concat("gas of foldQuery, chain ", vm.toString(i)), before - gasleft());
            string memory n = string.concat("chain ", vm.toString(i));
            assertEq(folded, E.fromFlat(vm.parseJsonUintArray(json, string.concat(k, ".folded")), 0), n);
            assertEq(index, vm.parseJsonUint(json, string.concat(k, ".final_index")), n);
            assertEq(
                keccak256(abi.encode(rows)),
                keccak256(abi.encode(exts(vm.parseJsonUintArray(json, string.concat(k, ".rows"))))),
                n
            );
            assertEq(
                keccak256(abi.encode(groups)),
                keccak256(abi.encode(vm.parseJsonUintArray(json, string.concat(k, ".groups")))),
                n
            );
            uint256 x = F.queryPoint(index, q.logMaxHeight);
            assertEq(x, vm.parseJsonUint(json, string.concat(k, ".query_point")), n);
            uint256[] memory poly = exts(vm.parseJsonUintArray(json, string.concat(k, ".poly")));
            assertEq(
                F.finalPolyAt(poly, x),
                E.fromFlat(vm.parseJsonUintArray(json, string.concat(k, ".poly_at_point")), 0),
                n
            );
        }
    }

    function test_rejectsMalformedChains() public {
        F.QueryChain memory q = chain(0);
        uint256[] memory siblings = q.siblings;
        q.siblings = new uint256[](siblings.length - 1);
        vm.expectRevert(abi.encodeWithSelector(F.WrongSiblingCount.selector, siblings.length, siblings.length - 1));
        h.foldQuery(q);
        q.siblings = siblings;

        q.roLogHeights[0] = 11;
        vm.expectRevert(abi.encodeWithSelector(F.InitialOpeningHeight.selector, 12, 11));
        h.foldQuery(q);
        q.roLogHeights[0] = 12;

        // An input below the final height is never reached.
        uint256[] memory heights = q.roLogHeights;
        q.roLogHeights = new uint256[](4);
        q.roValues = new uint256[](4);
        for (uint256 j = 0; j < 3; ++j) {
            q.roLogHeights[j] = heights[j];
        }
        q.roLogHeights[3] = 2;
        vm.expectRevert(abi.encodeWithSelector(F.UnconsumedReducedOpening.selector, 2));
        h.foldQuery(q);

        q = chain(1);
        q.logArities[1] = 2;
        q.siblings = new uint256[](7 + 3);
        vm.expectRevert(abi.encodeWithSelector(F.FinalFoldHeight.selector, 3, 4));
        h.foldQuery(q);
        q.logArities[1] = 9;
        vm.expectRevert(abi.encodeWithSelector(F.ArityOutOfRange.selector, 1, 9));
        h.foldQuery(q);
        q.logArities[1] = 4;
        vm.expectRevert(abi.encodeWithSelector(F.FoldScheduleTooLong.selector, 7, 9, 3));
        h.foldQuery(q);
        q = chain(1);
        q.betas = new uint256[](1);
        vm.expectRevert(abi.encodeWithSelector(F.WrongBetaCount.selector, 2, 1));
        h.foldQuery(q);
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

    /// reverseBits is Plonky3's `reverse_bits_len` (the low bits, reversed) for every width,
    /// the word-reversal path (up to 32 bits) and the bit-by-bit one alike.
    function testFuzz_reverseBitsReversesTheLowBits(uint256 x, uint256 bits) public pure {
        bits = bits % 41;
        uint256 expected = 0;
        for (uint256 i = 0; i < bits; ++i) {
            if ((x >> i) & 1 == 1) expected |= 1 << (bits - 1 - i);
        }
        assertEq(F.reverseBits(x, bits), expected, "low bits reversed");
    }
}
