/**
 * The i386 frontend as the JIT core sees it (QEMU's X86 TCGCPUOps): the TB key, the
 * translator, state restore after a fault, the page walk behind the softmmu TLB, and the
 * delivery of exceptions and interrupts.
 */
import { CPU_INTERRUPT_DEBUG, CPU_INTERRUPT_HARD } from '../core/exec/cpu-state.js';
import type { Frontend, TbCpuState } from '../core/exec/frontend.js';
import type { TranslationBlock } from '../core/exec/translation-block.js';
import { type MMUAccessType, PAGE_EXEC, PAGE_READ, PAGE_WRITE } from '../core/softmmu/tlb.js';
import { CC_OP_DYNAMIC } from './cpu/cc-helper.js';
import {
  EXCP0E_PAGE,
  EXCP01_DB,
  EXCP02_NMI,
  HF_CPL_MASK,
  HF_INHIBIT_IRQ,
  HF2_NMI,
  IF_MASK,
  R_CS,
} from './cpu/constants.js';
import {
  LINE_INTERRUPT_HARD,
  LINE_INTERRUPT_INIT,
  LINE_INTERRUPT_NMI,
  LINE_INTERRUPT_SMI,
} from './cpu/interfaces.js';
import { CORE, MMU_KERNEL_IDX, MMU_USER_IDX, SYS } from './cpu/state-layout.js';
import { maskA20, type X86Cpu } from './cpu/x86-cpu.js';
import {
  breakpointPageFlag,
  pageHasWatchpoint,
  takePendingDebugBits,
} from './helpers/debug-helper.js';
import { raiseException } from './helpers/excp.js';
import { doHardwareInterrupt, doInterruptAll, doPendingInterrupt } from './helpers/seg-helper.js';
import { type AccessType, pageWalk } from './mmu/pagewalk.js';
import { genIntermediateCode } from './translate/translate.js';

/** insn_start words: the linear PC and the cc_op known at translation time. */
const INSN_START_WORDS = 2;

/** QEMU's x86_cpu_tlb_fill: identity (A20-masked) without paging, else the page walk. */
function tlbFill(
  cpu: X86Cpu,
  vaddr: number,
  _size: number,
  access: MMUAccessType,
  mmuIdx: number,
  probe: boolean,
): boolean {
  const a20 = cpu.sys[SYS.A20_MASK];
  if (!cpu.pagingEnabled) {
    cpu.tlb.setPage(vaddr, maskA20(vaddr >>> 0, a20), PAGE_READ | PAGE_WRITE | PAGE_EXEC, mmuIdx);
    markWatchedPage(cpu, vaddr, mmuIdx);
    return true;
  }
  const out = cpu.pageWalkResult;
  const user = mmuIdx === MMU_USER_IDX;
  const ok = pageWalk(
    cpu.walkerMemory,
    cpu.pagingMode,
    cpu.sys[SYS.CR3] >>> 0,
    vaddr >>> 0,
    access as number as AccessType,
    user,
    out,
  );
  if (!ok) {
    if (probe) return false;
    cpu.sys[SYS.CR2] = vaddr;
    if (cpu.log.enabled('mmu')) {
      cpu.log.write(
        'mmu',
        `page fault at 0x${(vaddr >>> 0).toString(16)} error 0x${out.errorCode.toString(16)}\n`,
      );
    }
    return raiseException(cpu, EXCP0E_PAGE, out.errorCode);
  }
  cpu.tlb.setPage(vaddr, maskA20(out.physical, a20), out.prot, mmuIdx, out.pageSize);
  markWatchedPage(cpu, vaddr, mmuIdx);
  return true;
}

/** Pages with an enabled data breakpoint send their accesses to the watchpoint check. */
function markWatchedPage(cpu: X86Cpu, vaddr: number, mmuIdx: number): void {
  if (cpu.watchpointMask !== 0 && pageHasWatchpoint(cpu, vaddr))
    cpu.tlb.markWatchpoint(vaddr, mmuIdx);
}

/** An external interrupt can be taken now: IF set and no interrupt shadow. */
function interruptsEnabled(cpu: X86Cpu): boolean {
  return (cpu.sys[SYS.EFLAGS] & IF_MASK) !== 0 && (cpu.sys[SYS.HFLAGS] & HF_INHIBIT_IRQ) === 0;
}

