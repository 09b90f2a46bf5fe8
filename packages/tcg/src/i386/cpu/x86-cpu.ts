import { CPU_INTERRUPT_DEBUG, CPU_INTERRUPT_HARD, CPUState } from '../../core/exec/cpu-state.js';
import { type LogSink, nullLogSink } from '../../core/log.js';
import type { PhysicalMemory } from '../../core/softmmu/physical-memory.js';
import type { X87Context } from '../fpu/x87-context.js';
import { checkWatchpoints } from '../helpers/debug-helper.js';
import { StringCursor } from '../helpers/string-cursor.js';
import {
  PageWalkResult,
  type PagingMode,
  type PhysicalAccess,
  pagingMode,
} from '../mmu/pagewalk.js';
import {
  SEGMENT_CHECK_SIZES,
  type SegmentRights,
  type SegmentWindow,
  segmentIsFlat,
  segmentRights,
  segmentWindow,
} from '../mmu/segment-check.js';
import type { SimdEnv } from '../simd/env.js';
import { CC_OP_EFLAGS, ccComputeAll } from './cc-helper.js';
import {
  APIC_DEFAULT_ADDRESS,
  APICBASE_BSP,
  APICBASE_ENABLE,
  CC_MASK,
  CR0_EM,
  CR0_ET,
  CR0_MP,
  CR0_PE,
  CR0_PG,
  CR0_TS,
  CR0_WP,
  CR4_DE,
  CR4_OSFXSR,
  CR4_PAE,
  CR4_PGE,
  CR4_PSE,
  CR4_PVI,
  CR4_VME,
  DF_MASK,
  DR6_FIXED_1,
  DR7_FIXED_1,
  DR7_LOCAL_MASK,
  DR7_TYPE_EXEC,
  DR7_TYPE_IO,
  EFLAGS_FIXED,
  HF_ADDSEG,
  HF_CPL_MASK,
  HF_CS32,
  HF_EM,
  HF_IOBPT,
  HF_MP,
  HF_OSFXSR,
  HF_PE,
  HF_PVI,
  HF_SEGCHK_MASK,
  HF_SEGCHK_SHIFT,
  HF_SS32,
  HF_TS,
  HF_VME,
  MISC_ENABLE_DEFAULT,
  PAT_RESET_HI,
  PAT_RESET_LO,
  R_CS,
  R_DS,
  R_EDX,
  R_ES,
  R_LDTR,
  R_SS,
  R_TR,
  TB_EFLAGS_MASK,
  VM_MASK,
} from './constants.js';
import { type CpuModel, cpuSignature, qemu32Model } from './cpuid.js';
import { dumpX86State } from './dump.js';
import {
  type ApicBaseMsr,
  type CpuInterruptLines,
  EMPTY_IO_SPACE,
  type IoPortSpace,
} from './interfaces.js';
import {
  CORE,
  CORE_ARRAY,
  FPREGS_ARRAY,
  FPU,
  FPU_ARRAY,
  MMU_KERNEL_IDX,
  MMU_USER_IDX,
  MTRR_ARRAY,
  REGS,
  SEG_BASE,
  SEG_CHECK_ARRAY,
  SEG_FLAGS,
  SEG_LIMIT,
  SEG_SELECTOR,
  SYS,
  SYS_ARRAY,
  segCheckSlot,
  X86_LAYOUT,
  X86_MMU_MODES,
  XMM_ARRAY,
} from './state-layout.js';

/** Apply the A20 mask to a physical address (which may be above 4 GiB with PAE). */
export function maskA20(addr: number, a20Mask: number): number {
  if (a20Mask === -1) return addr;
  const low = addr % 0x100000000;
  return addr - low + ((low & a20Mask) >>> 0);
}

/** Descriptor attribute bits used by the reset state (see mmu/descriptor.ts Desc). */
const DESC_P = 1 << 15;
const DESC_S = 1 << 12;
const DESC_CS = 1 << 11;
const DESC_RW = 1 << 9;
const DESC_A = 1 << 8;
const DESC_B = 1 << 22;

