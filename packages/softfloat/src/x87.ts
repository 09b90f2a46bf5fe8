/**
 * x87-only operations: FPREM, FPREM1, FSCALE, FXTRACT, FBLD/FBSTP (packed BCD), FXAM,
 * FCHS/FABS. None of them uses the precision control. FPREM/FPREM1 and BCD are rare
 * instructions and use BigInt for their long integer arithmetic; the rest do not.
 */
import { propagateNaN1, propagateNaN2 } from './internal/nan.js';
import { INF, NORMAL, type Parts, QNAN, X80, ZERO } from './internal/parts.js';
import { roundPack } from './internal/round.js';
import { packX80, setDefaultNaN, setInfinity, setZero, unpackX80 } from './internal/unpack.js';
import { FloatFlag, type FloatStatus, RoundingMode } from './status.js';
import type { Floatx80 } from './types.js';

/** Status-word condition code bits. */
export const X87_C0 = 0x0100;
export const X87_C1 = 0x0200;
export const X87_C2 = 0x0400;
export const X87_C3 = 0x4000;

function unpack2(st: FloatStatus, a: Floatx80, b: Floatx80): void {
  unpackX80(st.work.a, a.signExp, a.high, a.low);
  unpackX80(st.work.b, b.signExp, b.high, b.low);
}

function partsSignificand(p: Parts): bigint {
  return (BigInt(p.hi) << 32n) | BigInt(p.lo);
}

/**
 * Writes sign * m * 2^e (m a non-negative BigInt) as an x80 result, exactly when it fits
 * (remainders always do); m = 0 gives a zero of the given sign.
 */
function packExact(st: FloatStatus, sign: number, m: bigint, e: number, out: Floatx80): Floatx80 {
  const w = st.work;
  if (m === 0n) {
    setZero(w, sign);
    return packX80(w, out);
  }
  const bits = m.toString(2).length;
  if (bits > 96) throw new Error('softfloat internal error: remainder wider than 96 bits');
  // Bring m to exactly 96 bits for roundPack (exponent of the frame's bit 95).
  const exp = e + bits - 1;
  m <<= BigInt(96 - bits);
  const hi = Number(m >> 64n);
  const lo = Number((m >> 32n) & 0xffffffffn);
  const ext = Number(m & 0xffffffffn);
  roundPack(st, X80, 64, sign, exp, hi, lo, ext);
  return packX80(w, out);
}

/**
 * FPREM (`ieee` false: quotient truncated) and FPREM1 (`ieee` true: quotient rounded to
 * nearest even, the IEEE remainder) of a = ST0 by b = ST1. Returns the condition codes:
 * C2 set when the reduction is incomplete (exponent difference >= 64: the host reduces
 * by 2^(d - N) with N = 32 + ((d - 64) mod 32) and leaves C0/C3/C1 clear), otherwise
 * C0, C3, C1 = quotient bits 2, 1, 0.
 */
export function floatx80Remainder(
  a: Floatx80,
  b: Floatx80,
  status: FloatStatus,
  out: Floatx80,
  ieee: boolean,
): number {
  const w = status.work;
  unpack2(status, a, b);
  const pa = w.a;
  const pb = w.b;
  status.roundedUp = false;
  if (pa.cls >= QNAN || pb.cls >= QNAN) {
    propagateNaN2(status, X80, pa, pb, true);
    packX80(w, out);
    return 0;
  }
  if (pa.cls === INF || pb.cls === ZERO) {
    status.flags |= FloatFlag.Invalid;
    setDefaultNaN(w, X80.maxField);
    packX80(w, out);
    return 0;
  }
  if (pa.denormal || pb.denormal) status.flags |= FloatFlag.Denormal;
  if (pa.cls === ZERO) {
    setZero(w, pa.sign);
    packX80(w, out);
    return 0;
  }
  if (pb.cls === INF) {
    // The dividend, re-encoded (a pseudo-denormal comes back with exponent 1).
    packExact(status, pa.sign, partsSignificand(pa), pa.exp - 63, out);
    return 0;
  }
  const d = pa.exp - pb.exp;
  const A = partsSignificand(pa);
  const B = partsSignificand(pb);
  if (d >= 64) {
    const n = 32 + ((d - 64) % 32);
    // Partial: R = A*2^d - B*QQ*2^(d-n) with QQ = trunc(A * 2^n / B), in units of 2^(d-n).
    const scaled = A << BigInt(n);
    const r = scaled % B;
    packExact(status, pa.sign, r, pb.exp - 63 + d - n, out);
    return X87_C2;
  }
  let q: bigint;
  let r: bigint;
  let sign = pa.sign;
  // In units of 2^(bExp - 63) (d >= 0) or of 2^(aExp - 64) (d < 0: |a| < |b|).
  if (d >= 0) {
    const scaled = A << BigInt(d);
    q = scaled / B;
    r = scaled - q * B;
    if (ieee && (2n * r > B || (2n * r === B && (q & 1n) === 1n))) {
      q += 1n;
      r = B - r;
      sign ^= 1;
    }
    packExact(status, sign, r, pb.exp - 63, out);
  } else {
    q = 0n;
    // FPREM1 may still round the quotient up to 1 when |a| > |b| / 2 (d = -1).
    if (ieee && d === -1 && A > B) {
      q = 1n;
      // |b| - |a| in units of 2^(aExp - 63)
      r = 2n * B - A;
      sign ^= 1;
      packExact(status, sign, r, pa.exp - 63, out);
    } else {
      packExact(status, pa.sign, A, pa.exp - 63, out);
      return 0;
    }
  }
  const qi = Number(q & 7n);
  return (qi & 4 ? X87_C0 : 0) | (qi & 2 ? X87_C3 : 0) | (qi & 1 ? X87_C1 : 0);
}

