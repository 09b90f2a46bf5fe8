import { StateLayout } from '../../core/ir/state-layout.js';

/**
 * The i386 CPU state as the JIT sees it: a few Int32Arrays declared once (the layout is
 * immutable after freeze; every CPU allocates its own arrays with `createState`).
 *
 * IR globals (kept in JS locals inside a TB): the eight general registers, EIP, the lazy
 * condition codes, DF, and the bases of the six segment registers. Everything else
 * (selectors, limits, attributes, control registers, MSRs...) is read and written by
 * helpers, or from IR with loadState/storeState.
 */
export const X86_LAYOUT = new StateLayout();

export const REGS = X86_LAYOUT.addArray('regs', 8);

/** Slots of the `core` array (all IR globals). */
export const CORE = {
  EIP: 0,
  /** Lazy condition codes (QEMU's cc_op, cc_dst, cc_src, cc_src2). */
  CC_OP: 1,
  CC_DST: 2,
  CC_SRC: 3,
  CC_SRC2: 4,
  /** Direction: +1 (DF clear) or -1 (DF set), as QEMU's env->df. */
  DF: 5,
} as const;
export const CORE_ARRAY = X86_LAYOUT.addArray('core', 6);

/**
 * Segment registers ES CS SS DS FS GS (0-5), LDTR (6) and TR (7): visible selector and
 * hidden descriptor cache (base, limit in bytes, attribute flags as in the descriptor's
 * high dword). The bases of 0-5 are IR globals.
 */
export const SEG_BASE = X86_LAYOUT.addArray('segbase', 8);
export const SEG_SELECTOR = X86_LAYOUT.addArray('segsel', 8);
export const SEG_LIMIT = X86_LAYOUT.addArray('seglimit', 8);
export const SEG_FLAGS = X86_LAYOUT.addArray('segflags', 8);

/** Slots of the `sys` array: system registers and exception bookkeeping. */
export const SYS = {
  /** EFLAGS without the arithmetic flags (in cc_*) and DF (in core.DF). */
  EFLAGS: 0,
  HFLAGS: 1,
  HFLAGS2: 2,
  CR0: 3,
  CR2: 4,
  CR3: 5,
  CR4: 6,
  GDT_BASE: 7,
  GDT_LIMIT: 8,
  IDT_BASE: 9,
  IDT_LIMIT: 10,
  /** DR0-DR7 at DR0 + n. */
  DR0: 11,
  EFER_LO: 19,
  EFER_HI: 20,
  /** Physical address mask: bit 20 clear while the A20 gate is closed. */
  A20_MASK: 21,
  SYSENTER_CS: 22,
  SYSENTER_ESP: 23,
  SYSENTER_EIP: 24,
  APICBASE_LO: 25,
  APICBASE_HI: 26,
  MISC_ENABLE: 27,
  PAT_LO: 28,
  PAT_HI: 29,
  MTRR_DEFTYPE: 30,
  MCG_STATUS: 31,
  /** TSC = virtual-clock nanoseconds + offset (64 bits as two halves). */
  TSC_OFFSET_LO: 32,
  TSC_OFFSET_HI: 33,
  /** The pending exception's error code (valid when it has one). */
  ERROR_CODE: 34,
  /** 1 when the pending exception is a software interrupt (INT n, INT3, INTO). */
  EXCEPTION_IS_INT: 35,
  /** EIP after the INT instruction, for software interrupts. */
  EXCEPTION_NEXT_EIP: 36,
  /** The exception being delivered (-1: none), for double-fault detection. */
  OLD_EXCEPTION: 37,
} as const;
export const SYS_ARRAY = X86_LAYOUT.addArray('sys', 40);

/** MTRRs: 11 fixed-range MSRs then 8 variable base/mask pairs, each as lo/hi halves. */
export const MTRR_FIXED_COUNT = 11;
export const MTRR_VAR_COUNT = 8;
export const MTRR_ARRAY = X86_LAYOUT.addArray('mtrr', (MTRR_FIXED_COUNT + MTRR_VAR_COUNT * 2) * 2);

