/**
 * Each oracle operation next to ours: the same case line goes to the host (oracle.c) and
 * to @tsemu/softfloat, and both answers are brought to the same text form.
 */
import * as sf from '../../src/index.js';
import { FloatStatus, Floatx80, Word64 } from '../../src/index.js';
import { hex } from './host.js';

export type OperandKind = 'x80' | 'f64' | 'f32' | 'i16' | 'i32' | 'i64' | 'bcd';

export interface OracleOp {
  /** The oracle's op name. */
  readonly name: string;
  readonly unit: 'x87' | 'sse';
  readonly operands: readonly OperandKind[];
  /**
   * x87 ops whose result goes to a register: also tried with overflow/underflow unmasked
   * (the 387 then writes the result with its exponent wrapped by 24576).
   */
  readonly unmaskable?: boolean;
  /** Our answer for a case, in the oracle's text form. */
  ours(control: number, operands: readonly string[]): string;
  /** The oracle's answer reduced to what we model (status word bits we check). */
  normalize(line: string): string;
  /**
   * For ops the hardware computes to ~1 ulp (transcendentals): whether our answer is
   * close enough to the host's (both already normalised). Absent: exact match required.
   */
  close?(ours: string, host: string): boolean;
}

/** Position of an x80 value on the number line, in ulps (sign-magnitude, x80 ordering). */
export function x80Ordinal(hexValue: string): bigint {
  const se = Number.parseInt(hexValue.slice(0, 4), 16);
  const sig = BigInt(`0x${hexValue.slice(4)}`);
  const exp = BigInt(se & 0x7fff);
  const magnitude = exp === 0n ? sig : (exp - 1n) * (1n << 63n) + sig;
  return se & 0x8000 ? -magnitude : magnitude;
}

/**
 * Results within `ulps` of the host's, the same exception flags and C0/C2/C3. C1 ("rounded
 * up") is not compared: ours says which way our correctly rounded result went, the
 * host's which way its own approximation went, and they differ whenever the two
 * approximations sit on different sides of the true value.
 */
export function withinUlps(ulps: number) {
  return (ours: string, host: string): boolean => {
    const a = ours.split(' ');
    const b = host.split(' ');
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length - 1; i++) {
      if (a[i] === b[i]) continue;
      const d = x80Ordinal(a[i]) - x80Ordinal(b[i]);
      if (d > BigInt(ulps) || d < -BigInt(ulps)) return false;
    }
    const mask = ~C1 & 0xffff;
    return (
      (Number.parseInt(a[a.length - 1], 16) & mask) ===
      (Number.parseInt(b[b.length - 1], 16) & mask)
    );
  };
}

/** Status-word bits compared for x87 ops: exceptions, and the condition codes given. */
const X87_EXCEPTIONS = 0x3f;
const C0 = 0x100;
const C1 = 0x200;
const C2 = 0x400;
const C3 = 0x4000;

function x87Status(control: number): FloatStatus {
  const st = new FloatStatus();
  st.setX87ControlWord(control);
  return st;
}

function sseStatus(control: number): FloatStatus {
  const st = new FloatStatus();
  st.setMxcsr(control);
  return st;
}

/** The last token of an oracle line is the status; keep `mask` bits of it. */
function maskStatus(line: string, mask: number, digits: number): string {
  const tokens = line.trim().split(/\s+/);
  const status = Number.parseInt(tokens.pop() ?? '0', 16);
  tokens.push(hex(status & mask, digits));
  return tokens.join(' ');
}

function x87Line(
  results: readonly string[],
  st: FloatStatus,
  conditionCodes: number,
  mask: number,
): string {
  const sw = (st.flags & X87_EXCEPTIONS) | conditionCodes;
  return [...results, hex(sw & mask, 4)].join(' ');
}

function sseLine(results: readonly string[], st: FloatStatus): string {
  return [...results, hex(st.flags & 0x3f, 8)].join(' ');
}

const X87_ARITH_MASK = X87_EXCEPTIONS | C1;

