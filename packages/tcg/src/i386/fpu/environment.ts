/**
 * The x87 environment: FNINIT, FNCLEX, FLDCW, and the FSTENV/FLDENV/FSAVE/FRSTOR images in
 * their four layouts (16- or 32-bit operand size, real/virtual-8086 or protected mode).
 *
 * The translator moves the image between guest memory and `X87Context.image` with the
 * ordinary loads and stores (so segment checks and page faults are those of any access);
 * these helpers build the image before the stores and apply it after the loads, so that a
 * fault in the middle changes nothing.
 *
 * Layouts (offsets in bytes; "lo16 | FFFF" means the upper half of the dword reads as 1s,
 * which is what the host writes):
 *
 *   32-bit protected: 0 FCW, 4 FSW, 8 FTW, 12 FIP, 16 FCS | FOP << 16, 20 FDP, 24 FDS
 *   32-bit real:      0 FCW, 4 FSW, 8 FTW, 12 FIP[15:0], 16 FIP[31:16] << 12 | FOP,
 *                     20 FDP[15:0], 24 FDP[31:16] << 12
 *   16-bit protected: 0 FCW, 2 FSW, 4 FTW, 6 FIP, 8 FCS, 10 FDP, 12 FDS
 *   16-bit real:      0 FCW, 2 FSW, 4 FTW, 6 FIP[15:0], 8 FIP[19:16] << 12 | FOP,
 *                     10 FDP[15:0], 12 FDP[19:16] << 12
 *
 * FSAVE/FRSTOR add ST(0)..ST(7), ten bytes each, after the 14 or 28 bytes. In real and
 * virtual-8086 mode FIP and FDP hold linear addresses (the translator records them so).
 */
import { defineHelper } from '../../core/ir/helper.js';
import { FPU } from '../cpu/state-layout.js';
import type { X86Cpu } from '../cpu/x86-cpu.js';
import { x87Context } from './x87-context.js';
import { clearExceptions, updateErrorSummary } from './x87-exceptions.js';
import {
  FCW_DEFAULT,
  FCW_MASKS,
  FSW_B,
  FSW_ES,
  FSW_TOP_SHIFT,
  statusWord,
  tagWord,
} from './x87-state.js';

/** Layout bits of the environment helpers. */
export const EnvLayout = {
  /** 32-bit operand size (28-byte environment); else 16-bit (14 bytes). */
  OPERAND32: 1,
  /** Protected mode; else real or virtual-8086 mode. */
  PROTECTED: 2,
  /** FSAVE/FRSTOR: the eight registers follow the environment. */
  REGISTERS: 4,
} as const;

/** Size of the environment part of an image. */
export function environmentSize(layout: number): number {
  return layout & EnvLayout.OPERAND32 ? 28 : 14;
}

/** Total size of an image. */
export function imageSize(layout: number): number {
  return environmentSize(layout) + (layout & EnvLayout.REGISTERS ? 80 : 0);
}

/** The control word as the FPU keeps it: reserved bits 7, 13-15 read as 0 and bit 6 as 1. */
function controlWordFrom(value: number): number {
  return (value & 0x1f3f) | 0x40;
}

/** FNINIT: FCW 037F, FSW 0 (TOP 0), all registers empty, pointers and opcode 0. */
export function x87Init(cpu: X86Cpu): void {
  const fpu = cpu.fpu;
  const hadError = (fpu[FPU.FSW] & FSW_ES) !== 0;
  fpu[FPU.FCW] = FCW_DEFAULT;
  fpu[FPU.FSW] = 0;
  fpu[FPU.FTOP] = 0;
  fpu[FPU.FTAGS_EMPTY] = 0xff;
  fpu[FPU.FIP] = 0;
  fpu[FPU.FCS] = 0;
  fpu[FPU.FDP] = 0;
  fpu[FPU.FDS] = 0;
  fpu[FPU.FOP] = 0;
  if (hadError) cpu.ferr?.(false);
}

/** FNCLEX. */
export function x87ClearExceptions(cpu: X86Cpu): void {
  clearExceptions(cpu);
}

/** FLDCW: a flag set earlier and unmasked now makes an exception pending. */
export function x87LoadControlWord(cpu: X86Cpu, value: number): void {
  cpu.fpu[FPU.FCW] = controlWordFrom(value);
  updateErrorSummary(cpu);
}

// ---- building an image (FNSTENV, FNSAVE) ----------------------------------------------------

