/**
 * A small arbitrary-precision binary float on BigInt, for the x87 transcendentals (rare
 * instructions, so BigInt's allocation is acceptable there). Values are immutable pairs
 * (m, e) meaning m * 2^e, with |m| normalised to exactly PRECISION bits (or m = 0).
 * Every operation truncates, so results carry a relative error of a few 2^-PRECISION:
 * about 120 bits more than the 64 the x87 keeps.
 */

export const PRECISION = 192;
const P = BigInt(PRECISION);

export interface BigFloat {
  readonly m: bigint;
  readonly e: number;
}

export const ZERO_BF: BigFloat = { m: 0n, e: 0 };

function bitLength(m: bigint): number {
  if (m === 0n) return 0;
  const digits = (m < 0n ? -m : m).toString(16);
  return (digits.length - 1) * 4 + (32 - Math.clz32(Number.parseInt(digits[0], 16)));
}

/** m * 2^e, normalised. */
export function bf(m: bigint, e: number): BigFloat {
  if (m === 0n) return ZERO_BF;
  const bits = bitLength(m);
  if (bits > PRECISION) {
    // Truncate toward zero (BigInt >> alone would floor negative values).
    const s = BigInt(bits - PRECISION);
    return { m: m < 0n ? -(-m >> s) : m >> s, e: e + bits - PRECISION };
  }
  const s = PRECISION - bits;
  return { m: m << BigInt(s), e: e - s };
}

export function bfFromInt(n: number): BigFloat {
  return bf(BigInt(n), 0);
}

export function bfNeg(a: BigFloat): BigFloat {
  return { m: -a.m, e: a.e };
}

export function bfAbs(a: BigFloat): BigFloat {
  return a.m < 0n ? bfNeg(a) : a;
}

export function bfSign(a: BigFloat): number {
  return a.m < 0n ? -1 : a.m > 0n ? 1 : 0;
}

export function bfMul(a: BigFloat, b: BigFloat): BigFloat {
  return bf(a.m * b.m, a.e + b.e);
}

export function bfDiv(a: BigFloat, b: BigFloat): BigFloat {
  if (b.m === 0n) throw new Error('softfloat internal error: BigFloat division by zero');
  return bf((a.m << (P + 2n)) / b.m, a.e - b.e - PRECISION - 2);
}

/** Multiplies by 2^k exactly. */
export function bfScale(a: BigFloat, k: number): BigFloat {
  return a.m === 0n ? a : { m: a.m, e: a.e + k };
}

export function bfAdd(a: BigFloat, b: BigFloat): BigFloat {
  if (a.m === 0n) return b;
  if (b.m === 0n) return a;
  // Exponent of the top bit of each; beyond the precision the smaller one is noise.
  const topA = a.e + PRECISION;
  const topB = b.e + PRECISION;
  if (topA - topB > PRECISION + 8) return a;
  if (topB - topA > PRECISION + 8) return b;
  const e = Math.min(a.e, b.e);
  return bf((a.m << BigInt(a.e - e)) + (b.m << BigInt(b.e - e)), e);
}

export function bfSub(a: BigFloat, b: BigFloat): BigFloat {
  return bfAdd(a, bfNeg(b));
}

export function bfCompare(a: BigFloat, b: BigFloat): number {
  return bfSign(bfSub(a, b));
}

/** Square root of a non-negative value. */
export function bfSqrt(a: BigFloat): BigFloat {
  if (a.m <= 0n) return ZERO_BF;
  // m * 2^e with e made even, scaled so the root has PRECISION + 2 bits.
  let m = a.m;
  let e = a.e;
  if (e & 1) {
    m <<= 1n;
    e -= 1;
  }
  const extra = PRECISION + 4;
  m <<= BigInt(extra);
  e -= extra;
  // Newton's method on integers, starting above the root.
  let x = 1n << BigInt(Math.ceil(bitLength(m) / 2) + 1);
  for (;;) {
    const y = (x + m / x) >> 1n;
    if (y >= x) break;
    x = y;
  }
  return bf(x, e / 2);
}

/** The value m * 2^e of an x80 significand (BigInt) and unbiased exponent. */
export function bfFromSignificand(sign: number, significand: bigint, exp: number): BigFloat {
  return bf(sign ? -significand : significand, exp - 63);
}

/** The exponent of the leading bit (floor(log2|a|)); a must be non-zero. */
export function bfExponent(a: BigFloat): number {
  return a.e + bitLength(a.m) - 1;
}

// ---- constants (computed once, immutable) -----------------------------------------------

/** atan(1/n) by its series, for Machin's formula. */
function atanInverse(n: number): BigFloat {
  const x = bfDiv(bfFromInt(1), bfFromInt(n));
  const x2 = bfMul(x, x);
  let power = x;
  let sum = x;
  for (let k = 1; ; k++) {
    power = bfMul(power, x2);
    const term = bfDiv(power, bfFromInt(2 * k + 1));
    if (term.m === 0n || bfExponent(term) < bfExponent(sum) - PRECISION - 4) break;
    sum = k & 1 ? bfSub(sum, term) : bfAdd(sum, term);
  }
  return sum;
}

/** pi = 16 atan(1/5) - 4 atan(1/239). */
export const PI: BigFloat = bfSub(bfScale(atanInverse(5), 4), bfScale(atanInverse(239), 2));

/** ln 2 = 2 atanh(1/3). */
export const LN2: BigFloat = (() => {
  const x = bfDiv(bfFromInt(1), bfFromInt(3));
  const x2 = bfMul(x, x);
  let power = x;
  let sum = x;
  for (let k = 1; ; k++) {
    power = bfMul(power, x2);
    const term = bfDiv(power, bfFromInt(2 * k + 1));
    if (term.m === 0n || bfExponent(term) < bfExponent(sum) - PRECISION - 4) break;
    sum = bfAdd(sum, term);
  }
  return bfScale(sum, 1);
})();
