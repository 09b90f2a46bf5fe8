/**
 * Debug registers (QEMU's bpt_helper.c): instruction breakpoints, data breakpoints
 * (watchpoints), I/O breakpoints, general detect, and the #DB traps they raise.
 *
 * How each kind reaches the CPU, and what it costs when unused:
 * - Instruction breakpoints: getTbCpuState sets TBF_BP_PAGE for a TB whose page (or the
 *   next) holds an enabled one; such TBs hold one instruction that starts with
 *   `check_breakpoint` (a fault, suppressed by EFLAGS.RF). Other TBs are unchanged.
 * - Data breakpoints: tlbFill marks the pages that hold one (TLB_WATCHPOINT), so only
 *   accesses to those pages take the slow path, which calls `checkWatchpoints`. A hit is a
 *   trap after the instruction: the instruction is restarted alone (so that the trap is
 *   precise even in a multi-instruction TB), and cpu_exec delivers #DB when it completes.
 * - I/O breakpoints (CR4.DE, RW = 10): HF_IOBPT makes IN/OUT/INS/OUTS call `bpt_io`.
 * - General detect (DR7.GD): MOV to or from a debug register raises #DB first.
 */
import { CPU_INTERRUPT_DEBUG, cpuLoopExitRestore } from '../../core/exec/cpu-state.js';
import { CF_COUNT_MASK, CF_NOCACHE, CF_NOIRQ } from '../../core/exec/translation-block.js';
import { defineHelper } from '../../core/ir/helper.js';
import { MMUAccessType, PAGE_MASK } from '../../core/softmmu/tlb.js';
import {
  CR4_DE,
  DR6_B_MASK,
  DR6_BD,
  DR6_FIXED_1,
  DR7_GD,
  DR7_TYPE_EXEC,
  DR7_TYPE_IO,
  DR7_TYPE_WRITE,
  EXCP01_DB,
  EXCP06_ILLOP,
  RF_MASK,
  TBF_BP_PAGE,
} from '../cpu/constants.js';
import { SYS } from '../cpu/state-layout.js';
import type { X86Cpu } from '../cpu/x86-cpu.js';
import { raiseException, raiseExceptionNoRestore } from './excp.js';

const DR6 = SYS.DR0 + 6;
const DR7 = SYS.DR0 + 7;

/** DR7 RW field of breakpoint n. */
export function breakpointType(dr7: number, n: number): number {
  return (dr7 >>> (16 + 4 * n)) & 3;
}

/** DR7 LEN field of breakpoint n in bytes (10 = 8 bytes, as QEMU). */
export function breakpointLength(dr7: number, n: number): number {
  const len = (dr7 >>> (18 + 4 * n)) & 3;
  return len === 2 ? 8 : len + 1;
}

/** DR7 Ln or Gn. */
export function breakpointEnabled(dr7: number, n: number): boolean {
  return ((dr7 >> (2 * n)) & 3) !== 0;
}

// ---- instruction breakpoints ---------------------------------------------------------------

/**
 * TBF_BP_PAGE when an enabled instruction breakpoint lies on the page of `pc` or on the
 * next one (a TB may run into it), else 0. Called for every TB lookup, but only when
 * `breakpointMask` is not zero.
 */
export function breakpointPageFlag(cpu: X86Cpu, pc: number): number {
  const page = pc & PAGE_MASK;
  const mask = cpu.breakpointMask;
  for (let n = 0; n < 4; n++) {
    if (!((mask >> n) & 1)) continue;
    const bpPage = cpu.sys[SYS.DR0 + n] & PAGE_MASK;
    if (bpPage === page || bpPage === ((page + 4096) | 0)) return TBF_BP_PAGE;
  }
  return 0;
}

/**
 * The instruction breakpoint check at the start of a TBF_BP_PAGE TB (QEMU's
 * breakpoint_handler for BP_CPU): a fault before the instruction at linear `pc`, unless
 * EFLAGS.RF suppresses it. B0-B3 report every execute breakpoint whose address matches.
 */
