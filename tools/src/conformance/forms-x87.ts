/**
 * The x87 instruction forms (group `x87`): every instruction of the D8-DF escapes with every
 * operand format (register ST(i), m16int, m32int, m64int, m32fp, m64fp, m80fp, m80bcd, the
 * 14/28-byte environment and 94/108-byte state images, m2byte control and status words),
 * the undocumented register aliases, and the 8087/287 no-ops, from random starting states
 * (fpu-state.ts). Each test ends with FWAIT, so an unmasked exception the instruction
 * leaves pending is delivered there as #MF (SIGFPE) and compared too.
 *
 * Undefined results (SDM vol. 2, "FPU Flags Affected"): C0, C2 and C3 after loads, stores,
 * arithmetic and most other instructions; all four after FFREE, FNOP, FLDCW, FNSTCW,
 * FNSTSW, FNCLEX, FNSTENV and the no-ops; C0 and C3 after FSIN, FCOS, FSINCOS and FPTAN.
 * FWAIT itself is documented as leaving C0-C3 undefined; no processor changes them, and the
 * appended FWAIT is not taken to undefine anything. The transcendentals (F2XM1, FYL2X,
 * FYL2XP1, FPATAN, FPTAN, FSIN, FCOS, FSINCOS) are not exactly rounded: their results may
 * differ by one ulp and in C1. The pointer fields of FNSTENV/FNSAVE images are not compared.
 */

import type { InstructionForm } from './forms.js';
import { acrossPageEnd, dbLine, fpMemory, memoryModrmWithReg, sizeKeyword } from './fp-encoding.js';
import { putX80, randomMemoryOperand, randomX80 } from './fp-values.js';
import { type FpuState, randomControlWord, randomFpuState, randomStatusWord } from './fpu-state.js';
import { C0, C1, C2, C3, DATA_PAGE_SIZE, type FpuUndefinedMask } from './state.js';
import type { TestBuilder } from './test-builder.js';

const U023 = C0 | C2 | C3;
const UALL = C0 | C1 | C2 | C3;
const FWAIT = dbLine([0x9b], 'fwait');

type MemoryFormat = 'm16int' | 'm32int' | 'm64int' | 'm32fp' | 'm64fp' | 'm80fp' | 'm80bcd';
const FORMAT_SIZE: Record<MemoryFormat, number> = {
  m16int: 2,
  m32int: 4,
  m64int: 8,
  m32fp: 4,
  m64fp: 8,
  m80fp: 10,
  m80bcd: 10,
};

interface Options {
  /** FSW bits left undefined. */
  readonly fsw: number;
  readonly transcendental?: boolean;
}

function form(name: string, generate: (b: TestBuilder) => string): InstructionForm {
  return { name, group: 'x87', generate };
}

/** Gives the test a random FPU state and its mask; returns the state to adjust. */
function start(b: TestBuilder, options: Options): FpuState {
  const state = randomFpuState(b.rng);
  const mask: FpuUndefinedMask = {
    ...(options.fsw ? { fsw: options.fsw } : {}),
    ...(options.transcendental ? { transcendental: true } : {}),
  };
  b.setFpu(state.bytes, options.fsw || options.transcendental ? mask : undefined);
  return state;
}

/** `name st(i)`-style forms: the ModRM byte is base + i. */
function registerForm(
  name: string,
  escapeByte: number,
  base: number,
  text: (i: number) => string,
  options: Options,
): InstructionForm {
  return form(name, (b) => {
    start(b, options);
    const i = b.rng.below(8);
    return `${dbLine([escapeByte, base + i], text(i))}\n${FWAIT}`;
  });
}

/** Forms without operands (or with implicit ones): fixed bytes. */
function fixedForm(name: string, bytes: number[], options: Options): InstructionForm {
  return form(name, (b) => {
    start(b, options);
    return `${dbLine(bytes, name)}\n${FWAIT}`;
  });
}

