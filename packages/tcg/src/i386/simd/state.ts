/**
 * Helpers for the MMX/SSE state and for the instructions that touch memory in a way the
 * inline loads and stores cannot: FXSAVE/FXRSTOR, LDMXCSR, the pending-x87-exception
 * check of MMX instructions, CLFLUSH, MASKMOVQ/MASKMOVDQU, and the write probe that makes
 * a page-crossing 64/128-bit store all-or-nothing.
 */
import { defineHelper } from '../../core/ir/helper.js';
import { MO_8, MO_16, MO_32 } from '../../core/ir/opcodes.js';
import { MMUAccessType, PAGE_MASK } from '../../core/softmmu/tlb.js';
import { CR4_OSFXSR, EXCP0D_GPF } from '../cpu/constants.js';
import { FPU, SYS } from '../cpu/state-layout.js';
import type { X86Cpu } from '../cpu/x86-cpu.js';
import { deliverPendingException } from '../fpu/x87-exceptions.js';
import { raiseException } from '../helpers/excp.js';
import { simdEnv } from './env.js';
import { MXCSR_WRITABLE } from './mxcsr.js';
import { isMmxHandle, loadOperand } from './operands.js';

/** FXSAVE area offsets (SDM Vol. 1, table 10-2, the non-64-bit format). */
export const FXSAVE = {
  FCW: 0,
  FSW: 2,
  FTW: 4,
  FOP: 6,
  FIP: 8,
  FCS: 12,
  FDP: 16,
  FDS: 20,
  MXCSR: 24,
  MXCSR_MASK: 28,
  /** ST(0)-ST(7), 16 bytes each (80-bit value, then 6 reserved bytes). */
  ST: 32,
  /** XMM0-XMM7, 16 bytes each. */
  XMM: 160,
  SIZE: 512,
} as const;

/** FSW's exception summary: an unmasked x87 exception is pending. */
const FSW_ES = 0x80;
/** FSW bits 11-13 hold TOP (kept apart in the FPU array). */
const FSW_TOP_SHIFT = 11;

/**
 * Makes sure both pages of a `size`-byte access can be accessed, faulting (with CR2 at the
 * first byte of the page that fails) before anything is written.
 */
function probePages(
  cpu: X86Cpu,
  addr: number,
  size: number,
  access: MMUAccessType,
  mmu: number,
): void {
  cpu.tlb.probe(addr, 1, access, mmu);
  const last = (addr + size - 1) | 0;
  if ((last ^ addr) & PAGE_MASK) cpu.tlb.probe(last & PAGE_MASK, 1, access, mmu);
}

function checkFxArea(cpu: X86Cpu, addr: number, access: MMUAccessType): number {
  if (addr & 15) raiseException(cpu, EXCP0D_GPF, 0);
  const mmu = cpu.mmuIndex();
  probePages(cpu, addr, FXSAVE.SIZE, access, mmu);
  return mmu;
}

/** FXSAVE m512byte. */
export const helperFxsave = defineHelper({
  name: 'fxsave',
  nArgs: 1,
  reads: 'none',
  writes: 'none',
  fn: (cpu: X86Cpu, addr: number) => {
    const mmu = checkFxArea(cpu, addr, MMUAccessType.Store);
    const tlb = cpu.tlb;
    const fpu = cpu.fpu;
    const st16 = (offset: number, v: number) => tlb.store(addr + offset, v & 0xffff, MO_16, mmu);
    const st32 = (offset: number, v: number) => tlb.store(addr + offset, v | 0, MO_32, mmu);
    const top = fpu[FPU.FTOP] & 7;
    st16(FXSAVE.FCW, fpu[FPU.FCW]);
    st16(FXSAVE.FSW, (fpu[FPU.FSW] & ~(7 << FSW_TOP_SHIFT)) | (top << FSW_TOP_SHIFT));
    // The abridged tag word: bit i set when physical register i is not empty.
    st16(FXSAVE.FTW, ~fpu[FPU.FTAGS_EMPTY] & 0xff);
    st16(FXSAVE.FOP, fpu[FPU.FOP] & 0x7ff);
    st32(FXSAVE.FIP, fpu[FPU.FIP]);
    st32(FXSAVE.FCS, fpu[FPU.FCS] & 0xffff);
    st32(FXSAVE.FDP, fpu[FPU.FDP]);
    st32(FXSAVE.FDS, fpu[FPU.FDS] & 0xffff);
    const regs = cpu.fpregs;
    for (let j = 0; j < 8; j++) {
      const r = ((top + j) & 7) * 4;
      const slot = FXSAVE.ST + 16 * j;
      st32(slot, regs[r]);
      st32(slot + 4, regs[r + 1]);
      st32(slot + 8, regs[r + 2] & 0xffff);
      st32(slot + 12, 0);
    }
    if (cpu.sys[SYS.CR4] & CR4_OSFXSR) {
      st32(FXSAVE.MXCSR, fpu[FPU.MXCSR]);
      st32(FXSAVE.MXCSR_MASK, MXCSR_WRITABLE);
      for (let i = 0; i < 32; i++) st32(FXSAVE.XMM + 4 * i, cpu.xmm[i]);
    }
  },
});

