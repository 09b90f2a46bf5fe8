/**
 * Multi-precision helpers on 16-bit limbs (least significant first) kept in Float64Array
 * scratch buffers: every partial product fits a double exactly (< 2^32), and sums of a
 * few of them stay below 2^53, so no BigInt is needed on the hot path.
 */

const B = 65536;

/** dst[0..2n-1] = a[0..n-1]^2. */
export function squareLimbs(a: Float64Array, n: number, dst: Float64Array): void {
  let carry = 0;
  for (let col = 0; col < 2 * n - 1; col++) {
    let sum = carry;
    const from = col < n ? 0 : col - n + 1;
    const to = col < n ? col : n - 1;
    for (let i = from; i <= to; i++) sum += a[i] * a[col - i];
    // sum < n * 2^32 + carry: exact; & keeps the low 16 bits even past 2^31 (ToInt32 is mod 2^32).
    const limb = sum & 0xffff;
    dst[col] = limb;
    carry = (sum - limb) / B;
  }
  dst[2 * n - 1] = carry;
}

/** Compares a[0..n-1] with b[0..n-1]: -1, 0 or 1. */
export function compareLimbs(a: Float64Array, b: Float64Array, n: number): number {
  for (let i = n - 1; i >= 0; i--) {
    if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return 0;
}

/** dst = a - b over n limbs (a >= b assumed; dst may alias a or b). */
export function subtractLimbs(
  a: Float64Array,
  b: Float64Array,
  dst: Float64Array,
  n: number,
): void {
  let borrow = 0;
  for (let i = 0; i < n; i++) {
    let t = a[i] - b[i] - borrow;
    if (t < 0) {
      t += B;
      borrow = 1;
    } else {
      borrow = 0;
    }
    dst[i] = t;
  }
}

/** a += d over n limbs, for a small signed integer d (|d| < 2^40); a stays non-negative. */
export function addSmallLimbs(a: Float64Array, n: number, d: number): void {
  let carry = d;
  for (let i = 0; i < n && carry !== 0; i++) {
    const t = a[i] + carry;
    const limb = ((t % B) + B) % B;
    a[i] = limb;
    carry = (t - limb) / B;
  }
}

/** The value of a[0..n-1] as a double (rounded). */
export function limbsToDouble(a: Float64Array, n: number): number {
  let v = 0;
  for (let i = n - 1; i >= 0; i--) v = v * B + a[i];
  return v;
}

/** True when any of a[0..n-1] is non-zero. */
export function limbsNonZero(a: Float64Array, n: number): boolean {
  for (let i = 0; i < n; i++) if (a[i] !== 0) return true;
  return false;
}
