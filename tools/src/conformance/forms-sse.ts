/**
 * The SSE instruction forms (group `sse`): single-precision arithmetic, compares, logic,
 * moves, shuffles and conversions (packed and scalar, register and memory sources), the
 * approximations RCP and RSQRT, MXCSR loads and stores, FXSAVE/FXRSTOR, the streaming
 * stores, SFENCE and the prefetches, and SSE's additions to MMX (PAVGB, PSHUFW, PINSRW,
 * PMOVMSKB, MASKMOVQ...). Each test starts from a random state: MXCSR with random rounding,
 * FTZ, DAZ, sticky flags and sometimes unmasked exceptions (an unmasked one is #XM, SIGFPE),
 * registers with single-precision edge values. Fault variants: a misaligned 16-byte operand
 * (#GP) and operands across the data page's end (#PF; a store writes nothing).
 *
 * Nothing is undefined except RCPPS/RCPSS/RSQRTPS/RSQRTSS, whose results Intel and AMD
 * compute with different tables: compared within the SDM's relative error bound.
 */

import type { InstructionForm } from './forms.js';
import { dbLine, fpMemory, memoryModrmWithReg, pokeBytes } from './fp-encoding.js';
import { randomFpuState, randomMxcsr } from './fpu-state.js';
import {
  type SimdEntry,
  simd,
  simdDigit,
  simdFaultForm,
  simdFixed,
  simdForms,
} from './simd-forms.js';
import type { TestBuilder } from './test-builder.js';

/** Packed (no prefix) and scalar (F3) single-precision arithmetic. */
const ARITHMETIC: readonly [number, string][] = [
  [0x51, 'sqrt'],
  [0x58, 'add'],
  [0x59, 'mul'],
  [0x5c, 'sub'],
  [0x5d, 'min'],
  [0x5e, 'div'],
  [0x5f, 'max'],
];
const LOGIC: readonly [number, string][] = [
  [0x54, 'andps'],
  [0x55, 'andnps'],
  [0x56, 'orps'],
  [0x57, 'xorps'],
];
/** SSE's integer additions on MMX registers. */
const MMX_ADDITIONS: readonly [number, string][] = [
  [0xda, 'pminub'],
  [0xde, 'pmaxub'],
  [0xe0, 'pavgb'],
  [0xe3, 'pavgw'],
  [0xe4, 'pmulhuw'],
  [0xea, 'pminsw'],
  [0xee, 'pmaxsw'],
  [0xf6, 'psadbw'],
];

const f32 = { lanes: 'f32' } as const;
const movaps = simd('sse', 'movaps', 0, 0x28, 'xmm,xmm/m128', f32);
const movapsStore = simd('sse', 'movaps', 0, 0x29, 'xmm/m128,xmm', f32);
const movups = simd('sse', 'movups', 0, 0x10, 'xmm,xmm/m128', { ...f32, unaligned: true });
const movupsStore = simd('sse', 'movups', 0, 0x11, 'xmm/m128,xmm', { ...f32, unaligned: true });
const addps = simd('sse', 'addps', 0, 0x58, 'xmm,xmm/m128', f32);
const movntps = simd('sse', 'movntps', 0, 0x2b, 'm128,xmm', f32);

const ENTRIES: readonly SimdEntry[] = [
  ...ARITHMETIC.flatMap(([op, name]) => [
    simd('sse', `${name}ps`, 0, op, 'xmm,xmm/m128', f32),
    simd('sse', `${name}ss`, 0xf3, op, 'xmm,xmm/m32', f32),
  ]),
  simd('sse', 'rcpps', 0, 0x53, 'xmm,xmm/m128', { ...f32, approximate: { fn: 'rcp', lanes: 4 } }),
  simd('sse', 'rcpss', 0xf3, 0x53, 'xmm,xmm/m32', { ...f32, approximate: { fn: 'rcp', lanes: 1 } }),
  simd('sse', 'rsqrtps', 0, 0x52, 'xmm,xmm/m128', {
    ...f32,
    approximate: { fn: 'rsqrt', lanes: 4 },
  }),
  simd('sse', 'rsqrtss', 0xf3, 0x52, 'xmm,xmm/m32', {
    ...f32,
    approximate: { fn: 'rsqrt', lanes: 1 },
  }),
  ...LOGIC.map(([op, name]) => simd('sse', name, 0, op, 'xmm,xmm/m128', f32)),
  simd('sse', 'cmpps', 0, 0xc2, 'xmm,xmm/m128,imm8', { ...f32, imm: 'predicate' }),
  simd('sse', 'cmpss', 0xf3, 0xc2, 'xmm,xmm/m32,imm8', { ...f32, imm: 'predicate' }),
  simd('sse', 'comiss', 0, 0x2f, 'xmm,xmm/m32', f32),
  simd('sse', 'ucomiss', 0, 0x2e, 'xmm,xmm/m32', f32),
  movaps,
  movapsStore,
  movups,
  movupsStore,
  simd('sse', 'movss', 0xf3, 0x10, 'xmm,xmm/m32', f32),
  simd('sse', 'movss', 0xf3, 0x11, 'xmm/m32,xmm', f32),
  simd('sse', 'movlps', 0, 0x12, 'xmm,m64', f32),
  simd('sse', 'movhlps', 0, 0x12, 'xmm,xmmreg', f32),
  simd('sse', 'movlps', 0, 0x13, 'm64,xmm', f32),
  simd('sse', 'movhps', 0, 0x16, 'xmm,m64', f32),
  simd('sse', 'movlhps', 0, 0x16, 'xmm,xmmreg', f32),
  simd('sse', 'movhps', 0, 0x17, 'm64,xmm', f32),
  simd('sse', 'unpcklps', 0, 0x14, 'xmm,xmm/m128', f32),
  simd('sse', 'unpckhps', 0, 0x15, 'xmm,xmm/m128', f32),
  simd('sse', 'shufps', 0, 0xc6, 'xmm,xmm/m128,imm8', f32),
  simd('sse', 'movmskps', 0, 0x50, 'r32,xmmreg', f32),
  simd('sse', 'cvtpi2ps', 0, 0x2a, 'xmm,mm/m64', { ...f32, source: 'int' }),
  simd('sse', 'cvtps2pi', 0, 0x2d, 'mm,xmm/m64', f32),
  simd('sse', 'cvttps2pi', 0, 0x2c, 'mm,xmm/m64', f32),
  simd('sse', 'cvtsi2ss', 0xf3, 0x2a, 'xmm,r/m32', f32),
  simd('sse', 'cvtss2si', 0xf3, 0x2d, 'r32,xmm/m32', f32),
  simd('sse', 'cvttss2si', 0xf3, 0x2c, 'r32,xmm/m32', f32),
  movntps,
  ...MMX_ADDITIONS.map(([op, name]) => simd('sse', name, 0, op, 'mm,mm/m64')),
  simd('sse', 'pshufw', 0, 0x70, 'mm,mm/m64,imm8'),
  simd('sse', 'pinsrw', 0, 0xc4, 'mm,r32/m16,imm8'),
  simd('sse', 'pextrw', 0, 0xc5, 'r32,mmreg,imm8'),
  simd('sse', 'pmovmskb', 0, 0xd7, 'r32,mmreg'),
  simd('sse', 'maskmovq', 0, 0xf7, 'mm,mmreg', { edi: true }),
  simd('sse', 'movntq', 0, 0xe7, 'm64,mm'),
  simdDigit('sse', 'prefetchnta', 0, 0x18, 0, 'm8'),
  simdDigit('sse', 'prefetcht0', 0, 0x18, 1, 'm8'),
  simdDigit('sse', 'prefetcht1', 0, 0x18, 2, 'm8'),
  simdDigit('sse', 'prefetcht2', 0, 0x18, 3, 'm8'),
];

