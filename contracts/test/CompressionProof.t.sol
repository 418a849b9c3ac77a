// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {StarkFixtureReader} from "./StarkFixtureReader.sol";
import {CertifiedHeight} from "./RollupSettlement.t.sol";
import {StarkVerifierHarness, stageNames} from "./StarkVerifier.t.sol";
import {RollupSettlement as RS} from "../src/RollupSettlement.sol";
import {CompressedBatchVerifier} from "../src/verifier/CompressedBatchVerifier.sol";
import {CodeData} from "../src/CodeData.sol";
import {PcsVerifier} from "../src/verifier/PcsVerifier.sol";
import {StarkCircuitVerifier} from "../src/verifier/StarkCircuitVerifier.sol";
import {StarkVerifier as SV} from "../src/verifier/StarkVerifier.sol";
import {FriVerifier as V} from "../src/verifier/FriVerifier.sol";

/// The proof settlement carries: a real compressed batch proof (batch 1, one chunk, through the
/// leaf, scheduler and compression rounds; `l1_compression.json`, written by the
/// `l1_compression_fixture` example) verified by the deployable pair under the compression
/// circuit's key, with what the transaction costs against the EIP-7825 cap; and the batch
/// committed, proven through `CompressedBatchVerifier` and executed by `RollupSettlement`.
contract CompressionProofTest is StarkFixtureReader {
    PcsVerifier internal pcs;
    StarkCircuitVerifier internal verifier;
    bytes internal batch;
    bytes internal opening;
    uint256[] internal publics;
    CompressedBatchVerifier internal batchVerifier;
    bytes internal settlementProof;

    function setUp() public {
        json = vm.readFile("test/fixtures/l1_compression.json");
        bytes memory key = abi.encode(loadKey());
        pcs = new PcsVerifier();
        verifier = new StarkCircuitVerifier(pcs, CodeData.write(key), key.length, keccak256(key));
        publics = field("public_values");
        settlementProof = vm.parseJsonBytes(json, ".settlement_proof");
        // The settlement proof: digest (32 bytes), the batch part's length (4), the batch part,
        // the opening proof.
        uint256 batchLength = uint32(bytes4(slice(settlementProof, 32, 4)));
        batch = slice(settlementProof, 36, batchLength);
        opening = slice(settlementProof, 36 + batchLength, settlementProof.length - 36 - batchLength);
        uint256[8][] memory digests = new uint256[8][](1);
        digests[0] = circuitDigest();
        StarkCircuitVerifier[] memory circuits = new StarkCircuitVerifier[](1);
        circuits[0] = verifier;
        batchVerifier = new CompressedBatchVerifier(digests, circuits);
    }

    function slice(bytes memory data, uint256 from, uint256 n) internal pure returns (bytes memory out) {
        out = new bytes(n);
        for (uint256 i = 0; i < n; ++i) {
            out[i] = data[from + i];
        }
    }

    /// The last 8 public values: the digest of the tree's top circuit.
    function circuitDigest() internal view returns (uint256[8] memory d) {
        for (uint256 k = 0; k < 8; ++k) {
            d[k] = publics[42 + k];
        }
    }

    /// Public values [at, at + 8) as a digest: 8 big-endian 32-bit words.
    function digestAt(uint256 at) internal view returns (bytes32 d) {
        uint256 v = 0;
        for (uint256 k = 0; k < 8; ++k) {
            v = (v << 32) | publics[at + k];
        }
        d = bytes32(v);
    }

    /// The batch the proof proves, from its statement (layout in `IBatchVerifier`): batch 1
    /// over sequencer heights 1 to 3.
    function provenBatch() internal view returns (RS.StoredBatch memory b) {
        uint256 number = publics[0] | (publics[1] << 16) | (publics[2] << 32) | (publics[3] << 48);
        uint256 fee = 0;
        for (uint256 i = 0; i < 5; ++i) {
            fee |= publics[28 + i] << (30 * i);
        }
        fee |= publics[33] << 150;
        b = RS.StoredBatch({
            number: uint64(number),
            firstHeight: 1,
            lastHeight: 3,
            rootBefore: digestAt(4),
            rootAfter: digestAt(12),
            commitment: digestAt(20),
            feeRecipient: address(uint160(fee)),
            protocolVersion: digestAt(34)
        });
    }

    /// A settlement contract whose genesis root is `b`'s root before, with `b`'s protocol
    /// version registered to `batchVerifier`, and `b` committed.
    function settlement(RS.StoredBatch memory b) internal returns (RS rs) {
        CertifiedHeight chain = new CertifiedHeight();
        chain.set(b.lastHeight);
        RS.StoredBatch memory genesis = RS.StoredBatch(0, 0, 0, 0, b.rootBefore, 0, address(0), 0);
        rs = new RS(chain, genesis);
        rs.addProtocolVersion(b.protocolVersion, "0.1.0", batchVerifier, batchVerifier.verifyingKeyHash());
        rs.commitBatch(genesis, b);
    }

    /// The call `rs.proveBatches([b], [proof])`.
    function proveCall(RS rs, RS.StoredBatch memory b, bytes memory proof) internal pure returns (bytes memory) {
        RS.StoredBatch[] memory batches = new RS.StoredBatch[](1);
        batches[0] = b;
        bytes[] memory proofs = new bytes[](1);
        proofs[0] = proof;
        return abi.encodeCall(rs.proveBatches, (batches, proofs));
    }

    function test_acceptsTheCompressedProofAndReportsItsCost() public view {
        verifier.verify(batch, opening, publics);
        uint256 execution = vm.lastCallGas().gasTotalUsed;
        uint256 intrinsic = intrinsicGas(abi.encodeCall(verifier.verify, (batch, opening, publics)));
        uint256[] memory degreeBits = field("degree_bits");
        for (uint256 i = 0; i < degreeBits.length; ++i) {
            log("degree bits of table", degreeBits[i]);
        }
        log("public values", publics.length);
        log("calldata bytes: batch part", batch.length);
        log("calldata bytes: opening proof", opening.length);
        log("gas: execution through both contracts", execution);
        log("gas: intrinsic (21,000 + calldata)", intrinsic);
        log("gas: transaction (the EIP-7825 cap is 16,777,216)", intrinsic + execution);
    }

    /// Where the gas goes, stage by stage in one call frame (`StarkVerifierHarness.stages`).
    function test_reportsGasPerStage() public {
        StarkVerifierHarness h = new StarkVerifierHarness();
        uint256[8] memory g = h.stages(abi.encode(loadKey()), batch, opening, publics);
        string[8] memory names = stageNames();
        uint256 total = 0;
        for (uint256 i = 0; i < 8; ++i) {
            log(string.concat("gas stage: ", names[i]), g[i]);
            total += g[i];
        }
        log("gas: one frame, all stages", total);
    }

    /// The statement is bound: another batch number or circuit digest is refused (the
    /// transcript observes the public values, so the query proof of work fails first).
    function test_refusesAnotherStatement() public view {
        uint256[] memory other = publics;
        other[0] = (other[0] + 1) % 2013265921;
        assertRevertsWith(
            address(verifier),
            abi.encodeCall(verifier.verify, (batch, opening, other)),
            V.QueryPowInvalid.selector,
            "batch number"
        );
        other = field("public_values");
        other[other.length - 1] = (other[other.length - 1] + 1) % 2013265921;
        assertRevertsWith(
            address(verifier),
            abi.encodeCall(verifier.verify, (batch, opening, other)),
            V.QueryPowInvalid.selector,
            "circuit digest"
        );
    }

    /// Batch 1 commits, its compressed proof verifies through `CompressedBatchVerifier`, and it
    /// executes: the settlement contract's root is the proof's root after.
    function test_settlesTheProvenBatch() public {
        RS.StoredBatch memory b = provenBatch();
        assertEq(b.number, 1, "the fixture proves batch 1");
        RS rs = settlement(b);
        bytes memory call = proveCall(rs, b, settlementProof);
        (bool ok,) = address(rs).call(call);
        assertTrue(ok, "proveBatches");
        log("gas: proveBatches (execution)", vm.lastCallGas().gasTotalUsed);
        log("calldata bytes: proveBatches", call.length);
        log("gas: proveBatches intrinsic (21,000 + calldata)", intrinsicGas(call));
        assertEq(rs.totalBatchesProven(), 1, "proven");
        RS.StoredBatch[] memory batches = new RS.StoredBatch[](1);
        batches[0] = b;
        rs.executeBatches(batches);
        assertEq(rs.totalBatchesExecuted(), 1, "executed");
        assertEq(rs.finalizedRoot(b), b.rootAfter, "the finalized root is the proven root after");
    }

    /// The proof of batch 1 does not prove another batch 1 (another root after), a proof
    /// naming a circuit the verifier does not admit is refused, and a cut proof is too short.
    function test_settlementRefusesWhatTheProofDoesNotProve() public {
        RS.StoredBatch memory other = provenBatch();
        other.rootAfter = bytes32(uint256(other.rootAfter) ^ 1);
        RS rs = settlement(other);
        assertRevertsWith(
            address(rs), proveCall(rs, other, settlementProof), V.QueryPowInvalid.selector, "another root after"
        );

        RS.StoredBatch memory b = provenBatch();
        rs = settlement(b);
        bytes memory p = settlementProof;
        p[3] = bytes1(uint8(p[3]) ^ 1);
        assertRevertsWith(
            address(rs), proveCall(rs, b, p), CompressedBatchVerifier.UnknownCircuit.selector, "another circuit digest"
        );
        assertRevertsWith(
            address(rs),
            proveCall(rs, b, bytes.concat(bytes32(0))),
            CompressedBatchVerifier.ProofTooShort.selector,
            "a cut proof"
        );
    }
}
