/**
 * float32 arithmetic as SSE does it (ADDSS/SUBSS/MULSS/DIVSS/SQRTSS): MXCSR rounding,
 * FTZ and DAZ from the status, SSE NaN rules. A float32 is its bit pattern as an
 * unsigned 32-bit number.
 */
import { addParts, divParts, mulParts, sqrtParts } from './internal/arith.js';
import { F32 } from './internal/parts.js';
import { packF32, unpackF32 } from './internal/unpack.js';
import type { FloatStatus } from './status.js';

export function float32Add(a: number, b: number, status: FloatStatus): number {
  const w = status.work;
  unpackF32(w.a, a, status.denormalsAreZero);
  unpackF32(w.b, b, status.denormalsAreZero);
  addParts(status, F32, 24, w.a, w.b, false, false);
  return packF32(w);
}

export function float32Sub(a: number, b: number, status: FloatStatus): number {
  const w = status.work;
  unpackF32(w.a, a, status.denormalsAreZero);
  unpackF32(w.b, b, status.denormalsAreZero);
  addParts(status, F32, 24, w.a, w.b, true, false);
  return packF32(w);
}

export function float32Mul(a: number, b: number, status: FloatStatus): number {
  const w = status.work;
  unpackF32(w.a, a, status.denormalsAreZero);
  unpackF32(w.b, b, status.denormalsAreZero);
  mulParts(status, F32, 24, w.a, w.b, false);
  return packF32(w);
}

export function float32Div(a: number, b: number, status: FloatStatus): number {
  const w = status.work;
  unpackF32(w.a, a, status.denormalsAreZero);
  unpackF32(w.b, b, status.denormalsAreZero);
  divParts(status, F32, 24, w.a, w.b, false);
  return packF32(w);
}

export function float32Sqrt(a: number, status: FloatStatus): number {
  const w = status.work;
  unpackF32(w.a, a, status.denormalsAreZero);
  sqrtParts(status, F32, 24, w.a);
  return packF32(w);
}
