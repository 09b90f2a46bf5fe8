/**
 * Integer helpers (QEMU's int_helper.c and cc_helper.c): division with #DE, the BCD
 * adjusts, RCL/RCR and SHLD/SHRD, and the lazy-flag evaluators generated code calls.
 */
import { defineHelper } from '../../core/ir/helper.js';
import { CC_OP_EFLAGS, ccComputeAll, ccComputeC, PARITY_TABLE } from '../cpu/cc-helper.js';
import { CC_A, CC_C, CC_O, CC_S, CC_Z, EXCP00_DIVZ, R_EAX, R_EDX } from '../cpu/constants.js';
import { CORE, G_CC, G_REGS } from '../cpu/state-layout.js';
import type { X86Cpu } from '../cpu/x86-cpu.js';
import { raiseException } from './excp.js';

const TWO32 = 0x100000000;

function divideError(cpu: X86Cpu): never {
  return raiseException(cpu, EXCP00_DIVZ);
}

/**
 * Unsigned 64/32 division of hi:lo by d, exact with Numbers (two 16-bit long-division
 * steps, every intermediate below 2^48). Requires hi < d (else the quotient overflows).
 * Returns the quotient; the remainder is left in `rem[0]`.
 */
function divu64by32(hi: number, lo: number, d: number, rem: Float64Array): number {
  if (hi === 0) {
    rem[0] = lo % d;
    return Math.floor(lo / d);
  }
  let r = hi;
  let t = r * 65536 + (lo >>> 16);
  const q1 = Math.floor(t / d);
  r = t - q1 * d;
  t = r * 65536 + (lo & 0xffff);
  const q0 = Math.floor(t / d);
  rem[0] = t - q0 * d;
  return q1 * 65536 + q0;
}

const A_EAX = [G_REGS[R_EAX]];
const A_EAX_EDX = [G_REGS[R_EAX], G_REGS[R_EDX]];

function divb(cpu: X86Cpu, divisor: number): void {
  const d = divisor & 0xff;
  if (d === 0) divideError(cpu);
  const num = cpu.regs[R_EAX] & 0xffff;
  const q = Math.floor(num / d);
  if (q > 0xff) divideError(cpu);
  const r = num % d;
  cpu.regs[R_EAX] = (cpu.regs[R_EAX] & ~0xffff) | (r << 8) | q;
}

function idivb(cpu: X86Cpu, divisor: number): void {
  const d = (divisor << 24) >> 24;
  if (d === 0) divideError(cpu);
  const num = (cpu.regs[R_EAX] << 16) >> 16;
  const q = Math.trunc(num / d);
  if (q !== (q << 24) >> 24) divideError(cpu);
  const r = num % d;
  cpu.regs[R_EAX] = (cpu.regs[R_EAX] & ~0xffff) | ((r & 0xff) << 8) | (q & 0xff);
}

function divw(cpu: X86Cpu, divisor: number): void {
  const d = divisor & 0xffff;
  if (d === 0) divideError(cpu);
  const num = ((cpu.regs[R_EDX] & 0xffff) * 65536 + (cpu.regs[R_EAX] & 0xffff)) >>> 0;
  const q = Math.floor(num / d);
  if (q > 0xffff) divideError(cpu);
  const r = num % d;
  cpu.regs[R_EAX] = (cpu.regs[R_EAX] & ~0xffff) | q;
  cpu.regs[R_EDX] = (cpu.regs[R_EDX] & ~0xffff) | r;
}

function idivw(cpu: X86Cpu, divisor: number): void {
  const d = (divisor << 16) >> 16;
  if (d === 0) divideError(cpu);
  const num = ((cpu.regs[R_EDX] & 0xffff) << 16) | (cpu.regs[R_EAX] & 0xffff);
  const q = Math.trunc(num / d);
  if (q !== (q << 16) >> 16) divideError(cpu);
  const r = num % d;
  cpu.regs[R_EAX] = (cpu.regs[R_EAX] & ~0xffff) | (q & 0xffff);
  cpu.regs[R_EDX] = (cpu.regs[R_EDX] & ~0xffff) | (r & 0xffff);
}