function x87Binary(
  name: string,
  fn: (a: Floatx80, b: Floatx80, st: FloatStatus, out: Floatx80) => Floatx80,
): OracleOp {
  return {
    name,
    unit: 'x87',
    operands: ['x80', 'x80'],
    unmaskable: true,
    ours(control, [a, b]) {
      const st = x87Status(control);
      const r = fn(Floatx80.fromHex(a), Floatx80.fromHex(b), st, new Floatx80());
      return x87Line([r.toHex()], st, st.roundedUp ? C1 : 0, X87_ARITH_MASK);
    },
    normalize: (line) => maskStatus(line, X87_ARITH_MASK, 4),
  };
}

function x87Unary(
  name: string,
  fn: (a: Floatx80, st: FloatStatus, out: Floatx80) => Floatx80,
): OracleOp {
  return {
    name,
    unit: 'x87',
    operands: ['x80'],
    unmaskable: true,
    ours(control, [a]) {
      const st = x87Status(control);
      const r = fn(Floatx80.fromHex(a), st, new Floatx80());
      return x87Line([r.toHex()], st, st.roundedUp ? C1 : 0, X87_ARITH_MASK);
    },
    normalize: (line) => maskStatus(line, X87_ARITH_MASK, 4),
  };
}

function sse64Binary(
  name: string,
  fn: (a: Word64, b: Word64, st: FloatStatus, out: Word64) => Word64,
): OracleOp {
  return {
    name,
    unit: 'sse',
    operands: ['f64', 'f64'],
    ours(control, [a, b]) {
      const st = sseStatus(control);
      const r = fn(Word64.fromHex(a), Word64.fromHex(b), st, new Word64());
      return sseLine([r.toHex()], st);
    },
    normalize: (line) => maskStatus(line, 0x3f, 8),
  };
}

function sse32Binary(
  name: string,
  fn: (a: number, b: number, st: FloatStatus) => number,
): OracleOp {
  return {
    name,
    unit: 'sse',
    operands: ['f32', 'f32'],
    ours(control, [a, b]) {
      const st = sseStatus(control);
      const r = fn(Number.parseInt(a, 16), Number.parseInt(b, 16), st);
      return sseLine([hex(r, 8)], st);
    },
    normalize: (line) => maskStatus(line, 0x3f, 8),
  };
}

function x87Op(
  name: string,
  operands: readonly OperandKind[],
  mask: number,
  run: (st: FloatStatus, operands: readonly string[]) => { results: string[]; codes: number },
): OracleOp {
  return {
    name,
    unit: 'x87',
    operands,
    ours(control, ops) {
      const st = x87Status(control);
      const { results, codes } = run(st, ops);
      return x87Line(results, st, codes, mask);
    },
    normalize: (line) => maskStatus(line, mask, 4),
  };
}

function sseOp(
  name: string,
  operands: readonly OperandKind[],
  run: (st: FloatStatus, operands: readonly string[]) => string[],
): OracleOp {
  return {
    name,
    unit: 'sse',
    operands,
    ours(control, ops) {
      const st = sseStatus(control);
      return sseLine(run(st, ops), st);
    },
    normalize: (line) => maskStatus(line, 0x3f, 8),
  };
}

const X87_COMPARE_MASK = X87_EXCEPTIONS | C0 | C1 | C2 | C3;
const roundedUp = (st: FloatStatus) => (st.roundedUp ? C1 : 0);
const x = (v: string) => Floatx80.fromHex(v);
const q = (v: string) => Word64.fromHex(v);
const n = (v: string) => Number.parseInt(v, 16);
const signExtend16 = (v: string) => (n(v) << 16) >> 16;

