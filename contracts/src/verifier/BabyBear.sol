// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

/// @title BabyBear's byte encoding in the L1 configuration
/// @notice The prime field p = 15·2^27 + 1 of the prover's proofs. Plonky3 stores an element in
/// **Montgomery form** (x·2^32 mod p) and serializes it, for hashing and for the transcript, as
/// the 4 little-endian bytes of that form (`to_unique_u32`); on chain elements are canonical
/// integers below p and are converted here.
library BabyBear {
    /// BabyBear's modulus.
    uint256 internal constant P = 2013265921;
    /// 2^32 mod p: multiplying a canonical value by it gives the Montgomery form.
    uint256 internal constant MONTY_R = 268435454;

    /// A value passed as a field element is not below p.
    error NotAFieldElement(uint256 value);
    /// Zero has no inverse.
    error ZeroInverse();

    /// @notice The 4 serialized bytes of the canonical element `x`, as a 32-bit integer whose
    /// most significant byte is the first serialized one (store it with `shl(224, …)` to write
    /// the bytes in order).
    /// @dev Reverts NotAFieldElement unless x < p.
    function serialized(uint256 x) internal pure returns (uint256 le) {
        if (x >= P) revert NotAFieldElement(x);
        uint256 m = mulmod(x, MONTY_R, P);
        le = ((m & 0xff) << 24) | ((m & 0xff00) << 8) | ((m >> 8) & 0xff00) | (m >> 24);
    }

    /// @notice b^e mod p (square and multiply; b^0 = 1).
    function pow(uint256 b, uint256 e) internal pure returns (uint256 r) {
        assembly ("memory-safe") {
            r := 1
            for {} gt(e, 0) { e := shr(1, e) } {
                if and(e, 1) { r := mulmod(r, b, P) }
                b := mulmod(b, b, P)
            }
        }
    }

    /// @notice b⁻¹ mod p, as b^(p−2) (Fermat), through the MODEXP precompile (EIP-198, 0x05;
    /// about 200 gas under EIP-2565 against some 2,500 for the square-and-multiply loop).
    /// @dev Reverts ZeroInverse when b ≡ 0.
    function inv(uint256 b) internal view returns (uint256 r) {
        if (b % P == 0) revert ZeroInverse();
        assembly ("memory-safe") {
            // Scratch memory past the free pointer: lengths 32, 32, 32, then b, p − 2, p.
            let ptr := mload(0x40)
            mstore(ptr, 32)
            mstore(add(ptr, 32), 32)
            mstore(add(ptr, 64), 32)
            mstore(add(ptr, 96), b)
            mstore(add(ptr, 128), sub(P, 2))
            mstore(add(ptr, 160), P)
            if iszero(staticcall(gas(), 0x05, ptr, 192, ptr, 32)) { revert(0, 0) }
            r := mload(ptr)
        }
    }
}
