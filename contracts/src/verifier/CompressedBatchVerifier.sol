// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {IBatchVerifier} from "./IBatchVerifier.sol";
import {StarkCircuitVerifier} from "./StarkCircuitVerifier.sol";

/// @title The batch verifier of one protocol version: compressed proofs, one circuit per tree shape
/// @notice Adapts {StarkCircuitVerifier} to {IBatchVerifier}. A batch is proven by the
/// compression circuit of its aggregation tree's shape (`sq_prover_recursion::compression`),
/// whose public values are the 42-element statement followed by the 8-element digest of the
/// tree's top circuit; each shape's compression circuit has its own verifying key. This
/// contract admits a fixed set of (circuit digest → circuit verifier) pairs, chosen at
/// deployment, and checks a proof with the verifier its digest names against the public
/// values `statement ‖ digest`.
/// @dev The proof is packed: the 8 digest elements (4 bytes each, big-endian), the batch
/// part's length (4 bytes), the batch part, then the opening proof (the two arguments of
/// {StarkCircuitVerifier.verify}; `sq_prover_recursion::l1_calldata::settlement_proof` writes
/// it). Reverts WrongStatementLength, ProofTooShort, UnknownCircuit, CircuitKeyChanged, or the
/// circuit verifier's named errors.
contract CompressedBatchVerifier is IBatchVerifier {
    /// Statement elements (layout in {IBatchVerifier}).
    uint256 public constant STATEMENT_LEN = 42;
    /// Circuit-digest elements after the statement.
    uint256 public constant DIGEST_LEN = 8;
    /// Bytes before the batch part: the digest and the batch part's length.
    uint256 internal constant HEADER = 4 * DIGEST_LEN + 4;

    /// keccak256 of each admitted circuit digest (its 8 elements ABI-encoded) → its verifier.
    mapping(bytes32 digestId => StarkCircuitVerifier) public circuits;
    /// Each admitted verifier's key hash when admitted.
    mapping(bytes32 digestId => bytes32) public circuitKeyHash;
    /// keccak256 of the admitted (digest, circuit key hash) pairs, in deployment order.
    bytes32 private immutable _keyHash;

    /// The statement does not have {STATEMENT_LEN} elements.
    error WrongStatementLength(uint256 got);
    /// The proof is shorter than its header or than the batch part it announces.
    error ProofTooShort(uint256 length);
    /// No admitted circuit has this digest (`digestId` = keccak256 of its elements).
    error UnknownCircuit(bytes32 digestId);
    /// A circuit verifier reported another key hash than when it was admitted.
    error CircuitKeyChanged(bytes32 admitted, bytes32 reported);
    /// Deployment arguments: no circuits, unequal lengths, a repeated digest, or a digest
    /// element that is not a BabyBear element.
    error BadCircuits();

    /// @notice Admits circuit `verifiers[i]` for the tree whose top-circuit digest is
    /// `digests[i]` (8 BabyBear elements).
    /// @dev Reverts BadCircuits.
    constructor(uint256[DIGEST_LEN][] memory digests, StarkCircuitVerifier[] memory verifiers) {
        if (digests.length == 0 || digests.length != verifiers.length) revert BadCircuits();
        bytes32[] memory keys = new bytes32[](digests.length);
        for (uint256 i = 0; i < digests.length; ++i) {
            for (uint256 k = 0; k < DIGEST_LEN; ++k) {
                if (digests[i][k] >= 2013265921) revert BadCircuits();
            }
            bytes32 id = keccak256(abi.encode(digests[i]));
            if (address(circuits[id]) != address(0)) revert BadCircuits();
            circuits[id] = verifiers[i];
            keys[i] = verifiers[i].keyHash();
            circuitKeyHash[id] = keys[i];
        }
        _keyHash = keccak256(abi.encode(digests, keys));
    }

    /// @inheritdoc IBatchVerifier
    function verifyingKeyHash() external view returns (bytes32) {
        return _keyHash;
    }

    /// @inheritdoc IBatchVerifier
    function verifyBatchProof(bytes calldata proof, uint256[] calldata statement) external view returns (bytes32) {
        if (statement.length != STATEMENT_LEN) revert WrongStatementLength(statement.length);
        if (proof.length < HEADER) revert ProofTooShort(proof.length);
        uint256[DIGEST_LEN] memory digest;
        for (uint256 k = 0; k < DIGEST_LEN; ++k) {
            digest[k] = uint32(bytes4(proof[4 * k:4 * k + 4]));
        }
        uint256 batchLength = uint32(bytes4(proof[4 * DIGEST_LEN:HEADER]));
        if (proof.length - HEADER < batchLength) revert ProofTooShort(proof.length);
        bytes32 id = keccak256(abi.encode(digest));
        StarkCircuitVerifier circuit = circuits[id];
        if (address(circuit) == address(0)) revert UnknownCircuit(id);
        uint256[] memory publics = new uint256[](STATEMENT_LEN + DIGEST_LEN);
        for (uint256 i = 0; i < STATEMENT_LEN; ++i) {
            publics[i] = statement[i];
        }
        for (uint256 k = 0; k < DIGEST_LEN; ++k) {
            publics[STATEMENT_LEN + k] = digest[k];
        }
        bytes32 used = circuit.verify(proof[HEADER:HEADER + batchLength], proof[HEADER + batchLength:], publics);
        if (used != circuitKeyHash[id]) revert CircuitKeyChanged(circuitKeyHash[id], used);
        return _keyHash;
    }
}