/** Fills the image with the environment (and the registers) in `layout`. */
export function x87SaveImage(cpu: X86Cpu, layout: number): void {
  const fpu = cpu.fpu;
  const fpregs = cpu.fpregs;
  const view = x87Context(cpu).imageView;
  const fcw = fpu[FPU.FCW] & 0xffff;
  const fsw = statusWord(fpu);
  const ftw = tagWord(fpu, fpregs);
  const fip = fpu[FPU.FIP] >>> 0;
  const fdp = fpu[FPU.FDP] >>> 0;
  const fop = fpu[FPU.FOP] & 0x7ff;
  const protectedMode = (layout & EnvLayout.PROTECTED) !== 0;
  if (layout & EnvLayout.OPERAND32) {
    const high = 0xffff0000;
    view.setUint32(0, (high | fcw) >>> 0, true);
    view.setUint32(4, (high | fsw) >>> 0, true);
    view.setUint32(8, (high | ftw) >>> 0, true);
    if (protectedMode) {
      view.setUint32(12, fip, true);
      view.setUint32(16, ((fpu[FPU.FCS] & 0xffff) | (fop << 16)) >>> 0, true);
      view.setUint32(20, fdp, true);
      view.setUint32(24, (high | (fpu[FPU.FDS] & 0xffff)) >>> 0, true);
    } else {
      view.setUint32(12, (high | (fip & 0xffff)) >>> 0, true);
      view.setUint32(16, (((fip >>> 16) << 12) | fop) >>> 0, true);
      view.setUint32(20, (high | (fdp & 0xffff)) >>> 0, true);
      view.setUint32(24, ((fdp >>> 16) << 12) >>> 0, true);
    }
  } else {
    view.setUint16(0, fcw, true);
    view.setUint16(2, fsw, true);
    view.setUint16(4, ftw, true);
    view.setUint16(6, fip & 0xffff, true);
    view.setUint16(10, fdp & 0xffff, true);
    if (protectedMode) {
      view.setUint16(8, fpu[FPU.FCS] & 0xffff, true);
      view.setUint16(12, fpu[FPU.FDS] & 0xffff, true);
    } else {
      view.setUint16(8, (((fip >>> 16) & 0xf) << 12) | fop, true);
      view.setUint16(12, ((fdp >>> 16) & 0xf) << 12, true);
    }
  }
  if (layout & EnvLayout.REGISTERS) {
    let offset = environmentSize(layout);
    const top = fpu[FPU.FTOP];
    for (let i = 0; i < 8; i++) {
      const w = ((top + i) & 7) << 2;
      view.setInt32(offset, fpregs[w], true);
      view.setInt32(offset + 4, fpregs[w + 1], true);
      view.setUint16(offset + 8, fpregs[w + 2] & 0xffff, true);
      offset += 10;
    }
  }
}

/** The little-endian word of `size` bytes (2 or 4) at `offset` of the image. */
export function x87ImageRead(cpu: X86Cpu, offset: number, size: number): number {
  const view = x87Context(cpu).imageView;
  return size === 4 ? view.getInt32(offset, true) : view.getUint16(offset, true);
}

/** FNSTENV done writing: every exception is masked now (so nothing is pending any more). */
export function x87AfterStoreEnvironment(cpu: X86Cpu): void {
  cpu.fpu[FPU.FCW] |= FCW_MASKS;
  updateErrorSummary(cpu);
}

// ---- applying an image (FLDENV, FRSTOR) -----------------------------------------------------

/** Puts a word read from guest memory into the image. */
export function x87ImageWrite(cpu: X86Cpu, offset: number, size: number, value: number): void {
  const view = x87Context(cpu).imageView;
  if (size === 4) view.setInt32(offset, value, true);
  else view.setUint16(offset, value & 0xffff, true);
}

