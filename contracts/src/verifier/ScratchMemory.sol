// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

/// @title Releasing a loop iteration's memory
/// @notice Solidity never frees memory, and EVM memory costs 3 gas a word plus words²/512 for
/// the highest word touched, so a verifier loop that allocates per iteration (per query, per
/// batch, per table) pays for the sum of its iterations' allocations. `mark` before an
/// iteration and `release` after it let the next iteration reuse the same words: memory then
/// grows by the largest iteration, not their sum.
/// @dev Only sound when nothing allocated after `mark` is read after `release`: the callers
/// copy what outlives an iteration into memory allocated before the mark.
library ScratchMemory {
    /// @notice The free-memory pointer now.
    function mark() internal pure returns (uint256 m) {
        assembly ("memory-safe") {
            m := mload(0x40)
        }
    }

    /// @notice Sets the free-memory pointer back to `m`, releasing what was allocated since.
    function release(uint256 m) internal pure {
        assembly ("memory-safe") {
            mstore(0x40, m)
        }
    }
}