/** FXRSTOR m512byte: #GP(0) on reserved MXCSR bits, before anything is changed. */
export const helperFxrstor = defineHelper({
  name: 'fxrstor',
  nArgs: 1,
  reads: 'none',
  writes: 'none',
  fn: (cpu: X86Cpu, addr: number) => {
    const mmu = checkFxArea(cpu, addr, MMUAccessType.Load);
    const tlb = cpu.tlb;
    const ld16 = (offset: number) => tlb.load(addr + offset, MO_16, mmu) & 0xffff;
    const ld32 = (offset: number) => tlb.load(addr + offset, MO_32, mmu) | 0;
    const withSse = (cpu.sys[SYS.CR4] & CR4_OSFXSR) !== 0;
    const mxcsr = withSse ? ld32(FXSAVE.MXCSR) : 0;
    if (mxcsr & ~MXCSR_WRITABLE) raiseException(cpu, EXCP0D_GPF, 0);
    const fpu = cpu.fpu;
    const fsw = ld16(FXSAVE.FSW);
    const top = (fsw >> FSW_TOP_SHIFT) & 7;
    fpu[FPU.FCW] = ld16(FXSAVE.FCW);
    fpu[FPU.FSW] = fsw & ~(7 << FSW_TOP_SHIFT);
    fpu[FPU.FTOP] = top;
    fpu[FPU.FTAGS_EMPTY] = ~tlb.load(addr + FXSAVE.FTW, MO_8, mmu) & 0xff;
    fpu[FPU.FOP] = ld16(FXSAVE.FOP) & 0x7ff;
    fpu[FPU.FIP] = ld32(FXSAVE.FIP);
    fpu[FPU.FCS] = ld16(FXSAVE.FCS);
    fpu[FPU.FDP] = ld32(FXSAVE.FDP);
    fpu[FPU.FDS] = ld16(FXSAVE.FDS);
    const regs = cpu.fpregs;
    for (let j = 0; j < 8; j++) {
      const r = ((top + j) & 7) * 4;
      const slot = FXSAVE.ST + 16 * j;
      regs[r] = ld32(slot);
      regs[r + 1] = ld32(slot + 4);
      regs[r + 2] = ld16(slot + 8);
    }
    if (withSse) {
      fpu[FPU.MXCSR] = mxcsr;
      for (let i = 0; i < 32; i++) cpu.xmm[i] = ld32(FXSAVE.XMM + 4 * i);
    }
  },
});

/** LDMXCSR: #GP(0) when a reserved bit (31-16) is set. */
export const helperLdmxcsr = defineHelper({
  name: 'ldmxcsr',
  nArgs: 1,
  reads: 'none',
  writes: 'none',
  fn: (cpu: X86Cpu, value: number) => {
    if (value & ~MXCSR_WRITABLE) raiseException(cpu, EXCP0D_GPF, 0);
    cpu.fpu[FPU.MXCSR] = value;
  },
});

/**
 * An MMX instruction found FSW.ES set (an unmasked x87 exception is pending): MMX
 * instructions deliver it like waiting x87 instructions, so this is the x87 translator's
 * delivery: #MF with CR0.NE, otherwise FERR# (IRQ 13 on a PC) and the instruction goes on.
 */
export const helperMmxPendingX87 = defineHelper({
  name: 'mmx_pending_x87',
  nArgs: 0,
  reads: 'none',
  writes: 'none',
  fn: (cpu: X86Cpu) => {
    if (cpu.fpu[FPU.FSW] & FSW_ES) deliverPendingException(cpu);
  },
});

/** CLFLUSH m8: no cache to flush, but the address is checked like a byte load. */
export const helperClflush = defineHelper({
  name: 'clflush',
  nArgs: 1,
  reads: 'none',
  writes: 'none',
  fn: (cpu: X86Cpu, addr: number) => {
    cpu.tlb.probe(addr, 1, MMUAccessType.Load, cpu.mmuIndex());
  },
});

/** Makes sure every page of a `size`-byte store at `addr` is writable (or faults). */
export const helperProbeWrite = defineHelper({
  name: 'probe_write',
  nArgs: 2,
  reads: 'none',
  writes: 'none',
  fn: (cpu: X86Cpu, addr: number, size: number) => {
    probePages(cpu, addr, size, MMUAccessType.Store, cpu.mmuIndex());
  },
});