export const helperCheckBreakpoint = defineHelper({
  name: 'check_breakpoint',
  nArgs: 1,
  reads: 'none',
  writes: 'none',
  fn: (cpu: X86Cpu, pc: number) => {
    const sys = cpu.sys;
    if (sys[SYS.EFLAGS] & RF_MASK) return;
    const dr7 = sys[DR7];
    let hits = 0;
    let enabled = false;
    for (let n = 0; n < 4; n++) {
      if (breakpointType(dr7, n) !== DR7_TYPE_EXEC || sys[SYS.DR0 + n] !== pc) continue;
      hits |= 1 << n;
      if (breakpointEnabled(dr7, n)) enabled = true;
    }
    if (!enabled) return;
    sys[DR6] = (sys[DR6] & ~DR6_B_MASK) | hits;
    raiseException(cpu, EXCP01_DB);
  },
});

// ---- data breakpoints ------------------------------------------------------------------------

/** True when an enabled data breakpoint watches bytes of the page holding `vaddr`. */
export function pageHasWatchpoint(cpu: X86Cpu, vaddr: number): boolean {
  const page = vaddr & PAGE_MASK;
  const mask = cpu.watchpointMask;
  for (let n = 0; n < 4; n++) {
    if ((mask >> n) & 1 && (cpu.sys[SYS.DR0 + n] & PAGE_MASK) === page) return true;
  }
  return false;
}

/** B0-B3 of the data breakpoints an access of `size` bytes at `vaddr` meets. */
export function watchpointHits(cpu: X86Cpu, vaddr: number, size: number, write: boolean): number {
  const dr7 = cpu.sys[DR7];
  const mask = cpu.watchpointMask;
  const start = vaddr >>> 0;
  let hits = 0;
  for (let n = 0; n < 4; n++) {
    if (!((mask >> n) & 1)) continue;
    if (!write && breakpointType(dr7, n) === DR7_TYPE_WRITE) continue;
    const len = breakpointLength(dr7, n);
    // The address is aligned to the length (its low bits are ignored).
    const addr = (cpu.sys[SYS.DR0 + n] & ~(len - 1)) >>> 0;
    if (start < addr + len && addr < start + size) hits |= 1 << n;
  }
  return hits;
}

/**
 * The TLB's watchpoint hook (QEMU's cpu_check_watchpoint for BP_CPU watchpoints): a hit is
 * a trap after the instruction. In a TB of several instructions the instruction is first
 * restarted alone in a one-instruction TB, before this access happens, so that the trap
 * comes right after it; there (or in a helper running outside any TB, such as interrupt
 * delivery) the hit is recorded and cpu_exec raises #DB once the instruction is done.
 */
export function checkWatchpoints(
  cpu: X86Cpu,
  vaddr: number,
  size: number,
  access: MMUAccessType,
): void {
  const hits = watchpointHits(cpu, vaddr, size, access === MMUAccessType.Store);
  if (hits === 0) return;
  const tb = cpu.currentTb;
  if (tb !== null && tb.icount > 1) {
    cpu.cflagsNextTb = (tb.cflags & ~(CF_COUNT_MASK | CF_NOCACHE)) | 1 | CF_NOIRQ;
    cpuLoopExitRestore(cpu);
  }
  requestDebugTrap(cpu, hits);
}

/**
 * A #DB trap after the current instruction, with DR6 bits `dr6Bits` (B0-B3 replace the old
 * ones, BT and BS are added). cpu_exec delivers it before anything else.
 */
export function requestDebugTrap(cpu: X86Cpu, dr6Bits: number): void {
  cpu.pendingDebugDr6 |= dr6Bits;
  cpu.debugTrapPending = true;
  cpu.interrupt(CPU_INTERRUPT_DEBUG);
}