/** A memory form reading a value of `format` (loads, arithmetic, compares). */
function loadForm(
  name: string,
  escapeByte: number,
  digit: number,
  format: MemoryFormat,
  options: Options,
): InstructionForm {
  return form(name, (b) => {
    start(b, options);
    const size = FORMAT_SIZE[format];
    const m = fpMemory(b, size, {
      bytes: randomMemoryOperand(b.rng, format),
      align: b.rng.chance(0.8) ? size : 1,
    });
    const text = `${name.split(' ')[0]} ${sizeKeyword(size)} ${m.address}`;
    return `${dbLine([escapeByte, ...memoryModrmWithReg(m.address, digit)], text)}\n${FWAIT}`;
  });
}

/** A memory form writing `size` bytes (stores); the window's random bytes are there first. */
function storeForm(
  name: string,
  escapeByte: number,
  digit: number,
  size: number,
  options: Options,
): InstructionForm {
  return form(name, (b) => {
    start(b, options);
    const m = fpMemory(b, size, { align: b.rng.chance(0.8) ? Math.min(size, 8) : 1 });
    const text = `${name.split(' ')[0]} ${sizeKeyword(size)} ${m.address}`;
    return `${dbLine([escapeByte, ...memoryModrmWithReg(m.address, digit)], text)}\n${FWAIT}`;
  });
}

const ARITHMETIC = ['fadd', 'fmul', 'fcom', 'fcomp', 'fsub', 'fsubr', 'fdiv', 'fdivr'];
const isCompare = (op: string) => op.startsWith('fcom');
/** DC and DE register forms: the SDM's names (the /4-/7 pairs are swapped against D8). */
const DC_NAMES = ['fadd', 'fmul', 'fcom2', 'fcomp3', 'fsubr', 'fsub', 'fdivr', 'fdiv'];
const DE_NAMES = ['faddp', 'fmulp', 'fcomp5', '', 'fsubrp', 'fsubp', 'fdivrp', 'fdivp'];

function arithmeticForms(): InstructionForm[] {
  const forms: InstructionForm[] = [];
  ARITHMETIC.forEach((op, d) => {
    const fsw = isCompare(op) ? 0 : U023;
    const iop = `fi${op.slice(1)}`;
    forms.push(
      registerForm(`${op} st0,st(i)`, 0xd8, 0xc0 + 8 * d, (i) => `${op} st0, st(${i})`, { fsw }),
      loadForm(`${op} m32fp`, 0xd8, d, 'm32fp', { fsw }),
      loadForm(`${op} m64fp`, 0xdc, d, 'm64fp', { fsw }),
      loadForm(`${iop} m32int`, 0xda, d, 'm32int', { fsw }),
      loadForm(`${iop} m16int`, 0xde, d, 'm16int', { fsw }),
    );
  });
  DC_NAMES.forEach((op, d) => {
    const compare = isCompare(op);
    const text = (i: number) => (compare ? `${op} st(${i})` : `${op} st(${i}), st0`);
    const name = compare ? `${op} st(i)` : `${op} st(i),st0`;
    forms.push(registerForm(name, 0xdc, 0xc0 + 8 * d, text, { fsw: compare ? 0 : U023 }));
  });
  DE_NAMES.forEach((op, d) => {
    if (op === '') return; // DE D8-DF: only FCOMPP (DE D9)
    const compare = isCompare(op);
    const text = (i: number) => (compare ? `${op} st(${i})` : `${op} st(${i}), st0`);
    const name = compare ? `${op} st(i)` : `${op} st(i),st0`;
    forms.push(registerForm(name, 0xde, 0xc0 + 8 * d, text, { fsw: compare ? 0 : U023 }));
  });
  forms.push(fixedForm('fcompp', [0xde, 0xd9], { fsw: 0 }));
  return forms;
}