/**
 * MASKMOVQ / MASKMOVDQU: the bytes of `src` whose byte in `mask` has bit 7 set are stored
 * at `addr` (DS:EDI). Every page is checked before the first byte is written; a mask of
 * zeros writes nothing and checks nothing.
 */
export const helperMaskmov = defineHelper({
  name: 'maskmov',
  nArgs: 3,
  reads: 'none',
  writes: 'none',
  fn: (cpu: X86Cpu, src: number, mask: number, addr: number) => {
    const env = simdEnv(cpu);
    loadOperand(cpu, src, env.a, 0, 0, 0, 0);
    loadOperand(cpu, mask, env.b, 0, 0, 0, 0);
    const bytes = isMmxHandle(src) ? 8 : 16;
    let any = false;
    for (let i = 0; i < bytes; i++) if (env.b.u8[i] & 0x80) any = true;
    if (!any) return;
    const mmu = cpu.mmuIndex();
    probePages(cpu, addr, bytes, MMUAccessType.Store, mmu);
    for (let i = 0; i < bytes; i++) {
      if (env.b.u8[i] & 0x80) cpu.tlb.store((addr + i) | 0, env.a.u8[i], MO_8, mmu);
    }
  },
});

/**
 * MOVUPS/MOVUPD/MOVDQU xmm, m128 at an address that is not dword-aligned (the generated
 * code loads aligned ones inline). Inline TLB hits need aligned dwords, so every dword
 * would take the TLB's slow path; here a 16-byte load inside one page of plain RAM reads
 * the RAM block directly, and anything else (two pages, MMIO, a watchpoint, a miss) goes
 * dword by dword through the TLB, loading all four before the register is written.
 */
export const helperLoadUnaligned128 = defineHelper({
  name: 'load_unaligned128',
  nArgs: 2,
  reads: 'none',
  writes: 'none',
  fn: (cpu: X86Cpu, xmm: number, addr: number) => {
    const tlb = cpu.tlb;
    const mmu = cpu.mmuIndex();
    const fast = tlb.fastRam;
    const i = tlb.index(addr, mmu);
    const x = cpu.xmm;
    const r = (xmm & 7) * 4;
    if (fast !== null && (addr & 0xfff) <= 0xff0 && (addr & PAGE_MASK) === tlb.readTag[i]) {
      const h = (addr + tlb.addend[i]) | 0;
      x[r] = fast.dv.getInt32(h, true);
      x[r + 1] = fast.dv.getInt32(h + 4, true);
      x[r + 2] = fast.dv.getInt32(h + 8, true);
      x[r + 3] = fast.dv.getInt32(h + 12, true);
      return;
    }
    const w0 = tlb.load(addr, MO_32, mmu);
    const w1 = tlb.load((addr + 4) | 0, MO_32, mmu);
    const w2 = tlb.load((addr + 8) | 0, MO_32, mmu);
    const w3 = tlb.load((addr + 12) | 0, MO_32, mmu);
    x[r] = w0;
    x[r + 1] = w1;
    x[r + 2] = w2;
    x[r + 3] = w3;
  },
});

/**
 * MOVUPS/MOVUPD/MOVDQU m128, xmm when the store is not dword-aligned or crosses a page:
 * plain RAM inside one page is written directly (the write tag matches only when no dirty
 * logging or translated code needs to see the write); otherwise both pages are probed and
 * the dwords go through the TLB.
 */
export const helperStoreUnaligned128 = defineHelper({
  name: 'store_unaligned128',
  nArgs: 2,
  reads: 'none',
  writes: 'none',
  fn: (cpu: X86Cpu, xmm: number, addr: number) => {
    const tlb = cpu.tlb;
    const mmu = cpu.mmuIndex();
    const fast = tlb.fastRam;
    const i = tlb.index(addr, mmu);
    const x = cpu.xmm;
    const r = (xmm & 7) * 4;
    if (fast !== null && (addr & 0xfff) <= 0xff0 && (addr & PAGE_MASK) === tlb.writeTag[i]) {
      const h = (addr + tlb.addend[i]) | 0;
      fast.dv.setInt32(h, x[r], true);
      fast.dv.setInt32(h + 4, x[r + 1], true);
      fast.dv.setInt32(h + 8, x[r + 2], true);
      fast.dv.setInt32(h + 12, x[r + 3], true);
      return;
    }
    probePages(cpu, addr, 16, MMUAccessType.Store, mmu);
    for (let k = 0; k < 4; k++) tlb.store((addr + 4 * k) | 0, x[r + k], MO_32, mmu);
  },
});
