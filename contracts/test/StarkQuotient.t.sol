// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {StarkFixtureReader} from "./StarkFixtureReader.sol";
import {BabyBear} from "../src/verifier/BabyBear.sol";
import {BabyBear4 as E} from "../src/verifier/BabyBear4.sol";
import {StarkOpenings as O} from "../src/verifier/StarkOpenings.sol";
import {StarkQuotient as Q} from "../src/verifier/StarkQuotient.sol";

/// Calls the library externally, so that reverts can be expected and gas measured.
contract StarkQuotientHarness {
    function selectors(uint256 zeta, uint256 degreeBits) external view returns (Q.Selectors memory) {
        return Q.selectors(zeta, degreeBits);
    }

    function quotient(uint256 zeta, uint256 degreeBits, uint256[] memory values) external view returns (uint256) {
        return Q.quotient(zeta, degreeBits, values);
    }
}

/// The selectors and the recomposed quotient at ζ of every table of a real circuit proof in
/// the L1 configuration (`sq_prover_recursion::l1_stark_fixture`) are Plonky3's.
contract StarkQuotientTest is StarkFixtureReader {
    StarkQuotientHarness internal h;

    function setUp() public {
        json = vm.readFile("test/fixtures/l1_stark.json");
        h = new StarkQuotientHarness();
    }

    function atZeta(string memory key) internal view returns (uint256[] memory) {
        return exts(vm.parseJsonUintArray(json, string.concat(".at_zeta.", key)));
    }

    function test_selectorsArePlonky3s() public view {
        uint256 zeta = extField("zeta");
        uint256[] memory degreeBits = field("degree_bits");
        uint256[] memory want = atZeta("selectors");
        for (uint256 i = 0; i < degreeBits.length; ++i) {
            uint256 before = gasleft();
            Q.Selectors memory s = h.selectors(zeta, degreeBits[i]);
            if (i == 0) log("gas: selectors of one table (external call)", before - gasleft());
            assertEq(s.isFirstRow, want[4 * i], "is_first_row");
            assertEq(s.isLastRow, want[4 * i + 1], "is_last_row");
            assertEq(s.isTransition, want[4 * i + 2], "is_transition");
            assertEq(s.invVanishing, want[4 * i + 3], "inv_vanishing");
        }
    }

    function test_quotientIsPlonky3s() public view {
        uint256 zeta = extField("zeta");
        O.Table[] memory tables = loadTables();
        O.Opened[] memory opened = loadOpened(tables);
        uint256[] memory want = atZeta("quotient");
        for (uint256 i = 0; i < tables.length; ++i) {
            uint256 before = gasleft();
            uint256 q = h.quotient(zeta, tables[i].degreeBits, opened[i].quotientChunks);
            log(
                string.concat("gas: quotient of a table with chunks: ", vm.toString(tables[i].quotientChunks)),
                before - gasleft()
            );
            assertEq(q, want[i], string.concat("quotient of table ", vm.toString(i)));
        }
    }

    function test_rejectsRaggedChunks() public {
        vm.expectRevert(abi.encodeWithSelector(Q.WrongChunkCount.selector, 12));
        h.quotient(extField("zeta"), 3, new uint256[](12));
        vm.expectRevert(abi.encodeWithSelector(Q.WrongChunkCount.selector, 5));
        h.quotient(extField("zeta"), 3, new uint256[](5));
        vm.expectRevert(abi.encodeWithSelector(Q.WrongChunkCount.selector, 0));
        h.quotient(extField("zeta"), 3, new uint256[](0));
    }

    /// ζ on the trace domain (ζ = 1) has no selectors: the division by ζ − 1 reverts.
    function test_rejectsZetaOnTheTraceDomain() public {
        vm.expectRevert(BabyBear.ZeroInverse.selector);
        h.selectors(1, 3);
    }
}
