import type { IrBuilder } from '../ir/builder.js';
import type { LogSink } from '../log.js';
import type { PhysicalMemory, RamPage } from '../softmmu/physical-memory.js';
import { PAGE_SIZE, type SoftTlb } from '../softmmu/tlb.js';
import { CF_NO_GOTO_TB, type TranslationBlock } from './translation-block.js';

/** DisasContextBase.isJmp values (QEMU's DisasJumpType). Frontends add their own from DISAS_TARGET_0. */
export const DISAS_NEXT = 0; // keep translating
export const DISAS_TOO_MANY = 1; // the loop stopped (insn count, page end): tbStop must jump to pcNext
export const DISAS_NORETURN = 2; // the TB exit is already emitted
export const DISAS_TARGET_0 = 3;

/** Default bound on guest instructions per TB (QEMU's TCG_MAX_INSNS). */
export const TCG_MAX_INSNS = 512;
/** A TB stops growing past this many IR ops. */
export const TCG_MAX_OPS = 4000;

/** Thrown by a code fetch that must not happen in this TB: retranslate with fewer insns. */
export class RetranslateSignal {
  constructor(readonly maxInsns: number) {}
}

function samePage(a: number, b: number): boolean {
  return Math.floor((a >>> 0) / PAGE_SIZE) === Math.floor((b >>> 0) / PAGE_SIZE);
}

/** Where the translator reads guest code from (a CodeFetcher, or a replay of a TB's bytes). */
export interface CodeSource {
  /** Guest instructions started so far (kept by the translator loop). */
  numInsns: number;
  ldub(pc: number): number;
  lduw(pc: number): number;
  ldl(pc: number): number;
}

/**
 * Reads guest code for one TB through the code TLB and records the physical pages it
 * came from. The first page is translated before the TB starts (a fault there is a real
 * fault of the first instruction). An instruction may cross into the next page; for any
 * instruction but the first, that page is only probed, and if it is not mapped the TB is
 * retranslated to end before that instruction, so the fault is raised when it runs.
 */
export class CodeFetcher implements CodeSource {
  private readonly page0: number;
  private readonly ram0: RamPage | undefined;
  private readonly phys0: number;
  private ram1: RamPage | undefined;
  private phys1 = -1;
  private loaded1 = false;
  /** Guest instructions started so far (kept by the translator loop). */
  numInsns = 0;

  constructor(
    private readonly tlb: SoftTlb,
    private readonly memory: PhysicalMemory,
    private readonly mmuIdx: number,
    pc: number,
  ) {
    const u = pc >>> 0;
    this.page0 = u - (u % PAGE_SIZE);
    const e = tlb.codeEntry(u, mmuIdx, false);
    this.ram0 = tlb.codeRamPage(e);
    this.phys0 = tlb.entryPhysPage(e);
  }

  /** True when the first page is RAM (the TB can be cached and invalidated). */
  get cacheable(): boolean {
    return this.ram0 !== undefined && (!this.loaded1 || this.ram1 !== undefined);
  }

  /** ram_addr of the first page, or -1. */
  get ramAddr0(): number {
    return this.ram0 === undefined ? -1 : this.ram0.ramAddr;
  }

  /** ram_addr of the second page if code was read from it, or -1. */
  get ramAddr1(): number {
    return this.ram1 === undefined ? -1 : this.ram1.ramAddr;
  }

  /** The RAM bytes of the first page (undefined when it is not RAM). */
  get ramPage0(): RamPage | undefined {
    return this.ram0;
  }

  /** The RAM bytes of the second page, if code was read from it. */
  get ramPage1(): RamPage | undefined {
    return this.ram1;
  }

  ldub(pc: number): number {
    const u = pc >>> 0;
    const off = u % PAGE_SIZE;
    const page = u - off;
    if (page === this.page0)
      return this.ram0
        ? this.ram0.bytes[this.ram0.offset + off]
        : this.memory.read(this.phys0 + off, 1);
    if (page !== (this.page0 + PAGE_SIZE) % 2 ** 32) {
      throw new Error(
        `CodeFetcher: fetch at 0x${u.toString(16)} is more than one page past the TB start`,
      );
    }
    if (!this.loaded1) this.loadSecondPage(u);
    return this.ram1
      ? this.ram1.bytes[this.ram1.offset + off]
      : this.memory.read(this.phys1 + off, 1);
  }

  lduw(pc: number): number {
    return this.ldub(pc) | (this.ldub(pc + 1) << 8);
  }

  ldl(pc: number): number {
    return (this.lduw(pc) | (this.lduw(pc + 2) << 16)) >>> 0;
  }

  private loadSecondPage(u: number): void {
    const first = this.numInsns <= 1;
    const e = this.tlb.codeEntry(u, this.mmuIdx, !first);
    if (e < 0) throw new RetranslateSignal(this.numInsns - 1);
    const ram = this.tlb.codeRamPage(e);
    // Code running into I/O: end the TB before this instruction. (The first instruction
    // is read from there anyway, and the TB is then run once, uncached.)
    if (ram === undefined && !first) throw new RetranslateSignal(this.numInsns - 1);
    this.ram1 = ram;
    this.phys1 = this.tlb.entryPhysPage(e);
    this.loaded1 = true;
  }
}

/**
 * Reads the code of a cached TB again from the RAM pages it was translated from, without
 * the TLB (which may map other pages by now): for translating a TB a second time, as the
 * tiered backend does when a TB gets hot. The bytes are the TB's own as long as the TB is
 * valid: a write to them would have invalidated it. A fetch outside those pages throws.
 */
