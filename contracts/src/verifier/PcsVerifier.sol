// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {FriVerifier as V} from "./FriVerifier.sol";
import {KeccakTranscript as T} from "./KeccakTranscript.sol";
import {ProofCalldata} from "./ProofCalldata.sol";

/// @title The opening argument of the L1 configuration, as a contract of its own
/// @notice `FriVerifier.verify` behind an external function, so that a circuit verifier
/// (`StarkCircuitVerifier`) and this check each fit the 24,576-byte code limit of EIP-170.
/// It holds no state: one deployment serves every circuit.
/// @dev The opening proof arrives packed (`ProofCalldata`) and is decoded here, in this
/// call's own memory: the caller forwards it without decoding it.
contract PcsVerifier {
    /// @notice What a successful check returns: this function's selector, so that a call to an
    /// address without this code (which returns nothing) cannot pass for a check.
    bytes4 public constant ACCEPTED = this.verifyOpening.selector;

    /// @notice Verifies the packed `FriVerifier.Proof` `opening` of `claims` under
    /// `params` and `seeds`, continuing transcript `t` (what the protocol above the PCS has
    /// observed, up to ζ).
    /// @return accepted {ACCEPTED}.
    /// @dev Reverts with `FriVerifier`'s, `FriInputs`', `FriFold`'s and `KeccakMerkle`'s named
    /// errors, and `ProofCalldata`'s for an `opening` that is not a whole packed proof.
    function verifyOpening(
        V.Params memory params,
        V.Claims memory claims,
        bytes calldata opening,
        V.Seeds memory seeds,
        T.State memory t
    ) external view returns (bytes4 accepted) {
        V.verify(params, claims, ProofCalldata.decodeOpening(opening), seeds, t);
        return ACCEPTED;
    }
}
