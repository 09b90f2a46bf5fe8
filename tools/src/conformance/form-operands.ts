/**
 * Operand choices shared by the instruction form families: operand sizes, condition codes,
 * and the register/memory/immediate shapes of two-operand instructions.
 */
import { AF, CF, OF } from './state.js';
import type { OperandSize, TestBuilder } from './test-builder.js';

export const SIZES: readonly OperandSize[] = [8, 16, 32];
export const WIDE: readonly OperandSize[] = [16, 32];
export const CONDITIONS = [
  'o',
  'no',
  'b',
  'ae',
  'e',
  'ne',
  'be',
  'a',
  's',
  'ns',
  'p',
  'np',
  'l',
  'ge',
  'le',
  'g',
];

/** Destination/source operand shapes of two-operand instructions. */
export type Shape = 'r,r' | 'm,r' | 'r,m' | 'r,imm' | 'm,imm';

export function operands(
  b: TestBuilder,
  shape: Shape,
  size: OperandSize,
): { dst: string; src: string } {
  switch (shape) {
    case 'r,r':
      return { dst: b.reg(size), src: b.reg(size) };
    case 'm,r': {
      const m = b.mem(size).text;
      return { dst: m, src: b.reg(size) };
    }
    case 'r,m': {
      const m = b.mem(size).text;
      return { dst: b.reg(size), src: m };
    }
    case 'r,imm':
      return { dst: b.reg(size), src: b.imm(size) };
    case 'm,imm': {
      const m = b.mem(size).text;
      return { dst: m, src: b.imm(size) };
    }
  }
}

export function shapeName(shape: Shape, size: OperandSize): string {
  return shape
    .split(',')
    .map((k) => (k === 'imm' ? k : `${k}${size}`))
    .join(',');
}

export function rmOperand(
  b: TestBuilder,
  kind: 'r' | 'm',
  size: OperandSize,
  value?: number,
): string {
  return kind === 'r' ? b.reg(size, value) : b.mem(size, value).text;
}

/** Undefined flags of a shift or rotate by `count` (before masking) of a `size`-bit operand. */
export function shiftUndefinedFlags(op: string, size: OperandSize, count: number): number {
  const masked = count & 31;
  if (masked === 0) return 0; // no flags change
  let undefinedFlags = masked === 1 ? 0 : OF;
  if (op === 'shl' || op === 'shr' || op === 'sar') {
    undefinedFlags |= AF;
    if (op !== 'sar' && masked >= size) undefinedFlags |= CF;
  }
  return undefinedFlags;
}
