// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {BabyBear} from "./BabyBear.sol";

/// @title BabyBear's degree-4 extension, the challenge field of the prover's proofs
/// @notice Plonky3 0.8's `BinomialExtensionField<BabyBear, 4>`: F_p[X]/(X^4 − 11) (W = 11,
/// `BinomiallyExtendable<4>` for BabyBear). An element a₀ + a₁X + a₂X² + a₃X³ is one
/// `uint256` word holding its canonical coefficients in 64-bit lanes, a_i in bits
/// [64i, 64i + 31), so arithmetic stays on the stack; a canonical base element b is the word b.
/// Values are canonical: every function returns reduced coefficients, and `pack` rejects
/// coefficients ≥ p.
library BabyBear4 {
    /// The base field's modulus (`BabyBear.P`, written out so that assembly can read it).
    uint256 internal constant P = 2013265921;
    /// X^4 = W.
    uint256 internal constant W = 11;
    uint256 private constant LANE = 0xffffffffffffffff;

    /// @notice The element a₀ + a₁X + a₂X² + a₃X³.
    /// @dev Reverts BabyBear.NotAFieldElement unless every a_i < p.
    function pack(uint256 a0, uint256 a1, uint256 a2, uint256 a3) internal pure returns (uint256) {
        if (a0 >= P) revert BabyBear.NotAFieldElement(a0);
        if (a1 >= P) revert BabyBear.NotAFieldElement(a1);
        if (a2 >= P) revert BabyBear.NotAFieldElement(a2);
        if (a3 >= P) revert BabyBear.NotAFieldElement(a3);
        return a0 | (a1 << 64) | (a2 << 128) | (a3 << 192);
    }

    /// @notice Element i of a flat coefficient array (4 canonical coefficients per element,
    /// coefficient 0 first, as proofs and fixtures lay them out).
    /// @dev Reverts BabyBear.NotAFieldElement for a coefficient ≥ p.
    function fromFlat(uint256[] memory flat, uint256 i) internal pure returns (uint256) {
        return pack(flat[4 * i], flat[4 * i + 1], flat[4 * i + 2], flat[4 * i + 3]);
    }

    /// @notice Coefficient i (0 to 3) of `x`, canonical.
    function coeff(uint256 x, uint256 i) internal pure returns (uint256) {
        return (x >> (64 * i)) & LANE;
    }

    /// @notice x + y.
    function add(uint256 x, uint256 y) internal pure returns (uint256 r) {
        assembly ("memory-safe") {
            let m := 0xffffffffffffffff
            r := addmod(and(x, m), and(y, m), P)
            r := or(r, shl(64, addmod(and(shr(64, x), m), and(shr(64, y), m), P)))
            r := or(r, shl(128, addmod(and(shr(128, x), m), and(shr(128, y), m), P)))
            r := or(r, shl(192, addmod(shr(192, x), shr(192, y), P)))
        }
    }

    /// @notice x − y.
    function sub(uint256 x, uint256 y) internal pure returns (uint256 r) {
        assembly ("memory-safe") {
            let m := 0xffffffffffffffff
            r := addmod(and(x, m), sub(P, and(y, m)), P)
            r := or(r, shl(64, addmod(and(shr(64, x), m), sub(P, and(shr(64, y), m)), P)))
            r := or(r, shl(128, addmod(and(shr(128, x), m), sub(P, and(shr(128, y), m)), P)))
            r := or(r, shl(192, addmod(shr(192, x), sub(P, shr(192, y)), P)))
        }
    }

    /// @notice x · b for a canonical base element b.
    function mulBase(uint256 x, uint256 b) internal pure returns (uint256 r) {
        assembly ("memory-safe") {
            let m := 0xffffffffffffffff
            r := mulmod(and(x, m), b, P)
            r := or(r, shl(64, mulmod(and(shr(64, x), m), b, P)))
            r := or(r, shl(128, mulmod(and(shr(128, x), m), b, P)))
            r := or(r, shl(192, mulmod(shr(192, x), b, P)))
        }
    }

    /// @notice x · y, reducing X^4 to W: coefficient k is Σ_{i+j=k} x_i y_j + W Σ_{i+j=k+4} x_i y_j.
    /// @dev Products of canonical coefficients are below 2^62, so each coefficient's sum stays
    /// far below 2^256 before its one reduction.
    function mul(uint256 x, uint256 y) internal pure returns (uint256 r) {
        assembly ("memory-safe") {
            let m := 0xffffffffffffffff
            let x0 := and(x, m)
            let x1 := and(shr(64, x), m)
            let x2 := and(shr(128, x), m)
            let x3 := shr(192, x)
            let y0 := and(y, m)
            let y1 := and(shr(64, y), m)
            let y2 := and(shr(128, y), m)
            let y3 := shr(192, y)
            r := mod(add(mul(x0, y0), mul(W, add(add(mul(x1, y3), mul(x2, y2)), mul(x3, y1)))), P)
            r := or(r, shl(64, mod(add(add(mul(x0, y1), mul(x1, y0)), mul(W, add(mul(x2, y3), mul(x3, y2)))), P)))
            r := or(r, shl(128, mod(add(add(add(mul(x0, y2), mul(x1, y1)), mul(x2, y0)), mul(W, mul(x3, y3))), P)))
            r := or(r, shl(192, mod(add(add(mul(x0, y3), mul(x1, y2)), add(mul(x2, y1), mul(x3, y0))), P)))
        }
    }

    /// @notice x^e (square and multiply; x^0 = 1, also for x = 0).
    function pow(uint256 x, uint256 e) internal pure returns (uint256 r) {
        r = 1;
        while (e > 0) {
            if (e & 1 == 1) r = mul(r, x);
            x = mul(x, x);
            e >>= 1;
        }
    }

    /// @notice x⁻¹. Writing x = A(X²) + X·B(X²), x·(A − X·B) = A² − X²B² lies in
    /// F_p[Y]/(Y² − W) (Y = X²), where (c₀ + c₁Y)⁻¹ = (c₀ − c₁Y)/(c₀² − W c₁²).
    /// @dev Reverts BabyBear.ZeroInverse for x = 0.
    function inv(uint256 x) internal view returns (uint256) {
        if (x == 0) revert BabyBear.ZeroInverse();
        uint256 a0 = x & LANE;
        uint256 b0 = (x >> 64) & LANE;
        uint256 a1 = (x >> 128) & LANE;
        uint256 b1 = x >> 192;
        // A = a0 + a1·Y, B = b0 + b1·Y. c = A² − Y·B² = c0 + c1·Y.
        uint256 c0 =
            addmod(mulmod(a0, a0, P) + W * mulmod(a1, a1, P) % P, P - mulmod(W, mulmod(2, mulmod(b0, b1, P), P), P), P);
        uint256 c1 = addmod(
            mulmod(2, mulmod(a0, a1, P), P), P - addmod(mulmod(b0, b0, P), mulmod(W, mulmod(b1, b1, P), P), P), P
        );
        // Norm down to the base field; nonzero because x is.
        uint256 n = addmod(mulmod(c0, c0, P), P - mulmod(W, mulmod(c1, c1, P), P), P);
        uint256 nInv = BabyBear.inv(n);
        uint256 d0 = mulmod(c0, nInv, P);
        uint256 d1 = mulmod(P - c1, nInv, P);
        // x⁻¹ = (A − X·B)·(d0 + d1·Y): with Y = X², (a0 + a1X²) − X(b0 + b1X²) = a0 − b0X + a1X² − b1X³.
        uint256 conj = a0 | ((P - b0) % P << 64) | (a1 << 128) | ((P - b1) % P << 192);
        return mul(conj, d0 | (d1 << 128));
    }
}
