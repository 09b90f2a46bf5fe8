/**
 * x87 transcendentals: FSIN, FCOS, FSINCOS, FPTAN, FPATAN, F2XM1, FYL2X, FYL2XP1.
 *
 * Values are computed with 192-bit BigInt floats (internal/bigfloat.ts) and rounded once
 * to 64 bits in the status rounding mode, so results are correctly rounded (to within
 * 2^-120 relative) and differ from the hardware's only where the hardware itself is off
 * by its documented ~1 ulp. Two hardware quirks are reproduced on purpose:
 * - FSIN/FCOS/FSINCOS/FPTAN reduce their argument modulo pi/2 with pi rounded to 66 bits,
 *   as the x87 does (so sin(pi) is -2^-64, not -5.0e-20), and leave |x| >= 2^63
 *   unchanged with C2 set.
 * - Inexact is reported for every finite non-trivial result, as the host does even for
 *   exact ones such as log2(2).
 * These are rare instructions: BigInt (and its allocation) is acceptable here.
 */
import {
  type BigFloat,
  bf,
  bfAbs,
  bfAdd,
  bfCompare,
  bfDiv,
  bfExponent,
  bfFromInt,
  bfFromSignificand,
  bfMul,
  bfNeg,
  bfScale,
  bfSqrt,
  bfSub,
  LN2,
  PI,
  PRECISION,
} from './internal/bigfloat.js';
import { propagateNaN1, propagateNaN2 } from './internal/nan.js';
import { INF, NORMAL, type Parts, QNAN, X80, ZERO } from './internal/parts.js';
import { roundPack } from './internal/round.js';
import { packX80, setDefaultNaN, setInfinity, setZero, unpackX80 } from './internal/unpack.js';
import { FloatFlag, type FloatStatus } from './status.js';
import type { Floatx80 } from './types.js';
import { X87_C2 } from './x87.js';

/** pi rounded to 66 significant bits, in units of 2^-64 (the x87's reduction constant). */
const PI66 = 0x3243f6a8885a308d3n;
const ONE = bfFromInt(1);
const TWO = bfFromInt(2);

// ---- helpers ------------------------------------------------------------------------------

function toBigFloat(p: Parts): BigFloat {
  return bfFromSignificand(p.sign, (BigInt(p.hi) << 32n) | BigInt(p.lo), p.exp);
}

/** Rounds a BigFloat into Work as an x80 result; inexact is always reported. */
function roundBigFloat(st: FloatStatus, v: BigFloat): void {
  const w = st.work;
  if (v.m === 0n) {
    setZero(w, 0);
    st.roundedUp = false;
    return;
  }
  const sign = v.m < 0n ? 1 : 0;
  const m = v.m < 0n ? -v.m : v.m;
  const low = BigInt(PRECISION - 96);
  const hi = Number(m >> (low + 64n));
  const lo = Number((m >> (low + 32n)) & 0xffffffffn);
  let ext = Number((m >> low) & 0xffffffffn);
  if ((m & ((1n << low) - 1n)) !== 0n) ext = (ext | 1) >>> 0;
  roundPack(st, X80, 64, sign, bfExponent(v), hi, lo, ext);
  // Always inexact, so a tiny result is always an underflow (as on the host).
  st.flags |= FloatFlag.Inexact;
  if (st.work.expField === 0 && (st.work.hi | st.work.lo) !== 0) st.flags |= FloatFlag.Underflow;
}

/** Raises DE for a denormal operand (the transcendentals all report it). */
function checkDenormal(st: FloatStatus, p: Parts): void {
  if (p.denormal) st.flags |= FloatFlag.Denormal;
}

/** Whether a series term no longer matters at PRECISION bits. */
function converged(term: BigFloat, sum: BigFloat): boolean {
  return term.m === 0n || (sum.m !== 0n && bfExponent(term) < bfExponent(sum) - PRECISION - 4);
}

/**
 * The sum of a converged series, nudged by a few units of its last place toward the
 * neglected tail, so that a sum which happens to be representable (sin x = x for tiny x)
 * still rounds the way the true value does: the nudge is far below the 64 bits kept and
 * below every term that was kept, and only decides when nothing else does.
 */
function withTail(sum: BigFloat, firstNeglected: BigFloat): BigFloat {
  if (firstNeglected.m === 0n || sum.m === 0n) return sum;
  const nudge = bf(firstNeglected.m < 0n ? -1n : 1n, bfExponent(sum) - PRECISION + 4);
  return bfAdd(sum, nudge);
}

