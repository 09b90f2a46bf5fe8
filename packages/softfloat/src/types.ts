/**
 * Value holders. Operations write their results into a holder the caller owns, so the
 * hot path allocates nothing: a CPU keeps its eight x87 registers as eight `Floatx80`
 * objects and reuses a few scratch ones.
 */

/**
 * An x87 80-bit extended value (QEMU's `floatx80`): 1 sign bit and a 15-bit biased
 * exponent in `signExp`, and a 64-bit significand with an explicit integer bit split into
 * two unsigned 32-bit halves, `high` (bits 63..32, the integer bit is bit 31 of `high`)
 * and `low` (bits 31..0).
 */
export class Floatx80 {
  constructor(
    /** Bit 15: sign; bits 14..0: biased exponent (bias 16383). */
    public signExp = 0,
    /** Significand bits 63..32 (unsigned). */
    public high = 0,
    /** Significand bits 31..0 (unsigned). */
    public low = 0,
  ) {}

  /** Copies another value into this one and returns this. */
  set(from: Floatx80): this {
    this.signExp = from.signExp;
    this.high = from.high;
    this.low = from.low;
    return this;
  }

  /** The 10 bytes as a hex string, sign/exponent first: `3fff8000000000000000` is 1.0. */
  toHex(): string {
    return (
      this.signExp.toString(16).padStart(4, '0') +
      this.high.toString(16).padStart(8, '0') +
      this.low.toString(16).padStart(8, '0')
    );
  }

  /** Parses the 20-digit hex form of `toHex`. */
  static fromHex(hex: string): Floatx80 {
    if (!/^[0-9a-fA-F]{20}$/.test(hex))
      throw new Error(`Floatx80.fromHex: need 20 hex digits, got '${hex}'`);
    return new Floatx80(
      Number.parseInt(hex.slice(0, 4), 16),
      Number.parseInt(hex.slice(4, 12), 16),
      Number.parseInt(hex.slice(12, 20), 16),
    );
  }
}

/**
 * A 64-bit quantity as two unsigned 32-bit halves: a float64's bit pattern, or a 64-bit
 * integer (two's complement for signed ones).
 */
export class Word64 {
  constructor(
    /** Bits 63..32 (unsigned). */
    public hi = 0,
    /** Bits 31..0 (unsigned). */
    public lo = 0,
  ) {}

  set(from: Word64): this {
    this.hi = from.hi;
    this.lo = from.lo;
    return this;
  }

  /** 16 hex digits, most significant first. */
  toHex(): string {
    return this.hi.toString(16).padStart(8, '0') + this.lo.toString(16).padStart(8, '0');
  }

  static fromHex(hex: string): Word64 {
    if (!/^[0-9a-fA-F]{16}$/.test(hex))
      throw new Error(`Word64.fromHex: need 16 hex digits, got '${hex}'`);
    return new Word64(Number.parseInt(hex.slice(0, 8), 16), Number.parseInt(hex.slice(8), 16));
  }
}

/** How a comparison came out (the order matches QEMU's FloatRelation plus one). */
export const FloatRelation = {
  Less: -1,
  Equal: 0,
  Greater: 1,
  Unordered: 2,
} as const;
export type FloatRelation = (typeof FloatRelation)[keyof typeof FloatRelation];
