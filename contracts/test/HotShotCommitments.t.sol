// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {Fixtures} from "./Fixtures.sol";
import {HotShotCommitments as HC} from "../src/HotShotCommitments.sol";

/// Happy paths from the Rust fixtures (n = 4, 10, 100), every rejection path, and gas figures.
contract HotShotCommitmentsTest is Fixtures {
    event NewBlocks(uint64 firstHeight, uint64 count);

    // ---------------------------------------------------------------- construction

    function checkConstruction(uint256 n) internal {
        Fixture memory f = loadFixture(n);
        HC c = deployCommitments(f);
        assertEq(c.stakeTableCommitment(), f.stakeTableCommitment, "stake table commitment");
        assertEq(c.nodeCount(), n, "node count");
        assertEq(c.totalStake(), n, "total stake");
        assertEq(c.latestHeight(), 0, "latest height");
        assertEq(c.commitmentAt(0), f.genesis, "genesis");
        for (uint256 i = 0; i < n; ++i) {
            (bytes memory pk, uint64 stake) = c.node(i);
            assertEq(pk, f.keys[i].pk, "node key");
            assertEq(stake, f.keys[i].stake, "node stake");
        }
    }

    function test_construction_n4() public {
        checkConstruction(4);
    }

    function test_construction_n100() public {
        checkConstruction(100);
    }

    /// More than one code chunk (NODES_PER_CHUNK = 180): keys are reused, which is fine here.
    function test_construction_multiChunk() public {
        Fixture memory f = loadFixture(100);
        uint256 n = 400;
        bytes[] memory pks = new bytes[](n);
        uint64[] memory stakes = new uint64[](n);
        bytes memory blob;
        for (uint256 i = 0; i < n; ++i) {
            pks[i] = f.keys[i % 100].pk;
            stakes[i] = uint64(i + 1);
            blob = bytes.concat(blob, pks[i], bytes8(stakes[i]));
        }
        HC c = new HC(pks, stakes, f.genesis);
        assertEq(c.stakeTableCommitment(), keccak256(blob), "commitment");
        assertEq(c.totalStake(), n * (n + 1) / 2, "total");
        for (uint256 i = 170; i < 190; ++i) {
            (bytes memory pk, uint64 stake) = c.node(i);
            assertEq(pk, pks[i], "key across chunk boundary");
            assertEq(stake, stakes[i], "stake across chunk boundary");
        }
    }

    function test_construction_rejectsBadInputs() public {
        Fixture memory f = loadFixture(4);
        (bytes[] memory pks, uint64[] memory stakes) = publicKeys(f);

        vm.expectRevert(HC.ArrayLengthMismatch.selector);
        new HC(pks, new uint64[](3), f.genesis);

        vm.expectRevert(abi.encodeWithSelector(HC.BadNodeCount.selector, 0));
        new HC(new bytes[](0), new uint64[](0), f.genesis);

        stakes[2] = 0;
        vm.expectRevert(abi.encodeWithSelector(HC.ZeroStake.selector, 2));
        new HC(pks, stakes, f.genesis);
        stakes[2] = 1;

        pks[1] = new bytes(128); // infinity
        vm.expectRevert(abi.encodeWithSelector(HC.InvalidPublicKey.selector, 1));
        new HC(pks, stakes, f.genesis);

        pks[1] = bytes.concat(f.keys[1].pk);
        pks[1][127] ^= 0x01; // off the curve
        vm.expectRevert(abi.encodeWithSelector(HC.InvalidPublicKey.selector, 1));
        new HC(pks, stakes, f.genesis);
    }

    // ---------------------------------------------------------------- happy paths

    function checkHappyPath(uint256 n) internal {
        Fixture memory f = loadFixture(n);
        HC c = deployCommitments(f);
        for (uint256 b = 0; b < FIXTURE_BLOCKS; ++b) {
            assertEq(c.headerCommitment(f.headers[b]), f.commitments[b], "header commitment");
            assertEq(
                c.quorumDigest(f.headers[b].viewNumber, f.headers[b].height, f.commitments[b]), f.digests[b], "digest"
            );
        }
        // Block 1 alone, then blocks 2..3 in one batch.
        (HC.Header[] memory hs, HC.QC[] memory qs) = batch(f, 0, 1);
        vm.expectEmit();
        emit NewBlocks(1, 1);
        c.newBlocks(hs, qs);
        (hs, qs) = batch(f, 1, 2);
        vm.expectEmit();
        emit NewBlocks(2, 2);
        c.newBlocks(hs, qs);
        assertEq(c.latestHeight(), 3, "latest height");
        for (uint256 b = 0; b < FIXTURE_BLOCKS; ++b) {
            assertEq(c.commitmentAt(uint64(b + 1)), f.commitments[b], "stored commitment");
        }
        assertEq(c.commitmentAt(4), bytes32(0), "uncertified height");
    }

    function test_happyPath_n4() public {
        checkHappyPath(4);
    }

    function test_happyPath_n10() public {
        checkHappyPath(10);
    }

    function test_happyPath_n100() public {
        checkHappyPath(100);
    }

    /// The Rust fixtures sign with the smallest quorum: 3·q > 2·n and 3·(q-1) <= 2·n.
    function test_fixtureQuorumIsMinimal() public view {
        uint256[3] memory ns = [uint256(4), 10, 100];
        for (uint256 i = 0; i < 3; ++i) {
            uint256 q = loadFixture(ns[i]).quorum;
            assertTrue(3 * q > 2 * ns[i] && 3 * (q - 1) <= 2 * ns[i], "minimal quorum");
        }
    }

    // ---------------------------------------------------------------- rejections (n = 4)

    function setUpN4() internal returns (Fixture memory f, HC c) {
        f = loadFixture(4);
        c = deployCommitments(f);
    }

    function test_reject_gap() public {
        (Fixture memory f, HC c) = setUpN4();
        (HC.Header[] memory hs, HC.QC[] memory qs) = batch(f, 1, 1);
        vm.expectRevert(abi.encodeWithSelector(HC.HeightGap.selector, 1, 2));
        c.newBlocks(hs, qs);
        // A gap inside a batch: blocks 1 and 3.
        hs = new HC.Header[](2);
        qs = new HC.QC[](2);
        (hs[0], qs[0]) = (f.headers[0], f.qcs[0]);
        (hs[1], qs[1]) = (f.headers[2], f.qcs[2]);
        vm.expectRevert(abi.encodeWithSelector(HC.HeightGap.selector, 2, 3));
        c.newBlocks(hs, qs);
    }

    function test_reject_wrongParent() public {
        (Fixture memory f, HC c) = setUpN4();
        (HC.Header[] memory hs, HC.QC[] memory qs) = batch(f, 0, 1);
        hs[0].parent = keccak256("not the genesis");
        vm.expectRevert(abi.encodeWithSelector(HC.WrongParent.selector, 1, f.genesis, hs[0].parent));
        c.newBlocks(hs, qs);
    }

    function test_reject_replay() public {
        (Fixture memory f, HC c) = setUpN4();
        (HC.Header[] memory hs, HC.QC[] memory qs) = batch(f, 0, 2);
        c.newBlocks(hs, qs);
        (hs, qs) = batch(f, 1, 1);
        vm.expectRevert(abi.encodeWithSelector(HC.AlreadyCertified.selector, 2));
        c.newBlocks(hs, qs);
        (hs, qs) = batch(f, 0, 3);
        vm.expectRevert(abi.encodeWithSelector(HC.AlreadyCertified.selector, 1));
        c.newBlocks(hs, qs);
    }

    function test_reject_insufficientStake() public {
        (Fixture memory f, HC c) = setUpN4();
        (HC.Header[] memory hs, HC.QC[] memory qs) = batch(f, 0, 1);
        qs[0].signers = hex"03"; // 2 of 4
        vm.expectRevert(abi.encodeWithSelector(HC.InsufficientStake.selector, 1, 2, 4));
        c.newBlocks(hs, qs);
        qs[0].signers = hex"00";
        vm.expectRevert(abi.encodeWithSelector(HC.InsufficientStake.selector, 1, 0, 4));
        c.newBlocks(hs, qs);
    }

    function test_reject_tamperedSignature() public {
        (Fixture memory f, HC c) = setUpN4();
        (HC.Header[] memory hs, HC.QC[] memory qs) = batch(f, 0, 1);
        bytes memory sig = bytes.concat(qs[0].signature);
        sig[255] ^= 0x01; // off the curve
        qs[0].signature = sig;
        vm.expectRevert(abi.encodeWithSelector(HC.BadSignature.selector, 1));
        c.newBlocks(hs, qs);
        qs[0].signature = f.qcs[1].signature; // a valid signature over another digest
        vm.expectRevert(abi.encodeWithSelector(HC.BadSignature.selector, 1));
        c.newBlocks(hs, qs);
        qs[0].signature = new bytes(256); // infinity
        vm.expectRevert(abi.encodeWithSelector(HC.BadSignature.selector, 1));
        c.newBlocks(hs, qs);
        qs[0].signature = new bytes(255); // wrong length
        vm.expectRevert(abi.encodeWithSelector(HC.BadSignature.selector, 1));
        c.newBlocks(hs, qs);
    }

    function test_reject_tamperedSignerBitmap() public {
        (Fixture memory f, HC c) = setUpN4();
        (HC.Header[] memory hs, HC.QC[] memory qs) = batch(f, 0, 1);
        qs[0].signers = hex"0e"; // nodes 1,2,3 instead of 0,1,2: enough stake, wrong key set
        vm.expectRevert(abi.encodeWithSelector(HC.BadSignature.selector, 1));
        c.newBlocks(hs, qs);
        qs[0].signers = hex"0f"; // a superset: node 3 did not sign
        vm.expectRevert(abi.encodeWithSelector(HC.BadSignature.selector, 1));
        c.newBlocks(hs, qs);
        qs[0].signers = hex"17"; // bit 4 is past n = 4
        vm.expectRevert(abi.encodeWithSelector(HC.InvalidSignerBitmap.selector, 1));
        c.newBlocks(hs, qs);
        qs[0].signers = hex"0700"; // too long
        vm.expectRevert(abi.encodeWithSelector(HC.InvalidSignerBitmap.selector, 1));
        c.newBlocks(hs, qs);
        qs[0].signers = ""; // too short
        vm.expectRevert(abi.encodeWithSelector(HC.InvalidSignerBitmap.selector, 1));
        c.newBlocks(hs, qs);
    }

    function test_reject_tamperedHeader() public {
        (Fixture memory f, HC c) = setUpN4();
        (HC.Header[] memory hs, HC.QC[] memory qs) = batch(f, 0, 1);
        hs[0].payloadCommitment = bytes32(uint256(hs[0].payloadCommitment) ^ 1);
        vm.expectRevert(abi.encodeWithSelector(HC.BadSignature.selector, 1));
        c.newBlocks(hs, qs);
        hs[0] = f.headers[0];
        hs[0].viewNumber += 1; // same header, claimed in another view
        vm.expectRevert(abi.encodeWithSelector(HC.BadSignature.selector, 1));
        c.newBlocks(hs, qs);
    }

    function test_reject_malformedNsTable() public {
        (Fixture memory f, HC c) = setUpN4();
        (HC.Header[] memory hs, HC.QC[] memory qs) = batch(f, 0, 1);
        hs[0].nsTable = bytes.concat(hs[0].nsTable, hex"00");
        vm.expectRevert(abi.encodeWithSelector(HC.MalformedNsTable.selector, 1));
        c.newBlocks(hs, qs);
        hs[0].nsTable = hex"000000";
        vm.expectRevert(abi.encodeWithSelector(HC.MalformedNsTable.selector, 1));
        c.newBlocks(hs, qs);
    }

    function test_reject_badBatch() public {
        (Fixture memory f, HC c) = setUpN4();
        vm.expectRevert(HC.BadBatch.selector);
        c.newBlocks(new HC.Header[](0), new HC.QC[](0));
        (HC.Header[] memory hs,) = batch(f, 0, 2);
        (, HC.QC[] memory qs) = batch(f, 0, 1);
        vm.expectRevert(HC.BadBatch.selector);
        c.newBlocks(hs, qs);
    }

    /// A bad block anywhere in a batch reverts the whole batch.
    function test_reject_batchIsAtomic() public {
        (Fixture memory f, HC c) = setUpN4();
        (HC.Header[] memory hs, HC.QC[] memory qs) = batch(f, 0, 3);
        qs[2].signature = f.qcs[0].signature;
        vm.expectRevert(abi.encodeWithSelector(HC.BadSignature.selector, 3));
        c.newBlocks(hs, qs);
        assertEq(c.latestHeight(), 0, "nothing stored");
        assertEq(c.commitmentAt(1), bytes32(0), "nothing stored");
    }
}