export interface X86CpuOptions {
  memory: PhysicalMemory;
  /** The I/O port space for IN/OUT/INS/OUTS. Default: nothing attached. */
  io?: IoPortSpace;
  /** Interrupt lines polled at instruction boundaries (a LocalApic, or a PIC adapter). */
  interrupts?: CpuInterruptLines | null;
  /** IA32_APIC_BASE forwarding; also makes CPUID claim `apic`. */
  apic?: ApicBaseMsr | null;
  /** Default: qemu32-like, claiming only what is implemented. */
  model?: CpuModel;
  apicId?: number;
  /**
   * Virtual time in nanoseconds, for the TSC (1 GHz: one tick per nanosecond). Default: host
   * time since the CPU was created; a machine passes its virtual clock.
   */
  clockNs?: () => number;
  log?: LogSink;
  /** log2 of TLB entries per MMU index (default 8). */
  tlbBits?: number;
  /**
   * The legacy FERR# output of the x87 (QEMU's ferr_irq): raised when a waiting x87
   * instruction finds an unmasked exception pending while CR0.NE is clear, lowered when
   * FNCLEX/FNINIT (or a loaded status word) clears it. A PC wires it to IRQ13.
   */
  ferr?: (level: boolean) => void;
}

/**
 * One i386 vCPU: QEMU's X86CPU/CPUX86State. Architectural state lives in the Int32Arrays
 * declared in state-layout.ts (typed views below); helpers and the frontend hooks read and
 * write them directly, generated code through IR globals.
 */
export class X86Cpu extends CPUState {
  readonly regs: Int32Array;
  readonly core: Int32Array;
  readonly segBase: Int32Array;
  readonly segSelector: Int32Array;
  readonly segLimit: Int32Array;
  readonly segFlags: Int32Array;
  readonly sys: Int32Array;
  readonly mtrr: Int32Array;
  /** x87 control/status and MXCSR (slots in FPU), physical x87 registers, XMM registers. */
  readonly fpu: Int32Array;
  readonly fpregs: Int32Array;
  readonly xmm: Int32Array;
  /** The segment-check windows of ES..GS (see SEG_CHECK_ARRAY). */
  readonly segCheck: Int32Array;

  io: IoPortSpace;
  interrupts: CpuInterruptLines | null;
  apic: ApicBaseMsr | null;
  readonly model: CpuModel;
  readonly apicId: number;
  clockNs: () => number;
  log: LogSink;
  /** The x87 FERR# output (see X86CpuOptions.ferr), or null when nothing is wired to it. */
  ferr: ((level: boolean) => void) | null;

  /** Paging controls derived from CR0/CR4/EFER (rebuilt when they change). */
  pagingMode: PagingMode;
  /** Set by a triple fault or a reset request from the CPU; the runner reports it. */
  resetRequested = false;
  /** Scratch words for helpers (descriptor dwords), so that they allocate nothing. */
  readonly scratch = new Int32Array(8);
  /** Interrupts delivered so far (the `-d int` counter). */
  interruptCount = 0;
  /** The page walker's result and its view of physical memory (A20 applied). */
  readonly pageWalkResult = new PageWalkResult();
  readonly walkerMemory: PhysicalAccess;
  /** The string helpers' per-CPU working state. */
  readonly stringCursor = new StringCursor();
  /** Remainder out-parameter of the 64/32 division helper. */
  readonly divRemainder = new Float64Array(1);
  /**
   * The x87 and SIMD helpers' working space (fpu/x87-context.ts, simd/env.ts), made on
   * first use. Fields rather than a WeakMap keyed by the CPU: a WeakMap lookup on every
   * FMUL or ADDPS cost more than the arithmetic (bench/RESULTS-fpu.md).
   */
  x87Context: X87Context | null = null;
  simdEnv: SimdEnv | null = null;

