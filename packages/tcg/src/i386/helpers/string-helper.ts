/**
 * REP string instructions (and INS/OUTS) as helpers.
 *
 * Each call performs a bounded number of iterations, committing ESI/EDI/ECX after every
 * element, so a fault in the middle leaves the registers of the completed iterations and
 * the instruction restarts where it stopped (its EIP is restored from insn_start). The
 * helper returns 1 when iterations remain; the generated code then jumps back to the
 * instruction, which lets cpu_exec see interrupts between chunks.
 *
 * MOVS and STOS copy whole runs directly in RAM when both pages are plain RAM in the TLB
 * (no dirty logging, no code on them); everything else goes element by element through
 * the TLB.
 */
import { defineHelper } from '../../core/ir/helper.js';
import { MO_8, MO_16, MO_32 } from '../../core/ir/opcodes.js';
import { MMUAccessType, PAGE_MASK } from '../../core/softmmu/tlb.js';
import { CC_OP_SUBB, ccOpFor } from '../cpu/cc-helper.js';
import { R_EAX, R_ECX, R_EDI, R_EDX, R_ESI } from '../cpu/constants.js';
import { CORE, G_CC, G_DF, G_REGS, G_SEG_BASE } from '../cpu/state-layout.js';
import type { X86Cpu } from '../cpu/x86-cpu.js';
import { checkIo } from './misc-helper.js';
import { STR_CHECK_IO, STR_ONE, STR_REP, STR_REPZ, type StringCursor } from './string-cursor.js';

/** Bytes moved per helper call before the TB loops back (interrupt latency bound). */
const CHUNK_BYTES = 65536;

function memop(size: number): number {
  return size === 1 ? MO_8 : size === 2 ? MO_16 : MO_32;
}

/**
 * The index in the fast RAM block of linear address `addr` for `access`, filling the TLB
 * (and raising the guest fault) if needed; -1 when the page is not plain fast RAM
 * (MMIO, another RAM block, a page with code or dirty logging for writes).
 */
function hostIndex(cpu: X86Cpu, addr: number, access: MMUAccessType, mmu: number): number {
  const tlb = cpu.tlb;
  const i = tlb.index(addr, mmu);
  const page = addr & PAGE_MASK;
  const tags = access === MMUAccessType.Load ? tlb.readTag : tlb.writeTag;
  if (tags[i] !== page) {
    tlb.probe(addr, 1, access, mmu);
    if (tags[i] !== page) return -1;
  }
  return (addr + tlb.addend[i]) | 0;
}

function cursor(cpu: X86Cpu, mode: number): StringCursor {
  return cpu.stringCursor.init(cpu, mode);
}

/**
 * Elements one call may do: a 64 KiB chunk, or one with STR_ONE. A data breakpoint hit
 * (cpu.debugTrapPending) also ends the call after the element that met it, so that the #DB
 * trap comes after that iteration.
 */
function budgetOf(c: StringCursor, mode: number): number {
  return mode & STR_ONE ? 1 : Math.max(1, CHUNK_BYTES / c.size);
}

function repMovs(cpu: X86Cpu, mode: number): number {
  const c = cursor(cpu, mode);
  const rep = (mode & STR_REP) !== 0;
  const tlb = cpu.tlb;
  const mo = memop(c.size);
  let budget = budgetOf(c, mode);
  while (c.count > 0 && budget > 0 && !cpu.debugTrapPending) {
    const s = c.srcAddr(cpu);
    const d = c.dstAddr(cpu);
    const fast = tlb.fastRam;
    if (rep && fast !== null && c.step > 0) {
      const n = Math.min(c.count, budget, c.room(s, cpu.regs[R_ESI]), c.room(d, cpu.regs[R_EDI]));
      // Translate both pages first (a fault here is precise: nothing was copied yet). The
      // two entries may share a TLB slot, so each host index is taken right after its fill.
      // A run that leaves a segment goes element by element, to fault at the right one.
      const hs =
        n >= 2 && c.runAllowed(cpu, n, true) ? hostIndex(cpu, s, MMUAccessType.Load, c.mmu) : -1;
      const hd = hs >= 0 ? hostIndex(cpu, d, MMUAccessType.Store, c.mmu) : -1;
      if (hd >= 0) {
        const bytes = n * c.size;
        const u8 = fast.u8;
        const overlapsAhead = hd > hs && hd < hs + bytes;
        if (!overlapsAhead) {
          u8.copyWithin(hd, hs, hs + bytes);
          c.advance(cpu, n, true, true, rep);
          budget -= n;
          continue;
        }
        if (hd - hs >= c.size) {
          // Forward overlap: the CPU copies element by element, which a forward byte copy reproduces.
          for (let k = 0; k < bytes; k++) u8[hd + k] = u8[hs + k];
          c.advance(cpu, n, true, true, rep);
          budget -= n;
          continue;
        }
      }
    }
    c.checkSource(cpu);
    c.checkDestination(cpu);
    const v = tlb.load(s, mo, c.mmu);
    tlb.store(d, v, mo, c.mmu);
    c.advance(cpu, 1, true, true, rep);
    budget--;
  }
  return c.count > 0 ? 1 : 0;
}

