// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {Fixtures} from "./Fixtures.sol";
import {BLS} from "../src/BLS.sol";

/// Exposes the library's internal functions as external calls.
contract BLSHarness {
    function verify(bytes memory pk, bytes memory message, bytes memory sig, bytes memory dst)
        external
        view
        returns (bool)
    {
        return BLS.verify(pk, message, sig, dst);
    }

    function hashToG2(bytes memory message, bytes memory dst) external view returns (bytes memory) {
        return BLS.hashToG2(message, dst);
    }

    function expandMessageXmd(bytes memory message, bytes memory dst) external pure returns (bytes memory) {
        return BLS.expandMessageXmd(message, dst);
    }

    function isValidPublicKey(bytes memory pk) external view returns (bool) {
        return BLS.isValidPublicKey(pk);
    }

    function isFieldEncoding(bytes memory data) external pure returns (bool) {
        return BLS.isFieldEncoding(data);
    }
}

contract BLSTest is Fixtures {
    BLSHarness internal h;

    function setUp() public {
        h = new BLSHarness();
    }

    function test_popVerifies_n4() public view {
        Fixture memory f = loadFixture(4);
        for (uint256 i = 0; i < f.keys.length; ++i) {
            assertEq(keccak256(abi.encodePacked("sq/pop/v1", f.keys[i].pk)), f.keys[i].popMessage, "pop message");
            assertTrue(
                h.verify(f.keys[i].pk, abi.encodePacked(f.keys[i].popMessage), f.keys[i].pop, BLS.POP_DST), "pop"
            );
        }
    }

    /// The n = 10 QC for block 1 verifies against the sum of keys 0..6 (summed in the test with
    /// G1ADD directly), and not against keys 1..7.
    function test_aggregateSignatureVerifies_n10() public view {
        Fixture memory f = loadFixture(10);
        bytes memory apk = f.keys[0].pk;
        for (uint256 i = 1; i < f.quorum; ++i) {
            apk = g1Add(apk, f.keys[i].pk);
        }
        bytes memory message = abi.encodePacked(f.digests[0]);
        assertTrue(h.verify(apk, message, f.qcs[0].signature, BLS.SIG_DST), "aggregate verifies");
        assertTrue(!h.verify(apk, message, f.qcs[0].signature, BLS.POP_DST), "wrong DST");
        assertTrue(!h.verify(apk, abi.encodePacked(f.digests[1]), f.qcs[0].signature, BLS.SIG_DST), "wrong message");
        apk = g1Add(apk, f.keys[f.quorum].pk);
        assertTrue(!h.verify(apk, message, f.qcs[0].signature, BLS.SIG_DST), "extra key");
    }

    function g1Add(bytes memory a, bytes memory b) internal view returns (bytes memory) {
        (bool ok, bytes memory out) = address(0x0b).staticcall(bytes.concat(a, b));
        assertTrue(ok, "G1ADD");
        return out;
    }

    function test_publicKeyValidation() public view {
        Fixture memory f = loadFixture(4);
        for (uint256 i = 0; i < 4; ++i) {
            assertTrue(h.isValidPublicKey(f.keys[i].pk), "fixture key");
        }
        assertTrue(!h.isValidPublicKey(new bytes(128)), "infinity");
        assertTrue(!h.isValidPublicKey(new bytes(127)), "length");
        bytes memory pk = bytes.concat(f.keys[0].pk);
        pk[100] ^= 0x01;
        assertTrue(!h.isValidPublicKey(pk), "off curve");
    }

    function test_fieldEncodingBounds() public view {
        uint256 pHi = 0x1a0111ea397fe69a4b1ba7b6434bacd7;
        uint256 pLo = 0x64774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab;
        assertTrue(!h.isFieldEncoding(abi.encodePacked(pHi, pLo)), "p");
        assertTrue(h.isFieldEncoding(abi.encodePacked(pHi, pLo - 1)), "p - 1");
        assertTrue(h.isFieldEncoding(abi.encodePacked(pHi - 1, type(uint256).max)), "below p");
        assertTrue(!h.isFieldEncoding(abi.encodePacked(pHi | (1 << 128), uint256(0))), "padding byte");
        assertTrue(!h.isFieldEncoding(abi.encodePacked(uint256(0))), "32 bytes");
        assertTrue(!h.isFieldEncoding(""), "empty");
    }

    /// hash_to_G2 is deterministic, domain-separated, and yields a valid subgroup point: a
    /// G2MSM by 1 (which subgroup-checks) returns it unchanged.
    function test_hashToG2_isSubgroupPoint() public view {
        bytes memory p1 = h.hashToG2("abc", BLS.SIG_DST);
        assertEq(p1.length, 256, "length");
        assertEq(p1, h.hashToG2("abc", BLS.SIG_DST), "deterministic");
        assertTrue(keccak256(p1) != keccak256(h.hashToG2("abc", BLS.POP_DST)), "DST separates");
        (bool ok, bytes memory same) = address(0x0e).staticcall(abi.encodePacked(p1, uint256(1)));
        assertTrue(ok, "G2MSM accepts the point");
        assertEq(same, p1, "in subgroup");
        assertEq(h.expandMessageXmd("", BLS.SIG_DST).length, 256, "xmd length");
    }
}
