/**
 * The arithmetic core shared by the three formats: add, multiply, divide, square root on
 * Parts, with the special cases and NaN rules, ending in roundPack. The format-specific
 * files only unpack operands and pack the result.
 */
import { FloatFlag, type FloatStatus, RoundingMode } from '../status.js';
import {
  addSmallLimbs,
  compareLimbs,
  limbsNonZero,
  limbsToDouble,
  squareLimbs,
  subtractLimbs,
} from './limbs.js';
import { propagateNaN1, propagateNaN2 } from './nan.js';
import { type Format, INF, type Parts, QNAN, type Work, ZERO } from './parts.js';
import { normalizeRoundPack, roundPack, shiftRightJam96 } from './round.js';
import { setDefaultNaN, setInfinity, setZero } from './unpack.js';

const TWO32 = 4294967296;

/** Raises DE when either operand was denormal. */
function checkDenormals(st: FloatStatus, a: Parts, b: Parts): void {
  if (a.denormal || b.denormal) st.flags |= FloatFlag.Denormal;
}

// ---- add / subtract ------------------------------------------------------------------

export function addParts(
  st: FloatStatus,
  fmt: Format,
  precision: number,
  a: Parts,
  b: Parts,
  subtract: boolean,
  x87: boolean,
): void {
  const w = st.work;
  if (a.cls >= QNAN || b.cls >= QNAN) {
    propagateNaN2(st, fmt, a, b, x87);
    return;
  }
  checkDenormals(st, a, b);
  const bSign = subtract ? b.sign ^ 1 : b.sign;
  st.roundedUp = false;
  if (a.cls === INF) {
    if (b.cls === INF && a.sign !== bSign) {
      st.flags |= FloatFlag.Invalid;
      setDefaultNaN(w, fmt.maxField);
    } else {
      setInfinity(w, a.sign, fmt.maxField);
    }
    return;
  }
  if (b.cls === INF) {
    setInfinity(w, bSign, fmt.maxField);
    return;
  }
  if (a.cls === ZERO) {
    if (b.cls === ZERO) {
      const sign = a.sign === bSign ? a.sign : st.roundingMode === RoundingMode.Down ? 1 : 0;
      setZero(w, sign);
    } else {
      roundPack(st, fmt, precision, bSign, b.exp, b.hi, b.lo, 0);
    }
    return;
  }
  if (b.cls === ZERO) {
    roundPack(st, fmt, precision, a.sign, a.exp, a.hi, a.lo, 0);
    return;
  }
  addNormals(st, fmt, precision, a.sign, a.exp, a.hi, a.lo, bSign, b.exp, b.hi, b.lo);
}

/** Adds two finite non-zero values (signed), rounding the exact sum. */
export function addNormals(
  st: FloatStatus,
  fmt: Format,
  precision: number,
  aSign: number,
  aExp: number,
  aHi: number,
  aLo: number,
  bSign: number,
  bExp: number,
  bHi: number,
  bLo: number,
): void {
  const w = st.work;
  // Make a the operand of larger magnitude.
  if (aExp < bExp || (aExp === bExp && (aHi < bHi || (aHi === bHi && aLo < bLo)))) {
    let t = aSign;
    aSign = bSign;
    bSign = t;
    t = aExp;
    aExp = bExp;
    bExp = t;
    t = aHi;
    aHi = bHi;
    bHi = t;
    t = aLo;
    aLo = bLo;
    bLo = t;
  }
  shiftRightJam96(w, bHi, bLo, 0, aExp - bExp);
  const sh = w.shiftHi;
  const sl = w.shiftLo;
  const se = w.shiftExt;
  if (aSign === bSign) {
    let lo = aLo + sl;
    let hi = aHi + sh;
    if (lo >= TWO32) {
      lo -= TWO32;
      hi += 1;
    }
    let ext = se;
    let exp = aExp;
    if (hi >= TWO32) {
      // Carry out of bit 95: shift right by one, keeping the lost bit sticky.
      ext = ((ext >>> 1) | ((lo & 1) << 31) | (ext & 1)) >>> 0;
      lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
      hi = Math.floor(hi / 2);
      exp++;
    }
    roundPack(st, fmt, precision, aSign, exp, hi, lo, ext);
    return;
  }
  // Magnitude subtraction: |a| >= |b|.
  let ext = -se;
  let borrow = 0;
  if (ext < 0) {
    ext += TWO32;
    borrow = 1;
  }
  let lo = aLo - sl - borrow;
  borrow = 0;
  if (lo < 0) {
    lo += TWO32;
    borrow = 1;
  }
  const hi = aHi - sh - borrow;
  if (hi === 0 && lo === 0 && ext === 0) {
    // Exact cancellation: +0, or -0 when rounding down (IEEE 754 6.3).
    setZero(w, st.roundingMode === RoundingMode.Down ? 1 : 0);
    st.roundedUp = false;
    return;
  }
  normalizeRoundPack(st, fmt, precision, aSign, aExp, hi, lo, ext);
}