const CONVERSION_OPS: readonly OracleOp[] = [
  x87Op('fcom', ['x80', 'x80'], X87_COMPARE_MASK, (st, [a, b]) => ({
    results: [],
    codes: sf.x87CompareConditionCodes(sf.floatx80Compare(x(a), x(b), st)),
  })),
  x87Op('fucom', ['x80', 'x80'], X87_COMPARE_MASK, (st, [a, b]) => ({
    results: [],
    codes: sf.x87CompareConditionCodes(sf.floatx80Compare(x(a), x(b), st, true)),
  })),
  x87Op('frndint', ['x80'], X87_ARITH_MASK, (st, [a]) => ({
    results: [sf.floatx80RoundToInt(x(a), st, new Floatx80()).toHex()],
    codes: roundedUp(st),
  })),
  x87Op('fst32', ['x80'], X87_ARITH_MASK, (st, [a]) => ({
    results: [hex(sf.floatx80ToFloat32(x(a), st), 8)],
    codes: roundedUp(st),
  })),
  x87Op('fst64', ['x80'], X87_ARITH_MASK, (st, [a]) => ({
    results: [sf.floatx80ToFloat64(x(a), st, new Word64()).toHex()],
    codes: roundedUp(st),
  })),
  x87Op('fist16', ['x80'], X87_ARITH_MASK, (st, [a]) => ({
    results: [hex(sf.floatx80ToInt16(x(a), st), 4)],
    codes: roundedUp(st),
  })),
  x87Op('fist32', ['x80'], X87_ARITH_MASK, (st, [a]) => ({
    results: [hex(sf.floatx80ToInt32(x(a), st), 8)],
    codes: roundedUp(st),
  })),
  x87Op('fist64', ['x80'], X87_ARITH_MASK, (st, [a]) => ({
    results: [sf.floatx80ToInt64(x(a), st, new Word64()).toHex()],
    codes: roundedUp(st),
  })),
  x87Op('fisttp16', ['x80'], X87_ARITH_MASK, (st, [a]) => ({
    results: [hex(sf.floatx80ToInt16RoundToZero(x(a), st), 4)],
    codes: roundedUp(st),
  })),
  x87Op('fisttp32', ['x80'], X87_ARITH_MASK, (st, [a]) => ({
    results: [hex(sf.floatx80ToInt32RoundToZero(x(a), st), 8)],
    codes: roundedUp(st),
  })),
  x87Op('fisttp64', ['x80'], X87_ARITH_MASK, (st, [a]) => ({
    results: [sf.floatx80ToInt64RoundToZero(x(a), st, new Word64()).toHex()],
    codes: roundedUp(st),
  })),
  x87Op('fld32', ['f32'], X87_ARITH_MASK, (st, [a]) => ({
    results: [sf.float32ToFloatx80(n(a), st, new Floatx80()).toHex()],
    codes: 0,
  })),
  x87Op('fld64', ['f64'], X87_ARITH_MASK, (st, [a]) => ({
    results: [sf.float64ToFloatx80(q(a), st, new Floatx80()).toHex()],
    codes: 0,
  })),
  x87Op('fild16', ['i16'], X87_ARITH_MASK, (st, [a]) => ({
    results: [sf.int32ToFloatx80(signExtend16(a), st, new Floatx80()).toHex()],
    codes: 0,
  })),
  x87Op('fild32', ['i32'], X87_ARITH_MASK, (st, [a]) => ({
    results: [sf.int32ToFloatx80(n(a), st, new Floatx80()).toHex()],
    codes: 0,
  })),
  x87Op('fild64', ['i64'], X87_ARITH_MASK, (st, [a]) => ({
    results: [sf.int64ToFloatx80(q(a), st, new Floatx80()).toHex()],
    codes: 0,
  })),
  sseOp('cvtss2sd', ['f32'], (st, [a]) => [sf.float32ToFloat64(n(a), st, new Word64()).toHex()]),
  sseOp('cvtsd2ss', ['f64'], (st, [a]) => [hex(sf.float64ToFloat32(q(a), st), 8)]),
  sseOp('cvtsi2ss32', ['i32'], (st, [a]) => [hex(sf.int32ToFloat32(n(a), st), 8)]),
  sseOp('cvtsi2ss64', ['i64'], (st, [a]) => [hex(sf.int64ToFloat32(q(a), st), 8)]),
  sseOp('cvtsi2sd32', ['i32'], (st, [a]) => [sf.int32ToFloat64(n(a), st, new Word64()).toHex()]),
  sseOp('cvtsi2sd64', ['i64'], (st, [a]) => [sf.int64ToFloat64(q(a), st, new Word64()).toHex()]),
  sseOp('cvtss2si32', ['f32'], (st, [a]) => [hex(sf.float32ToInt32(n(a), st), 8)]),
  sseOp('cvttss2si32', ['f32'], (st, [a]) => [hex(sf.float32ToInt32(n(a), st, true), 8)]),
  sseOp('cvtss2si64', ['f32'], (st, [a]) => [sf.float32ToInt64(n(a), st, new Word64()).toHex()]),
  sseOp('cvttss2si64', ['f32'], (st, [a]) => [
    sf.float32ToInt64(n(a), st, new Word64(), true).toHex(),
  ]),
  sseOp('cvtsd2si32', ['f64'], (st, [a]) => [hex(sf.float64ToInt32(q(a), st), 8)]),
  sseOp('cvttsd2si32', ['f64'], (st, [a]) => [hex(sf.float64ToInt32(q(a), st, true), 8)]),
  sseOp('cvtsd2si64', ['f64'], (st, [a]) => [sf.float64ToInt64(q(a), st, new Word64()).toHex()]),
  sseOp('cvttsd2si64', ['f64'], (st, [a]) => [
    sf.float64ToInt64(q(a), st, new Word64(), true).toHex(),
  ]),
  sseOp('comiss', ['f32', 'f32'], (st, [a, b]) => [
    hex(sf.compareEflags(sf.float32Compare(n(a), n(b), st)), 2),
  ]),
  sseOp('ucomiss', ['f32', 'f32'], (st, [a, b]) => [
    hex(sf.compareEflags(sf.float32Compare(n(a), n(b), st, true)), 2),
  ]),
  sseOp('comisd', ['f64', 'f64'], (st, [a, b]) => [
    hex(sf.compareEflags(sf.float64Compare(q(a), q(b), st)), 2),
  ]),
  sseOp('ucomisd', ['f64', 'f64'], (st, [a, b]) => [
    hex(sf.compareEflags(sf.float64Compare(q(a), q(b), st, true)), 2),
  ]),
  sseOp('minss', ['f32', 'f32'], (st, [a, b]) => [hex(sf.float32Min(n(a), n(b), st), 8)]),
  sseOp('maxss', ['f32', 'f32'], (st, [a, b]) => [hex(sf.float32Max(n(a), n(b), st), 8)]),
  sseOp('minsd', ['f64', 'f64'], (st, [a, b]) => [
    sf.float64Min(q(a), q(b), st, new Word64()).toHex(),
  ]),
  sseOp('maxsd', ['f64', 'f64'], (st, [a, b]) => [
    sf.float64Max(q(a), q(b), st, new Word64()).toHex(),
  ]),
  sseOp('roundss', ['f32'], (st, [a]) => [hex(sf.float32RoundToInt(n(a), st), 8)]),
  sseOp('roundsd', ['f64'], (st, [a]) => [sf.float64RoundToInt(q(a), st, new Word64()).toHex()]),
];