/**
 * x87 FPU control and status (QEMU's fpuc/fpus/fpstt/fptags...). Shared by the x87 translator
 * (fpu/), the MMX/SSE translator (simd/) and FXSAVE/FXRSTOR, so its meaning is fixed here:
 * - FCW: the control word (16 bits). Reset and FNINIT: 0x037f.
 * - FSW: the status word WITHOUT the TOP field (bits 11-13 kept 0 here); the architectural
 *   status word is `FSW | (FTOP << 11)`.
 * - FTOP: the stack top, 0-7.
 * - FTAGS_EMPTY: bit i set when PHYSICAL register i is empty (reset and FNINIT: 0xff). The
 *   full two-bit tag word of FSTENV/FSAVE is derived from the register contents.
 * - FIP/FCS/FDP/FDS/FOP: last instruction pointer, its CS selector, last data pointer, its
 *   selector, and the last opcode's 11 bits.
 * - MXCSR: the SSE control/status register (reset: 0x1f80).
 */
export const FPU = {
  FCW: 0,
  FSW: 1,
  FTOP: 2,
  FTAGS_EMPTY: 3,
  FIP: 4,
  FCS: 5,
  FDP: 6,
  FDS: 7,
  FOP: 8,
  MXCSR: 9,
} as const;
export const FPU_ARRAY = X86_LAYOUT.addArray('fpu', 10);

/**
 * The eight PHYSICAL x87 registers R0-R7 (ST(i) is R((TOP + i) & 7)), four words each:
 * [4*i] significand bits 0-31, [4*i+1] significand bits 32-63 (bit 63 is the explicit
 * integer bit), [4*i+2] sign and exponent (bit 15 sign, bits 0-14 biased exponent), [4*i+3]
 * unused. MMX register MMi is the 64-bit significand of Ri; an MMX write sets Ri's
 * sign/exponent word to 0xffff (as hardware does).
 */
export const FPREGS_ARRAY = X86_LAYOUT.addArray('fpregs', 32);

/** XMM0-XMM7, four little-endian dwords each: [4*i] is bits 0-31 of XMMi. */
export const XMM_ARRAY = X86_LAYOUT.addArray('xmm', 32);

/**
 * Segment access checks, derived from the segment caches of ES..GS whenever they or the CPU
 * mode change (X86Cpu.updateSegmentChecks). For each segment, read (0) or write (1), and
 * access size 1/2/4 (index 0/1/2), a pair [lo, span]: an access at offset `o` is allowed
 * when `(o - lo) >>> 0 < span >>> 0` (lo is the lowest valid offset, span the number of
 * valid start offsets; span 0 means every access faults). Generated code reads them with
 * loadState only in TBs whose flags say the segment needs checks (HF_SEGCHK).
 */
export const SEG_CHECK_ARRAY = X86_LAYOUT.addArray('segcheck', 6 * 2 * 3 * 2);

/** Slot of `lo` for (segment, write?, size in bytes); `span` is the next slot. */
export function segCheckSlot(seg: number, write: boolean, size: number): number {
  const sizeIndex = size === 1 ? 0 : size === 2 ? 1 : 2;
  return ((seg * 2 + (write ? 1 : 0)) * 3 + sizeIndex) * 2;
}

const regNames = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'];
/** IR globals of the general registers, by encoding number. */
export const G_REGS = X86_LAYOUT.addGlobals(REGS, regNames);
export const G_EIP = X86_LAYOUT.addGlobal(CORE_ARRAY, CORE.EIP, 'eip');
export const G_CC_OP = X86_LAYOUT.addGlobal(CORE_ARRAY, CORE.CC_OP, 'cc_op');
export const G_CC_DST = X86_LAYOUT.addGlobal(CORE_ARRAY, CORE.CC_DST, 'cc_dst');
export const G_CC_SRC = X86_LAYOUT.addGlobal(CORE_ARRAY, CORE.CC_SRC, 'cc_src');
export const G_CC_SRC2 = X86_LAYOUT.addGlobal(CORE_ARRAY, CORE.CC_SRC2, 'cc_src2');
export const G_DF = X86_LAYOUT.addGlobal(CORE_ARRAY, CORE.DF, 'df');
const segNames = ['es_base', 'cs_base', 'ss_base', 'ds_base', 'fs_base', 'gs_base'];
/** IR globals of the segment bases ES CS SS DS FS GS. */
export const G_SEG_BASE = X86_LAYOUT.addGlobals(SEG_BASE, segNames);
/** The lazy-flag globals, for helper effect lists. */
export const G_CC = [G_CC_OP, G_CC_DST, G_CC_SRC, G_CC_SRC2] as const;

X86_LAYOUT.freeze();

/** MMU indexes of the softmmu TLB. */
export const MMU_KERNEL_IDX = 0;
export const MMU_USER_IDX = 1;
export const X86_MMU_MODES = 2;
