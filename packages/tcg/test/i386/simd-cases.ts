/**
 * Random cases for the SIMD differential test: register contents biased to the values
 * where arithmetic goes wrong (zeros, denormals, infinities, quiet and signalling NaNs,
 * integer limits, rounding ties, saturation edges), random MXCSR modes, and immediates
 * that matter for each instruction.
 */

import { type SimdEncoding, simdInsn } from './simd-asm.js';
import type { SimdCase } from './simd-oracle.js';

/** A small seeded generator (mulberry32), so a failing seed can be replayed. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  u32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  below(n: number): number {
    return this.u32() % n;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)];
  }
  chance(p: number): boolean {
    return this.u32() / 4294967296 < p;
  }
}

const F32_EDGES = [
  0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x3fc00000, 0x40200000, 0x3f000000, 0x3effffff,
  0x00800000, 0x80800000, 0x7f7fffff, 0xff7fffff, 0x00000001, 0x007fffff, 0x807fffff, 0x00400000,
  0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 0x7fa00000, 0x7f800001, 0xffbfffff, 0x7fc12345,
  0x4f000000, 0xcf000000, 0x4effffff, 0xceffffff, 0x4f7fffff, 0x3f7fffff, 0x00ffffff, 0x7e800000,
  0x0c000000, 0x73000000, 0x4b000000, 0x4b7fffff, 0x40490fdb, 0x5f000000, 0xdf000000, 0x7e7fe800,
  0x7e7ffe01, 0x7e800000, 0xfe7fffff, 0x00800001, 0x00ffffff,
];

const F64_EDGES: [number, number][] = [
  [0, 0],
  [0x80000000, 0],
  [0x3ff00000, 0],
  [0xbff00000, 0],
  [0x3ff80000, 0],
  [0x40040000, 0],
  [0x3fe00000, 0],
  [0x3fdfffff, 0xffffffff],
  [0x00100000, 0],
  [0x80100000, 0],
  [0x7fefffff, 0xffffffff],
  [0xffefffff, 0xffffffff],
  [0, 1],
  [0x000fffff, 0xffffffff],
  [0x800fffff, 0xffffffff],
  [0x7ff00000, 0],
  [0xfff00000, 0],
  [0x7ff80000, 0],
  [0xfff80000, 0],
  [0x7ff40000, 0],
  [0x7ff00000, 1],
  [0x7ff81234, 0x56789abc],
  [0x41e00000, 0],
  [0xc1e00000, 0],
  [0x41dfffff, 0xffc00000],
  [0xc1e00000, 0x00100000],
  [0x41efffff, 0xffe00000],
  [0x3ff00000, 1],
  [0x36a00000, 0],
  [0x47efffff, 0xe0000000],
  [0x38100000, 0],
  [0x400921fb, 0x54442d18],
  [0x43300000, 0],
];

function randomF32(rng: Rng): number {
  if (rng.chance(0.45)) return rng.pick(F32_EDGES);
  const sign = rng.below(2) << 31;
  // Exponents spread over the range, with extra weight near 1.0 and near the ends.
  const exp = rng.chance(0.5) ? 100 + rng.below(56) : rng.below(256);
  const mant = rng.chance(0.2) ? rng.u32() & 0x7fc000 : rng.u32() & 0x7fffff;
  return (sign | (exp << 23) | mant) >>> 0;
}

function randomF64(rng: Rng): [number, number] {
  if (rng.chance(0.45)) return rng.pick(F64_EDGES);
  const sign = rng.below(2) << 31;
  const exp = rng.chance(0.5) ? 990 + rng.below(70) : rng.below(2048);
  const hiMant = rng.u32() & 0xfffff;
  const lo = rng.chance(0.2) ? 0 : rng.u32();
  return [(sign | (exp << 20) | hiMant) >>> 0, lo];
}

const INT_EDGES = [
  0, 1, 0xffffffff, 0x7fffffff, 0x80000000, 0x7f7f7f7f, 0x80808080, 0xff00ff00, 0x7fff8000,
  0x00ff7f80, 0x8000ffff, 0x01020304, 0xfffefdfc,
];

function randomWord(rng: Rng): number {
  if (rng.chance(0.3)) return rng.pick(INT_EDGES);
  if (rng.chance(0.3)) {
    // Bytes from the saturation edges.
    let w = 0;
    for (let k = 0; k < 4; k++)
      w |= rng.pick([0, 1, 0x7e, 0x7f, 0x80, 0x81, 0xfe, 0xff, rng.below(256)]) << (8 * k);
    return w >>> 0;
  }
  return rng.u32();
}

/** 8 random bytes (one quadword), written at `offset`. */
function fillQword(rng: Rng, out: Uint8Array, offset: number): void {
  const view = new DataView(out.buffer, out.byteOffset);
  const kind = rng.below(10);
  let lo: number;
  let hi: number;
  if (kind < 3) {
    lo = randomF32(rng);
    hi = randomF32(rng);
  } else if (kind < 6) {
    [hi, lo] = randomF64(rng);
  } else if (kind < 7) {
    // A small count for the shifts by register.
    lo = rng.below(72);
    hi = rng.chance(0.9) ? 0 : rng.u32();
  } else {
    lo = randomWord(rng);
    hi = randomWord(rng);
  }
  view.setUint32(offset, lo, true);
  view.setUint32(offset + 4, hi, true);
}

