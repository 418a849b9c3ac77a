// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity 0.8.30;

import {BabyBear4 as E} from "./BabyBear4.sol";
import {StarkOpenings} from "./StarkOpenings.sol";
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
    /// The instruction at `at` names a value not yet appended or an input entry that does not
    /// exist, holds a non-canonical constant, or appends past the declared value count.
    error BadOperand(uint256 at);

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

    /// @notice The environment of a table whose trace domain has 2^degreeBits rows, from its
    /// opened values `o` (the permutation rows recomposed into extension columns) and the
    /// selectors at ζ.
    function envOf(
        StarkOpenings.Opened memory o,
        uint256[] memory publics,
        uint256[] memory challenges,
        uint256[] memory permValues,
        uint256 zeta,
        uint256 degreeBits
    ) internal view returns (Env memory env) {
        env.local = o.traceLocal;
        env.next = o.traceNext;
        env.preLocal = o.preprocessedLocal;
        env.preNext = o.preprocessedNext;
        env.publics = publics;
        env.permLocal = extColumns(o.permutationLocal);
        env.permNext = extColumns(o.permutationNext);
        env.challenges = challenges;
        env.permValues = permValues;
        env.selectors = StarkQuotient.selectors(zeta, degreeBits);
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
    /// @dev One Yul loop, one dispatch per instruction: every operand must name a value already
    /// appended and every leaf an entry its input holds (BadOperand), constants must be
    /// canonical (BadOperand), the program must not append more than `values` values
    /// (BadOperand). The environment's values are canonical (the transcript range-checked them).
    /// Reduction is lazy: a stored value's 64-bit lanes are below 2^62 but need not be below p.
    /// ADD reduces only when a lane reaches 2^62; SUB and NEG add 2^32·p per lane and reduce;
    /// MUL takes lanes below 2^62 (its coefficient sums stay below 2^130) and reduces; the
    /// folded result is reduced before it is returned.
    function evaluate(bytes memory code, uint256 values, Env memory env, uint256 alpha)
        internal
        pure
        returns (uint256 acc)
    {
        uint256[] memory v = new uint256[](values);
        // The rarely read state in memory (Yul's stack is small): leaf inputs, α.
        uint256[2] memory st = [_pointer12(_inputs(env)), alpha];
        uint256 status;
        (acc, status) = _run(code, v, st);
        (uint256 failure, uint256 failAt) = (status >> 128, status & type(uint128).max);
        if (failure == 1) revert UnknownOpcode(failAt, uint8(code[failAt]));
        if (failure == 2) revert TruncatedProgram(failAt);
        if (failure == 3) revert BadOperand(failAt);
    }

    /// @dev `evaluate`'s loop over values `v` and state `st`; `status` is failure << 128 |
    /// the failing instruction's byte, failure 1, 2, 3 for an unknown opcode, a truncated
    /// instruction, a bad operand (0 when the program ran).
    function _run(bytes memory code, uint256[] memory v, uint256[2] memory st)
        private
        pure
        returns (uint256 acc, uint256 status)
    {
        assembly ("memory-safe") {
            // Each lane mod p.
            function reduce(x) -> r {
                let q := 2013265921
                let lane := 0xffffffffffffffff
                r := or(
                    or(mod(and(x, lane), q), shl(64, mod(and(shr(64, x), lane), q))),
                    or(shl(128, mod(and(shr(128, x), lane), q)), shl(192, mod(shr(192, x), q)))
                )
            }
            // x − y for lanes below 2^62: x + (2^32·p − y) per lane (2^32·p > 2^62 > y, so no
            // lane borrows, and the sum stays below 2^64), reduced.
            function esub(x, y) -> r {
                r := reduce(add(x, sub(0x7800000100000000780000010000000078000001000000007800000100000000, y)))
            }
            // x · y for lanes below 2^62, reduced (X^4 = 11).
            function emul(x, y) -> r {
                let q := 2013265921
                let lane := 0xffffffffffffffff
                let x0 := and(x, lane)
                let x1 := and(shr(64, x), lane)
                let x2 := and(shr(128, x), lane)
                let x3 := shr(192, x)
                let y0 := and(y, lane)
                let y1 := and(shr(64, y), lane)
                let y2 := and(shr(128, y), lane)
                let y3 := shr(192, y)
                r := mod(add(mul(x0, y0), mul(11, add(add(mul(x1, y3), mul(x2, y2)), mul(x3, y1)))), q)
                r := or(r, shl(64, mod(add(add(mul(x0, y1), mul(x1, y0)), mul(11, add(mul(x2, y3), mul(x3, y2)))), q)))
                r := or(r, shl(128, mod(add(add(add(mul(x0, y2), mul(x1, y1)), mul(x2, y0)), mul(11, mul(x3, y3))), q)))
                r := or(r, shl(192, mod(add(add(mul(x0, y3), mul(x1, y2)), add(mul(x2, y1), mul(x3, y0))), q)))
            }
            // x + y for lanes below 2^62, reduced only when a lane reaches 2^62.
            function eadd(x, y) -> r {
                r := add(x, y)
                if and(r, 0xc000000000000000c000000000000000c000000000000000c000000000000000) { r := reduce(r) }
            }
            // EXT_CONST's value (16 bytes after the opcode, coefficient 0 first) and whether a
            // coefficient is not canonical.
            function extConstant(word) -> x, bad {
                let q := 2013265921
                let c0 := shr(224, shl(8, word))
                let c1 := shr(224, shl(40, word))
                let c2 := shr(224, shl(72, word))
                let c3 := shr(224, shl(104, word))
                bad := iszero(and(and(lt(c0, q), lt(c1, q)), and(lt(c2, q), lt(c3, q))))
                x := or(or(c0, shl(64, c1)), or(shl(128, c2), shl(192, c3)))
            }
            // Every instruction but the binary ones and FOLD: its value, its length (0 for an
            // unknown opcode) and whether an operand is bad (a value not yet appended, an entry
            // its input lacks, a non-canonical constant). Nothing is read out of bounds.
            function other(op, word, a, n, vals, inputs) -> x, len, bad {
                switch op
                case 0x04 {
                    len := 3
                    bad := iszero(lt(a, n))
                    if iszero(bad) { x := esub(0, mload(add(vals, shl(5, a)))) }
                }
                case 0x30 {
                    len := 5
                    x := shr(224, shl(8, word))
                    bad := iszero(lt(x, 2013265921))
                }
                case 0x31 {
                    len := 17
                    x, bad := extConstant(word)
                }
                default {
                    // A leaf: input op − 0x10 (< 9) is an array, indexed by a; a selector
                    // (0x20–0x22) is input 9 + op − 0x20, a value.
                    if and(gt(op, 0x0f), lt(op, 0x19)) {
                        len := 3
                        let entry := mload(add(inputs, shl(5, sub(op, 0x10))))
                        bad := iszero(lt(a, mload(entry)))
                        if iszero(bad) { x := mload(add(add(entry, 32), shl(5, a))) }
                    }
                    if and(gt(op, 0x1f), lt(op, 0x23)) {
                        len := 1
                        x := mload(add(inputs, shl(5, add(9, sub(op, 0x20)))))
                    }
                }
            }
            // Operand i is at v + 32·i (v past its length word, the value count).
            v := add(v, 32)
            let end := add(add(code, 32), mload(code))
            let n := 0
            let ip := add(code, 32)
            for {} lt(ip, end) {} {
                let op := shr(248, mload(ip))
                let a := and(shr(232, mload(ip)), 0xffff)
                switch lt(sub(op, 1), 3)
                case 1 {
                    // ADD 0x01, SUB 0x02, MUL 0x03: a, b.
                    if gt(add(ip, 5), end) {
                        status := shl(128, 2)
                        break
                    }
                    let b := and(shr(216, mload(ip)), 0xffff)
                    if or(or(iszero(lt(a, n)), iszero(lt(b, n))), iszero(lt(n, mload(sub(v, 32))))) {
                        status := shl(128, 3)
                        break
                    }
                    a := mload(add(v, shl(5, a)))
                    b := mload(add(v, shl(5, b)))
                    switch op
                    case 0x01 { a := eadd(a, b) }
                    case 0x03 { a := emul(a, b) }
                    default { a := esub(a, b) }
                    mstore(add(v, shl(5, n)), a)
                    n := add(n, 1)
                    ip := add(ip, 5)
                }
                default {
                    switch op
                    case 0x40 {
                        // FOLD a: acc ← acc·α + v[a]; appends nothing.
                        if gt(add(ip, 3), end) {
                            status := shl(128, 2)
                            break
                        }
                        if iszero(lt(a, n)) {
                            status := shl(128, 3)
                            break
                        }
                        acc := eadd(emul(acc, mload(add(st, 32))), mload(add(v, shl(5, a))))
                        ip := add(ip, 3)
                    }
                    default {
                        let x, len, bad := other(op, mload(ip), a, n, v, mload(st))
                        if iszero(len) {
                            status := shl(128, 1)
                            break
                        }
                        if gt(add(ip, len), end) {
                            status := shl(128, 2)
                            break
                        }
                        if or(bad, iszero(lt(n, mload(sub(v, 32))))) {
                            status := shl(128, 3)
                            break
                        }
                        mstore(add(v, shl(5, n)), x)
                        n := add(n, 1)
                        ip := add(ip, len)
                    }
                }
            }
            if status { status := or(status, sub(ip, add(code, 32))) }
            acc := reduce(acc)
        }
    }

    function _pointer(uint256[] memory a) private pure returns (uint256 ptr) {
        assembly ("memory-safe") {
            ptr := a
        }
    }

    function _pointer12(uint256[12] memory a) private pure returns (uint256 ptr) {
        assembly ("memory-safe") {
            ptr := a
        }
    }

    /// @dev The leaves' sources by opcode − 0x10 (array pointers) and the selectors (values).
    function _inputs(Env memory env) private pure returns (uint256[12] memory t) {
        uint256[][9] memory arrays = [
            env.local,
            env.next,
            env.preLocal,
            env.preNext,
            env.publics,
            env.permLocal,
            env.permNext,
            env.challenges,
            env.permValues
        ];
        for (uint256 k = 0; k < 9; ++k) {
            t[k] = _pointer(arrays[k]);
        }
        t[9] = env.selectors.isFirstRow;
        t[10] = env.selectors.isLastRow;
        t[11] = env.selectors.isTransition;
    }
}