/** Merge pending trap bits into DR6 and forget them (the #DB is being raised now). */
export function takePendingDebugBits(cpu: X86Cpu, extra = 0): void {
  const bits = cpu.pendingDebugDr6 | extra;
  const sys = cpu.sys;
  let dr6 = sys[DR6];
  if (bits & DR6_B_MASK) dr6 = (dr6 & ~DR6_B_MASK) | (bits & DR6_B_MASK);
  sys[DR6] = dr6 | (bits & ~DR6_B_MASK);
  cpu.forgetDebugTrap();
}

// ---- I/O breakpoints ------------------------------------------------------------------------

/**
 * After IN/OUT/INS/OUTS when HF_IOBPT is set (QEMU's helper_bpt_io): a #DB trap when an
 * enabled I/O breakpoint covers a port of the access. EIP already points after the
 * instruction (or at it, for a REP that still has iterations to do).
 */
export const helperBptIo = defineHelper({
  name: 'bpt_io',
  nArgs: 2,
  reads: 'none',
  writes: 'none',
  fn: (cpu: X86Cpu, port: number, size: number) => {
    const sys = cpu.sys;
    if (!(sys[SYS.CR4] & CR4_DE)) return;
    const dr7 = sys[DR7];
    const p = port & 0xffff;
    let hits = 0;
    for (let n = 0; n < 4; n++) {
      if (breakpointType(dr7, n) !== DR7_TYPE_IO || !breakpointEnabled(dr7, n)) continue;
      const len = breakpointLength(dr7, n);
      const addr = sys[SYS.DR0 + n] & 0xffff & ~(len - 1);
      if (p < addr + len && addr < p + size) hits |= 1 << n;
    }
    if (hits === 0) return;
    takePendingDebugBits(cpu, hits);
    raiseExceptionNoRestore(cpu, EXCP01_DB);
  },
});

// ---- MOV to and from debug registers ------------------------------------------------------------

/**
 * The register a MOV DRn really names: DR4/DR5 alias DR6/DR7 unless CR4.DE makes them #UD.
 * Then general detect: with DR7.GD set, the access raises #DB (a fault, DR6.BD set; the
 * delivery clears GD so that the handler can use the registers).
 */
function debugRegister(cpu: X86Cpu, reg: number): number {
  let r = reg;
  if (r === 4 || r === 5) {
    if (cpu.cr4 & CR4_DE) raiseException(cpu, EXCP06_ILLOP);
    r += 2;
  }
  const sys = cpu.sys;
  if (sys[DR7] & DR7_GD) {
    sys[DR6] |= DR6_BD;
    raiseException(cpu, EXCP01_DB);
  }
  return r;
}

export const helperGetDr = defineHelper({
  name: 'get_dr',
  nArgs: 1,
  hasReturn: true,
  reads: 'none',
  writes: 'none',
  fn: (cpu: X86Cpu, reg: number) => cpu.sys[SYS.DR0 + debugRegister(cpu, reg)],
});

/** MOV DRn, r32 (QEMU's helper_set_dr): DR0-3 and DR7 change what is watched. */
export const helperSetDr = defineHelper({
  name: 'set_dr',
  nArgs: 2,
  reads: 'none',
  writes: 'none',
  fn: (cpu: X86Cpu, reg: number, value: number) => {
    const r = debugRegister(cpu, reg);
    const sys = cpu.sys;
    if (r < 4) {
      sys[SYS.DR0 + r] = value;
      cpu.updateDebugState();
    } else if (r === 6) {
      // Bits 4-11 and 16-31 read as one (as QEMU, the others keep what was written).
      sys[DR6] = value | DR6_FIXED_1;
    } else {
      // Bits 11, 12, 14 and 15 read as zero, bit 10 as one.
      sys[DR7] = (value & ~0xd800) | 0x400;
      cpu.updateDebugState();
    }
  },
});
