// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {Base} from "./Base.sol";
import {BabyBear4 as E} from "../src/verifier/BabyBear4.sol";
import {FriInputs} from "../src/verifier/FriInputs.sol";
import {FriVerifier as V} from "../src/verifier/FriVerifier.sol";

/// Reads a flattened PCS opening (`sq_prover_circuits::l1_pcs_fixture::PcsFixture`) from the
/// JSON text `json`, at a key prefix ("" for a whole file, ".pcs" for a nested one).
abstract contract PcsFixtureReader is Base {
    /// The L1 configuration's query count.
    uint256 internal constant NUM_QUERIES = 27;

    string internal json;

    function u(string memory key) internal view returns (uint256[] memory) {
        return vm.parseJsonUintArray(json, key);
    }

    function exts(uint256[] memory flat) internal pure returns (uint256[] memory out) {
        out = new uint256[](flat.length / 4);
        for (uint256 i = 0; i < out.length; ++i) {
            out[i] = E.fromFlat(flat, i);
        }
    }

    /// Splits `flat` into consecutive pieces of `lens`.
    function split(bytes32[] memory flat, uint256[] memory lens) internal pure returns (bytes32[][] memory out) {
        out = new bytes32[][](lens.length);
        uint256 at = 0;
        for (uint256 i = 0; i < lens.length; ++i) {
            out[i] = new bytes32[](lens[i]);
            for (uint256 j = 0; j < lens[i]; ++j) {
                out[i][j] = flat[at++];
            }
        }
    }

    function loadClaims(string memory prefix) internal view returns (V.Claims memory c) {
        c.commitments = vm.parseJsonBytes32Array(json, string.concat(prefix, ".commitments"));
        c.matBatch = u(string.concat(prefix, ".mat_batch"));
        c.matWidths = u(string.concat(prefix, ".mat_widths"));
        uint256[] memory heights = u(string.concat(prefix, ".mat_log_heights"));
        uint256[] memory counts = u(string.concat(prefix, ".mat_point_counts"));
        uint256[] memory points = exts(u(string.concat(prefix, ".points")));
        uint256[] memory values = exts(u(string.concat(prefix, ".claims")));
        c.mats = new FriInputs.MatrixClaim[](heights.length);
        uint256 pointAt = 0;
        uint256 valueAt = 0;
        for (uint256 m = 0; m < heights.length; ++m) {
            c.mats[m].logHeight = heights[m];
            c.mats[m].points = new uint256[](counts[m]);
            c.mats[m].values = new uint256[](counts[m] * c.matWidths[m]);
            for (uint256 j = 0; j < counts[m]; ++j) {
                c.mats[m].points[j] = points[pointAt++];
            }
            for (uint256 j = 0; j < c.mats[m].values.length; ++j) {
                c.mats[m].values[j] = values[valueAt++];
            }
        }
    }

    function loadProof(string memory prefix, V.Claims memory c) internal view returns (V.Proof memory p) {
        p.commitPhaseCommits = vm.parseJsonBytes32Array(json, string.concat(prefix, ".commit_phase_commits"));
        p.finalPoly = exts(u(string.concat(prefix, ".final_poly")));
        p.queryPowWitness = vm.parseJsonUint(json, string.concat(prefix, ".query_pow_witness"));
        p.siblingValues = exts(u(string.concat(prefix, ".sibling_values")));
        p.roundProofs = split(
            vm.parseJsonBytes32Array(json, string.concat(prefix, ".round_proofs")),
            u(string.concat(prefix, ".round_proof_lens"))
        );
        p.inputProofs = split(
            vm.parseJsonBytes32Array(json, string.concat(prefix, ".input_proofs")),
            u(string.concat(prefix, ".input_proof_lens"))
        );
        uint256[] memory rows = u(string.concat(prefix, ".input_rows"));
        p.inputRows = new uint256[][](c.commitments.length);
        uint256 at = 0;
        for (uint256 b = 0; b < c.commitments.length; ++b) {
            uint256 len = 0;
            for (uint256 m = 0; m < c.matBatch.length; ++m) {
                if (c.matBatch[m] == b) len += c.matWidths[m];
            }
            p.inputRows[b] = new uint256[](NUM_QUERIES * len);
            for (uint256 i = 0; i < p.inputRows[b].length; ++i) {
                p.inputRows[b][i] = rows[at++];
            }
        }
    }

    /// The protocol seeds Plonky3's domain separators give for this shape (exported by the
    /// fixture; a Rust test checks they are what the verifier's transcript observed).
    function loadSeeds(string memory prefix) internal view returns (V.Seeds memory s) {
        s.pcs = u(string.concat(prefix, ".pcs_seed"));
        s.fri = u(string.concat(prefix, ".fri_seed"));
    }
}