/** D9 E0-FF: sign, compare, classify, constants and the transcendental/other functions. */
const D9_GROUP: readonly [number, string, Options][] = [
  [0xe0, 'fchs', { fsw: U023 }],
  [0xe1, 'fabs', { fsw: U023 }],
  [0xe4, 'ftst', { fsw: 0 }],
  [0xe5, 'fxam', { fsw: 0 }],
  [0xe8, 'fld1', { fsw: U023 }],
  [0xe9, 'fldl2t', { fsw: U023 }],
  [0xea, 'fldl2e', { fsw: U023 }],
  [0xeb, 'fldpi', { fsw: U023 }],
  [0xec, 'fldlg2', { fsw: U023 }],
  [0xed, 'fldln2', { fsw: U023 }],
  [0xee, 'fldz', { fsw: U023 }],
  [0xf0, 'f2xm1', { fsw: U023, transcendental: true }],
  [0xf1, 'fyl2x', { fsw: U023, transcendental: true }],
  [0xf2, 'fptan', { fsw: C0 | C3, transcendental: true }],
  [0xf3, 'fpatan', { fsw: U023, transcendental: true }],
  [0xf4, 'fxtract', { fsw: U023 }],
  [0xf5, 'fprem1', { fsw: 0 }],
  [0xf6, 'fdecstp', { fsw: U023 }],
  [0xf7, 'fincstp', { fsw: U023 }],
  [0xf8, 'fprem', { fsw: 0 }],
  [0xf9, 'fyl2xp1', { fsw: U023, transcendental: true }],
  [0xfa, 'fsqrt', { fsw: U023 }],
  [0xfb, 'fsincos', { fsw: C0 | C3, transcendental: true }],
  [0xfc, 'frndint', { fsw: U023 }],
  [0xfd, 'fscale', { fsw: U023 }],
  [0xfe, 'fsin', { fsw: C0 | C3, transcendental: true }],
  [0xff, 'fcos', { fsw: C0 | C3, transcendental: true }],
];

function registerAndFixedForms(): InstructionForm[] {
  const st = (op: string, escapeByte: number, base: number, fsw: number) =>
    registerForm(`${op} st(i)`, escapeByte, base, (i) => `${op} st(${i})`, { fsw });
  const cc = (op: string, escapeByte: number, base: number) =>
    registerForm(`${op} st0,st(i)`, escapeByte, base, (i) => `${op} st0, st(${i})`, { fsw: U023 });
  const comi = (op: string, escapeByte: number, base: number) =>
    registerForm(`${op} st0,st(i)`, escapeByte, base, (i) => `${op} st0, st(${i})`, { fsw: 0 });
  return [
    st('fld', 0xd9, 0xc0, U023),
    st('fxch', 0xd9, 0xc8, U023),
    fixedForm('fnop', [0xd9, 0xd0], { fsw: UALL }),
    st('fstp1', 0xd9, 0xd8, U023), // undocumented alias of FSTP
    ...D9_GROUP.map(([modrm, name, options]) => fixedForm(name, [0xd9, modrm], options)),
    cc('fcmovb', 0xda, 0xc0),
    cc('fcmove', 0xda, 0xc8),
    cc('fcmovbe', 0xda, 0xd0),
    cc('fcmovu', 0xda, 0xd8),
    fixedForm('fucompp', [0xda, 0xe9], { fsw: 0 }),
    cc('fcmovnb', 0xdb, 0xc0),
    cc('fcmovne', 0xdb, 0xc8),
    cc('fcmovnbe', 0xdb, 0xd0),
    cc('fcmovnu', 0xdb, 0xd8),
    fixedForm('fneni', [0xdb, 0xe0], { fsw: UALL }), // 8087 only: a no-op since the 287
    fixedForm('fndisi', [0xdb, 0xe1], { fsw: UALL }),
    fixedForm('fnclex', [0xdb, 0xe2], { fsw: UALL }),
    fixedForm('fninit', [0xdb, 0xe3], { fsw: 0 }),
    fixedForm('fnsetpm', [0xdb, 0xe4], { fsw: UALL }), // 287 only: a no-op since the 387
    comi('fucomi', 0xdb, 0xe8),
    comi('fcomi', 0xdb, 0xf0),
    st('ffree', 0xdd, 0xc0, UALL),
    st('fxch4', 0xdd, 0xc8, U023), // alias of FXCH
    st('fst', 0xdd, 0xd0, U023),
    st('fstp', 0xdd, 0xd8, U023),
    st('fucom', 0xdd, 0xe0, 0),
    st('fucomp', 0xdd, 0xe8, 0),
    st('ffreep', 0xdf, 0xc0, UALL), // undocumented: FFREE and pop
    st('fxch7', 0xdf, 0xc8, U023), // alias of FXCH
    st('fstp8', 0xdf, 0xd0, U023), // alias of FSTP
    st('fstp9', 0xdf, 0xd8, U023), // alias of FSTP
    fixedForm('fnstsw ax', [0xdf, 0xe0], { fsw: UALL }),
    comi('fucomip', 0xdf, 0xe8),
    comi('fcomip', 0xdf, 0xf0),
    fixedForm('fwait', [0x9b], { fsw: UALL }),
  ];
}