// ---- multiply ------------------------------------------------------------------------

export function mulParts(
  st: FloatStatus,
  fmt: Format,
  precision: number,
  a: Parts,
  b: Parts,
  x87: boolean,
): void {
  const w = st.work;
  if (a.cls >= QNAN || b.cls >= QNAN) {
    propagateNaN2(st, fmt, a, b, x87);
    return;
  }
  checkDenormals(st, a, b);
  const sign = a.sign ^ b.sign;
  st.roundedUp = false;
  if (a.cls === INF || b.cls === INF) {
    if (a.cls === ZERO || b.cls === ZERO) {
      st.flags |= FloatFlag.Invalid;
      setDefaultNaN(w, fmt.maxField);
    } else {
      setInfinity(w, sign, fmt.maxField);
    }
    return;
  }
  if (a.cls === ZERO || b.cls === ZERO) {
    setZero(w, sign);
    return;
  }
  mulNormals(st, fmt, precision, sign, a.exp + b.exp, a.hi, a.lo, b.hi, b.lo);
}

/**
 * Multiplies two normalised 64-bit significands (16-bit limbs, exact in doubles) and
 * rounds sign * product * 2^(exp - 126).
 */
export function mulNormals(
  st: FloatStatus,
  fmt: Format,
  precision: number,
  sign: number,
  exp: number,
  aHi: number,
  aLo: number,
  bHi: number,
  bLo: number,
): void {
  const a0 = aLo & 0xffff;
  const a1 = aLo >>> 16;
  const a2 = aHi & 0xffff;
  const a3 = aHi >>> 16;
  const b0 = bLo & 0xffff;
  const b1 = bLo >>> 16;
  const b2 = bHi & 0xffff;
  const b3 = bHi >>> 16;
  // Column sums are below 2^35; `& 0xffff` takes the low limb (ToInt32 is mod 2^32).
  let t = a0 * b0;
  const l0 = t & 0xffff;
  t = (t - l0) / 65536 + a0 * b1 + a1 * b0;
  const l1 = t & 0xffff;
  t = (t - l1) / 65536 + a0 * b2 + a1 * b1 + a2 * b0;
  const l2 = t & 0xffff;
  t = (t - l2) / 65536 + a0 * b3 + a1 * b2 + a2 * b1 + a3 * b0;
  const l3 = t & 0xffff;
  t = (t - l3) / 65536 + a1 * b3 + a2 * b2 + a3 * b1;
  const l4 = t & 0xffff;
  t = (t - l4) / 65536 + a2 * b3 + a3 * b2;
  const l5 = t & 0xffff;
  t = (t - l5) / 65536 + a3 * b3;
  const l6 = t & 0xffff;
  const l7 = (t - l6) / 65536;
  const hi = l7 * 65536 + l6;
  const lo = l5 * 65536 + l4;
  let ext = l3 * 65536 + l2;
  if ((l1 | l0) !== 0) ext = (ext | 1) >>> 0;
  // The product of two values in [1, 2) is in [1, 4): bit 95 of the frame is 2^1.
  normalizeRoundPack(st, fmt, precision, sign, exp + 1, hi, lo, ext);
}

// ---- divide --------------------------------------------------------------------------

export function divParts(
  st: FloatStatus,
  fmt: Format,
  precision: number,
  a: Parts,
  b: Parts,
  x87: boolean,
): void {
  const w = st.work;
  if (a.cls >= QNAN || b.cls >= QNAN) {
    propagateNaN2(st, fmt, a, b, x87);
    return;
  }
  const sign = a.sign ^ b.sign;
  st.roundedUp = false;
  // x/0 reports only divide-by-zero, even for a denormal x (host-checked, x87 and SSE).
  if (b.cls === ZERO && a.cls !== INF) {
    if (a.cls === ZERO) {
      st.flags |= FloatFlag.Invalid;
      setDefaultNaN(w, fmt.maxField);
    } else {
      st.flags |= FloatFlag.DivideByZero;
      setInfinity(w, sign, fmt.maxField);
    }
    return;
  }
  checkDenormals(st, a, b);
  if (a.cls === INF) {
    if (b.cls === INF) {
      st.flags |= FloatFlag.Invalid;
      setDefaultNaN(w, fmt.maxField);
    } else {
      setInfinity(w, sign, fmt.maxField);
    }
    return;
  }
  if (b.cls === INF) {
    setZero(w, sign);
    return;
  }
  if (a.cls === ZERO) {
    setZero(w, sign);
    return;
  }
  divNormals(st, fmt, precision, sign, a.exp - b.exp, a.hi, a.lo, b.hi, b.lo);
}

