/**
 * Comparison, min/max and round-to-integral on Parts.
 */
import { FloatFlag, type FloatStatus, RoundingMode } from '../status.js';
import { FloatRelation } from '../types.js';
import { propagateNaN1 } from './nan.js';
import { type Format, INF, type Parts, QNAN, SNAN, UNSUPPORTED, ZERO } from './parts.js';
import { roundPack, shiftRightJam96 } from './round.js';
import { setInfinity, setZero } from './unpack.js';

const TWO32 = 4294967296;

/** |a| vs |b| for non-NaN parts: -1, 0, 1. */
function compareMagnitudes(a: Parts, b: Parts): number {
  if (a.cls !== b.cls) return a.cls < b.cls ? -1 : 1; // ZERO < NORMAL < INF
  if (a.cls !== 1) return 0;
  if (a.exp !== b.exp) return a.exp < b.exp ? -1 : 1;
  if (a.hi !== b.hi) return a.hi < b.hi ? -1 : 1;
  if (a.lo !== b.lo) return a.lo < b.lo ? -1 : 1;
  return 0;
}

/**
 * Compares a with b. A NaN operand makes the result unordered; invalid is raised for an
 * SNaN always, for a QNaN only when `signaling` (FCOM, COMISS, CMPLTPS...), and for x87
 * unsupported encodings always. Denormal operands raise the denormal flag.
 */
export function compareParts(
  st: FloatStatus,
  a: Parts,
  b: Parts,
  signaling: boolean,
): FloatRelation {
  if (a.cls >= QNAN || b.cls >= QNAN) {
    if (
      signaling ||
      a.cls === SNAN ||
      b.cls === SNAN ||
      a.cls === UNSUPPORTED ||
      b.cls === UNSUPPORTED
    ) {
      st.flags |= FloatFlag.Invalid;
    }
    return FloatRelation.Unordered;
  }
  if (a.denormal || b.denormal) st.flags |= FloatFlag.Denormal;
  if (a.cls === ZERO && b.cls === ZERO) return FloatRelation.Equal;
  if (a.sign !== b.sign) return a.sign ? FloatRelation.Less : FloatRelation.Greater;
  const m = compareMagnitudes(a, b);
  if (m === 0) return FloatRelation.Equal;
  return m < 0 !== (a.sign !== 0) ? FloatRelation.Less : FloatRelation.Greater;
}

/**
 * SSE MIN/MAX: returns 0 to pick a, 1 to pick b (the bit patterns are returned as they
 * are, NaNs not quietened). A NaN in either operand, or two zeros, pick b; any NaN
 * raises invalid (MINSS/MAXSS compare with a signalling predicate).
 */
export function minMaxPick(st: FloatStatus, a: Parts, b: Parts, isMax: boolean): 0 | 1 {
  if (a.cls >= QNAN || b.cls >= QNAN) {
    st.flags |= FloatFlag.Invalid;
    return 1;
  }
  const r = compareParts(st, a, b, true);
  if (isMax) return r === FloatRelation.Greater ? 0 : 1;
  return r === FloatRelation.Less ? 0 : 1;
}

/**
 * Rounds to an integral value in `mode` (FRNDINT with the rounding control, SSE4.1
 * ROUNDSS/SD); inexact is raised unless `suppressInexact`. FRNDINT reports a denormal
 * source, ROUNDSS/SD do not (host-checked). Result left packed in Work.
 */
export function roundToIntegralParts(
  st: FloatStatus,
  fmt: Format,
  p: Parts,
  mode: RoundingMode,
  suppressInexact: boolean,
  flagDenormal: boolean,
): void {
  const w = st.work;
  st.roundedUp = false;
  if (p.cls >= QNAN) {
    propagateNaN1(st, fmt, p);
    return;
  }
  if (p.denormal && flagDenormal) st.flags |= FloatFlag.Denormal;
  if (p.cls === ZERO) {
    setZero(w, p.sign);
    return;
  }
  if (p.cls === INF) {
    setInfinity(w, p.sign, fmt.maxField);
    return;
  }
  if (p.exp >= 63) {
    roundPack(st, fmt, 64, p.sign, p.exp, p.hi, p.lo, 0);
    return;
  }
  shiftRightJam96(w, p.hi, p.lo, 0, 63 - p.exp);
  let hi = w.shiftHi;
  let lo = w.shiftLo;
  const fraction = w.shiftExt;
  if (fraction !== 0) {
    if (!suppressInexact) st.flags |= FloatFlag.Inexact;
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
  if (hi === 0 && lo === 0) {
    setZero(w, p.sign);
    return;
  }
  // The integer (below 2^63 + 1) is exact in every format it came from.
  const roundedUp = st.roundedUp;
  let exp = 63;
  while (hi < 0x80000000) {
    hi = hi * 2 + (lo >>> 31);
    lo = (lo * 2) % TWO32;
    exp--;
  }
  roundPack(st, fmt, 64, p.sign, exp, hi, lo, 0);
  st.roundedUp = roundedUp;
}