/** FSCALE: ST0 * 2^trunc(ST1), rounded (overflow/underflow as usual); C1 = rounded up. */
export function floatx80Scale(
  a: Floatx80,
  b: Floatx80,
  status: FloatStatus,
  out: Floatx80,
): Floatx80 {
  const w = status.work;
  unpack2(status, a, b);
  const pa = w.a;
  const pb = w.b;
  status.roundedUp = false;
  if (pa.cls >= QNAN || pb.cls >= QNAN) {
    propagateNaN2(status, X80, pa, pb, true);
    return packX80(w, out);
  }
  if (pa.denormal || pb.denormal) status.flags |= FloatFlag.Denormal;
  if (pb.cls === INF) {
    if (pb.sign === 0) {
      if (pa.cls === ZERO) {
        status.flags |= FloatFlag.Invalid;
        setDefaultNaN(w, X80.maxField);
      } else {
        setInfinity(w, pa.sign, X80.maxField);
      }
    } else if (pa.cls === INF) {
      status.flags |= FloatFlag.Invalid;
      setDefaultNaN(w, X80.maxField);
    } else {
      setZero(w, pa.sign);
    }
    return packX80(w, out);
  }
  if (pa.cls === ZERO) {
    setZero(w, pa.sign);
    return packX80(w, out);
  }
  if (pa.cls === INF) {
    setInfinity(w, pa.sign, X80.maxField);
    return packX80(w, out);
  }
  // trunc(b), clamped far beyond any exponent that still matters.
  let n = 0;
  if (pb.cls === NORMAL && pb.exp >= 0) {
    n = pb.exp >= 20 ? 1 << 20 : pb.hi >>> (31 - pb.exp);
    if (pb.sign) n = -n;
  }
  roundPack(status, X80, 64, pa.sign, pa.exp + n, pa.hi, pa.lo, 0);
  return packX80(w, out);
}

/**
 * FXTRACT: splits a into its significand (exponent 0, same sign) and its unbiased
 * exponent as a value. Zero gives -inf as exponent and raises divide-by-zero.
 */
export function floatx80Extract(
  a: Floatx80,
  status: FloatStatus,
  significand: Floatx80,
  exponent: Floatx80,
): void {
  const w = status.work;
  const p = w.a;
  unpackX80(p, a.signExp, a.high, a.low);
  status.roundedUp = false;
  if (p.cls >= QNAN) {
    propagateNaN1(status, X80, p);
    packX80(w, significand);
    exponent.set(significand);
    return;
  }
  if (p.denormal) status.flags |= FloatFlag.Denormal;
  if (p.cls === ZERO) {
    status.flags |= FloatFlag.DivideByZero;
    setInfinity(w, 1, X80.maxField);
    packX80(w, exponent);
    setZero(w, p.sign);
    packX80(w, significand);
    return;
  }
  if (p.cls === INF) {
    setInfinity(w, p.sign, X80.maxField);
    packX80(w, significand);
    setInfinity(w, 0, X80.maxField);
    packX80(w, exponent);
    return;
  }
  significand.signExp = (p.sign << 15) | 0x3fff;
  significand.high = p.hi;
  significand.low = p.lo;
  // The exponent is a small integer: exact.
  const e = p.exp;
  const mag = Math.abs(e);
  if (mag === 0) {
    exponent.signExp = 0;
    exponent.high = 0;
    exponent.low = 0;
    return;
  }
  const lead = 31 - Math.clz32(mag);
  exponent.signExp = ((e < 0 ? 1 : 0) << 15) | (0x3fff + lead);
  exponent.high = (mag << (31 - lead)) >>> 0;
  exponent.low = 0;
}

// ---- packed BCD --------------------------------------------------------------------------

const TEN18 = 10n ** 18n;

/**
 * FBLD: 10 bytes of packed BCD (memory order: byte 0 holds the two lowest digits, byte 9
 * the sign in bit 7) to an exact x80 value. Nibbles above 9 are not valid BCD; they are
 * weighted as digits anyway (value * 10^position), which is what the host does.
 */
