/**
 * x87 arithmetic on 80-bit extended values: FADD/FSUB/FMUL/FDIV/FSQRT. These honour the
 * precision control in `status.precision` (24/53/64-bit significands, full 15-bit
 * exponent range), set `status.roundedUp` (C1) and follow the x87 NaN rules.
 * Results go into `out`, which may be one of the operands.
 */
import { addParts, divParts, mulParts, sqrtParts } from './internal/arith.js';
import { compareParts } from './internal/compare.js';
import { type Parts, X80 } from './internal/parts.js';
import { packX80, unpackF32, unpackF64, unpackX80 } from './internal/unpack.js';
import type { FloatStatus } from './status.js';
import type { FloatRelation, Floatx80, Word64 } from './types.js';

export function floatx80Add(
  a: Floatx80,
  b: Floatx80,
  status: FloatStatus,
  out: Floatx80,
): Floatx80 {
  const w = status.work;
  unpackX80(w.a, a.signExp, a.high, a.low);
  unpackX80(w.b, b.signExp, b.high, b.low);
  addParts(status, X80, status.precision, w.a, w.b, false, true);
  return packX80(w, out);
}

export function floatx80Sub(
  a: Floatx80,
  b: Floatx80,
  status: FloatStatus,
  out: Floatx80,
): Floatx80 {
  const w = status.work;
  unpackX80(w.a, a.signExp, a.high, a.low);
  unpackX80(w.b, b.signExp, b.high, b.low);
  addParts(status, X80, status.precision, w.a, w.b, true, true);
  return packX80(w, out);
}

export function floatx80Mul(
  a: Floatx80,
  b: Floatx80,
  status: FloatStatus,
  out: Floatx80,
): Floatx80 {
  const w = status.work;
  unpackX80(w.a, a.signExp, a.high, a.low);
  unpackX80(w.b, b.signExp, b.high, b.low);
  mulParts(status, X80, status.precision, w.a, w.b, true);
  return packX80(w, out);
}

export function floatx80Div(
  a: Floatx80,
  b: Floatx80,
  status: FloatStatus,
  out: Floatx80,
): Floatx80 {
  const w = status.work;
  unpackX80(w.a, a.signExp, a.high, a.low);
  unpackX80(w.b, b.signExp, b.high, b.low);
  divParts(status, X80, status.precision, w.a, w.b, true);
  return packX80(w, out);
}

export function floatx80Sqrt(a: Floatx80, status: FloatStatus, out: Floatx80): Floatx80 {
  const w = status.work;
  unpackX80(w.a, a.signExp, a.high, a.low);
  sqrtParts(status, X80, status.precision, w.a);
  return packX80(w, out);
}

/**
 * The arithmetic of the x87 forms with a float32/float64 memory operand (D8/DC /r), with
 * the operation numbered as the ModRM reg field numbers it. /2 and /3 (FCOM, FCOMP) are
 * floatx80CompareFloat32/64.
 */
export const X87Arith = {
  Add: 0,
  Mul: 1,
  Sub: 4,
  SubReversed: 5,
  Div: 6,
  DivReversed: 7,
} as const;
export type X87Arith = (typeof X87Arith)[keyof typeof X87Arith];

/**
 * ST0 op m32 (FADD/FMUL/FSUB/FSUBR/FDIV/FDIVR m32fp). The memory operand is not widened
 * first: an SNaN in it must still lose to a QNaN in ST0, and its denormal flag must stay
 * quiet when a NaN decides the result (both host-checked), which a prior FLD would not do.
 */
export function floatx80ArithFloat32(
  op: X87Arith,
  st0: Floatx80,
  m32: number,
  status: FloatStatus,
  out: Floatx80,
): Floatx80 {
  const w = status.work;
  unpackX80(w.a, st0.signExp, st0.high, st0.low);
  unpackF32(w.b, m32, false);
  x87Arith(status, op, w.a, w.b);
  return packX80(w, out);
}

/** ST0 op m64 (FADD/FMUL/FSUB/FSUBR/FDIV/FDIVR m64fp); see floatx80ArithFloat32. */
export function floatx80ArithFloat64(
  op: X87Arith,
  st0: Floatx80,
  m64: Word64,
  status: FloatStatus,
  out: Floatx80,
): Floatx80 {
  const w = status.work;
  unpackX80(w.a, st0.signExp, st0.high, st0.low);
  unpackF64(w.b, m64.hi, m64.lo, false);
  x87Arith(status, op, w.a, w.b);
  return packX80(w, out);
}

/** FCOM/FCOMP m32fp: ST0 compared with the memory operand (signalling on any NaN). */
export function floatx80CompareFloat32(
  st0: Floatx80,
  m32: number,
  status: FloatStatus,
): FloatRelation {
  const w = status.work;
  unpackX80(w.a, st0.signExp, st0.high, st0.low);
  unpackF32(w.b, m32, false);
  return compareParts(status, w.a, w.b, true);
}

/** FCOM/FCOMP m64fp. */
export function floatx80CompareFloat64(
  st0: Floatx80,
  m64: Word64,
  status: FloatStatus,
): FloatRelation {
  const w = status.work;
  unpackX80(w.a, st0.signExp, st0.high, st0.low);
  unpackF64(w.b, m64.hi, m64.lo, false);
  return compareParts(status, w.a, w.b, true);
}

function x87Arith(status: FloatStatus, op: X87Arith, a: Parts, b: Parts): void {
  const precision = status.precision;
  switch (op) {
    case X87Arith.Add:
      addParts(status, X80, precision, a, b, false, true);
      break;
    case X87Arith.Sub:
      addParts(status, X80, precision, a, b, true, true);
      break;
    case X87Arith.SubReversed:
      addParts(status, X80, precision, b, a, true, true);
      break;
    case X87Arith.Mul:
      mulParts(status, X80, precision, a, b, true);
      break;
    case X87Arith.Div:
      divParts(status, X80, precision, a, b, true);
      break;
    case X87Arith.DivReversed:
      divParts(status, X80, precision, b, a, true);
      break;
    default:
      throw new Error(`floatx80Arith: unknown operation ${String(op)}`);
  }
}
