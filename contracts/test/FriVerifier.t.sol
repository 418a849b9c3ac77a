// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {Base} from "./Base.sol";
import {BabyBear} from "../src/verifier/BabyBear.sol";
import {BabyBear4 as E} from "../src/verifier/BabyBear4.sol";
import {FriInputs} from "../src/verifier/FriInputs.sol";
import {FriVerifier as V} from "../src/verifier/FriVerifier.sol";
import {KeccakMerkle} from "../src/verifier/KeccakMerkle.sol";
import {KeccakTranscript as T} from "../src/verifier/KeccakTranscript.sol";

/// Runs the transcript above the PCS (both commitments observed, ζ sampled) and the PCS check,
/// through an external call so that reverts can be caught.
contract FriHarness {
    function verify(V.Params memory params, V.Claims memory claims, V.Proof memory proof, V.Seeds memory seeds)
        external
        view
    {
        T.State memory t = T.init(2048);
        for (uint256 b = 0; b < claims.commitments.length; ++b) {
            T.observeDigest(t, claims.commitments[b]);
        }
        T.sampleExt(t);
        V.verify(params, claims, proof, seeds, t);
    }
}

/// The on-chain PCS check accepts a whole L1 opening proof made by Plonky3
/// (`sq_prover_circuits::l1_pcs_fixture`: two batches, three heights, 27 queries, three commit
/// rounds, 20 bits of proof of work) and rejects each single-field tamper with its own error.
contract FriVerifierTest is Base {
    string internal json;
    FriHarness internal h;

    struct Fixture {
        V.Params params;
        V.Claims claims;
        V.Proof proof;
        V.Seeds seeds;
    }

    function setUp() public {
        json = vm.readFile("test/fixtures/l1_pcs.json");
        h = new FriHarness();
    }

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

    function load() internal view returns (Fixture memory f) {
        f.params = V.Params({logBlowup: 3, logFinalPolyLen: 0, maxLogArity: 3, numQueries: 27, queryPowBits: 20});
        f.claims = loadClaims();
        f.proof = loadProof(f.claims);
        f.seeds = loadSeeds();
    }

    function loadClaims() internal view returns (V.Claims memory c) {
        c.commitments = vm.parseJsonBytes32Array(json, ".commitments");
        c.matBatch = u(".mat_batch");
        c.matWidths = u(".mat_widths");
        uint256[] memory heights = u(".mat_log_heights");
        uint256[] memory counts = u(".mat_point_counts");
        uint256[] memory points = exts(u(".points"));
        uint256[] memory values = exts(u(".claims"));
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

    function loadProof(V.Claims memory c) internal view returns (V.Proof memory p) {
        p.commitPhaseCommits = vm.parseJsonBytes32Array(json, ".commit_phase_commits");
        p.finalPoly = exts(u(".final_poly"));
        p.queryPowWitness = vm.parseJsonUint(json, ".query_pow_witness");
        p.siblingValues = exts(u(".sibling_values"));
        p.roundProofs = split(vm.parseJsonBytes32Array(json, ".round_proofs"), u(".round_proof_lens"));
        p.inputProofs = split(vm.parseJsonBytes32Array(json, ".input_proofs"), u(".input_proof_lens"));
        uint256[] memory rows = u(".input_rows");
        p.inputRows = new uint256[][](c.commitments.length);
        uint256 at = 0;
        for (uint256 b = 0; b < c.commitments.length; ++b) {
            uint256 len = 0;
            for (uint256 m = 0; m < c.matBatch.length; ++m) {
                if (c.matBatch[m] == b) len += c.matWidths[m];
            }
            p.inputRows[b] = new uint256[](27 * len);
            for (uint256 i = 0; i < p.inputRows[b].length; ++i) {
                p.inputRows[b][i] = rows[at++];
            }
        }
    }

    /// The protocol seeds Plonky3's domain separators give for this shape (exported by the
    /// fixture; a Rust test checks they are what the verifier's transcript observed).
    function loadSeeds() internal view returns (V.Seeds memory s) {
        s.pcs = u(".pcs_seed");
        s.fri = u(".fri_seed");
    }

    function verify(Fixture memory f) internal view {
        h.verify(f.params, f.claims, f.proof, f.seeds);
    }

    /// Expects a revert whose data starts with `selector`.
    function expectSelector(Fixture memory f, bytes4 selector, string memory what) internal view {
        try h.verify(f.params, f.claims, f.proof, f.seeds) {
            fail(string.concat("verified: ", what));
        } catch (bytes memory err) {
            assertEq(bytes32(bytes4(err)), bytes32(selector), what);
        }
    }

    function test_acceptsPlonky3sOpeningProof() public view {
        Fixture memory f = load();
        uint256 before = gasleft();
        verify(f);
        log("gas of the PCS check (27 queries, 3 matrices, 3 rounds)", before - gasleft());
    }

    function test_rejectsTamperedOpenings() public view {
        Fixture memory f = load();
        f.proof.inputRows[1][5] = (f.proof.inputRows[1][5] + 1) % BabyBear.P;
        expectSelector(f, KeccakMerkle.RootMismatch.selector, "opened value");
        f = load();
        f.proof.inputProofs[0][3] ^= bytes32(uint256(1));
        expectSelector(f, KeccakMerkle.RootMismatch.selector, "input Merkle sibling");
        f = load();
        f.proof.roundProofs[1][0] ^= bytes32(uint256(1));
        expectSelector(f, KeccakMerkle.RootMismatch.selector, "commit-phase Merkle sibling");
    }

    function test_rejectsTamperedFoldingData() public view {
        Fixture memory f = load();
        f.proof.siblingValues[40] = E.add(f.proof.siblingValues[40], 1);
        expectSelector(f, V.FinalPolyMismatch.selector, "FRI sibling value");
        f = load();
        f.claims.mats[2].points[0] = E.add(f.claims.mats[2].points[0], 1);
        expectSelector(f, V.FinalPolyMismatch.selector, "opening point");
    }

    /// Whatever the transcript absorbs moves the query indices, and the proof of work, ground
    /// for the honest transcript, fails first.
    function test_rejectsTamperedTranscriptInputs() public view {
        Fixture memory f = load();
        f.proof.queryPowWitness = (f.proof.queryPowWitness + 1) % BabyBear.P;
        expectSelector(f, V.QueryPowInvalid.selector, "proof-of-work witness");
        f = load();
        f.proof.finalPoly[0] = E.add(f.proof.finalPoly[0], 1);
        expectSelector(f, V.QueryPowInvalid.selector, "final polynomial");
        f = load();
        f.proof.commitPhaseCommits[0] ^= bytes32(uint256(1));
        expectSelector(f, V.QueryPowInvalid.selector, "commit-phase commitment");
        f = load();
        f.claims.mats[0].values[1] = E.add(f.claims.mats[0].values[1], 1);
        expectSelector(f, V.QueryPowInvalid.selector, "claimed evaluation");
        f = load();
        f.claims.commitments[1] ^= bytes32(uint256(1));
        expectSelector(f, V.QueryPowInvalid.selector, "batch commitment (observed before zeta)");
        f = load();
        f.seeds.fri[0] = (f.seeds.fri[0] + 1) % BabyBear.P;
        expectSelector(f, V.QueryPowInvalid.selector, "protocol seed");
    }

    function test_rejectsMisshapenProofs() public view {
        Fixture memory f = load();
        bytes32[] memory commits = new bytes32[](2);
        commits[0] = f.proof.commitPhaseCommits[0];
        commits[1] = f.proof.commitPhaseCommits[1];
        f.proof.commitPhaseCommits = commits;
        expectSelector(f, V.WrongProofShape.selector, "a commit round missing");
        f = load();
        f.proof.finalPoly = new uint256[](2);
        expectSelector(f, V.WrongProofShape.selector, "final polynomial length");
        f = load();
        f.proof.siblingValues = new uint256[](3);
        expectSelector(f, V.WrongProofShape.selector, "sibling values");
    }

    /// No single changed value anywhere in the proof verifies: an opened value, an input or
    /// commit-phase Merkle sibling, a FRI sibling value, a commit-phase root, the final
    /// polynomial or the proof-of-work witness.
    function testFuzz_noSingleChangeVerifies(uint256 what, uint256 at, uint256 delta) public {
        Fixture memory f = load();
        what = what % 7;
        delta = bound(delta, 1, BabyBear.P - 1);
        V.Proof memory p = f.proof;
        if (what == 0) {
            uint256[] memory rows = p.inputRows[at % 2];
            at = (at >> 8) % rows.length;
            rows[at] = (rows[at] + delta) % BabyBear.P;
        } else if (what == 1) {
            bytes32[] memory sib = p.inputProofs[at % 2];
            sib[(at >> 8) % sib.length] ^= bytes32(delta);
        } else if (what == 2) {
            bytes32[] memory sib = p.roundProofs[at % 3];
            sib[(at >> 8) % sib.length] ^= bytes32(delta);
        } else if (what == 3) {
            at = at % p.siblingValues.length;
            p.siblingValues[at] = E.add(p.siblingValues[at], E.pack(0, 0, delta, 0));
        } else if (what == 4) {
            p.commitPhaseCommits[at % 3] ^= bytes32(delta);
        } else if (what == 5) {
            p.finalPoly[0] = E.add(p.finalPoly[0], E.pack(delta, 0, 0, 0));
        } else {
            p.queryPowWitness = (p.queryPowWitness + delta) % BabyBear.P;
        }
        vm.expectRevert();
        h.verify(f.params, f.claims, p, f.seeds);
    }
}