const bcdHex = (bytes: Uint8Array) =>
  Array.from(bytes)
    .reverse()
    .map((b) => hex(b, 2))
    .join('');
const bcdBytes = (v: string) =>
  Uint8Array.from({ length: 10 }, (_, i) => n(v.slice(18 - 2 * i, 20 - 2 * i)));

function x87Memory(name: string, kind: 'f32' | 'f64', op: sf.X87Arith): OracleOp {
  return {
    ...x87Op(name, ['x80', kind], X87_ARITH_MASK, (st, [a, b]) => ({
      results: [
        (kind === 'f32'
          ? sf.floatx80ArithFloat32(op, x(a), n(b), st, new Floatx80())
          : sf.floatx80ArithFloat64(op, x(a), q(b), st, new Floatx80())
        ).toHex(),
      ],
      codes: roundedUp(st),
    })),
    unmaskable: true,
  };
}

const X87_MEMORY_OPS: readonly OracleOp[] = [
  x87Memory('fadd32', 'f32', sf.X87Arith.Add),
  x87Memory('fsubr32', 'f32', sf.X87Arith.SubReversed),
  x87Memory('fmul32', 'f32', sf.X87Arith.Mul),
  x87Memory('fdiv32', 'f32', sf.X87Arith.Div),
  x87Memory('fadd64', 'f64', sf.X87Arith.Add),
  x87Memory('fsub64', 'f64', sf.X87Arith.Sub),
  x87Memory('fmul64', 'f64', sf.X87Arith.Mul),
  x87Memory('fdivr64', 'f64', sf.X87Arith.DivReversed),
  x87Op('fcom32', ['x80', 'f32'], X87_COMPARE_MASK, (st, [a, b]) => ({
    results: [],
    codes: sf.x87CompareConditionCodes(sf.floatx80CompareFloat32(x(a), n(b), st)),
  })),
  x87Op('fcom64', ['x80', 'f64'], X87_COMPARE_MASK, (st, [a, b]) => ({
    results: [],
    codes: sf.x87CompareConditionCodes(sf.floatx80CompareFloat64(x(a), q(b), st)),
  })),
];