function sinSeries(r: BigFloat): BigFloat {
  const r2 = bfMul(r, r);
  let term = r;
  let sum = r;
  for (let k = 1; ; k++) {
    term = bfNeg(bfDiv(bfMul(term, r2), bfFromInt(2 * k * (2 * k + 1))));
    if (converged(term, sum)) return withTail(sum, term);
    sum = bfAdd(sum, term);
  }
}

function cosSeries(r: BigFloat): BigFloat {
  const r2 = bfMul(r, r);
  let term = ONE;
  let sum = ONE;
  for (let k = 1; ; k++) {
    term = bfNeg(bfDiv(bfMul(term, r2), bfFromInt((2 * k - 1) * (2 * k))));
    if (converged(term, sum)) return withTail(sum, term);
    sum = bfAdd(sum, term);
  }
}

/** atan(z) for 0 <= z <= 1: three argument halvings, then the Taylor series. */
function atanSmall(z: BigFloat): BigFloat {
  for (let i = 0; i < 3; i++) z = bfDiv(z, bfAdd(ONE, bfSqrt(bfAdd(ONE, bfMul(z, z)))));
  const z2 = bfMul(z, z);
  let power = z;
  let sum = z;
  for (let k = 1; ; k++) {
    power = bfNeg(bfMul(power, z2));
    const term = bfDiv(power, bfFromInt(2 * k + 1));
    if (converged(term, sum)) return bfScale(withTail(sum, term), 3);
    sum = bfAdd(sum, term);
  }
}

/** 2 atanh(z) = ln((1+z)/(1-z)), for |z| < 0.2. */
function twoAtanh(z: BigFloat): BigFloat {
  const z2 = bfMul(z, z);
  let power = z;
  let sum = z;
  for (let k = 1; ; k++) {
    power = bfMul(power, z2);
    const term = bfDiv(power, bfFromInt(2 * k + 1));
    if (converged(term, sum)) return bfScale(withTail(sum, term), 1);
    sum = bfAdd(sum, term);
  }
}

/** log2(x) for x > 0: e + ln(m) / ln 2 with m near 1 (exact when x is a power of 2). */
function log2Of(x: BigFloat): BigFloat {
  let e = bfExponent(x);
  let m = bfScale(x, -e); // [1, 2)
  if (bfCompare(m, bfDiv(bfFromInt(181), bfFromInt(128))) > 0) {
    m = bfScale(m, -1); // [0.707, 1)
    e += 1;
  }
  const z = bfDiv(bfSub(m, ONE), bfAdd(m, ONE));
  return bfAdd(bfFromInt(e), bfDiv(twoAtanh(z), LN2));
}

/** log2(1 + x), accurate for small x: 2 atanh(x / (2 + x)) / ln 2. */
function log2p1(x: BigFloat): BigFloat {
  const z = bfDiv(x, bfAdd(TWO, x));
  if (bfCompare(bfAbs(z), bfDiv(ONE, bfFromInt(5))) < 0) return bfDiv(twoAtanh(z), LN2);
  return log2Of(bfAdd(ONE, x));
}

/** e^t - 1 for |t| < 1: halve t ten times, series, then expm1(2u) = expm1(u) (expm1(u) + 2). */
function expm1(t: BigFloat): BigFloat {
  const halvings = 10;
  const u = bfScale(t, -halvings);
  let term = u;
  let sum = u;
  for (let k = 2; ; k++) {
    term = bfDiv(bfMul(term, u), bfFromInt(k));
    if (converged(term, sum)) break;
    sum = bfAdd(sum, term);
  }
  for (let i = 0; i < halvings; i++) sum = bfMul(sum, bfAdd(sum, TWO));
  return sum;
}

// ---- FSIN, FCOS, FSINCOS, FPTAN ----------------------------------------------------------

/** Argument reduction result: x = k * (pi66 / 2) + r, |r| <= pi66 / 4. */
interface Reduced {
  quadrant: number;
  r: BigFloat;
}

