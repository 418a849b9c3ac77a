// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {ScriptReplay} from "./ScriptReplay.sol";
import {StarkFixtureReader} from "./StarkFixtureReader.sol";
import {BabyBear4 as E} from "../src/verifier/BabyBear4.sol";
import {BatchStarkTranscript as S} from "../src/verifier/BatchStarkTranscript.sol";
import {KeccakTranscript as T} from "../src/verifier/KeccakTranscript.sol";

/// Calls the library through an external function, so that its reverts can be expected and
/// its gas measured.
contract BatchStarkHarness {
    /// Room for the batch layer's longest run of observations between two samples (the
    /// seed, degree bits, main commitment and public values and preprocessed commitment: 472 bytes here) plus 32.
    uint256 internal constant CAPACITY = 1024;

    function replay(S.Shape memory shape, S.Input memory input) external pure returns (S.Challenges memory) {
        return S.replay(shape, input, T.init(CAPACITY));
    }
}

/// The batch-STARK layer of a real L1 circuit proof (`sq_prover_recursion::l1_stark_fixture`:
/// a small program over all five circuit tables and the LogUp bus, proven in the L1
/// configuration): replayed on chain it draws Plonky3's lookup pair, constraint challenge and
/// ζ, and leaves the sponge exactly where Plonky3's opening argument starts. Every input is
/// bound (changing it changes ζ), and misshapen inputs revert with their own errors.
contract BatchStarkTranscriptTest is StarkFixtureReader, ScriptReplay {
    BatchStarkHarness internal harness;

    function setUp() public {
        json = vm.readFile("test/fixtures/l1_stark.json");
        harness = new BatchStarkHarness();
    }

    function zeta(S.Input memory input) internal view returns (uint256) {
        return harness.replay(loadShape(), input).zeta;
    }

    function test_drawsPlonky3sChallenges() public view {
        S.Shape memory shape = loadShape();
        S.Input memory input = loadInput();
        uint256 before = gasleft();
        S.Challenges memory ch = harness.replay(shape, input);
        log("batch layer replay gas (external call)", before - gasleft());
        assertEq(ch.lookupAlpha, extField("lookup_alpha"), "lookup alpha");
        assertEq(ch.lookupBeta, extField("lookup_beta"), "lookup beta");
        assertEq(ch.alpha, extField("alpha"), "constraint challenge");
        assertEq(ch.zeta, extField("zeta"), "zeta");
        assertEq(loadShape().publicValueCounts.length, 5, "five tables");
        assertTrue(loadShape().numLookupInstances > 0, "the LogUp bus is in use");
    }

    /// After the batch layer, the recorded opening argument (PCS seed, every claimed
    /// evaluation, α, FRI's seed and rounds, the query proof of work and indices) replays on
    /// the same sponge: the hand-off state is Plonky3's.
    function test_leavesTheSpongeWhereTheOpeningArgumentStarts() public view {
        T.State memory t = T.init(1 << 16);
        S.replay(loadShape(), loadInput(), t);
        Script memory s = readScript(vm.readFile("test/fixtures/l1_stark_record.json"), ".transcript.");
        uint256 from = vm.parseJsonUint(json, ".stark_ops");
        uint256[5] memory seen = replayOn(t, s, from);
        assertEq(seen[CHECK_WITNESS], 1, "the query proof of work");
        assertEq(seen[SAMPLE_BITS], 27, "27 query indices");
    }

    /// Every input the proof or statement brings changes ζ; those before the lookup phase
    /// change the lookup pair too.
    function test_everyInputIsBound() public view {
        uint256 honest = zeta(loadInput());
        S.Input memory p;
        p = loadInput();
        p.degreeBits[4] += 1;
        assertTrue(zeta(p) != honest, "degree bits");
        p = loadInput();
        p.mainCommitment ^= bytes32(uint256(1));
        assertTrue(zeta(p) != honest, "main commitment");
        p = loadInput();
        p.publicValues[0] = (p.publicValues[0] + 1) % T.P;
        assertTrue(zeta(p) != honest, "public value");
        p = loadInput();
        p.preprocessedCommitment ^= bytes32(uint256(1) << 255);
        assertTrue(zeta(p) != honest, "preprocessed commitment");
        p = loadInput();
        p.permutationCommitment ^= bytes32(uint256(1) << 8);
        assertTrue(zeta(p) != honest, "permutation commitment");
        p = loadInput();
        p.terminals[0] = E.add(p.terminals[0], E.pack(0, 0, 0, 1));
        assertTrue(zeta(p) != honest, "terminal");
        p = loadInput();
        p.quotientCommitment ^= bytes32(uint256(1) << 100);
        assertTrue(zeta(p) != honest, "quotient commitment");
        p = loadInput();
        p.mainCommitment ^= bytes32(uint256(1));
        assertTrue(
            harness.replay(loadShape(), p).lookupAlpha != extField("lookup_alpha"), "lookup pair follows the main phase"
        );
    }

    function expectRevertData(S.Shape memory shape, S.Input memory input, bytes memory data) internal {
        vm.expectRevert(data);
        harness.replay(shape, input);
    }

    function test_rejectsMisshapenInputs() public {
        S.Input memory p = loadInput();
        p.degreeBits = new uint256[](4);
        expectRevertData(loadShape(), p, abi.encodeWithSelector(S.WrongBatchShape.selector, "degree bits"));
        p = loadInput();
        p.publicValues = new uint256[](p.publicValues.length + 1);
        expectRevertData(loadShape(), p, abi.encodeWithSelector(S.WrongBatchShape.selector, "public values"));
        p = loadInput();
        p.terminals = new uint256[](p.terminals.length + 1);
        expectRevertData(loadShape(), p, abi.encodeWithSelector(S.WrongBatchShape.selector, "terminals"));
        S.Shape memory noLookups = loadShape();
        noLookups.numLookupInstances = 0;
        p = loadInput();
        p.terminals = new uint256[](0);
        expectRevertData(noLookups, p, abi.encodeWithSelector(S.WrongBatchShape.selector, "permutation commitment"));
        p.lookupPowWitness = 1;
        expectRevertData(
            noLookups, p, abi.encodeWithSelector(S.WrongBatchShape.selector, "lookup witness without lookups")
        );
        S.Shape memory noProgram = loadShape();
        noProgram.hasPreprocessed = false;
        expectRevertData(
            noProgram, loadInput(), abi.encodeWithSelector(S.WrongBatchShape.selector, "preprocessed commitment")
        );
    }

    /// At 0 bits a grinding witness must be 0 (one encoding per proof); at more bits it must
    /// pass the check.
    function test_rejectsBadGrindingWitnesses() public {
        S.Input memory p = loadInput();
        p.lookupPowWitness = 5;
        expectRevertData(loadShape(), p, abi.encodeWithSelector(S.NonCanonicalPowWitness.selector, "lookup"));
        p = loadInput();
        p.oodPowWitness = 5;
        expectRevertData(loadShape(), p, abi.encodeWithSelector(S.NonCanonicalPowWitness.selector, "ood"));
        // At 16 bits, witness 0 passes with probability 2^-16: this fixture's does not.
        S.Shape memory grinding = loadShape();
        grinding.oodPowBits = 16;
        expectRevertData(grinding, loadInput(), abi.encodeWithSelector(S.PowWitnessInvalid.selector, "ood"));
        grinding = loadShape();
        grinding.lookupPowBits = 16;
        expectRevertData(grinding, loadInput(), abi.encodeWithSelector(S.PowWitnessInvalid.selector, "lookup"));
    }
}
