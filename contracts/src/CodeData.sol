// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

/// @title Immutable data kept as contract code
/// @notice Bytes too large for storage to be cheap (a verifying key's constraint programs) are
/// written once as the code of data contracts: each holds a STOP byte (so it cannot be called
/// into) followed by up to `CHUNK` bytes, and reading them back is `EXTCODECOPY` (2,600 gas per
/// cold contract plus 3 per word), far below `SLOAD`'s 2,100 per word.
library CodeData {
    /// Bytes of data per contract: the 24,576-byte code limit (EIP-170) less the STOP byte.
    uint256 internal constant CHUNK = 24_575;

    /// A data contract could not be created.
    error DataContractNotCreated(uint256 chunk);
    /// The chunks hold fewer bytes than asked for.
    error DataTooShort(uint256 expected, uint256 got);

    /// @notice Writes `data` into ⌈len/CHUNK⌉ new data contracts; returns their addresses in
    /// order. Reverts DataContractNotCreated.
    function write(bytes memory data) internal returns (address[] memory chunks) {
        uint256 n = (data.length + CHUNK - 1) / CHUNK;
        chunks = new address[](n);
        for (uint256 i = 0; i < n; ++i) {
            uint256 from = i * CHUNK;
            uint256 len = data.length - from < CHUNK ? data.length - from : CHUNK;
            bytes memory chunk = new bytes(len);
            assembly ("memory-safe") {
                mcopy(add(chunk, 32), add(add(data, 32), from), len)
            }
            chunks[i] = deploy(chunk);
            if (chunks[i] == address(0)) revert DataContractNotCreated(i);
        }
    }

    /// @notice Creates one data contract holding `data` (at most CHUNK bytes) behind a STOP
    /// byte; returns its address, or zero when it could not be created (the caller names the
    /// error).
    function deploy(bytes memory data) internal returns (address addr) {
        // PUSH2 len+1; DUP1; PUSH1 10; PUSH0; CODECOPY; PUSH0; RETURN (10 bytes), then the
        // runtime code: STOP and the data.
        bytes memory init = abi.encodePacked(hex"61", uint16(data.length + 1), hex"80600a5f395ff300", data);
        assembly ("memory-safe") {
            addr := create(0, add(init, 32), mload(init))
        }
    }

    /// @notice The first `length` bytes held by `chunks` (written by {write}), concatenated.
    /// Reverts DataTooShort when they hold fewer.
    function read(address[] memory chunks, uint256 length) internal view returns (bytes memory data) {
        data = new bytes(length);
        uint256 at = 0;
        for (uint256 i = 0; i < chunks.length && at < length; ++i) {
            address a = chunks[i];
            uint256 size = a.code.length;
            uint256 len = size == 0 ? 0 : size - 1;
            if (len > length - at) len = length - at;
            assembly ("memory-safe") {
                extcodecopy(a, add(add(data, 32), at), 1, len)
            }
            at += len;
        }
        if (at != length) revert DataTooShort(length, at);
    }
}
