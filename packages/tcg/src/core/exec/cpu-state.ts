import type { StateLayout } from '../ir/state-layout.js';
import type { PhysicalMemory } from '../softmmu/physical-memory.js';
import { SoftTlb } from '../softmmu/tlb.js';
import type { TranslationBlock } from './translation-block.js';

/** Exit codes of cpu_exec that are not guest exceptions (QEMU's values). */
export const EXCP_INTERRUPT = 0x10000; // cpu_exit() or the slice budget: back to the main loop
export const EXCP_HLT = 0x10001; // the guest halted (the frontend set cpu.halted)
export const EXCP_DEBUG = 0x10002; // breakpoint or single step for a debugger
export const EXCP_HALTED = 0x10003; // the CPU is halted and has no work
export const EXCP_YIELD = 0x10004;

/** interruptRequest bits (QEMU's CPU_INTERRUPT_*). */
export const CPU_INTERRUPT_HARD = 0x0002;
export const CPU_INTERRUPT_EXITTB = 0x0004;
export const CPU_INTERRUPT_HALT = 0x0020;
export const CPU_INTERRUPT_DEBUG = 0x0080;
export const CPU_INTERRUPT_RESET = 0x0400;
export const CPU_INTERRUPT_TGT_EXT_0 = 0x0008;
export const CPU_INTERRUPT_TGT_EXT_1 = 0x0010;
export const CPU_INTERRUPT_TGT_EXT_2 = 0x0040;
export const CPU_INTERRUPT_TGT_EXT_3 = 0x0200;
export const CPU_INTERRUPT_TGT_EXT_4 = 0x1000;
export const CPU_INTERRUPT_TGT_INT_0 = 0x0100;
export const CPU_INTERRUPT_TGT_INT_1 = 0x0800;
export const CPU_INTERRUPT_TGT_INT_2 = 0x2000;

/**
 * Slots of `CPUState.ctl`, the small Int32Array that generated code and cpu_exec share
 * (QEMU keeps the same things in CPUNegativeOffsetState).
 */
/** Non-zero: TBs must stop at their next chaining point (QEMU's icount_decr.u16.high). */
export const CTL_EXIT_FLAG = 0;
/** TB executions left before the chain returns to cpu_exec. */
export const CTL_CHAIN_BUDGET = 1;
/** Fault site of the op being executed when a guest exception unwinds (-1: none). */
export const CTL_FAULT_SITE = 2;
/** Why the last TB returned null (TB_EXIT_*). */
export const CTL_TB_EXIT = 3;
/** icount mode: guest instructions left in this slice. */
export const CTL_ICOUNT = 4;
/** Set by cpuLoopExit: the helper already set the guest PC, do not restore it. */
export const CTL_NO_RESTORE = 5;
/**
 * Set with a chaining-slot exit by a compiled region (js-region.ts): the index of the
 * member TB that left through its unlinked slot (0: the TB that was called).
 */
export const CTL_REGION_EXIT = 6;
export const CTL_SIZE = 8;

/**
 * What `cpuLoopExit` throws: one immutable sentinel, never an Error, so that unwinding
 * from a helper to cpu_exec costs no stack capture.
 */
export const CPU_LOOP_EXIT: { readonly cpuLoopExit: true } = Object.freeze({ cpuLoopExit: true });

export interface CPUStateOptions {
  layout: StateLayout;
  memory: PhysicalMemory;
  /** Number of softmmu MMU indexes (x86: at least kernel, user and no-paging). */
  nbMmuModes: number;
  /** log2 of TLB entries per MMU index. Default 8. */
  tlbBits?: number;
}

/**
 * The architecture-neutral part of a vCPU (QEMU's CPUState). A frontend's CPU class
 * extends it and keeps typed references to its state arrays:
 *
 * ```ts
 * class ToyCpu extends CPUState {
 *   readonly regs = this.state[REGS.id];
 * }
 * ```
 */
export class CPUState {
  /** The frontend's state arrays, by StateArrayRef.id. */
  readonly state: Int32Array[];
  readonly layout: StateLayout;
  readonly memory: PhysicalMemory;
  readonly tlb: SoftTlb;
  /** Shared with generated code; see CTL_*. */
  readonly ctl = new Int32Array(CTL_SIZE);

  /** Pending guest exception number, or -1 (QEMU's exception_index). */
  exceptionIndex = -1;
  /** Pending CPU_INTERRUPT_* bits. */
  interruptRequest = 0;
  /** Set by HLT-like instructions; cleared by cpu_exec when the frontend has work. */
  halted = false;
  /** Ask cpu_exec to return to its caller (QEMU's exit_request). */
  exitRequest = false;
  /** The TB running now (or that ran last). */
  currentTb: TranslationBlock | null = null;
  /** cflags forced on the next TB (-1: none), e.g. one instruction after an SMC restart. */
  cflagsNextTb = -1;
  /** Guest instructions executed in icount mode. */
  icountExecuted = 0;

  constructor(options: CPUStateOptions) {
    this.layout = options.layout;
    this.memory = options.memory;
    this.state = options.layout.createState();
    this.tlb = new SoftTlb(options.memory, {
      nbMmuModes: options.nbMmuModes,
      bits: options.tlbBits,
    });
    this.ctl[CTL_FAULT_SITE] = -1;
  }

  /** Make TBs stop and cpu_exec return to its caller soon (QEMU's cpu_exit). */
  exit(): void {
    this.exitRequest = true;
    this.ctl[CTL_EXIT_FLAG] = 1;
  }

  /** Raise interrupt request bits: TBs stop so cpu_exec can take them (cpu_interrupt). */
  interrupt(mask: number): void {
    this.interruptRequest |= mask;
    this.ctl[CTL_EXIT_FLAG] = 1;
  }

  /** Lower interrupt request bits (cpu_reset_interrupt). */
  resetInterrupt(mask: number): void {
    this.interruptRequest &= ~mask;
  }
}

/**
 * Unwind to cpu_exec without touching the guest PC (QEMU's cpu_loop_exit): for helpers
 * that have already set the PC themselves (HLT, a syscall that resumes after itself).
 * Set `cpu.exceptionIndex` first (or leave -1 to just leave the TB).
 */
export function cpuLoopExit(cpu: CPUState): never {
  cpu.ctl[CTL_NO_RESTORE] = 1;
  throw CPU_LOOP_EXIT;
}

/**
 * Unwind to cpu_exec and restore the guest state to the start of the guest instruction
 * being executed, from its insn_start data (QEMU's cpu_loop_exit_restore). This is how a
 * helper or tlbFill raises a precise fault. Set `cpu.exceptionIndex` first.
 */
export function cpuLoopExitRestore(cpu: CPUState): never {
  cpu.ctl[CTL_NO_RESTORE] = 0;
  throw CPU_LOOP_EXIT;
}

export function isCpuLoopExit(e: unknown): boolean {
  return e === CPU_LOOP_EXIT;
}
