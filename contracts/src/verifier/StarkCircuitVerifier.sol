// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {BatchStarkTranscript as S} from "./BatchStarkTranscript.sol";
import {CodeData} from "../CodeData.sol";
import {FriVerifier as V} from "./FriVerifier.sol";
import {KeccakTranscript as T} from "./KeccakTranscript.sol";
import {PcsVerifier} from "./PcsVerifier.sol";
import {ProofCalldata} from "./ProofCalldata.sol";
import {StarkVerifier as SV} from "./StarkVerifier.sol";

/// @title A deployed verifier of one circuit's batch-STARK proofs
/// @notice `StarkVerifier.verify` split across two contracts so that each fits the 24,576-byte
/// code limit (EIP-170): this one replays the batch transcript, derives the opening claims and
/// checks every table's identity; the opening argument runs in a `PcsVerifier`, which gets the
/// opening proof forwarded undecoded. The verifying key (`StarkVerifier.VerifyingKey`,
/// ABI-encoded, constraint programs included) is kept as the code of data contracts
/// (`CodeData`) and pinned by its keccak256 hash at construction.
/// @dev A proof is passed as two packed arguments (`ProofCalldata`): `batch` (the batch
/// layer's input and the opened values; the public values are the statement's and the
/// preprocessed commitment the key's) and `opening` (`FriVerifier.Proof`). Reverts with the
/// named errors of `ProofCalldata` and the verifier libraries, which the PCS call passes
/// through, or PcsNotAccepted.
contract StarkCircuitVerifier {
    /// The opening-argument verifier.
    PcsVerifier public immutable pcs;
    /// keccak256 of the ABI-encoded verifying key.
    bytes32 public immutable keyHash;
    /// Length in bytes of the ABI-encoded verifying key.
    uint256 public immutable keyLength;
    /// The data contracts holding the encoded key, in order.
    address[] internal keyChunks;

    /// The key the data contracts hold does not hash to the one given.
    error WrongKeyHash(bytes32 expected, bytes32 got);
    /// The PCS verifier returned something other than its acceptance value.
    error PcsNotAccepted();

    /// @notice Pins the verifying key held by `chunks` (`CodeData.write` of its ABI encoding,
    /// `length` bytes) to `expectedKeyHash`, and the PCS verifier `pcs_`.
    /// @dev Reverts WrongKeyHash, CodeData.DataTooShort.
    constructor(PcsVerifier pcs_, address[] memory chunks, uint256 length, bytes32 expectedKeyHash) {
        bytes32 got = keccak256(CodeData.read(chunks, length));
        if (got != expectedKeyHash) revert WrongKeyHash(expectedKeyHash, got);
        pcs = pcs_;
        keyHash = expectedKeyHash;
        keyLength = length;
        keyChunks = chunks;
    }

    /// @notice The verifying key, decoded.
    function verifyingKey() public view returns (SV.VerifyingKey memory vk) {
        vk = abi.decode(CodeData.read(keyChunks, keyLength), (SV.VerifyingKey));
    }

    /// @notice Verifies a proof of this circuit with public values `publicValues` (all
    /// tables', in order).
    /// @return The verifying-key hash the proof was checked against ({keyHash}).
    function verify(bytes calldata batch, bytes calldata opening, uint256[] calldata publicValues)
        external
        view
        returns (bytes32)
    {
        SV.VerifyingKey memory vk = verifyingKey();
        SV.Proof memory proof;
        (proof.input, proof.opened) = ProofCalldata.decodeBatch(batch);
        proof.input.preprocessedCommitment = vk.preprocessedCommitment;
        (T.State memory t, S.Challenges memory ch) = SV.replayBatch(vk, proof, publicValues);
        V.Claims memory claims = SV.openingClaims(vk, proof, ch);
        if (pcs.verifyOpening(vk.fri, claims, opening, vk.seeds, t) != PcsVerifier.verifyOpening.selector) {
            revert PcsNotAccepted();
        }
        SV.checkTables(vk, proof, ch, publicValues);
        return keyHash;
    }
}