  // ---- debug registers (derived from DR0-DR7; see helpers/debug-helper.ts) -----------------
  /** Bit n: DRn is an enabled instruction breakpoint (DR7 Ln/Gn set, RW = 00). */
  breakpointMask = 0;
  /** Bit n: DRn is an enabled data breakpoint (RW = 01 write, or 11 read/write). */
  watchpointMask = 0;
  /**
   * DR6 bits of a #DB trap to deliver after the current instruction (data breakpoints hit,
   * BT after a task switch), and whether one is pending (cpu_exec takes it first).
   */
  pendingDebugDr6 = 0;
  debugTrapPending = false;
  private readonly rights: SegmentRights = {
    readable: false,
    writable: false,
    expandDown: false,
    limit: 0,
    upper: 0,
  };
  private readonly window: SegmentWindow = { lo: 0, span: 0 };

  constructor(options: X86CpuOptions) {
    super({
      layout: X86_LAYOUT,
      memory: options.memory,
      nbMmuModes: X86_MMU_MODES,
      tlbBits: options.tlbBits,
    });
    this.regs = this.state[REGS.id];
    this.core = this.state[CORE_ARRAY.id];
    this.segBase = this.state[SEG_BASE.id];
    this.segSelector = this.state[SEG_SELECTOR.id];
    this.segLimit = this.state[SEG_LIMIT.id];
    this.segFlags = this.state[SEG_FLAGS.id];
    this.sys = this.state[SYS_ARRAY.id];
    this.mtrr = this.state[MTRR_ARRAY.id];
    this.fpu = this.state[FPU_ARRAY.id];
    this.fpregs = this.state[FPREGS_ARRAY.id];
    this.xmm = this.state[XMM_ARRAY.id];
    this.segCheck = this.state[SEG_CHECK_ARRAY.id];
    this.io = options.io ?? EMPTY_IO_SPACE;
    this.interrupts = options.interrupts ?? null;
    this.apic = options.apic ?? null;
    this.model = options.model ?? qemu32Model(this.apic !== null);
    this.apicId = options.apicId ?? 0;
    const start = performance.now();
    this.clockNs = options.clockNs ?? (() => Math.floor((performance.now() - start) * 1e6));
    this.log = options.log ?? nullLogSink;
    this.ferr = options.ferr ?? null;
    this.pagingMode = pagingMode(0, 0);
    const memory = options.memory;
    const sys = this.sys;
    this.walkerMemory = {
      read32: (a: number) => memory.read(maskA20(a, sys[SYS.A20_MASK]), 4),
      write32: (a: number, v: number) => memory.write(maskA20(a, sys[SYS.A20_MASK]), 4, v >>> 0),
    };
    this.tlb.watchpointCheck = (vaddr, size, access) => checkWatchpoints(this, vaddr, size, access);
    this.reset();
  }

  // ---- registers --------------------------------------------------------------------

  get eip(): number {
    return this.core[CORE.EIP] >>> 0;
  }
  set eip(v: number) {
    this.core[CORE.EIP] = v;
  }

  get hflags(): number {
    return this.sys[SYS.HFLAGS];
  }
  set hflags(v: number) {
    this.sys[SYS.HFLAGS] = v;
  }

  get cpl(): number {
    return this.sys[SYS.HFLAGS] & HF_CPL_MASK;
  }

  get cr0(): number {
    return this.sys[SYS.CR0] >>> 0;
  }
  get cr4(): number {
    return this.sys[SYS.CR4] >>> 0;
  }

  /** True in protected mode outside virtual-8086 mode. */
  get protectedMode(): boolean {
    return (this.sys[SYS.HFLAGS] & HF_PE) !== 0 && (this.sys[SYS.EFLAGS] & VM_MASK) === 0;
  }

