import type { MMUAccessType } from '../softmmu/tlb.js';
import type { CPUState } from './cpu-state.js';
import type { TranslationBlock } from './translation-block.js';
import type { DisasContextBase } from './translator.js';

/** The TB key of the current CPU state (QEMU's cpu_get_tb_cpu_state). */
export interface TbCpuState {
  /** Guest virtual PC of the next instruction (x86: cs_base + eip). */
  pc: number;
  csBase: number;
  /** Everything that changes how code translates (x86: CPL, CS.D, SS.B, PE, VM86, ...). */
  flags: number;
}

/**
 * What a guest architecture gives the JIT core (QEMU's TCGCPUOps plus the translator).
 * The core never looks inside the CPU: everything it needs goes through these hooks.
 */
export interface Frontend<C extends CPUState> {
  readonly name: string;
  /** Words of data per insn_start: the guest PC first, then restoreStateToOpc's extras. */
  readonly insnStartWords: number;

  /** Fill `out` with the TB key for the current state. Called for every TB lookup. */
  getTbCpuState(cpu: C, out: TbCpuState): void;
  /** The MMU index used for instruction fetch under these TB flags. */
  codeMmuIndex(cpu: C, flags: number): number;
  /**
   * Translate one TB: usually `translatorLoop(ops, new MyDisasContext(db), cpu)`.
   * Fetch code only through `db.ldub/lduw/ldl`.
   */
  genIntermediateCode(cpu: C, db: DisasContextBase): void;
  /**
   * Restore the guest state at the start of instruction `data[offset..]` (its insn_start
   * words) after a guest exception unwound from inside it. Globals are already exact;
   * typically this sets the PC (and x86's cc_op when it was known at translation time).
   */
  restoreStateToOpc(cpu: C, tb: TranslationBlock, data: Float64Array, offset: number): void;
  /** Set the PC to the start of `tb`: it was chained to but is not going to run now. */
  synchronizeFromTb(cpu: C, tb: TranslationBlock): void;
  /**
   * The page walk (QEMU's tlb_fill): on success call `cpu.tlb.setPage(...)` and return
   * true; on failure return false if `probe`, else raise the guest fault (set
   * cpu.exceptionIndex and the fault details, then cpuLoopExitRestore(cpu)).
   */
  tlbFill(
    cpu: C,
    vaddr: number,
    size: number,
    access: MMUAccessType,
    mmuIdx: number,
    probe: boolean,
  ): boolean;
  /**
   * A CPU_INTERRUPT_* bit is pending: take the interrupt if the guest allows it (deliver
   * it, e.g. by setting exceptionIndex and calling doInterrupt) and return true; return
   * false to keep running with it pending.
   */
  cpuExecInterrupt(cpu: C, interruptRequest: number): boolean;
  /** Deliver `cpu.exceptionIndex` (< EXCP_INTERRUPT): push the frame, jump to the handler. */
  doInterrupt(cpu: C): void;
  /** True when a halted CPU should wake (an unmasked interrupt is pending). */
  hasWork(cpu: C): boolean;
  /** Raise the alignment fault for an MO_ALIGN access. Must not return. */
  doUnalignedAccess?(cpu: C, vaddr: number, access: MMUAccessType, mmuIdx: number): never;
  /** Called when cpu_exec starts and ends (x86 converts eflags to and from cc_* here). */
  cpuExecEnter?(cpu: C): void;
  cpuExecExit?(cpu: C): void;
}