export function bcdToFloatx80(bytes: Uint8Array, status: FloatStatus, out: Floatx80): Floatx80 {
  if (bytes.length < 10) throw new Error('bcdToFloatx80: need 10 bytes');
  let v = 0n;
  for (let i = 8; i >= 0; i--) {
    const byte = bytes[i];
    v = v * 100n + BigInt((byte >>> 4) * 10 + (byte & 15));
  }
  const sign = bytes[9] >>> 7;
  return packExact(status, sign, v, 0, out);
}

/**
 * FBSTP: rounds with the rounding control to an integer and writes 18 packed BCD digits.
 * NaN, infinity, unsupported encodings and |value| >= 10^18 are invalid and store the
 * BCD indefinite (FF FF C0 00 ... 00, byte 9 first).
 */
export function floatx80ToBcd(a: Floatx80, status: FloatStatus, bytes: Uint8Array): Uint8Array {
  if (bytes.length < 10) throw new Error('floatx80ToBcd: need 10 bytes');
  const w = status.work;
  const p = w.a;
  unpackX80(p, a.signExp, a.high, a.low);
  status.roundedUp = false;
  const indefinite = (): Uint8Array => {
    status.flags |= FloatFlag.Invalid;
    bytes.fill(0, 0, 10);
    bytes[9] = 0xff;
    bytes[8] = 0xff;
    bytes[7] = 0xc0;
    return bytes;
  };
  if (p.cls !== ZERO && p.cls !== NORMAL) return indefinite();
  let v = 0n;
  if (p.cls === NORMAL) {
    if (p.exp >= 64) return indefinite();
    const m = partsSignificand(p);
    const shift = 63 - p.exp;
    let int: bigint;
    let inexact = false;
    let increment = false;
    if (shift <= 0) {
      int = m << BigInt(-shift);
    } else if (shift > 130) {
      // Below 2^-67: only the sticky bit is left.
      int = 0n;
      inexact = true;
      increment = roundIncrement(status.roundingMode, p.sign, false, true, false);
    } else {
      const s = BigInt(shift);
      int = m >> s;
      const frac = m & ((1n << s) - 1n);
      const half = 1n << (s - 1n);
      if (frac !== 0n) {
        inexact = true;
        const roundBit = frac >= half;
        const sticky = (frac & (half - 1n)) !== 0n;
        increment = roundIncrement(
          status.roundingMode,
          p.sign,
          roundBit,
          sticky,
          (int & 1n) === 1n,
        );
      }
    }
    if (increment) int += 1n;
    if (int >= TEN18) return indefinite();
    if (inexact) status.flags |= FloatFlag.Inexact;
    status.roundedUp = increment;
    v = int;
  }
  for (let i = 0; i < 9; i++) {
    const low = Number(v % 10n);
    v /= 10n;
    const high = Number(v % 10n);
    v /= 10n;
    bytes[i] = (high << 4) | low;
  }
  bytes[9] = p.sign ? 0x80 : 0;
  return bytes;
}

/** Whether to round up the magnitude for a non-zero discarded fraction. */
function roundIncrement(
  mode: RoundingMode,
  sign: number,
  roundBit: boolean,
  sticky: boolean,
  odd: boolean,
): boolean {
  switch (mode) {
    case RoundingMode.NearestEven:
      return roundBit && (sticky || odd);
    case RoundingMode.Down:
      return sign !== 0;
    case RoundingMode.Up:
      return sign === 0;
    default:
      return false;
  }
}

// ---- FXAM, FCHS, FABS ----------------------------------------------------------------------

/**
 * FXAM: the class of a register value as condition codes C3 C2 C0 (and C1 = sign), in
 * status-word positions. `empty` is the tag word's "empty" for that register.
 */
export function floatx80Examine(a: Floatx80, empty = false): number {
  const sign = a.signExp & 0x8000 ? X87_C1 : 0;
  if (empty) return sign | X87_C3 | X87_C0;
  const field = a.signExp & 0x7fff;
  const integerBit = a.high >>> 31;
  if (field === 0x7fff) {
    if (integerBit === 0) return sign; // unsupported (pseudo-NaN/infinity)
    if ((a.high & 0x7fffffff) === 0 && a.low === 0) return sign | X87_C2 | X87_C0; // infinity
    return sign | X87_C0; // NaN
  }
  if (field === 0) {
    if (a.high === 0 && a.low === 0) return sign | X87_C3; // zero
    return sign | X87_C3 | X87_C2; // denormal (pseudo-denormals too)
  }
  if (integerBit === 0) return sign; // unnormal: unsupported
  return sign | X87_C2; // normal
}

/** FCHS: flips the sign bit; no flags, NaNs untouched. */
export function floatx80Negate(a: Floatx80, out: Floatx80): Floatx80 {
  out.signExp = (a.signExp ^ 0x8000) & 0xffff;
  out.high = a.high;
  out.low = a.low;
  return out;
}

/** FABS: clears the sign bit; no flags. */
export function floatx80Abs(a: Floatx80, out: Floatx80): Floatx80 {
  out.signExp = a.signExp & 0x7fff;
  out.high = a.high;
  out.low = a.low;
  return out;
}