function form(name: string, generate: (b: TestBuilder) => string): InstructionForm {
  return { name, group: 'sse', generate };
}

/** LDMXCSR, STMXCSR, FXSAVE and FXRSTOR: memory-only forms with their own operands. */
function stateForms(): InstructionForm[] {
  return [
    form('ldmxcsr m32', (b) => {
      b.setFpu(randomFpuState(b.rng, { lanes: 'f32' }).bytes);
      // Now and then a reserved bit: #GP(0).
      const value = b.rng.chance(0.9) ? randomMxcsr(b.rng) : b.rng.u32();
      const bytes = new Uint8Array(4);
      new DataView(bytes.buffer).setUint32(0, value, true);
      const m = fpMemory(b, 4, { bytes, align: 4 });
      return dbLine([0x0f, 0xae, ...memoryModrmWithReg(m.address, 2)], `ldmxcsr ${m.address}`);
    }),
    form('stmxcsr m32', (b) => {
      b.setFpu(randomFpuState(b.rng, { lanes: 'f32' }).bytes);
      const m = fpMemory(b, 4, { align: b.rng.chance(0.8) ? 4 : 1 });
      return dbLine([0x0f, 0xae, ...memoryModrmWithReg(m.address, 3)], `stmxcsr ${m.address}`);
    }),
    form('fxsave m512byte', (b) => {
      b.setFpu(randomFpuState(b.rng).bytes);
      // The 512-byte area below the default window; 1 in 10 misaligned (#GP).
      const offset = 0x580 + (b.rng.chance(0.1) ? 8 : 0);
      b.setWindow({ offset: 0x580, length: 0x300 });
      const m = fpMemory(b, 512, { offset });
      // Not compared: FOP, FIP, FCS, FDP, FDS (pointers), MXCSR_MASK (the CPU model's),
      // and bytes 288-511 (reserved or left to software).
      b.undefineData(offset + 6, 18);
      b.undefineData(offset + 28, 4);
      b.undefineData(offset + 288, 224);
      return dbLine([0x0f, 0xae, ...memoryModrmWithReg(m.address, 0)], `fxsave ${m.address}`);
    }),
    form('fxrstor m512byte', (b) => {
      b.setFpu(randomFpuState(b.rng).bytes);
      // The image in the initial data at 0x780 (its last 32 bytes, XMM6-7, are the page's
      // fill); 1 in 20 with a reserved MXCSR bit (#GP).
      const image = randomFpuState(b.rng).bytes.slice();
      if (b.rng.chance(0.05)) image[26] = 1 + b.rng.below(255);
      const offset = 0x780 + (b.rng.chance(0.05) ? 4 : 0);
      pokeBytes(b, offset, image.subarray(0, 0x100 - (offset - 0x780)));
      const m = fpMemory(b, 512, { offset });
      return dbLine([0x0f, 0xae, ...memoryModrmWithReg(m.address, 1)], `fxrstor ${m.address}`);
    }),
  ];
}

export function sseForms(): InstructionForm[] {
  return [
    ...simdForms(ENTRIES),
    ...stateForms(),
    simdFixed('sse', 'sfence', [0x0f, 0xae, 0xf8]),
    simdFaultForm(movaps, 'misaligned'),
    simdFaultForm(addps, 'misaligned'),
    simdFaultForm(movntps, 'misaligned'),
    simdFaultForm(movups, 'page-end'),
    simdFaultForm(movupsStore, 'page-end'),
  ];
}
