/**
 * Conversions between the three float formats and to/from integers.
 *
 * x87 side: loads (FLD m32/m64, FILD) are exact; stores (FST m32/m64, FIST, FISTTP) round
 * with the rounding control but never the precision control. SSE side: CVTSS2SD,
 * CVTSD2SS, CVTSI2SS/SD, CVT(T)SS2SI, CVT(T)SD2SI, with DAZ/FTZ from the status.
 *
 * Integers travel as bit patterns: 16/32-bit ones as unsigned numbers (0x8000 and
 * 0x80000000 are the "integer indefinite" of an invalid conversion), 64-bit ones as
 * Word64 (indefinite 0x80000000_00000000). Inputs are read as two's complement.
 */
import { convertParts, integerToParts, partsToInteger } from './internal/convert.js';
import { F32, F64, X80 } from './internal/parts.js';
import { packF32, packF64, packX80, unpackF32, unpackF64, unpackX80 } from './internal/unpack.js';
import type { FloatStatus } from './status.js';
import type { Floatx80, Word64 } from './types.js';

const TWO32 = 4294967296;

// ---- between float formats -------------------------------------------------------------

/** FLD m32: exact; SNaN quietened with invalid, denormal flagged. */
export function float32ToFloatx80(a: number, status: FloatStatus, out: Floatx80): Floatx80 {
  const w = status.work;
  unpackF32(w.a, a, false);
  convertParts(status, X80, 64, w.a);
  return packX80(w, out);
}

/** FLD m64: exact; SNaN quietened with invalid, denormal flagged. */
export function float64ToFloatx80(a: Word64, status: FloatStatus, out: Floatx80): Floatx80 {
  const w = status.work;
  unpackF64(w.a, a.hi, a.lo, false);
  convertParts(status, X80, 64, w.a);
  return packX80(w, out);
}

/** FST m32: rounded with the rounding control (not the precision control); a denormal
 * source is not reported (host-checked). */
export function floatx80ToFloat32(a: Floatx80, status: FloatStatus): number {
  const w = status.work;
  unpackX80(w.a, a.signExp, a.high, a.low);
  convertParts(status, F32, 24, w.a, false);
  return packF32(w);
}

/** FST m64: rounded with the rounding control (not the precision control). */
export function floatx80ToFloat64(a: Floatx80, status: FloatStatus, out: Word64): Word64 {
  const w = status.work;
  unpackX80(w.a, a.signExp, a.high, a.low);
  convertParts(status, F64, 53, w.a, false);
  return packF64(w, out);
}

/** CVTSS2SD: exact (DAZ applies to the operand). */
export function float32ToFloat64(a: number, status: FloatStatus, out: Word64): Word64 {
  const w = status.work;
  unpackF32(w.a, a, status.denormalsAreZero);
  convertParts(status, F64, 53, w.a);
  return packF64(w, out);
}

/** CVTSD2SS: rounded (FTZ/DAZ apply). */
export function float64ToFloat32(a: Word64, status: FloatStatus): number {
  const w = status.work;
  unpackF64(w.a, a.hi, a.lo, status.denormalsAreZero);
  convertParts(status, F32, 24, w.a);
  return packF32(w);
}

// ---- from integers ---------------------------------------------------------------------

function signedMagnitude32(v: number, status: FloatStatus): void {
  const w = status.work;
  const n = v | 0;
  w.sign = n < 0 ? 1 : 0;
  w.lo = Math.abs(n);
  w.hi = 0;
}

function signedMagnitude64(v: Word64, status: FloatStatus): void {
  const w = status.work;
  let hi = v.hi >>> 0;
  let lo = v.lo >>> 0;
  w.sign = hi >>> 31;
  if (w.sign) {
    if (lo === 0) {
      hi = (TWO32 - hi) % TWO32;
    } else {
      lo = TWO32 - lo;
      hi = 0xffffffff - hi;
    }
  }
  w.hi = hi;
  w.lo = lo;
}

/** FILD m16/m32 (pass the value sign-extended or as a 32-bit pattern): exact. */
export function int32ToFloatx80(v: number, status: FloatStatus, out: Floatx80): Floatx80 {
  const w = status.work;
  signedMagnitude32(v, status);
  integerToParts(status, X80, 64, w.sign, w.hi, w.lo);
  return packX80(w, out);
}

/** FILD m64: exact. */
export function int64ToFloatx80(v: Word64, status: FloatStatus, out: Floatx80): Floatx80 {
  const w = status.work;
  signedMagnitude64(v, status);
  integerToParts(status, X80, 64, w.sign, w.hi, w.lo);
  return packX80(w, out);
}

