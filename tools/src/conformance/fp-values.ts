/**
 * Edge values for floating-point and SIMD tests, as bit patterns: zeros, ±1, the smallest and
 * largest normals, denormals, infinities, quiet and signalling NaNs, integer and saturation
 * limits, rounding ties, and random values. x87 extended values add pseudo-denormals,
 * unnormals and pseudo-NaNs (unsupported encodings) and the ranges where transcendentals,
 * FSCALE and FIST change behaviour. Most draws are edges; the rest are random.
 */
import type { Rng } from './rng.js';

/** An 80-bit extended value: sign and exponent (16 bits), significand high and low dwords. */
export interface X80 {
  readonly signExp: number;
  readonly high: number;
  readonly low: number;
}

const x80 = (signExp: number, high: number, low: number): X80 => ({
  signExp: signExp & 0xffff,
  high: high >>> 0,
  low: low >>> 0,
});

/** A small integer as an extended value. */
export function integerX80(n: number): X80 {
  if (n === 0) return x80(0, 0, 0);
  const sign = n < 0 ? 0x8000 : 0;
  const m = Math.abs(n);
  if (m >= 2 ** 32) throw new Error('integerX80: |n| must be below 2^32');
  const lead = 31 - Math.clz32(m);
  return x80(sign | (0x3fff + lead), m * 2 ** (31 - lead), 0);
}

/** A 64-bit significand with the integer bit set, often with short or long runs of ones. */
function significand(r: Rng): [number, number] {
  switch (r.below(5)) {
    case 0:
      return [0x80000000, 0];
    case 1:
      return [(0x80000000 | r.u32()) >>> 0, 0];
    case 2:
      return [0xffffffff, (0xffffffff << r.below(32)) >>> 0];
    default:
      return [(0x80000000 | r.u32()) >>> 0, r.u32()];
  }
}

/** An extended value for an x87 register or an m80fp operand. */
export function randomX80(r: Rng): X80 {
  const sign = r.chance(0.5) ? 0x8000 : 0;
  const [hi, lo] = significand(r);
  switch (r.below(22)) {
    case 0:
      return x80(sign, 0, 0); // ±0
    case 1:
      return x80(sign, hi >>> (1 + r.below(31)), lo); // denormal
    case 2:
      return x80(sign, hi, lo); // pseudo-denormal (exponent 0, integer bit set)
    case 3:
      return x80(sign | 0x7fff, 0x80000000, 0); // ±infinity
    case 4:
      return x80(sign | 0x7fff, 0xc0000000 | hi, lo); // quiet NaN
    case 5:
      return x80(sign | 0x7fff, 0x80000000 | (hi & 0x3fffffff) | 1, lo); // signalling NaN
    case 6: // unsupported: pseudo-NaN or pseudo-infinity, or an unnormal
      return r.chance(0.5)
        ? x80(sign | 0x7fff, hi & 0x7fffffff, lo)
        : x80(sign | (1 + r.below(0x7ffe)), hi & 0x7fffffff, lo);
    case 7:
      return x80(sign | (0x7fff - 1 - r.below(15)), hi, lo); // near the largest
    case 8:
      return x80(sign | (1 + r.below(64)), hi, lo); // near the smallest normal
    case 9:
      return integerX80(r.pick([1, -1, 2, -2, 10, 0x7fff, -0x8000, 0x7fffffff, -0x80000000]));
    case 10:
      return integerX80(r.below(2001) - 1000);
    case 11:
      return x80(sign | (0x3fff + 14 + r.below(52)), hi, lo); // integer range limits
    case 12:
    case 13:
      return x80(sign | (0x3ffe - r.below(3)), hi, lo); // |x| in [1/8, 2): transcendentals
    case 14:
      return x80(sign | (0x3fff + r.below(70)), hi, lo); // FPREM/FPTAN/FSCALE ranges
    default:
      return x80(sign | (0x3fff - 70 + r.below(140)), hi, lo);
  }
}

const F32_EDGES = [
  0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x3fc00000, 0x40000000, 0x3f000000, 0x3effffff,
  0x00800000, 0x80800000, 0x7f7fffff, 0xff7fffff, 0x00000001, 0x80000001, 0x007fffff, 0x807fffff,
  0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 0x7fa00000, 0x7f800001, 0xffbfffff, 0x7fc12345,
  0x4f000000, 0xcf000000, 0x4effffff, 0xceffffff, 0x3f7fffff, 0x4b000000, 0x4b7fffff, 0x40490fdb,
  0x5f000000, 0xdf000000, 0x46fffe00, 0xc7000000, 0x7e800000, 0x00800001, 0x3f800001,
];

