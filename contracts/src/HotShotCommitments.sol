// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {BLS} from "./BLS.sol";
import {CodeData} from "./CodeData.sol";

/// @title HotShot-style block commitments, certified by BLS quorum certificates
/// @notice Stores the commitment of every certified sequencer block by height. A block is accepted
/// when it extends the latest stored block and carries a quorum certificate (QC): an aggregate
/// BLS12-381 min-pk signature (EIP-2537) by signers holding more than two thirds of the stake of
/// the stake-table snapshot frozen at construction.
/// @dev Encodings (all integers big-endian, matching the Rust `sq-types` crate byte for byte):
/// - header commitment = keccak256(abi.encodePacked(uint64 height, uint64 view, bytes32 parent,
///   bytes32 payloadCommitment, uint64 timestampMs, uint64 l1Head, bytes nsTable)), where nsTable
///   is `uint32 count ‖ count × (uint64 namespace ‖ uint32 end)`;
/// - quorum digest (the signed 32-byte message, DST {BLS.SIG_DST}) =
///   keccak256(abi.encodePacked("sq/quorum/v1", uint64 view, uint64 height, bytes32 commitment));
/// - signer bitmap: bit i is `byte[i / 8] >> (i % 8) & 1`, exactly ⌈n/8⌉ bytes, unused bits zero;
/// - stake table commitment = keccak256(concat over nodes of (pk128 ‖ uint64 stake)).
/// The snapshot (the commitment preimage) is kept as contract code in chunks of
/// {NODES_PER_CHUNK} nodes ("SSTORE2"), so reading a signer's key costs an EXTCODECOPY, not four
/// cold SLOADs.
contract HotShotCommitments {
    /// @notice A sequencer block header, as committed to by the Rust `Header::commit`.
    /// @param height Chain position; genesis is 0.
    /// @param viewNumber The consensus view that proposed the block (`view` is a Solidity keyword).
    /// @param parent Commitment of the parent header.
    /// @param payloadCommitment Commitment to the block payload.
    /// @param timestampMs Unix time in milliseconds.
    /// @param l1Head L1 block number the block refers to.
    /// @param nsTable Encoded namespace table (`uint32 count ‖ count × (uint64 ‖ uint32)`).
    struct Header {
        uint64 height;
        uint64 viewNumber;
        bytes32 parent;
        bytes32 payloadCommitment;
        uint64 timestampMs;
        uint64 l1Head;
        bytes nsTable;
    }

    /// @notice A quorum certificate over a header's quorum digest.
    /// @param signers Signer bitmap over the snapshot (LSB first, ⌈n/8⌉ bytes).
    /// @param signature 256-byte EIP-2537 G2 aggregate signature.
    struct QC {
        bytes signers;
        bytes signature;
    }

    /// Bytes per snapshot entry: 128-byte G1 key ‖ 8-byte stake.
    uint256 public constant NODE_BYTES = 136;
    /// Snapshot entries per code chunk: 1 + 180 × 136 = 24481 bytes ≤ the EIP-170 limit of 24576.
    uint256 public constant NODES_PER_CHUNK = 180;
    /// Largest supported snapshot (the Rust `limits::MAX_NODES`).
    uint256 public constant MAX_NODES = 4096;

    /// @notice Emitted once per successful {newBlocks} call.
    /// @param firstHeight Height of the first block stored.
    /// @param count Number of consecutive blocks stored.
    event NewBlocks(uint64 firstHeight, uint64 count);

    /// Constructor: the key and stake arrays differ in length.
    error ArrayLengthMismatch();
    /// Constructor: zero nodes, or more than {MAX_NODES}.
    error BadNodeCount(uint256 count);
    /// Constructor: key `index` is malformed, infinity, off the curve or outside the subgroup.
    error InvalidPublicKey(uint256 index);
    /// Constructor: node `index` has zero stake.
    error ZeroStake(uint256 index);
    /// Constructor: storing the snapshot as code failed.
    error SnapshotDeployFailed();
    /// newBlocks: empty batch, or headers and QCs differ in number.
    error BadBatch();
    /// newBlocks: `height` is already certified (replay).
    error AlreadyCertified(uint64 height);
    /// newBlocks: a header skips heights; `expected` is the next height to certify.
    error HeightGap(uint64 expected, uint64 got);
    /// newBlocks: the header at `height` does not extend the block stored at `height - 1`.
    error WrongParent(uint64 height, bytes32 expected, bytes32 got);
    /// newBlocks: the namespace table length does not match its count.
    error MalformedNsTable(uint64 height);
    /// newBlocks: the signer bitmap has the wrong length or bits set past the node count.
    error InvalidSignerBitmap(uint64 height);
    /// newBlocks: signers hold `signed` of `total` stake; need 3·signed > 2·total.
    error InsufficientStake(uint64 height, uint256 signed, uint256 total);
    /// newBlocks: the aggregate signature does not verify.
    error BadSignature(uint64 height);

    /// @notice keccak256 of the snapshot (pk128 ‖ uint64 stake per node) this contract checks QCs against.
    bytes32 public immutable stakeTableCommitment;
    /// @notice Number of nodes in the snapshot.
    uint256 public immutable nodeCount;
    /// @notice Sum of the snapshot's stakes.
    uint256 public immutable totalStake;

    /// Code chunks holding the snapshot (each: a STOP byte, then up to NODES_PER_CHUNK entries).
    address[] private _chunks;
    /// Certified header commitments by height.
    mapping(uint64 height => bytes32) private _commitments;
    /// Height of the latest certified block.
    uint64 private _latestHeight;

    /// @param publicKeys The snapshot's 128-byte EIP-2537 G1 keys, in stake-table order (bitmap
    /// index i is publicKeys[i]); each must be a valid subgroup point, not infinity.
    /// @param stakes The snapshot's stakes (non-zero integer units, as in the Rust stake table).
    /// @param genesis The genesis leaf commitment, stored at height 0.
    constructor(bytes[] memory publicKeys, uint64[] memory stakes, bytes32 genesis) {
        uint256 n = publicKeys.length;
        if (n != stakes.length) revert ArrayLengthMismatch();
        if (n == 0 || n > MAX_NODES) revert BadNodeCount(n);
        bytes memory blob = new bytes(n * NODE_BYTES);
        uint256 total;
        for (uint256 i = 0; i < n; ++i) {
            bytes memory pk = publicKeys[i];
            uint256 stake = stakes[i];
            if (!BLS.isValidPublicKey(pk)) revert InvalidPublicKey(i);
            if (stake == 0) revert ZeroStake(i);
            assembly ("memory-safe") {
                let at := add(add(blob, 32), mul(i, 136))
                mcopy(at, add(pk, 32), 128)
                // 8-byte big-endian stake, keeping the 24 bytes that follow it.
                mstore(add(at, 128), or(shl(192, stake), shr(64, mload(add(at, 136)))))
            }
            total += stake;
        }
        stakeTableCommitment = keccak256(blob);
        nodeCount = n;
        totalStake = total;
        for (uint256 start = 0; start < n; start += NODES_PER_CHUNK) {
            uint256 end = start + NODES_PER_CHUNK < n ? start + NODES_PER_CHUNK : n;
            _chunks.push(_deployData(_slice(blob, start * NODE_BYTES, end * NODE_BYTES)));
        }
        _commitments[0] = genesis;
    }

    /// @notice Height of the latest certified block (0 = genesis only).
    function latestHeight() external view returns (uint64) {
        return _latestHeight;
    }

    /// @notice Commitment of the certified block at `height`; zero if not certified yet.
    function commitmentAt(uint64 height) external view returns (bytes32) {
        return _commitments[height];
    }

    /// @notice The snapshot entry of node `index`: its 128-byte key and its stake.
    function node(uint256 index) external view returns (bytes memory publicKey, uint64 stake) {
        require(index < nodeCount, "index out of range");
        address chunk = _chunks[index / NODES_PER_CHUNK];
        bytes memory entry = new bytes(NODE_BYTES);
        uint256 offset = 1 + (index % NODES_PER_CHUNK) * NODE_BYTES;
        assembly ("memory-safe") {
            extcodecopy(chunk, add(entry, 32), offset, 136)
            stake := shr(192, mload(add(entry, 160)))
            mstore(entry, 128)
        }
        publicKey = entry;
    }

    /// @notice Certifies consecutive blocks: for each header, in order, checks that it is the next
    /// height and extends the latest block, then verifies its QC over the header's quorum digest.
    /// @param headers Headers of heights latestHeight()+1, +2, …
    /// @param qcs One QC per header, same order.
    /// @dev Reverts with AlreadyCertified, HeightGap, WrongParent, MalformedNsTable,
    /// InvalidSignerBitmap, InsufficientStake or BadSignature; emits {NewBlocks}.
    function newBlocks(Header[] calldata headers, QC[] calldata qcs) external {
        uint256 count = headers.length;
        if (count == 0 || count != qcs.length) revert BadBatch();
        uint64 height = _latestHeight;
        bytes32 parent = _commitments[height];
        address[] memory chunks = _chunks;
        uint256 fmp;
        assembly ("memory-safe") {
            fmp := mload(0x40)
        }
        for (uint256 k = 0; k < count; ++k) {
            Header calldata h = headers[k];
            if (h.height <= height) revert AlreadyCertified(h.height);
            if (h.height != height + 1) revert HeightGap(height + 1, h.height);
            if (h.parent != parent) revert WrongParent(h.height, parent, h.parent);
            bytes32 commitment = headerCommitment(h);
            _verifyQc(h.height, quorumDigest(h.viewNumber, h.height, commitment), qcs[k], chunks);
            height = h.height;
            parent = commitment;
            _commitments[height] = commitment;
            // Nothing allocated in this iteration is used later: release it, so that memory
            // (and its quadratic expansion cost) does not grow with the batch.
            assembly ("memory-safe") {
                mstore(0x40, fmp)
            }
        }
        _latestHeight = height;
        // casting to 'uint64' is safe because the batch advanced a uint64 height by count
        // forge-lint: disable-next-line(unsafe-typecast)
        emit NewBlocks(headers[0].height, uint64(count));
    }

    /// @notice The canonical header encoding (96 + nsTable.length bytes).
    /// @dev Reverts MalformedNsTable unless nsTable is `uint32 count` followed by 12·count bytes.
    function encodeHeader(Header calldata h) public pure returns (bytes memory) {
        bytes calldata ns = h.nsTable;
        if (ns.length < 4 || ns.length != 4 + 12 * uint256(uint32(bytes4(ns[:4])))) {
            revert MalformedNsTable(h.height);
        }
        return abi.encodePacked(h.height, h.viewNumber, h.parent, h.payloadCommitment, h.timestampMs, h.l1Head, ns);
    }

    /// @notice The header commitment: keccak256 of {encodeHeader}.
    function headerCommitment(Header calldata h) public pure returns (bytes32) {
        return keccak256(encodeHeader(h));
    }

    /// @notice The 32-byte message a quorum signs for the block `commitment` at (`viewNumber`, `height`).
    function quorumDigest(uint64 viewNumber, uint64 height, bytes32 commitment) public pure returns (bytes32) {
        return keccak256(abi.encodePacked("sq/quorum/v1", viewNumber, height, commitment));
    }

    /// Checks the bitmap and stake of `qc`, aggregates the signers' keys, and verifies the signature.
    function _verifyQc(uint64 height, bytes32 digest, QC calldata qc, address[] memory chunks) private view {
        uint256 n = nodeCount;
        bytes calldata bitmap = qc.signers;
        if (bitmap.length != (n + 7) / 8) revert InvalidSignerBitmap(height);
        if (n % 8 != 0 && uint8(bitmap[bitmap.length - 1]) >> (n % 8) != 0) revert InvalidSignerBitmap(height);
        (bytes memory apk, uint256 signed) = _aggregate(bitmap, n, chunks);
        if (3 * signed <= 2 * totalStake) revert InsufficientStake(height, signed, totalStake);
        if (!BLS.verify(apk, abi.encodePacked(digest), qc.signature, BLS.SIG_DST)) revert BadSignature(height);
    }

    /// Sums the keys (G1ADD) and stakes of the nodes whose bits are set. An empty set yields the
    /// point at infinity, which {BLS.verify} rejects.
    function _aggregate(bytes calldata bitmap, uint256 n, address[] memory chunks)
        private
        view
        returns (bytes memory apk, uint256 signed)
    {
        apk = new bytes(128);
        bool ok = true;
        assembly ("memory-safe") {
            // buf[0..128] = running sum, buf[128..256] = next key, buf[256..264] = its stake.
            let buf := mload(0x40)
            mstore(0x40, add(buf, 288))
            calldatacopy(buf, calldatasize(), 128) // zero the accumulator (infinity)
            let first := 1
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                if and(shr(mod(i, 8), byte(0, calldataload(add(bitmap.offset, shr(3, i))))), 1) {
                    let chunk := mload(add(add(chunks, 32), mul(32, div(i, NODES_PER_CHUNK))))
                    let offset := add(1, mul(mod(i, NODES_PER_CHUNK), NODE_BYTES))
                    switch first
                    case 1 {
                        extcodecopy(chunk, buf, offset, 128)
                        extcodecopy(chunk, add(buf, 256), add(offset, 128), 8)
                        first := 0
                    }
                    default {
                        extcodecopy(chunk, add(buf, 128), offset, 136)
                        // 0x0b = EIP-2537 G1ADD: buf[0..128] += buf[128..256]
                        ok := and(ok, staticcall(gas(), 0x0b, buf, 256, buf, 128))
                    }
                    signed := add(signed, shr(192, mload(add(buf, 256))))
                }
            }
            mcopy(add(apk, 32), buf, 128)
        }
        // Snapshot keys are valid subgroup points, so G1ADD cannot fail.
        require(ok, "G1ADD failed");
    }

    /// Stores `data` as the code of a new contract, behind a STOP byte so it cannot be executed.
    function _deployData(bytes memory data) private returns (address addr) {
        addr = CodeData.deploy(data);
        if (addr == address(0)) revert SnapshotDeployFailed();
    }

    /// Copies data[from..to].
    function _slice(bytes memory data, uint256 from, uint256 to) private pure returns (bytes memory out) {
        out = new bytes(to - from);
        assembly ("memory-safe") {
            mcopy(add(out, 32), add(add(data, 32), from), sub(to, from))
        }
    }
}
