// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {StarkFixtureReader} from "./StarkFixtureReader.sol";
import {BabyBear} from "../src/verifier/BabyBear.sol";
import {CodeData} from "../src/CodeData.sol";
import {BabyBear4 as E} from "../src/verifier/BabyBear4.sol";
import {FriVerifier as V} from "../src/verifier/FriVerifier.sol";
import {KeccakMerkle} from "../src/verifier/KeccakMerkle.sol";
import {StarkVerifier as SV} from "../src/verifier/StarkVerifier.sol";
import {BatchStarkTranscript as S} from "../src/verifier/BatchStarkTranscript.sol";
import {KeccakTranscript as T} from "../src/verifier/KeccakTranscript.sol";
import {ProofCalldata} from "../src/verifier/ProofCalldata.sol";

/// The stages `StarkVerifierHarness.stages` measures, in its order.
function stageNames() pure returns (string[8] memory) {
    return [
        "decoding (the key ABI-encoded, the proof packed)",
        "batch transcript (to zeta)",
        "PCS claims",
        "FRI transcript and reduction set-up",
        "input Merkle openings",
        "folds (with reduced openings)",
        "commit-phase Merkle openings",
        "tables' identities and terminals"
    ];
}

/// Verifies through an external call, so that reverts can be caught and gas measured.
contract StarkVerifierHarness {
    function verify(SV.VerifyingKey memory vk, SV.Proof memory proof, uint256[] memory publicValues) external view {
        SV.verify(vk, proof, publicValues);
    }

    /// Decodes the ABI-encoded key and the packed proof (`ProofCalldata`) and verifies;
    /// returns the gas both took in this frame (what a transaction carrying them as calldata
    /// pays, less the calldata fee).
    function measure(bytes calldata key, bytes calldata batch, bytes calldata opening, uint256[] calldata publicValues)
        external
        view
        returns (uint256 gasUsed)
    {
        uint256 before = gasleft();
        (SV.VerifyingKey memory vk, SV.Proof memory proof) = decode(key, batch, opening);
        SV.verify(vk, proof, publicValues);
        gasUsed = before - gasleft();
    }

    function decode(bytes calldata key, bytes calldata batch, bytes calldata opening)
        internal
        pure
        returns (SV.VerifyingKey memory vk, SV.Proof memory proof)
    {
        vk = abi.decode(key, (SV.VerifyingKey));
        (proof.input, proof.opened) = ProofCalldata.decodeBatch(batch);
        proof.input.preprocessedCommitment = vk.preprocessedCommitment;
        proof.opening = ProofCalldata.decodeOpening(opening);
    }

    /// As {measure}, stage by stage (gas each): decoding, the batch transcript, the PCS
    /// claims, then FRI's transcript, input Merkle openings, folds (with the reduced
    /// openings) and commit-phase Merkle openings, then the tables' identities and terminals.
    function stages(bytes calldata key, bytes calldata batch, bytes calldata opening, uint256[] calldata publicValues)
        external
        view
        returns (uint256[8] memory g)
    {
        uint256 mark = gasleft();
        (SV.VerifyingKey memory vk, SV.Proof memory proof) = decode(key, batch, opening);
        (g[0], mark) = (mark - gasleft(), gasleft());
        (T.State memory t, S.Challenges memory ch) = SV.replayBatch(vk, proof, publicValues);
        (g[1], mark) = (mark - gasleft(), gasleft());
        V.Claims memory claims = SV.openingClaims(vk, proof, ch);
        (g[2], mark) = (mark - gasleft(), gasleft());
        V.Run memory run = V.replay(vk.fri, claims, proof.opening, vk.seeds, t);
        (g[3], mark) = (mark - gasleft(), gasleft());
        V.checkInputs(claims, proof.opening, run);
        (g[4], mark) = (mark - gasleft(), gasleft());
        (uint256[][] memory rows, uint256[][] memory groups) = V.foldQueries(vk.fri, proof.opening, run);
        (g[5], mark) = (mark - gasleft(), gasleft());
        V.checkRounds(proof.opening, run, rows, groups);
        (g[6], mark) = (mark - gasleft(), gasleft());
        SV.checkTables(vk, proof, ch, publicValues);
        g[7] = mark - gasleft();
    }
}

