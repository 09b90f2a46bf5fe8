/**
 * Comparisons (FCOM/FUCOM/FCOMI/FUCOMI, COMISS/UCOMISS/COMISD/UCOMISD, the CMPccPS
 * predicates), SSE MIN/MAX, and rounding to an integral value (FRNDINT, ROUNDSS/SD).
 */
import { compareParts, minMaxPick, roundToIntegralParts } from './internal/compare.js';
import { F32, F64, X80 } from './internal/parts.js';
import { packF32, packF64, packX80, unpackF32, unpackF64, unpackX80 } from './internal/unpack.js';
import type { FloatStatus, RoundingMode } from './status.js';
import { FloatRelation, type Floatx80, type Word64 } from './types.js';

/**
 * FCOM (signaling: any NaN is invalid) or FUCOM (quiet: only SNaN and unsupported
 * encodings are invalid).
 */
export function floatx80Compare(
  a: Floatx80,
  b: Floatx80,
  status: FloatStatus,
  quiet = false,
): FloatRelation {
  const w = status.work;
  unpackX80(w.a, a.signExp, a.high, a.low);
  unpackX80(w.b, b.signExp, b.high, b.low);
  return compareParts(status, w.a, w.b, !quiet);
}

/** COMISD (signaling) or UCOMISD (quiet). */
export function float64Compare(
  a: Word64,
  b: Word64,
  status: FloatStatus,
  quiet = false,
): FloatRelation {
  const w = status.work;
  unpackF64(w.a, a.hi, a.lo, status.denormalsAreZero);
  unpackF64(w.b, b.hi, b.lo, status.denormalsAreZero);
  return compareParts(status, w.a, w.b, !quiet);
}

/** COMISS (signaling) or UCOMISS (quiet). */
export function float32Compare(
  a: number,
  b: number,
  status: FloatStatus,
  quiet = false,
): FloatRelation {
  const w = status.work;
  unpackF32(w.a, a, status.denormalsAreZero);
  unpackF32(w.b, b, status.denormalsAreZero);
  return compareParts(status, w.a, w.b, !quiet);
}

/** x87 condition codes C3 C2 C0 (status-word bits 14, 10, 8) for FCOM/FUCOM/FTST. */
export function x87CompareConditionCodes(relation: FloatRelation): number {
  switch (relation) {
    case FloatRelation.Less:
      return 0x0100;
    case FloatRelation.Equal:
      return 0x4000;
    case FloatRelation.Greater:
      return 0;
    default:
      return 0x4500;
  }
}

/** EFLAGS ZF PF CF (bits 6, 2, 0) for FCOMI/FUCOMI/COMISS/UCOMISS; OF SF AF are cleared. */
export function compareEflags(relation: FloatRelation): number {
  switch (relation) {
    case FloatRelation.Less:
      return 0x01;
    case FloatRelation.Equal:
      return 0x40;
    case FloatRelation.Greater:
      return 0;
    default:
      return 0x45;
  }
}

function minMax64(a: Word64, b: Word64, status: FloatStatus, out: Word64, isMax: boolean): Word64 {
  const w = status.work;
  unpackF64(w.a, a.hi, a.lo, status.denormalsAreZero);
  unpackF64(w.b, b.hi, b.lo, status.denormalsAreZero);
  const pick = minMaxPick(status, w.a, w.b, isMax);
  const picked = pick === 0 ? a : b;
  // Under DAZ a denormal operand is returned as the zero it was read as (host-checked).
  if (status.denormalsAreZero && (picked.hi & 0x7ff00000) === 0) {
    out.hi = picked.hi & 0x80000000;
    out.lo = 0;
    out.hi >>>= 0;
    return out;
  }
  return out.set(picked);
}

function minMax32(a: number, b: number, status: FloatStatus, isMax: boolean): number {
  const w = status.work;
  unpackF32(w.a, a, status.denormalsAreZero);
  unpackF32(w.b, b, status.denormalsAreZero);
  const picked = minMaxPick(status, w.a, w.b, isMax) === 0 ? a : b;
  if (status.denormalsAreZero && (picked & 0x7f800000) === 0) return (picked & 0x80000000) >>> 0;
  return picked;
}

/**
 * MINSD: a if a < b, else b (b also when either is a NaN, and for two zeros); the bit
 * pattern is returned as it is (a NaN is not quietened).
 */
export function float64Min(a: Word64, b: Word64, status: FloatStatus, out: Word64): Word64 {
  return minMax64(a, b, status, out, false);
}

/** MAXSD: a if a > b, else b. */
export function float64Max(a: Word64, b: Word64, status: FloatStatus, out: Word64): Word64 {
  return minMax64(a, b, status, out, true);
}

/** MINSS. */
export function float32Min(a: number, b: number, status: FloatStatus): number {
  return minMax32(a, b, status, false);
}

/** MAXSS. */
export function float32Max(a: number, b: number, status: FloatStatus): number {
  return minMax32(a, b, status, true);
}

/** FRNDINT: rounds to an integer with the rounding control; C1 in status.roundedUp. */
export function floatx80RoundToInt(a: Floatx80, status: FloatStatus, out: Floatx80): Floatx80 {
  const w = status.work;
  unpackX80(w.a, a.signExp, a.high, a.low);
  roundToIntegralParts(status, X80, w.a, status.roundingMode, false, true);
  return packX80(w, out);
}

/** ROUNDSD: `mode` defaults to MXCSR's; `suppressInexact` is imm8 bit 3. */
export function float64RoundToInt(
  a: Word64,
  status: FloatStatus,
  out: Word64,
  mode: RoundingMode = status.roundingMode,
  suppressInexact = false,
): Word64 {
  const w = status.work;
  unpackF64(w.a, a.hi, a.lo, status.denormalsAreZero);
  roundToIntegralParts(status, F64, w.a, mode, suppressInexact, false);
  return packF64(w, out);
}

/** ROUNDSS. */
export function float32RoundToInt(
  a: number,
  status: FloatStatus,
  mode: RoundingMode = status.roundingMode,
  suppressInexact = false,
): number {
  const w = status.work;
  unpackF32(w.a, a, status.denormalsAreZero);
  roundToIntegralParts(status, F32, w.a, mode, suppressInexact, false);
  return packF32(w);
}