function loadStoreForms(): InstructionForm[] {
  return [
    loadForm('fld m32fp', 0xd9, 0, 'm32fp', { fsw: U023 }),
    storeForm('fst m32fp', 0xd9, 2, 4, { fsw: U023 }),
    storeForm('fstp m32fp', 0xd9, 3, 4, { fsw: U023 }),
    loadForm('fild m32int', 0xdb, 0, 'm32int', { fsw: U023 }),
    storeForm('fist m32int', 0xdb, 2, 4, { fsw: U023 }),
    storeForm('fistp m32int', 0xdb, 3, 4, { fsw: U023 }),
    loadForm('fld m80fp', 0xdb, 5, 'm80fp', { fsw: U023 }),
    storeForm('fstp m80fp', 0xdb, 7, 10, { fsw: U023 }),
    loadForm('fld m64fp', 0xdd, 0, 'm64fp', { fsw: U023 }),
    storeForm('fst m64fp', 0xdd, 2, 8, { fsw: U023 }),
    storeForm('fstp m64fp', 0xdd, 3, 8, { fsw: U023 }),
    loadForm('fild m16int', 0xdf, 0, 'm16int', { fsw: U023 }),
    storeForm('fist m16int', 0xdf, 2, 2, { fsw: U023 }),
    storeForm('fistp m16int', 0xdf, 3, 2, { fsw: U023 }),
    loadForm('fbld m80bcd', 0xdf, 4, 'm80bcd', { fsw: U023 }),
    loadForm('fild m64int', 0xdf, 5, 'm64int', { fsw: U023 }),
    storeForm('fbstp m80bcd', 0xdf, 6, 10, { fsw: U023 }),
    storeForm('fistp m64int', 0xdf, 7, 8, { fsw: U023 }),
  ];
}

/**
 * Environment and state images: 28/108 bytes (32-bit operand size) or 14/94 (16-bit), and
 * where their pointer fields are (FIP, FCS and FOP, FDP, FDS), which are not compared.
 */
function imageLayout(bits: 16 | 32) {
  return bits === 32
    ? { env: 28, pointers: { offset: 12, length: 16 } }
    : { env: 14, pointers: { offset: 6, length: 8 } };
}

/**
 * A random environment (+ registers for FRSTOR) in the protected-mode layout: control word
 * (sometimes with reserved bits), a status word that may leave an exception pending, full
 * tags, random pointers; the 32-bit layout's reserved upper halves random too.
 */
function randomImage(b: TestBuilder, bits: 16 | 32, withRegisters: boolean): Uint8Array {
  const r = b.rng;
  const { env } = imageLayout(bits);
  const image = r.bytes(env + (withRegisters ? 80 : 0));
  const view = new DataView(image.buffer);
  const fcw = r.chance(0.9) ? randomControlWord(r) : r.u32() & 0xffff;
  const fsw = randomStatusWord(r, fcw);
  let tags = 0;
  for (let i = 0; i < 8; i++) tags |= (r.chance(0.2) ? 3 : r.below(3)) << (2 * i);
  const step = bits / 8;
  view.setUint16(0, fcw, true);
  view.setUint16(step, fsw, true);
  view.setUint16(2 * step, tags, true);
  if (withRegisters) for (let i = 0; i < 8; i++) putX80(view, env + 10 * i, randomX80(r));
  return image;
}