/// A whole proof of a five-table circuit in the L1 configuration, made by Plonky3
/// (`sq_prover_recursion::l1_stark_fixture`), verifies on chain against its verifying key and
/// public values; each single-field tamper the issue lists reverts with its named error, and
/// no fuzzed single change verifies.
contract StarkVerifierTest is StarkFixtureReader {
    StarkVerifierHarness internal h;

    struct Fixture {
        SV.VerifyingKey vk;
        SV.Proof proof;
        uint256[] publics;
    }

    /// The fixture, ABI-encoded once in `setUp` and kept as the code of data contracts
    /// (`CodeData`): reading it back costs far less than parsing the JSON again, which is what
    /// makes a 1,000-run fuzz affordable.
    address[] internal chunks;
    uint256 internal encodedLength;

    function setUp() public {
        json = vm.readFile("test/fixtures/l1_stark.json");
        h = new StarkVerifierHarness();
        Fixture memory f;
        f.vk = loadKey();
        f.proof = loadStarkProof(f.vk.tables);
        f.publics = field("public_values");
        bytes memory encoded = abi.encode(f.vk, f.proof, f.publics);
        (chunks, encodedLength) = (CodeData.write(encoded), encoded.length);
    }

    function load() internal view returns (Fixture memory f) {
        (f.vk, f.proof, f.publics) =
            abi.decode(CodeData.read(chunks, encodedLength), (SV.VerifyingKey, SV.Proof, uint256[]));
    }

    function expectSelector(Fixture memory f, bytes4 selector, string memory what) internal view {
        assertRevertsWith(address(h), abi.encodeCall(h.verify, (f.vk, f.proof, f.publics)), selector, what);
    }

    function test_acceptsPlonky3sProof() public view {
        Fixture memory f = load();
        bytes memory key = abi.encode(f.vk);
        bytes memory batch = vm.parseJsonBytes(json, ".calldata_batch");
        bytes memory opening = vm.parseJsonBytes(json, ".calldata_opening");
        log("gas: whole proof (five tables, 27 queries), decoding included", h.measure(key, batch, opening, f.publics));
        uint256[8] memory g = h.stages(key, batch, opening, f.publics);
        string[8] memory names = stageNames();
        for (uint256 i = 0; i < 8; ++i) {
            log(string.concat("gas stage: ", names[i]), g[i]);
        }
    }

    /// Tampers with what the proof opens: a Merkle-opened row or sibling fails its Merkle
    /// check, a FRI sibling value fails the fold chain.
    function test_rejectsTamperedOpenings() public view {
        Fixture memory f = load();
        f.proof.opening.inputRows[0][7] = (f.proof.opening.inputRows[0][7] + 1) % BabyBear.P;
        expectSelector(f, KeccakMerkle.RootMismatch.selector, "opened row value");
        f = load();
        f.proof.opening.inputProofs[2][1] ^= bytes32(uint256(1));
        expectSelector(f, KeccakMerkle.RootMismatch.selector, "Merkle sibling");
        f = load();
        f.proof.opening.siblingValues[5] = E.add(f.proof.opening.siblingValues[5], 1);
        expectSelector(f, V.FinalPolyMismatch.selector, "FRI sibling value");
    }

    /// Everything the transcript absorbs moves ζ, α or the query indices, and the query
    /// proof of work, ground for the honest transcript, fails first: here what the opening
    /// argument absorbs.
    function test_rejectsTamperedTranscriptInputs() public view {
        Fixture memory f = load();
        f.proof.opening.commitPhaseCommits[0] ^= bytes32(uint256(1));
        expectSelector(f, V.QueryPowInvalid.selector, "commit-phase commitment");
        f = load();
        f.proof.opening.finalPoly[0] = E.add(f.proof.opening.finalPoly[0], 1);
        expectSelector(f, V.QueryPowInvalid.selector, "final polynomial");
        f = load();
        f.proof.opening.queryPowWitness = (f.proof.opening.queryPowWitness + 1) % BabyBear.P;
        expectSelector(f, V.QueryPowInvalid.selector, "proof-of-work witness");
    }

    /// The same for what the batch layer absorbs: opened values, public values, commitments
    /// and terminals (a test apart from the above: each load of the fixture costs memory).
    function test_rejectsTamperedBatchInputs() public view {
        Fixture memory f = load();
        f.proof.opened[4].traceLocal[17] = E.add(f.proof.opened[4].traceLocal[17], 1);
        expectSelector(f, V.QueryPowInvalid.selector, "out-of-domain value");
        f = load();
        f.proof.opened[3].quotientChunks[5] = E.add(f.proof.opened[3].quotientChunks[5], 1);
        expectSelector(f, V.QueryPowInvalid.selector, "quotient opening");
        f = load();
        f.publics[0] = (f.publics[0] + 1) % BabyBear.P;
        expectSelector(f, V.QueryPowInvalid.selector, "public value");
        f = load();
        f.proof.input.mainCommitment ^= bytes32(uint256(1));
        expectSelector(f, V.QueryPowInvalid.selector, "trace commitment");
        f = load();
        f.proof.input.terminals[1] = E.add(f.proof.input.terminals[1], 1);
        expectSelector(f, V.QueryPowInvalid.selector, "lookup terminal");
    }

    /// What the verifying key fixes cannot come from the proof.
    function test_rejectsAnotherCircuit() public view {
        Fixture memory f = load();
        f.proof.input.degreeBits[0] += 1;
        expectSelector(f, SV.WrongDegreeBits.selector, "degree bits");
        f = load();
        f.proof.input.preprocessedCommitment ^= bytes32(uint256(1));
        expectSelector(f, SV.WrongPreprocessedCommitment.selector, "preprocessed commitment");
        f = load();
        f.publics = new uint256[](2);
        expectSelector(f, SV.WrongPublicValueCount.selector, "public value count");
    }

    /// No single changed value anywhere in the proof verifies: an opened row value, an input
    /// or commit-phase Merkle sibling, a FRI sibling value, an out-of-domain value, a quotient
    /// opening, a commitment or a terminal.
    /// forge-config: default.fuzz.runs = 1000
    function testFuzz_noSingleChangeVerifies(uint256 what, uint256 at, uint256 delta) public {
        Fixture memory f = load();
        what = what % 7;
        delta = bound(delta, 1, BabyBear.P - 1);
        V.Proof memory p = f.proof.opening;
        if (what == 0) {
            uint256[] memory rows = p.inputRows[at % 4];
            at = (at >> 8) % rows.length;
            rows[at] = (rows[at] + delta) % BabyBear.P;
        } else if (what == 1) {
            bytes32[] memory sib = p.inputProofs[at % 4];
            sib[(at >> 8) % sib.length] ^= bytes32(delta);
        } else if (what == 2) {
            bytes32[] memory sib = p.roundProofs[at % p.roundProofs.length];
            // The last round's tree can be so small that the queries open all of it.
            if (sib.length == 0) sib = p.roundProofs[0];
            sib[(at >> 8) % sib.length] ^= bytes32(delta);
        } else if (what == 3) {
            at = at % p.siblingValues.length;
            p.siblingValues[at] = E.add(p.siblingValues[at], E.pack(0, delta, 0, 0));
        } else if (what == 4) {
            uint256[] memory row = f.proof.opened[at % 5].traceLocal;
            at = (at >> 8) % row.length;
            row[at] = E.add(row[at], E.pack(delta, 0, 0, 0));
        } else if (what == 5) {
            uint256[] memory quotient = f.proof.opened[at % 5].quotientChunks;
            at = (at >> 8) % quotient.length;
            quotient[at] = E.add(quotient[at], E.pack(0, 0, 0, delta));
        } else {
            f.proof.input.quotientCommitment ^= bytes32(delta);
        }
        vm.expectRevert();
        h.verify(f.vk, f.proof, f.publics);
    }
}