function divl(cpu: X86Cpu, divisor: number, rem: Float64Array): void {
  const d = divisor >>> 0;
  if (d === 0) divideError(cpu);
  const hi = cpu.regs[R_EDX] >>> 0;
  if (hi >= d) divideError(cpu);
  const q = divu64by32(hi, cpu.regs[R_EAX] >>> 0, d, rem);
  cpu.regs[R_EAX] = q;
  cpu.regs[R_EDX] = rem[0];
}

function idivl(cpu: X86Cpu, divisor: number, rem: Float64Array): void {
  const d = divisor | 0;
  if (d === 0) divideError(cpu);
  let hi = cpu.regs[R_EDX] >>> 0;
  let lo = cpu.regs[R_EAX] >>> 0;
  const negNum = hi >= 0x80000000;
  if (negNum) {
    // Two's complement of the 64-bit dividend.
    lo = (~lo >>> 0) + 1;
    hi = (~hi >>> 0) + (lo >= TWO32 ? 1 : 0);
    lo %= TWO32;
    hi %= TWO32;
  }
  const ad = Math.abs(d);
  if (hi >= ad) divideError(cpu);
  const uq = divu64by32(hi, lo, ad, rem);
  const negQ = negNum !== d < 0;
  const q = negQ ? -uq : uq;
  if (q > 0x7fffffff || q < -0x80000000) divideError(cpu);
  const r = negNum ? -rem[0] : rem[0];
  cpu.regs[R_EAX] = q;
  cpu.regs[R_EDX] = r;
}

/** DIV/IDIV r/m: helper per size; EAX/EDX are read and written in place. */
export const helperDivb = defineHelper({
  name: 'divb',
  nArgs: 1,
  reads: A_EAX,
  writes: A_EAX,
  fn: divb,
});
export const helperIdivb = defineHelper({
  name: 'idivb',
  nArgs: 1,
  reads: A_EAX,
  writes: A_EAX,
  fn: idivb,
});
export const helperDivw = defineHelper({
  name: 'divw',
  nArgs: 1,
  reads: A_EAX_EDX,
  writes: A_EAX_EDX,
  fn: divw,
});
export const helperIdivw = defineHelper({
  name: 'idivw',
  nArgs: 1,
  reads: A_EAX_EDX,
  writes: A_EAX_EDX,
  fn: idivw,
});
export const helperDivl = defineHelper({
  name: 'divl',
  nArgs: 1,
  reads: A_EAX_EDX,
  writes: A_EAX_EDX,
  fn: (cpu: X86Cpu, d: number) => divl(cpu, d, cpu.divRemainder),
});
export const helperIdivl = defineHelper({
  name: 'idivl',
  nArgs: 1,
  reads: A_EAX_EDX,
  writes: A_EAX_EDX,
  fn: (cpu: X86Cpu, d: number) => idivl(cpu, d, cpu.divRemainder),
});

// ---- lazy flags -----------------------------------------------------------------------

/** cc_compute_all(dst, src, src2, op): the six flags. Pure. */
export const helperCcComputeAll = defineHelper({
  name: 'cc_compute_all',
  nArgs: 4,
  hasReturn: true,
  reads: 'none',
  writes: 'none',
  canRaise: false,
  sideEffects: false,
  fn: (_cpu: X86Cpu, dst: number, src: number, src2: number, op: number) =>
    ccComputeAll(op, dst, src, src2),
});