export class ReplayCodeSource implements CodeSource {
  numInsns = 0;
  private readonly page0: number;

  constructor(
    pc: number,
    private readonly ram0: RamPage,
    private readonly ram1: RamPage | null,
  ) {
    const u = pc >>> 0;
    this.page0 = u - (u % PAGE_SIZE);
  }

  ldub(pc: number): number {
    const u = pc >>> 0;
    const off = u % PAGE_SIZE;
    const page = u - off;
    if (page === this.page0) return this.ram0.bytes[this.ram0.offset + off];
    if (this.ram1 !== null && page === (this.page0 + PAGE_SIZE) % 2 ** 32)
      return this.ram1.bytes[this.ram1.offset + off];
    throw new Error(`ReplayCodeSource: 0x${u.toString(16)} is outside the TB's pages`);
  }

  lduw(pc: number): number {
    return this.ldub(pc) | (this.ldub(pc + 1) << 8);
  }

  ldl(pc: number): number {
    return (this.lduw(pc) | (this.lduw(pc + 2) << 16)) >>> 0;
  }
}

/**
 * The architecture-neutral part of a DisasContext (QEMU's DisasContextBase). A frontend
 * wraps it in its own context (`dc.base`) and drives it with `translatorLoop`.
 */
export class DisasContextBase {
  /** Virtual PC of the first instruction. */
  readonly pcFirst: number;
  /** Virtual PC of the next instruction to translate: the frontend advances it. */
  pcNext: number;
  /** DISAS_NEXT while translating; anything else ends the TB. */
  isJmp = DISAS_NEXT;
  /** Instructions started so far (including the current one). */
  numInsns = 0;

  constructor(
    /** Emits the TB's IR. */
    readonly b: IrBuilder,
    /** The TB being built: pc, csBase, flags and cflags are its key. */
    readonly tb: TranslationBlock,
    private readonly fetcher: CodeSource,
    /** Stop after this many instructions. */
    readonly maxInsns: number,
    /** One instruction per TB, no chaining (-singlestep). */
    readonly singlestepEnabled: boolean,
    readonly log: LogSink,
  ) {
    this.pcFirst = tb.pc;
    this.pcNext = tb.pc;
  }

  /** Fetch a code byte (unsigned). */
  ldub(pc: number): number {
    return this.fetcher.ldub(pc);
  }
  /** Fetch a little-endian 16-bit code word (unsigned). */
  lduw(pc: number): number {
    return this.fetcher.lduw(pc);
  }
  /** Fetch a little-endian 32-bit code word (unsigned Number). */
  ldl(pc: number): number {
    return this.fetcher.ldl(pc);
  }

  /** @internal the translator loop keeps the fetcher's instruction count in step. */
  setNumInsns(n: number): void {
    this.numInsns = n;
    this.fetcher.numInsns = n;
  }
}

/** The per-frontend callbacks of translatorLoop (QEMU's TranslatorOps). */
export interface TranslatorOps<D extends { base: DisasContextBase }, C> {
  initDisasContext(dc: D, cpu: C): void;
  tbStart(dc: D, cpu: C): void;
  /** Emit `dc.base.b.insnStart(pc, ...)` for the instruction at dc.base.pcNext. */
  insnStart(dc: D, cpu: C): void;
  /** Translate one instruction, advancing pcNext; set isJmp to end the TB after it. */
  translateInsn(dc: D, cpu: C): void;
  /** Emit the TB's exit for dc.base.isJmp (DISAS_TOO_MANY: jump to pcNext). */
  tbStop(dc: D, cpu: C): void;
  /** `-d in_asm`: write the guest disassembly of the TB. */
  disasLog?(dc: D, cpu: C, log: LogSink): void;
}

/**
 * QEMU's translator_loop: translate instructions until the frontend ends the TB, the
 * instruction budget is spent, the next instruction starts on another page, or the TB's
 * IR grows too big.
 */
export function translatorLoop<D extends { base: DisasContextBase }, C>(
  ops: TranslatorOps<D, C>,
  dc: D,
  cpu: C,
): void {
  const db = dc.base;
  ops.initDisasContext(dc, cpu);
  ops.tbStart(dc, cpu);
  for (;;) {
    db.setNumInsns(db.numInsns + 1);
    ops.insnStart(dc, cpu);
    if (db.b.numInsns !== db.numInsns) {
      throw new Error('translatorLoop: insnStart must emit exactly one insn_start per instruction');
    }
    ops.translateInsn(dc, cpu);
    if (db.isJmp !== DISAS_NEXT) break;
    if (
      db.numInsns >= db.maxInsns ||
      !samePage(db.pcFirst, db.pcNext) ||
      db.b.numOps >= TCG_MAX_OPS
    ) {
      db.isJmp = DISAS_TOO_MANY;
      break;
    }
  }
  ops.tbStop(dc, cpu);
  if (db.log.enabled('in_asm')) ops.disasLog?.(dc, cpu, db.log);
}

/**
 * May the TB jump straight to `dest` through a goto_tb slot? Only when chaining is
 * allowed and `dest` is on the TB's first page: a mapping change of that page reaches
 * both TBs alike (QEMU's translator_use_goto_tb).
 */
export function translatorUseGotoTb(db: DisasContextBase, dest: number): boolean {
  return (db.tb.cflags & CF_NO_GOTO_TB) === 0 && samePage(db.pcFirst, dest);
}