/** A single-precision value (bits). */
export function randomF32(r: Rng): number {
  if (r.chance(0.6)) return r.pick(F32_EDGES);
  const sign = r.chance(0.5) ? 0x80000000 : 0;
  const frac = r.u32() & 0x7fffff;
  switch (r.below(6)) {
    case 0:
      return (sign | frac) >>> 0; // denormal (or zero)
    case 1:
      return (sign | ((1 + r.below(30)) << 23) | frac) >>> 0; // tiny: results underflow
    case 2:
      return (sign | ((224 + r.below(30)) << 23) | frac) >>> 0; // huge: results overflow
    case 3:
      return (sign | ((127 + r.below(32)) << 23) | frac) >>> 0; // integers range
    default:
      return (sign | ((1 + r.below(254)) << 23) | frac) >>> 0;
  }
}

/** Double-precision edges as [low, high] dwords. */
const F64_EDGES: readonly [number, number][] = [
  [0, 0],
  [0, 0x80000000],
  [0, 0x3ff00000],
  [0, 0xbff00000],
  [0, 0x3ff80000],
  [0, 0x40000000],
  [0, 0x3fe00000],
  [0xffffffff, 0x3fdfffff],
  [0, 0x00100000],
  [0, 0x80100000],
  [0xffffffff, 0x7fefffff],
  [0xffffffff, 0xffefffff],
  [1, 0],
  [1, 0x80000000],
  [0xffffffff, 0x000fffff],
  [0, 0x7ff00000],
  [0, 0xfff00000],
  [0, 0x7ff80000],
  [0, 0xfff80000],
  [0, 0x7ff40000],
  [1, 0x7ff00000],
  [0x56789abc, 0x7ff81234],
  [0, 0x41e00000],
  [0, 0xc1e00000],
  [0xffc00000, 0x41dfffff],
  [0x00100000, 0xc1e00000],
  [1, 0x3ff00000],
  [0, 0x43300000],
  [0x54442d18, 0x400921fb],
  [0xe0000000, 0x47efffff],
  [0, 0x36a00000],
  [0, 0x38100000],
  [0x20000000, 0x3ff00000],
];

/** A double-precision value as [low, high] dwords. */
export function randomF64(r: Rng): [number, number] {
  if (r.chance(0.6)) {
    const [lo, hi] = r.pick(F64_EDGES);
    return [lo, hi];
  }
  const sign = r.chance(0.5) ? 0x80000000 : 0;
  const fracHi = r.u32() & 0xfffff;
  const lo = r.u32();
  const withExponent = (e: number): [number, number] => [lo, (sign | (e << 20) | fracHi) >>> 0];
  switch (r.below(6)) {
    case 0:
      return [lo, (sign | fracHi) >>> 0]; // denormal
    case 1:
      return withExponent(1 + r.below(100)); // tiny
    case 2:
      return withExponent(1900 + r.below(146)); // huge
    case 3:
      return withExponent(1023 + r.below(64)); // integers range
    case 4:
      return withExponent(896 + r.below(255)); // single-precision range (conversions)
    default:
      return withExponent(1 + r.below(2046));
  }
}

/** Integer lane edges by width. */
const INT_EDGES: Readonly<Record<8 | 16 | 32, readonly number[]>> = {
  8: [0, 1, 2, 0x7f, 0x80, 0x81, 0xfe, 0xff, 0x0f, 0x10],
  16: [0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0x8001, 0xfffe, 0xffff],
  32: [0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff],
};

/** An integer of `bits` (8, 16 or 32) as an unsigned number. */
export function randomInt(r: Rng, bits: 8 | 16 | 32): number {
  if (r.chance(0.6)) return r.pick(INT_EDGES[bits]);
  return bits === 32 ? r.u32() : r.u32() & ((1 << bits) - 1);
}

/**
 * 16 bytes of integer lanes: all lanes of one width with edge values, or random bytes, or
 * a small shift count (the low qword; the other bytes random).
 */
