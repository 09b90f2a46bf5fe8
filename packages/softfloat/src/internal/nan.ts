/**
 * x86 NaN rules (Intel SDM vol. 1, table 4-7 "Rules for Handling NaNs"; checked against
 * the host). Every NaN result is quiet; an SNaN operand raises invalid.
 *
 * - x87: one NaN operand: that NaN, quietened. Two NaNs: a QNaN wins over an SNaN; two of
 *   the same kind: the one with the larger significand, and on a tie the positive one. Unsupported encodings (unnormal, pseudo-infinity,
 *   pseudo-NaN) are invalid operands: the result is the default NaN ("real indefinite").
 * - SSE: the first source operand if it is a NaN, else the second; quietened.
 */
import { FloatFlag, type FloatStatus } from '../status.js';
import { type Format, type Parts, QNAN, SNAN, UNSUPPORTED } from './parts.js';
import { setDefaultNaN, setQuietNaN } from './unpack.js';

/** One-operand ops: a is a NaN or unsupported. */
export function propagateNaN1(st: FloatStatus, fmt: Format, a: Parts): void {
  st.roundedUp = false;
  if (a.cls === UNSUPPORTED) {
    st.flags |= FloatFlag.Invalid;
    setDefaultNaN(st.work, fmt.maxField);
    return;
  }
  if (a.cls === SNAN) st.flags |= FloatFlag.Invalid;
  setQuietNaN(st.work, a, fmt.maxField);
}

/** Two-operand ops: at least one of a, b is a NaN or unsupported (x87: a is ST0). */
export function propagateNaN2(
  st: FloatStatus,
  fmt: Format,
  a: Parts,
  b: Parts,
  x87: boolean,
): void {
  st.roundedUp = false;
  const w = st.work;
  if (a.cls === UNSUPPORTED || b.cls === UNSUPPORTED) {
    st.flags |= FloatFlag.Invalid;
    setDefaultNaN(w, fmt.maxField);
    return;
  }
  if (a.cls === SNAN || b.cls === SNAN) st.flags |= FloatFlag.Invalid;
  const aNaN = a.cls >= QNAN;
  const bNaN = b.cls >= QNAN;
  if (!x87) {
    setQuietNaN(w, aNaN ? a : b, fmt.maxField);
    return;
  }
  if (aNaN && bNaN) {
    setQuietNaN(w, pickX87(a, b), fmt.maxField);
    return;
  }
  setQuietNaN(w, aNaN ? a : b, fmt.maxField);
}

/** Which of two NaNs the x87 propagates. */
function pickX87(a: Parts, b: Parts): Parts {
  if (a.cls !== b.cls) return a.cls === QNAN ? a : b;
  // Same kind: the larger significand (the quiet bit is equal, so compare as they are).
  if (a.hi !== b.hi) return a.hi > b.hi ? a : b;
  if (a.lo !== b.lo) return a.lo > b.lo ? a : b;
  // Equal significands: the host (and the 387+) returns the positive one.
  return a.sign === 0 ? a : b;
}
