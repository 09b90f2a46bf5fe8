/**
 * Named cases: one behaviour per test, with the answer the host x87/SSE gave for it
 * (recorded from test/oracle/oracle.c), so each rule is written down where a reader finds it.
 */
import { describe, expect, it } from 'vitest';
import {
  compareEflags,
  FloatFlag,
  FloatRelation,
  FloatStatus,
  Floatx80,
  float32Add,
  float64Add,
  float64Compare,
  float64Mul,
  float64ToInt32,
  floatx80Add,
  floatx80Atan2,
  floatx80Compare,
  floatx80Div,
  floatx80Exp2m1,
  floatx80Extract,
  floatx80Mul,
  floatx80Remainder,
  floatx80Sin,
  floatx80Sqrt,
  floatx80Sub,
  floatx80Tan,
  floatx80ToBcd,
  floatx80ToInt32,
  floatx80Yl2x,
  RoundingMode,
  Word64,
  X87_C0,
  X87_C1,
  X87_C2,
  X87_C3,
  x87CompareConditionCodes,
} from '../src/index.js';

const x = Floatx80.fromHex;
const q = Word64.fromHex;
const { Invalid, Denormal, DivideByZero, Overflow, Underflow, Inexact } = FloatFlag;

function x87(controlWord = 0x037f): FloatStatus {
  const st = new FloatStatus();
  st.setX87ControlWord(controlWord);
  return st;
}

function sse(mxcsr = 0x1f80): FloatStatus {
  const st = new FloatStatus();
  st.setMxcsr(mxcsr);
  return st;
}

describe('x87 arithmetic', () => {
  it('adds exactly: 1.5 + 1.0 = 2.5, no flags', () => {
    const st = x87();
    expect(
      floatx80Add(x('3fffc000000000000000'), x('3fff8000000000000000'), st, new Floatx80()).toHex(),
    ).toBe('4000a000000000000000');
    expect(st.flags).toBe(0);
  });

  it('rounds 1/3 to the precision control: 24, 53 and 64 bits', () => {
    const third = (cw: number) => {
      const st = x87(cw);
      const r = floatx80Div(
        x('3fff8000000000000000'),
        x('4000c000000000000000'),
        st,
        new Floatx80(),
      );
      return [r.toHex(), st.flags, st.roundedUp];
    };
    expect(third(0x007f)).toEqual(['3ffdaaaaab0000000000', Inexact, true]);
    expect(third(0x027f)).toEqual(['3ffdaaaaaaaaaaaaa800', Inexact, false]);
    expect(third(0x037f)).toEqual(['3ffdaaaaaaaaaaaaaaab', Inexact, true]);
  });

  it('gives +0 for x - x, and -0 when rounding down', () => {
    const one = x('3fff8000000000000000');
    expect(floatx80Sub(one, one, x87(0x037f), new Floatx80()).toHex()).toBe('00000000000000000000');
    expect(floatx80Sub(one, one, x87(0x077f), new Floatx80()).toHex()).toBe('80000000000000000000');
  });

  it('takes sqrt(3) correctly rounded, C1 set because it rounded up', () => {
    const st = x87();
    expect(floatx80Sqrt(x('4000c000000000000000'), st, new Floatx80()).toHex()).toBe(
      '3fffddb3d742c265539e',
    );
    expect(st.flags).toBe(Inexact);
    expect(st.roundedUp).toBe(true);
  });

  it('quietens an SNaN operand and raises invalid', () => {
    const st = x87();
    expect(
      floatx80Add(x('7fffa000000000000000'), x('3fff8000000000000000'), st, new Floatx80()).toHex(),
    ).toBe('7fffe000000000000000');
    expect(st.flags).toBe(Invalid);
  });

  it('rejects an unnormal (the 387+ does): invalid, real indefinite', () => {
    const st = x87();
    expect(
      floatx80Add(x('3fff0000000000000000'), x('3fff8000000000000000'), st, new Floatx80()).toHex(),
    ).toBe('ffffc000000000000000');
    expect(st.flags).toBe(Invalid);
  });

  it('propagates the NaN with the larger significand, the positive one on a tie', () => {
    const st = x87();
    const r = floatx80Add(x('ffff8000000000000001'), x('7fff8000000000000001'), st, new Floatx80());
    expect(r.toHex()).toBe('7fffc000000000000001');
  });

  it('wraps the exponent of an unmasked overflow by 24576 (the 387 response before #MF)', () => {
    const st = x87(0x0377);
    const r = floatx80Mul(x('5fff8000000000000000'), x('5fff8000000000000000'), st, new Floatx80());
    expect(r.toHex()).toBe('1fff8000000000000000');
    expect(st.flags).toBe(Overflow);
  });

  it('reports an exact tiny result as underflow only when underflow is unmasked', () => {
    const tiny = x('1ff78000000000000000'); // 2^-8200; its square 2^-16400 is an exact denormal
    const masked = x87(0x037f);
    expect(floatx80Mul(tiny, tiny, masked, new Floatx80()).toHex()).toBe('00000000200000000000');
    expect(masked.flags).toBe(0);
    const unmasked = x87(0x036f);
    expect(floatx80Mul(tiny, tiny, unmasked, new Floatx80()).toHex()).toBe('5fef8000000000000000');
    expect(unmasked.flags).toBe(Underflow);
  });
});

