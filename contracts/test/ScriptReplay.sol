// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {Base} from "./Base.sol";
import {KeccakTranscript as T} from "../src/verifier/KeccakTranscript.sol";

/// Replays a transcript script recorded from Plonky3 (`sq_prover_circuits::l1_transcript_fixture`'s
/// `TranscriptScript`: parallel `kinds`, `args`, `results`) on the on-chain transcript and checks
/// every result.
abstract contract ScriptReplay is Base {
    uint256 internal constant OBSERVE = 0;
    uint256 internal constant OBSERVE_DIGEST = 1;
    uint256 internal constant SAMPLE_BASE = 2;
    uint256 internal constant SAMPLE_BITS = 3;
    uint256 internal constant CHECK_WITNESS = 4;

    /// A recorded script.
    struct Script {
        uint256[] kinds;
        uint256[] args;
        uint256[] results;
    }

    /// Reads the script at `prefix` (ending in a dot) of the JSON text `json`.
    function readScript(string memory json, string memory prefix) internal pure returns (Script memory s) {
        s.kinds = vm.parseJsonUintArray(json, string.concat(prefix, "kinds"));
        s.args = vm.parseJsonUintArray(json, string.concat(prefix, "args"));
        s.results = vm.parseJsonUintArray(json, string.concat(prefix, "results"));
    }

    /// Replays the script at `prefix` of the JSON file `path` (`count` operations) on a fresh
    /// transcript; returns how many operations of each kind ran.
    function replay(string memory path, string memory prefix, uint256 count)
        internal
        view
        returns (uint256[5] memory seen)
    {
        Script memory s = readScript(vm.readFile(path), prefix);
        assertEq(s.kinds.length, count, "script length");
        return replayOn(T.init(2048), s, 0);
    }

    /// Replays operations `from..` of `s` on `t`, checking each result; returns how many
    /// operations of each kind ran.
    function replayOn(T.State memory t, Script memory s, uint256 from) internal pure returns (uint256[5] memory seen) {
        for (uint256 i = from; i < s.kinds.length; ++i) {
            uint256 k = s.kinds[i];
            uint256 arg = s.args[i];
            uint256 got;
            if (k == OBSERVE) {
                T.observe(t, arg);
            } else if (k == OBSERVE_DIGEST) {
                T.observeDigest(t, bytes32(arg));
            } else if (k == SAMPLE_BASE) {
                got = T.sampleBase(t);
            } else if (k == SAMPLE_BITS) {
                got = T.sampleBits(t, arg);
            } else {
                got = T.checkWitness(t, arg >> 32, arg & 0xffffffff) ? 1 : 0;
            }
            assertEq(got, s.results[i], string.concat("operation ", vm.toString(i)));
            seen[k] += 1;
        }
    }
}
