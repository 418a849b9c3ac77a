// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {PcsFixtureReader} from "./PcsFixtureReader.sol";
import {BabyBear4 as E} from "../src/verifier/BabyBear4.sol";
import {BatchStarkTranscript as S} from "../src/verifier/BatchStarkTranscript.sol";
import {StarkOpenings as O} from "../src/verifier/StarkOpenings.sol";
import {StarkVerifier as SV} from "../src/verifier/StarkVerifier.sol";
import {FriVerifier as V} from "../src/verifier/FriVerifier.sol";

/// Reads the L1 batch-STARK fixture (`sq_prover_recursion::l1_stark_fixture::StarkFixture`):
/// the batch layer's shape and input, the verifying key's tables, the opened values, and (via
/// `PcsFixtureReader` at ".pcs") the opening argument's claims and proof.
abstract contract StarkFixtureReader is PcsFixtureReader {
    function field(string memory key) internal view returns (uint256[] memory) {
        return vm.parseJsonUintArray(json, string.concat(".", key));
    }

    function digest(string memory key) internal view returns (bytes32) {
        return vm.parseJsonBytes32(json, string.concat(".", key));
    }

    function extField(string memory key) internal view returns (uint256) {
        return E.fromFlat(field(key), 0);
    }

    function loadShape() internal view returns (S.Shape memory s) {
        s.seed = field("seed");
        s.publicValueCounts = field("public_value_counts");
        s.hasPreprocessed = true;
        s.lookupPowBits = vm.parseJsonUint(json, ".lookup_pow_bits");
        s.oodPowBits = vm.parseJsonUint(json, ".ood_pow_bits");
        uint256[] memory terminals = field("terminals");
        s.numLookupInstances = terminals.length / 4;
    }

    function loadInput() internal view returns (S.Input memory p) {
        p.degreeBits = field("degree_bits");
        p.mainCommitment = digest("main_commitment");
        p.publicValues = field("public_values");
        p.preprocessedCommitment = digest("preprocessed_commitment");
        p.lookupPowWitness = vm.parseJsonUint(json, ".lookup_pow_witness");
        p.permutationCommitment = digest("permutation_commitment");
        uint256[] memory flat = field("terminals");
        p.terminals = new uint256[](flat.length / 4);
        for (uint256 i = 0; i < p.terminals.length; ++i) {
            p.terminals[i] = E.fromFlat(flat, i);
        }
        p.quotientCommitment = digest("quotient_commitment");
        p.oodPowWitness = vm.parseJsonUint(json, ".ood_pow_witness");
    }

    function flag(string memory key) internal view returns (bool[] memory) {
        return vm.parseJsonBoolArray(json, string.concat(".opened.", key));
    }

    function openedField(string memory key) internal view returns (uint256[] memory) {
        return vm.parseJsonUintArray(json, string.concat(".opened.", key));
    }

    /// The verifying key's tables, as the fixture's proof has them.
    function loadTables() internal view returns (O.Table[] memory tables) {
        uint256[] memory degreeBits = field("degree_bits");
        uint256[] memory widths = openedField("trace_widths");
        bool[] memory mainNext = flag("trace_next");
        uint256[] memory preWidths = openedField("preprocessed_widths");
        bool[] memory preNext = flag("preprocessed_next");
        uint256[] memory permWidths = openedField("permutation_widths");
        uint256[] memory chunks = openedField("quotient_chunks");
        tables = new O.Table[](degreeBits.length);
        for (uint256 i = 0; i < tables.length; ++i) {
            tables[i] = O.Table({
                degreeBits: degreeBits[i],
                width: widths[i],
                mainNext: mainNext[i],
                preprocessedWidth: preWidths[i],
                preprocessedNext: preNext[i],
                permutationWidth: permWidths[i],
                quotientChunks: chunks[i]
            });
        }
    }

    /// A flat list of values read in order.
    struct Flat {
        uint256[] values;
        uint256 at;
    }

    /// The next `n` values of `f`.
    function take(Flat memory f, uint256 n) internal pure returns (uint256[] memory out) {
        out = new uint256[](n);
        for (uint256 j = 0; j < n; ++j) {
            out[j] = f.values[f.at++];
        }
    }

    /// The opened values per table (the fixture's flat lists, split by the tables' widths).
    function loadOpened(O.Table[] memory tables) internal view returns (O.Opened[] memory opened) {
        string[7] memory keys = [
            "trace_local",
            "trace_next_values",
            "preprocessed_local",
            "preprocessed_next_values",
            "permutation_local",
            "permutation_next",
            "quotient_values"
        ];
        Flat[7] memory f;
        for (uint256 k = 0; k < 7; ++k) {
            f[k].values = exts(openedField(keys[k]));
        }
        opened = new O.Opened[](tables.length);
        for (uint256 i = 0; i < tables.length; ++i) {
            O.Table memory t = tables[i];
            O.Opened memory o = opened[i];
            o.traceLocal = take(f[0], t.width);
            o.traceNext = take(f[1], t.mainNext ? t.width : 0);
            o.preprocessedLocal = take(f[2], t.preprocessedWidth);
            o.preprocessedNext = take(f[3], t.preprocessedNext ? t.preprocessedWidth : 0);
            o.permutationLocal = take(f[4], t.permutationWidth);
            o.permutationNext = take(f[5], t.permutationWidth);
            o.quotientChunks = take(f[6], 4 * t.quotientChunks);
        }
    }

    function constraintField(string memory key) internal view returns (uint256[] memory) {
        return vm.parseJsonUintArray(json, string.concat(".constraints.", key));
    }

    /// Table `table`'s constraint program.
    function loadProgram(uint256 table) internal view returns (bytes memory) {
        return vm.parseJsonBytes(json, string.concat(".constraints.programs[", vm.toString(table), "]"));
    }

    /// Each table's LogUp bus per lookup.
    function loadBusIds() internal view returns (uint256[][] memory out) {
        uint256[] memory counts = constraintField("lookup_counts");
        uint256[] memory all = constraintField("bus_ids");
        out = new uint256[][](counts.length);
        uint256 at = 0;
        for (uint256 i = 0; i < counts.length; ++i) {
            out[i] = new uint256[](counts[i]);
            for (uint256 j = 0; j < counts[i]; ++j) {
                out[i][j] = all[at++];
            }
        }
    }

    /// The L1 configuration's FRI parameters.
    function friParams() internal pure returns (V.Params memory) {
        return V.Params({logBlowup: 3, logFinalPolyLen: 0, maxLogArity: 3, numQueries: NUM_QUERIES, queryPowBits: 20});
    }

    /// The fixture circuit's verifying key.
    function loadKey() internal view returns (SV.VerifyingKey memory vk) {
        vk.shape = loadShape();
        vk.preprocessedCommitment = digest("preprocessed_commitment");
        vk.tables = loadTables();
        vk.fri = friParams();
        vk.seeds = loadSeeds(".pcs");
        vk.programs = new bytes[](vk.tables.length);
        for (uint256 i = 0; i < vk.tables.length; ++i) {
            vk.programs[i] = loadProgram(i);
        }
        vk.programValues = constraintField("values");
        vk.busIds = loadBusIds();
        vk.maxMessageWidth = vm.parseJsonUint(json, ".constraints.max_message_width");
        vk.transcriptCapacity = 1 << 15;
    }

    /// The fixture's proof.
    function loadStarkProof(O.Table[] memory tables) internal view returns (SV.Proof memory p) {
        p.input = loadInput();
        p.opened = loadOpened(tables);
        p.opening = loadProof(".pcs", loadClaims(".pcs"));
    }
}