describe('SSE arithmetic', () => {
  it('detects tininess after rounding: a product that rounds up to the smallest normal is no underflow', () => {
    for (const mxcsr of [0x1f80, 0x9f80]) {
      const st = sse(mxcsr);
      const r = float64Mul(q('3ff0000000000001'), q('000fffffffffffff'), st, new Word64());
      expect(r.toHex()).toBe('0010000000000000');
      expect(st.flags).toBe(Denormal | Inexact);
    }
  });

  it('flushes a product below the denormal range to zero with underflow and inexact', () => {
    const st = sse(0x9f80);
    expect(float64Mul(q('1a70000000000000'), q('1a70000000000000'), st, new Word64()).toHex()).toBe(
      '0000000000000000',
    );
    expect(st.flags).toBe(Underflow | Inexact);
  });

  it('reads denormals as zero under DAZ, without the denormal flag', () => {
    const st = sse(0x1fc0);
    expect(float64Add(q('0000000000000001'), q('3ff0000000000000'), st, new Word64()).toHex()).toBe(
      '3ff0000000000000',
    );
    expect(st.flags).toBe(0);
  });

  it('returns the first operand NaN (quietened), unlike the x87', () => {
    const st = sse();
    expect(float64Add(q('7ff4000000000000'), q('fff8000000000001'), st, new Word64()).toHex()).toBe(
      '7ffc000000000000',
    );
    expect(st.flags).toBe(Invalid);
  });

  it('adds float32 bit patterns', () => {
    expect(float32Add(0x3fc00000, 0x3f800000, sse())).toBe(0x40200000); // 1.5 + 1 = 2.5
  });

  it('compares with COMISD (signalling) and UCOMISD (quiet) on a QNaN', () => {
    const comi = sse();
    expect(compareEflags(float64Compare(q('4008000000000000'), q('7ff8000000000000'), comi))).toBe(
      0x45,
    );
    expect(comi.flags).toBe(Invalid);
    const ucomi = sse();
    expect(float64Compare(q('4008000000000000'), q('7ff8000000000000'), ucomi, true)).toBe(
      FloatRelation.Unordered,
    );
    expect(ucomi.flags).toBe(0);
  });
});

describe('conversions and compares', () => {
  it('stores the integer indefinite for out-of-range FIST and for CVTTSD2SI of a NaN', () => {
    const st = x87();
    expect(floatx80ToInt32(x('401e8000000000000000'), st)).toBe(0x80000000); // 2^31
    expect(st.flags).toBe(Invalid);
    const s = sse();
    expect(float64ToInt32(q('7ff8000000000000'), s, true)).toBe(0x80000000);
    expect(s.flags).toBe(Invalid);
  });

  it('gives FCOM condition codes C3 C2 C0', () => {
    const st = x87();
    const three = x('4000c000000000000000');
    const one = x('3fff8000000000000000');
    expect(x87CompareConditionCodes(floatx80Compare(three, one, st))).toBe(0);
    expect(x87CompareConditionCodes(floatx80Compare(one, three, st))).toBe(X87_C0);
    expect(x87CompareConditionCodes(floatx80Compare(one, one, st))).toBe(X87_C3);
    expect(st.flags).toBe(0);
  });
});

