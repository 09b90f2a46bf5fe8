/**
 * Integer MMX/SSE2 operations emitted as inline IR, one 32-bit state word at a time, in
 * the SWAR style (several lanes in one JS integer): the logic operations, wrapping and
 * saturating add/subtract of bytes, words and dwords, and compare for equality. These are
 * what C library string and memory functions run, so they must not cost a helper call.
 */
import type { IrBuilder, Operand } from '../../core/ir/builder.js';
import { Cond } from '../../core/ir/opcodes.js';
import type { Temp } from '../../core/ir/temp.js';

/** Computes one result word `d` from destination word `x` and source word `y`. */
export type WordOp = (b: IrBuilder, d: Temp, x: Operand, y: Operand) => void;

/** The top bit of every byte of a 32-bit word. */
export const BYTE_HIGH = 0x80808080 | 0;
const WORD_HIGH = 0x80008000 | 0;

/** Wrapping add of the lanes selected by `high` (the top bit of each lane), SWAR style. */
function laneAdd(high: number): WordOp {
  return (b, d, x, y) => {
    const low = ~high;
    const sx = b.temp();
    const sy = b.temp();
    b.and(sx, x, low);
    b.and(sy, y, low);
    b.add(d, sx, sy);
    const carry = b.temp();
    b.xor(carry, x, y);
    b.and(carry, carry, high);
    b.xor(d, d, carry);
  };
}

/** Wrapping subtract of the lanes: ((x | H) - (y & ~H)) ^ ((x ^ ~y) & H). */
function laneSub(high: number): WordOp {
  return (b, d, x, y) => {
    const sx = b.temp();
    const sy = b.temp();
    b.or(sx, x, high);
    b.and(sy, y, ~high);
    b.sub(d, sx, sy);
    const borrow = b.temp();
    b.eqv(borrow, x, y);
    b.and(borrow, borrow, high);
    b.xor(d, d, borrow);
  };
}

/** Compare lanes for equality: all ones where equal. */
function laneEq(high: number, laneBits: number): WordOp {
  const lanesMax = (2 ** laneBits - 1) | 0;
  return (b, d, x, y) => {
    const diff = b.temp();
    b.xor(diff, x, y);
    // Top bit of each lane: set when the lane of `diff` is non-zero.
    const t = b.temp();
    b.and(t, diff, ~high);
    b.add(t, t, ~high);
    b.or(t, t, diff);
    b.andc(t, high, t); // top bit set where the lane is zero
    b.shr(t, t, laneBits - 1);
    b.mul(d, t, lanesMax);
  };
}

/**
 * Saturating add or subtract of the lanes (PADDUS/PSUBUS, PADDS/PSUBS): the wrapping
 * result, and a mask of the lanes that overflowed, which take the limit instead.
 */
function laneSaturate(high: number, laneBits: number, subtract: boolean, signed: boolean): WordOp {
  const wrap = subtract ? laneSub(high) : laneAdd(high);
  const lanesMax = (2 ** laneBits - 1) | 0;
  return (b, d, x, y) => {
    const sum = b.temp();
    wrap(b, sum, x, y);
    // Top bit of each lane: set where the lane overflowed.
    const over = b.temp();
    const t = b.temp();
    if (signed) {
      // Operands of the same sign (add) or of different signs (subtract), and a result
      // whose sign differs from the first operand's.
      if (subtract) b.xor(over, x, y);
      else b.eqv(over, x, y);
      b.xor(t, x, sum);
      b.and(over, over, t);
    } else if (subtract) {
      // Borrow out of the lane: (~x & y) | (~(x ^ y) & sum).
      b.andc(over, y, x);
      b.eqv(t, x, y);
      b.and(t, t, sum);
      b.or(over, over, t);
    } else {
      // Carry out of the lane: (x & y) | ((x | y) & ~sum).
      b.and(over, x, y);
      b.or(t, x, y);
      b.andc(t, t, sum);
      b.or(over, over, t);
    }
    b.and(over, over, high);
    const mask = b.temp();
    b.shr(mask, over, laneBits - 1);
    b.mul(mask, mask, lanesMax);
    if (signed) {
      // The limit is 0x7f..f for a positive first operand, 0x80..0 for a negative one.
      const limit = b.temp();
      b.and(limit, x, high);
      b.shr(limit, limit, laneBits - 1);
      b.add(limit, limit, ~high);
      b.andc(d, sum, mask);
      b.and(limit, limit, mask);
      b.or(d, d, limit);
    } else if (subtract) {
      b.andc(d, sum, mask);
    } else {
      b.or(d, sum, mask);
    }
  };
}

/** The inline operations by mnemonic. */
export const WORD_OPS: ReadonlyMap<string, WordOp> = new Map<string, WordOp>([
  ['pand', (b, d, x, y) => b.and(d, x, y)],
  ['andps', (b, d, x, y) => b.and(d, x, y)],
  ['andpd', (b, d, x, y) => b.and(d, x, y)],
  ['pandn', (b, d, x, y) => b.andc(d, y, x)],
  ['andnps', (b, d, x, y) => b.andc(d, y, x)],
  ['andnpd', (b, d, x, y) => b.andc(d, y, x)],
  ['por', (b, d, x, y) => b.or(d, x, y)],
  ['orps', (b, d, x, y) => b.or(d, x, y)],
  ['orpd', (b, d, x, y) => b.or(d, x, y)],
  ['pxor', (b, d, x, y) => b.xor(d, x, y)],
  ['xorps', (b, d, x, y) => b.xor(d, x, y)],
  ['xorpd', (b, d, x, y) => b.xor(d, x, y)],
  ['paddb', laneAdd(BYTE_HIGH)],
  ['paddw', laneAdd(WORD_HIGH)],
  ['paddd', (b, d, x, y) => b.add(d, x, y)],
  ['psubb', laneSub(BYTE_HIGH)],
  ['psubw', laneSub(WORD_HIGH)],
  ['psubd', (b, d, x, y) => b.sub(d, x, y)],
  ['paddusb', laneSaturate(BYTE_HIGH, 8, false, false)],
  ['paddusw', laneSaturate(WORD_HIGH, 16, false, false)],
  ['psubusb', laneSaturate(BYTE_HIGH, 8, true, false)],
  ['psubusw', laneSaturate(WORD_HIGH, 16, true, false)],
  ['paddsb', laneSaturate(BYTE_HIGH, 8, false, true)],
  ['paddsw', laneSaturate(WORD_HIGH, 16, false, true)],
  ['psubsb', laneSaturate(BYTE_HIGH, 8, true, true)],
  ['psubsw', laneSaturate(WORD_HIGH, 16, true, true)],
  ['pcmpeqb', laneEq(BYTE_HIGH, 8)],
  ['pcmpeqw', laneEq(WORD_HIGH, 16)],
  ['pcmpeqd', (b, d, x, y) => b.negsetcond(Cond.Eq, d, x, y)],
]);
