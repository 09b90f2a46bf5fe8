/**
 * Rounding and packing: the one place where precision, exponent range, rounding mode,
 * tininess, flush-to-zero and the overflow/underflow/inexact flags are decided
 * (QEMU's round_canonical / roundAndPackFloatx80).
 *
 * Every operation hands over its exact result as a 96-bit significand (hi:lo:ext, top bit
 * of hi set) whose lowest bit is "sticky": it is 1 when any non-zero bits were lost below
 * it. Rounding to at most 64 bits only needs to know the round bit and whether anything
 * below it is non-zero, so this is enough for a correctly rounded result.
 */
import { FloatFlag, type FloatStatus, RoundingMode } from '../status.js';
import type { Format, Work } from './parts.js';

const TWO32 = 4294967296;
/** The 387's exponent wrap for results of unmasked overflow/underflow (3 * 2^13). */
const X87_BIAS_ADJUST = 24576;

/** roundAt result bits. */
const INEXACT = 1;
const INCREMENTED = 2;
const CARRY_OUT = 4;

/**
 * Shifts the 96-bit value right by n (any n >= 0), jamming every lost non-zero bit into
 * bit 0 of the result. Result in w.shiftHi/shiftLo/shiftExt.
 */
export function shiftRightJam96(w: Work, hi: number, lo: number, ext: number, n: number): void {
  let lost = false;
  if (n === 0) {
    // nothing
  } else if (n < 32) {
    lost = ext << (32 - n) !== 0;
    ext = ((ext >>> n) | (lo << (32 - n))) >>> 0;
    lo = ((lo >>> n) | (hi << (32 - n))) >>> 0;
    hi >>>= n;
  } else if (n < 64) {
    const m = n - 32;
    if (m === 0) {
      lost = ext !== 0;
      ext = lo;
      lo = hi;
    } else {
      lost = ext !== 0 || lo << (32 - m) !== 0;
      ext = ((lo >>> m) | (hi << (32 - m))) >>> 0;
      lo = hi >>> m;
    }
    hi = 0;
  } else if (n < 96) {
    const m = n - 64;
    if (m === 0) {
      lost = (ext | lo) !== 0;
      ext = hi;
    } else {
      lost = (ext | lo) !== 0 || hi << (32 - m) !== 0;
      ext = hi >>> m;
    }
    lo = 0;
    hi = 0;
  } else {
    lost = (hi | lo | ext) !== 0;
    hi = 0;
    lo = 0;
    ext = 0;
  }
  w.shiftHi = hi;
  w.shiftLo = lo;
  w.shiftExt = lost ? (ext | 1) >>> 0 : ext;
}

/**
 * Rounds the 96-bit value at bit k (keeps bits 95..k; 32 <= k < 96) in the given mode.
 * The kept bits go to w.hi/w.lo (a carry out of bit 95 leaves 2^95 there and sets
 * CARRY_OUT). Returns INEXACT | INCREMENTED | CARRY_OUT bits.
 */
export function roundAt(
  w: Work,
  hi: number,
  lo: number,
  ext: number,
  k: number,
  sign: number,
  mode: RoundingMode,
): number {
  let roundBit: number;
  let sticky: boolean;
  let lsb: number;
  if (k === 32) {
    roundBit = ext >>> 31;
    sticky = (ext & 0x7fffffff) !== 0;
    lsb = lo & 1;
  } else if (k < 64) {
    const s = k - 32;
    roundBit = (lo >>> (s - 1)) & 1;
    sticky = (lo & ((1 << (s - 1)) - 1)) !== 0 || ext !== 0;
    lo = ((lo >>> s) << s) >>> 0;
    lsb = (lo >>> s) & 1;
  } else if (k === 64) {
    roundBit = lo >>> 31;
    sticky = (lo & 0x7fffffff) !== 0 || ext !== 0;
    lo = 0;
    lsb = hi & 1;
  } else {
    const s = k - 64;
    roundBit = (hi >>> (s - 1)) & 1;
    sticky = (hi & ((1 << (s - 1)) - 1)) !== 0 || lo !== 0 || ext !== 0;
    hi = ((hi >>> s) << s) >>> 0;
    lo = 0;
    lsb = (hi >>> s) & 1;
  }
  let result = 0;
  if (roundBit !== 0 || sticky) {
    result = INEXACT;
    let increment: boolean;
    switch (mode) {
      case RoundingMode.NearestEven:
        increment = roundBit !== 0 && (sticky || lsb !== 0);
        break;
      case RoundingMode.Down:
        increment = sign !== 0;
        break;
      case RoundingMode.Up:
        increment = sign === 0;
        break;
      default:
        increment = false;
    }
    if (increment) {
      result |= INCREMENTED;
      if (k < 64) {
        lo += 2 ** (k - 32);
        if (lo >= TWO32) {
          lo -= TWO32;
          hi += 1;
        }
      } else {
        hi += 2 ** (k - 64);
      }
      if (hi >= TWO32) {
        // All kept bits were ones: the value is now exactly 2^96.
        hi = 0x80000000;
        lo = 0;
        result |= CARRY_OUT;
      }
    }
  }
  w.hi = hi;
  w.lo = lo;
  return result;
}

/**
 * Rounds sign * (hi:lo:ext) * 2^(exp - 95) to `precision` significand bits and the
 * exponent range of `fmt`, raising flags, and leaves the packed result in w.sign,
 * w.expField (biased; 0 for zero/denormal, all ones for infinity) and w.hi/w.lo (the
 * significand with an explicit integer bit, low bits below the precision zero).
 *
 * x86 detects tininess after rounding (glibc's sysdeps/x86/tininess.h says so, and the
 * host oracle agrees): a result is tiny only if, rounded to the destination precision
 * with an unbounded exponent, it is still below the smallest normal.
 */