/// Gas of newBlocks at n = 4, 10, 100. The contracts are deployed in setUp so that the measured
/// call sees cold storage and cold snapshot code, as a real transaction would. Run with -vv.
contract HotShotCommitmentsGasTest is Fixtures {
    HC internal c4;
    HC internal c10;
    HC internal c100;

    function setUp() public {
        c4 = deployCommitments(loadFixture(4));
        c10 = deployCommitments(loadFixture(10));
        c100 = deployCommitments(loadFixture(100));
    }

    /// Execution gas of one newBlocks call, plus its calldata gas and the resulting transaction gas.
    /// Under --gas-report/--isolate each call is its own transaction and `used` already includes
    /// the 21000 + calldata part.
    function measure(HC c, Fixture memory f, uint256 from, uint256 count) internal returns (uint256 used) {
        (HC.Header[] memory hs, HC.QC[] memory qs) = batch(f, from, count);
        bytes memory data = abi.encodeCall(HC.newBlocks, (hs, qs));
        uint256 before = gasleft();
        (bool ok,) = address(c).call(data);
        used = before - gasleft();
        assertTrue(ok, "newBlocks failed");
        uint256 calldataGas;
        for (uint256 i = 0; i < data.length; ++i) {
            calldataGas += data[i] == 0 ? 4 : 16;
        }
        log("  calldata gas (4/16 per byte)", calldataGas);
        log("  execution gas", used);
        log("  transaction gas = 21000 + calldata + execution", 21_000 + calldataGas + used);
    }

    function checkGas(HC c, uint256 n, uint256 maxPerBlock) internal {
        Fixture memory f = loadFixture(n);
        log(string.concat("n = ", vm.toString(n), ", signers"), f.quorum);
        log("  newBlocks(block 1):", 1);
        uint256 one = measure(c, f, 0, 1);
        log("  newBlocks(blocks 2..3):", 2);
        measure(c, f, 1, 2);
        assertTrue(one <= maxPerBlock, "gas regression");
    }

    function test_gas_newBlocks_n4() public {
        checkGas(c4, 4, 300_000);
    }

    function test_gas_newBlocks_n10() public {
        checkGas(c10, 10, 300_000);
    }

    function test_gas_newBlocks_n100() public {
        checkGas(c100, 100, 360_000);
    }
}