  /** The six arithmetic flags, computed from the lazy state. */
  computeCcFlags(): number {
    const c = this.core;
    return ccComputeAll(c[CORE.CC_OP], c[CORE.CC_DST], c[CORE.CC_SRC], c[CORE.CC_SRC2]);
  }

  /** The whole EFLAGS register (QEMU's cpu_compute_eflags). */
  get eflags(): number {
    return (
      (this.sys[SYS.EFLAGS] | this.computeCcFlags() | (this.core[CORE.DF] < 0 ? DF_MASK : 0)) >>> 0
    );
  }

  /**
   * Write the EFLAGS bits in `updateMask` (the arithmetic flags and DF always), as QEMU's
   * cpu_load_eflags: the arithmetic flags become the lazy state CC_OP_EFLAGS.
   */
  loadEflags(value: number, updateMask: number): void {
    const c = this.core;
    c[CORE.CC_SRC] = value & CC_MASK;
    c[CORE.CC_OP] = CC_OP_EFLAGS;
    c[CORE.DF] = value & DF_MASK ? -1 : 1;
    const old = this.sys[SYS.EFLAGS];
    const keep = old & ~updateMask;
    this.sys[SYS.EFLAGS] = (keep | (value & updateMask) | EFLAGS_FIXED) & ~(CC_MASK | DF_MASK);
    // Entering or leaving virtual-8086 mode changes which segment checks apply.
    if ((old ^ this.sys[SYS.EFLAGS]) & VM_MASK) this.updateSegmentHflags();
  }

  /** The TB key flags: hflags plus the EFLAGS bits that change translation. */
  tbFlags(): number {
    return this.sys[SYS.HFLAGS] | (this.sys[SYS.EFLAGS] & TB_EFLAGS_MASK);
  }

  /** The MMU index for data accesses at the current privilege. */
  mmuIndex(): number {
    return (this.sys[SYS.HFLAGS] & HF_CPL_MASK) === 3 ? MMU_USER_IDX : MMU_KERNEL_IDX;
  }

  // ---- segments ---------------------------------------------------------------------

  /**
   * Load a segment register's visible and hidden parts and recompute the hflags that
   * depend on them (QEMU's cpu_x86_load_seg_cache). Loading SS sets the CPL to its DPL.
   */
  loadSegCache(seg: number, selector: number, base: number, limit: number, flags: number): void {
    this.segSelector[seg] = selector & 0xffff;
    this.segBase[seg] = base;
    this.segLimit[seg] = limit;
    this.segFlags[seg] = flags;
    if (seg >= R_LDTR) return;
    let h = this.sys[SYS.HFLAGS];
    if (seg === R_CS) h = (h & ~HF_CS32) | (flags & DESC_B ? HF_CS32 : 0);
    if (seg === R_SS) h = (h & ~HF_CPL_MASK) | ((flags >> 13) & 3);
    this.sys[SYS.HFLAGS] = h;
    this.updateSegmentHflags();
  }

  /** Real-mode (and "unreal") segment load: selector and base only, as QEMU does. */
  loadRealModeSegment(seg: number, selector: number): void {
    this.segSelector[seg] = selector & 0xffff;
    this.segBase[seg] = (selector & 0xffff) << 4;
    this.updateSegmentHflags();
  }

  /** SS32, ADDSEG and the segment-check flags from the current segments and mode. */
  updateSegmentHflags(): void {
    let h = this.sys[SYS.HFLAGS] & ~(HF_SS32 | HF_ADDSEG);
    if (this.segFlags[R_SS] & DESC_B) h |= HF_SS32;
    const flat32 =
      (h & HF_PE) !== 0 && (this.sys[SYS.EFLAGS] & VM_MASK) === 0 && (h & HF_CS32) !== 0;
    if (!flat32 || (this.segBase[R_DS] | this.segBase[R_ES] | this.segBase[R_SS]) !== 0)
      h |= HF_ADDSEG;
    this.sys[SYS.HFLAGS] = h;
    this.updateSegmentChecks();
  }

