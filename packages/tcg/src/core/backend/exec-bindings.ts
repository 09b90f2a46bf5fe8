import type { CPUState } from '../exec/cpu-state.js';
import type { TranslationBlock } from '../exec/translation-block.js';
import type { MemOp } from '../ir/opcodes.js';

/**
 * Everything a compiled or interpreted TB reaches at run time, bound once per vCPU.
 * The slow paths take the fault site and the TB whose code is running, so that a guest
 * exception raised inside them can be traced back to its guest instruction (they set
 * ctl[CTL_FAULT_SITE] and cpu.currentTb).
 */
export interface ExecBindings {
  /** The frontend's CPU object: helpers get it as their first argument. */
  readonly cpu: CPUState;
  /** Guest load that missed the inline path. Returns the (extended) 32-bit value. */
  readonly ldSlow: (
    vaddr: number,
    memop: MemOp,
    mmuIdx: number,
    site: number,
    tb: TranslationBlock,
  ) => number;
  /** Guest store that missed the inline path. */
  readonly stSlow: (
    vaddr: number,
    value: number,
    memop: MemOp,
    mmuIdx: number,
    site: number,
    tb: TranslationBlock,
  ) => void;
  /**
   * lookup_and_goto_ptr: the TB for the current guest state, found without translating,
   * or null (with ctl[CTL_TB_EXIT] = TB_EXIT_NOCHAIN) to let cpu_exec translate it.
   */
  readonly lookupTbPtr: () => TranslationBlock | null;
}
