// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {Fixtures} from "./Fixtures.sol";
import {HotShotCommitments as HC} from "../src/HotShotCommitments.sol";

/// Fuzz tests (runs set in foundry.toml, >= 1000): the header/digest encodings against a
/// byte-by-byte reference, and rejection of random signatures, bitmaps and header fields.
contract FuzzTest is Fixtures {
    /// The BLS12-381 group order r.
    uint256 internal constant R = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001;

    HC internal c4;
    HC internal c10;

    function setUp() public {
        c4 = deployCommitments(loadFixture(4));
        c10 = deployCommitments(loadFixture(10));
    }

    // ---------------------------------------------------------------- reference encoder

    /// Appends `value` as `len` big-endian bytes, one byte at a time.
    function putBE(bytes memory out, uint256 at, uint256 value, uint256 len) internal pure returns (uint256) {
        for (uint256 i = 0; i < len; ++i) {
            out[at + i] = bytes1(uint8(value >> (8 * (len - 1 - i))));
        }
        return at + len;
    }

    function referenceEncoding(HC.Header memory h) internal pure returns (bytes memory out) {
        out = new bytes(8 + 8 + 32 + 32 + 8 + 8 + h.nsTable.length);
        uint256 at = putBE(out, 0, h.height, 8);
        at = putBE(out, at, h.viewNumber, 8);
        at = putBE(out, at, uint256(h.parent), 32);
        at = putBE(out, at, uint256(h.payloadCommitment), 32);
        at = putBE(out, at, h.timestampMs, 8);
        at = putBE(out, at, h.l1Head, 8);
        for (uint256 i = 0; i < h.nsTable.length; ++i) {
            out[at + i] = h.nsTable[i];
        }
    }

    /// A well-formed namespace table with `count` entries drawn from `seed`.
    function nsTable(uint256 count, uint256 seed) internal pure returns (bytes memory out) {
        out = new bytes(4 + 12 * count);
        uint256 at = putBE(out, 0, count, 4);
        for (uint256 i = 0; i < count; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            at = putBE(out, at, uint64(r), 8);
            at = putBE(out, at, uint32(r >> 64), 4);
        }
    }

    function testFuzz_headerEncoding_matchesReference(
        uint64 height,
        uint64 viewNumber,
        bytes32 parent,
        bytes32 payload,
        uint64 timestampMs,
        uint64 l1Head,
        uint256 nsCount,
        uint256 seed
    ) public view {
        nsCount = bound(nsCount, 0, 20);
        HC.Header memory h = HC.Header(height, viewNumber, parent, payload, timestampMs, l1Head, nsTable(nsCount, seed));
        bytes memory enc = c4.encodeHeader(h);
        bytes memory ref = referenceEncoding(h);
        assertEq(enc.length, 96 + 4 + 12 * nsCount, "length");
        assertEq(enc, ref, "layout");
        assertEq(
            enc, abi.encodePacked(height, viewNumber, parent, payload, timestampMs, l1Head, h.nsTable), "encodePacked"
        );
        assertEq(c4.headerCommitment(h), keccak256(ref), "commitment");
    }

    function testFuzz_quorumDigest_matchesReference(uint64 viewNumber, uint64 height, bytes32 leaf) public view {
        bytes memory ref = new bytes(12 + 8 + 8 + 32);
        bytes memory tag = "sq/quorum/v1";
        for (uint256 i = 0; i < 12; ++i) {
            ref[i] = tag[i];
        }
        uint256 at = putBE(ref, 12, viewNumber, 8);
        at = putBE(ref, at, height, 8);
        putBE(ref, at, uint256(leaf), 32);
        assertEq(c4.quorumDigest(viewNumber, height, leaf), keccak256(ref), "digest");
    }

    function testFuzz_malformedNsTable_rejected(bytes memory ns) public {
        vm.assume(ns.length < 4 || ns.length != 4 + 12 * uint256(uint32(bytes4(ns))));
        HC.Header memory h = loadFixture(4).headers[0];
        h.nsTable = ns;
        vm.expectRevert(abi.encodeWithSelector(HC.MalformedNsTable.selector, h.height));
        c4.encodeHeader(h);
    }

    // ---------------------------------------------------------------- rejection paths

    function block1(Fixture memory f) internal pure returns (HC.Header[] memory hs, HC.QC[] memory qs) {
        return batch(f, 0, 1);
    }

    /// Random 256-byte signatures never verify.
    function testFuzz_randomSignature_rejected(bytes32[8] memory words, bool canonical) public {
        if (canonical) {
            // Make each coordinate a canonical field element (< 2^380 < p) so that the precompile,
            // not the encoding check, rejects it (off curve / not in the subgroup).
            for (uint256 i = 0; i < 8; i += 2) {
                words[i] = bytes32(uint256(words[i]) & ((1 << 124) - 1));
            }
        }
        (HC.Header[] memory hs, HC.QC[] memory qs) = block1(loadFixture(4));
        qs[0].signature = abi.encodePacked(words);
        vm.expectRevert(abi.encodeWithSelector(HC.BadSignature.selector, 1));
        c4.newBlocks(hs, qs);
    }

    /// k·σ for k != 1 (mod r) is a valid subgroup point but never a valid signature.
    function testFuzz_scaledSignature_rejected(uint256 k) public {
        k = bound(k, 2, R - 1);
        (HC.Header[] memory hs, HC.QC[] memory qs) = block1(loadFixture(4));
        (bool ok, bytes memory scaled) = address(0x0e).staticcall(abi.encodePacked(qs[0].signature, k)); // G2MSM
        assertTrue(ok && scaled.length == 256, "G2MSM");
        qs[0].signature = scaled;
        vm.expectRevert(abi.encodeWithSelector(HC.BadSignature.selector, 1));
        c4.newBlocks(hs, qs);
    }

    /// Any signer bitmap other than the true one (nodes 0..6 of 10) is rejected, with the reason
    /// that applies: bad padding, too little stake, or a signature that does not verify.
    function testFuzz_randomBitmap_rejected(uint16 bits) public {
        vm.assume(bits != 0x007f);
        (HC.Header[] memory hs, HC.QC[] memory qs) = block1(loadFixture(10));
        qs[0].signers = abi.encodePacked(uint8(bits), uint8(bits >> 8));
        bytes memory expected;
        uint256 signed;
        for (uint256 i = 0; i < 10; ++i) {
            signed += (bits >> i) & 1;
        }
        if (bits >> 10 != 0) expected = abi.encodeWithSelector(HC.InvalidSignerBitmap.selector, 1);
        else if (3 * signed <= 20) expected = abi.encodeWithSelector(HC.InsufficientStake.selector, 1, signed, 10);
        else expected = abi.encodeWithSelector(HC.BadSignature.selector, 1);
        vm.expectRevert(expected);
        c10.newBlocks(hs, qs);
    }

    /// Bitmaps with enough stake (at least 7 of 10 nodes) but the wrong set fail the signature.
    function testFuzz_quorumSizedWrongBitmap_rejected(uint16 bits) public {
        bits &= 0x3ff;
        uint256 signed;
        for (uint256 i = 0; i < 10; ++i) {
            signed += (bits >> i) & 1;
        }
        vm.assume(signed >= 7 && bits != 0x007f);
        (HC.Header[] memory hs, HC.QC[] memory qs) = block1(loadFixture(10));
        qs[0].signers = abi.encodePacked(uint8(bits), uint8(bits >> 8));
        vm.expectRevert(abi.encodeWithSelector(HC.BadSignature.selector, 1));
        c10.newBlocks(hs, qs);
    }

    /// Changing any header field (by a non-zero xor) breaks the QC.
    function testFuzz_tamperedHeaderField_rejected(uint256 field, uint256 delta) public {
        field = bound(field, 0, 4);
        vm.assume(uint64(delta) != 0);
        (HC.Header[] memory hs, HC.QC[] memory qs) = block1(loadFixture(4));
        HC.Header memory h = hs[0];
        if (field == 0) h.viewNumber ^= uint64(delta);
        else if (field == 1) h.payloadCommitment ^= bytes32(delta);
        else if (field == 2) h.timestampMs ^= uint64(delta);
        else if (field == 3) h.l1Head ^= uint64(delta);
        else h.nsTable = nsTable(bound(delta, 2, 6), delta);
        vm.expectRevert(abi.encodeWithSelector(HC.BadSignature.selector, 1));
        c4.newBlocks(hs, qs);
    }
}
