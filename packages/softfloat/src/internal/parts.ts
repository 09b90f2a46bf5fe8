/**
 * The unpacked form every operation works on (QEMU's FloatParts): a class, a sign, an
 * unbiased exponent and a 64-bit significand normalised so that its top bit (bit 31 of
 * `hi`) is set. The value of a finite non-zero Parts is
 *   (-1)^sign * (hi * 2^32 + lo) * 2^(exp - 63).
 * NaNs keep their significand in the x87 form (integer bit set, quiet bit = bit 30 of hi),
 * which is also how float32/float64 NaN payloads line up when widened.
 */

/** Operand classes. */
export const ZERO = 0;
export const NORMAL = 1;
export const INF = 2;
export const QNAN = 3;
export const SNAN = 4;
/** x87 only: unnormal, pseudo-infinity or pseudo-NaN (the 387+ rejects them as invalid). */
export const UNSUPPORTED = 5;

export class Parts {
  cls = ZERO;
  sign = 0;
  exp = 0;
  hi = 0;
  lo = 0;
  /** The operand was a denormal (or x87 pseudo-denormal), before any DAZ. */
  denormal = false;
}

/** Format constants: exponent range and bias, and the all-ones exponent field. */
export interface Format {
  readonly bias: number;
  readonly emin: number;
  readonly emax: number;
  readonly maxField: number;
  /** Significand bits (with the integer bit). */
  readonly precision: number;
  readonly isX80: boolean;
}

export const X80: Format = {
  bias: 16383,
  emin: -16382,
  emax: 16383,
  maxField: 0x7fff,
  precision: 64,
  isX80: true,
};
export const F64: Format = {
  bias: 1023,
  emin: -1022,
  emax: 1023,
  maxField: 0x7ff,
  precision: 53,
  isX80: false,
};
export const F32: Format = {
  bias: 127,
  emin: -126,
  emax: 127,
  maxField: 0xff,
  precision: 24,
  isX80: false,
};

/**
 * Per-status scratch: two operand Parts, the packed result of the last rounding, and limb
 * buffers for the square root. Owned by one FloatStatus, so no state is shared between
 * machines.
 */
export class Work {
  readonly a = new Parts();
  readonly b = new Parts();
  /** Packed result: sign, biased exponent field, 64-bit explicit significand. */
  sign = 0;
  expField = 0;
  hi = 0;
  lo = 0;
  /** Set by the 96-bit shift helper (and the division step: its remainder). */
  shiftHi = 0;
  shiftLo = 0;
  shiftExt = 0;
  /** Square root: N, the root, its square, N - root^2, and 2 * root (16-bit limbs). */
  readonly n = new Float64Array(12);
  readonly y = new Float64Array(6);
  readonly square = new Float64Array(12);
  readonly diff = new Float64Array(12);
  readonly twice = new Float64Array(7);
}
