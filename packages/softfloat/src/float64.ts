/**
 * float64 arithmetic as SSE2 does it (ADDSD/SUBSD/MULSD/DIVSD/SQRTSD): MXCSR rounding,
 * FTZ and DAZ from the status, SSE NaN rules (the first operand's NaN wins).
 * A float64 is a Word64 holding its bit pattern; results go into `out`.
 */
import { addParts, divParts, mulParts, sqrtParts } from './internal/arith.js';
import { F64 } from './internal/parts.js';
import { packF64, unpackF64 } from './internal/unpack.js';
import type { FloatStatus } from './status.js';
import type { Word64 } from './types.js';

export function float64Add(a: Word64, b: Word64, status: FloatStatus, out: Word64): Word64 {
  const w = status.work;
  unpackF64(w.a, a.hi, a.lo, status.denormalsAreZero);
  unpackF64(w.b, b.hi, b.lo, status.denormalsAreZero);
  addParts(status, F64, 53, w.a, w.b, false, false);
  return packF64(w, out);
}

export function float64Sub(a: Word64, b: Word64, status: FloatStatus, out: Word64): Word64 {
  const w = status.work;
  unpackF64(w.a, a.hi, a.lo, status.denormalsAreZero);
  unpackF64(w.b, b.hi, b.lo, status.denormalsAreZero);
  addParts(status, F64, 53, w.a, w.b, true, false);
  return packF64(w, out);
}

export function float64Mul(a: Word64, b: Word64, status: FloatStatus, out: Word64): Word64 {
  const w = status.work;
  unpackF64(w.a, a.hi, a.lo, status.denormalsAreZero);
  unpackF64(w.b, b.hi, b.lo, status.denormalsAreZero);
  mulParts(status, F64, 53, w.a, w.b, false);
  return packF64(w, out);
}

export function float64Div(a: Word64, b: Word64, status: FloatStatus, out: Word64): Word64 {
  const w = status.work;
  unpackF64(w.a, a.hi, a.lo, status.denormalsAreZero);
  unpackF64(w.b, b.hi, b.lo, status.denormalsAreZero);
  divParts(status, F64, 53, w.a, w.b, false);
  return packF64(w, out);
}

export function float64Sqrt(a: Word64, status: FloatStatus, out: Word64): Word64 {
  const w = status.work;
  unpackF64(w.a, a.hi, a.lo, status.denormalsAreZero);
  sqrtParts(status, F64, 53, w.a);
  return packF64(w, out);
}
