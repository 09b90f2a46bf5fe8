/**
 * Bit patterns to Parts (classify, normalise) and packed results back to bit patterns.
 */
import type { Floatx80, Word64 } from '../types.js';
import { INF, NORMAL, type Parts, QNAN, SNAN, UNSUPPORTED, type Work, ZERO } from './parts.js';

/** Normalises a non-zero 64-bit significand in p (exponent adjusted). */
function normalize(p: Parts, hi: number, lo: number, exp: number): void {
  if (hi === 0) {
    hi = lo;
    lo = 0;
    exp -= 32;
  }
  const s = Math.clz32(hi);
  if (s !== 0) {
    hi = ((hi << s) | (lo >>> (32 - s))) >>> 0;
    lo = (lo << s) >>> 0;
    exp -= s;
  }
  p.hi = hi;
  p.lo = lo;
  p.exp = exp;
}

/**
 * Unpacks an x87 register value. Denormals and pseudo-denormals (exponent 0 with the
 * integer bit set: the 387+ reads them as if the exponent were 1) are normalised and
 * flagged; unnormals, pseudo-infinities and pseudo-NaNs are UNSUPPORTED. DAZ is not
 * applied: the x87 ignores MXCSR.
 */
export function unpackX80(p: Parts, signExp: number, hi: number, lo: number): void {
  const field = signExp & 0x7fff;
  p.sign = (signExp >>> 15) & 1;
  p.denormal = false;
  const integerBit = hi >>> 31;
  if (field === 0x7fff) {
    p.hi = hi;
    p.lo = lo;
    p.exp = 0;
    if (integerBit === 0) p.cls = UNSUPPORTED;
    else if ((hi & 0x7fffffff) === 0 && lo === 0) p.cls = INF;
    else p.cls = hi & 0x40000000 ? QNAN : SNAN;
    return;
  }
  if (field === 0) {
    if (hi === 0 && lo === 0) {
      p.cls = ZERO;
      p.hi = 0;
      p.lo = 0;
      p.exp = 0;
      return;
    }
    p.cls = NORMAL;
    p.denormal = true;
    normalize(p, hi, lo, 1 - 16383);
    return;
  }
  if (integerBit === 0) {
    p.cls = UNSUPPORTED;
    p.hi = hi;
    p.lo = lo;
    p.exp = field - 16383;
    return;
  }
  p.cls = NORMAL;
  p.hi = hi;
  p.lo = lo;
  p.exp = field - 16383;
}

/** Unpacks a float64 (given as its two words); DAZ turns denormals into zeros. */
export function unpackF64(p: Parts, wordHi: number, wordLo: number, daz: boolean): void {
  const field = (wordHi >>> 20) & 0x7ff;
  const fracHi = wordHi & 0xfffff;
  p.sign = wordHi >>> 31;
  p.denormal = false;
  if (field === 0x7ff) {
    p.exp = 0;
    p.hi = (0x80000000 | (fracHi << 11) | (wordLo >>> 21)) >>> 0;
    p.lo = (wordLo << 11) >>> 0;
    if (fracHi === 0 && wordLo === 0) p.cls = INF;
    else p.cls = fracHi & 0x80000 ? QNAN : SNAN;
    return;
  }
  if (field === 0) {
    if ((fracHi | wordLo) === 0 || daz) {
      p.cls = ZERO;
      p.hi = 0;
      p.lo = 0;
      p.exp = 0;
      return;
    }
    p.cls = NORMAL;
    p.denormal = true;
    normalize(p, ((fracHi << 11) | (wordLo >>> 21)) >>> 0, (wordLo << 11) >>> 0, 1 - 1023);
    return;
  }
  p.cls = NORMAL;
  p.exp = field - 1023;
  p.hi = (0x80000000 | (fracHi << 11) | (wordLo >>> 21)) >>> 0;
  p.lo = (wordLo << 11) >>> 0;
}

/** Unpacks a float32 bit pattern; DAZ turns denormals into zeros. */
export function unpackF32(p: Parts, word: number, daz: boolean): void {
  const field = (word >>> 23) & 0xff;
  const frac = word & 0x7fffff;
  p.sign = word >>> 31;
  p.denormal = false;
  p.lo = 0;
  if (field === 0xff) {
    p.exp = 0;
    p.hi = (0x80000000 | (frac << 8)) >>> 0;
    if (frac === 0) p.cls = INF;
    else p.cls = frac & 0x400000 ? QNAN : SNAN;
    return;
  }
  if (field === 0) {
    if (frac === 0 || daz) {
      p.cls = ZERO;
      p.hi = 0;
      p.exp = 0;
      return;
    }
    p.cls = NORMAL;
    p.denormal = true;
    normalize(p, (frac << 8) >>> 0, 0, 1 - 127);
    return;
  }
  p.cls = NORMAL;
  p.exp = field - 127;
  p.hi = (0x80000000 | (frac << 8)) >>> 0;
}

// ---- packing the result left in Work --------------------------------------------------

export function packX80(w: Work, out: Floatx80): Floatx80 {
  out.signExp = (w.sign << 15) | w.expField;
  out.high = w.hi;
  out.low = w.lo;
  return out;
}

export function packF64(w: Work, out: Word64): Word64 {
  out.hi = ((w.sign << 31) | (w.expField << 20) | ((w.hi >>> 11) & 0xfffff)) >>> 0;
  out.lo = ((w.hi << 21) | (w.lo >>> 11)) >>> 0;
  return out;
}

export function packF32(w: Work): number {
  return ((w.sign << 31) | (w.expField << 23) | ((w.hi >>> 8) & 0x7fffff)) >>> 0;
}

// ---- special results, written into Work in the same packed form ------------------------

export function setZero(w: Work, sign: number): void {
  w.sign = sign;
  w.expField = 0;
  w.hi = 0;
  w.lo = 0;
}

export function setInfinity(w: Work, sign: number, maxField: number): void {
  w.sign = sign;
  w.expField = maxField;
  w.hi = 0x80000000;
  w.lo = 0;
}

/** The default NaN ("real indefinite"): negative, quiet, empty payload in every format. */
export function setDefaultNaN(w: Work, maxField: number): void {
  w.sign = 1;
  w.expField = maxField;
  w.hi = 0xc0000000;
  w.lo = 0;
}

/** A NaN operand, quietened, as the result. */
export function setQuietNaN(w: Work, p: Parts, maxField: number): void {
  w.sign = p.sign;
  w.expField = maxField;
  w.hi = (p.hi | 0xc0000000) >>> 0;
  w.lo = p.lo;
}
