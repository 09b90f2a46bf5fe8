/**
 * Format conversions on Parts: to another float format (rounded), to an integer (rounded
 * or truncated, x86's "integer indefinite" on invalid), and from an integer magnitude.
 */
import { FloatFlag, type FloatStatus, RoundingMode } from '../status.js';
import { propagateNaN1 } from './nan.js';
import { type Format, INF, NORMAL, type Parts, QNAN, ZERO } from './parts.js';
import { normalizeRoundPack, roundPack, shiftRightJam96 } from './round.js';
import { setInfinity, setZero } from './unpack.js';

const TWO32 = 4294967296;

/**
 * Rounds a Parts value into `fmt` (NaNs quietened and truncated, SNaN raises invalid).
 * x87 stores (FST m32/m64) do not report a denormal source: `flagDenormal` false.
 */
export function convertParts(
  st: FloatStatus,
  fmt: Format,
  precision: number,
  p: Parts,
  flagDenormal = true,
): void {
  if (p.cls >= QNAN) {
    propagateNaN1(st, fmt, p);
    return;
  }
  if (p.denormal && flagDenormal) st.flags |= FloatFlag.Denormal;
  if (p.cls === ZERO) {
    st.roundedUp = false;
    setZero(st.work, p.sign);
    return;
  }
  if (p.cls === INF) {
    st.roundedUp = false;
    setInfinity(st.work, p.sign, fmt.maxField);
    return;
  }
  roundPack(st, fmt, precision, p.sign, p.exp, p.hi, p.lo, 0);
}

/** Rounds the signed magnitude hi:lo (a 64-bit integer, not both zero) into `fmt`. */
export function integerToParts(
  st: FloatStatus,
  fmt: Format,
  precision: number,
  sign: number,
  hi: number,
  lo: number,
): void {
  if (hi === 0 && lo === 0) {
    setZero(st.work, 0);
    st.roundedUp = false;
    return;
  }
  normalizeRoundPack(st, fmt, precision, sign, 63, hi, lo, 0);
}

/**
 * Converts to a signed integer of `bits` (16, 32 or 64) in the status rounding mode, or
 * toward zero when `truncate`. The two's complement result goes to w.hi/w.lo (for 16 and
 * 32 bits, w.lo holds it, sign-extended into w.hi). Invalid (NaN, infinity, unsupported,
 * out of range) gives the integer indefinite: the most negative value. A denormal source
 * is not reported (neither FIST nor CVTSD2SI does, host-checked).
 */
export function partsToInteger(
  st: FloatStatus,
  p: Parts,
  bits: 16 | 32 | 64,
  truncate: boolean,
): void {
  const w = st.work;
  st.roundedUp = false;
  if (p.cls !== ZERO && p.cls !== NORMAL) {
    integerIndefinite(st, bits);
    return;
  }
  if (p.cls === ZERO) {
    w.hi = 0;
    w.lo = 0;
    return;
  }
  if (p.exp >= 64) {
    integerIndefinite(st, bits);
    return;
  }
  // Integer part in (hi, lo), fraction bits (jammed) in ext.
  shiftRightJam96(w, p.hi, p.lo, 0, 63 - p.exp);
  let hi = w.shiftHi;
  let lo = w.shiftLo;
  const fraction = w.shiftExt;
  let inexact = false;
  if (fraction !== 0) {
    inexact = true;
    const mode = truncate ? RoundingMode.TowardZero : st.roundingMode;
    let increment: boolean;
    switch (mode) {
      case RoundingMode.NearestEven:
        increment = fraction > 0x80000000 || (fraction === 0x80000000 && (lo & 1) === 1);
        break;
      case RoundingMode.Down:
        increment = p.sign !== 0;
        break;
      case RoundingMode.Up:
        increment = p.sign === 0;
        break;
      default:
        increment = false;
    }
    if (increment) {
      st.roundedUp = true;
      lo += 1;
      if (lo >= TWO32) {
        lo = 0;
        hi += 1;
      }
    }
  }
  // Range: magnitude up to 2^(bits-1) - 1, or 2^(bits-1) when negative.
  const limitHi = bits === 64 ? 0x80000000 : 0;
  const limitLo = bits === 64 ? 0 : 2 ** (bits - 1);
  const overLimit = hi > limitHi || (hi === limitHi && lo > limitLo);
  const atLimit = hi === limitHi && lo === limitLo;
  if (hi >= TWO32 || overLimit || (atLimit && p.sign === 0)) {
    st.roundedUp = false;
    integerIndefinite(st, bits);
    return;
  }
  if (inexact) st.flags |= FloatFlag.Inexact;
  if (p.sign !== 0 && (hi !== 0 || lo !== 0)) {
    // Two's complement negation of hi:lo.
    if (lo === 0) {
      hi = (TWO32 - hi) % TWO32;
    } else {
      lo = TWO32 - lo;
      hi = 0xffffffff - hi;
    }
  }
  if (bits < 64) {
    // Sign-extend the low `bits` bits through lo and hi.
    lo = bits === 32 ? lo >>> 0 : ((lo << 16) >> 16) >>> 0;
    hi = lo >= 0x80000000 ? 0xffffffff : 0;
  }
  w.hi = hi >>> 0;
  w.lo = lo >>> 0;
}

function integerIndefinite(st: FloatStatus, bits: 16 | 32 | 64): void {
  const w = st.work;
  st.flags |= FloatFlag.Invalid;
  if (bits === 64) {
    w.hi = 0x80000000;
    w.lo = 0;
  } else {
    w.hi = 0xffffffff;
    w.lo = bits === 32 ? 0x80000000 : 0xffff8000;
  }
}
