// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {BatchStarkTranscript as S} from "./BatchStarkTranscript.sol";
import {FriVerifier as V} from "./FriVerifier.sol";
import {StarkOpenings as O} from "./StarkOpenings.sol";

/// @title The packed calldata of an L1 proof, decoded into the verifier's structs
/// @notice A proof travels packed: 4 bytes per base element, 16 per extension element, 32 per
/// digest, arrays prefixed by a 4-byte count, big-endian, no padding. The format is written by
/// `sq_prover_circuits::l1_calldata` (the opening proof; its docs give the layout) and
/// `sq_prover_recursion::l1_calldata` (the batch part). ABI-encoding the same proof costs
/// 32 bytes per 31-bit element, and the calldata fee counts against the transaction cap of
/// EIP-7825.
/// @dev Decoding checks only the layout: every read lies inside the argument and nothing
/// follows the last field. Element values are range-checked where the verifier serializes
/// them (`BabyBear.NotAFieldElement`), as for ABI input. An extension element becomes a
/// `BabyBear4` word (coefficient i in bits [64i, 64i + 32)). Reverts ProofTruncated,
/// ProofTrailingBytes.
library ProofCalldata {
    /// A read at byte `offset` of the argument runs past its end (or a count promises more
    /// elements than the bytes left could hold).
    error ProofTruncated(uint256 offset);
    /// The argument goes on after its last field, at byte `offset`.
    error ProofTrailingBytes(uint256 offset);

    /// @dev A read position in calldata: absolute `at` and `end`, and the argument's `start`
    /// (offsets in errors are relative to it).
    struct Cursor {
        uint256 at;
        uint256 end;
        uint256 start;
    }

    /// @notice The batch part: `BatchStarkTranscript.Input` (its public values and
    /// preprocessed commitment left empty: the statement and the verifying key supply them)
    /// and each table's opened values.
    function decodeBatch(bytes calldata data) internal pure returns (S.Input memory input, O.Opened[] memory opened) {
        Cursor memory c = _open(data);
        input.degreeBits = _words(c);
        input.mainCommitment = _digest(c);
        input.lookupPowWitness = _word(c);
        input.permutationCommitment = _digest(c);
        input.terminals = _exts(c);
        input.quotientCommitment = _digest(c);
        input.oodPowWitness = _word(c);
        uint256 tables = _countOf(c, 28);
        opened = new O.Opened[](tables);
        for (uint256 i = 0; i < tables; ++i) {
            O.Opened memory o = opened[i];
            o.traceLocal = _exts(c);
            o.traceNext = _exts(c);
            o.preprocessedLocal = _exts(c);
            o.preprocessedNext = _exts(c);
            o.permutationLocal = _exts(c);
            o.permutationNext = _exts(c);
            o.quotientChunks = _exts(c);
        }
        _close(c);
    }

    /// @notice The opening proof, `FriVerifier.Proof`.
    function decodeOpening(bytes calldata data) internal pure returns (V.Proof memory p) {
        Cursor memory c = _open(data);
        p.commitPhaseCommits = _digests(c);
        p.finalPoly = _exts(c);
        p.queryPowWitness = _word(c);
        p.siblingValues = _exts(c);
        p.roundProofs = _digestArrays(c);
        uint256 batches = _countOf(c, 4);
        p.inputRows = new uint256[][](batches);
        for (uint256 b = 0; b < batches; ++b) {
            p.inputRows[b] = _words(c);
        }
        p.inputProofs = _digestArrays(c);
        _close(c);
    }

    function _open(bytes calldata data) private pure returns (Cursor memory c) {
        uint256 start;
        assembly ("memory-safe") {
            start := data.offset
        }
        c = Cursor({at: start, end: start + data.length, start: start});
    }

    function _close(Cursor memory c) private pure {
        if (c.at != c.end) revert ProofTrailingBytes(c.at - c.start);
    }

    /// @dev Advances past `n` bytes and returns where they start.
    function _take(Cursor memory c, uint256 n) private pure returns (uint256 from) {
        from = c.at;
        if (n > c.end - from) revert ProofTruncated(from - c.start);
        c.at = from + n;
    }

    /// @dev A 4-byte integer.
    function _word(Cursor memory c) private pure returns (uint256 x) {
        uint256 from = _take(c, 4);
        assembly ("memory-safe") {
            x := shr(224, calldataload(from))
        }
    }

    function _digest(Cursor memory c) private pure returns (bytes32 d) {
        uint256 from = _take(c, 32);
        assembly ("memory-safe") {
            d := calldataload(from)
        }
    }

    /// @dev A count of items that take at least `minBytes` each, refused before anything is
    /// allocated when the bytes left cannot hold them.
    function _countOf(Cursor memory c, uint256 minBytes) private pure returns (uint256 n) {
        uint256 at = c.at;
        n = _word(c);
        if (n * minBytes > c.end - c.at) revert ProofTruncated(at - c.start);
    }

    /// @dev An array of 4-byte integers (base elements), eight per calldata word. The
    /// allocation is rounded up to a whole word of eight, so the last word's extra lanes land
    /// inside it, past the length.
    function _words(Cursor memory c) private pure returns (uint256[] memory out) {
        uint256 n = _countOf(c, 4);
        uint256 from = _take(c, 4 * n);
        assembly ("memory-safe") {
            out := mload(0x40)
            mstore(out, n)
            let p := add(out, 32)
            let end := add(p, shl(5, n))
            mstore(0x40, add(p, shl(8, shr(3, add(n, 7)))))
            let m := 0xffffffff
            for {} lt(p, end) {
                p := add(p, 256)
                from := add(from, 32)
            } {
                let w := calldataload(from)
                mstore(p, shr(224, w))
                mstore(add(p, 32), and(shr(192, w), m))
                mstore(add(p, 64), and(shr(160, w), m))
                mstore(add(p, 96), and(shr(128, w), m))
                mstore(add(p, 128), and(shr(96, w), m))
                mstore(add(p, 160), and(shr(64, w), m))
                mstore(add(p, 192), and(shr(32, w), m))
                mstore(add(p, 224), and(w, m))
            }
        }
    }

    /// @dev An array of extension elements, 16 bytes each, as `BabyBear4` words.
    function _exts(Cursor memory c) private pure returns (uint256[] memory out) {
        uint256 n = _countOf(c, 16);
        uint256 from = _take(c, 16 * n);
        assembly ("memory-safe") {
            out := mload(0x40)
            mstore(out, n)
            let p := add(out, 32)
            let end := add(p, shl(5, n))
            mstore(0x40, end)
            let m := 0xffffffff
            for {} lt(p, end) {
                p := add(p, 32)
                from := add(from, 16)
            } {
                let v := shr(128, calldataload(from))
                let lo := or(shr(96, v), shl(64, and(shr(64, v), m)))
                mstore(p, or(lo, or(shl(128, and(shr(32, v), m)), shl(192, and(v, m)))))
            }
        }
    }

    function _digests(Cursor memory c) private pure returns (bytes32[] memory out) {
        uint256 n = _countOf(c, 32);
        uint256 from = _take(c, 32 * n);
        assembly ("memory-safe") {
            out := mload(0x40)
            mstore(out, n)
            calldatacopy(add(out, 32), from, shl(5, n))
            mstore(0x40, add(add(out, 32), shl(5, n)))
        }
    }

    function _digestArrays(Cursor memory c) private pure returns (bytes32[][] memory out) {
        uint256 n = _countOf(c, 4);
        out = new bytes32[][](n);
        for (uint256 i = 0; i < n; ++i) {
            out[i] = _digests(c);
        }
    }
}
