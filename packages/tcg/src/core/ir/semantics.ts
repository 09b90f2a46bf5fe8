import { Cond, Opc } from './opcodes.js';

/**
 * The meaning of every value op, as plain functions on signed 32-bit integers.
 * The IR interpreter runs these, the optimizer folds constants with them, and the JS
 * backend emits expressions that the tests check against them.
 *
 * Shift and rotate counts use their low 5 bits (a frontend that needs x86's "count 0
 * leaves flags alone" or a count >= 32 must handle it in its own IR).
 */

export function evalCond(c: Cond, a: number, b: number): boolean {
  switch (c) {
    case Cond.Never:
      return false;
    case Cond.Always:
      return true;
    case Cond.Eq:
      return a === b;
    case Cond.Ne:
      return a !== b;
    case Cond.Lt:
      return a < b;
    case Cond.Ge:
      return a >= b;
    case Cond.Le:
      return a <= b;
    case Cond.Gt:
      return a > b;
    case Cond.Ltu:
      return a >>> 0 < b >>> 0;
    case Cond.Geu:
      return a >>> 0 >= b >>> 0;
    case Cond.Leu:
      return a >>> 0 <= b >>> 0;
    case Cond.Gtu:
      return a >>> 0 > b >>> 0;
    case Cond.Tsteq:
      return (a & b) === 0;
    case Cond.Tstne:
      return (a & b) !== 0;
  }
}

/** Binary ops with one output and two inputs, or undefined for other opcodes. */
export function evalBinary(opc: Opc, a: number, b: number): number | undefined {
  switch (opc) {
    case Opc.Add:
      return (a + b) | 0;
    case Opc.Sub:
      return (a - b) | 0;
    case Opc.Mul:
      return Math.imul(a, b);
    case Opc.And:
      return a & b;
    case Opc.Or:
      return a | b;
    case Opc.Xor:
      return a ^ b;
    case Opc.Andc:
      return a & ~b;
    case Opc.Orc:
      return a | ~b;
    case Opc.Eqv:
      return ~(a ^ b);
    case Opc.Nand:
      return ~(a & b);
    case Opc.Nor:
      return ~(a | b);
    case Opc.Shl:
      return a << b;
    case Opc.Shr:
      return (a >>> b) | 0;
    case Opc.Sar:
      return a >> b;
    case Opc.Rotl:
      return (a << b) | (a >>> -b);
    case Opc.Rotr:
      return (a >>> b) | (a << -b);
    case Opc.Clz:
      return a === 0 ? b : Math.clz32(a);
    case Opc.Ctz:
      return a === 0 ? b : 31 - Math.clz32(a & -a);
    default:
      return undefined;
  }
}

/** Unary ops with one output and one input, or undefined for other opcodes. */
export function evalUnary(opc: Opc, a: number): number | undefined {
  switch (opc) {
    case Opc.Mov:
      return a;
    case Opc.Neg:
      return -a | 0;
    case Opc.Not:
      return ~a;
    case Opc.Ext8s:
      return (a << 24) >> 24;
    case Opc.Ext8u:
      return a & 0xff;
    case Opc.Ext16s:
      return (a << 16) >> 16;
    case Opc.Ext16u:
      return a & 0xffff;
    case Opc.Bswap16:
      return ((a & 0xff) << 8) | ((a >>> 8) & 0xff);
    case Opc.Bswap32:
      return bswap32(a);
    case Opc.Ctpop:
      return ctpop(a);
    default:
      return undefined;
  }
}

export function bswap32(a: number): number {
  return (a << 24) | ((a & 0xff00) << 8) | ((a >>> 8) & 0xff00) | (a >>> 24);
}

export function ctpop(a: number): number {
  let v = a - ((a >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) | 0;
}

/** Bits `ofs .. ofs+len-1` of `a` replaced by the low `len` bits of `b`. */
export function deposit(a: number, b: number, ofs: number, len: number): number {
  const mask = len === 32 ? -1 : ((1 << len) - 1) << ofs;
  return (a & ~mask) | ((b << ofs) & mask);
}

/** Bits `ofs .. ofs+len-1` of `a`, zero-extended. */
export function extract(a: number, ofs: number, len: number): number {
  if (len === 32) return a;
  return (a >>> ofs) & ((1 << len) - 1);
}

/** Bits `ofs .. ofs+len-1` of `a`, sign-extended. */
export function sextract(a: number, ofs: number, len: number): number {
  return (a << (32 - ofs - len)) >> (32 - len);
}

/** 32 bits of the 64-bit value hi:lo starting at bit `ofs` (an x86 shrd by a constant). */
export function extract2(lo: number, hi: number, ofs: number): number {
  return ofs === 0 ? lo : (lo >>> ofs) | (hi << (32 - ofs));
}

/** High 32 bits of the unsigned 64-bit product of a and b. */
export function mulu2hi(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const mid = ((a0 * b0) >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  return (a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16)) | 0;
}

/** High 32 bits of the signed 64-bit product of a and b. */
export function muls2hi(a: number, b: number): number {
  let hi = mulu2hi(a, b);
  if (a < 0) hi = (hi - b) | 0;
  if (b < 0) hi = (hi - a) | 0;
  return hi;
}

/** High word of the 64-bit sum (ah:al) + (bh:bl). */
export function add2hi(al: number, ah: number, bl: number, bh: number): number {
  const carry = (al >>> 0) + (bl >>> 0) > 0xffffffff ? 1 : 0;
  return (ah + bh + carry) | 0;
}

/** High word of the 64-bit difference (ah:al) - (bh:bl). */
export function sub2hi(al: number, ah: number, bl: number, bh: number): number {
  const borrow = al >>> 0 < bl >>> 0 ? 1 : 0;
  return (ah - bh - borrow) | 0;
}