export function roundPack(
  st: FloatStatus,
  fmt: Format,
  precision: number,
  sign: number,
  exp: number,
  hi: number,
  lo: number,
  ext: number,
): void {
  const w = st.work;
  const mode = st.roundingMode;
  const k = 96 - precision;
  w.sign = sign;
  if (exp < fmt.emin) {
    const tiny = exp < fmt.emin - 1 || (roundAt(w, hi, lo, ext, k, sign, mode) & CARRY_OUT) === 0;
    const underflowMasked = (st.exceptionMask & FloatFlag.Underflow) !== 0;
    if (tiny && st.flushToZero && underflowMasked) {
      st.flags |= FloatFlag.Underflow | FloatFlag.Inexact;
      st.roundedUp = false;
      w.expField = 0;
      w.hi = 0;
      w.lo = 0;
      return;
    }
    if (tiny && !underflowMasked && fmt.isX80 && exp + X87_BIAS_ADJUST >= fmt.emin) {
      // Unmasked x87 underflow: the normally rounded result with its exponent wrapped up
      // (when even the wrapped exponent is tiny, the 387 gives the masked response).
      const r = roundAt(w, hi, lo, ext, k, sign, mode);
      if (r & CARRY_OUT) exp++;
      st.flags |= FloatFlag.Underflow | (r & INEXACT ? FloatFlag.Inexact : 0);
      st.roundedUp = (r & INCREMENTED) !== 0;
      w.expField = exp + X87_BIAS_ADJUST + fmt.bias;
      return;
    }
    if (tiny && !underflowMasked && fmt.isX80) {
      // Beyond even the wrapped range (only FSCALE gets here): the host gives a signed
      // zero whatever the rounding mode.
      st.flags |= FloatFlag.Underflow | FloatFlag.Inexact;
      st.roundedUp = false;
      w.expField = 0;
      w.hi = 0;
      w.lo = 0;
      return;
    }
    shiftRightJam96(w, hi, lo, ext, fmt.emin - exp);
    const r = roundAt(w, w.shiftHi, w.shiftLo, w.shiftExt, k, sign, mode);
    let flags = 0;
    if (r & INEXACT) flags |= FloatFlag.Inexact;
    if (tiny && (r & INEXACT || !underflowMasked)) flags |= FloatFlag.Underflow;
    st.flags |= flags;
    st.roundedUp = (r & INCREMENTED) !== 0;
    // A denormal that rounded up into the integer bit is the smallest normal.
    w.expField = w.hi >>> 31;
    return;
  }
  const r = roundAt(w, hi, lo, ext, k, sign, mode);
  if (r & CARRY_OUT) exp++;
  st.roundedUp = (r & INCREMENTED) !== 0;
  if (exp > fmt.emax) {
    const overflowMasked = (st.exceptionMask & FloatFlag.Overflow) !== 0;
    if (!overflowMasked && fmt.isX80 && exp - X87_BIAS_ADJUST <= fmt.emax) {
      // Unmasked x87 overflow: the rounded result with its exponent wrapped down (when
      // even the wrapped exponent is too large, the 387 gives the masked response).
      st.flags |= FloatFlag.Overflow | (r & INEXACT ? FloatFlag.Inexact : 0);
      w.expField = exp - X87_BIAS_ADJUST + fmt.bias;
      return;
    }
    st.flags |= FloatFlag.Overflow | FloatFlag.Inexact;
    // Unmasked x87 overflow beyond the wrapped range (only FSCALE gets here): the host
    // gives a signed infinity whatever the rounding mode.
    const toInfinity =
      (!overflowMasked && fmt.isX80) ||
      mode === RoundingMode.NearestEven ||
      (mode === RoundingMode.Down && sign !== 0) ||
      (mode === RoundingMode.Up && sign === 0);
    if (toInfinity) {
      w.expField = fmt.maxField;
      w.hi = 0x80000000;
      w.lo = 0;
      st.roundedUp = true;
    } else {
      setLargestFinite(w, fmt, precision);
      st.roundedUp = false;
    }
    return;
  }
  if (r & INEXACT) st.flags |= FloatFlag.Inexact;
  w.expField = exp + fmt.bias;
}

/** The largest finite value of the format at the given precision (exponent emax, all ones). */
export function setLargestFinite(w: Work, fmt: Format, precision: number): void {
  w.expField = fmt.emax + fmt.bias;
  if (precision >= 32) {
    w.hi = 0xffffffff;
    w.lo =
      precision === 64 ? 0xffffffff : ((0xffffffff >>> (64 - precision)) << (64 - precision)) >>> 0;
  } else {
    w.hi = ((0xffffffff >>> (32 - precision)) << (32 - precision)) >>> 0;
    w.lo = 0;
  }
}

/**
 * Normalises a non-zero 96-bit significand (shifts left until bit 95 is set) and rounds
 * it; exp is the exponent of bit 95 before the shift.
 */
export function normalizeRoundPack(
  st: FloatStatus,
  fmt: Format,
  precision: number,
  sign: number,
  exp: number,
  hi: number,
  lo: number,
  ext: number,
): void {
  while (hi === 0) {
    hi = lo;
    lo = ext;
    ext = 0;
    exp -= 32;
  }
  const s = Math.clz32(hi);
  if (s !== 0) {
    hi = ((hi << s) | (lo >>> (32 - s))) >>> 0;
    lo = ((lo << s) | (ext >>> (32 - s))) >>> 0;
    ext = (ext << s) >>> 0;
    exp -= s;
  }
  roundPack(st, fmt, precision, sign, exp, hi, lo, ext);
}