function repStos(cpu: X86Cpu, mode: number): number {
  const c = cursor(cpu, mode);
  const rep = (mode & STR_REP) !== 0;
  const tlb = cpu.tlb;
  const mo = memop(c.size);
  const value = cpu.regs[R_EAX];
  let budget = budgetOf(c, mode);
  while (c.count > 0 && budget > 0 && !cpu.debugTrapPending) {
    const d = c.dstAddr(cpu);
    const fast = tlb.fastRam;
    if (rep && fast !== null && c.step > 0) {
      const n = Math.min(c.count, budget, c.room(d, cpu.regs[R_EDI]));
      const hd =
        n >= 2 && c.runAllowed(cpu, n, false) ? hostIndex(cpu, d, MMUAccessType.Store, c.mmu) : -1;
      if (hd >= 0) {
        if (c.size === 1) fast.u8.fill(value & 0xff, hd, hd + n);
        else if (c.size === 2)
          for (let k = 0; k < n; k++) fast.dv.setUint16(hd + 2 * k, value & 0xffff, true);
        else for (let k = 0; k < n; k++) fast.dv.setInt32(hd + 4 * k, value, true);
        c.advance(cpu, n, false, true, rep);
        budget -= n;
        continue;
      }
    }
    c.checkDestination(cpu);
    tlb.store(d, value, mo, c.mmu);
    c.advance(cpu, 1, false, true, rep);
    budget--;
  }
  return c.count > 0 ? 1 : 0;
}

function repLods(cpu: X86Cpu, mode: number): number {
  const c = cursor(cpu, mode);
  const rep = (mode & STR_REP) !== 0;
  const mo = memop(c.size);
  let budget = budgetOf(c, mode);
  const r = cpu.regs;
  while (c.count > 0 && budget > 0 && !cpu.debugTrapPending) {
    c.checkSource(cpu);
    const v = cpu.tlb.load(c.srcAddr(cpu), mo, c.mmu);
    r[R_EAX] =
      c.size === 4
        ? v
        : c.size === 2
          ? (r[R_EAX] & ~0xffff) | (v & 0xffff)
          : (r[R_EAX] & ~0xff) | (v & 0xff);
    c.advance(cpu, 1, true, false, rep);
    budget--;
  }
  return c.count > 0 ? 1 : 0;
}

/** Record `a - b` as the lazy flags of a CMP of `size` bytes. */
function setCmpFlags(cpu: X86Cpu, a: number, b: number, size: number): void {
  const core = cpu.core;
  core[CORE.CC_DST] = (a - b) | 0;
  core[CORE.CC_SRC] = b;
  core[CORE.CC_OP] = ccOpFor(CC_OP_SUBB, size);
}

function repCmps(cpu: X86Cpu, mode: number): number {
  const c = cursor(cpu, mode);
  const rep = (mode & STR_REP) !== 0;
  const repz = (mode & STR_REPZ) !== 0;
  const mo = memop(c.size);
  const m = c.size === 4 ? -1 : (1 << (8 * c.size)) - 1;
  let budget = budgetOf(c, mode);
  while (c.count > 0 && budget > 0 && !cpu.debugTrapPending) {
    c.checkSource(cpu);
    const a = cpu.tlb.load(c.srcAddr(cpu), mo, c.mmu) & m;
    c.checkDestination(cpu, true);
    const b = cpu.tlb.load(c.dstAddr(cpu), mo, c.mmu) & m;
    setCmpFlags(cpu, a, b, c.size);
    c.advance(cpu, 1, true, true, rep);
    budget--;
    if (rep && (a === b) !== repz) return 0;
  }
  return c.count > 0 ? 1 : 0;
}