/** INIT: the CPU resets, keeping its APIC base (QEMU's do_cpu_init). */
function initCpu(cpu: X86Cpu): void {
  const lo = cpu.sys[SYS.APICBASE_LO];
  const hi = cpu.sys[SYS.APICBASE_HI];
  cpu.reset();
  cpu.sys[SYS.APICBASE_LO] = lo;
  cpu.sys[SYS.APICBASE_HI] = hi;
}

/**
 * A #DB trap after the instruction that just completed (data breakpoints, BT after a task
 * switch): EIP already points at the next instruction.
 */
function deliverDebugTrap(cpu: X86Cpu): void {
  takePendingDebugBits(cpu);
  cpu.halted = false;
  doInterruptAll(cpu, EXCP01_DB, false, 0, 0, false);
  cpu.sys[SYS.HFLAGS] &= ~HF_INHIBIT_IRQ;
}

/** x86_cpu_exec_interrupt: poll the lines and take what can be taken, by priority. */
function cpuExecInterrupt(cpu: X86Cpu, _request: number): boolean {
  // Traps on the previous instruction come before NMI and external interrupts.
  if (cpu.debugTrapPending) {
    deliverDebugTrap(cpu);
    return true;
  }
  cpu.resetInterrupt(CPU_INTERRUPT_DEBUG);
  const lines = cpu.interrupts;
  if (lines === null) {
    cpu.resetInterrupt(CPU_INTERRUPT_HARD);
    return false;
  }
  const pending = lines.pending();
  if (pending === 0) {
    cpu.resetInterrupt(CPU_INTERRUPT_HARD);
    return false;
  }
  if (pending & LINE_INTERRUPT_INIT) {
    lines.acknowledgeInit();
    initCpu(cpu);
    return true;
  }
  if (pending & LINE_INTERRUPT_SMI) lines.acknowledgeSmi(); // no SMM: ignored
  if (pending & LINE_INTERRUPT_NMI && !(cpu.sys[SYS.HFLAGS2] & HF2_NMI)) {
    lines.acknowledgeNmi();
    cpu.sys[SYS.HFLAGS2] |= HF2_NMI;
    cpu.halted = false;
    doInterruptAll(cpu, EXCP02_NMI, false, 0, 0, true);
    return true;
  }
  if (pending & LINE_INTERRUPT_HARD && interruptsEnabled(cpu)) {
    const vector = lines.acknowledge();
    if (vector >= 0) {
      cpu.halted = false;
      doHardwareInterrupt(cpu, vector & 0xff);
    }
    return true;
  }
  return false;
}

export const x86Frontend: Frontend<X86Cpu> = {
  name: 'i386',
  insnStartWords: INSN_START_WORDS,

  getTbCpuState(cpu: X86Cpu, out: TbCpuState): void {
    const csBase = cpu.segBase[R_CS] >>> 0;
    out.csBase = csBase;
    const pc = (csBase + cpu.core[CORE.EIP]) >>> 0;
    out.pc = pc;
    let flags = cpu.tbFlags();
    if (cpu.breakpointMask !== 0) flags |= breakpointPageFlag(cpu, pc);
    out.flags = flags;
  },

  codeMmuIndex(_cpu: X86Cpu, flags: number): number {
    return (flags & HF_CPL_MASK) === 3 ? MMU_USER_IDX : MMU_KERNEL_IDX;
  },

  genIntermediateCode,

  restoreStateToOpc(cpu: X86Cpu, tb: TranslationBlock, data: Float64Array, offset: number): void {
    cpu.core[CORE.EIP] = (data[offset] - tb.csBase) | 0;
    const ccOp = data[offset + 1];
    if (ccOp !== CC_OP_DYNAMIC) cpu.core[CORE.CC_OP] = ccOp;
  },

  synchronizeFromTb(cpu: X86Cpu, tb: TranslationBlock): void {
    cpu.core[CORE.EIP] = (tb.pc - tb.csBase) | 0;
  },

  tlbFill,

  cpuExecInterrupt,

  doInterrupt(cpu: X86Cpu): void {
    doPendingInterrupt(cpu);
  },

  hasWork(cpu: X86Cpu): boolean {
    const lines = cpu.interrupts;
    if (lines === null) return false;
    const pending = lines.pending();
    const work =
      (pending & LINE_INTERRUPT_HARD && (cpu.sys[SYS.EFLAGS] & IF_MASK) !== 0) ||
      (pending & (LINE_INTERRUPT_NMI | LINE_INTERRUPT_INIT)) !== 0;
    if (work) cpu.interrupt(CPU_INTERRUPT_HARD);
    return work;
  },
};
