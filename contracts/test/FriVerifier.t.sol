// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {PcsFixtureReader} from "./PcsFixtureReader.sol";
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
contract FriVerifierTest is PcsFixtureReader {
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

    function load() internal view returns (Fixture memory f) {
        f.params = V.Params({logBlowup: 3, logFinalPolyLen: 0, maxLogArity: 3, numQueries: 27, queryPowBits: 20});
        f.claims = loadClaims("");
        f.proof = loadProof("", f.claims);
        f.seeds = loadSeeds("");
    }

    function verify(Fixture memory f) internal view {
        h.verify(f.params, f.claims, f.proof, f.seeds);
    }

    /// Expects a revert whose data starts with `selector`.
    function expectSelector(Fixture memory f, bytes4 selector, string memory what) internal view {
        assertRevertsWith(address(h), abi.encodeCall(h.verify, (f.params, f.claims, f.proof, f.seeds)), selector, what);
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
