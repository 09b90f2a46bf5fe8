/**
 * Random x87 cases for the differential test: an instruction form, a starting FPU state
 * (an FRSTOR image) and the memory operand's bytes, all drawn from a seeded generator and
 * biased to the edges (zeros, denormals, pseudo-denormals, unnormals, infinities, NaNs,
 * huge and tiny exponents, integers, empty registers, every rounding and precision
 * control, some unmasked exceptions).
 */

/** A small seeded generator (mulberry32): the same seed gives the same cases. */
export class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** A uniform 32-bit unsigned integer. */
  u32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** An integer in [0, n). */
  below(n: number): number {
    return this.u32() % n;
  }
  chance(p: number): boolean {
    return this.u32() / 4294967296 < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)];
  }
}

/** An 80-bit value as [signExp, high, low]. */
export type X80 = [number, number, number];

/** A 64-bit significand with the integer bit set, biased towards short and long runs. */
function significand(r: Random): [number, number] {
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

/** The x80 form of a small integer. */
function integerX80(n: number): X80 {
  if (n === 0) return [0, 0, 0];
  const sign = n < 0 ? 0x8000 : 0;
  const m = Math.abs(n);
  const lead = 31 - Math.clz32(m);
  return [sign | (0x3fff + lead), (m << (31 - lead)) >>> 0, 0];
}

export function randomX80(r: Random): X80 {
  const sign = r.chance(0.5) ? 0x8000 : 0;
  const [hi, lo] = significand(r);
  switch (r.below(20)) {
    case 0:
      return [sign, 0, 0]; // zero
    case 1:
      return [sign, hi >>> (1 + r.below(31)), lo]; // denormal
    case 2:
      return [sign, hi, lo]; // pseudo-denormal
    case 3:
      return [sign | 0x7fff, 0x80000000, 0]; // infinity
    case 4:
      return [sign | 0x7fff, (0xc0000000 | hi) >>> 0, lo]; // QNaN
    case 5:
      return [sign | 0x7fff, (0x80000000 | (hi & 0x3fffffff) | 1) >>> 0, lo]; // SNaN
    case 6:
      // unsupported: pseudo-NaN/infinity, unnormal
      return r.chance(0.5)
        ? [sign | 0x7fff, hi & 0x7fffffff, lo]
        : [sign | (1 + r.below(0x7ffe)), hi & 0x7fffffff, lo];
    case 7:
      return [sign | (0x7ff0 + r.below(15)), hi, lo]; // near overflow
    case 8:
      return [sign | (1 + r.below(64)), hi, lo]; // near underflow
    case 9:
    case 10: {
      const n = r.chance(0.5)
        ? r.below(2001) - 1000
        : (1 << r.below(31)) * (r.chance(0.5) ? -1 : 1);
      return integerX80(n);
    }
    case 11:
      return [sign | (0x3fff + 40 + r.below(30)), hi, lo]; // large, for FPREM/FSCALE/FIST ranges
    case 12:
    case 13:
      return [sign | (0x3ffe - r.below(3)), hi, lo]; // |x| in [1/8, 2): transcendental domains
    default:
      return [sign | (0x3fff - 70 + r.below(140)), hi, lo];
  }
}

function randomFloat32(r: Random): number {
  const sign = r.chance(0.5) ? 0x80000000 : 0;
  const frac = r.u32() & 0x7fffff;
  switch (r.below(10)) {
    case 0:
      return sign >>> 0;
    case 1:
      return (sign | frac | 1) >>> 0; // denormal
    case 2:
      return (sign | 0x7f800000) >>> 0;
    case 3:
      return (sign | 0x7fc00000 | frac) >>> 0;
    case 4:
      return (sign | 0x7f800000 | (frac & 0x3fffff) | 1) >>> 0;
    default:
      return (sign | ((1 + r.below(254)) << 23) | frac) >>> 0;
  }
}

function randomFloat64(r: Random): [number, number] {
  const sign = r.chance(0.5) ? 0x80000000 : 0;
  const fracHi = r.u32() & 0xfffff;
  const lo = r.u32();
  switch (r.below(10)) {
    case 0:
      return [0, sign >>> 0];
    case 1:
      return [lo | 1, (sign | fracHi) >>> 0];
    case 2:
      return [0, (sign | 0x7ff00000) >>> 0];
    case 3:
      return [lo, (sign | 0x7ff80000 | fracHi) >>> 0];
    case 4:
      return [lo | 1, (sign | 0x7ff00000 | (fracHi & 0x7ffff)) >>> 0];
    default:
      return [lo, (sign | (((1 + r.below(2046)) << 20) >>> 0) | fracHi) >>> 0];
  }
}

function randomInteger(r: Random, bits: 16 | 32): number {
  const max = bits === 16 ? 0x7fff : 0x7fffffff;
  switch (r.below(6)) {
    case 0:
      return 0;
    case 1:
      return r.pick([1, -1, max, -max - 1]);
    case 2:
      return r.below(2001) - 1000;
    default:
      return bits === 16 ? (r.u32() << 16) >> 16 : r.u32() | 0;
  }
}

function randomBcd(r: Random, out: Uint8Array, at: number): void {
  for (let i = 0; i < 9; i++) {
    const digits = r.chance(0.05) ? r.below(256) : (r.below(10) << 4) | r.below(10);
    out[at + i] = r.chance(0.3) && i > 3 ? 0 : digits;
  }
  out[at + 9] = r.chance(0.5) ? 0x80 : 0;
}

/** The memory operand each form reads. */
export type MemoryKind =
  | 'none'
  | 'f32'
  | 'f64'
  | 'f80'
  | 'i16'
  | 'i32'
  | 'i64'
  | 'bcd'
  | 'cw'
  | 'env16'
  | 'env32'
  | 'save16'
  | 'save32';

export interface Form {
  name: string;
  /** The instruction bytes ([ebx] memory operands), given a random register index. */
  bytes: (i: number) => number[];
  memory: MemoryKind;
  /** Set EFLAGS first (FCMOVcc). */
  flags?: boolean;
  /** Transcendental: the host is accurate to about 1 ulp; C1 is not compared. */
  close?: boolean;
}

const reg =
  (esc: number, base: number): Form['bytes'] =>
  (i) => [esc, base + i];
const fixed =
  (...b: number[]): Form['bytes'] =>
  () =>
    b;
const mem =
  (esc: number, digit: number, prefix: number[] = []): Form['bytes'] =>
  () => [...prefix, esc, (digit << 3) | 3];

const ARITH = ['fadd', 'fmul', 'fcom', 'fcomp', 'fsub', 'fsubr', 'fdiv', 'fdivr'];

function buildForms(): Form[] {
  const forms: Form[] = [];
  ARITH.forEach((name, d) => {
    forms.push({ name: `${name} st,st(i)`, bytes: reg(0xd8, 0xc0 + 8 * d), memory: 'none' });
    forms.push({ name: `${name} m32fp`, bytes: mem(0xd8, d), memory: 'f32' });
    forms.push({ name: `${name} m64fp`, bytes: mem(0xdc, d), memory: 'f64' });
    forms.push({ name: `fi${name.slice(1)} m32int`, bytes: mem(0xda, d), memory: 'i32' });
    forms.push({ name: `fi${name.slice(1)} m16int`, bytes: mem(0xde, d), memory: 'i16' });
    forms.push({ name: `dc /${d} st(i),st`, bytes: reg(0xdc, 0xc0 + 8 * d), memory: 'none' });
    // DE D8-DF exists only as FCOMPP (DE D9).
    if (d !== 3)
      forms.push({ name: `de /${d} st(i),st`, bytes: reg(0xde, 0xc0 + 8 * d), memory: 'none' });
  });
  const d9ops: [number, string, boolean][] = [
    [0xe0, 'fchs', false],
    [0xe1, 'fabs', false],
    [0xe4, 'ftst', false],
    [0xe5, 'fxam', false],
    [0xe8, 'fld1', false],
    [0xe9, 'fldl2t', false],
    [0xea, 'fldl2e', false],
    [0xeb, 'fldpi', false],
    [0xec, 'fldlg2', false],
    [0xed, 'fldln2', false],
    [0xee, 'fldz', false],
    [0xf0, 'f2xm1', true],
    [0xf1, 'fyl2x', true],
    [0xf2, 'fptan', true],
    [0xf3, 'fpatan', true],
    [0xf4, 'fxtract', false],
    [0xf5, 'fprem1', false],
    [0xf6, 'fdecstp', false],
    [0xf7, 'fincstp', false],
    [0xf8, 'fprem', false],
    [0xf9, 'fyl2xp1', true],
    [0xfa, 'fsqrt', false],
    [0xfb, 'fsincos', true],
    [0xfc, 'frndint', false],
    [0xfd, 'fscale', false],
    [0xfe, 'fsin', true],
    [0xff, 'fcos', true],
  ];
  for (const [b, name, close] of d9ops)
    forms.push({ name, bytes: fixed(0xd9, b), memory: 'none', close });
  forms.push(
    { name: 'fld st(i)', bytes: reg(0xd9, 0xc0), memory: 'none' },
    { name: 'fxch st(i)', bytes: reg(0xd9, 0xc8), memory: 'none' },
    { name: 'fnop', bytes: fixed(0xd9, 0xd0), memory: 'none' },
    { name: 'fstp1 st(i)', bytes: reg(0xd9, 0xd8), memory: 'none' },
    { name: 'fld m32fp', bytes: mem(0xd9, 0), memory: 'f32' },
    { name: 'fst m32fp', bytes: mem(0xd9, 2), memory: 'f32' },
    { name: 'fstp m32fp', bytes: mem(0xd9, 3), memory: 'f32' },
    { name: 'fldenv (32)', bytes: mem(0xd9, 4), memory: 'env32' },
    { name: 'fldenv (16)', bytes: mem(0xd9, 4, [0x66]), memory: 'env16' },
    { name: 'fldcw', bytes: mem(0xd9, 5), memory: 'cw' },
    { name: 'fnstenv (32)', bytes: mem(0xd9, 6), memory: 'none' },
    { name: 'fnstenv (16)', bytes: mem(0xd9, 6, [0x66]), memory: 'none' },
    { name: 'fnstcw', bytes: mem(0xd9, 7), memory: 'none' },
  );
  ['fcmovb', 'fcmove', 'fcmovbe', 'fcmovu'].forEach((name, d) => {
    forms.push({
      name: `${name} st,st(i)`,
      bytes: reg(0xda, 0xc0 + 8 * d),
      memory: 'none',
      flags: true,
    });
    forms.push({
      name: `${name.replace('fcmov', 'fcmovn')} st,st(i)`,
      bytes: reg(0xdb, 0xc0 + 8 * d),
      memory: 'none',
      flags: true,
    });
  });
  forms.push(
    { name: 'fucompp', bytes: fixed(0xda, 0xe9), memory: 'none' },
    { name: 'fnclex', bytes: fixed(0xdb, 0xe2), memory: 'none' },
    { name: 'fninit', bytes: fixed(0xdb, 0xe3), memory: 'none' },
    { name: 'fucomi st,st(i)', bytes: reg(0xdb, 0xe8), memory: 'none', flags: true },
    { name: 'fcomi st,st(i)', bytes: reg(0xdb, 0xf0), memory: 'none', flags: true },
    { name: 'fild m32int', bytes: mem(0xdb, 0), memory: 'i32' },
    { name: 'fist m32int', bytes: mem(0xdb, 2), memory: 'none' },
    { name: 'fistp m32int', bytes: mem(0xdb, 3), memory: 'none' },
    { name: 'fld m80fp', bytes: mem(0xdb, 5), memory: 'f80' },
    { name: 'fstp m80fp', bytes: mem(0xdb, 7), memory: 'none' },
    { name: 'ffree st(i)', bytes: reg(0xdd, 0xc0), memory: 'none' },
    { name: 'fxch4 st(i)', bytes: reg(0xdd, 0xc8), memory: 'none' },
    { name: 'fst st(i)', bytes: reg(0xdd, 0xd0), memory: 'none' },
    { name: 'fstp st(i)', bytes: reg(0xdd, 0xd8), memory: 'none' },
    { name: 'fucom st(i)', bytes: reg(0xdd, 0xe0), memory: 'none' },
    { name: 'fucomp st(i)', bytes: reg(0xdd, 0xe8), memory: 'none' },
    { name: 'fld m64fp', bytes: mem(0xdd, 0), memory: 'f64' },
    { name: 'fst m64fp', bytes: mem(0xdd, 2), memory: 'none' },
    { name: 'fstp m64fp', bytes: mem(0xdd, 3), memory: 'none' },
    { name: 'frstor (32)', bytes: mem(0xdd, 4), memory: 'save32' },
    { name: 'frstor (16)', bytes: mem(0xdd, 4, [0x66]), memory: 'save16' },
    { name: 'fnsave (32)', bytes: mem(0xdd, 6), memory: 'none' },
    { name: 'fnsave (16)', bytes: mem(0xdd, 6, [0x66]), memory: 'none' },
    { name: 'fnstsw m16', bytes: mem(0xdd, 7), memory: 'none' },
    { name: 'fcompp', bytes: fixed(0xde, 0xd9), memory: 'none' },
    { name: 'ffreep st(i)', bytes: reg(0xdf, 0xc0), memory: 'none' },
    { name: 'fxch7 st(i)', bytes: reg(0xdf, 0xc8), memory: 'none' },
    { name: 'fstp8 st(i)', bytes: reg(0xdf, 0xd0), memory: 'none' },
    { name: 'fstp9 st(i)', bytes: reg(0xdf, 0xd8), memory: 'none' },
    { name: 'fnstsw ax', bytes: fixed(0xdf, 0xe0), memory: 'none' },
    { name: 'fucomip st,st(i)', bytes: reg(0xdf, 0xe8), memory: 'none', flags: true },
    { name: 'fcomip st,st(i)', bytes: reg(0xdf, 0xf0), memory: 'none', flags: true },
    { name: 'fild m16int', bytes: mem(0xdf, 0), memory: 'i16' },
    { name: 'fist m16int', bytes: mem(0xdf, 2), memory: 'none' },
    { name: 'fistp m16int', bytes: mem(0xdf, 3), memory: 'none' },
    { name: 'fbld', bytes: mem(0xdf, 4), memory: 'bcd' },
    { name: 'fild m64int', bytes: mem(0xdf, 5), memory: 'i64' },
    { name: 'fbstp', bytes: mem(0xdf, 6), memory: 'none' },
    { name: 'fistp m64int', bytes: mem(0xdf, 7), memory: 'none' },
  );
  return forms;
}

export const FORMS: readonly Form[] = buildForms();

/** One case: the oracle's inputs. */
export interface X87Case {
  form: Form;
  pre: number[];
  insn: number[];
  /** The starting state: an FRSTOR image, 32-bit protected-mode layout. */
  state: Uint8Array;
  /** The memory operand's buffer. */
  memory: Uint8Array;
}

/** A random control word: mostly everything masked, sometimes reserved bits set. */
function randomControlWord(r: Random): number {
  const masks = r.chance(0.75) ? 0x3f : r.below(64);
  const pc = r.pick([0, 2, 3, 3, 3, 1]);
  let fcw = 0x40 | masks | (pc << 8) | (r.below(4) << 10) | (r.chance(0.2) ? 0x1000 : 0);
  if (r.chance(0.05)) fcw |= 0xe080;
  return fcw;
}

/** Writes an x80 into the image at `offset`. */
function putX80(view: DataView, offset: number, v: X80): void {
  view.setUint32(offset, v[2], true);
  view.setUint32(offset + 4, v[1], true);
  view.setUint16(offset + 8, v[0], true);
}

/** A random starting state as a 32-bit FRSTOR image. */
export function randomState(r: Random, fcw = randomControlWord(r)): Uint8Array {
  const image = new Uint8Array(108);
  const view = new DataView(image.buffer);
  const top = r.below(8);
  // Only flags that are masked may be set: the instruction under test waits, and a
  // pending unmasked exception would trap on the host.
  let fsw = (r.u32() & 0x4700) | (top << 11) | (r.u32() & fcw & 0x3f & (r.chance(0.3) ? 0x3f : 0));
  if (fsw & 1 && r.chance(0.5)) fsw |= 0x40;
  let ftw = 0;
  for (let i = 0; i < 8; i++) {
    const pEmpty = i === 7 ? 0.85 : i < 2 ? 0.05 : 0.12;
    const phys = (top + i) & 7;
    if (r.chance(pEmpty)) ftw |= 3 << (2 * phys);
  }
  view.setUint32(0, fcw, true);
  view.setUint32(4, fsw, true);
  view.setUint32(8, ftw, true);
  for (let i = 0; i < 8; i++) putX80(view, 28 + 10 * i, randomX80(r));
  return image;
}

/** Random bytes for a memory operand of `kind` (the rest of the 128 bytes random too). */
function randomMemory(r: Random, kind: MemoryKind): Uint8Array {
  const bytes = new Uint8Array(128);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < 128; i += 4) view.setUint32(i, r.u32(), true);
  switch (kind) {
    case 'f32':
      view.setUint32(0, randomFloat32(r), true);
      break;
    case 'f64': {
      const [lo, hi] = randomFloat64(r);
      view.setUint32(0, lo, true);
      view.setUint32(4, hi, true);
      break;
    }
    case 'f80':
      putX80(view, 0, randomX80(r));
      break;
    case 'i16':
      view.setInt16(0, randomInteger(r, 16), true);
      break;
    case 'i32':
      view.setInt32(0, randomInteger(r, 32), true);
      break;
    case 'i64':
      view.setInt32(0, randomInteger(r, 32), true);
      view.setInt32(4, r.chance(0.5) ? view.getInt32(0, true) >> 31 : randomInteger(r, 32), true);
      break;
    case 'bcd':
      randomBcd(r, bytes, 0);
      break;
    case 'cw':
      view.setUint16(0, randomControlWord(r), true);
      break;
    case 'env32':
    case 'save32':
      bytes.set(randomState(r).subarray(0, kind === 'env32' ? 28 : 108), 0);
      break;
    case 'env16':
    case 'save16': {
      // The same state in the 16-bit layout: the words at 0, 2 and 4, then registers.
      const state = randomState(r);
      const s = new DataView(state.buffer);
      view.setUint16(0, s.getUint16(0, true), true);
      view.setUint16(2, s.getUint16(4, true), true);
      view.setUint16(4, s.getUint16(8, true), true);
      if (kind === 'save16') bytes.set(state.subarray(28, 108), 14);
      break;
    }
    default:
  }
  return bytes;
}

/** `count` random cases of `form`. */
export function randomCases(r: Random, form: Form, count: number): X87Case[] {
  const cases: X87Case[] = [];
  for (let k = 0; k < count; k++) {
    const pre = form.flags ? [0x68, r.below(256) & 0xd5, r.below(256) & 0x08, 0, 0, 0x9d] : [];
    cases.push({
      form,
      pre,
      insn: form.bytes(r.below(8)),
      state: randomState(r),
      memory: randomMemory(r, form.memory),
    });
  }
  return cases;
}
