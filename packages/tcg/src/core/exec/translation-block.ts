import type { InterpProgram } from '../backend/interpreter.js';
import type { RamPage } from '../softmmu/physical-memory.js';

/** Compile flags of a TB (QEMU's CF_*), part of its lookup key. */
export const CF_COUNT_MASK = 0x1ff; // at most this many guest instructions (0: default)
export const CF_NO_GOTO_TB = 0x200; // no direct chaining (single-step, debugging)
export const CF_NO_GOTO_PTR = 0x400;
export const CF_SINGLE_STEP = 0x800;
export const CF_NOCACHE = 0x1000; // run once, never cached (code outside RAM)
export const CF_USE_ICOUNT = 0x2000;
export const CF_NOIRQ = 0x10000; // run without taking interrupts first (after an SMC restart)

/**
 * A TB's entry point: runs the TB (and any self-loop on it), then
 * returns the successor to run next when it leaves through a linked chaining slot or
 * lookup_and_goto_ptr, or null with the reason in ctl[CTL_TB_EXIT].
 */
export type TbFunction = () => TranslationBlock | null;

/** One translated block of guest code (QEMU's TranslationBlock). */
export class TranslationBlock {
  /** The compiled code; replaced when the tiered backend compiles a hot TB to JS. */
  fn: TbFunction = () => {
    throw new Error('TranslationBlock: not compiled');
  };
  /** Direct-jump successors, linked after their first lookup (null: not linked). */
  readonly jmpDest: (TranslationBlock | null)[] = [null, null];
  /** TBs whose chaining slots point here, with the slot numbers: unlinked on invalidation. */
  readonly incomingTb: TranslationBlock[] = [];
  readonly incomingSlot: number[] = [];
  /** ram_addr of the first byte (-1 for code outside RAM). */
  physPc = -1;
  /** ram_addr of the start of each page the code lies on (-1: none). */
  readonly pageAddr: [number, number] = [-1, -1];
  /** Bytes of guest code. */
  size = 0;
  /** Guest instructions. */
  icount = 0;
  /** insn_start data, `insnStartWords` numbers per instruction. */
  insnData: Float64Array = new Float64Array(0);
  /** Fault site -> guest instruction index. */
  siteInsn: Int32Array = new Int32Array(0);
  /** Executions so far (the tiered backend compiles hot TBs). */
  execCount = 0;
  /**
   * The tiered backend's interpreter program while the TB is cold (not yet compiled): the
   * trampoline runs it directly. Null once compiled, and with the other backends.
   */
  coldProgram: InterpProgram | null = null;
  /**
   * The compiled region (core/backend/js-region.ts) this TB joined last, and its index
   * there: a region dispatches a lookup's result within itself only when they match.
   * 0: none.
   */
  regionId = 0;
  regionIndex = 0;
  /** A region's root TB (member 0, whose TB function the region is): all its members. */
  regionMembers: TranslationBlock[] | null = null;
  /**
   * The RAM pages the code was read from (null for code outside RAM): the tiered backend
   * translates a hot TB again from them instead of keeping every TB's IR.
   */
  codePage0: RamPage | null = null;
  codePage1: RamPage | null = null;

  /** Set when invalidated (code overwritten, cache flushed). */
  invalid = false;
  /** Next TB in the same hash bucket. */
  hashNext: TranslationBlock | null = null;

  constructor(
    /** Guest virtual PC (x86: linear address cs_base + eip). */
    readonly pc: number,
    readonly csBase: number,
    /** Frontend flags that change translation (x86: CPL, code size, PE...). */
    readonly flags: number,
    readonly cflags: number,
  ) {}

  /** True when the TB's code overlaps the ram_addr range [start, end). */
  overlapsRam(start: number, end: number): boolean {
    const first = this.physPc;
    if (first < 0) return false;
    const firstPageEnd = this.pageAddr[0] + 4096;
    const endOnFirst = Math.min(first + this.size, firstPageEnd);
    if (first < end && endOnFirst > start) return true;
    if (this.pageAddr[1] >= 0) {
      const rest = first + this.size - firstPageEnd;
      const p = this.pageAddr[1];
      if (rest > 0 && p < end && p + rest > start) return true;
    }
    return false;
  }

  toString(): string {
    return `TB[pc=0x${(this.pc >>> 0).toString(16)} cs_base=0x${this.csBase.toString(16)} flags=0x${(this.flags >>> 0).toString(16)} cflags=0x${this.cflags.toString(16)}]`;
  }
}