function repScas(cpu: X86Cpu, mode: number): number {
  const c = cursor(cpu, mode);
  const rep = (mode & STR_REP) !== 0;
  const repz = (mode & STR_REPZ) !== 0;
  const mo = memop(c.size);
  const m = c.size === 4 ? -1 : (1 << (8 * c.size)) - 1;
  const a = cpu.regs[R_EAX] & m;
  let budget = budgetOf(c, mode);
  while (c.count > 0 && budget > 0 && !cpu.debugTrapPending) {
    c.checkDestination(cpu, true);
    const b = cpu.tlb.load(c.dstAddr(cpu), mo, c.mmu) & m;
    setCmpFlags(cpu, a, b, c.size);
    c.advance(cpu, 1, false, true, rep);
    budget--;
    if (rep && (a === b) !== repz) return 0;
  }
  return c.count > 0 ? 1 : 0;
}

function ioSize(size: number): 1 | 2 | 4 {
  return size === 1 ? 1 : size === 2 ? 2 : 4;
}

function repIns(cpu: X86Cpu, mode: number): number {
  const c = cursor(cpu, mode);
  const rep = (mode & STR_REP) !== 0;
  const port = cpu.regs[R_EDX] & 0xffff;
  if (mode & STR_CHECK_IO) checkIo(cpu, port, c.size);
  const mo = memop(c.size);
  let budget = budgetOf(c, mode);
  while (c.count > 0 && budget > 0 && !cpu.debugTrapPending) {
    const d = c.dstAddr(cpu);
    // Make sure the store cannot fault before the port is read (a read may have side effects).
    c.checkDestination(cpu);
    cpu.tlb.probe(d, c.size, MMUAccessType.Store, c.mmu);
    const v = cpu.io.read(port, ioSize(c.size));
    cpu.tlb.store(d, v, mo, c.mmu);
    c.advance(cpu, 1, false, true, rep);
    budget--;
  }
  return c.count > 0 ? 1 : 0;
}

function repOuts(cpu: X86Cpu, mode: number): number {
  const c = cursor(cpu, mode);
  const rep = (mode & STR_REP) !== 0;
  const port = cpu.regs[R_EDX] & 0xffff;
  if (mode & STR_CHECK_IO) checkIo(cpu, port, c.size);
  const mo = memop(c.size);
  const size = ioSize(c.size);
  const m = c.size === 4 ? 0xffffffff : (1 << (8 * c.size)) - 1;
  let budget = budgetOf(c, mode);
  while (c.count > 0 && budget > 0 && !cpu.debugTrapPending) {
    c.checkSource(cpu);
    const v = cpu.tlb.load(c.srcAddr(cpu), mo, c.mmu);
    cpu.io.write(port, size, (v & m) >>> 0);
    c.advance(cpu, 1, true, false, rep);
    budget--;
  }
  return c.count > 0 ? 1 : 0;
}

const [EAX, ECX, EDX, ESI, EDI] = [
  G_REGS[R_EAX],
  G_REGS[R_ECX],
  G_REGS[R_EDX],
  G_REGS[R_ESI],
  G_REGS[R_EDI],
];
const CURSOR_IN = [ECX, ESI, EDI, G_DF, ...G_SEG_BASE];
const CURSOR_OUT = [ECX, ESI, EDI];

export const helperRepMovs = defineHelper({
  name: 'rep_movs',
  nArgs: 1,
  hasReturn: true,
  reads: CURSOR_IN,
  writes: CURSOR_OUT,
  fn: repMovs,
});
export const helperRepStos = defineHelper({
  name: 'rep_stos',
  nArgs: 1,
  hasReturn: true,
  reads: [...CURSOR_IN, EAX],
  writes: CURSOR_OUT,
  fn: repStos,
});
export const helperRepLods = defineHelper({
  name: 'rep_lods',
  nArgs: 1,
  hasReturn: true,
  reads: [...CURSOR_IN, EAX],
  writes: [...CURSOR_OUT, EAX],
  fn: repLods,
});
export const helperRepCmps = defineHelper({
  name: 'rep_cmps',
  nArgs: 1,
  hasReturn: true,
  reads: [...CURSOR_IN, ...G_CC],
  writes: [...CURSOR_OUT, ...G_CC],
  fn: repCmps,
});
export const helperRepScas = defineHelper({
  name: 'rep_scas',
  nArgs: 1,
  hasReturn: true,
  reads: [...CURSOR_IN, EAX, ...G_CC],
  writes: [...CURSOR_OUT, ...G_CC],
  fn: repScas,
});
export const helperRepIns = defineHelper({
  name: 'rep_ins',
  nArgs: 1,
  hasReturn: true,
  reads: [...CURSOR_IN, EDX],
  writes: CURSOR_OUT,
  fn: repIns,
});
export const helperRepOuts = defineHelper({
  name: 'rep_outs',
  nArgs: 1,
  hasReturn: true,
  reads: [...CURSOR_IN, EDX],
  writes: CURSOR_OUT,
  fn: repOuts,
});
