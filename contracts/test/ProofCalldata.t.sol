// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {StarkFixtureReader} from "./StarkFixtureReader.sol";
import {ProofPacker} from "./ProofPacker.sol";
import {BatchStarkTranscript as S} from "../src/verifier/BatchStarkTranscript.sol";
import {FriVerifier as V} from "../src/verifier/FriVerifier.sol";
import {ProofCalldata} from "../src/verifier/ProofCalldata.sol";
import {StarkOpenings as O} from "../src/verifier/StarkOpenings.sol";
import {StarkVerifier as SV} from "../src/verifier/StarkVerifier.sol";

/// `ProofCalldata` behind external functions (it decodes calldata).
contract ProofCalldataHarness {
    function batch(bytes calldata data) external pure returns (S.Input memory, O.Opened[] memory) {
        return ProofCalldata.decodeBatch(data);
    }

    function opening(bytes calldata data) external pure returns (V.Proof memory) {
        return ProofCalldata.decodeOpening(data);
    }
}

/// The packed proof the Rust encoder wrote into the fixture (`calldata_batch`,
/// `calldata_opening`) decodes to the fixture's proof, field for field; the test packer writes
/// the same bytes; and input that is not a whole packed proof is refused by layout.
contract ProofCalldataTest is StarkFixtureReader {
    ProofCalldataHarness internal h;

    function setUp() public {
        json = vm.readFile("test/fixtures/l1_stark.json");
        h = new ProofCalldataHarness();
    }

    function fixtureBatch() internal view returns (bytes memory) {
        return vm.parseJsonBytes(json, ".calldata_batch");
    }

    function fixtureOpening() internal view returns (bytes memory) {
        return vm.parseJsonBytes(json, ".calldata_opening");
    }

    function test_rustsBytesDecodeToTheFixturesProof() public view {
        SV.Proof memory p = loadStarkProof(loadTables());
        (S.Input memory input, O.Opened[] memory opened) = h.batch(fixtureBatch());
        // Not in the calldata: the statement's public values and the key's commitment.
        p.input.publicValues = new uint256[](0);
        p.input.preprocessedCommitment = bytes32(0);
        assertEq(abi.encode(input), abi.encode(p.input), "batch input");
        assertEq(abi.encode(opened), abi.encode(p.opened), "opened values");
        assertEq(abi.encode(h.opening(fixtureOpening())), abi.encode(p.opening), "opening proof");
        log("packed bytes: batch", fixtureBatch().length);
        log("packed bytes: opening", fixtureOpening().length);
        log("ABI bytes: batch", abi.encode(p.input, p.opened).length);
        log("ABI bytes: opening", abi.encode(p.opening).length);
    }

    function test_thePackerWritesRustsBytes() public view {
        SV.Proof memory p = loadStarkProof(loadTables());
        assertEq(ProofPacker.batch(p.input, p.opened), fixtureBatch(), "batch part");
        assertEq(ProofPacker.opening(p.opening), fixtureOpening(), "opening proof");
    }

    function truncated(bytes memory data, uint256 len) internal pure returns (bytes memory out) {
        out = new bytes(len);
        for (uint256 i = 0; i < len; ++i) {
            out[i] = data[i];
        }
    }

    function expectTruncated(bytes memory call, uint256 offset, string memory what) internal view {
        (bool ok, bytes memory err) = address(h).staticcall(call);
        assertTrue(!ok, what);
        assertEq(err, abi.encodeWithSelector(ProofCalldata.ProofTruncated.selector, offset), what);
    }

    /// A cut anywhere is refused at the field it cuts: inside a digest, inside a count, and
    /// at the last byte; nothing at all is refused at offset 0.
    function test_truncatedInputIsRefusedWhereItEnds() public view {
        bytes memory b = fixtureBatch();
        expectTruncated(abi.encodeCall(h.batch, (new bytes(0))), 0, "empty batch");
        // degree bits: count 4 + 5 words (the fixture has five tables), then the main commitment.
        expectTruncated(abi.encodeCall(h.batch, (truncated(b, 24 + 31))), 24, "inside the main commitment");
        expectTruncated(abi.encodeCall(h.batch, (truncated(b, 2))), 0, "inside the first count");
        bytes memory o = fixtureOpening();
        (bool ok, bytes memory err) = address(h).staticcall(abi.encodeCall(h.opening, (truncated(o, o.length - 1))));
        assertTrue(!ok, "opening without its last byte");
        assertEq(bytes32(bytes4(err)), bytes32(ProofCalldata.ProofTruncated.selector), "last byte");
    }

    function test_trailingBytesAreRefused() public view {
        bytes memory b = bytes.concat(fixtureBatch(), hex"00");
        (bool ok, bytes memory err) = address(h).staticcall(abi.encodeCall(h.batch, (b)));
        assertTrue(!ok, "batch with a trailing byte");
        assertEq(err, abi.encodeWithSelector(ProofCalldata.ProofTrailingBytes.selector, b.length - 1), "batch");
        bytes memory o = bytes.concat(fixtureOpening(), hex"0000");
        (ok, err) = address(h).staticcall(abi.encodeCall(h.opening, (o)));
        assertTrue(!ok, "opening with trailing bytes");
        assertEq(err, abi.encodeWithSelector(ProofCalldata.ProofTrailingBytes.selector, o.length - 2), "opening");
    }

    /// A count larger than the bytes left could hold is refused before anything is allocated
    /// (a 2^32 - 1 count would otherwise ask for 128 GiB of memory).
    function test_anOversizedCountIsRefusedUpFront() public view {
        bytes memory b = fixtureBatch();
        (b[0], b[1], b[2], b[3]) = (0xff, 0xff, 0xff, 0xff);
        expectTruncated(abi.encodeCall(h.batch, (b)), 0, "degree-bits count");
        bytes memory o = fixtureOpening();
        (o[0], o[1], o[2], o[3]) = (0x7f, 0xff, 0xff, 0xff);
        expectTruncated(abi.encodeCall(h.opening, (o)), 0, "commit-phase count");
    }
}
