// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {BatchStarkTranscript as S} from "../src/verifier/BatchStarkTranscript.sol";
import {FriVerifier as V} from "../src/verifier/FriVerifier.sol";
import {StarkOpenings as O} from "../src/verifier/StarkOpenings.sol";

/// Writes the verifier's structs in the packed calldata format (`ProofCalldata`), so that tests
/// can change a field and send the proof again. The format's owner is the Rust encoder: a
/// test checks that this writer gives the fixture's bytes for the fixture's proof.
library ProofPacker {
    /// An output buffer with room for 1 MiB, and the bytes written.
    struct Buf {
        bytes data;
        uint256 len;
    }

    function batch(S.Input memory input, O.Opened[] memory opened) internal pure returns (bytes memory) {
        Buf memory b = Buf(new bytes(1 << 20), 0);
        _words(b, input.degreeBits);
        _put(b, uint256(input.mainCommitment), 32);
        _put(b, input.lookupPowWitness, 4);
        _put(b, uint256(input.permutationCommitment), 32);
        _exts(b, input.terminals);
        _put(b, uint256(input.quotientCommitment), 32);
        _put(b, input.oodPowWitness, 4);
        _put(b, opened.length, 4);
        for (uint256 i = 0; i < opened.length; ++i) {
            O.Opened memory o = opened[i];
            _exts(b, o.traceLocal);
            _exts(b, o.traceNext);
            _exts(b, o.preprocessedLocal);
            _exts(b, o.preprocessedNext);
            _exts(b, o.permutationLocal);
            _exts(b, o.permutationNext);
            _exts(b, o.quotientChunks);
        }
        return _done(b);
    }

    function opening(V.Proof memory p) internal pure returns (bytes memory) {
        Buf memory b = Buf(new bytes(1 << 20), 0);
        _digests(b, p.commitPhaseCommits);
        _exts(b, p.finalPoly);
        _put(b, p.queryPowWitness, 4);
        _exts(b, p.siblingValues);
        _digestArrays(b, p.roundProofs);
        _put(b, p.inputRows.length, 4);
        for (uint256 i = 0; i < p.inputRows.length; ++i) {
            _words(b, p.inputRows[i]);
        }
        _digestArrays(b, p.inputProofs);
        return _done(b);
    }

    /// Appends the low `n` bytes of `x`, big-endian.
    function _put(Buf memory b, uint256 x, uint256 n) private pure {
        bytes memory data = b.data;
        uint256 at = b.len;
        require(at + n <= data.length, "ProofPacker: buffer full");
        for (uint256 k = 0; k < n; ++k) {
            data[at + k] = bytes1(uint8(x >> (8 * (n - 1 - k))));
        }
        b.len = at + n;
    }

    function _words(Buf memory b, uint256[] memory xs) private pure {
        _put(b, xs.length, 4);
        for (uint256 i = 0; i < xs.length; ++i) {
            _put(b, xs[i], 4);
        }
    }

    /// An extension word's coefficients a0..a3 (64-bit lanes, low first), 4 bytes each.
    function _exts(Buf memory b, uint256[] memory xs) private pure {
        _put(b, xs.length, 4);
        for (uint256 i = 0; i < xs.length; ++i) {
            for (uint256 k = 0; k < 4; ++k) {
                _put(b, (xs[i] >> (64 * k)) & 0xffffffffffffffff, 4);
            }
        }
    }

    function _digests(Buf memory b, bytes32[] memory ds) private pure {
        _put(b, ds.length, 4);
        for (uint256 i = 0; i < ds.length; ++i) {
            _put(b, uint256(ds[i]), 32);
        }
    }

    function _digestArrays(Buf memory b, bytes32[][] memory dss) private pure {
        _put(b, dss.length, 4);
        for (uint256 i = 0; i < dss.length; ++i) {
            _digests(b, dss[i]);
        }
    }

    function _done(Buf memory b) private pure returns (bytes memory data) {
        data = b.data;
        uint256 len = b.len;
        assembly ("memory-safe") {
            mstore(data, len)
        }
    }
}
