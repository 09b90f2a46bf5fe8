import { R_ECX, R_EDI, R_ES, R_ESI } from '../cpu/constants.js';
import { CORE } from '../cpu/state-layout.js';
import type { X86Cpu } from '../cpu/x86-cpu.js';
import { checkSegmentAccess, segmentAllows } from './seg-check.js';

/** Packed `mode` argument of the string helpers. */
export const STR_SIZE_MASK = 7; // element size in bytes
export const STR_ADDR32 = 8;
/** Source segment + 1 in bits 4-7 (0: add no base). */
export const STR_SRC_SHIFT = 4;
/** Destination (ES) base added. */
export const STR_DST_BASE = 1 << 8;
export const STR_REP = 1 << 9;
/** REPE (F3) for CMPS/SCAS; REPNE when clear. */
export const STR_REPZ = 1 << 10;
/** The I/O permission bitmap must be checked (CPL > IOPL or virtual-8086 mode). */
export const STR_CHECK_IO = 1 << 11;
/** The source segment (bits 4-7, always given then) needs limit/type checks. */
export const STR_SRC_CHECK = 1 << 12;
/** ES needs limit/type checks. */
export const STR_DST_CHECK = 1 << 13;
/** Do one element per call (I/O breakpoints trap after each iteration). */
export const STR_ONE = 1 << 14;

/**
 * The string helpers' view of one string instruction: element size, address size,
 * segment bases, direction, and the element count still to do. One per CPU, reused.
 */
export class StringCursor {
  size = 1;
  a32 = false;
  mask = 0xffff;
  srcBase = 0;
  dstBase = 0;
  step = 1;
  mmu = 0;
  count = 0;
  /** Segment register of the source (-1: no base added). */
  srcSeg = -1;
  checkSrc = false;
  checkDst = false;

  init(cpu: X86Cpu, mode: number): this {
    this.size = mode & STR_SIZE_MASK;
    this.a32 = (mode & STR_ADDR32) !== 0;
    this.mask = this.a32 ? -1 : 0xffff;
    const src = ((mode >> STR_SRC_SHIFT) & 0xf) - 1;
    this.srcSeg = src;
    this.srcBase = src >= 0 ? cpu.segBase[src] : 0;
    this.checkSrc = (mode & STR_SRC_CHECK) !== 0 && src >= 0;
    this.checkDst = (mode & STR_DST_CHECK) !== 0;
    this.dstBase = mode & STR_DST_BASE ? cpu.segBase[R_ES] : 0;
    this.step = cpu.core[CORE.DF] < 0 ? -this.size : this.size;
    this.mmu = cpu.mmuIndex();
    const c = cpu.regs[R_ECX];
    this.count = mode & STR_REP ? (this.a32 ? c >>> 0 : c & 0xffff) : 1;
    return this;
  }

  srcAddr(cpu: X86Cpu): number {
    return (this.srcBase + (cpu.regs[R_ESI] & this.mask)) | 0;
  }
  dstAddr(cpu: X86Cpu): number {
    return (this.dstBase + (cpu.regs[R_EDI] & this.mask)) | 0;
  }

  /** The segment check of the next source element (#GP/#SS when outside the segment). */
  checkSource(cpu: X86Cpu): void {
    if (this.checkSrc)
      checkSegmentAccess(cpu, this.srcSeg, cpu.regs[R_ESI] & this.mask, this.size, false);
  }

  /** The segment check of the next destination element (ES; a store unless `read`). */
  checkDestination(cpu: X86Cpu, read = false): void {
    if (this.checkDst) checkSegmentAccess(cpu, R_ES, cpu.regs[R_EDI] & this.mask, this.size, !read);
  }

  /**
   * True when the segment checks allow all `n` elements of a forward run from the current
   * ESI (if `src`) and EDI: the valid offsets of a segment are one interval, so the first
   * and the last element decide.
   */
  runAllowed(cpu: X86Cpu, n: number, src: boolean): boolean {
    const last = (n - 1) * this.size;
    if (src && this.checkSrc) {
      const o = (cpu.regs[R_ESI] & this.mask) >>> 0;
      if (o + last > 0xffffffff) return false;
      if (!segmentAllows(cpu, this.srcSeg, o, this.size, false)) return false;
      if (!segmentAllows(cpu, this.srcSeg, o + last, this.size, false)) return false;
    }
    if (this.checkDst) {
      const o = (cpu.regs[R_EDI] & this.mask) >>> 0;
      if (o + last > 0xffffffff) return false;
      if (!segmentAllows(cpu, R_ES, o, this.size, true)) return false;
      if (!segmentAllows(cpu, R_ES, o + last, this.size, true)) return false;
    }
    return true;
  }

  /** Advance ESI and/or EDI by n elements and count them off (off ECX too for REP). */
  advance(cpu: X86Cpu, n: number, src: boolean, dst: boolean, rep: boolean): void {
    const r = cpu.regs;
    const delta = this.step * n;
    if (this.a32) {
      if (src) r[R_ESI] = (r[R_ESI] + delta) | 0;
      if (dst) r[R_EDI] = (r[R_EDI] + delta) | 0;
    } else {
      if (src) r[R_ESI] = (r[R_ESI] & ~0xffff) | ((r[R_ESI] + delta) & 0xffff);
      if (dst) r[R_EDI] = (r[R_EDI] & ~0xffff) | ((r[R_EDI] + delta) & 0xffff);
    }
    this.count -= n;
    if (rep) r[R_ECX] = this.a32 ? this.count | 0 : (r[R_ECX] & ~0xffff) | this.count;
  }

  /** Whole elements from `addr` (register value `reg`) before a page end or a 16-bit wrap. */
  room(addr: number, reg: number): number {
    if (this.step < 0) return 1;
    let n = Math.floor((4096 - (addr & 0xfff)) / this.size);
    if (!this.a32) n = Math.min(n, Math.floor((0x10000 - (reg & 0xffff)) / this.size));
    return n;
  }
}