/** Loads the environment (and the registers) from the image in `layout`. */
export function x87LoadImage(cpu: X86Cpu, layout: number): void {
  const fpu = cpu.fpu;
  const fpregs = cpu.fpregs;
  const view = x87Context(cpu).imageView;
  const protectedMode = (layout & EnvLayout.PROTECTED) !== 0;
  let fcw: number;
  let fsw: number;
  let ftw: number;
  if (layout & EnvLayout.OPERAND32) {
    fcw = view.getUint16(0, true);
    fsw = view.getUint16(4, true);
    ftw = view.getUint16(8, true);
    const w12 = view.getUint32(12, true);
    const w16 = view.getUint32(16, true);
    const w20 = view.getUint32(20, true);
    const w24 = view.getUint32(24, true);
    if (protectedMode) {
      fpu[FPU.FIP] = w12;
      fpu[FPU.FCS] = w16 & 0xffff;
      fpu[FPU.FOP] = (w16 >>> 16) & 0x7ff;
      fpu[FPU.FDP] = w20;
      fpu[FPU.FDS] = w24 & 0xffff;
    } else {
      fpu[FPU.FIP] = (w12 & 0xffff) | (((w16 >>> 12) & 0xffff) << 16);
      fpu[FPU.FOP] = w16 & 0x7ff;
      fpu[FPU.FDP] = (w20 & 0xffff) | (((w24 >>> 12) & 0xffff) << 16);
    }
  } else {
    fcw = view.getUint16(0, true);
    fsw = view.getUint16(2, true);
    ftw = view.getUint16(4, true);
    const w8 = view.getUint16(8, true);
    const w12 = view.getUint16(12, true);
    if (protectedMode) {
      fpu[FPU.FIP] = view.getUint16(6, true);
      fpu[FPU.FCS] = w8;
      fpu[FPU.FDP] = view.getUint16(10, true);
      fpu[FPU.FDS] = w12;
    } else {
      fpu[FPU.FIP] = view.getUint16(6, true) | ((w8 >>> 12) << 16);
      fpu[FPU.FOP] = w8 & 0x7ff;
      fpu[FPU.FDP] = view.getUint16(10, true) | ((w12 >>> 12) << 16);
    }
  }
  fpu[FPU.FCW] = controlWordFrom(fcw);
  fpu[FPU.FTOP] = (fsw >> FSW_TOP_SHIFT) & 7;
  // ES and B are recomputed from the flags and masks just loaded (host-checked).
  fpu[FPU.FSW] = (fsw & ~(7 << FSW_TOP_SHIFT)) | (fpu[FPU.FSW] & (FSW_ES | FSW_B));
  // Only "empty" counts in the loaded tag word; the other tags follow from the contents.
  let empty = 0;
  for (let phys = 0; phys < 8; phys++) if (((ftw >> (2 * phys)) & 3) === 3) empty |= 1 << phys;
  fpu[FPU.FTAGS_EMPTY] = empty;
  if (layout & EnvLayout.REGISTERS) {
    let offset = environmentSize(layout);
    const top = fpu[FPU.FTOP];
    for (let i = 0; i < 8; i++) {
      const w = ((top + i) & 7) << 2;
      fpregs[w] = view.getInt32(offset, true);
      fpregs[w + 1] = view.getInt32(offset + 4, true);
      fpregs[w + 2] = view.getUint16(offset + 8, true);
      offset += 10;
    }
  }
  updateErrorSummary(cpu);
}

/** FNSAVE done writing: the FPU is reinitialised. */
export function x87AfterSave(cpu: X86Cpu): void {
  x87Init(cpu);
}

// ---- IR helpers -----------------------------------------------------------------------------

const common = { reads: 'none', writes: 'none', canRaise: false } as const;

export const helperX87Init = defineHelper({ name: 'x87_fninit', nArgs: 0, ...common, fn: x87Init });

export const helperX87ClearExceptions = defineHelper({
  name: 'x87_fnclex',
  nArgs: 0,
  ...common,
  fn: x87ClearExceptions,
});

export const helperX87LoadControlWord = defineHelper({
  name: 'x87_fldcw',
  nArgs: 1,
  ...common,
  fn: x87LoadControlWord,
});

export const helperX87SaveImage = defineHelper({
  name: 'x87_image_save',
  nArgs: 1,
  ...common,
  fn: x87SaveImage,
});

export const helperX87ImageRead = defineHelper({
  name: 'x87_image_read',
  nArgs: 2,
  hasReturn: true,
  ...common,
  fn: x87ImageRead,
});

export const helperX87AfterStoreEnvironment = defineHelper({
  name: 'x87_fnstenv_done',
  nArgs: 0,
  ...common,
  fn: x87AfterStoreEnvironment,
});

export const helperX87AfterSave = defineHelper({
  name: 'x87_fnsave_done',
  nArgs: 0,
  ...common,
  fn: x87AfterSave,
});

export const helperX87ImageWrite = defineHelper({
  name: 'x87_image_write',
  nArgs: 3,
  ...common,
  fn: x87ImageWrite,
});

export const helperX87LoadImage = defineHelper({
  name: 'x87_image_load',
  nArgs: 1,
  ...common,
  fn: x87LoadImage,
});
