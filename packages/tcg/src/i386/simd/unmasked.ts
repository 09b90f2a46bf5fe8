/**
 * The precision flag of a lane whose overflow or underflow is unmasked.
 *
 * When OE or UE is unmasked, the hardware reports PE as the x87 does for its wrapped
 * results: whether the exact result, rounded to the format's precision with an unbounded
 * exponent, is inexact (host-checked: 0x00800001 * 0.5 with UE unmasked reports UE
 * alone; 2^127 * 2 with OE unmasked reports OE alone). @tsemu/softfloat reports PE for
 * the result it delivers in range instead, which is what the masked response needs, so
 * on this rare path (an #XM is about to be delivered) the exact result is recomputed
 * with BigInt.
 */

/** An operand as sign * m * 2^e. */
interface Exact {
  m: bigint;
  e: number;
}

function decode(hi: number, lo: number, double: boolean, daz: boolean): Exact {
  if (double) {
    const exp = (hi >>> 20) & 0x7ff;
    const frac = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo >>> 0);
    if (exp === 0) return { m: daz ? 0n : frac, e: -1074 };
    return { m: frac | (1n << 52n), e: exp - 1075 };
  }
  const exp = (lo >>> 23) & 0xff;
  const frac = BigInt(lo & 0x7fffff);
  if (exp === 0) return { m: daz ? 0n : frac, e: -149 };
  return { m: frac | (1n << 23n), e: exp - 150 };
}

function signOf(hi: number, lo: number, double: boolean): bigint {
  return (double ? hi : lo) & 0x80000000 ? -1n : 1n;
}

function bitLength(m: bigint): number {
  return m === 0n ? 0 : m.toString(2).length;
}

/** Whether m (an integer) needs more than `precision` significant bits. */
function needsMoreBits(m: bigint, precision: number): boolean {
  let v = m < 0n ? -m : m;
  if (v === 0n) return false;
  while ((v & 1n) === 0n) v >>= 1n;
  return bitLength(v) > precision;
}

export type UnboundedOp = 'add' | 'sub' | 'mul' | 'div' | 'convert';

/**
 * Whether `op` on a and b (bit patterns; for float32 only `lo` is used) is inexact at
 * `precision` bits (24 or 53) once the exponent range is ignored. 'convert' rounds a alone.
 */
export function inexactUnbounded(
  op: UnboundedOp,
  aHi: number,
  aLo: number,
  bHi: number,
  bLo: number,
  double: boolean,
  precision: number,
  daz: boolean,
): boolean {
  const a = decode(aHi, aLo, double, daz);
  const sa = signOf(aHi, aLo, double);
  if (op === 'convert') return needsMoreBits(a.m, precision);
  const b = decode(bHi, bLo, double, daz);
  const sb = signOf(bHi, bLo, double);
  switch (op) {
    case 'add':
    case 'sub': {
      const e = Math.min(a.e, b.e);
      const x = sa * (a.m << BigInt(a.e - e));
      const y = sb * (b.m << BigInt(b.e - e));
      return needsMoreBits(op === 'add' ? x + y : x - y, precision);
    }
    case 'mul':
      return needsMoreBits(a.m * b.m, precision);
    default: {
      if (b.m === 0n) return false;
      // a/b is exact only when the odd part of b's significand divides a's.
      let odd = b.m;
      while ((odd & 1n) === 0n) odd >>= 1n;
      if (a.m % odd !== 0n) return true;
      return needsMoreBits(a.m / odd, precision);
    }
  }
}

const OE_UE = 0x18;
const PE = 0x20;

/**
 * The flags of one lane with PE corrected as above when its OE or UE is unmasked in
 * `mxcsr` (otherwise `flags` as they are).
 */
export function unmaskedLaneFlags(
  flags: number,
  mxcsr: number,
  op: UnboundedOp,
  aHi: number,
  aLo: number,
  bHi: number,
  bLo: number,
  double: boolean,
): number {
  if (!(flags & OE_UE & ~(mxcsr >>> 7))) return flags;
  const daz = (mxcsr & 0x40) !== 0;
  // A conversion rounds a float64 to float32: 24 bits.
  const precision = double && op !== 'convert' ? 53 : 24;
  const inexact = inexactUnbounded(op, aHi, aLo, bHi, bLo, double, precision, daz);
  return (flags & ~PE) | (inexact ? PE : 0);
}
