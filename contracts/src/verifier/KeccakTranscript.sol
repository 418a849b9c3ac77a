// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {BabyBear} from "./BabyBear.sol";
import {BabyBear4} from "./BabyBear4.sol";

/// @title The L1 configuration's Fiat–Shamir transcript, replayed on chain
/// @notice Plonky3 0.8's `SerializingChallenger32<BabyBear, HashChallenger<u8, Keccak256Hash, 32>>`
/// (`sq_prover_circuits::l1::L1Challenger`), byte for byte:
/// - observing a BabyBear element appends the 4 little-endian bytes of its **Montgomery form**
///   (x·2^32 mod p, what `to_unique_u32` returns) to the input buffer; observing a digest appends
///   its 32 bytes; any observation discards unread output;
/// - sampling with no output left hashes the input buffer, keeps the 32-byte output as the whole
///   new input buffer (chaining), and hands out the output's bytes **from the last one
///   backwards**;
/// - a 32-bit word is 4 such bytes read little-endian (bytes 31, 30, 29, 28 of a fresh output);
///   a base-field sample masks a word to 31 bits and rejects values ≥ p (returned canonical);
///   an extension sample is 4 base samples, coefficient 0 first (4 `sampleBase` calls here);
///   `sampleBits(k)` is the low k bits of a word;
/// - a proof-of-work check drops one sampled byte, observes the witness and accepts when the
///   next `sampleBits(bits)` is zero (`GrindingChallenger::check_witness`).
/// @dev The state lives in memory. The input buffer is one allocation of `capacity` bytes that
/// is reused across flushes; observing past it reverts TranscriptFull, so a verifier sizes it
/// for the longest run of observations between two samples (plus 32).
library KeccakTranscript {
    /// BabyBear's modulus.
    uint256 internal constant P = BabyBear.P;

    /// @notice A transcript: input bytes pending, the last output and how much of it is unread.
    /// @param input The input buffer (its length is the capacity; `inputLen` bytes are used).
    /// @param inputLen Bytes observed since the last flush (32 after a flush: the chained output).
    /// @param output The last hash output.
    /// @param outputLeft Unread output bytes; the next byte handed out is `output[outputLeft - 1]`.
    struct State {
        bytes input;
        uint256 inputLen;
        bytes32 output;
        uint256 outputLeft;
    }

    /// An observation would overflow the input buffer's capacity.
    error TranscriptFull(uint256 capacity);
    /// More bits were asked of one sample than a word below p holds.
    error TooManyBits(uint256 bits);

    /// @notice A fresh transcript (empty input, as `from_hasher(Vec::new(), …)`) with room for
    /// `capacity` input bytes.
    function init(uint256 capacity) internal pure returns (State memory t) {
        t.input = new bytes(capacity);
    }

    /// @notice Observes the canonical BabyBear element `x`.
    /// @dev Reverts BabyBear.NotAFieldElement unless x < p, TranscriptFull when out of room.
    function observe(State memory t, uint256 x) internal pure {
        _append(t, bytes32(BabyBear.serialized(x) << 224), 4);
    }

    /// @notice Observes an extension element (a `BabyBear4` word): its 4 coefficients,
    /// coefficient 0 first (`observe_algebra_element`).
    function observeExt(State memory t, uint256 x) internal pure {
        for (uint256 i = 0; i < 4; ++i) {
            observe(t, BabyBear4.coeff(x, i));
        }
    }

    /// @notice Observes extension elements `xs` in order, as many {observeExt} calls (one pass
    /// that serializes straight into the input buffer).
    /// @dev Reverts BabyBear.NotAFieldElement for a coefficient ≥ p (the first), TranscriptFull
    /// when the buffer cannot hold them all.
    function observeExtAll(State memory t, uint256[] memory xs) internal pure {
        bytes memory input = t.input;
        uint256 at = t.inputLen;
        uint256 end = at + 16 * xs.length;
        // As `_append`: the full 32-byte store at the last coefficient (byte end − 4) stays in
        // the buffer.
        if (end + 28 > input.length) revert TranscriptFull(input.length);
        uint256 bad = _serializeExt(xs, input, at);
        if (bad != 0) revert BabyBear.NotAFieldElement(bad - 1);
        t.inputLen = end;
        t.outputLeft = 0;
    }

    /// @dev Writes the 16-byte serializations of `xs` into `input` from byte `at`; returns 0, or
    /// 1 + the first coefficient ≥ p (nothing after it is written).
    function _serializeExt(uint256[] memory xs, bytes memory input, uint256 at) private pure returns (uint256 bad) {
        uint256 p = P;
        uint256 r = BabyBear.MONTY_R;
        assembly ("memory-safe") {
            let dst := add(add(input, 32), at)
            let src := add(xs, 32)
            for { let last := add(src, mul(mload(xs), 32)) } lt(src, last) { src := add(src, 32) } {
                let x := mload(src)
                for { let c := 0 } lt(c, 4) { c := add(c, 1) } {
                    let v := and(shr(mul(c, 64), x), 0xffffffffffffffff)
                    if iszero(lt(v, p)) {
                        bad := add(v, 1)
                        break
                    }
                    let m := mulmod(v, r, p)
                    let le :=
                        or(or(shl(24, and(m, 0xff)), shl(8, and(m, 0xff00))), or(and(shr(8, m), 0xff00), shr(24, m)))
                    mstore(dst, shl(224, le))
                    dst := add(dst, 4)
                }
                if bad { break }
            }
        }
    }

    /// @notice Samples an extension element: 4 base samples, coefficient 0 first
    /// (`sample_algebra_element`).
    function sampleExt(State memory t) internal pure returns (uint256) {
        uint256 a0 = sampleBase(t);
        uint256 a1 = sampleBase(t);
        uint256 a2 = sampleBase(t);
        return BabyBear4.pack(a0, a1, a2, sampleBase(t));
    }

    /// @notice Observes a 32-byte digest (a Merkle root or cap entry).
    function observeDigest(State memory t, bytes32 d) internal pure {
        _append(t, d, 32);
    }

    /// @notice The next output byte, hashing the input first when no output is left.
    function sampleByte(State memory t) internal pure returns (uint256 b) {
        if (t.outputLeft == 0) _flush(t);
        t.outputLeft -= 1;
        b = uint256(uint8(t.output[t.outputLeft]));
    }

    /// @notice A 32-bit word: 4 output bytes, the first one least significant.
    function sampleWord(State memory t) internal pure returns (uint256 w) {
        for (uint256 i = 0; i < 4; ++i) {
            w |= sampleByte(t) << (8 * i);
        }
    }

    /// @notice A uniformly random canonical BabyBear element (31-bit words, rejecting ≥ p).
    function sampleBase(State memory t) internal pure returns (uint256 x) {
        while (true) {
            x = sampleWord(t) & 0x7fffffff;
            if (x < P) return x;
        }
    }

    /// @notice The low `bits` bits of a word (a FRI query index).
    /// @dev Reverts TooManyBits unless 2^bits < p (as Plonky3 asserts).
    function sampleBits(State memory t, uint256 bits) internal pure returns (uint256) {
        if (bits >= 31) revert TooManyBits(bits);
        return sampleWord(t) & ((1 << bits) - 1);
    }

    /// @notice Checks a proof-of-work witness: drops one byte, observes `witness`, and accepts
    /// when the next `bits` sampled bits are zero. Zero bits accept any witness untouched.
    function checkWitness(State memory t, uint256 bits, uint256 witness) internal pure returns (bool) {
        if (bits == 0) return true;
        sampleByte(t);
        observe(t, witness);
        return sampleBits(t, bits) == 0;
    }

    function _append(State memory t, bytes32 word, uint256 len) private pure {
        bytes memory input = t.input;
        uint256 at = t.inputLen;
        // The full 32-byte store may write past `len` bytes but never past the capacity.
        if (at + 32 > input.length) revert TranscriptFull(input.length);
        assembly ("memory-safe") {
            mstore(add(add(input, 32), at), word)
        }
        t.inputLen = at + len;
        t.outputLeft = 0;
    }

    function _flush(State memory t) private pure {
        bytes memory input = t.input;
        uint256 len = t.inputLen;
        bytes32 out;
        assembly ("memory-safe") {
            out := keccak256(add(input, 32), len)
            mstore(add(input, 32), out)
        }
        t.output = out;
        t.inputLen = 32;
        t.outputLeft = 32;
    }
}
