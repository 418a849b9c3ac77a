// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

/// @title BLS12-381 min-pk signatures on the EIP-2537 precompiles
/// @notice Public keys live in G1, signatures in G2 (the `blst` "min-pk" scheme). Points use the
/// EIP-2537 encodings: an Fp element is 64 bytes big-endian whose top 16 bytes are zero; a G1
/// point is `x ‖ y` (128 bytes); a G2 point is `x.c0 ‖ x.c1 ‖ y.c0 ‖ y.c1` (256 bytes); the point
/// at infinity is all zeros.
/// @dev Messages are hashed to G2 with RFC 9380 `hash_to_curve` for the suite
/// `BLS12381G2_XMD:SHA-256_SSWU_RO_` (expand_message_xmd with SHA-256, 256 uniform bytes, two Fp2
/// elements, map each with MAP_FP2_TO_G2, which also clears the cofactor, then add). Because
/// cofactor clearing is linear, clear(Q0) + clear(Q1) equals RFC 9380's clear(Q0 + Q1).
/// An EIP-2537 precompile that rejects its input fails and burns the gas forwarded to it, so
/// callers should reject malformed encodings first with {isFieldEncoding}; points that are well
/// encoded but off the curve or outside the subgroup are still caught by the precompile.
library BLS {
    /// EIP-2537 BLS12_G1ADD: 256 bytes (two G1 points) in, 128 out; checks on-curve only.
    address internal constant G1ADD = address(0x0b);
    /// EIP-2537 BLS12_G1MSM: k * 160 bytes (G1 point ‖ 32-byte scalar) in, 128 out; subgroup-checks.
    address internal constant G1MSM = address(0x0c);
    /// EIP-2537 BLS12_G2ADD: 512 bytes (two G2 points) in, 256 out.
    address internal constant G2ADD = address(0x0d);
    /// EIP-2537 BLS12_G2MSM: k * 288 bytes (G2 point ‖ 32-byte scalar) in, 256 out.
    address internal constant G2MSM = address(0x0e);
    /// EIP-2537 BLS12_PAIRING_CHECK: k * 384 bytes (G1 ‖ G2) in, 32 out (1 iff the product is 1).
    address internal constant PAIRING = address(0x0f);
    /// EIP-2537 BLS12_MAP_FP2_TO_G2: 128 bytes (Fp2) in, 256 out (SSWU map + cofactor clearing).
    address internal constant MAP_FP2_TO_G2 = address(0x11);
    /// EIP-198 MODEXP, used to reduce 64-byte integers mod p.
    address internal constant MODEXP = address(0x05);

    /// High 128 bits of the field modulus p (p has 381 bits).
    uint256 internal constant P_HI = 0x1a0111ea397fe69a4b1ba7b6434bacd7;
    /// Low 256 bits of the field modulus p.
    uint256 internal constant P_LO = 0x64774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab;

    /// Domain separation tag of consensus signatures (RFC 9380 / IETF BLS "POP" ciphersuite).
    bytes internal constant SIG_DST = "BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_";
    /// Domain separation tag of proofs of possession.
    bytes internal constant POP_DST = "BLS_POP_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_";

    /// The negated G1 generator, -G1 = (x, p - y), in EIP-2537 encoding.
    bytes internal constant NEG_G1 = hex"0000000000000000000000000000000017f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb"
        hex"00000000000000000000000000000000114d1d6855d545a8aa7d76c8cf2e21f267816aef1db507c96655b9d5caac42364e6f38ba0ecb751bad54dcd6b939c2ca";

    /// Bytes of one G1 point (public key).
    uint256 internal constant G1_BYTES = 128;
    /// Bytes of one G2 point (signature).
    uint256 internal constant G2_BYTES = 256;

    /// @notice Whether `data` is a sequence of canonical EIP-2537 Fp encodings: its length is a
    /// multiple of 64, and each 64-byte word has 16 zero top bytes and a value below p.
    /// @param data A G1 (128-byte) or G2 (256-byte) encoding, or any multiple of 64 bytes.
    function isFieldEncoding(bytes memory data) internal pure returns (bool ok) {
        uint256 len = data.length;
        if (len == 0 || len % 64 != 0) return false;
        ok = true;
        assembly ("memory-safe") {
            for { let i := 0 } lt(i, len) { i := add(i, 64) } {
                let hi := mload(add(add(data, 32), i))
                let lo := mload(add(add(data, 64), i))
                // hi holds 16 zero bytes then the top 128 bits of the element.
                if or(shr(128, hi), or(gt(hi, P_HI), and(eq(hi, P_HI), iszero(lt(lo, P_LO))))) {
                    ok := 0
                    break
                }
            }
        }
    }

    /// @notice Whether `data` is all zeros (the EIP-2537 encoding of the point at infinity).
    function isZero(bytes memory data) internal pure returns (bool zero) {
        zero = true;
        assembly ("memory-safe") {
            let len := mload(data)
            for { let i := 0 } lt(i, len) { i := add(i, 32) } {
                let w := mload(add(add(data, 32), i))
                // Mask off bytes past the end when len is not a multiple of 32.
                let rest := sub(len, i)
                if lt(rest, 32) { w := shr(mul(8, sub(32, rest)), w) }
                if w {
                    zero := 0
                    break
                }
            }
        }
    }

    /// @notice RFC 9380 §5.3.1 expand_message_xmd with SHA-256, producing 256 bytes.
    /// @param message The message (any length).
    /// @param dst The domain separation tag, at most 255 bytes.
    /// @return out 256 uniformly random bytes `b_1 ‖ … ‖ b_8`.
    function expandMessageXmd(bytes memory message, bytes memory dst) internal pure returns (bytes memory out) {
        require(dst.length <= 255, "BLS: DST too long");
        bytes memory dstPrime = abi.encodePacked(dst, uint8(dst.length));
        // msg_prime = Z_pad(64) ‖ msg ‖ I2OSP(256, 2) ‖ I2OSP(0, 1) ‖ DST_prime
        bytes32 b0 = sha256(abi.encodePacked(bytes32(0), bytes32(0), message, uint16(256), uint8(0), dstPrime));
        out = new bytes(256);
        bytes32 bi = sha256(abi.encodePacked(b0, uint8(1), dstPrime));
        assembly ("memory-safe") {
            mstore(add(out, 32), bi)
        }
        for (uint256 i = 2; i <= 8; ++i) {
            // casting to 'uint8' is safe because i <= 8
            // forge-lint: disable-next-line(unsafe-typecast)
            bi = sha256(abi.encodePacked(b0 ^ bi, uint8(i), dstPrime));
            assembly ("memory-safe") {
                mstore(add(out, mul(32, i)), bi)
            }
        }
    }

    /// @notice RFC 9380 hash_to_curve for BLS12381G2_XMD:SHA-256_SSWU_RO_ with tag `dst`.
    /// @return h The G2 point H(message), 256 bytes in EIP-2537 encoding.
    function hashToG2(bytes memory message, bytes memory dst) internal view returns (bytes memory h) {
        bytes memory u = expandMessageXmd(message, dst);
        h = new bytes(256);
        bool ok;
        assembly ("memory-safe") {
            // Precompile addresses are literals here (assembly cannot read address constants):
            // 0x05 MODEXP, 0x11 MAP_FP2_TO_G2, 0x0d G2ADD.
            // Scratch past the free memory pointer: s = MODEXP input (225 bytes),
            // f = four reduced Fp elements (256 bytes), g = two mapped G2 points (512 bytes).
            let s := mload(0x40)
            let f := add(s, 256)
            let g := add(f, 256)
            mstore(s, 64) // base length
            mstore(add(s, 32), 1) // exponent length
            mstore(add(s, 64), 64) // modulus length
            mstore8(add(s, 160), 1) // exponent = 1
            mstore(add(s, 161), P_HI) // modulus, 64 bytes: 16 zero bytes ‖ p
            mstore(add(s, 193), P_LO)
            ok := 1
            for { let j := 0 } lt(j, 4) { j := add(j, 1) } {
                // e_j = OS2IP(uniform[64j .. 64j+64]) mod p
                mstore(add(s, 96), mload(add(u, add(32, mul(64, j)))))
                mstore(add(s, 128), mload(add(u, add(64, mul(64, j)))))
                ok := and(ok, staticcall(gas(), 0x05, s, 225, add(f, mul(64, j)), 64))
            }
            // u0 = (e0, e1), u1 = (e2, e3); Q_i = map_to_curve(u_i) with cofactor cleared.
            ok := and(ok, staticcall(gas(), 0x11, f, 128, g, 256))
            ok := and(ok, staticcall(gas(), 0x11, add(f, 128), 128, add(g, 256), 256))
            ok := and(ok, staticcall(gas(), 0x0d, g, 512, add(h, 32), 256))
        }
        // Cannot fail for reduced inputs on a chain with EIP-2537; fail loudly if it does.
        require(ok, "BLS: hash to G2 failed");
    }

    /// @notice EIP-2537 pairing check e(a1, b1) · e(a2, b2) == 1.
    /// @return True iff the precompile accepts every point (on curve, in subgroup) and the product
    /// is the identity. Any precompile failure yields false.
    function pairingCheck2(bytes memory a1, bytes memory b1, bytes memory a2, bytes memory b2)
        internal
        view
        returns (bool)
    {
        bytes memory input = abi.encodePacked(a1, b1, a2, b2);
        if (input.length != 768) return false;
        (bool ok, bytes memory out) = PAIRING.staticcall(input);
        // casting to 'bytes32' reads the 32-byte result word, whose length is checked first
        // forge-lint: disable-next-line(unsafe-typecast)
        return ok && out.length == 32 && uint256(bytes32(out)) == 1;
    }

    /// @notice Verifies signature `sig` by public key `pk` over `message` under `dst`:
    /// e(pk, H(message)) · e(-G1, sig) == 1.
    /// @param pk 128-byte G1 public key (or an aggregate of several); infinity is rejected.
    /// @param sig 256-byte G2 signature.
    /// @return True iff the encodings are canonical, the points are valid subgroup points, and the
    /// pairing equation holds.
    function verify(bytes memory pk, bytes memory message, bytes memory sig, bytes memory dst)
        internal
        view
        returns (bool)
    {
        if (pk.length != G1_BYTES || sig.length != G2_BYTES) return false;
        if (!isFieldEncoding(pk) || !isFieldEncoding(sig) || isZero(pk)) return false;
        return pairingCheck2(pk, hashToG2(message, dst), NEG_G1, sig);
    }

    /// @notice Whether `pk` is a valid G1 public key: canonical encoding, not infinity, on the
    /// curve and in the prime-order subgroup (checked by a one-term G1MSM with scalar 1).
    function isValidPublicKey(bytes memory pk) internal view returns (bool) {
        if (pk.length != G1_BYTES || !isFieldEncoding(pk) || isZero(pk)) return false;
        (bool ok, bytes memory out) = G1MSM.staticcall(abi.encodePacked(pk, uint256(1)));
        return ok && out.length == G1_BYTES;
    }
}