/**
 * Divides two normalised significands and rounds: a 96-bit quotient as three 32-bit
 * digits, each estimated with one double division and made exact by computing the
 * remainder in 16-bit limbs; a non-zero final remainder is the sticky bit.
 */
export function divNormals(
  st: FloatStatus,
  fmt: Format,
  precision: number,
  sign: number,
  exp: number,
  aHi: number,
  aLo: number,
  bHi: number,
  bLo: number,
): void {
  const w = st.work;
  // Start with a remainder below B: A itself when A < B (the quotient then starts below 1,
  // hence exp - 1), else A / 2 with its low bit shifted in as the first dividend word.
  let rh: number;
  let rl: number;
  let next: number;
  if (aHi < bHi || (aHi === bHi && aLo < bLo)) {
    exp -= 1;
    rh = aHi;
    rl = aLo;
    next = 0;
  } else {
    rh = aHi >>> 1;
    rl = ((aLo >>> 1) | (aHi << 31)) >>> 0;
    next = (aLo << 31) >>> 0;
  }
  const q2 = divStep(w, rh, rl, next, bHi, bLo);
  const q1 = divStep(w, w.shiftHi, w.shiftLo, 0, bHi, bLo);
  const q0 = divStep(w, w.shiftHi, w.shiftLo, 0, bHi, bLo);
  const ext = (w.shiftHi | w.shiftLo) !== 0 ? (q0 | 1) >>> 0 : q0;
  roundPack(st, fmt, precision, sign, exp, q2, q1, ext);
}

/**
 * One quotient digit: d = floor((R * 2^32 + next) / B) for a remainder R = rh:rl < B.
 * Returns d (< 2^32) and leaves the new remainder in w.shiftHi/shiftLo.
 */
function divStep(w: Work, rh: number, rl: number, next: number, bHi: number, bLo: number): number {
  // The estimate is within one of the true digit (53-bit doubles against a 32-bit digit).
  let d = Math.floor(((rh * TWO32 + rl) * TWO32 + next) / (bHi * TWO32 + bLo));
  if (d > 0xffffffff) d = 0xffffffff;
  // T = d * B exactly, in 16-bit limbs (each column sum stays below 2^35).
  const dl = d & 0xffff;
  const dh = d >>> 16;
  const b0 = bLo & 0xffff;
  const b1 = bLo >>> 16;
  const b2 = bHi & 0xffff;
  const b3 = bHi >>> 16;
  let c = dl * b0;
  const t0 = c & 0xffff;
  c = (c - t0) / 65536 + dl * b1 + dh * b0;
  const t1 = c & 0xffff;
  c = (c - t1) / 65536 + dl * b2 + dh * b1;
  const t2 = c & 0xffff;
  c = (c - t2) / 65536 + dl * b3 + dh * b2;
  const t3 = c & 0xffff;
  c = (c - t3) / 65536 + dh * b3;
  // N - T over three 32-bit words (N = rh:rl:next); the top word is 0 when d is right.
  let x = next - (t1 * 65536 + t0);
  let borrow = 0;
  if (x < 0) {
    x += TWO32;
    borrow = 1;
  }
  let y = rl - (t3 * 65536 + t2) - borrow;
  borrow = 0;
  if (y < 0) {
    y += TWO32;
    borrow = 1;
  }
  let z = rh - c - borrow;
  // Too large a digit: add B back.
  while (z < 0) {
    d--;
    x += bLo;
    let carry = 0;
    if (x >= TWO32) {
      x -= TWO32;
      carry = 1;
    }
    y += bHi + carry;
    if (y >= TWO32) {
      y -= TWO32;
      z += 1;
    }
  }
  // Too small a digit: subtract B.
  while (z > 0 || y > bHi || (y === bHi && x >= bLo)) {
    d++;
    x -= bLo;
    let b = 0;
    if (x < 0) {
      x += TWO32;
      b = 1;
    }
    y -= bHi + b;
    if (y < 0) {
      y += TWO32;
      z -= 1;
    }
  }
  w.shiftHi = y;
  w.shiftLo = x;
  return d;
}

// ---- square root ---------------------------------------------------------------------

export function sqrtParts(st: FloatStatus, fmt: Format, precision: number, a: Parts): void {
  const w = st.work;
  if (a.cls >= QNAN) {
    propagateNaN1(st, fmt, a);
    return;
  }
  st.roundedUp = false;
  if (a.cls === ZERO) {
    setZero(w, a.sign);
    return;
  }
  if (a.sign !== 0) {
    // Negative (denormals included): invalid only, no denormal flag (host-checked).
    st.flags |= FloatFlag.Invalid;
    setDefaultNaN(w, fmt.maxField);
    return;
  }
  if (a.denormal) st.flags |= FloatFlag.Denormal;
  if (a.cls === INF) {
    setInfinity(w, 0, fmt.maxField);
    return;
  }
  sqrtNormal(st, fmt, precision, a.exp, a.hi, a.lo);
}

