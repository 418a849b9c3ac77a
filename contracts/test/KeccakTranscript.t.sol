// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {ScriptReplay} from "./ScriptReplay.sol";
import {KeccakTranscript as T} from "../src/verifier/KeccakTranscript.sol";
import {BabyBear} from "../src/verifier/BabyBear.sol";
import {BabyBear4 as E} from "../src/verifier/BabyBear4.sol";

/// Calls the library through an external function, so that its reverts can be expected.
contract TranscriptHarness {
    function observeAt(uint256 capacity, uint256 count, uint256 x) external pure {
        T.State memory t = T.init(capacity);
        for (uint256 i = 0; i < count; ++i) {
            T.observe(t, x);
        }
    }

    /// Observes `count` copies of the extension word `x` one by one, or all at once
    /// (`observeExtAll`), and returns the next sample.
    function observeExtAt(uint256 capacity, uint256 count, uint256 x, bool all) external pure returns (uint256) {
        T.State memory t = T.init(capacity);
        uint256[] memory xs = new uint256[](count);
        for (uint256 i = 0; i < count; ++i) {
            xs[i] = x;
        }
        if (all) {
            T.observeExtAll(t, xs);
        } else {
            for (uint256 i = 0; i < count; ++i) {
                T.observeExt(t, xs[i]);
            }
        }
        return T.sampleWord(t);
    }

    function sampleBits(uint256 bits) external pure returns (uint256) {
        T.State memory t = T.init(64);
        return T.sampleBits(t, bits);
    }
}

/// The on-chain transcript replays Plonky3's L1 challenger byte for byte: a script recorded
/// from Rust (`sq_prover_circuits::l1_transcript_fixture`, 400 operations: observations,
/// samples over chained flushes, proof-of-work checks that pass and fail)
/// gives the same samples here; bad inputs revert with their own errors.
contract KeccakTranscriptTest is ScriptReplay {
    function test_replaysThePlonky3Script() public view {
        uint256[5] memory seen = replay("test/fixtures/l1_transcript.json", ".", 400);
        for (uint256 k = 0; k < 5; ++k) {
            assertTrue(seen[k] > 0, string.concat("kind not exercised: ", vm.toString(k)));
        }
    }

    /// The transcript Plonky3's verifier ran over a whole L1 PCS opening proof
    /// (`sq_prover_circuits::l1_pcs_fixture`): both commitments, ζ, the PCS and FRI seeds, the
    /// claims, α, three commit rounds with their β, the final polynomial, the 20-bit query
    /// proof of work and 27 query indices of 9 bits all come out the same on chain.
    function test_replaysAWholePcsVerification() public view {
        uint256[5] memory seen = replay("test/fixtures/l1_pcs.json", ".transcript.", 227);
        assertEq(seen[CHECK_WITNESS], 1, "one proof-of-work check");
        assertEq(seen[SAMPLE_BITS], 27, "27 query indices");
        assertEq(seen[OBSERVE_DIGEST], 5, "two commitments and three commit-phase roots");
    }

    /// The first sample of an empty transcript: keccak256("") read from its last byte back.
    function test_firstSampleReadsTheEmptyHashFromTheEnd() public pure {
        T.State memory t = T.init(64);
        bytes32 h = keccak256("");
        uint256 word = T.sampleWord(t);
        uint256 expected = uint256(uint8(h[31])) | uint256(uint8(h[30])) << 8 | uint256(uint8(h[29])) << 16
            | uint256(uint8(h[28])) << 24;
        assertEq(word, expected, "bytes 31..28 little-endian");
    }

    function test_rejectsNonFieldValuesOverflowAndWideSamples() public {
        TranscriptHarness h = new TranscriptHarness();
        vm.expectRevert(abi.encodeWithSelector(BabyBear.NotAFieldElement.selector, T.P));
        h.observeAt(64, 1, T.P);
        // 64 bytes hold 9 four-byte observations: the 9th's full-word store ends at byte 64.
        h.observeAt(64, 9, 1);
        vm.expectRevert(abi.encodeWithSelector(T.TranscriptFull.selector, 64));
        h.observeAt(64, 10, 1);
        vm.expectRevert(abi.encodeWithSelector(T.TooManyBits.selector, 31));
        h.sampleBits(31);
        assertTrue(h.sampleBits(30) < (1 << 30), "30 bits fit");
    }

    /// Observing extension words all at once is observing them one by one: the same bytes
    /// (the same next sample), the same capacity bound, the same error for a coefficient ≥ p.
    function test_observeExtAllIsObserveExtInOrder() public {
        TranscriptHarness h = new TranscriptHarness();
        uint256 x = E.pack(1, T.P - 1, 7, 123456789);
        assertEq(h.observeExtAt(256, 5, x, true), h.observeExtAt(256, 5, x, false), "same sample");
        assertTrue(h.observeExtAt(256, 5, x, true) != h.observeExtAt(256, 4, x, true), "count matters");
        // 64 bytes hold two words: the second's last full-word store ends at byte 60.
        h.observeExtAt(64, 2, x, true);
        h.observeExtAt(64, 2, x, false);
        for (uint256 k = 0; k < 2; ++k) {
            vm.expectRevert(abi.encodeWithSelector(T.TranscriptFull.selector, 64));
            h.observeExtAt(64, 3, x, k == 0);
        }
        uint256 bad = E.pack(1, 2, 0, 3) | (T.P << 128);
        for (uint256 k = 0; k < 2; ++k) {
            vm.expectRevert(abi.encodeWithSelector(BabyBear.NotAFieldElement.selector, T.P));
            h.observeExtAt(256, 2, bad, k == 0);
        }
    }
}
