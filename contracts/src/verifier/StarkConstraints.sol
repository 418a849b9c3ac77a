// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {BabyBear4 as E} from "./BabyBear4.sol";
import {StarkQuotient} from "./StarkQuotient.sol";

/// @title The out-of-domain identity of a batch-STARK table, from a generated constraint program
/// @notice A table's constraints (its AIR's and its LogUp gadget's, from `p3_batch_stark`'s
/// symbolic constraints) are compiled by `sq_prover_recursion::l1_constraints` into a
/// straight-line program (format in that module: one opcode byte, big-endian u16 operands;
/// every instruction but FOLD appends one value). This library interprets it at ζ over the
/// proof's opened values, folds the constraints with the constraint challenge α (Horner,
/// `acc ← acc·α + c`, Plonky3's order) and checks `folded · inv_vanishing = quotient(ζ)`
/// (`verify_constraints_with_lookups`). The LogUp challenges of a table are
/// `[α_L + (bus + 1)·β_L^W, β_L]` per lookup (`p3_lookup::Challenges`), and the terminals of
/// all tables must sum to zero (`verify_terminal_sum`). Values are `BabyBear4` words.
/// @dev Reverts OodEvaluationMismatch when the identity fails, LookupTerminalsDoNotCancel,
/// and UnknownOpcode / TruncatedProgram / array bounds for a malformed program (a program is
/// verifying-key data, not prover input).
library StarkConstraints {
    uint256 internal constant ADD = 0x01;
    uint256 internal constant SUB = 0x02;
    uint256 internal constant MUL = 0x03;
    uint256 internal constant NEG = 0x04;
    uint256 internal constant MAIN = 0x10;
    uint256 internal constant MAIN_NEXT = 0x11;
    uint256 internal constant PRE = 0x12;
    uint256 internal constant PRE_NEXT = 0x13;
    uint256 internal constant PUBLIC = 0x14;
    uint256 internal constant PERM = 0x15;
    uint256 internal constant PERM_NEXT = 0x16;
    uint256 internal constant CHALLENGE = 0x17;
    uint256 internal constant PERM_VALUE = 0x18;
    uint256 internal constant FIRST = 0x20;
    uint256 internal constant LAST = 0x21;
    uint256 internal constant TRANSITION = 0x22;
    uint256 internal constant CONST = 0x30;
    uint256 internal constant EXT_CONST = 0x31;
    uint256 internal constant FOLD = 0x40;

    /// @notice What a table's constraints read at ζ (extension words; public values are base
    /// elements, which are also their own extension words).
    /// @param permLocal The permutation trace's extension columns at ζ (recomposed).
    /// @param challenges The table's lookup challenges (`lookupChallenges`).
    /// @param permValues The table's lookup terminal (none without lookups).
    struct Env {
        uint256[] local;
        uint256[] next;
        uint256[] preLocal;
        uint256[] preNext;
        uint256[] publics;
        uint256[] permLocal;
        uint256[] permNext;
        uint256[] challenges;
        uint256[] permValues;
        StarkQuotient.Selectors selectors;
    }

    /// Table `table`'s folded constraints do not equal its quotient times Z_H at ζ.
    error OodEvaluationMismatch(uint256 table);
    /// The lookup terminals of the tables do not sum to zero.
    error LookupTerminalsDoNotCancel();
    /// The program holds an opcode the format does not define.
    error UnknownOpcode(uint256 at, uint256 opcode);
    /// An instruction runs past the program's end.
    error TruncatedProgram(uint256 at);

    /// @notice Checks table `table`'s identity: `evaluate(code) · inv_vanishing = quotient`.
    function checkTable(
        uint256 table,
        bytes memory code,
        uint256 values,
        Env memory env,
        uint256 alpha,
        uint256 quotient
    ) internal pure {
        uint256 folded = evaluate(code, values, env, alpha);
        if (E.mul(folded, env.selectors.invVanishing) != quotient) revert OodEvaluationMismatch(table);
    }

    /// @notice A table's lookup challenges: per lookup (bus ids `busIds`), the pair
    /// `[lookupAlpha + (bus + 1)·lookupBeta^maxWidth, lookupBeta]`.
    function lookupChallenges(uint256 lookupAlpha, uint256 lookupBeta, uint256 maxWidth, uint256[] memory busIds)
        internal
        pure
        returns (uint256[] memory out)
    {
        uint256 gamma = E.pow(lookupBeta, maxWidth);
        out = new uint256[](2 * busIds.length);
        for (uint256 j = 0; j < busIds.length; ++j) {
            out[2 * j] = E.add(lookupAlpha, E.mulBase(gamma, busIds[j] + 1));
            out[2 * j + 1] = lookupBeta;
        }
    }

    /// @notice Reverts LookupTerminalsDoNotCancel unless the terminals sum to zero.
    function checkTerminals(uint256[] memory terminals) internal pure {
        uint256 sum = 0;
        for (uint256 i = 0; i < terminals.length; ++i) {
            sum = E.add(sum, terminals[i]);
        }
        if (sum != 0) revert LookupTerminalsDoNotCancel();
    }

    /// @notice The extension columns of a flattened permutation row (4 base-coordinate values
    /// per column: column j = Σ_i x^i · flat[4j + i]).
    function extColumns(uint256[] memory flat) internal pure returns (uint256[] memory out) {
        out = new uint256[](flat.length / 4);
        for (uint256 j = 0; j < out.length; ++j) {
            out[j] = StarkQuotient.fromBasis(flat, j);
        }
    }

    /// @notice Runs `code` over `env` and returns its constraints folded with `alpha`.
    function evaluate(bytes memory code, uint256 values, Env memory env, uint256 alpha)
        internal
        pure
        returns (uint256 acc)
    {
        uint256[] memory v = new uint256[](values);
        uint256 n = 0;
        uint256 at = 0;
        while (at < code.length) {
            uint256 word;
            assembly ("memory-safe") {
                word := mload(add(add(code, 32), at))
            }
            uint256 op = word >> 248;
            uint256 len = _length(op);
            if (len == 0) revert UnknownOpcode(at, op);
            if (at + len > code.length) revert TruncatedProgram(at);
            uint256 a = (word >> 232) & 0xffff;
            uint256 x;
            if (op <= NEG) {
                x = _arith(op, v[a], op == NEG ? 0 : v[(word >> 216) & 0xffff]);
            } else if (op == FOLD) {
                acc = E.add(E.mul(acc, alpha), v[a]);
            } else if (op <= PERM_VALUE) {
                x = _leaf(op, a, env);
            } else if (op <= TRANSITION) {
                x = op == FIRST
                    ? env.selectors.isFirstRow
                    : (op == LAST ? env.selectors.isLastRow : env.selectors.isTransition);
            } else if (op == CONST) {
                x = E.pack((word >> 216) & 0xffffffff, 0, 0, 0);
            } else {
                x = E.pack(
                    (word >> 216) & 0xffffffff,
                    (word >> 184) & 0xffffffff,
                    (word >> 152) & 0xffffffff,
                    (word >> 120) & 0xffffffff
                );
            }
            if (op != FOLD) v[n++] = x;
            at += len;
        }
    }

    /// @dev An instruction's length in bytes; 0 for an unknown opcode.
    function _length(uint256 op) private pure returns (uint256) {
        if (op == ADD || op == SUB || op == MUL) return 5;
        if (op == NEG || op == FOLD || (op >= MAIN && op <= PERM_VALUE)) return 3;
        if (op >= FIRST && op <= TRANSITION) return 1;
        if (op == CONST) return 5;
        if (op == EXT_CONST) return 17;
        return 0;
    }

    function _arith(uint256 op, uint256 x, uint256 y) private pure returns (uint256) {
        if (op == ADD) return E.add(x, y);
        if (op == SUB) return E.sub(x, y);
        if (op == MUL) return E.mul(x, y);
        return E.sub(0, x);
    }

    function _leaf(uint256 op, uint256 i, Env memory env) private pure returns (uint256) {
        if (op == MAIN) return env.local[i];
        if (op == MAIN_NEXT) return env.next[i];
        if (op == PRE) return env.preLocal[i];
        if (op == PRE_NEXT) return env.preNext[i];
        if (op == PUBLIC) return env.publics[i];
        if (op == PERM) return env.permLocal[i];
        if (op == PERM_NEXT) return env.permNext[i];
        if (op == CHALLENGE) return env.challenges[i];
        return env.permValues[i];
    }
}