/**
 * Square root of S * 2^(exp - 63) for a normalised 64-bit S: R = floor(sqrt(N)) with
 * N = S * 2^96 (exp odd) or S * 2^97 (exp even), so R has 80 or 81 bits; a double gives
 * the first 52 bits, one correction step in doubles gets within a few units, and exact
 * limb arithmetic settles R and whether the remainder is zero (the sticky bit).
 */
export function sqrtNormal(
  st: FloatStatus,
  fmt: Format,
  precision: number,
  exp: number,
  hi: number,
  lo: number,
): void {
  const w = st.work;
  // (exp - 63 - shift) must be even for the root's exponent to be whole.
  const extraBit = (exp & 1) === 0;
  const shift = extraBit ? 97 : 96;
  // N in 12 limbs: S shifted left by `shift` bits (96 = 6 limbs, plus the extra bit).
  const n = w.n;
  n.fill(0);
  let sHi = hi;
  let sLo = lo;
  let top = 0;
  if (extraBit) {
    top = sHi >>> 31;
    sHi = ((sHi << 1) | (sLo >>> 31)) >>> 0;
    sLo = (sLo << 1) >>> 0;
  }
  n[6] = sLo & 0xffff;
  n[7] = sLo >>> 16;
  n[8] = sHi & 0xffff;
  n[9] = sHi >>> 16;
  n[10] = top;
  // First approximation: sqrt(S * 2^shift) from the double nearest to S.
  const approx = Math.sqrt((hi * TWO32 + lo) * 2 ** shift);
  // y = approx as 6 limbs (approx < 2^81 and is a multiple of 2^28 or more).
  const y = w.y;
  setLimbsFromDouble(y, approx);
  // One correction: delta = (N - y^2) / (2y) in doubles.
  const sq = w.square;
  squareLimbs(y, 6, sq);
  const cmp = compareLimbs(n, sq, 12);
  const diff = w.diff;
  if (cmp >= 0) subtractLimbs(n, sq, diff, 12);
  else subtractLimbs(sq, n, diff, 12);
  const remainder = limbsToDouble(diff, 12) * (cmp >= 0 ? 1 : -1);
  addSmallLimbs(y, 6, Math.round(remainder / (2 * approx)));
  // Settle: make y^2 <= N < (y+1)^2.
  for (;;) {
    squareLimbs(y, 6, sq);
    if (compareLimbs(sq, n, 12) > 0) {
      addSmallLimbs(y, 6, -1);
      continue;
    }
    // (y+1)^2 = y^2 + 2y + 1 <= N ?  i.e. N - y^2 > 2y
    subtractLimbs(n, sq, diff, 12);
    if (exceedsTwice(diff, y, w.twice)) {
      addSmallLimbs(y, 6, 1);
      continue;
    }
    break;
  }
  const sticky = limbsNonZero(diff, 12);
  // R = y (80 or 81 bits) as a 96-bit frame; normalizeRoundPack shifts it up by 15 or 16
  // bits, which keeps the sticky bit far below the rounding point.
  const rHi = y[5] * 65536 + y[4];
  const rMid = y[3] * 65536 + y[2];
  const rLo = y[1] * 65536 + y[0];
  // value = sqrt(S * 2^(exp-63)) = R * 2^((exp - 63 - shift) / 2); frame exponent of bit 95
  // of (rHi:rMid:rLo) is that plus 95.
  const frameExp = (exp - 63 - shift) / 2 + 95;
  normalizeRoundPack(st, fmt, precision, 0, frameExp, rHi, rMid, sticky ? (rLo | 1) >>> 0 : rLo);
}

/** diff > 2*y (diff: 12 limbs, y: 6 limbs). */
function exceedsTwice(diff: Float64Array, y: Float64Array, twice: Float64Array): boolean {
  for (let i = 11; i >= 7; i--) if (diff[i] !== 0) return true;
  // Compare diff[0..6] with 2*y as 7 limbs, from the top.
  let carry = 0;
  for (let i = 0; i < 6; i++) {
    const t = y[i] * 2 + carry;
    twice[i] = t & 0xffff;
    carry = t >>> 16;
  }
  twice[6] = carry;
  for (let i = 6; i >= 0; i--) {
    if (diff[i] !== twice[i]) return diff[i] > twice[i];
  }
  return false;
}

/** Writes a non-negative integer-valued double (< 2^96) as 6 limbs. */
function setLimbsFromDouble(dst: Float64Array, value: number): void {
  let v = Math.floor(value);
  for (let i = 0; i < 6; i++) {
    const limb = v & 0xffff; // exact for any integer-valued double
    dst[i] = limb;
    v = (v - limb) / 65536;
  }
}