function randomBytes(rng: Rng, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let o = 0; o < n; o += 8) fillQword(rng, out, o);
  return out;
}

function randomMxcsr(rng: Rng): number {
  const rounding = rng.chance(0.5) ? 0 : rng.below(4);
  let m = 0x1f80 | (rounding << 13);
  // Now and then some exceptions unmasked: those cases end in #XM.
  if (rng.chance(0.15)) m &= ~(rng.below(64) << 7);
  if (rng.chance(0.25)) m |= 0x8000; // FZ
  if (rng.chance(0.25)) m |= 0x40; // DAZ
  // Flags already set: PE set (with round-to-nearest) lets the fast path run.
  if (rng.chance(0.5)) m |= 0x20;
  if (rng.chance(0.2)) m |= rng.below(64);
  return m;
}

function randomImm(rng: Rng, name: string): number {
  if (/^ps(rl|ra|ll)[wdq]$/.test(name) || name === 'psrldq' || name === 'pslldq')
    return rng.chance(0.8) ? rng.below(18) : rng.chance(0.5) ? rng.below(70) : rng.below(256);
  if (name.startsWith('cmp')) return rng.chance(0.85) ? rng.below(8) : rng.below(256);
  return rng.below(256);
}

/**
 * Register operands of the oracle: reg field 0 (xmm0/mm0/eax), rm field 1 (xmm1/mm1/ecx),
 * or, with `same`, register 0 in the rm field too (destination and source the same).
 */
function operandText(letter: string, memory: boolean, imm: number, same = false): string {
  if (same && 'NUQW'.includes(letter) && !memory)
    return letter === 'N' || letter === 'Q' ? 'mm0' : 'xmm0';
  switch (letter) {
    case 'P':
      return 'mm0';
    case 'V':
      return 'xmm0';
    case 'G':
      return 'eax';
    case 'N':
      return 'mm1';
    case 'U':
      return 'xmm1';
    case 'R':
      return 'ecx';
    case 'Q':
      return memory ? '[esi]' : 'mm1';
    case 'W':
      return memory ? '[esi]' : 'xmm1';
    case 'E':
      return memory ? '[esi]' : 'ecx';
    case 'M':
      return '[esi]';
    case 'I':
      return String(imm);
    default:
      throw new Error(`no operand for ${letter}`);
  }
}

/** Forms the differential test leaves to the directed tests (state, fences, DS:EDI). */
export const NOT_DIFFERENTIAL = new Set([
  'fxsave',
  'fxrstor',
  'ldmxcsr',
  'stmxcsr',
  'clflush',
  'lfence',
  'mfence',
  'sfence',
  'emms',
  'maskmovq',
  'maskmovdqu',
]);

/** Whether an encoding has a register form and a memory form. */
export function formKinds(e: SimdEncoding): { reg: boolean; mem: boolean } {
  const hasRm = e.form.operands.some((o) => 'QWENURM'.includes(o.letter));
  if (!hasRm) return { reg: true, mem: false };
  return { reg: e.rmKind !== 'mem', mem: e.rmKind !== 'reg' };
}

/** `count` random cases of one encoding, with its rm operand in a register or in memory. */
export function randomCases(rng: Rng, e: SimdEncoding, memory: boolean, count: number): SimdCase[] {
  const cases: SimdCase[] = [];
  for (let i = 0; i < count; i++) {
    const imm = randomImm(rng, e.name);
    const letters = e.form.operands.map((o) => o.letter);
    const same = rng.chance(0.2);
    const text = `${e.name} ${letters.map((l) => operandText(l, memory, imm, same)).join(', ')}`;
    const has = (set: string) => letters.some((l) => set.includes(l));
    cases.push({
      code: simdInsn(text),
      mxcsr: randomMxcsr(rng),
      xmm0: randomBytes(rng, 16),
      xmm1: randomBytes(rng, 16),
      mm0: randomBytes(rng, 8),
      mm1: randomBytes(rng, 8),
      eax: rng.chance(0.5) ? randomWord(rng) : randomF32(rng),
      ecx: rng.chance(0.5) ? randomWord(rng) : randomF32(rng),
      mem: randomBytes(rng, 16),
      uses: {
        xmm: has('VWU'),
        mmx: has('PQN'),
        gpr: has('GER'),
        eflags: e.name.includes('comis'),
      },
    });
  }
  return cases;
}
