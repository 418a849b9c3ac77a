// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {StarkFixtureReader} from "./StarkFixtureReader.sol";
import {BabyBear4 as E} from "../src/verifier/BabyBear4.sol";
import {BatchStarkTranscript as S} from "../src/verifier/BatchStarkTranscript.sol";
import {FriVerifier as V} from "../src/verifier/FriVerifier.sol";
import {KeccakTranscript as T} from "../src/verifier/KeccakTranscript.sol";
import {StarkOpenings as O} from "../src/verifier/StarkOpenings.sol";

/// Runs the batch layer, builds the claims from the opened values and checks the opening
/// argument, through an external call so that reverts can be caught and gas measured.
contract StarkOpeningsHarness {
    /// Room for the longest run of observations between two samples: the PCS seed and every
    /// claimed value between ζ and the PCS's α.
    uint256 internal constant CAPACITY = 1 << 15;

    function claims(O.Table[] memory tables, O.Opened[] memory opened, S.Input memory input, uint256 zeta)
        external
        pure
        returns (V.Claims memory)
    {
        return O.claims(tables, opened, input, zeta, 3);
    }

    function verify(
        S.Shape memory shape,
        S.Input memory input,
        O.Table[] memory tables,
        O.Opened[] memory opened,
        V.Proof memory proof,
        V.Seeds memory seeds
    ) external view {
        T.State memory t = T.init(CAPACITY);
        S.Challenges memory ch = S.replay(shape, input, t);
        V.Claims memory c = O.claims(tables, opened, input, ch.zeta, 3);
        V.verify(
            V.Params({logBlowup: 3, logFinalPolyLen: 0, maxLogArity: 3, numQueries: 27, queryPowBits: 20}),
            c,
            proof,
            seeds,
            t
        );
    }
}

/// The opening argument of a real five-table circuit proof in the L1 configuration
/// (`sq_prover_recursion::l1_stark_fixture`), checked on chain from the proof's opened values:
/// the claims built here are Plonky3's (`commitments_with_opening_points`), the PCS check
/// accepts them after the batch layer's transcript, and a changed opened value or a misshapen
/// row is refused.
contract StarkOpeningsTest is StarkFixtureReader {
    StarkOpeningsHarness internal h;

    /// Everything one verification takes.
    struct Fixture {
        S.Shape shape;
        S.Input input;
        O.Table[] tables;
        O.Opened[] opened;
        V.Proof proof;
        V.Seeds seeds;
    }

    function setUp() public {
        json = vm.readFile("test/fixtures/l1_stark.json");
        h = new StarkOpeningsHarness();
    }

    function load() internal view returns (Fixture memory f) {
        f.shape = loadShape();
        f.input = loadInput();
        f.tables = loadTables();
        f.opened = loadOpened(f.tables);
        f.proof = loadProof(".pcs", loadClaims(".pcs"));
        f.seeds = loadSeeds(".pcs");
    }

    function verify(Fixture memory f) internal view {
        h.verify(f.shape, f.input, f.tables, f.opened, f.proof, f.seeds);
    }

    function expectSelector(Fixture memory f, bytes4 selector, string memory what) internal view {
        assertRevertsWith(
            address(h),
            abi.encodeCall(h.verify, (f.shape, f.input, f.tables, f.opened, f.proof, f.seeds)),
            selector,
            what
        );
    }

    function test_buildsPlonky3sClaims() public view {
        Fixture memory f = load();
        V.Claims memory got = h.claims(f.tables, f.opened, f.input, extField("zeta"));
        V.Claims memory want = loadClaims(".pcs");
        assertEq(got.commitments.length, want.commitments.length, "batches");
        for (uint256 b = 0; b < want.commitments.length; ++b) {
            assertEq(uint256(got.commitments[b]), uint256(want.commitments[b]), "commitment");
        }
        assertEq(got.mats.length, want.mats.length, "matrices");
        for (uint256 m = 0; m < want.mats.length; ++m) {
            assertEq(got.matBatch[m], want.matBatch[m], "batch");
            assertEq(got.matWidths[m], want.matWidths[m], "width");
            assertEq(got.mats[m].logHeight, want.mats[m].logHeight, "log-height");
            assertEqArrays(got.mats[m].points, want.mats[m].points, "points");
            assertEqArrays(got.mats[m].values, want.mats[m].values, "values");
        }
    }

    function assertEqArrays(uint256[] memory a, uint256[] memory b, string memory what) internal pure {
        assertEq(a.length, b.length, what);
        for (uint256 i = 0; i < a.length; ++i) {
            assertEq(a[i], b[i], what);
        }
    }

    function test_acceptsTheOpeningArgument() public view {
        Fixture memory f = load();
        uint256 before = gasleft();
        verify(f);
        log("gas: batch layer + claims + PCS check of the circuit proof", before - gasleft());
    }

    /// A changed opened value changes what the PCS observes before its α, so the query
    /// proof of work, ground for the honest transcript, fails first.
    function test_rejectsChangedOpenedValues() public view {
        Fixture memory f = load();
        f.opened[0].traceLocal[3] = E.add(f.opened[0].traceLocal[3], 1);
        expectSelector(f, V.QueryPowInvalid.selector, "main row at zeta");
        f = load();
        f.opened[4].quotientChunks[1] = E.add(f.opened[4].quotientChunks[1], 1);
        expectSelector(f, V.QueryPowInvalid.selector, "quotient opening");
        f = load();
        f.opened[1].permutationNext[0] = E.add(f.opened[1].permutationNext[0], 1);
        expectSelector(f, V.QueryPowInvalid.selector, "permutation row at g*zeta");
        f = load();
        f.opened[2].preprocessedLocal[0] = E.add(f.opened[2].preprocessedLocal[0], 1);
        expectSelector(f, V.QueryPowInvalid.selector, "preprocessed row at zeta");
        f = load();
        f.input.quotientCommitment ^= bytes32(uint256(1));
        expectSelector(f, V.QueryPowInvalid.selector, "quotient commitment");
    }

    function test_rejectsMisshapenOpenings() public view {
        Fixture memory f = load();
        f.opened[0].traceLocal = new uint256[](1);
        expectSelector(f, O.WrongOpenedShape.selector, "main row width");
        f = load();
        f.opened[3].quotientChunks = new uint256[](4);
        expectSelector(f, O.WrongOpenedShape.selector, "quotient chunk count");
        f = load();
        f.opened[1].permutationNext = new uint256[](0);
        expectSelector(f, O.WrongOpenedShape.selector, "permutation row missing");
        f = load();
        O.Opened[] memory four = new O.Opened[](4);
        f.opened = four;
        expectSelector(f, O.WrongOpenedShape.selector, "table count");
    }
}
