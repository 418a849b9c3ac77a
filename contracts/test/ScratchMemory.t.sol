// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {Base} from "./Base.sol";
import {ScratchMemory} from "../src/verifier/ScratchMemory.sol";

/// Released memory is handed out again, and what was allocated before the mark is untouched.
contract ScratchMemoryTest is Base {
    function test_releaseReusesAnIterationsMemory() public pure {
        uint256[] memory kept = new uint256[](3);
        kept[2] = 7;
        uint256 m = ScratchMemory.mark();
        uint256[] memory first = new uint256[](100);
        first[99] = 1;
        ScratchMemory.release(m);
        uint256[] memory second = new uint256[](100);
        uint256 end = ScratchMemory.mark();
        uint256 a;
        uint256 b;
        assembly ("memory-safe") {
            a := first
            b := second
        }
        assertEq(a, b, "the second iteration's array takes the first's place");
        assertEq(kept[2], 7, "memory allocated before the mark is kept");
        assertEq(end, m + 32 * 101, "the free pointer moved by one array only");
    }
}