/** CVTSI2SS r32. */
export function int32ToFloat32(v: number, status: FloatStatus): number {
  const w = status.work;
  signedMagnitude32(v, status);
  integerToParts(status, F32, 24, w.sign, w.hi, w.lo);
  return packF32(w);
}

/** CVTSI2SS r64. */
export function int64ToFloat32(v: Word64, status: FloatStatus): number {
  const w = status.work;
  signedMagnitude64(v, status);
  integerToParts(status, F32, 24, w.sign, w.hi, w.lo);
  return packF32(w);
}

/** CVTSI2SD r32: exact. */
export function int32ToFloat64(v: number, status: FloatStatus, out: Word64): Word64 {
  const w = status.work;
  signedMagnitude32(v, status);
  integerToParts(status, F64, 53, w.sign, w.hi, w.lo);
  return packF64(w, out);
}

/** CVTSI2SD r64. */
export function int64ToFloat64(v: Word64, status: FloatStatus, out: Word64): Word64 {
  const w = status.work;
  signedMagnitude64(v, status);
  integerToParts(status, F64, 53, w.sign, w.hi, w.lo);
  return packF64(w, out);
}

// ---- to integers -----------------------------------------------------------------------

function x80ToInt(a: Floatx80, status: FloatStatus, bits: 16 | 32 | 64, truncate: boolean): void {
  const w = status.work;
  unpackX80(w.a, a.signExp, a.high, a.low);
  partsToInteger(status, w.a, bits, truncate);
}

/** FIST m16: the 16-bit pattern (0x8000 when invalid). */
export function floatx80ToInt16(a: Floatx80, status: FloatStatus): number {
  x80ToInt(a, status, 16, false);
  return status.work.lo & 0xffff;
}

/** FISTTP m16. */
export function floatx80ToInt16RoundToZero(a: Floatx80, status: FloatStatus): number {
  x80ToInt(a, status, 16, true);
  return status.work.lo & 0xffff;
}

/** FIST m32: the 32-bit pattern (0x80000000 when invalid). */
export function floatx80ToInt32(a: Floatx80, status: FloatStatus): number {
  x80ToInt(a, status, 32, false);
  return status.work.lo;
}

/** FISTTP m32. */
export function floatx80ToInt32RoundToZero(a: Floatx80, status: FloatStatus): number {
  x80ToInt(a, status, 32, true);
  return status.work.lo;
}

/** FISTP m64. */
export function floatx80ToInt64(a: Floatx80, status: FloatStatus, out: Word64): Word64 {
  x80ToInt(a, status, 64, false);
  out.hi = status.work.hi;
  out.lo = status.work.lo;
  return out;
}

/** FISTTP m64. */
export function floatx80ToInt64RoundToZero(a: Floatx80, status: FloatStatus, out: Word64): Word64 {
  x80ToInt(a, status, 64, true);
  out.hi = status.work.hi;
  out.lo = status.work.lo;
  return out;
}

/** CVTSS2SI r32 (truncate = CVTTSS2SI). */
export function float32ToInt32(a: number, status: FloatStatus, truncate = false): number {
  const w = status.work;
  unpackF32(w.a, a, status.denormalsAreZero);
  partsToInteger(status, w.a, 32, truncate);
  return w.lo;
}

/** CVTSS2SI r64 (truncate = CVTTSS2SI). */
export function float32ToInt64(
  a: number,
  status: FloatStatus,
  out: Word64,
  truncate = false,
): Word64 {
  const w = status.work;
  unpackF32(w.a, a, status.denormalsAreZero);
  partsToInteger(status, w.a, 64, truncate);
  out.hi = w.hi;
  out.lo = w.lo;
  return out;
}

/** CVTSD2SI r32 (truncate = CVTTSD2SI). */
export function float64ToInt32(a: Word64, status: FloatStatus, truncate = false): number {
  const w = status.work;
  unpackF64(w.a, a.hi, a.lo, status.denormalsAreZero);
  partsToInteger(status, w.a, 32, truncate);
  return w.lo;
}

/** CVTSD2SI r64 (truncate = CVTTSD2SI). */
export function float64ToInt64(
  a: Word64,
  status: FloatStatus,
  out: Word64,
  truncate = false,
): Word64 {
  const w = status.work;
  unpackF64(w.a, a.hi, a.lo, status.denormalsAreZero);
  partsToInteger(status, w.a, 64, truncate);
  out.hi = w.hi;
  out.lo = w.lo;
  return out;
}