/** cc_compute_c(dst, src, src2, op): CF as 0/1. Pure. */
export const helperCcComputeC = defineHelper({
  name: 'cc_compute_c',
  nArgs: 4,
  hasReturn: true,
  reads: 'none',
  writes: 'none',
  canRaise: false,
  sideEffects: false,
  fn: (_cpu: X86Cpu, dst: number, src: number, src2: number, op: number) =>
    ccComputeC(op, dst, src, src2),
});

// ---- BCD ----------------------------------------------------------------------------

const BCD_EFFECT = [G_REGS[R_EAX], ...G_CC];

/** Write AL and the flags (EFLAGS form) of a BCD adjust. */
function setAlFlags(cpu: X86Cpu, al: number, flags: number): void {
  cpu.regs[R_EAX] = (cpu.regs[R_EAX] & ~0xff) | (al & 0xff);
  cpu.core[CORE.CC_SRC] = flags;
  cpu.core[CORE.CC_OP] = CC_OP_EFLAGS;
}

function szp(v: number): number {
  const b = v & 0xff;
  return (b === 0 ? CC_Z : 0) | (b & 0x80 ? CC_S : 0) | PARITY_TABLE[b];
}

function daa(cpu: X86Cpu): void {
  const eflags = cpu.computeCcFlags();
  const cf = eflags & CC_C;
  const af = eflags & CC_A;
  const oldAl = cpu.regs[R_EAX] & 0xff;
  let al = oldAl;
  let f = 0;
  if ((al & 0x0f) > 9 || af) {
    al = (al + 6) & 0xff;
    f |= CC_A;
  }
  if (oldAl > 0x99 || cf) {
    al = (al + 0x60) & 0xff;
    f |= CC_C;
  }
  // OF: as a real P6 leaves it (undefined in the manual; QEMU clears it).
  setAlFlags(cpu, al, f | szp(al));
}

function das(cpu: X86Cpu): void {
  const eflags = cpu.computeCcFlags();
  const cf = eflags & CC_C;
  const af = eflags & CC_A;
  const oldAl = cpu.regs[R_EAX] & 0xff;
  let al = oldAl;
  let f = 0;
  if ((al & 0x0f) > 9 || af) {
    f |= CC_A;
    if (al < 6 || cf) f |= CC_C;
    al = (al - 6) & 0xff;
  }
  if (oldAl > 0x99 || cf) {
    al = (al - 0x60) & 0xff;
    f |= CC_C;
  }
  setAlFlags(cpu, al, f | szp(al));
}

function aaa(cpu: X86Cpu): void {
  const eflags = cpu.computeCcFlags();
  const af = eflags & CC_A;
  let ax = cpu.regs[R_EAX] & 0xffff;
  let f = eflags & ~(CC_A | CC_C);
  if ((ax & 0x0f) > 9 || af) {
    ax = (ax + 0x106) & 0xffff;
    f |= CC_A | CC_C;
  }
  ax &= 0xff0f;
  cpu.regs[R_EAX] = (cpu.regs[R_EAX] & ~0xffff) | ax;
  cpu.core[CORE.CC_SRC] = f;
  cpu.core[CORE.CC_OP] = CC_OP_EFLAGS;
}

function aas(cpu: X86Cpu): void {
  const eflags = cpu.computeCcFlags();
  const af = eflags & CC_A;
  let al = cpu.regs[R_EAX] & 0xff;
  let ah = (cpu.regs[R_EAX] >> 8) & 0xff;
  let f = eflags & ~(CC_A | CC_C);
  if ((al & 0x0f) > 9 || af) {
    const borrow = al < 6;
    al = (al - 6) & 0x0f;
    ah = (ah - 1 - (borrow ? 1 : 0)) & 0xff;
    f |= CC_A | CC_C;
  } else {
    al &= 0x0f;
  }
  cpu.regs[R_EAX] = (cpu.regs[R_EAX] & ~0xffff) | (ah << 8) | al;
  cpu.core[CORE.CC_SRC] = f;
  cpu.core[CORE.CC_OP] = CC_OP_EFLAGS;
}

