/**
 * fast-check generators for operands biased to the edges: zeros, denormals,
 * pseudo-denormals, unnormals, infinities, NaNs (quiet and signalling), the largest and
 * smallest normals, and significands whose low bits sit right at a rounding boundary for
 * 24, 53 and 64-bit precision. Operands are hex bit patterns, as the oracle reads them.
 */
import fc from 'fast-check';
import { hex } from './host.js';

const u32 = fc.integer({ min: 0, max: 0xffffffff });

/** Low-bit patterns that decide rounding: zero, half, just below/above half, all ones. */
const tailPatterns = ['zero', 'half', 'belowHalf', 'aboveHalf', 'ones', 'random', 'one'] as const;

/**
 * A 64-bit significand (hi, lo) whose bits below `boundary` (counted from the top) follow
 * one of the rounding patterns; bits above are random.
 */
function significandWithTail(
  boundary: number,
  pattern: (typeof tailPatterns)[number],
  hi: number,
  lo: number,
): [number, number] {
  const tailBits = 64 - boundary;
  if (tailBits <= 0) return [hi, lo];
  const tail = (bits: number): [number, number] => {
    // a tail value of `tailBits` bits, as (hi, lo) words of a 64-bit number
    const all = (n: number): [number, number] =>
      n >= 32 ? [n >= 64 ? 0xffffffff : 2 ** (n - 32) - 1, 0xffffffff] : [0, 2 ** n - 1];
    const top = (n: number): [number, number] =>
      n - 1 >= 32 ? [2 ** (n - 1 - 32), 0] : [0, 2 ** (n - 1)];
    switch (pattern) {
      case 'zero':
        return [0, 0];
      case 'half':
        return top(bits);
      case 'belowHalf': {
        const [h, l] = all(bits - 1);
        return [h, l];
      }
      case 'aboveHalf': {
        const [h, l] = top(bits);
        return [h, (l | 1) >>> 0];
      }
      case 'ones':
        return all(bits);
      case 'one':
        return [0, 1];
      default: {
        const [mh, ml] = all(bits);
        return [(hi & mh) >>> 0, (lo & ml) >>> 0];
      }
    }
  };
  const [th, tl] = tail(tailBits);
  const [mh, ml] =
    tailBits >= 32
      ? [tailBits >= 64 ? 0xffffffff : 2 ** (tailBits - 32) - 1, 0xffffffff]
      : [0, 2 ** tailBits - 1];
  return [((hi & ~mh) | th) >>> 0, ((lo & ~ml) | tl) >>> 0];
}

const significand = fc
  .tuple(
    u32,
    u32,
    fc.constantFrom(24, 53, 64, 63, 62, 40, 11, 1, 2, 32),
    fc.constantFrom(...tailPatterns),
    fc.constantFrom('tail', 'tail', 'random', 'allOnes', 'top', 'smallInt'),
  )
  .map(([hi, lo, boundary, pattern, shape]): [number, number] => {
    switch (shape) {
      case 'random':
        return [hi, lo];
      case 'allOnes':
        return [0xffffffff, 0xffffffff];
      case 'top':
        return [0x80000000, 0];
      case 'smallInt':
        return [hi & 0xff000000, 0];
      default:
        return significandWithTail(boundary, pattern, hi, lo);
    }
  });

/** x80 exponent fields: the edges and the middle. */
const x80Exponent = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(0, 0, 1, 2, 0x7ffe, 0x7ffd, 0x7fff, 0x7fff, 0x3fff, 0x3ffe, 0x4000),
  },
  { weight: 4, arbitrary: fc.integer({ min: 0x3fff - 80, max: 0x3fff + 80 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 0x7fff }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 70 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0x7fff - 70, max: 0x7fff }) },
  // Where products and quotients of middle values under/overflow, and f32/f64 edges.
  { weight: 1, arbitrary: fc.integer({ min: 0x3fff - 8192 - 40, max: 0x3fff - 8192 + 40 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0x3fff - 1100, max: 0x3fff - 1000 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0x3fff - 160, max: 0x3fff - 120 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0x3fff + 120, max: 0x3fff + 130 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0x3fff + 1020, max: 0x3fff + 1026 }) },
);

/** Named x80 values: zeros, infinities, NaNs, the ends of the denormal and normal ranges. */
const x80Specials = fc.constantFrom(
  '00000000000000000000', // +0
  '80000000000000000000', // -0
  '7fff8000000000000000', // +inf
  'ffff8000000000000000', // -inf
  'ffffc000000000000000', // real indefinite
  '7fffc000000000000000', // QNaN
  '7fffa000000000000000', // SNaN
  '7fff8000000000000001', // SNaN, smallest payload
  '00000000000000000001', // smallest denormal
  '00007fffffffffffffff', // largest denormal
  '00008000000000000000', // pseudo-denormal
  '00018000000000000000', // smallest normal
  '7ffeffffffffffffffff', // largest normal
  'fffeffffffffffffffff', // most negative normal
  '3fff8000000000000000', // 1
  'bfff8000000000000000', // -1
  '3fffffffffffffffffff', // just below 2
  '403e8000000000000000', // 2^63
  '403effffffffffffffff', // just below 2^64
  '3fff0000000000000000', // unnormal
  '7fff0000000000000000', // pseudo-infinity
);

