/**
 * The x87 register stack in the committed state layout (cpu/state-layout.ts FPU and
 * FPREGS): physical registers R0-R7, TOP, the "empty" bit per physical register, and the
 * status/control word bits. Everything here works on the CPU's Int32Arrays directly.
 *
 * ST(i) is R((TOP + i) & 7). A register is four words: significand bits 0-31, bits 32-63,
 * sign/exponent (16 bits), and an unused word. The MMX registers alias the significands,
 * so the SIMD translator and this file agree on exactly that layout.
 */
import type { Floatx80 } from '@tsemu/softfloat';
import { FPU } from '../cpu/state-layout.js';

// ---- status word (FSW) -------------------------------------------------------------------

/** Exception flags IE DE ZE OE UE PE (bits 0-5; the same bits mask them in the FCW). */
export const FSW_IE = 0x0001;
export const FSW_DE = 0x0002;
export const FSW_ZE = 0x0004;
export const FSW_OE = 0x0008;
export const FSW_UE = 0x0010;
export const FSW_PE = 0x0020;
export const FSW_EXCEPTIONS = 0x003f;
/** Stack fault: the IE that came with it was a stack overflow (C1 = 1) or underflow (C1 = 0). */
export const FSW_SF = 0x0040;
/** Error summary: some exception flag is set and unmasked (an exception is pending). */
export const FSW_ES = 0x0080;
/** Condition codes. */
export const FSW_C0 = 0x0100;
export const FSW_C1 = 0x0200;
export const FSW_C2 = 0x0400;
export const FSW_C3 = 0x4000;
export const FSW_CC = FSW_C0 | FSW_C1 | FSW_C2 | FSW_C3;
/** Busy: a copy of ES on the 387 and later. */
export const FSW_B = 0x8000;
/** TOP's position in the architectural status word (it lives in FPU.FTOP here). */
export const FSW_TOP_SHIFT = 11;

// ---- control word (FCW) ------------------------------------------------------------------

/** The six exception masks (1 = masked). */
export const FCW_MASKS = 0x003f;
/** FNINIT and reset value: everything masked, 64-bit precision, round to nearest. */
export const FCW_DEFAULT = 0x037f;
/** Rounding control field (bits 10-11). */
export const FCW_RC_SHIFT = 10;

// ---- register values ---------------------------------------------------------------------

/** The real indefinite (a negative QNaN with a zero payload): the masked response to IE. */
export const INDEFINITE_SIGN_EXP = 0xffff;
export const INDEFINITE_HIGH = 0xc0000000;

/** The physical register that is ST(i). */
export function stPhysical(fpu: Int32Array, i: number): number {
  return (fpu[FPU.FTOP] + i) & 7;
}

/** True when physical register `phys` is tagged empty. */
export function isEmpty(fpu: Int32Array, phys: number): boolean {
  return ((fpu[FPU.FTAGS_EMPTY] >> phys) & 1) !== 0;
}

/** Copies physical register `phys` into `out`. */
export function readRegister(fpregs: Int32Array, phys: number, out: Floatx80): Floatx80 {
  const w = phys << 2;
  out.low = fpregs[w] >>> 0;
  out.high = fpregs[w + 1] >>> 0;
  out.signExp = fpregs[w + 2] & 0xffff;
  return out;
}

/** Writes `v` into physical register `phys` and tags it valid. */
export function writeRegister(
  fpu: Int32Array,
  fpregs: Int32Array,
  phys: number,
  v: Floatx80,
): void {
  const w = phys << 2;
  fpregs[w] = v.low;
  fpregs[w + 1] = v.high;
  fpregs[w + 2] = v.signExp & 0xffff;
  fpu[FPU.FTAGS_EMPTY] &= ~(1 << phys);
}

/** Writes the real indefinite into physical register `phys` and tags it valid. */
export function writeIndefinite(fpu: Int32Array, fpregs: Int32Array, phys: number): void {
  const w = phys << 2;
  fpregs[w] = 0;
  fpregs[w + 1] = INDEFINITE_HIGH | 0;
  fpregs[w + 2] = INDEFINITE_SIGN_EXP;
  fpu[FPU.FTAGS_EMPTY] &= ~(1 << phys);
}

/** Copies physical register `from` to `to` (tagging `to` valid). */
export function copyRegister(fpu: Int32Array, fpregs: Int32Array, from: number, to: number): void {
  const f = from << 2;
  const t = to << 2;
  fpregs[t] = fpregs[f];
  fpregs[t + 1] = fpregs[f + 1];
  fpregs[t + 2] = fpregs[f + 2];
  fpu[FPU.FTAGS_EMPTY] &= ~(1 << to);
}

/** TOP - 1: the register a push writes becomes ST(0). Returns its physical number. */
export function pushTop(fpu: Int32Array): number {
  const top = (fpu[FPU.FTOP] - 1) & 7;
  fpu[FPU.FTOP] = top;
  return top;
}

/** Tags ST(0) empty and moves TOP up. */
export function popTop(fpu: Int32Array): void {
  const top = fpu[FPU.FTOP] & 7;
  fpu[FPU.FTAGS_EMPTY] |= 1 << top;
  fpu[FPU.FTOP] = (top + 1) & 7;
}

/**
 * The two-bit tag of a physical register as FSTENV/FSAVE report it: 11 empty, 01 zero,
 * 10 special (NaN, infinity, denormal, unnormal and the other unsupported encodings; MMX
 * values, whose exponent word is 0xffff, fall here too), 00 valid.
 */
export function registerTag(fpu: Int32Array, fpregs: Int32Array, phys: number): number {
  if (isEmpty(fpu, phys)) return 3;
  const w = phys << 2;
  const exp = fpregs[w + 2] & 0x7fff;
  const high = fpregs[w + 1];
  if (exp === 0) return (high | fpregs[w]) === 0 ? 1 : 2;
  if (exp === 0x7fff || high >= 0) return 2;
  return 0;
}

/** The full 16-bit tag word (two bits per physical register, R0 in bits 0-1). */
export function tagWord(fpu: Int32Array, fpregs: Int32Array): number {
  let ftw = 0;
  for (let phys = 7; phys >= 0; phys--) ftw = (ftw << 2) | registerTag(fpu, fpregs, phys);
  return ftw;
}

/** The architectural status word: FSW with TOP in bits 11-13. */
export function statusWord(fpu: Int32Array): number {
  return (fpu[FPU.FSW] & ~(7 << FSW_TOP_SHIFT) & 0xffff) | ((fpu[FPU.FTOP] & 7) << FSW_TOP_SHIFT);
}
