// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {BabyBear} from "./BabyBear.sol";
import {BabyBear4 as E} from "./BabyBear4.sol";
import {FriFold} from "./FriFold.sol";

/// @title What a table's out-of-domain check derives at ζ besides its constraints
/// @notice Plonky3 0.8, for a table whose trace domain is H = ⟨g⟩, |H| = 2^d (shift 1):
/// - the Lagrange selectors (`TwoAdicMultiplicativeCoset::selectors_at_point`):
///   Z_H(ζ) = ζ^(2^d) − 1, is_first_row = Z_H(ζ)/(ζ − 1), is_last_row = Z_H(ζ)/(ζ − g⁻¹),
///   is_transition = ζ − g⁻¹, inv_vanishing = 1/Z_H(ζ);
/// - the quotient at ζ from its n = 2^c opened chunks (`recompose_quotient_from_chunks`): the
///   quotient domain is the coset 31·⟨ω⟩ of size 2^(d+c) (31 = BabyBear's generator), chunk k
///   lives on D_k = 31·ω^k·⟨ω^n⟩ with Z_{D_k}(x) = (x/(31·ω^k))^(2^d) − 1, and
///   q(ζ) = Σ_k q_k(ζ) · Π_{j≠k} Z_{D_j}(ζ)/Z_{D_j}(31·ω^k), where q_k(ζ) = Σ_i x^i·q_{k,i}(ζ)
///   from the chunk's four opened coordinate polynomials.
/// The out-of-domain identity is then folded_constraints(ζ) · inv_vanishing = q(ζ).
/// Values are `BabyBear4` words.
/// @dev Reverts BabyBear.ZeroInverse when ζ lies on H or a chunk domain (probability ~2^-100
/// for an honest ζ), FriFold.TwoAdicityExceeded past 2^27, WrongChunkCount for opened
/// chunks that are not 4 values per chunk of a power-of-two count.
library StarkQuotient {
    /// BabyBear's multiplicative generator: the quotient domain's shift.
    uint256 internal constant SHIFT = 31;
    uint256 internal constant ONE = 1;

    /// The Lagrange selectors at ζ.
    struct Selectors {
        uint256 isFirstRow;
        uint256 isLastRow;
        uint256 isTransition;
        uint256 invVanishing;
    }

    /// The opened chunk values are not 4 per chunk of a power-of-two chunk count.
    error WrongChunkCount(uint256 values);

    /// @notice ζ^(2^d).
    function pow2k(uint256 zeta, uint256 d) internal pure returns (uint256 x) {
        x = zeta;
        for (uint256 i = 0; i < d; ++i) {
            x = E.mul(x, x);
        }
    }

    /// @notice The selectors of the trace domain of size 2^degreeBits at ζ.
    function selectors(uint256 zeta, uint256 degreeBits) internal view returns (Selectors memory s) {
        uint256 gInv = BabyBear.pow(FriFold.twoAdicGenerator(degreeBits), (1 << degreeBits) - 1);
        uint256 zH = E.sub(pow2k(zeta, degreeBits), ONE);
        s.isTransition = E.sub(zeta, gInv);
        s.isFirstRow = E.mul(zH, E.inv(E.sub(zeta, ONE)));
        s.isLastRow = E.mul(zH, E.inv(s.isTransition));
        s.invVanishing = E.inv(zH);
    }

    /// @notice The quotient at ζ of a table with trace domain 2^degreeBits, from its opened
    /// chunks (`values`: 4 coordinate values per chunk, chunks in order).
    function quotient(uint256 zeta, uint256 degreeBits, uint256[] memory values) internal view returns (uint256 q) {
        uint256 n = values.length / 4;
        if (n == 0 || values.length % 4 != 0 || n & (n - 1) != 0) revert WrongChunkCount(values.length);
        uint256 logN = 0;
        while ((1 << logN) < n) ++logN;
        uint256 omega = FriFold.twoAdicGenerator(degreeBits + logN);
        // μ = ω^(2^d), of order n: Z_{D_j}(31·ω^k) = μ^(k−j) − 1.
        uint256 mu = BabyBear.pow(omega, 1 << degreeBits);
        uint256 zetaPow = pow2k(zeta, degreeBits);
        // Z_{D_j}(ζ) = ζ^(2^d)·(31·ω^j)^(−2^d) − 1 = ζ^(2^d)·31^(−2^d)·μ^(−j) − 1.
        uint256 shiftInvPow = BabyBear.pow(BabyBear.inv(SHIFT), 1 << degreeBits);
        uint256[] memory zAtZeta = new uint256[](n);
        uint256 muInv = BabyBear.pow(mu, n - 1);
        uint256 c = shiftInvPow;
        for (uint256 j = 0; j < n; ++j) {
            zAtZeta[j] = E.sub(E.mulBase(zetaPow, c), ONE);
            c = mulmod(c, muInv, BabyBear.P);
        }
        for (uint256 k = 0; k < n; ++k) {
            q = E.add(q, E.mul(fromBasis(values, k), _weight(zAtZeta, mu, k)));
        }
    }

    /// @dev Π_{j≠k} Z_{D_j}(ζ) / (μ^(k−j) − 1).
    function _weight(uint256[] memory zAtZeta, uint256 mu, uint256 k) private view returns (uint256 w) {
        uint256 n = zAtZeta.length;
        w = ONE;
        uint256 denominator = 1;
        for (uint256 j = 0; j < n; ++j) {
            if (j == k) continue;
            w = E.mul(w, zAtZeta[j]);
            uint256 muPow = BabyBear.pow(mu, (k + n - j) % n);
            denominator = mulmod(denominator, addmod(muPow, BabyBear.P - 1, BabyBear.P), BabyBear.P);
        }
        w = E.mulBase(w, BabyBear.inv(denominator));
    }

    /// @notice The extension value with base coordinates `values[4k..4k+4]` whose entries are
    /// themselves extension values: Σ_i x^i · values[4k + i] (`from_ext_basis_coefficients`;
    /// a quotient chunk's q_k(ζ), a permutation column at ζ).
    function fromBasis(uint256[] memory values, uint256 k) internal pure returns (uint256 v) {
        for (uint256 i = 0; i < 4; ++i) {
            v = E.add(v, E.mul(values[4 * k + i], 1 << (64 * i)));
        }
    }
}
