// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {BLS} from "./BLS.sol";

/// @title Permissionless stake table for sequencer nodes
/// @notice Anyone may register one BLS12-381 G1 key per address by depositing at least
/// {minDeposit} wei and proving possession of the key. Stake is counted in integer units, as the
/// Rust stake table does: stake = floor(deposit / minDeposit), so the minimum deposit buys 1 unit.
/// A node leaves with {deregister}, which starts an exit delay of {exitDelay} seconds
/// (block.timestamp), and then {withdraw}s its whole deposit.
/// @dev Proof of possession (PoP): a BLS signature with DST {BLS.POP_DST} over the 32-byte
/// message keccak256(abi.encodePacked("sq/pop/v1", pk128)). It stops rogue-key attacks on
/// aggregate signatures. Keys use the EIP-2537 encodings (128-byte G1, 256-byte G2 PoP).
/// A key can be registered once, ever, even after it has withdrawn.
contract StakeTable {
    /// @notice One registration.
    /// @param publicKey 128-byte EIP-2537 G1 public key.
    /// @param owner The address that registered it and may deregister and withdraw.
    /// @param stake Stake in units: floor(deposit / minDeposit).
    /// @param deposit Wei held for this node (0 after withdrawal).
    /// @param exitTime 0 while active; otherwise the time (seconds) from which it may withdraw.
    struct Node {
        bytes publicKey;
        address owner;
        uint64 stake;
        uint256 deposit;
        uint64 exitTime;
    }

    /// @notice Minimum deposit in wei; also the wei price of one stake unit.
    uint256 public immutable minDeposit;
    /// @notice Seconds between {deregister} and the earliest {withdraw}.
    uint64 public immutable exitDelay;

    /// All registrations ever, in registration order.
    Node[] private _nodes;
    /// Sum of the stakes of active nodes.
    uint256 private _totalStake;
    /// Number of active nodes.
    uint256 private _activeCount;
    /// Index + 1 of the caller's current (active or exiting, not withdrawn) node; 0 if none.
    mapping(address owner => uint256) private _nodeOf;
    /// keccak256(pk) of every key ever registered.
    mapping(bytes32 keyHash => bool) private _keyUsed;

    /// @notice A node registered.
    event Registered(uint256 indexed index, address indexed owner, bytes publicKey, uint64 stake, uint256 deposit);
    /// @notice A node left the active set; it may withdraw from `exitTime`.
    event Deregistered(uint256 indexed index, address indexed owner, uint64 exitTime);
    /// @notice A node's deposit was paid back.
    event Withdrawn(uint256 indexed index, address indexed owner, uint256 amount);

    /// The key is not 128 bytes or the PoP not 256 bytes.
    error InvalidPointLength();
    /// The key is not a canonical EIP-2537 encoding, or is the point at infinity.
    error InvalidPublicKey();
    /// The deposit is below {minDeposit}, or buys more than 2^64 - 1 stake units.
    error InvalidDeposit(uint256 deposit);
    /// The key was registered before.
    error DuplicateKey();
    /// The caller already has a node that has not withdrawn.
    error AlreadyRegistered();
    /// The PoP does not verify (also: key off the curve or outside the subgroup).
    error InvalidProofOfPossession();
    /// The caller has no node in the required state.
    error NotRegistered();
    /// The caller's node is already exiting.
    error AlreadyExiting();
    /// The exit delay has not passed; withdrawal is possible from `exitTime`.
    error ExitDelayNotOver(uint64 exitTime);
    /// Paying the deposit back failed.
    error TransferFailed();
    /// Constructor: {minDeposit} must be non-zero.
    error ZeroMinDeposit();

    /// @param minDeposit_ Minimum deposit in wei (> 0); one stake unit per minDeposit_ wei.
    /// @param exitDelay_ Seconds between deregistration and withdrawal.
    constructor(uint256 minDeposit_, uint64 exitDelay_) {
        if (minDeposit_ == 0) revert ZeroMinDeposit();
        minDeposit = minDeposit_;
        exitDelay = exitDelay_;
    }

    /// @notice Registers `pk` for the caller with msg.value as deposit.
    /// @param pk 128-byte EIP-2537 G1 public key.
    /// @param pop 256-byte EIP-2537 G2 proof of possession of `pk` (see contract docs).
    /// @return index The node's index for {node}.
    function register(bytes calldata pk, bytes calldata pop) external payable returns (uint256 index) {
        if (pk.length != BLS.G1_BYTES || pop.length != BLS.G2_BYTES) revert InvalidPointLength();
        if (!BLS.isFieldEncoding(pk) || BLS.isZero(pk)) revert InvalidPublicKey();
        uint256 units = msg.value / minDeposit;
        if (units == 0 || units > type(uint64).max) revert InvalidDeposit(msg.value);
        // casting to 'uint64' is safe because units <= type(uint64).max was just checked
        // forge-lint: disable-next-line(unsafe-typecast)
        uint64 stake = uint64(units);
        bytes32 keyHash = keccak256(pk);
        if (_keyUsed[keyHash]) revert DuplicateKey();
        if (_nodeOf[msg.sender] != 0) revert AlreadyRegistered();
        if (!BLS.verify(pk, abi.encodePacked(popMessage(pk)), pop, BLS.POP_DST)) revert InvalidProofOfPossession();

        index = _nodes.length;
        _nodes.push(Node({publicKey: pk, owner: msg.sender, stake: stake, deposit: msg.value, exitTime: 0}));
        _keyUsed[keyHash] = true;
        _nodeOf[msg.sender] = index + 1;
        _totalStake += stake;
        _activeCount += 1;
        emit Registered(index, msg.sender, pk, stake, msg.value);
    }

    /// @notice Removes the caller's node from the active set and starts its exit delay.
    function deregister() external {
        uint256 slot = _nodeOf[msg.sender];
        if (slot == 0) revert NotRegistered();
        Node storage n = _nodes[slot - 1];
        if (n.exitTime != 0) revert AlreadyExiting();
        uint64 exitTime = uint64(block.timestamp) + exitDelay;
        n.exitTime = exitTime;
        _totalStake -= n.stake;
        _activeCount -= 1;
        emit Deregistered(slot - 1, msg.sender, exitTime);
    }

    /// @notice Pays the caller's deposit back once its exit delay is over.
    function withdraw() external {
        uint256 slot = _nodeOf[msg.sender];
        if (slot == 0) revert NotRegistered();
        Node storage n = _nodes[slot - 1];
        if (n.exitTime == 0) revert NotRegistered();
        // A validator can skew the timestamp by seconds; exit delays are days.
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp < n.exitTime) revert ExitDelayNotOver(n.exitTime);
        uint256 amount = n.deposit;
        n.deposit = 0;
        delete _nodeOf[msg.sender];
        emit Withdrawn(slot - 1, msg.sender, amount);
        (bool ok,) = msg.sender.call{value: amount}("");
        if (!ok) revert TransferFailed();
    }

    /// @notice The 32-byte message whose signature under {BLS.POP_DST} proves possession of `pk`.
    function popMessage(bytes calldata pk) public pure returns (bytes32) {
        return keccak256(abi.encodePacked("sq/pop/v1", pk));
    }

    /// @notice Number of registrations ever (active, exiting and withdrawn); indices for {node}.
    function nodeCount() external view returns (uint256) {
        return _nodes.length;
    }

    /// @notice Number of active nodes (registered, not deregistered).
    function activeNodeCount() external view returns (uint256) {
        return _activeCount;
    }

    /// @notice Sum of the active nodes' stakes, in units.
    function totalStake() external view returns (uint256) {
        return _totalStake;
    }

    /// @notice Registration `index`.
    function node(uint256 index) external view returns (Node memory) {
        return _nodes[index];
    }

    /// @notice The active nodes' keys and stakes, in registration order: the stake table a
    /// network starts from (and what {HotShotCommitments} is constructed with).
    function snapshot() public view returns (bytes[] memory publicKeys, uint64[] memory stakes) {
        publicKeys = new bytes[](_activeCount);
        stakes = new uint64[](_activeCount);
        uint256 j;
        for (uint256 i = 0; i < _nodes.length; ++i) {
            Node storage n = _nodes[i];
            if (n.exitTime != 0) continue;
            publicKeys[j] = n.publicKey;
            stakes[j] = n.stake;
            ++j;
        }
    }

    /// @notice keccak256(concat over active nodes of (pk128 ‖ uint64 stake)), registration order;
    /// equals the Rust stake table commitment and {HotShotCommitments.stakeTableCommitment}.
    function snapshotCommitment() external view returns (bytes32) {
        (bytes[] memory publicKeys, uint64[] memory stakes) = snapshot();
        bytes memory blob;
        for (uint256 i = 0; i < publicKeys.length; ++i) {
            blob = bytes.concat(blob, publicKeys[i], bytes8(stakes[i]));
        }
        return keccak256(blob);
    }
}