  /**
   * Recompute the access windows of ES..GS (SEG_CHECK_ARRAY) and which segments need
   * checks at all (HF_SEGCHK): flat segments cost generated code nothing.
   */
  updateSegmentChecks(): void {
    const pm = (this.sys[SYS.HFLAGS] & HF_PE) !== 0 && (this.sys[SYS.EFLAGS] & VM_MASK) === 0;
    const out = this.segCheck;
    const r = this.rights;
    const w = this.window;
    let bits = 0;
    for (let seg = 0; seg < 6; seg++) {
      segmentRights(this.segFlags[seg], this.segLimit[seg], pm, r);
      if (!segmentIsFlat(r)) bits |= 1 << seg;
      for (let rw = 0; rw < 2; rw++) {
        const write = rw === 1;
        for (const size of SEGMENT_CHECK_SIZES) {
          segmentWindow(r, write, size, w);
          const slot = segCheckSlot(seg, write, size);
          out[slot] = w.lo | 0;
          // A window of all 2^32 offsets (a byte access to a 4 GiB segment that needs
          // checks for another kind of access) is stored as 2^32 - 1: see docs.
          out[slot + 1] = Math.min(w.span, 0xffffffff) | 0;
        }
      }
    }
    this.sys[SYS.HFLAGS] = (this.sys[SYS.HFLAGS] & ~HF_SEGCHK_MASK) | (bits << HF_SEGCHK_SHIFT);
  }

  setCpl(cpl: number): void {
    this.sys[SYS.HFLAGS] = (this.sys[SYS.HFLAGS] & ~HF_CPL_MASK) | (cpl & 3);
  }

  // ---- control registers --------------------------------------------------------------

  /** MOV to CR0 (QEMU's cpu_x86_update_cr0): flushes the TLB when paging controls change. */
  setCr0(value: number): void {
    const old = this.sys[SYS.CR0];
    const v = value | CR0_ET | 0;
    if ((old ^ v) & (CR0_PG | CR0_WP | CR0_PE)) this.tlb.flush();
    this.sys[SYS.CR0] = v;
    let h = this.sys[SYS.HFLAGS] & ~(HF_PE | HF_MP | HF_EM | HF_TS);
    if (v & CR0_PE) h |= HF_PE;
    else h |= HF_ADDSEG;
    h |= (v & (CR0_MP | CR0_EM | CR0_TS)) << 8;
    this.sys[SYS.HFLAGS] = h;
    // PE decides which segment checks apply (types in protected mode, limits only in real mode).
    if ((old ^ v) & CR0_PE) this.updateSegmentHflags();
    this.updatePagingMode();
  }

  setCr3(value: number): void {
    this.sys[SYS.CR3] = value;
    this.tlb.flush();
  }

  setCr4(value: number): void {
    const old = this.sys[SYS.CR4];
    if ((old ^ value) & (CR4_PGE | CR4_PAE | CR4_PSE)) this.tlb.flush();
    this.sys[SYS.CR4] = value;
    this.sys[SYS.HFLAGS] =
      (this.sys[SYS.HFLAGS] & ~(HF_OSFXSR | HF_VME | HF_PVI)) |
      (value & CR4_OSFXSR ? HF_OSFXSR : 0) |
      (value & CR4_VME ? HF_VME : 0) |
      (value & CR4_PVI ? HF_PVI : 0);
    // CR4.DE turns DR7 RW=10 into I/O breakpoints.
    if ((old ^ value) & CR4_DE) this.updateDebugState();
    this.updatePagingMode();
  }

  /** EFER (only SCE and NXE exist on this CPU): NXE changes the page walk. */
  setEfer(lo: number): void {
    if ((lo ^ this.sys[SYS.EFER_LO]) & ~1) this.tlb.flush();
    this.sys[SYS.EFER_LO] = lo;
    this.updatePagingMode();
  }

  // ---- debug registers ------------------------------------------------------------------