/** Reduces a finite non-zero x with |x| < 2^63 modulo pi/2 with the x87's 66-bit pi. */
function reduce(p: Parts): Reduced {
  if (p.exp < -2) return { quadrant: 0, r: toBigFloat(p) };
  // x in units of 2^-65 (pi66/2 = PI66 * 2^-65): exact.
  const x = ((BigInt(p.hi) << 32n) | BigInt(p.lo)) << BigInt(p.exp + 2);
  const k = (2n * x + PI66) / (2n * PI66);
  const r = x - k * PI66;
  const quadrant = Number(k & 3n);
  const signed = p.sign ? -r : r;
  return { quadrant: p.sign ? (4 - quadrant) & 3 : quadrant, r: bf(signed, -65) };
}

/**
 * The common part of the trigonometric ops: NaN, infinity, zero, out of range. Returns
 * true when it has left the result(s) to write (`special` says which way).
 */
type TrigOutcome = 'compute' | 'nan' | 'outOfRange' | 'zero';

function trigPrologue(st: FloatStatus, p: Parts): TrigOutcome {
  st.roundedUp = false;
  if (p.cls >= QNAN) {
    propagateNaN1(st, X80, p);
    return 'nan';
  }
  if (p.cls === INF) {
    st.flags |= FloatFlag.Invalid;
    setDefaultNaN(st.work, X80.maxField);
    return 'nan';
  }
  if (p.cls === ZERO) return 'zero';
  if (p.exp >= 63) return 'outOfRange';
  checkDenormal(st, p);
  return 'compute';
}

function sinOf(q: Reduced): BigFloat {
  switch (q.quadrant) {
    case 0:
      return sinSeries(q.r);
    case 1:
      return cosSeries(q.r);
    case 2:
      return bfNeg(sinSeries(q.r));
    default:
      return bfNeg(cosSeries(q.r));
  }
}

function cosOf(q: Reduced): BigFloat {
  return sinOf({ quadrant: (q.quadrant + 1) & 3, r: q.r });
}

/** FSIN. Returns the condition codes: C2 when |x| >= 2^63 (operand left unchanged). */
export function floatx80Sin(a: Floatx80, status: FloatStatus, out: Floatx80): number {
  const w = status.work;
  unpackX80(w.a, a.signExp, a.high, a.low);
  switch (trigPrologue(status, w.a)) {
    case 'outOfRange':
      out.set(a);
      return X87_C2;
    case 'zero':
      setZero(w, w.a.sign);
      break;
    case 'compute':
      roundBigFloat(status, sinOf(reduce(w.a)));
      break;
    default:
  }
  packX80(w, out);
  return 0;
}

/** FCOS. Returns C2 when |x| >= 2^63 (operand left unchanged). */
export function floatx80Cos(a: Floatx80, status: FloatStatus, out: Floatx80): number {
  const w = status.work;
  unpackX80(w.a, a.signExp, a.high, a.low);
  switch (trigPrologue(status, w.a)) {
    case 'outOfRange':
      out.set(a);
      return X87_C2;
    case 'zero':
      roundBigFloat(status, ONE);
      status.flags &= ~FloatFlag.Inexact;
      break;
    case 'compute':
      roundBigFloat(status, cosOf(reduce(w.a)));
      break;
    default:
  }
  packX80(w, out);
  return 0;
}

/**
 * FSINCOS: sin into `sin`, cos into `cos` (the CPU puts sin in ST1 and pushes cos).
 * Returns C2 when |x| >= 2^63: nothing is written then and nothing must be pushed.
 */
export function floatx80SinCos(
  a: Floatx80,
  status: FloatStatus,
  sin: Floatx80,
  cos: Floatx80,
): number {
  const w = status.work;
  unpackX80(w.a, a.signExp, a.high, a.low);
  const outcome = trigPrologue(status, w.a);
  switch (outcome) {
    case 'outOfRange':
      return X87_C2;
    case 'nan':
      packX80(w, sin);
      packX80(w, cos);
      return 0;
    case 'zero':
      setZero(w, w.a.sign);
      packX80(w, sin);
      roundBigFloat(status, ONE);
      status.flags &= ~FloatFlag.Inexact;
      packX80(w, cos);
      return 0;
    default: {
      const q = reduce(w.a);
      roundBigFloat(status, cosOf(q));
      packX80(w, cos);
      // C1 reports the sine's rounding (host-checked).
      roundBigFloat(status, sinOf(q));
      packX80(w, sin);
      return 0;
    }
  }
}

