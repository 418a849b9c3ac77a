// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

/// @title A batch-proof verifier for one protocol version
/// @notice What {RollupSettlement} calls to check a batch proof. One verifier serves one
/// protocol version; the settlement contract's registry maps each version to its verifier and
/// that verifier's verifying-key hash.
/// @dev The statement is the batch claim as BabyBear elements (each < 2013265921), laid out as
/// the Rust scheduler's public values without the trailing circuit digest
/// (`sq_prover_recursion::scheduler_circuit::scheduler_publics`), 42 elements:
/// - [0, 4): the batch number as four 16-bit limbs, lowest first;
/// - [4, 12): the state root before; [12, 20): the state root after; [20, 28): the transfer
///   commitment (each a 32-byte digest read as 8 big-endian uint32 words, first word first);
/// - [28, 34): the fee recipient as 5 × 30-bit limbs and one 10-bit limb, lowest first;
/// - [34, 42): the protocol version digest (8 elements, first word first).
/// The verifier owns the last 8 public values (the digest of the circuit the proof was made
/// against, which depends on the batch's chunk count): it checks that digest is one its
/// verifying key admits.
interface IBatchVerifier {
    /// @notice keccak256 of this verifier's verifying key (what `prover-cli status l1` compares
    /// with the key the prover uses).
    function verifyingKeyHash() external view returns (bytes32);

    /// @notice Verifies `proof` of `statement`.
    /// @param proof The encoded batch proof (the compressed proof in the L1 configuration).
    /// @param statement The 42 statement elements (layout above).
    /// @return keyHash The verifying-key hash the proof was checked against; equal to
    /// {verifyingKeyHash}. A returned value, not only the absence of a revert, so that a call to
    /// an address without this function can never pass for a verification.
    /// @dev Reverts with the verifier's named error when the proof does not verify.
    function verifyBatchProof(bytes calldata proof, uint256[] calldata statement)
        external
        view
        returns (bytes32 keyHash);
}
