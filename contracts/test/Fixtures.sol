// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {Base} from "./Base.sol";
import {HotShotCommitments} from "../src/HotShotCommitments.sol";

/// @notice Loads `test/fixtures/qc_n{N}.json` (written by the Rust `l1_fixtures` example: real
/// keys, PoPs, headers and QCs) into the contract's types.
abstract contract Fixtures is Base {
    struct Key {
        bytes pk;
        bytes pop;
        bytes32 popMessage;
        uint64 stake;
    }

    struct Fixture {
        Key[] keys;
        bytes32 stakeTableCommitment;
        uint256 quorum;
        bytes32 genesis;
        HotShotCommitments.Header[] headers;
        HotShotCommitments.QC[] qcs;
        bytes32[] commitments;
        bytes32[] digests;
    }

    /// Blocks per fixture file.
    uint256 internal constant FIXTURE_BLOCKS = 3;

    function loadFixture(uint256 n) internal view returns (Fixture memory f) {
        string memory json = vm.readFile(string.concat("test/fixtures/qc_n", vm.toString(n), ".json"));
        f.keys = new Key[](n);
        for (uint256 i = 0; i < n; ++i) {
            string memory p = string.concat(".keys[", vm.toString(i), "]");
            f.keys[i] = Key({
                pk: vm.parseJsonBytes(json, string.concat(p, ".pk")),
                pop: vm.parseJsonBytes(json, string.concat(p, ".pop")),
                popMessage: vm.parseJsonBytes32(json, string.concat(p, ".popMessage")),
                stake: uint64(vm.parseJsonUint(json, string.concat(p, ".stake")))
            });
        }
        f.stakeTableCommitment = vm.parseJsonBytes32(json, ".stakeTableCommitment");
        f.quorum = vm.parseJsonUint(json, ".quorum");
        f.genesis = vm.parseJsonBytes32(json, ".genesis");
        f.headers = new HotShotCommitments.Header[](FIXTURE_BLOCKS);
        f.qcs = new HotShotCommitments.QC[](FIXTURE_BLOCKS);
        f.commitments = new bytes32[](FIXTURE_BLOCKS);
        f.digests = new bytes32[](FIXTURE_BLOCKS);
        for (uint256 b = 0; b < FIXTURE_BLOCKS; ++b) {
            string memory p = string.concat(".blocks[", vm.toString(b), "]");
            f.headers[b] = HotShotCommitments.Header({
                height: uint64(vm.parseJsonUint(json, string.concat(p, ".height"))),
                viewNumber: uint64(vm.parseJsonUint(json, string.concat(p, ".view"))),
                parent: vm.parseJsonBytes32(json, string.concat(p, ".parent")),
                payloadCommitment: vm.parseJsonBytes32(json, string.concat(p, ".payloadCommitment")),
                timestampMs: uint64(vm.parseJsonUint(json, string.concat(p, ".timestampMs"))),
                l1Head: uint64(vm.parseJsonUint(json, string.concat(p, ".l1Head"))),
                nsTable: vm.parseJsonBytes(json, string.concat(p, ".nsTable"))
            });
            f.qcs[b] = HotShotCommitments.QC({
                signers: vm.parseJsonBytes(json, string.concat(p, ".qc.signers")),
                signature: vm.parseJsonBytes(json, string.concat(p, ".qc.signature"))
            });
            f.commitments[b] = vm.parseJsonBytes32(json, string.concat(p, ".commitment"));
            f.digests[b] = vm.parseJsonBytes32(json, string.concat(p, ".qc.digest"));
        }
    }

    function publicKeys(Fixture memory f) internal pure returns (bytes[] memory pks, uint64[] memory stakes) {
        pks = new bytes[](f.keys.length);
        stakes = new uint64[](f.keys.length);
        for (uint256 i = 0; i < f.keys.length; ++i) {
            pks[i] = f.keys[i].pk;
            stakes[i] = f.keys[i].stake;
        }
    }

    function deployCommitments(Fixture memory f) internal returns (HotShotCommitments c) {
        (bytes[] memory pks, uint64[] memory stakes) = publicKeys(f);
        c = new HotShotCommitments(pks, stakes, f.genesis);
    }

    /// The first `count` headers/QCs starting at block index `from`.
    function batch(Fixture memory f, uint256 from, uint256 count)
        internal
        pure
        returns (HotShotCommitments.Header[] memory hs, HotShotCommitments.QC[] memory qs)
    {
        hs = new HotShotCommitments.Header[](count);
        qs = new HotShotCommitments.QC[](count);
        for (uint256 i = 0; i < count; ++i) {
            hs[i] = f.headers[from + i];
            qs[i] = f.qcs[from + i];
        }
    }
}