const X87_SPECIAL_OPS: readonly OracleOp[] = [
  x87Op('fprem', ['x80', 'x80'], X87_COMPARE_MASK, (st, [a, b]) => {
    const out = new Floatx80();
    const codes = sf.floatx80Remainder(x(a), x(b), st, out, false);
    return { results: [out.toHex()], codes };
  }),
  x87Op('fprem1', ['x80', 'x80'], X87_COMPARE_MASK, (st, [a, b]) => {
    const out = new Floatx80();
    const codes = sf.floatx80Remainder(x(a), x(b), st, out, true);
    return { results: [out.toHex()], codes };
  }),
  {
    ...x87Op('fscale', ['x80', 'x80'], X87_ARITH_MASK, (st, [a, b]) => ({
      results: [sf.floatx80Scale(x(a), x(b), st, new Floatx80()).toHex()],
      codes: roundedUp(st),
    })),
    unmaskable: true,
  },
  x87Op('fxtract', ['x80'], X87_ARITH_MASK, (st, [a]) => {
    const significand = new Floatx80();
    const exponent = new Floatx80();
    sf.floatx80Extract(x(a), st, significand, exponent);
    return { results: [significand.toHex(), exponent.toHex()], codes: 0 };
  }),
  x87Op('fbstp', ['x80'], X87_ARITH_MASK, (st, [a]) => ({
    results: [bcdHex(sf.floatx80ToBcd(x(a), st, new Uint8Array(10)))],
    codes: roundedUp(st),
  })),
  x87Op('fbld', ['bcd'], X87_ARITH_MASK, (st, [a]) => ({
    results: [sf.bcdToFloatx80(bcdBytes(a), st, new Floatx80()).toHex()],
    codes: 0,
  })),
  x87Op('fxam', ['x80'], X87_COMPARE_MASK, (_st, [a]) => ({
    results: [],
    codes: sf.floatx80Examine(x(a)),
  })),
  x87Op('ftst', ['x80'], X87_COMPARE_MASK, (st, [a]) => ({
    results: [],
    codes: sf.x87CompareConditionCodes(sf.floatx80Compare(x(a), new Floatx80(), st)),
  })),
  x87Op('fchs', ['x80'], X87_ARITH_MASK, (_st, [a]) => ({
    results: [sf.floatx80Negate(x(a), new Floatx80()).toHex()],
    codes: 0,
  })),
  x87Op('fabs', ['x80'], X87_ARITH_MASK, (_st, [a]) => ({
    results: [sf.floatx80Abs(x(a), new Floatx80()).toHex()],
    codes: 0,
  })),
];

const TRANSCENDENTAL_MASK = X87_EXCEPTIONS | C0 | C1 | C2 | C3;
const oneUlp = withinUlps(1);
function transcendental(
  name: string,
  operands: readonly OperandKind[],
  run: (st: FloatStatus, operands: readonly string[]) => { results: string[]; codes: number },
): OracleOp {
  return { ...x87Op(name, operands, TRANSCENDENTAL_MASK, run), close: oneUlp };
}