export function randomIntBytes(r: Rng, length: number): Uint8Array {
  const out = r.bytes(length);
  const view = new DataView(out.buffer);
  const kind = r.below(5);
  if (kind === 0) return out;
  const bits = ([8, 16, 32] as const)[kind % 3] as 8 | 16 | 32;
  for (let at = 0; at < length; at += bits / 8) {
    const v = randomInt(r, bits);
    if (bits === 8) view.setUint8(at, v);
    else if (bits === 16) view.setUint16(at, v, true);
    else view.setUint32(at, v, true);
  }
  return out;
}

/** Shift counts worth testing for the packed shifts (by register, memory or imm8). */
export const SHIFT_COUNTS = [0, 1, 2, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 255];

/** A 64-bit shift count as 8 bytes: mostly small, sometimes with high bits set. */
export function randomShiftCount(r: Rng): Uint8Array {
  const out = new Uint8Array(8);
  const view = new DataView(out.buffer);
  view.setUint32(0, r.chance(0.85) ? r.pick(SHIFT_COUNTS) : r.u32(), true);
  view.setUint32(4, r.chance(0.85) ? 0 : r.u32(), true);
  return out;
}

/** Lanes of `kind` as bytes (16 or fewer). */
export type LaneKind = 'f32' | 'f64' | 'int' | 'any';

export function randomLanes(r: Rng, kind: LaneKind, length: number): Uint8Array {
  const k = kind === 'any' ? r.pick(['f32', 'f64', 'int'] as const) : kind;
  if (k === 'int') return randomIntBytes(r, length);
  const out = new Uint8Array(length);
  const view = new DataView(out.buffer);
  if (k === 'f32') {
    for (let at = 0; at + 4 <= length; at += 4) view.setUint32(at, randomF32(r), true);
  } else {
    for (let at = 0; at + 8 <= length; at += 8) {
      const [lo, hi] = randomF64(r);
      view.setUint32(at, lo, true);
      view.setUint32(at + 4, hi, true);
    }
    if (length === 4) view.setUint32(0, r.u32(), true);
  }
  return out;
}

/** A packed BCD m80dec: 18 digits (sometimes invalid ones) and a sign byte. */
export function randomBcd(r: Rng): Uint8Array {
  const out = new Uint8Array(10);
  const digits = r.below(4);
  for (let i = 0; i < 9; i++) {
    let byte = (r.below(10) << 4) | r.below(10);
    if (digits === 0 && r.chance(0.1)) byte = r.below(256); // invalid digits
    if (digits === 1) byte = 0x99; // the largest
    if (digits === 2 && i > 1) byte = 0; // small
    out[i] = byte;
  }
  out[9] = r.chance(0.5) ? 0x80 : 0;
  if (r.chance(0.05)) out[9] = r.below(256); // ignored bits set
  return out;
}

/** Writes an X80 at `offset` of `view`. */
export function putX80(view: DataView, offset: number, v: X80): void {
  view.setUint32(offset, v.low, true);
  view.setUint32(offset + 4, v.high, true);
  view.setUint16(offset + 8, v.signExp, true);
}

/** Bytes of an x87 memory operand of the given format. */
export function randomMemoryOperand(
  r: Rng,
  format: 'm16int' | 'm32int' | 'm64int' | 'm32fp' | 'm64fp' | 'm80fp' | 'm80bcd',
): Uint8Array {
  const out = new Uint8Array(format === 'm80fp' || format === 'm80bcd' ? 10 : 8);
  const view = new DataView(out.buffer);
  switch (format) {
    case 'm16int':
      view.setUint16(0, randomInt(r, 16), true);
      return out.subarray(0, 2);
    case 'm32int':
      view.setUint32(0, randomInt(r, 32), true);
      return out.subarray(0, 4);
    case 'm64int': {
      const low = randomInt(r, 32);
      view.setUint32(0, low, true);
      const high = r.pick([0, 0xffffffff, low & 0x80000000 ? 0xffffffff : 0, randomInt(r, 32)]);
      view.setUint32(4, r.chance(0.2) ? r.pick([0x7fffffff, 0x80000000]) : high, true);
      return out;
    }
    case 'm32fp':
      view.setUint32(0, randomF32(r), true);
      return out.subarray(0, 4);
    case 'm64fp': {
      const [lo, hi] = randomF64(r);
      view.setUint32(0, lo, true);
      view.setUint32(4, hi, true);
      return out;
    }
    case 'm80fp':
      putX80(view, 0, randomX80(r));
      return out;
    case 'm80bcd':
      return randomBcd(r);
  }
}