function aam(cpu: X86Cpu, base: number): void {
  const b = base & 0xff;
  if (b === 0) divideError(cpu);
  const al = cpu.regs[R_EAX] & 0xff;
  const ah = Math.floor(al / b);
  const nal = al % b;
  cpu.regs[R_EAX] = (cpu.regs[R_EAX] & ~0xffff) | (ah << 8) | nal;
  cpu.core[CORE.CC_SRC] = szp(nal);
  cpu.core[CORE.CC_OP] = CC_OP_EFLAGS;
}

function aad(cpu: X86Cpu, base: number): void {
  const al = cpu.regs[R_EAX] & 0xff;
  const ah = (cpu.regs[R_EAX] >> 8) & 0xff;
  const nal = (al + ah * (base & 0xff)) & 0xff;
  cpu.regs[R_EAX] = (cpu.regs[R_EAX] & ~0xffff) | nal;
  cpu.core[CORE.CC_SRC] = szp(nal);
  cpu.core[CORE.CC_OP] = CC_OP_EFLAGS;
}

export const helperDaa = defineHelper({
  name: 'daa',
  nArgs: 0,
  reads: BCD_EFFECT,
  writes: BCD_EFFECT,
  canRaise: false,
  fn: daa,
});
export const helperDas = defineHelper({
  name: 'das',
  nArgs: 0,
  reads: BCD_EFFECT,
  writes: BCD_EFFECT,
  canRaise: false,
  fn: das,
});
export const helperAaa = defineHelper({
  name: 'aaa',
  nArgs: 0,
  reads: BCD_EFFECT,
  writes: BCD_EFFECT,
  canRaise: false,
  fn: aaa,
});
export const helperAas = defineHelper({
  name: 'aas',
  nArgs: 0,
  reads: BCD_EFFECT,
  writes: BCD_EFFECT,
  canRaise: false,
  fn: aas,
});
export const helperAam = defineHelper({
  name: 'aam',
  nArgs: 1,
  reads: BCD_EFFECT,
  writes: BCD_EFFECT,
  fn: aam,
});
export const helperAad = defineHelper({
  name: 'aad',
  nArgs: 1,
  reads: BCD_EFFECT,
  writes: BCD_EFFECT,
  canRaise: false,
  fn: aad,
});

// ---- RCL / RCR ----------------------------------------------------------------------

/** The count RCL/RCR really rotate by: mod 9 for bytes, mod 17 for words. */
function rcCount(count: number, size: number): number {
  const c = count & 0x1f;
  return size === 1 ? c % 9 : size === 2 ? c % 17 : c;
}

/**
 * RCL/RCR of a `size`-byte value through CF, given the old flags. Result in the low bits;
 * the new flags are returned by rcFlags (both pure, so a faulting store of the result
 * leaves the flags untouched).
 */
function rotateThroughCarry(
  value: number,
  count: number,
  size: number,
  flags: number,
  left: boolean,
): [number, number] {
  const n = rcCount(count, size);
  if (n === 0) return [value, flags];
  const bits = size * 8;
  const v = size === 4 ? value >>> 0 : value & ((1 << bits) - 1);
  // Work on bits+1 bits: CF above the value. Numbers are exact to 2^53.
  const total = bits + 1;
  const wide = v + (flags & CC_C) * 2 ** bits;
  const span = 2 ** total;
  const k = left ? n : total - n;
  const rotated = ((wide * 2 ** k) % span) + Math.floor(wide / 2 ** (total - k));
  const result = rotated % 2 ** bits;
  const cf = Math.floor(rotated / 2 ** bits) & 1;
  const msb = Math.floor(result / 2 ** (bits - 1)) & 1;
  let of: number;
  if (left) of = msb ^ cf;
  else of = msb ^ (Math.floor(result / 2 ** (bits - 2)) & 1);
  const f = (flags & ~(CC_C | CC_O)) | cf | (of ? CC_O : 0);
  return [result | 0, f];
}

