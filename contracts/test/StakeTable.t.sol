// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {Fixtures} from "./Fixtures.sol";
import {StakeTable} from "../src/StakeTable.sol";
import {HotShotCommitments as HC} from "../src/HotShotCommitments.sol";

contract StakeTableTest is Fixtures {
    event Registered(uint256 indexed index, address indexed owner, bytes publicKey, uint64 stake, uint256 deposit);
    event Deregistered(uint256 indexed index, address indexed owner, uint64 exitTime);
    event Withdrawn(uint256 indexed index, address indexed owner, uint256 amount);

    uint256 internal constant MIN_DEPOSIT = 1 ether;
    uint64 internal constant EXIT_DELAY = 7 days;

    StakeTable internal st;
    Fixture internal fx; // keys only (set in setUp)

    function setUp() public {
        st = new StakeTable(MIN_DEPOSIT, EXIT_DELAY);
        Fixture memory f = loadFixture(4);
        for (uint256 i = 0; i < f.keys.length; ++i) {
            fx.keys.push(f.keys[i]);
        }
        fx.stakeTableCommitment = f.stakeTableCommitment;
        fx.genesis = f.genesis;
    }

    function operator(uint256 i) internal pure returns (address) {
        return address(uint160(0x1000 + i));
    }

    function registerAs(uint256 i, uint256 keyIndex, uint256 deposit) internal returns (uint256) {
        vm.deal(operator(i), deposit);
        vm.prank(operator(i));
        return st.register{value: deposit}(fx.keys[keyIndex].pk, fx.keys[keyIndex].pop);
    }

    function test_registerAll_matchesRustCommitment() public {
        for (uint256 i = 0; i < 4; ++i) {
            vm.expectEmit();
            emit Registered(i, operator(i), fx.keys[i].pk, 1, MIN_DEPOSIT);
            assertEq(registerAs(i, i, MIN_DEPOSIT), i, "index");
        }
        assertEq(st.nodeCount(), 4, "node count");
        assertEq(st.activeNodeCount(), 4, "active");
        assertEq(st.totalStake(), 4, "total stake");
        assertEq(st.snapshotCommitment(), fx.stakeTableCommitment, "snapshot commitment = Rust");
        StakeTable.Node memory n = st.node(2);
        assertEq(n.publicKey, fx.keys[2].pk, "pk");
        assertTrue(n.owner == operator(2), "owner");
        assertEq(n.stake, 1, "stake");
        assertEq(n.deposit, MIN_DEPOSIT, "deposit");
        assertEq(n.exitTime, 0, "exit time");
        assertEq(st.popMessage(fx.keys[3].pk), fx.keys[3].popMessage, "pop message");

        // The commitments contract built from the on-chain snapshot certifies the Rust blocks.
        (bytes[] memory pks, uint64[] memory stakes) = st.snapshot();
        HC c = new HC(pks, stakes, fx.genesis);
        assertEq(c.stakeTableCommitment(), fx.stakeTableCommitment, "HC commitment");
        Fixture memory f = loadFixture(4);
        (HC.Header[] memory hs, HC.QC[] memory qs) = batch(f, 0, 3);
        c.newBlocks(hs, qs);
        assertEq(c.latestHeight(), 3, "certified");
    }

    function test_stakeUnits() public {
        registerAs(0, 0, 3.5 ether);
        assertEq(st.node(0).stake, 3, "floor(3.5)");
        assertEq(st.node(0).deposit, 3.5 ether, "full deposit kept");
        assertEq(st.totalStake(), 3, "total");
    }

    function test_reject_insufficientDeposit() public {
        vm.expectRevert(abi.encodeWithSelector(StakeTable.InvalidDeposit.selector, MIN_DEPOSIT - 1));
        registerAs(0, 0, MIN_DEPOSIT - 1);
    }

    function test_reject_badPop() public {
        vm.deal(operator(0), 10 ether);
        // Another key's PoP.
        vm.prank(operator(0));
        vm.expectRevert(StakeTable.InvalidProofOfPossession.selector);
        st.register{value: MIN_DEPOSIT}(fx.keys[0].pk, fx.keys[1].pop);
        // A flipped bit (off the curve).
        bytes memory pop = bytes.concat(fx.keys[0].pop);
        pop[200] ^= 0x04;
        vm.prank(operator(0));
        vm.expectRevert(StakeTable.InvalidProofOfPossession.selector);
        st.register{value: MIN_DEPOSIT}(fx.keys[0].pk, pop);
        // Infinity.
        vm.prank(operator(0));
        vm.expectRevert(StakeTable.InvalidProofOfPossession.selector);
        st.register{value: MIN_DEPOSIT}(fx.keys[0].pk, new bytes(256));
        // A valid G2 point that is a consensus signature (other DST, message and key set).
        bytes memory qcSig = loadFixture(4).qcs[0].signature;
        vm.prank(operator(0));
        vm.expectRevert(StakeTable.InvalidProofOfPossession.selector);
        st.register{value: MIN_DEPOSIT}(fx.keys[0].pk, qcSig);
        assertEq(st.nodeCount(), 0, "nothing registered");
    }

    function test_reject_duplicateKey() public {
        registerAs(0, 0, MIN_DEPOSIT);
        vm.expectRevert(StakeTable.DuplicateKey.selector);
        registerAs(1, 0, MIN_DEPOSIT);
        // Still a duplicate after the first owner has left.
        vm.prank(operator(0));
        st.deregister();
        vm.warp(block.timestamp + EXIT_DELAY);
        vm.prank(operator(0));
        st.withdraw();
        vm.expectRevert(StakeTable.DuplicateKey.selector);
        registerAs(1, 0, MIN_DEPOSIT);
    }

    function test_reject_alreadyRegistered() public {
        registerAs(0, 0, MIN_DEPOSIT);
        vm.expectRevert(StakeTable.AlreadyRegistered.selector);
        registerAs(0, 1, MIN_DEPOSIT);
    }

    function test_reject_malformedPoints() public {
        vm.deal(operator(0), 10 ether);
        vm.startPrank(operator(0));
        vm.expectRevert(StakeTable.InvalidPointLength.selector);
        st.register{value: MIN_DEPOSIT}(new bytes(127), fx.keys[0].pop);
        vm.expectRevert(StakeTable.InvalidPointLength.selector);
        st.register{value: MIN_DEPOSIT}(fx.keys[0].pk, new bytes(255));
        vm.expectRevert(StakeTable.InvalidPointLength.selector);
        st.register{value: MIN_DEPOSIT}(bytes.concat(fx.keys[0].pk, hex"00"), fx.keys[0].pop);
        vm.expectRevert(StakeTable.InvalidPublicKey.selector);
        st.register{value: MIN_DEPOSIT}(new bytes(128), fx.keys[0].pop); // infinity
        bytes memory pk = bytes.concat(fx.keys[0].pk);
        pk[0] = 0x01; // padding byte set: not a canonical Fp encoding
        vm.expectRevert(StakeTable.InvalidPublicKey.selector);
        st.register{value: MIN_DEPOSIT}(pk, fx.keys[0].pop);
        pk = bytes.concat(fx.keys[0].pk);
        // x >= p
        for (uint256 i = 16; i < 64; ++i) {
            pk[i] = 0xff;
        }
        vm.expectRevert(StakeTable.InvalidPublicKey.selector);
        st.register{value: MIN_DEPOSIT}(pk, fx.keys[0].pop);
        vm.stopPrank();
    }

    function test_deregisterAndWithdraw() public {
        for (uint256 i = 0; i < 4; ++i) {
            registerAs(i, i, MIN_DEPOSIT);
        }
        vm.warp(1_000_000);

        vm.prank(operator(1));
        vm.expectRevert(StakeTable.NotRegistered.selector);
        st.withdraw(); // not deregistered yet

        vm.expectEmit();
        emit Deregistered(1, operator(1), uint64(1_000_000 + EXIT_DELAY));
        vm.prank(operator(1));
        st.deregister();
        assertEq(st.totalStake(), 3, "stake left");
        assertEq(st.activeNodeCount(), 3, "active left");
        assertEq(st.nodeCount(), 4, "registrations");

        vm.prank(operator(1));
        vm.expectRevert(StakeTable.AlreadyExiting.selector);
        st.deregister();

        vm.warp(1_000_000 + EXIT_DELAY - 1);
        vm.prank(operator(1));
        vm.expectRevert(abi.encodeWithSelector(StakeTable.ExitDelayNotOver.selector, uint64(1_000_000 + EXIT_DELAY)));
        st.withdraw();

        vm.warp(1_000_000 + EXIT_DELAY);
        vm.expectEmit();
        emit Withdrawn(1, operator(1), MIN_DEPOSIT);
        vm.prank(operator(1));
        st.withdraw();
        assertEq(operator(1).balance, MIN_DEPOSIT, "paid back");
        assertEq(address(st).balance, 3 * MIN_DEPOSIT, "others' deposits held");
        assertEq(st.node(1).deposit, 0, "deposit cleared");

        vm.prank(operator(1));
        vm.expectRevert(StakeTable.NotRegistered.selector);
        st.withdraw();
        vm.prank(operator(1));
        vm.expectRevert(StakeTable.NotRegistered.selector);
        st.deregister();

        // The snapshot skips node 1 and keeps registration order.
        (bytes[] memory pks, uint64[] memory stakes) = st.snapshot();
        assertEq(pks.length, 3, "snapshot size");
        assertEq(pks[0], fx.keys[0].pk, "order 0");
        assertEq(pks[1], fx.keys[2].pk, "order 1");
        assertEq(pks[2], fx.keys[3].pk, "order 2");
        bytes memory blob;
        for (uint256 i = 0; i < 3; ++i) {
            blob = bytes.concat(blob, pks[i], bytes8(stakes[i]));
        }
        assertEq(st.snapshotCommitment(), keccak256(blob), "snapshot commitment");
    }

    function test_reregisterWithNewKeyAfterWithdraw() public {
        registerAs(0, 0, MIN_DEPOSIT);
        vm.prank(operator(0));
        st.deregister();
        vm.warp(block.timestamp + EXIT_DELAY);
        vm.prank(operator(0));
        st.withdraw();
        assertEq(registerAs(0, 1, 2 ether), 1, "second registration");
        assertEq(st.totalStake(), 2, "stake");
        assertEq(st.activeNodeCount(), 1, "active");
    }

    function test_reject_zeroMinDeposit() public {
        vm.expectRevert(StakeTable.ZeroMinDeposit.selector);
        new StakeTable(0, 1);
    }

    /// Random PoP bytes never register a fixture key.
    function testFuzz_randomPop_rejected(bytes32[8] memory words) public {
        bytes memory pop = abi.encodePacked(words);
        vm.deal(operator(0), MIN_DEPOSIT);
        vm.prank(operator(0));
        vm.expectRevert(StakeTable.InvalidProofOfPossession.selector);
        st.register{value: MIN_DEPOSIT}(fx.keys[0].pk, pop);
    }
}