describe('x87 special instructions', () => {
  it('FPREM 5 rem 3 = 2 with quotient 1 in C1', () => {
    const st = x87();
    const out = new Floatx80();
    const codes = floatx80Remainder(
      x('4001a000000000000000'),
      x('4000c000000000000000'),
      st,
      out,
      false,
    );
    expect(out.toHex()).toBe('40008000000000000000');
    expect(codes).toBe(X87_C1);
  });

  it('FPREM1 5 rem 3 = -1 (quotient rounded to 2: C3)', () => {
    const st = x87();
    const out = new Floatx80();
    const codes = floatx80Remainder(
      x('4001a000000000000000'),
      x('4000c000000000000000'),
      st,
      out,
      true,
    );
    expect(out.toHex()).toBe('bfff8000000000000000');
    expect(codes).toBe(X87_C3);
  });

  it('FPREM with an exponent difference of 100 is partial: C2 set, reduced by 2^(100-36)', () => {
    const st = x87();
    const out = new Floatx80();
    const codes = floatx80Remainder(
      x('4063a000000000000000'),
      x('3fffc000000000000000'),
      st,
      out,
      false,
    );
    expect(out.toHex()).toBe('403e8000000000000000');
    expect(codes).toBe(X87_C2);
  });

  it('FXTRACT of -0: significand -0, exponent -infinity, divide-by-zero', () => {
    const st = x87();
    const significand = new Floatx80();
    const exponent = new Floatx80();
    floatx80Extract(x('80000000000000000000'), st, significand, exponent);
    expect([significand.toHex(), exponent.toHex()]).toEqual([
      '80000000000000000000',
      'ffff8000000000000000',
    ]);
    expect(st.flags).toBe(DivideByZero);
  });

  it('FBSTP writes packed BCD, and the BCD indefinite at 10^18', () => {
    const st = x87();
    const bytes = floatx80ToBcd(x('4005f600000000000000'), st, new Uint8Array(10)); // 123
    expect(Array.from(bytes)).toEqual([0x23, 0x01, 0, 0, 0, 0, 0, 0, 0, 0]);
    floatx80ToBcd(x('403ade0b6b3a76400000'), st, bytes); // 10^18
    expect(Array.from(bytes)).toEqual([0, 0, 0, 0, 0, 0, 0, 0xc0, 0xff, 0xff]);
    expect(st.flags).toBe(Invalid);
  });
});

describe('transcendentals', () => {
  it('FSIN reduces with the 66-bit pi: sin(pi rounded to 64 bits) is -2^-64', () => {
    const st = x87();
    const out = new Floatx80();
    expect(floatx80Sin(x('4000c90fdaa22168c235'), st, out)).toBe(0);
    expect(out.toHex()).toBe('bfbf8000000000000000');
    expect(st.flags).toBe(Inexact);
  });

  it('FSIN of 2^63 or more sets C2 and leaves the operand', () => {
    const st = x87();
    const out = new Floatx80();
    expect(floatx80Sin(x('403f8000000000000000'), st, out)).toBe(X87_C2);
    expect(out.toHex()).toBe('403f8000000000000000');
    expect(st.flags).toBe(0);
  });

  it('FPTAN(0.5), FPATAN(1, 1) = pi/4, F2XM1(0.5) as the host computes them', () => {
    const st = x87();
    const out = new Floatx80();
    floatx80Tan(x('3ffe8000000000000000'), st, out);
    expect(out.toHex()).toBe('3ffe8bda7adf9a3a5219');
    expect(
      floatx80Atan2(x('3fff8000000000000000'), x('3fff8000000000000000'), st, out).toHex(),
    ).toBe('3ffec90fdaa22168c235');
    expect(floatx80Exp2m1(x('3ffe8000000000000000'), st, out).toHex()).toBe('3ffdd413cccfe7799211');
  });

  it('FYL2X reports inexact even for an exact log2(2) = 1, as the host does', () => {
    const st = x87();
    expect(
      floatx80Yl2x(
        x('3fff8000000000000000'),
        x('40008000000000000000'),
        st,
        new Floatx80(),
      ).toHex(),
    ).toBe('3fff8000000000000000');
    expect(st.flags).toBe(Inexact);
  });
});

describe('FloatStatus', () => {
  it('takes rounding, precision and masks from an x87 control word', () => {
    const st = x87(0x0a77); // RC = up, PC = 53 bits, overflow unmasked
    expect(st.roundingMode).toBe(RoundingMode.Up);
    expect(st.precision).toBe(53);
    expect(st.exceptionMask).toBe(0x37);
  });

  it('takes rounding, FZ, DAZ and masks from MXCSR, and hands flags back once', () => {
    const st = sse(0xffc0);
    expect([st.roundingMode, st.flushToZero, st.denormalsAreZero]).toEqual([
      RoundingMode.TowardZero,
      true,
      true,
    ]);
    st.raise(Inexact);
    expect(st.takeFlags()).toBe(Inexact);
    expect(st.flags).toBe(0);
  });
});

describe('value holders', () => {
  it('round-trip hex and reject malformed strings with a clear message', () => {
    expect(Floatx80.fromHex('3fff8000000000000000').toHex()).toBe('3fff8000000000000000');
    expect(Word64.fromHex('3ff0000000000000').toHex()).toBe('3ff0000000000000');
    expect(() => Floatx80.fromHex('3fff')).toThrow(/20 hex digits/);
  });

  it('let an operation write into one of its own operands', () => {
    const a = x('3fffc000000000000000');
    floatx80Add(a, a, x87(), a);
    expect(a.toHex()).toBe('4000c000000000000000');
  });
});