function imageForms(): InstructionForm[] {
  const forms: InstructionForm[] = [];
  for (const bits of [32, 16] as const) {
    const prefix = bits === 16 ? [0x66] : [];
    const suffix = ` (${bits}-bit)`;
    const { env, pointers } = imageLayout(bits);
    const o16 = bits === 16 ? 'o16 ' : '';
    forms.push(
      form(`fldenv m${env}byte${suffix}`, (b) => {
        start(b, { fsw: 0 });
        const m = fpMemory(b, env, { bytes: randomImage(b, bits, false), align: 4 });
        const bytes = [...prefix, 0xd9, ...memoryModrmWithReg(m.address, 4)];
        return `${dbLine(bytes, `${o16}fldenv ${m.address}`)}\n${FWAIT}`;
      }),
      form(`frstor m${env + 80}byte${suffix}`, (b) => {
        start(b, { fsw: 0 });
        const m = fpMemory(b, env + 80, {
          bytes: randomImage(b, bits, true),
          offset: 0x7a0 + 4 * b.rng.below(8),
        });
        const bytes = [...prefix, 0xdd, ...memoryModrmWithReg(m.address, 4)];
        return `${dbLine(bytes, `${o16}frstor ${m.address}`)}\n${FWAIT}`;
      }),
      form(`fnstenv m${env}byte${suffix}`, (b) => {
        start(b, { fsw: UALL });
        const m = fpMemory(b, env, { align: 4 });
        b.undefineData(m.offset + pointers.offset, pointers.length);
        const bytes = [...prefix, 0xd9, ...memoryModrmWithReg(m.address, 6)];
        return `${dbLine(bytes, `${o16}fnstenv ${m.address}`)}\n${FWAIT}`;
      }),
      form(`fnsave m${env + 80}byte${suffix}`, (b) => {
        start(b, { fsw: 0 });
        const m = fpMemory(b, env + 80, { offset: 0x7a0 + 4 * b.rng.below(8) });
        b.undefineData(m.offset + pointers.offset, pointers.length);
        const bytes = [...prefix, 0xdd, ...memoryModrmWithReg(m.address, 6)];
        return `${dbLine(bytes, `${o16}fnsave ${m.address}`)}\n${FWAIT}`;
      }),
    );
  }
  forms.push(
    form('fldcw m2byte', (b) => {
      start(b, { fsw: UALL });
      const r = b.rng;
      const fcw = r.chance(0.8) ? randomControlWord(r) : r.u32() & 0xffff;
      const m = fpMemory(b, 2, { bytes: new Uint8Array([fcw & 0xff, fcw >>> 8]), align: 2 });
      return `${dbLine([0xd9, ...memoryModrmWithReg(m.address, 5)], `fldcw ${m.address}`)}\n${FWAIT}`;
    }),
    storeForm('fnstcw m2byte', 0xd9, 7, 2, { fsw: UALL }),
    storeForm('fnstsw m2byte', 0xdd, 7, 2, { fsw: UALL }),
  );
  return forms;
}

/**
 * Memory operands that cross the data page's end (#PF on the next page): a load leaves the
 * FPU unchanged; a store must write nothing (the hardware checks both pages first).
 */
function pageEdgeForms(): InstructionForm[] {
  const edge = (name: string, escapeByte: number, digit: number, size: number, fsw: number) =>
    form(`${name} across the page end`, (b) => {
      start(b, { fsw });
      b.setWindow({ offset: DATA_PAGE_SIZE - 0x40, length: 0x40 });
      const m = fpMemory(b, size, { offset: acrossPageEnd(b, size) });
      const text = `${name.split(' ')[0]} ${sizeKeyword(size)} ${m.address}`.replace('  ', ' ');
      return `${dbLine([escapeByte, ...memoryModrmWithReg(m.address, digit)], text)}\n${FWAIT}`;
    });
  return [
    edge('fld m64fp', 0xdd, 0, 8, U023),
    edge('fst m64fp', 0xdd, 2, 8, U023),
    edge('fstp m80fp', 0xdb, 7, 10, U023),
    edge('fistp m64int', 0xdf, 7, 8, U023),
    edge('fnstenv m28byte', 0xd9, 6, 28, UALL),
  ];
}

export function x87Forms(): InstructionForm[] {
  return [
    ...arithmeticForms(),
    ...registerAndFixedForms(),
    ...loadStoreForms(),
    ...imageForms(),
    ...pageEdgeForms(),
  ];
}