const TRANSCENDENTAL_OPS: readonly OracleOp[] = [
  transcendental('fsin', ['x80'], (st, [a]) => {
    const out = new Floatx80();
    const codes = sf.floatx80Sin(x(a), st, out);
    return { results: [out.toHex()], codes: codes | roundedUp(st) };
  }),
  transcendental('fcos', ['x80'], (st, [a]) => {
    const out = new Floatx80();
    const codes = sf.floatx80Cos(x(a), st, out);
    return { results: [out.toHex()], codes: codes | roundedUp(st) };
  }),
  transcendental('fsincos', ['x80'], (st, [a]) => {
    // The oracle stores ST0 (cos) then ST1 (sin); out of range, ST0 is the operand and
    // ST1 is the empty register's indefinite.
    const sin = new Floatx80();
    const cos = new Floatx80();
    const codes = sf.floatx80SinCos(x(a), st, sin, cos);
    if (codes & C2) return { results: [a, 'ffffc000000000000000'], codes };
    return { results: [cos.toHex(), sin.toHex()], codes: codes | roundedUp(st) };
  }),
  transcendental('fptan', ['x80'], (st, [a]) => {
    const tan = new Floatx80();
    const codes = sf.floatx80Tan(x(a), st, tan);
    if (codes & C2) return { results: [a, 'ffffc000000000000000'], codes };
    const tanIsNaN = (tan.signExp & 0x7fff) === 0x7fff && (tan.high & 0x7fffffff) + tan.low !== 0;
    return {
      results: [tanIsNaN ? tan.toHex() : '3fff8000000000000000', tan.toHex()],
      codes: codes | roundedUp(st),
    };
  }),
  transcendental('f2xm1', ['x80'], (st, [a]) => ({
    results: [sf.floatx80Exp2m1(x(a), st, new Floatx80()).toHex()],
    codes: roundedUp(st),
  })),
  // The oracle's fpatan/fyl2x/fyl2xp1 take x (ST0) first, then y (ST1).
  transcendental('fpatan', ['x80', 'x80'], (st, [a, b]) => ({
    results: [sf.floatx80Atan2(x(b), x(a), st, new Floatx80()).toHex()],
    codes: roundedUp(st),
  })),
  transcendental('fyl2x', ['x80', 'x80'], (st, [a, b]) => ({
    results: [sf.floatx80Yl2x(x(b), x(a), st, new Floatx80()).toHex()],
    codes: roundedUp(st),
  })),
  transcendental('fyl2xp1', ['x80', 'x80'], (st, [a, b]) => ({
    results: [sf.floatx80Yl2xp1(x(b), x(a), st, new Floatx80()).toHex()],
    codes: roundedUp(st),
  })),
];

export const ORACLE_OPS: readonly OracleOp[] = [
  x87Binary('fadd', sf.floatx80Add),
  x87Binary('fsub', sf.floatx80Sub),
  x87Binary('fmul', sf.floatx80Mul),
  x87Binary('fdiv', sf.floatx80Div),
  x87Unary('fsqrt', sf.floatx80Sqrt),
  sse64Binary('addsd', sf.float64Add),
  sse64Binary('subsd', sf.float64Sub),
  sse64Binary('mulsd', sf.float64Mul),
  sse64Binary('divsd', sf.float64Div),
  {
    name: 'sqrtsd',
    unit: 'sse',
    operands: ['f64'],
    ours(control, [a]) {
      const st = sseStatus(control);
      return sseLine([sf.float64Sqrt(Word64.fromHex(a), st, new Word64()).toHex()], st);
    },
    normalize: (line) => maskStatus(line, 0x3f, 8),
  },
  sse32Binary('addss', sf.float32Add),
  sse32Binary('subss', sf.float32Sub),
  sse32Binary('mulss', sf.float32Mul),
  sse32Binary('divss', sf.float32Div),
  {
    name: 'sqrtss',
    unit: 'sse',
    operands: ['f32'],
    ours(control, [a]) {
      const st = sseStatus(control);
      return sseLine([hex(sf.float32Sqrt(Number.parseInt(a, 16), st), 8)], st);
    },
    normalize: (line) => maskStatus(line, 0x3f, 8),
  },
  ...CONVERSION_OPS,
  ...X87_MEMORY_OPS,
  ...X87_SPECIAL_OPS,
  ...TRANSCENDENTAL_OPS,
];

export function oracleOp(name: string): OracleOp {
  const op = ORACLE_OPS.find((o) => o.name === name);
  if (!op) throw new Error(`no oracle op '${name}'`);
  return op;
}

export { C0, C1, C2, C3 };