/**
 * FPTAN: tan(x) into `tan` (the CPU replaces ST0 with it and pushes 1.0). Returns C2
 * when |x| >= 2^63: nothing is written then and nothing must be pushed. For a NaN
 * operand the CPU pushes the NaN instead of 1.0 (`tan` holds it).
 */
export function floatx80Tan(a: Floatx80, status: FloatStatus, tan: Floatx80): number {
  const w = status.work;
  unpackX80(w.a, a.signExp, a.high, a.low);
  switch (trigPrologue(status, w.a)) {
    case 'outOfRange':
      return X87_C2;
    case 'zero':
      setZero(w, w.a.sign);
      break;
    case 'compute': {
      const q = reduce(w.a);
      if (q.quadrant === 0 && bfExponent(q.r) < -100) {
        // tan r = r + r^3/3 + ...: the tail is far below 64 bits but decides rounding.
        roundBigFloat(status, withTail(q.r, q.r));
        break;
      }
      const s = sinSeries(q.r);
      const c = cosSeries(q.r);
      roundBigFloat(status, q.quadrant & 1 ? bfNeg(bfDiv(c, s)) : bfDiv(s, c));
      break;
    }
    default:
  }
  packX80(w, tan);
  return 0;
}

// ---- FPATAN -------------------------------------------------------------------------------

/** FPATAN: atan2(y, x) with y = ST1 and x = ST0 (the CPU stores it in ST1 and pops). */
export function floatx80Atan2(
  y: Floatx80,
  x: Floatx80,
  status: FloatStatus,
  out: Floatx80,
): Floatx80 {
  const w = status.work;
  const px = w.a;
  const py = w.b;
  unpackX80(px, x.signExp, x.high, x.low);
  unpackX80(py, y.signExp, y.high, y.low);
  status.roundedUp = false;
  if (px.cls >= QNAN || py.cls >= QNAN) {
    propagateNaN2(status, X80, px, py, true);
    return packX80(w, out);
  }
  checkDenormal(status, px);
  checkDenormal(status, py);
  const pi = PI;
  const halfPi = bfScale(PI, -1);
  let angle: BigFloat;
  if (py.cls === ZERO) {
    // atan2(+-0, x): +-0 for x > 0 or +0, +-pi for x < 0 or -0.
    if (px.sign === 0) {
      setZero(w, py.sign);
      return packX80(w, out);
    }
    angle = pi;
  } else if (py.cls === INF) {
    if (px.cls === INF) angle = px.sign ? bfScale(bfMul(pi, bfFromInt(3)), -2) : bfScale(pi, -2);
    else angle = halfPi;
  } else if (px.cls === ZERO) {
    angle = halfPi;
  } else if (px.cls === INF) {
    if (px.sign === 0) {
      setZero(w, py.sign);
      return packX80(w, out);
    }
    angle = pi;
  } else {
    const ax = bfAbs(toBigFloat(px));
    const ay = bfAbs(toBigFloat(py));
    angle =
      bfCompare(ay, ax) <= 0 ? atanSmall(bfDiv(ay, ax)) : bfSub(halfPi, atanSmall(bfDiv(ax, ay)));
    if (px.sign) angle = bfSub(pi, angle);
  }
  roundBigFloat(status, py.sign ? bfNeg(angle) : angle);
  return packX80(w, out);
}

// ---- F2XM1 --------------------------------------------------------------------------------

/**
 * F2XM1: 2^x - 1 for -1 <= x <= 1. Outside that range the result is undefined by Intel;
 * the host returns x unchanged (with inexact), and so do we.
 */
export function floatx80Exp2m1(a: Floatx80, status: FloatStatus, out: Floatx80): Floatx80 {
  const w = status.work;
  const p = w.a;
  unpackX80(p, a.signExp, a.high, a.low);
  status.roundedUp = false;
  if (p.cls >= QNAN) {
    propagateNaN1(status, X80, p);
    return packX80(w, out);
  }
  if (p.cls === ZERO) {
    setZero(w, p.sign);
    return packX80(w, out);
  }
  if (p.cls === INF) {
    if (p.sign) roundBigFloat(status, bfNeg(ONE));
    else setInfinity(w, 0, X80.maxField);
    status.flags &= ~FloatFlag.Inexact;
    return packX80(w, out);
  }
  checkDenormal(status, p);
  const x = toBigFloat(p);
  if (bfCompare(bfAbs(x), ONE) > 0) {
    status.flags |= FloatFlag.Inexact;
    return out.set(a);
  }
  roundBigFloat(status, expm1(bfMul(x, LN2)));
  return packX80(w, out);
}

