/**
 * Differential runs: generate cases for an op, ask the oracle and ourselves, and list
 * the cases where the answers differ (bit patterns and flags).
 */
import fc from 'fast-check';
import { f32, f64, related, roundingMode, x80, x87Precision } from './arbitraries.js';
import { hex, mxcsrFor, runOracle, x87ControlWord } from './host.js';
import type { OperandKind, OracleOp } from './ops.js';

export interface Mismatch {
  readonly input: string;
  readonly host: string;
  readonly ours: string;
  /** Within the op's tolerance (transcendentals): not a failure, counted for the record. */
  readonly tolerated: boolean;
}

const i16 = fc
  .oneof(fc.integer({ min: 0, max: 0xffff }), fc.constantFrom(0, 1, 0x7fff, 0x8000, 0xffff))
  .map((v) => hex(v, 4));
const i32 = fc
  .oneof(
    fc.integer({ min: 0, max: 0xffffffff }),
    fc.constantFrom(0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x1000001),
  )
  .map((v) => hex(v, 8));
const i64 = fc
  .tuple(i32, i32, fc.integer({ min: 0, max: 3 }))
  .map(([h, l, k]) => (k === 0 ? `${h.slice(0, 2)}000000${l}` : h + l));

/** Packed BCD: 18 digits (sometimes invalid ones) and a sign byte. */
const bcd = fc
  .tuple(
    fc.array(
      // now and then a nibble above 9: not BCD, but the host weights it like a digit
      fc.oneof(
        { weight: 12, arbitrary: fc.integer({ min: 0, max: 9 }) },
        { weight: 1, arbitrary: fc.integer({ min: 10, max: 15 }) },
      ),
      { minLength: 18, maxLength: 18 },
    ),
    fc.constantFrom('00', '80', '00', '7f'),
    fc.integer({ min: 0, max: 18 }),
  )
  .map(
    ([digits, sign, leadingZeros]) =>
      sign + digits.map((d, i) => (i < leadingZeros ? 0 : d).toString(16)).join(''),
  );

export function operandArbitrary(kind: OperandKind): fc.Arbitrary<string> {
  switch (kind) {
    case 'x80':
      return x80;
    case 'f64':
      return f64;
    case 'f32':
      return f32;
    case 'i16':
      return i16;
    case 'i32':
      return i32;
    case 'i64':
      return i64;
    case 'bcd':
      return bcd;
  }
}

function controlArbitrary(op: OracleOp): fc.Arbitrary<number> {
  if (op.unit === 'x87') {
    // Overflow/underflow unmasked now and then, for ops that write a register.
    const unmasked = op.unmaskable ? fc.constantFrom(0, 0, 0, 0, 0x08, 0x10, 0x18) : fc.constant(0);
    return fc
      .tuple(roundingMode, x87Precision, unmasked)
      .map(([rc, pc, um]) => x87ControlWord(rc, pc, um));
  }
  return fc
    .tuple(roundingMode, fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 7 }))
    .map(([rc, ftz, daz]) => mxcsrFor(rc, ftz === 0, daz === 0));
}

export function caseArbitrary(op: OracleOp): fc.Arbitrary<string> {
  const kinds = op.operands;
  const first = operandArbitrary(kinds[0]);
  const operands =
    kinds.length === 1
      ? first.map((a) => [a])
      : first.chain((a) =>
          (kinds[1] === kinds[0]
            ? related(a, operandArbitrary(kinds[1]))
            : operandArbitrary(kinds[1])
          ).map((b) => [a, b]),
        );
  return fc
    .tuple(controlArbitrary(op), operands)
    .map(([control, ops]) => `${op.name} ${hex(control, 4)} ${ops.join(' ')}`);
}

export function generateCases(op: OracleOp, count: number, seed: number): string[] {
  return fc.sample(caseArbitrary(op), { numRuns: count, seed });
}

/** Compares our answers with the host's answers (`host[i]` belongs to `lines[i]`). */
export function compareWithHost(
  op: OracleOp,
  lines: readonly string[],
  host: readonly string[],
): Mismatch[] {
  const mismatches: Mismatch[] = [];
  lines.forEach((line, i) => {
    const tokens = line.split(' ');
    const control = Number.parseInt(tokens[1], 16);
    const ours = op.ours(control, tokens.slice(2));
    const expected = op.normalize(host[i]);
    if (ours !== expected) {
      mismatches.push({
        input: line,
        host: expected,
        ours,
        tolerated: op.close?.(ours, expected) ?? false,
      });
    }
  });
  return mismatches;
}

/** Runs the cases through the oracle and through us. */
export function compareCases(op: OracleOp, lines: readonly string[]): Mismatch[] {
  return compareWithHost(op, lines, runOracle(lines));
}
