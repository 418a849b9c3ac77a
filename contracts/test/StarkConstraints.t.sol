// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {StarkFixtureReader} from "./StarkFixtureReader.sol";
import {BabyBear} from "../src/verifier/BabyBear.sol";
import {BabyBear4 as E} from "../src/verifier/BabyBear4.sol";
import {StarkConstraints as C} from "../src/verifier/StarkConstraints.sol";
import {StarkOpenings as O} from "../src/verifier/StarkOpenings.sol";
import {StarkQuotient as Q} from "../src/verifier/StarkQuotient.sol";

/// Checks one table's out-of-domain identity through an external call, so that reverts can
/// be caught and gas measured.
contract StarkConstraintsHarness {
    /// What one table's check takes besides its opened values.
    struct Inputs {
        bytes code;
        uint256 values;
        uint256 degreeBits;
        uint256 zeta;
        uint256 alpha;
        uint256[] publics;
        uint256[] challenges;
        uint256[] permValues;
    }

    /// Checks table `table`'s identity; returns the gas it took in this frame (decoding of
    /// the arguments excluded).
    function check(uint256 table, Inputs memory inp, O.Opened memory o) external view returns (uint256 gasUsed) {
        uint256 before = gasleft();
        C.Env memory env = C.envOf(o, inp.publics, inp.challenges, inp.permValues, inp.zeta, inp.degreeBits);
        uint256 quotient = Q.quotient(inp.zeta, inp.degreeBits, o.quotientChunks);
        C.checkTable(table, inp.code, inp.values, env, inp.alpha, quotient);
        gasUsed = before - gasleft();
    }

    function evaluate(bytes memory code, uint256 values) external pure returns (uint256) {
        C.Env memory env;
        return C.evaluate(code, values, env, 1);
    }

    function checkTerminals(uint256[] memory terminals) external pure {
        C.checkTerminals(terminals);
    }
}