const PURE = {
  reads: 'none',
  writes: 'none',
  canRaise: false,
  sideEffects: false,
  hasReturn: true,
} as const;

export const helperRclResult = defineHelper({
  ...PURE,
  name: 'rcl_result',
  nArgs: 4,
  fn: (_c: X86Cpu, v: number, count: number, size: number, flags: number) =>
    rotateThroughCarry(v, count, size, flags, true)[0],
});
export const helperRclFlags = defineHelper({
  ...PURE,
  name: 'rcl_flags',
  nArgs: 4,
  fn: (_c: X86Cpu, v: number, count: number, size: number, flags: number) =>
    rotateThroughCarry(v, count, size, flags, true)[1],
});
export const helperRcrResult = defineHelper({
  ...PURE,
  name: 'rcr_result',
  nArgs: 4,
  fn: (_c: X86Cpu, v: number, count: number, size: number, flags: number) =>
    rotateThroughCarry(v, count, size, flags, false)[0],
});
export const helperRcrFlags = defineHelper({
  ...PURE,
  name: 'rcr_flags',
  nArgs: 4,
  fn: (_c: X86Cpu, v: number, count: number, size: number, flags: number) =>
    rotateThroughCarry(v, count, size, flags, false)[1],
});

// ---- SHLD / SHRD --------------------------------------------------------------------

/**
 * SHLD/SHRD of `size` bytes by `count` (already masked to 0-31): [result, cc_src] where
 * cc_src is the destination shifted by count-1 (the CC_OP_SHL/SAR operand). For 16-bit
 * operands a count above 16 shifts through a 48-bit dst:src:dst value, as QEMU does.
 */
function doubleShift(
  dst: number,
  src: number,
  count: number,
  size: number,
  right: boolean,
): [number, number] {
  if (count === 0) return [dst, 0];
  if (size === 4) {
    const d = dst >>> 0;
    const s = src >>> 0;
    if (right) {
      const res = (d >>> count) | (count === 0 ? 0 : s << (32 - count));
      return [res | 0, (d >>> (count - 1)) | (count - 1 === 0 ? 0 : s << (33 - count))];
    }
    const res = (d << count) | (s >>> (32 - count));
    return [res | 0, (d << (count - 1)) | (count - 1 === 0 ? 0 : s >>> (33 - count))];
  }
  // 16 bits: a 48-bit value in a Number (exact below 2^53), the destination repeated
  // around the source, so counts above 16 bring destination bits back in (Intel's behaviour).
  const d = dst & 0xffff;
  const s = src & 0xffff;
  if (right) {
    const wide = d + s * 65536 + d * 2 ** 32; // low to high: dst, src, dst
    return [Math.floor(wide / 2 ** count) % 65536, Math.floor(wide / 2 ** (count - 1)) % 65536];
  }
  const wide = d + s * 65536 + d * 2 ** 32; // high to low: dst, src, dst
  // The result is bits 32-47 of wide << count, i.e. bits (32-count)..(47-count) of wide.
  return [
    Math.floor(wide / 2 ** (32 - count)) % 65536,
    Math.floor(wide / 2 ** (33 - count)) % 65536,
  ];
}

export const helperShldResult = defineHelper({
  ...PURE,
  name: 'shld_result',
  nArgs: 4,
  fn: (_c: X86Cpu, d: number, s: number, count: number, sizeRight: number) =>
    doubleShift(d, s, count, sizeRight & 7, (sizeRight & 8) !== 0)[0],
});
export const helperShldCcSrc = defineHelper({
  ...PURE,
  name: 'shld_ccsrc',
  nArgs: 4,
  fn: (_c: X86Cpu, d: number, s: number, count: number, sizeRight: number) =>
    doubleShift(d, s, count, sizeRight & 7, (sizeRight & 8) !== 0)[1],
});
