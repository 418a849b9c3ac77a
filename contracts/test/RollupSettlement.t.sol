// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {Base} from "./Base.sol";
import {RollupSettlement as RS, ICertifiedBlocks} from "../src/RollupSettlement.sol";
import {IBatchVerifier} from "../src/verifier/IBatchVerifier.sol";

/// Unit-test stand-in for the block-commitments contract: a settable certified height.
contract CertifiedHeight is ICertifiedBlocks {
    uint64 public latestHeight;

    function set(uint64 h) external {
        latestHeight = h;
    }
}

/// Unit-test stand-in for a STARK verifier: a "proof" is keccak256 of the statement it proves, so
/// a proof made for one batch fails against another batch's statement. The settlement logic is
/// what these tests exercise; the real verifier has its own tests.
contract StatementHashVerifier is IBatchVerifier {
    /// The proof was made for another statement.
    error ProofForOtherStatement(bytes32 proven, bytes32 asked);

    bytes32 public immutable verifyingKeyHash;

    constructor(bytes32 key) {
        verifyingKeyHash = key;
    }

    function verifyBatchProof(bytes calldata proof, uint256[] calldata s) external view returns (bytes32) {
        bytes32 proven = abi.decode(proof, (bytes32));
        bytes32 asked = keccak256(abi.encode(s));
        if (proven != asked) revert ProofForOtherStatement(proven, asked);
        return verifyingKeyHash;
    }
}

/// A verifier that reports one key at registration and verifies with another.
contract KeySwappingVerifier is IBatchVerifier {
    bytes32 public verifyingKeyHash = bytes32(uint256(1));

    function verifyBatchProof(bytes calldata, uint256[] calldata) external pure returns (bytes32) {
        return bytes32(uint256(2));
    }
}

