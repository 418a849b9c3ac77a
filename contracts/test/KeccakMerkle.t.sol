// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {Base} from "./Base.sol";
import {BabyBear} from "../src/verifier/BabyBear.sol";
import {KeccakMerkle as M} from "../src/verifier/KeccakMerkle.sol";

/// Calls the library through an external function, so that its reverts can be expected.
contract MerkleHarness {
    function verify(
        bytes32 root,
        uint256[] memory heights,
        uint256[] memory widths,
        uint256[] memory indices,
        uint256[] memory values,
        bytes32[] memory siblings
    ) external pure {
        M.verifyMultiBatch(root, heights, widths, indices, values, siblings);
    }
}

/// On-chain Merkle multi-openings agree with Plonky3's: every opening recorded from Rust
/// (`sq_prover_circuits::l1_merkle_fixture`, accepted there by `verify_multi_batch`) verifies
/// here, and each kind of tamper reverts with its own error.
contract KeccakMerkleTest is Base {
    /// One fixture case (`MerkleOpeningCase` in Rust).
    struct Case {
        bytes32 root;
        uint256[] heights;
        uint256[] widths;
        uint256[] indices;
        uint256[] values;
        bytes32[] siblings;
    }

    /// Heights 16, 8, 16, 2, 1; widths 3, 5, 2, 1, 2; queries 5, 3, 4, 5, 12, 15, 0.
    uint256 internal constant MIXED = 0;
    /// One column of 8 rows; query 6.
    uint256 internal constant SINGLE = 1;
    /// Heights 4096 and 1024, widths 8 and 4, 27 queries.
    uint256 internal constant FRI_SIZED = 2;
    /// Elements per query in MIXED (3 + 5 + 2 + 1 + 2).
    uint256 internal constant MIXED_ROW = 13;

    MerkleHarness internal h;

    function setUp() public {
        h = new MerkleHarness();
    }

    function load(uint256 i) internal view returns (Case memory c) {
        string memory json = vm.readFile("test/fixtures/l1_merkle.json");
        string memory k = string.concat(".cases[", vm.toString(i), "]");
        c.root = vm.parseJsonBytes32(json, string.concat(k, ".root"));
        c.heights = vm.parseJsonUintArray(json, string.concat(k, ".heights"));
        c.widths = vm.parseJsonUintArray(json, string.concat(k, ".widths"));
        c.indices = vm.parseJsonUintArray(json, string.concat(k, ".indices"));
        c.values = vm.parseJsonUintArray(json, string.concat(k, ".values"));
        c.siblings = vm.parseJsonBytes32Array(json, string.concat(k, ".siblings"));
    }

    function verify(Case memory c) internal view {
        h.verify(c.root, c.heights, c.widths, c.indices, c.values, c.siblings);
    }

    function expectRejected(Case memory c, bytes memory err) internal {
        vm.expectRevert(err);
        h.verify(c.root, c.heights, c.widths, c.indices, c.values, c.siblings);
    }

    /// Expects RootMismatch(c.root, anything): the digest computed from a tamper is not known
    /// in advance, so the revert data is matched on its selector and first argument.
    function expectRootMismatch(Case memory c) internal view {
        try h.verify(c.root, c.heights, c.widths, c.indices, c.values, c.siblings) {
            fail("verified");
        } catch (bytes memory err) {
            assertEq(bytes32(bytes4(err)), bytes32(M.RootMismatch.selector), "RootMismatch");
            bytes32 expected;
            assembly ("memory-safe") {
                expected := mload(add(err, 36))
            }
            assertEq(expected, c.root, "the committed root");
        }
    }

    /// The value at element `col` of matrix `m`'s row in query `q` of MIXED.
    function mixedAt(uint256 q, uint256 m, uint256 col) internal pure returns (uint256) {
        uint256[5] memory offsets = [uint256(0), 3, 8, 10, 11];
        return q * MIXED_ROW + offsets[m] + col;
    }

    function bump(uint256 x) internal pure returns (uint256) {
        return (x + 1) % BabyBear.P;
    }

    function test_acceptsEveryPlonky3Opening() public view {
        string[3] memory names = ["mixed", "single", "fri_sized"];
        for (uint256 i = 0; i < 3; ++i) {
            Case memory c = load(i);
            uint256 before = gasleft();
            verify(c);
            log(string.concat("gas of verifyMultiBatch, ", names[i]), before - gasleft());
        }
    }

    function test_rejectsATamperedLeafRow() public view {
        Case memory c = load(MIXED);
        // Query 1 (leaf 3) is opened once; matrix 0 is in the leaf layer.
        c.values[mixedAt(1, 0, 0)] = bump(c.values[mixedAt(1, 0, 0)]);
        expectRootMismatch(c);
    }

    function test_rejectsATamperedInjectedRow() public view {
        Case memory c = load(MIXED);
        // Matrix 4 (height 1) is injected at the root and read by every query: change it in
        // all of them alike, so only the root can catch it.
        for (uint256 q = 0; q < c.indices.length; ++q) {
            c.values[mixedAt(q, 4, 1)] = bump(c.values[mixedAt(q, 4, 1)]);
        }
        expectRootMismatch(c);
    }

    function test_rejectsATamperedSibling() public view {
        Case memory c = load(MIXED);
        c.siblings[c.siblings.length - 1] ^= bytes32(uint256(1));
        expectRootMismatch(c);
    }

    function test_rejectsAnotherIndex() public view {
        Case memory c = load(SINGLE);
        c.indices[0] = 7;
        expectRootMismatch(c);
    }

    function test_rejectsReorderedMatrices() public view {
        Case memory c = load(MIXED);
        // Swap the two height-16 matrices (widths 3 and 2) in the shape and in every row.
        (c.widths[0], c.widths[2]) = (c.widths[2], c.widths[0]);
        uint256[] memory v = new uint256[](c.values.length);
        for (uint256 q = 0; q < c.indices.length; ++q) {
            uint256 b = q * MIXED_ROW;
            for (uint256 j = 0; j < 2; ++j) {
                v[b + j] = c.values[b + 8 + j];
            }
            for (uint256 j = 0; j < 5; ++j) {
                v[b + 2 + j] = c.values[b + 3 + j];
            }
            for (uint256 j = 0; j < 3; ++j) {
                v[b + 7 + j] = c.values[b + j];
            }
            for (uint256 j = 10; j < MIXED_ROW; ++j) {
                v[b + j] = c.values[b + j];
            }
        }
        c.values = v;
        expectRootMismatch(c);
    }

    function test_rejectsAMissingOrAnExtraSibling() public {
        Case memory c = load(MIXED);
        uint256 n = c.siblings.length;
        bytes32[] memory full = c.siblings;
        c.siblings = new bytes32[](n - 1);
        for (uint256 i = 0; i + 1 < n; ++i) {
            c.siblings[i] = full[i];
        }
        expectRejected(c, abi.encodeWithSelector(M.SiblingCountMismatch.selector, n, n - 1));
        c.siblings = new bytes32[](n + 1);
        for (uint256 i = 0; i < n; ++i) {
            c.siblings[i] = full[i];
        }
        expectRejected(c, abi.encodeWithSelector(M.SiblingCountMismatch.selector, n, n + 1));
    }

    function test_rejectsDisagreeingRepeatsOfOneLeaf() public {
        Case memory c = load(MIXED);
        // Queries 0 and 3 both open leaf 5.
        c.values[mixedAt(3, 1, 2)] = bump(c.values[mixedAt(3, 1, 2)]);
        expectRejected(c, abi.encodeWithSelector(M.InconsistentDuplicateOpening.selector, 5));
    }

    function test_rejectsMergedPathsDisagreeingOnAnInjectedRow() public {
        Case memory c = load(MIXED);
        // Matrix 3 (height 2) enters at layer 3, where leaves 0, 3, 4 and 5 share a node led by
        // leaf 0; query 1 (leaf 3) claims another row 0 of it.
        c.values[mixedAt(1, 3, 0)] = bump(c.values[mixedAt(1, 3, 0)]);
        expectRejected(c, abi.encodeWithSelector(M.InconsistentGroupOpening.selector, 3, 3));
    }

    function test_rejectsAValueOutsideTheField() public {
        Case memory c = load(MIXED);
        c.values[mixedAt(1, 0, 0)] = BabyBear.P;
        expectRejected(c, abi.encodeWithSelector(BabyBear.NotAFieldElement.selector, BabyBear.P));
    }

    /// Rows of 8 are serialized eight values to a word: a value outside the field in that word
    /// (the first of two is named) or in a shorter row is still caught.
    function test_rejectsAValueOutsideTheFieldInAPackedRow() public {
        Case memory c = load(FRI_SIZED);
        // Query 2's rows: the width-8 matrix's (one packed word), then the width-4 one's.
        c.values[2 * 12 + 7] = BabyBear.P;
        c.values[2 * 12 + 5] = 2 ** 31 - 1;
        expectRejected(c, abi.encodeWithSelector(BabyBear.NotAFieldElement.selector, 2 ** 31 - 1));
        c = load(FRI_SIZED);
        c.values[2 * 12 + 8 + 3] = 2 ** 64;
        expectRejected(c, abi.encodeWithSelector(BabyBear.NotAFieldElement.selector, 2 ** 64));
    }

    function test_rejectsAnIndexOutOfBounds() public {
        Case memory c = load(SINGLE);
        c.indices[0] = 8;
        expectRejected(c, abi.encodeWithSelector(M.IndexOutOfBounds.selector, 8, 8));
    }

    function test_rejectsRowsOfTheWrongSize() public {
        Case memory c = load(MIXED);
        c.widths[1] = 4;
        uint256 n = c.indices.length;
        expectRejected(c, abi.encodeWithSelector(M.WrongBatchSize.selector, n * (MIXED_ROW - 1), n * MIXED_ROW));
    }

    function test_rejectsBadShapes() public {
        Case memory c = load(MIXED);
        c.heights[3] = 3;
        expectRejected(c, abi.encodeWithSelector(M.UnsupportedHeight.selector, 3, 3));
        c.heights[3] = 0;
        expectRejected(c, abi.encodeWithSelector(M.UnsupportedHeight.selector, 3, 0));
        c.heights[3] = 2 ** 65;
        expectRejected(c, abi.encodeWithSelector(M.UnsupportedHeight.selector, 3, 2 ** 65));
        c.heights = new uint256[](4);
        expectRejected(c, abi.encodeWithSelector(M.ShapeMismatch.selector, 4, 5));
        c.heights = new uint256[](0);
        expectRejected(c, abi.encodeWithSelector(M.NoMatrices.selector));
    }

    function test_noQueriesNeedNoSiblings() public {
        Case memory c = load(MIXED);
        c.indices = new uint256[](0);
        c.values = new uint256[](0);
        bytes32[] memory siblings = c.siblings;
        c.siblings = new bytes32[](0);
        verify(c);
        c.siblings = siblings;
        expectRejected(c, abi.encodeWithSelector(M.SiblingCountMismatch.selector, 0, siblings.length));
    }

    /// A single-row tree has no levels: its root is the hash of the row.
    function test_aOneRowCommitmentIsItsRowHash() public view {
        Case memory c;
        c.heights = new uint256[](1);
        c.heights[0] = 1;
        c.widths = new uint256[](1);
        c.widths[0] = 2;
        c.indices = new uint256[](1);
        c.values = new uint256[](2);
        c.values[0] = 1;
        c.values[1] = BabyBear.P - 1;
        c.siblings = new bytes32[](0);
        c.root = keccak256(
            abi.encodePacked(
                bytes4(uint32(BabyBear.serialized(1))), bytes4(uint32(BabyBear.serialized(BabyBear.P - 1)))
            )
        );
        verify(c);
    }

    /// No single change to an opened value, a sibling or a query index verifies.
    function testFuzz_noSingleChangeVerifies(uint256 what, uint256 at, uint256 delta) public {
        Case memory c = load(MIXED);
        what = what % 3;
        if (what == 0) {
            at = at % c.values.length;
            c.values[at] = (c.values[at] + bound(delta, 1, BabyBear.P - 1)) % BabyBear.P;
        } else if (what == 1) {
            at = at % c.siblings.length;
            c.siblings[at] ^= bytes32(bound(delta, 1, type(uint256).max));
        } else {
            at = at % c.indices.length;
            c.indices[at] = (c.indices[at] + bound(delta, 1, 15)) % 16;
        }
        vm.expectRevert();
        h.verify(c.root, c.heights, c.widths, c.indices, c.values, c.siblings);
    }
}