/// The out-of-domain identity of every table of a real circuit proof in the L1 configuration
/// (`sq_prover_recursion::l1_stark_fixture`), with constraint programs generated from the
/// tables' symbolic constraints (`sq_prover_recursion::l1_constraints`): it holds for
/// Plonky3's proof, the LogUp challenges derived on chain are Plonky3's, the terminals
/// cancel, and a changed opened value, public value, challenge or terminal breaks it.
contract StarkConstraintsTest is StarkFixtureReader {
    StarkConstraintsHarness internal h;

    function setUp() public {
        json = vm.readFile("test/fixtures/l1_stark.json");
        h = new StarkConstraintsHarness();
    }

    function challenges(uint256 table) internal view returns (uint256[] memory) {
        return C.lookupChallenges(
            extField("lookup_alpha"),
            extField("lookup_beta"),
            vm.parseJsonUint(json, ".constraints.max_message_width"),
            loadBusIds()[table]
        );
    }

    function inputs(uint256 table) internal view returns (StarkConstraintsHarness.Inputs memory inp) {
        inp.code = loadProgram(table);
        inp.values = constraintField("values")[table];
        inp.degreeBits = field("degree_bits")[table];
        inp.zeta = extField("zeta");
        inp.alpha = extField("alpha");
        inp.publics = table == 1 ? field("public_values") : new uint256[](0);
        inp.challenges = challenges(table);
        inp.permValues = new uint256[](1);
        inp.permValues[0] = loadInput().terminals[table];
    }

    function expectMismatch(
        uint256 table,
        StarkConstraintsHarness.Inputs memory inp,
        O.Opened memory o,
        string memory what
    ) internal view {
        try h.check(table, inp, o) returns (uint256) {
            fail(string.concat("identity held: ", what));
        } catch (bytes memory err) {
            assertEq(keccak256(err), keccak256(abi.encodeWithSelector(C.OodEvaluationMismatch.selector, table)), what);
        }
    }

    function test_lookupChallengesArePlonky3s() public view {
        uint256[] memory want = exts(constraintField("lookup_challenges"));
        uint256 at = 0;
        for (uint256 t = 0; t < 5; ++t) {
            uint256[] memory got = challenges(t);
            for (uint256 j = 0; j < got.length; ++j) {
                assertEq(got[j], want[at++], "lookup challenge");
            }
        }
        assertEq(at, want.length, "every table's challenges");
    }

    function test_everyTableSatisfiesTheIdentity() public view {
        O.Opened[] memory opened = loadOpened(loadTables());
        for (uint256 t = 0; t < 5; ++t) {
            StarkConstraintsHarness.Inputs memory inp = inputs(t);
            log(string.concat("gas: identity of table ", vm.toString(t)), h.check(t, inp, opened[t]));
        }
    }

    function test_terminalsCancel() public {
        uint256[] memory terminals = loadInput().terminals;
        h.checkTerminals(terminals);
        terminals[2] = E.add(terminals[2], 1);
        vm.expectRevert(C.LookupTerminalsDoNotCancel.selector);
        h.checkTerminals(terminals);
    }

    /// Each class of changed input breaks its table's identity.
    function test_rejectsChangedInputs() public view {
        O.Opened[] memory opened = loadOpened(loadTables());
        O.Opened memory o = opened[4];
        o.traceLocal[100] = E.add(o.traceLocal[100], 1);
        expectMismatch(4, inputs(4), o, "Poseidon2 lane value");
        opened = loadOpened(loadTables());
        o = opened[2];
        o.preprocessedLocal[1] = E.add(o.preprocessedLocal[1], 1);
        expectMismatch(2, inputs(2), o, "preprocessed value");
        opened = loadOpened(loadTables());
        o = opened[3];
        o.permutationNext[0] = E.add(o.permutationNext[0], 1);
        expectMismatch(3, inputs(3), o, "permutation value at g*zeta");
        opened = loadOpened(loadTables());
        o = opened[0];
        o.quotientChunks[2] = E.add(o.quotientChunks[2], 1);
        expectMismatch(0, inputs(0), o, "quotient opening");
        opened = loadOpened(loadTables());
        StarkConstraintsHarness.Inputs memory inp = inputs(1);
        inp.publics[2] = (inp.publics[2] + 1) % BabyBear.P;
        expectMismatch(1, inp, opened[1], "public value");
        inp = inputs(1);
        inp.alpha = E.add(inp.alpha, 1);
        expectMismatch(1, inp, opened[1], "constraint challenge");
        inp = inputs(2);
        inp.challenges[0] = E.add(inp.challenges[0], 1);
        expectMismatch(2, inp, opened[2], "lookup challenge");
        inp = inputs(3);
        inp.permValues[0] = E.add(inp.permValues[0], 1);
        expectMismatch(3, inp, opened[3], "lookup terminal");
    }

    function test_rejectsMalformedPrograms() public {
        vm.expectRevert(abi.encodeWithSelector(C.UnknownOpcode.selector, 0, 0x7f));
        h.evaluate(hex"7f", 1);
        vm.expectRevert(abi.encodeWithSelector(C.TruncatedProgram.selector, 5));
        h.evaluate(hex"300000000201", 2);
        // ADD of values that do not exist yet.
        vm.expectRevert(abi.encodeWithSelector(C.BadOperand.selector, 0));
        h.evaluate(hex"0100000000", 1);
        // A main column the (empty) row does not hold.
        vm.expectRevert(abi.encodeWithSelector(C.BadOperand.selector, 0));
        h.evaluate(hex"100005", 1);
        // A constant that is not below p (0x78000001 = p).
        vm.expectRevert(abi.encodeWithSelector(C.BadOperand.selector, 0));
        h.evaluate(hex"3078000001", 1);
        // More values than declared.
        vm.expectRevert(abi.encodeWithSelector(C.BadOperand.selector, 5));
        h.evaluate(hex"30000000013000000002", 1);
        _rejectsMalformedInstructionsOfEveryKind();
    }

    /// Each instruction kind's own malformations: truncated, or naming what does not exist.
    function _rejectsMalformedInstructionsOfEveryKind() internal {
        // Unknown opcodes next to known ones: 0x00, 0x05, 0x19, 0x23, 0x32, 0x41.
        bytes6 unknown = 0x000519233241;
        for (uint256 i = 0; i < 6; ++i) {
            vm.expectRevert(abi.encodeWithSelector(C.UnknownOpcode.selector, 5, uint8(unknown[i])));
            h.evaluate(abi.encodePacked(hex"3000000001", unknown[i]), 2);
        }
        // Truncated: a binary op, FOLD, NEG, a leaf, EXT_CONST (each after one CONST).
        bytes[5] memory truncated = [bytes(hex"01000000"), hex"4000", hex"04", hex"10", hex"31000000010000000200"];
        for (uint256 i = 0; i < 5; ++i) {
            vm.expectRevert(abi.encodeWithSelector(C.TruncatedProgram.selector, 5));
            h.evaluate(abi.encodePacked(hex"3000000001", truncated[i]), 2);
        }
        // Operands past the values appended: SUB's and MUL's second, FOLD's, NEG's.
        bytes[4] memory past = [bytes(hex"0200000001"), hex"0300000001", hex"400001", hex"040001"];
        for (uint256 i = 0; i < 4; ++i) {
            vm.expectRevert(abi.encodeWithSelector(C.BadOperand.selector, 5));
            h.evaluate(abi.encodePacked(hex"3000000001", past[i]), 2);
        }
        // A non-canonical EXT_CONST coefficient (the last).
        vm.expectRevert(abi.encodeWithSelector(C.BadOperand.selector, 0));
        h.evaluate(hex"3100000001000000020000000378000001", 1);
    }

    /// Values are reduced lazily (ADD only when a lane reaches 2^62): doubling a value 70
    /// times, then subtracting, multiplying and negating such values, folds to what
    /// `BabyBear4` computes with every step reduced.
    function test_lazyReductionAgreesWithReducedArithmetic() public view {
        uint256 c = E.pack(BabyBear.P - 1, BabyBear.P - 2, 1, BabyBear.P - 1);
        bytes memory code = abi.encodePacked(
            hex"31", uint32(BabyBear.P - 1), uint32(BabyBear.P - 2), uint32(1), uint32(BabyBear.P - 1)
        );
        uint256 x = c;
        for (uint16 i = 0; i < 70; ++i) {
            code = abi.encodePacked(code, hex"01", i, i);
            x = E.add(x, x);
        }
        // v71 = v0 − v70, v72 = v70 · v71, v73 = −v72, v74 = v73 + v70; fold v70..v74 (α = 1).
        code = abi.encodePacked(code, hex"02", uint16(0), uint16(70), hex"03", uint16(70), uint16(71));
        code = abi.encodePacked(code, hex"04", uint16(72), hex"01", uint16(73), uint16(70));
        code = abi.encodePacked(code, hex"400046400047400048400049", hex"40004a");
        uint256 diff = E.sub(c, x);
        uint256 prod = E.mul(x, diff);
        uint256 neg = E.sub(0, prod);
        uint256 expected = E.add(E.add(E.add(x, diff), E.add(prod, neg)), E.add(neg, x));
        assertEq(h.evaluate(code, 75), expected, "lazy and eager arithmetic agree");
    }
}