/** An x80 bit pattern: integer bit mostly as a valid encoding wants it, sometimes not. */
const x80Generic = fc
  .tuple(fc.integer({ min: 0, max: 1 }), x80Exponent, significand, fc.integer({ min: 0, max: 15 }))
  .map(([sign, exp, [hi, lo], odd]) => {
    let h = hi;
    if (exp === 0) {
      // denormal (integer bit 0), sometimes a pseudo-denormal (integer bit 1)
      h = odd === 0 ? (h | 0x80000000) >>> 0 : h & 0x7fffffff;
    } else if (exp === 0x7fff) {
      // infinity, quiet or signalling NaN; rarely a pseudo-infinity/pseudo-NaN
      if (odd === 0) h &= 0x7fffffff;
      else if (odd < 5) return `${hex((sign << 15) | exp, 4)}8000000000000000`;
      else h = (h | 0x80000000) >>> 0;
    } else {
      // normal; rarely an unnormal
      h = odd === 0 ? h & 0x7fffffff : (h | 0x80000000) >>> 0;
    }
    return hex((sign << 15) | exp, 4) + hex(h, 8) + hex(lo, 8);
  });

export const x80 = fc.oneof(
  { weight: 1, arbitrary: x80Specials },
  { weight: 6, arbitrary: x80Generic },
);

function floatBits(expBits: number, fracBits: number) {
  const maxExp = 2 ** expBits - 1;
  const bias = maxExp >>> 1;
  const exponent = fc.oneof(
    {
      weight: 3,
      arbitrary: fc.constantFrom(0, 0, 1, 2, maxExp - 1, maxExp, maxExp, bias, bias - 1, bias + 1),
    },
    { weight: 4, arbitrary: fc.integer({ min: bias - fracBits - 3, max: bias + fracBits + 3 }) },
    { weight: 2, arbitrary: fc.integer({ min: 0, max: maxExp }) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: fracBits + 2 }) },
    { weight: 1, arbitrary: fc.integer({ min: maxExp - fracBits - 2, max: maxExp }) },
    {
      weight: 1,
      arbitrary: fc.integer({ min: (bias >>> 1) - 4, max: (bias >>> 1) + fracBits + 4 }),
    },
    {
      weight: 1,
      arbitrary: fc.integer({ min: bias + (bias >>> 1) - fracBits, max: bias + (bias >>> 1) + 4 }),
    },
  );
  return fc
    .tuple(fc.integer({ min: 0, max: 1 }), exponent, significand)
    .map(([sign, exp, [hi, lo]]) => ({
      sign,
      exp,
      hi,
      lo,
    }));
}

/** Named float64 and float32 values (same list as for x80, where they exist). */
const f64Specials = fc.constantFrom(
  '0000000000000000',
  '8000000000000000',
  '7ff0000000000000',
  'fff0000000000000',
  'fff8000000000000',
  '7ff8000000000000',
  '7ff4000000000000',
  '7ff0000000000001',
  '0000000000000001',
  '000fffffffffffff',
  '0010000000000000',
  '7fefffffffffffff',
  'ffefffffffffffff',
  '3ff0000000000000',
  'bff0000000000000',
  '3fffffffffffffff',
  '43e0000000000000', // 2^63
  'c3e0000000000000', // -2^63
  '41e0000000000000', // 2^31
  'c1e0000000000000', // -2^31
);
const f32Specials = fc.constantFrom(
  '00000000',
  '80000000',
  '7f800000',
  'ff800000',
  'ffc00000',
  '7fc00000',
  '7fa00000',
  '7f800001',
  '00000001',
  '007fffff',
  '00800000',
  '7f7fffff',
  'ff7fffff',
  '3f800000',
  'bf800000',
  '3fffffff',
  '5f000000', // 2^63
  'df000000', // -2^63
  '4f000000', // 2^31
  'cf000000', // -2^31
);

/** A float64 bit pattern (16 hex digits). */
const f64Generic = floatBits(11, 52).map(({ sign, exp, hi, lo }) => {
  // fraction: the 52 bits after the integer bit of the 64-bit significand
  const fracHi = (hi >>> 11) & 0xfffff;
  const fracLo = ((hi << 21) | (lo >>> 11)) >>> 0;
  return hex(((sign << 31) | (exp << 20) | fracHi) >>> 0, 8) + hex(fracLo, 8);
});

/** A float32 bit pattern (8 hex digits). */
const f32Generic = floatBits(8, 23).map(({ sign, exp, hi }) =>
  hex(((sign << 31) | (exp << 23) | ((hi >>> 8) & 0x7fffff)) >>> 0, 8),
);
export const f64 = fc.oneof(
  { weight: 1, arbitrary: f64Specials },
  { weight: 6, arbitrary: f64Generic },
);
export const f32 = fc.oneof(
  { weight: 1, arbitrary: f32Specials },
  { weight: 6, arbitrary: f32Generic },
);

/** Second operands that are often close to the first (cancellation, ties, equal values). */
export function related(first: string, kind: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const isX80 = first.length === 20;
  const flipSign = (v: string) => (Number.parseInt(v[0], 16) ^ 8).toString(16) + v.slice(1);
  return fc.oneof(
    { weight: 3, arbitrary: kind },
    { weight: 1, arbitrary: fc.constant(first) },
    { weight: 1, arbitrary: fc.constant(flipSign(first)) },
    {
      // the sign and exponent of `first` (x80: nudged by a few), another significand
      weight: 3,
      arbitrary: fc
        .tuple(kind, fc.integer({ min: -3, max: 3 }), fc.boolean())
        .map(([other, delta, flip]) => {
          let v: string;
          if (isX80) {
            const head = (Number.parseInt(first.slice(0, 4), 16) + delta) & 0xffff;
            v = hex(head, 4) + other.slice(4);
          } else {
            v = first.slice(0, 3) + other.slice(3);
          }
          return flip ? flipSign(v) : v;
        }),
    },
  );
}

export const roundingMode = fc.integer({ min: 0, max: 3 });
export const x87Precision = fc.constantFrom<24 | 53 | 64>(24, 53, 64, 64);
