// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {IBatchVerifier} from "./verifier/IBatchVerifier.sol";

/// @notice The part of the block-commitments contract settlement reads: the highest height up to
/// which every sequencer block is certified. {HotShotCommitments} certifies heights contiguously
/// from genesis, so every height at or below `latestHeight()` is certified.
interface ICertifiedBlocks {
    /// @notice Height of the latest certified block (0 = genesis only).
    function latestHeight() external view returns (uint64);
}

/// @title Rollup settlement: batches committed, proven and executed on L1
/// @notice The rollup's state root on L1, advanced one batch at a time in three steps, after
/// zkSync Era's Executor facet:
/// 1. {commitBatch}: the next batch's claim (roots, transfer commitment, fee recipient, the
///    sequencer blocks it executed and its protocol version) is recorded; it must chain onto the
///    last committed batch and its blocks must be certified by the block-commitments contract;
/// 2. {proveBatches}: each batch's proof is checked by the verifier its protocol version names;
/// 3. {executeBatches}: proven batches are finalized in order, and the state root with them.
/// The owner registers protocol versions and may drop committed, unproven batches
/// ({revertBatches}).
/// @dev Only the hash of each committed batch is stored (`storedBatchHash`); callers pass the
/// {StoredBatch} itself, which the contract checks against the hash, as zkSync does. The hash is
/// keccak256(abi.encode(batch)). What a proof covers and what it does not is in the README
/// ("Settlement on L1").
contract RollupSettlement {
    /// BabyBear's modulus, 15·2^27 + 1: every statement element is below it.
    uint256 public constant BABYBEAR_P = 2013265921;
    /// Number of statement elements passed to a verifier (layout in {IBatchVerifier}).
    uint256 public constant STATEMENT_LEN = 42;

    /// @notice A batch as settlement knows it; `number` 0 is the genesis record.
    /// @param number Batch number, from 1 (0 = genesis).
    /// @param firstHeight First sequencer height the batch executed.
    /// @param lastHeight Last sequencer height the batch executed (inclusive).
    /// @param rootBefore State root before the batch (8 big-endian BabyBear words).
    /// @param rootAfter State root after the batch.
    /// @param commitment Poseidon2 commitment to the batch's ordered transfers.
    /// @param feeRecipient The account credited with every fee of the batch.
    /// @param protocolVersion The protocol version digest the batch is proven under (the registry
    ///        key; 8 big-endian BabyBear words of the Poseidon2 digest of the version string).
    struct StoredBatch {
        uint64 number;
        uint64 firstHeight;
        uint64 lastHeight;
        bytes32 rootBefore;
        bytes32 rootAfter;
        bytes32 commitment;
        address feeRecipient;
        bytes32 protocolVersion;
    }

    /// @notice A registered protocol version.
    /// @param verifier The contract that verifies proofs of batches committed under it.
    /// @param verifyingKeyHash The verifier's verifying-key hash at registration.
    /// @param name The version string, e.g. "sq-prover/0.4".
    struct ProtocolVersion {
        IBatchVerifier verifier;
        bytes32 verifyingKeyHash;
        string name;
    }

    /// @notice The block-commitments contract whose certified heights batches must lie under.
    ICertifiedBlocks public immutable blocks;
    /// @notice The account that registers protocol versions and may revert unproven batches.
    address public owner;
    /// @notice Batches committed, proven and executed so far (each counts from batch 1).
    uint64 public totalBatchesCommitted;
    /// @notice See {totalBatchesCommitted}.
    uint64 public totalBatchesProven;
    /// @notice See {totalBatchesCommitted}.
    uint64 public totalBatchesExecuted;
    /// @notice keccak256(abi.encode(StoredBatch)) per committed batch number (0 = genesis).
    mapping(uint64 number => bytes32) public storedBatchHash;
    /// @notice The registry: protocol version digest → verifier. Entries are never removed, so a
    /// batch committed under an old version stays provable after an upgrade.
    mapping(bytes32 protocolVersion => ProtocolVersion) private _versions;

    /// @notice Emitted when batch `number` is committed.
    event BatchCommitted(uint64 indexed number, bytes32 batchHash, bytes32 rootAfter, uint64 lastHeight);
    /// @notice Emitted when batch `number`'s proof is verified.
    event BatchProven(uint64 indexed number, bytes32 indexed protocolVersion, bytes32 verifyingKeyHash);
    /// @notice Emitted when batch `number` is executed: `rootAfter` is final.
    event BatchExecuted(uint64 indexed number, bytes32 rootAfter);
    /// @notice Emitted when committed batches above `newTotalCommitted` are dropped.
    event BatchesReverted(uint64 newTotalCommitted, uint64 oldTotalCommitted);
    /// @notice Emitted when the owner registers a protocol version.
    event ProtocolVersionAdded(
        bytes32 indexed protocolVersion, string name, address verifier, bytes32 verifyingKeyHash
    );
    /// @notice Emitted when ownership moves.
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

    /// The caller is not the owner.
    error NotOwner(address caller);
    /// The given stored batch is not the one recorded under its number.
    error BatchHashMismatch(uint64 number);
    /// The batch is not the next one to commit.
    error BatchNumberGap(uint64 expected, uint64 got);
    /// The batch was committed already (a replay).
    error AlreadyCommitted(uint64 number);
    /// The batch's root before is not the previous batch's root after.
    error WrongPreviousRoot(uint64 number, bytes32 expected, bytes32 got);
    /// The batch's first height does not follow the previous batch's last height.
    error BlockRangeGap(uint64 number, uint64 expectedFirst, uint64 gotFirst);
    /// The batch's block range is empty (last height below first).
    error EmptyBlockRange(uint64 number);
    /// The batch's last height is not certified yet.
    error BlocksNotCertified(uint64 number, uint64 lastHeight, uint64 latestCertified);
    /// A digest word is not a canonical BabyBear element (the proof could never match it).
    error NonCanonicalDigest(uint64 number, uint256 word);
    /// The protocol version is not registered.
    error UnknownProtocolVersion(bytes32 protocolVersion);
    /// The protocol version is registered already.
    error ProtocolVersionExists(bytes32 protocolVersion);
    /// The verifier's verifying-key hash is not the registered one.
    error VerifyingKeyMismatch(bytes32 expected, bytes32 got);
    /// The verifier address holds no code.
    error NotAContract(address verifier);
    /// The batch is not the next one to prove.
    error ProofOutOfOrder(uint64 expected, uint64 got);
    /// The batch was proven already (a replay).
    error AlreadyProven(uint64 number);
    /// The batch is not committed.
    error NotCommitted(uint64 number);
    /// The batch is not the next one to execute.
    error ExecutionOutOfOrder(uint64 expected, uint64 got);
    /// The batch was executed already (a replay).
    error AlreadyExecuted(uint64 number);
    /// The batch has no verified proof yet.
    error NotProven(uint64 number);
    /// Revert would drop a proven batch, or nothing.
    error CannotRevert(uint64 newTotalCommitted, uint64 totalProven, uint64 totalCommitted);
    /// Batches and proofs differ in count, or none were given.
    error BadArguments();

    modifier onlyOwner() {
        _onlyOwner();
        _;
    }

    /// @param blocks_ The block-commitments contract (today {HotShotCommitments}).
    /// @param genesis The genesis record: number 0, `rootAfter` the rollup's genesis state root,
    ///        `lastHeight` the sequencer height before the rollup's first batch.
    /// @dev Reverts BadArguments unless `genesis.number` is 0.
    constructor(ICertifiedBlocks blocks_, StoredBatch memory genesis) {
        if (genesis.number != 0) revert BadArguments();
        blocks = blocks_;
        owner = msg.sender;
        storedBatchHash[0] = keccak256(abi.encode(genesis));
        emit OwnershipTransferred(address(0), msg.sender);
    }

    // ------------------------------------------------------------------ registry (owner)

    /// @notice Registers protocol version `protocolVersion` with its verifier.
    /// @dev Reverts NotOwner, ProtocolVersionExists, NotAContract or VerifyingKeyMismatch (the
    /// verifier reports another key than `verifyingKeyHash`).
    function addProtocolVersion(
        bytes32 protocolVersion,
        string calldata name,
        IBatchVerifier verifier,
        bytes32 verifyingKeyHash
    ) external onlyOwner {
        if (address(_versions[protocolVersion].verifier) != address(0)) {
            revert ProtocolVersionExists(protocolVersion);
        }
        if (address(verifier).code.length == 0) revert NotAContract(address(verifier));
        bytes32 reported = verifier.verifyingKeyHash();
        if (reported != verifyingKeyHash) revert VerifyingKeyMismatch(verifyingKeyHash, reported);
        _versions[protocolVersion] = ProtocolVersion(verifier, verifyingKeyHash, name);
        emit ProtocolVersionAdded(protocolVersion, name, address(verifier), verifyingKeyHash);
    }

    /// @notice The registry entry of `protocolVersion` (a zero verifier when unknown).
    function protocolVersionInfo(bytes32 protocolVersion) external view returns (ProtocolVersion memory) {
        return _versions[protocolVersion];
    }

    /// @notice Moves ownership to `newOwner`.
    /// @dev Reverts NotOwner.
    function transferOwnership(address newOwner) external onlyOwner {
        emit OwnershipTransferred(owner, newOwner);
        owner = newOwner;
    }

    // ------------------------------------------------------------------ commit

    /// @notice Commits `batch`, the successor of the last committed batch `previous`.
    /// @dev Reverts BatchHashMismatch (`previous` is not the last committed batch as recorded),
    /// AlreadyCommitted, BatchNumberGap, WrongPreviousRoot, BlockRangeGap, EmptyBlockRange,
    /// BlocksNotCertified, UnknownProtocolVersion or NonCanonicalDigest; emits {BatchCommitted}.
    function commitBatch(StoredBatch calldata previous, StoredBatch calldata batch) external {
        uint64 last = totalBatchesCommitted;
        if (batch.number <= last) revert AlreadyCommitted(batch.number);
        if (batch.number != last + 1) revert BatchNumberGap(last + 1, batch.number);
        _checkStored(previous, last);
        if (batch.rootBefore != previous.rootAfter) {
            revert WrongPreviousRoot(batch.number, previous.rootAfter, batch.rootBefore);
        }
        if (batch.firstHeight != previous.lastHeight + 1) {
            revert BlockRangeGap(batch.number, previous.lastHeight + 1, batch.firstHeight);
        }
        if (batch.lastHeight < batch.firstHeight) revert EmptyBlockRange(batch.number);
        uint64 certified = blocks.latestHeight();
        if (batch.lastHeight > certified) revert BlocksNotCertified(batch.number, batch.lastHeight, certified);
        if (address(_versions[batch.protocolVersion].verifier) == address(0)) {
            revert UnknownProtocolVersion(batch.protocolVersion);
        }
        // The statement's digests must be field elements, or no proof could ever settle it.
        statement(batch);
        bytes32 h = keccak256(abi.encode(batch));
        storedBatchHash[batch.number] = h;
        totalBatchesCommitted = batch.number;
        emit BatchCommitted(batch.number, h, batch.rootAfter, batch.lastHeight);
    }

    // ------------------------------------------------------------------ prove

    /// @notice Verifies one proof per batch, in order from the next unproven batch.
    /// @param batches The committed batches, consecutive from `totalBatchesProven + 1`.
    /// @param proofs One proof per batch, same order.
    /// @dev Reverts BadArguments, AlreadyProven, ProofOutOfOrder, NotCommitted,
    /// BatchHashMismatch, VerifyingKeyMismatch, or the verifier's own error for a proof that does
    /// not verify; emits {BatchProven} per batch.
    function proveBatches(StoredBatch[] calldata batches, bytes[] calldata proofs) external {
        uint256 count = batches.length;
        if (count == 0 || count != proofs.length) revert BadArguments();
        uint64 proven = totalBatchesProven;
        for (uint256 i = 0; i < count; ++i) {
            StoredBatch calldata b = batches[i];
            if (b.number <= proven) revert AlreadyProven(b.number);
            if (b.number != proven + 1) revert ProofOutOfOrder(proven + 1, b.number);
            if (b.number > totalBatchesCommitted) revert NotCommitted(b.number);
            _checkStored(b, b.number);
            ProtocolVersion storage v = _versions[b.protocolVersion];
            bytes32 used = v.verifier.verifyBatchProof(proofs[i], statement(b));
            if (used != v.verifyingKeyHash) revert VerifyingKeyMismatch(v.verifyingKeyHash, used);
            proven = b.number;
            emit BatchProven(b.number, b.protocolVersion, used);
        }
        totalBatchesProven = proven;
    }

    // ------------------------------------------------------------------ execute

    /// @notice Finalizes proven batches in order, from the next unexecuted batch.
    /// @dev Reverts BadArguments, AlreadyExecuted, ExecutionOutOfOrder, NotProven or
    /// BatchHashMismatch; emits {BatchExecuted} per batch.
    function executeBatches(StoredBatch[] calldata batches) external {
        uint256 count = batches.length;
        if (count == 0) revert BadArguments();
        uint64 executed = totalBatchesExecuted;
        for (uint256 i = 0; i < count; ++i) {
            StoredBatch calldata b = batches[i];
            if (b.number <= executed) revert AlreadyExecuted(b.number);
            if (b.number != executed + 1) revert ExecutionOutOfOrder(executed + 1, b.number);
            if (b.number > totalBatchesProven) revert NotProven(b.number);
            _checkStored(b, b.number);
            executed = b.number;
            emit BatchExecuted(b.number, b.rootAfter);
        }
        totalBatchesExecuted = executed;
    }

    /// @notice Drops the committed, unproven batches above `newTotalCommitted`.
    /// @dev Reverts NotOwner, or CannotRevert when that would drop a proven batch or nothing;
    /// emits {BatchesReverted}.
    function revertBatches(uint64 newTotalCommitted) external onlyOwner {
        uint64 committed = totalBatchesCommitted;
        if (newTotalCommitted < totalBatchesProven || newTotalCommitted >= committed) {
            revert CannotRevert(newTotalCommitted, totalBatchesProven, committed);
        }
        for (uint64 n = newTotalCommitted + 1; n <= committed; ++n) {
            delete storedBatchHash[n];
        }
        totalBatchesCommitted = newTotalCommitted;
        emit BatchesReverted(newTotalCommitted, committed);
    }

    // ------------------------------------------------------------------ views

    /// @notice The state root of the last executed batch (the genesis root before any).
    /// @dev Needs the executed batch itself, since only hashes are stored: reverts
    /// BatchHashMismatch unless `lastExecuted` is batch `totalBatchesExecuted` as recorded.
    function finalizedRoot(StoredBatch calldata lastExecuted) external view returns (bytes32) {
        _checkStored(lastExecuted, totalBatchesExecuted);
        return lastExecuted.rootAfter;
    }

    /// @notice The statement a proof of `batch` must prove: {STATEMENT_LEN} BabyBear elements in
    /// the layout documented on {IBatchVerifier}.
    /// @dev Reverts NonCanonicalDigest when a root, commitment or version word is ≥ p.
    function statement(StoredBatch calldata batch) public pure returns (uint256[] memory s) {
        s = new uint256[](STATEMENT_LEN);
        uint256 n = batch.number;
        for (uint256 i = 0; i < 4; ++i) {
            s[i] = (n >> (16 * i)) & 0xffff;
        }
        _digest(s, 4, batch.rootBefore, batch.number);
        _digest(s, 12, batch.rootAfter, batch.number);
        _digest(s, 20, batch.commitment, batch.number);
        uint256 fee = uint256(uint160(batch.feeRecipient));
        for (uint256 i = 0; i < 5; ++i) {
            s[28 + i] = (fee >> (30 * i)) & 0x3fffffff;
        }
        s[33] = fee >> 150;
        _digest(s, 34, batch.protocolVersion, batch.number);
    }

    // ------------------------------------------------------------------ internals

    /// Writes the 8 big-endian uint32 words of `d` into s[at .. at + 8], each checked < p.
    function _digest(uint256[] memory s, uint256 at, bytes32 d, uint64 number) private pure {
        uint256 v = uint256(d);
        for (uint256 i = 0; i < 8; ++i) {
            uint256 word = (v >> (224 - 32 * i)) & 0xffffffff;
            if (word >= BABYBEAR_P) revert NonCanonicalDigest(number, word);
            s[at + i] = word;
        }
    }

    function _checkStored(StoredBatch calldata b, uint64 number) private view {
        if (b.number != number || keccak256(abi.encode(b)) != storedBatchHash[number]) {
            revert BatchHashMismatch(number);
        }
    }

    function _onlyOwner() private view {
        if (msg.sender != owner) revert NotOwner(msg.sender);
    }
}