  /**
   * Recompute what DR7 enables (QEMU's cpu_x86_update_dr7 without cpu_breakpoint lists):
   * the instruction breakpoints getTbCpuState looks for, the data breakpoints the TLB
   * marks pages for (a change flushes it, so watched pages take the slow path), and
   * HF_IOBPT for I/O breakpoints.
   */
  updateDebugState(): void {
    const dr7 = this.sys[SYS.DR0 + 7];
    const de = (this.sys[SYS.CR4] & CR4_DE) !== 0;
    let exec = 0;
    let data = 0;
    let io = false;
    for (let n = 0; n < 4; n++) {
      if (!((dr7 >> (2 * n)) & 3)) continue;
      const type = (dr7 >>> (16 + 4 * n)) & 3;
      if (type === DR7_TYPE_EXEC) exec |= 1 << n;
      else if (type === DR7_TYPE_IO) io ||= de;
      else data |= 1 << n;
    }
    this.breakpointMask = exec;
    if (data !== this.watchpointMask || data !== 0) this.tlb.flush();
    this.watchpointMask = data;
    this.sys[SYS.HFLAGS] = (this.sys[SYS.HFLAGS] & ~HF_IOBPT) | (io ? HF_IOBPT : 0);
  }

  /** Drop a pending data-breakpoint trap: the instruction faulted instead of completing. */
  forgetDebugTrap(): void {
    this.pendingDebugDr6 = 0;
    this.debugTrapPending = false;
    this.resetInterrupt(CPU_INTERRUPT_DEBUG);
  }

  /** A task switch clears the local breakpoint enables L0-L3 and LE. */
  clearLocalBreakpoints(): void {
    if (this.sys[SYS.DR0 + 7] & DR7_LOCAL_MASK) {
      this.sys[SYS.DR0 + 7] &= ~DR7_LOCAL_MASK;
      this.updateDebugState();
    }
  }

  updatePagingMode(): void {
    this.pagingMode = pagingMode(this.sys[SYS.CR0], this.sys[SYS.CR4], this.sys[SYS.EFER_LO]);
  }

  get pagingEnabled(): boolean {
    return (this.sys[SYS.CR0] & CR0_PG) !== 0;
  }

  /** Open or close the A20 gate (QEMU's x86_cpu_set_a20). */
  setA20(enabled: boolean): void {
    const mask = enabled ? -1 : ~(1 << 20);
    if (mask !== this.sys[SYS.A20_MASK]) {
      this.sys[SYS.A20_MASK] = mask;
      this.tlb.flush();
    }
  }

  get a20Enabled(): boolean {
    return (this.sys[SYS.A20_MASK] & (1 << 20)) !== 0;
  }

  // ---- time stamp counter ---------------------------------------------------------------

  /** The TSC as [low, high] unsigned halves. */
  readTsc(): [number, number] {
    const ns = Math.max(0, Math.floor(this.clockNs()));
    const nsLo = ns % 0x100000000;
    const nsHi = Math.floor(ns / 0x100000000);
    const lo = nsLo + (this.sys[SYS.TSC_OFFSET_LO] >>> 0);
    const carry = lo >= 0x100000000 ? 1 : 0;
    const hi = (nsHi + (this.sys[SYS.TSC_OFFSET_HI] >>> 0) + carry) >>> 0;
    return [lo >>> 0, hi];
  }

  /** WRMSR TSC: choose the offset that makes the TSC read `lo:hi` now. */
  writeTsc(lo: number, hi: number): void {
    const ns = Math.max(0, Math.floor(this.clockNs()));
    const nsLo = ns % 0x100000000;
    const nsHi = Math.floor(ns / 0x100000000);
    const dLo = (lo >>> 0) - nsLo;
    const borrow = dLo < 0 ? 1 : 0;
    this.sys[SYS.TSC_OFFSET_LO] = dLo;
    this.sys[SYS.TSC_OFFSET_HI] = (hi >>> 0) - nsHi - borrow;
  }