// ---- FYL2X, FYL2XP1 -----------------------------------------------------------------------

/**
 * NaN operands of y * log2(...): returns true when the result is already set. Denormal
 * operands are reported later, only when the operation is not invalid (host-checked).
 */
function logSpecials(st: FloatStatus, px: Parts, py: Parts): boolean {
  st.roundedUp = false;
  if (px.cls >= QNAN || py.cls >= QNAN) {
    propagateNaN2(st, X80, px, py, true);
    return true;
  }
  return false;
}

/** FYL2X: y * log2(x) with y = ST1 and x = ST0 (the CPU stores it in ST1 and pops). */
export function floatx80Yl2x(
  y: Floatx80,
  x: Floatx80,
  status: FloatStatus,
  out: Floatx80,
): Floatx80 {
  const w = status.work;
  const px = w.a;
  const py = w.b;
  unpackX80(px, x.signExp, x.high, x.low);
  unpackX80(py, y.signExp, y.high, y.low);
  if (logSpecials(status, px, py)) return packX80(w, out);
  const isOne = px.cls === NORMAL && px.exp === 0 && px.hi === 0x80000000 && px.lo === 0;
  const invalid =
    (px.sign !== 0 && px.cls !== ZERO) ||
    (py.cls === ZERO && (px.cls === ZERO || px.cls === INF)) ||
    (py.cls === INF && isOne);
  if (invalid) return invalidResult(status, out);
  if (px.cls === ZERO) {
    // Like x/0: divide-by-zero only, no denormal flag for y (host-checked).
    if (py.cls !== INF) status.flags |= FloatFlag.DivideByZero;
    setInfinity(w, py.sign ^ 1, X80.maxField);
    return packX80(w, out);
  }
  checkDenormal(status, px);
  checkDenormal(status, py);
  if (px.cls === INF) {
    setInfinity(w, py.sign, X80.maxField);
  } else if (py.cls === INF) {
    setInfinity(w, py.sign ^ (px.exp < 0 ? 1 : 0), X80.maxField);
  } else if (py.cls === ZERO || isOne) {
    setZero(w, py.sign ^ (isOne ? 0 : px.exp < 0 ? 1 : 0));
  } else {
    roundBigFloat(status, bfMul(toBigFloat(py), log2Of(toBigFloat(px))));
  }
  return packX80(w, out);
}

/**
 * FYL2XP1: y * log2(x + 1) with y = ST1 and x = ST0, meant for |x| < 1 - sqrt(2)/2. The
 * host computes it for larger x too, and for finite x <= -1 returns x (inexact); so do we.
 */
export function floatx80Yl2xp1(
  y: Floatx80,
  x: Floatx80,
  status: FloatStatus,
  out: Floatx80,
): Floatx80 {
  const w = status.work;
  const px = w.a;
  const py = w.b;
  unpackX80(px, x.signExp, x.high, x.low);
  unpackX80(py, y.signExp, y.high, y.low);
  if (logSpecials(status, px, py)) return packX80(w, out);
  const invalid =
    (px.cls === INF && (px.sign !== 0 || py.cls === ZERO)) || (px.cls === ZERO && py.cls === INF);
  if (invalid) return invalidResult(status, out);
  checkDenormal(status, px);
  checkDenormal(status, py);
  if (px.cls === ZERO || py.cls === ZERO) {
    setZero(w, px.sign ^ py.sign);
  } else if (py.cls === INF) {
    setInfinity(w, px.sign ^ py.sign, X80.maxField);
  } else if (px.cls === INF) {
    setInfinity(w, py.sign, X80.maxField);
  } else {
    const xv = toBigFloat(px);
    if (px.sign !== 0 && bfCompare(bfAbs(xv), ONE) >= 0) {
      status.flags |= FloatFlag.Inexact;
      return out.set(x);
    }
    roundBigFloat(status, bfMul(toBigFloat(py), log2p1(xv)));
  }
  return packX80(w, out);
}

function invalidResult(st: FloatStatus, out: Floatx80): Floatx80 {
  st.flags |= FloatFlag.Invalid;
  setDefaultNaN(st.work, X80.maxField);
  return packX80(st.work, out);
}
