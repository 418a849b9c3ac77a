// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

/// @notice The subset of forge's cheatcode interface these tests use (forge-std is not vendored).
/// Signatures match forge's `Vm` exactly; the cheatcode contract lives at a fixed address.
interface Vm {
    /// Gas of the last call (forge's `Vm.Gas`).
    struct Gas {
        uint64 gasLimit;
        uint64 gasTotalUsed;
        uint64 gasMemoryUsed;
        int64 gasRefunded;
        uint64 gasRemaining;
    }

    function lastCallGas() external view returns (Gas memory gas);
    function readFile(string calldata path) external view returns (string memory data);
    function parseJsonBytes(string calldata json, string calldata key) external pure returns (bytes memory);
    function parseJsonBytes32(string calldata json, string calldata key) external pure returns (bytes32);
    function parseJsonUint(string calldata json, string calldata key) external pure returns (uint256);
    function parseJsonUintArray(string calldata json, string calldata key) external pure returns (uint256[] memory);
    function parseJsonBoolArray(string calldata json, string calldata key) external pure returns (bool[] memory);
    function parseJsonBytes32Array(string calldata json, string calldata key) external pure returns (bytes32[] memory);
    function parseJsonAddress(string calldata json, string calldata key) external pure returns (address);
    function toString(uint256 value) external pure returns (string memory);
    function expectRevert() external;
    function expectRevert(bytes4 revertData) external;
    function expectRevert(bytes calldata revertData) external;
    function expectEmit() external;
    function prank(address msgSender) external;
    function startPrank(address msgSender) external;
    function stopPrank() external;
    function deal(address account, uint256 newBalance) external;
    function warp(uint256 newTimestamp) external;
    function roll(uint256 newHeight) external;
    function assume(bool condition) external pure;
}

/// @notice Minimal test base: the cheatcode handle, assertions that revert with a message, a
/// `bound` helper for fuzz inputs, and `log` through forge's console address (shown with -vv).
abstract contract Base {
    /// forge's cheatcode address: address(uint160(uint256(keccak256("hevm cheat code")))).
    Vm internal constant vm = Vm(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D);
    /// forge's console.log address.
    address private constant CONSOLE = 0x000000000000000000636F6e736F6c652e6c6f67;

    function fail(string memory message) internal pure {
        revert(string.concat("assertion failed: ", message));
    }

    function assertTrue(bool condition, string memory message) internal pure {
        if (!condition) fail(message);
    }

    function assertEq(uint256 a, uint256 b, string memory message) internal pure {
        if (a != b) fail(string.concat(message, ": ", vm.toString(a), " != ", vm.toString(b)));
    }

    function assertEq(bytes32 a, bytes32 b, string memory message) internal pure {
        if (a != b) fail(message);
    }

    function assertEq(bytes memory a, bytes memory b, string memory message) internal pure {
        if (keccak256(a) != keccak256(b)) fail(message);
    }

    /// @notice Calls `target` with `data` (static) and asserts that it reverted with data
    /// starting with `selector` (the error's arguments are not compared).
    function assertRevertsWith(address target, bytes memory data, bytes4 selector, string memory what) internal view {
        (bool ok, bytes memory err) = target.staticcall(data);
        if (ok) fail(string.concat("did not revert: ", what));
        assertEq(bytes32(bytes4(err)), bytes32(selector), what);
    }

    /// @notice Maps `x` into [lo, hi] (inclusive) for fuzzing.
    function bound(uint256 x, uint256 lo, uint256 hi) internal pure returns (uint256) {
        require(lo <= hi, "bound: lo > hi");
        if (lo == 0 && hi == type(uint256).max) return x;
        return lo + x % (hi - lo + 1);
    }

    /// @notice What a transaction carrying `data` pays before execution: 21,000 plus 16 gas per
    /// nonzero and 4 per zero byte (EIP-2028). EIP-7623's floor (10 gas per token) binds only
    /// when execution is small, which it is not for a proof.
    function intrinsicGas(bytes memory data) internal pure returns (uint256 gas) {
        gas = 21_000;
        for (uint256 i = 0; i < data.length; ++i) {
            gas += data[i] == 0 ? 4 : 16;
        }
    }

    /// @notice console.log(string, uint256).
    function log(string memory key, uint256 value) internal view {
        (bool ok,) = CONSOLE.staticcall(abi.encodeWithSignature("log(string,uint256)", key, value));
        ok;
    }
}