  // ---- reset ------------------------------------------------------------------------------

  /** The state after RESET (QEMU's x86_cpu_reset_hold). */
  reset(): void {
    for (const a of this.state) a.fill(0);
    const sys = this.sys;
    this.core[CORE.CC_OP] = CC_OP_EFLAGS;
    this.core[CORE.DF] = 1;
    sys[SYS.EFLAGS] = EFLAGS_FIXED;
    sys[SYS.A20_MASK] = -1;
    sys[SYS.OLD_EXCEPTION] = -1;
    // Real mode, CPL 0, 16-bit code: ADDSEG on.
    sys[SYS.HFLAGS] = HF_ADDSEG;
    sys[SYS.CR0] = 0x60000010;
    sys[SYS.IDT_LIMIT] = 0xffff;
    sys[SYS.GDT_LIMIT] = 0xffff;
    const data = DESC_P | DESC_S | DESC_RW | DESC_A;
    this.loadSegCache(
      R_CS,
      0xf000,
      0xffff0000 | 0,
      0xffff,
      DESC_P | DESC_S | DESC_CS | DESC_RW | DESC_A,
    );
    for (const seg of [R_ES, R_SS, R_DS, 4, 5]) this.loadSegCache(seg, 0, 0, 0xffff, data);
    this.loadSegCache(R_LDTR, 0, 0, 0xffff, DESC_P | (2 << 8));
    this.loadSegCache(R_TR, 0, 0, 0xffff, DESC_P | (11 << 8));
    this.eip = 0xfff0;
    this.regs[R_EDX] = cpuSignature(this.model);
    sys[SYS.DR0 + 6] = DR6_FIXED_1;
    sys[SYS.DR0 + 7] = DR7_FIXED_1;
    this.pendingDebugDr6 = 0;
    this.debugTrapPending = false;
    this.updateDebugState();
    sys[SYS.PAT_LO] = PAT_RESET_LO;
    sys[SYS.PAT_HI] = PAT_RESET_HI;
    sys[SYS.MISC_ENABLE] = MISC_ENABLE_DEFAULT;
    // x87 after RESET as QEMU leaves it (FNINIT's state: FCW 0x37f, every register empty),
    // rather than the SDM's power-up FCW 0x0040: firmware runs FNINIT before any x87 use.
    this.fpu[FPU.FCW] = 0x037f;
    this.fpu[FPU.FTAGS_EMPTY] = 0xff;
    this.fpu[FPU.MXCSR] = 0x1f80;
    sys[SYS.APICBASE_LO] =
      APIC_DEFAULT_ADDRESS | APICBASE_ENABLE | (this.apicId === 0 ? APICBASE_BSP : 0);
    this.writeTsc(0, 0);
    this.exceptionIndex = -1;
    this.interruptRequest = 0;
    this.halted = false;
    this.resetRequested = false;
    this.updateSegmentHflags();
    this.updatePagingMode();
    this.tlb.flush();
  }

  /**
   * Something may have become pending on the interrupt lines (the controllers' `kick`):
   * running TBs stop at their next chaining point so cpu_exec polls the lines.
   */
  kick(): void {
    this.interrupt(CPU_INTERRUPT_HARD);
  }

  // ---- debugging ------------------------------------------------------------------------

  /** The register state in QEMU's `info registers` format. */
  /**
   * The register dump of `info registers` and `-d cpu`; `fpu` adds the x87 and SSE
   * registers (QEMU's CPU_DUMP_FPU: `info registers` asks for it, `-d cpu` with `-d fpu`).
   */
  dumpState(options: { ccop?: boolean; eip?: number; fpu?: boolean } = {}): string {
    return dumpX86State(this, options.ccop ?? false, options.eip, options.fpu ?? false);
  }
}

export { DESC_A, DESC_B, DESC_CS, DESC_P, DESC_RW, DESC_S };