/// Commit, prove and execute; every refusal with its own error; the statement's layout.
contract RollupSettlementTest is Base {
    event BatchCommitted(uint64 indexed number, bytes32 batchHash, bytes32 rootAfter, uint64 lastHeight);
    event BatchProven(uint64 indexed number, bytes32 indexed protocolVersion, bytes32 verifyingKeyHash);
    event BatchExecuted(uint64 indexed number, bytes32 rootAfter);

    bytes32 internal constant V1 = bytes32(uint256(0x11));
    bytes32 internal constant V2 = bytes32(uint256(0x22));
    bytes32 internal constant KEY1 = keccak256("key 1");
    bytes32 internal constant KEY2 = keccak256("key 2");

    CertifiedHeight internal chain;
    RS internal rs;
    StatementHashVerifier internal verifier1;
    RS.StoredBatch internal genesis;

    function setUp() public {
        chain = new CertifiedHeight();
        chain.set(100);
        genesis = RS.StoredBatch(0, 0, 0, 0, root(0), 0, address(0), 0);
        rs = new RS(chain, genesis);
        verifier1 = new StatementHashVerifier(KEY1);
        rs.addProtocolVersion(V1, "v1", verifier1, KEY1);
    }

    // ---------------------------------------------------------------- helpers

    /// A canonical digest (8 words < p) standing for state root `i`.
    function root(uint256 i) internal pure returns (bytes32) {
        return bytes32((i + 1) * 0x0000000100000002000000030000000400000005000000060000000700000008);
    }

    /// Batch `n` after `prev`: the next 3 heights, a fresh root, under version `v`.
    function next(RS.StoredBatch memory prev, bytes32 v) internal pure returns (RS.StoredBatch memory) {
        uint64 n = prev.number + 1;
        return RS.StoredBatch({
            number: n,
            firstHeight: prev.lastHeight + 1,
            lastHeight: prev.lastHeight + 3,
            rootBefore: prev.rootAfter,
            rootAfter: root(n),
            commitment: bytes32(uint256(n)),
            feeRecipient: address(uint160(0xfee)),
            protocolVersion: v
        });
    }

    function proofOf(RS.StoredBatch memory b) internal view returns (bytes memory) {
        return abi.encode(keccak256(abi.encode(this.statementOf(b))));
    }

    /// External so that a memory batch reaches `statement` as calldata.
    function statementOf(RS.StoredBatch calldata b) external view returns (uint256[] memory) {
        return rs.statement(b);
    }

    function one(RS.StoredBatch memory b) internal pure returns (RS.StoredBatch[] memory bs) {
        bs = new RS.StoredBatch[](1);
        bs[0] = b;
    }

    function oneProof(bytes memory p) internal pure returns (bytes[] memory ps) {
        ps = new bytes[](1);
        ps[0] = p;
    }

    /// Two batches and their proofs, for one `proveBatches` call.
    function pair(RS.StoredBatch memory b1, RS.StoredBatch memory b2)
        internal
        view
        returns (RS.StoredBatch[] memory both, bytes[] memory proofs)
    {
        both = new RS.StoredBatch[](2);
        both[0] = b1;
        both[1] = b2;
        proofs = new bytes[](2);
        proofs[0] = proofOf(b1);
        proofs[1] = proofOf(b2);
    }

    /// Commits batches 1 and 2 under V1.
    function commitTwo() internal returns (RS.StoredBatch memory b1, RS.StoredBatch memory b2) {
        b1 = next(genesis, V1);
        b2 = next(b1, V1);
        rs.commitBatch(genesis, b1);
        rs.commitBatch(b1, b2);
    }

    // ---------------------------------------------------------------- happy path

    function test_commitProveExecute_twoChainedBatches() public {
        RS.StoredBatch memory b1 = next(genesis, V1);
        vm.expectEmit();
        emit BatchCommitted(1, keccak256(abi.encode(b1)), b1.rootAfter, 3);
        rs.commitBatch(genesis, b1);
        RS.StoredBatch memory b2 = next(b1, V1);
        rs.commitBatch(b1, b2);
        assertEq(rs.totalBatchesCommitted(), 2, "committed");

        (RS.StoredBatch[] memory both, bytes[] memory proofs) = pair(b1, b2);
        vm.expectEmit();
        emit BatchProven(1, V1, KEY1);
        rs.proveBatches(both, proofs);
        assertEq(rs.totalBatchesProven(), 2, "proven");

        vm.expectEmit();
        emit BatchExecuted(1, b1.rootAfter);
        rs.executeBatches(one(b1));
        assertEq(this.finalized(b1), b1.rootAfter, "root after batch 1");
        rs.executeBatches(one(b2));
        assertEq(rs.totalBatchesExecuted(), 2, "executed");
        assertEq(this.finalized(b2), root(2), "root after batch 2");
    }

    function finalized(RS.StoredBatch calldata b) external view returns (bytes32) {
        return rs.finalizedRoot(b);
    }

    function test_finalizedRoot_isGenesisBeforeAnyExecution() public view {
        assertEq(this.finalized(genesis), root(0), "genesis root");
    }

    // ---------------------------------------------------------------- commit refusals

    function test_commit_gapReverts() public {
        RS.StoredBatch memory b2 = next(next(genesis, V1), V1);
        vm.expectRevert(abi.encodeWithSelector(RS.BatchNumberGap.selector, 1, 2));
        rs.commitBatch(genesis, b2);
    }

    function test_commit_wrongPreviousRootReverts() public {
        RS.StoredBatch memory b1 = next(genesis, V1);
        b1.rootBefore = root(7);
        vm.expectRevert(abi.encodeWithSelector(RS.WrongPreviousRoot.selector, 1, root(0), root(7)));
        rs.commitBatch(genesis, b1);
    }

    function test_commit_forgedPreviousBatchReverts() public {
        RS.StoredBatch memory fake = genesis;
        fake.rootAfter = root(9);
        RS.StoredBatch memory b1 = next(fake, V1);
        vm.expectRevert(abi.encodeWithSelector(RS.BatchHashMismatch.selector, 0));
        rs.commitBatch(fake, b1);
    }

    function test_commit_uncertifiedBlocksRevert() public {
        chain.set(2);
        RS.StoredBatch memory b1 = next(genesis, V1);
        vm.expectRevert(abi.encodeWithSelector(RS.BlocksNotCertified.selector, 1, 3, 2));
        rs.commitBatch(genesis, b1);
        chain.set(3);
        rs.commitBatch(genesis, b1);
    }

    function test_commit_blockRangeGapAndEmptyRangeRevert() public {
        RS.StoredBatch memory b1 = next(genesis, V1);
        b1.firstHeight = 2;
        vm.expectRevert(abi.encodeWithSelector(RS.BlockRangeGap.selector, 1, 1, 2));
        rs.commitBatch(genesis, b1);
        b1.firstHeight = 1;
        b1.lastHeight = 0;
        vm.expectRevert(abi.encodeWithSelector(RS.EmptyBlockRange.selector, 1));
        rs.commitBatch(genesis, b1);
    }

    function test_commit_unknownProtocolVersionReverts() public {
        RS.StoredBatch memory b1 = next(genesis, V2);
        vm.expectRevert(abi.encodeWithSelector(RS.UnknownProtocolVersion.selector, V2));
        rs.commitBatch(genesis, b1);
    }

    function test_commit_nonCanonicalDigestReverts() public {
        RS.StoredBatch memory b1 = next(genesis, V1);
        b1.commitment = bytes32(uint256(2013265921)); // last word = p
        vm.expectRevert(abi.encodeWithSelector(RS.NonCanonicalDigest.selector, 1, 2013265921));
        rs.commitBatch(genesis, b1);
    }

    function test_commit_replayReverts() public {
        (RS.StoredBatch memory b1,) = commitTwo();
        vm.expectRevert(abi.encodeWithSelector(RS.AlreadyCommitted.selector, 1));
        rs.commitBatch(genesis, b1);
    }

    // ---------------------------------------------------------------- prove refusals

    function test_prove_proofForAnotherBatchReverts() public {
        (RS.StoredBatch memory b1, RS.StoredBatch memory b2) = commitTwo();
        bytes memory wrong = proofOf(b2);
        vm.expectRevert(
            abi.encodeWithSelector(
                StatementHashVerifier.ProofForOtherStatement.selector,
                abi.decode(wrong, (bytes32)),
                keccak256(abi.encode(this.statementOf(b1)))
            )
        );
        rs.proveBatches(one(b1), oneProof(wrong));
    }

    function test_prove_tamperedBatchReverts() public {
        (RS.StoredBatch memory b1,) = commitTwo();
        b1.rootAfter = root(9);
        bytes memory p = proofOf(b1); // a valid proof of the tampered claim is not enough
        vm.expectRevert(abi.encodeWithSelector(RS.BatchHashMismatch.selector, 1));
        rs.proveBatches(one(b1), oneProof(p));
    }

    function test_prove_outOfOrderUncommittedAndReplayRevert() public {
        (RS.StoredBatch memory b1, RS.StoredBatch memory b2) = commitTwo();
        RS.StoredBatch memory b3 = next(b2, V1);
        // Proofs first: `proofOf` makes a call, which `expectRevert` would take for its own.
        (bytes memory p1, bytes memory p2, bytes memory p3) = (proofOf(b1), proofOf(b2), proofOf(b3));
        vm.expectRevert(abi.encodeWithSelector(RS.ProofOutOfOrder.selector, 1, 2));
        rs.proveBatches(one(b2), oneProof(p2));
        rs.proveBatches(one(b1), oneProof(p1));
        vm.expectRevert(abi.encodeWithSelector(RS.AlreadyProven.selector, 1));
        rs.proveBatches(one(b1), oneProof(p1));
        rs.proveBatches(one(b2), oneProof(p2));
        vm.expectRevert(abi.encodeWithSelector(RS.NotCommitted.selector, 3));
        rs.proveBatches(one(b3), oneProof(p3));
    }

    function test_prove_argumentCountsMustMatch() public {
        (RS.StoredBatch memory b1,) = commitTwo();
        vm.expectRevert(RS.BadArguments.selector);
        rs.proveBatches(one(b1), new bytes[](0));
    }

    function test_prove_verifierReturningAnotherKeyReverts() public {
        KeySwappingVerifier swapper = new KeySwappingVerifier();
        rs.addProtocolVersion(V2, "v2", swapper, bytes32(uint256(1)));
        RS.StoredBatch memory b1 = next(genesis, V2);
        rs.commitBatch(genesis, b1);
        vm.expectRevert(
            abi.encodeWithSelector(RS.VerifyingKeyMismatch.selector, bytes32(uint256(1)), bytes32(uint256(2)))
        );
        rs.proveBatches(one(b1), oneProof(""));
    }

    /// An upgrade adds a version; the batch committed under the old one still proves with the
    /// old verifier, and the next batch with the new.
    function test_prove_oldVersionKeepsVerifyingAfterUpgrade() public {
        RS.StoredBatch memory b1 = next(genesis, V1);
        rs.commitBatch(genesis, b1);
        StatementHashVerifier verifier2 = new StatementHashVerifier(KEY2);
        rs.addProtocolVersion(V2, "v2", verifier2, KEY2);
        RS.StoredBatch memory b2 = next(b1, V2);
        rs.commitBatch(b1, b2);
        vm.expectEmit();
        emit BatchProven(1, V1, KEY1);
        rs.proveBatches(one(b1), oneProof(proofOf(b1)));
        vm.expectEmit();
        emit BatchProven(2, V2, KEY2);
        rs.proveBatches(one(b2), oneProof(proofOf(b2)));
    }

    // ---------------------------------------------------------------- execute refusals

    function test_execute_beforeProofReverts() public {
        (RS.StoredBatch memory b1,) = commitTwo();
        vm.expectRevert(abi.encodeWithSelector(RS.NotProven.selector, 1));
        rs.executeBatches(one(b1));
    }

    function test_execute_outOfOrderTamperedAndReplayRevert() public {
        (RS.StoredBatch memory b1, RS.StoredBatch memory b2) = commitTwo();
        (RS.StoredBatch[] memory both, bytes[] memory proofs) = pair(b1, b2);
        rs.proveBatches(both, proofs);
        vm.expectRevert(abi.encodeWithSelector(RS.ExecutionOutOfOrder.selector, 1, 2));
        rs.executeBatches(one(b2));
        RS.StoredBatch memory forged = next(genesis, V1); // a copy, not an alias of b1
        forged.rootAfter = root(9);
        vm.expectRevert(abi.encodeWithSelector(RS.BatchHashMismatch.selector, 1));
        rs.executeBatches(one(forged));
        rs.executeBatches(one(b1));
        vm.expectRevert(abi.encodeWithSelector(RS.AlreadyExecuted.selector, 1));
        rs.executeBatches(one(b1));
    }

    // ---------------------------------------------------------------- owner

    function test_revert_dropsUnprovenBatchesOnly() public {
        (RS.StoredBatch memory b1, RS.StoredBatch memory b2) = commitTwo();
        rs.proveBatches(one(b1), oneProof(proofOf(b1)));
        vm.expectRevert(abi.encodeWithSelector(RS.CannotRevert.selector, 0, 1, 2));
        rs.revertBatches(0);
        vm.prank(address(0xbad));
        vm.expectRevert(abi.encodeWithSelector(RS.NotOwner.selector, address(0xbad)));
        rs.revertBatches(1);
        rs.revertBatches(1);
        assertEq(rs.totalBatchesCommitted(), 1, "batch 2 dropped");
        assertEq(rs.storedBatchHash(2), bytes32(0), "its hash cleared");
        // Batch 2 may be committed again, with another claim.
        b2.rootAfter = root(5);
        rs.commitBatch(b1, b2);
        assertEq(rs.storedBatchHash(2), keccak256(abi.encode(b2)), "recommitted");
    }

    function test_registry_refusals() public {
        vm.expectRevert(abi.encodeWithSelector(RS.ProtocolVersionExists.selector, V1));
        rs.addProtocolVersion(V1, "again", verifier1, KEY1);
        vm.expectRevert(abi.encodeWithSelector(RS.VerifyingKeyMismatch.selector, KEY2, KEY1));
        rs.addProtocolVersion(V2, "v2", verifier1, KEY2);
        vm.expectRevert(abi.encodeWithSelector(RS.NotAContract.selector, address(0xdead)));
        rs.addProtocolVersion(V2, "v2", IBatchVerifier(address(0xdead)), KEY2);
        vm.prank(address(0xbad));
        vm.expectRevert(abi.encodeWithSelector(RS.NotOwner.selector, address(0xbad)));
        rs.addProtocolVersion(V2, "v2", verifier1, KEY1);
        RS.ProtocolVersion memory v = rs.protocolVersionInfo(V1);
        assertEq(v.verifyingKeyHash, KEY1, "registered key");
        assertEq(bytes(v.name), bytes("v1"), "registered name");
    }

    // ---------------------------------------------------------------- statement layout

    /// Limbs of the batch number and the fee recipient, and digest words in order.
    function test_statement_layout() public view {
        RS.StoredBatch memory b = RS.StoredBatch({
            number: 0x0004000300020001,
            firstHeight: 1,
            lastHeight: 1,
            rootBefore: root(0),
            rootAfter: root(1),
            commitment: root(2),
            feeRecipient: address(bytes20(hex"ffffffffffffffffffffffffffffffffffffffff")),
            protocolVersion: root(3)
        });
        uint256[] memory s = this.statementOf(b);
        assertEq(s.length, 42, "length");
        for (uint256 i = 0; i < 4; ++i) {
            assertEq(s[i], i + 1, "batch limb");
        }
        for (uint256 i = 0; i < 8; ++i) {
            assertEq(s[4 + i], i + 1, "root before word");
            assertEq(s[12 + i], 2 * (i + 1), "root after word");
            assertEq(s[20 + i], 3 * (i + 1), "commitment word");
            assertEq(s[34 + i], 4 * (i + 1), "version word");
        }
        for (uint256 i = 0; i < 5; ++i) {
            assertEq(s[28 + i], (1 << 30) - 1, "30-bit fee limb");
        }
        assertEq(s[33], (1 << 10) - 1, "10-bit top fee limb");
    }

    /// The statement equals what Rust computes (`sq_prover_verifier::settlement`) for the
    /// checked-in fixture's claim: the byte order of digests and the limbs agree.
    function test_statement_matchesRust() public view {
        string memory json = vm.readFile("test/fixtures/settlement_statement.json");
        RS.StoredBatch memory b = RS.StoredBatch({
            number: uint64(vm.parseJsonUint(json, ".number")),
            firstHeight: 1,
            lastHeight: 1,
            rootBefore: vm.parseJsonBytes32(json, ".rootBefore"),
            rootAfter: vm.parseJsonBytes32(json, ".rootAfter"),
            commitment: vm.parseJsonBytes32(json, ".commitment"),
            feeRecipient: vm.parseJsonAddress(json, ".feeRecipient"),
            protocolVersion: vm.parseJsonBytes32(json, ".protocolVersion")
        });
        uint256[] memory expected = vm.parseJsonUintArray(json, ".statement");
        uint256[] memory s = this.statementOf(b);
        assertEq(s.length, expected.length, "length");
        for (uint256 i = 0; i < s.length; ++i) {
            assertEq(s[i], expected[i], string.concat("element ", vm.toString(i)));
        }
    }
}
