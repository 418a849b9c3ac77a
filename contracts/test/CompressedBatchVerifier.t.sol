// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {Base} from "./Base.sol";
import {CompressedBatchVerifier as CBV} from "../src/verifier/CompressedBatchVerifier.sol";
import {StarkCircuitVerifier} from "../src/verifier/StarkCircuitVerifier.sol";

/// Unit-test stand-in for a circuit verifier: reports key hash `reported`, and `verify` returns
/// `used` for any proof of 50 public values (the adapter's own checks are what these tests
/// exercise; `CompressionProofTest` runs the real verifier on a real proof).
contract FixedKeyCircuit {
    bytes32 public immutable keyHash;
    bytes32 internal immutable used;

    constructor(bytes32 reported, bytes32 used_) {
        keyHash = reported;
        used = used_;
    }

    function verify(bytes calldata, bytes calldata, uint256[] calldata publicValues) external view returns (bytes32) {
        require(publicValues.length == 50, "statement and digest");
        return used;
    }
}

/// The adapter's refusals: bad deployment arguments, a statement of the wrong length, a proof
/// shorter than its header or its batch part, an unadmitted digest, and a circuit verifier that
/// answers with another key than the one admitted.
contract CompressedBatchVerifierTest is Base {
    bytes32 internal constant KEY = keccak256("circuit key");

    function digests(uint256 first) internal pure returns (uint256[8][] memory d) {
        d = new uint256[8][](1);
        for (uint256 k = 0; k < 8; ++k) {
            d[0][k] = first + k;
        }
    }

    function one(address circuit) internal pure returns (StarkCircuitVerifier[] memory v) {
        v = new StarkCircuitVerifier[](1);
        v[0] = StarkCircuitVerifier(circuit);
    }

    /// A proof header naming digest (first, first + 1, ...) and a batch part of `batchLength`.
    function header(uint256 first, uint256 batchLength) internal pure returns (bytes memory h) {
        for (uint256 k = 0; k < 8; ++k) {
            h = bytes.concat(h, bytes4(uint32(first + k)));
        }
        h = bytes.concat(h, bytes4(uint32(batchLength)));
    }

    function test_refusesBadDeploymentArguments() public {
        address c = address(new FixedKeyCircuit(KEY, KEY));
        vm.expectRevert(CBV.BadCircuits.selector);
        new CBV(new uint256[8][](0), new StarkCircuitVerifier[](0));
        vm.expectRevert(CBV.BadCircuits.selector);
        new CBV(digests(1), new StarkCircuitVerifier[](2));
        vm.expectRevert(CBV.BadCircuits.selector);
        new CBV(digests(2013265921 - 3), one(c));
        uint256[8][] memory twice = new uint256[8][](2);
        (twice[0], twice[1]) = (digests(1)[0], digests(1)[0]);
        StarkCircuitVerifier[] memory two = new StarkCircuitVerifier[](2);
        (two[0], two[1]) = (StarkCircuitVerifier(c), StarkCircuitVerifier(c));
        vm.expectRevert(CBV.BadCircuits.selector);
        new CBV(twice, two);
    }

    function test_refusesMisshapenCalls() public {
        CBV v = new CBV(digests(1), one(address(new FixedKeyCircuit(KEY, KEY))));
        bytes memory proof = bytes.concat(header(1, 2), hex"aabbcc");
        assertEq(v.verifyBatchProof(proof, new uint256[](42)), v.verifyingKeyHash(), "accepted by the stand-in");

        assertRevertsWith(
            address(v),
            abi.encodeCall(v.verifyBatchProof, (proof, new uint256[](41))),
            CBV.WrongStatementLength.selector,
            "41 statement elements"
        );
        assertRevertsWith(
            address(v),
            abi.encodeCall(v.verifyBatchProof, (hex"00112233", new uint256[](42))),
            CBV.ProofTooShort.selector,
            "shorter than the header"
        );
        assertRevertsWith(
            address(v),
            abi.encodeCall(v.verifyBatchProof, (bytes.concat(header(1, 9), hex"aabbcc"), new uint256[](42))),
            CBV.ProofTooShort.selector,
            "shorter than its batch part"
        );
        assertRevertsWith(
            address(v),
            abi.encodeCall(v.verifyBatchProof, (bytes.concat(header(2, 0), hex"aa"), new uint256[](42))),
            CBV.UnknownCircuit.selector,
            "an unadmitted digest"
        );
    }

    function test_refusesACircuitThatAnswersWithAnotherKey() public {
        CBV v = new CBV(digests(1), one(address(new FixedKeyCircuit(KEY, ~KEY))));
        assertRevertsWith(
            address(v),
            abi.encodeCall(v.verifyBatchProof, (bytes.concat(header(1, 0), hex"aa"), new uint256[](42))),
            CBV.CircuitKeyChanged.selector,
            "another key"
        );
    }
}
