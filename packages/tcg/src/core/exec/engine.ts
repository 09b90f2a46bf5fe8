import type { ExecBindings } from '../backend/exec-bindings.js';
import { type InterpProgram, IrInterpreter } from '../backend/interpreter.js';
import { compileJs, type RamAccess } from '../backend/js-backend.js';
import { compileRegion, type RegionMember } from '../backend/js-region.js';
import { IrBuilder } from '../ir/builder.js';
import { finalizeIr } from '../ir/finalize.js';
import type { FinalizedIr } from '../ir/ir-block.js';
import {
  TB_EXIT_ICOUNT_EXPIRED,
  TB_EXIT_NOCHAIN,
  TB_EXIT_REQUESTED,
  TB_EXIT_SLOT1,
} from '../ir/opcodes.js';
import { dumpIr } from '../ir/printer.js';
import { type LogSink, nullLogSink } from '../log.js';
import { optimizeIr } from '../opt/optimize.js';
import { PAGE_SIZE } from '../softmmu/tlb.js';
import {
  CPU_LOOP_EXIT,
  type CPUState,
  CTL_CHAIN_BUDGET,
  CTL_EXIT_FLAG,
  CTL_FAULT_SITE,
  CTL_ICOUNT,
  CTL_NO_RESTORE,
  CTL_REGION_EXIT,
  CTL_TB_EXIT,
  EXCP_HALTED,
  EXCP_INTERRUPT,
} from './cpu-state.js';
import type { Frontend, TbCpuState } from './frontend.js';
import { formatJitStatistics, type JitStatistics } from './stats.js';
import { TbCache } from './tb-cache.js';
import {
  CF_COUNT_MASK,
  CF_NO_GOTO_TB,
  CF_NOCACHE,
  CF_NOIRQ,
  CF_SINGLE_STEP,
  CF_USE_ICOUNT,
  type TbFunction,
  TranslationBlock,
} from './translation-block.js';
import {
  CodeFetcher,
  DisasContextBase,
  ReplayCodeSource,
  RetranslateSignal,
  TCG_MAX_INSNS,
} from './translator.js';

export type BackendKind = 'js' | 'interpreter' | 'tiered';

export interface TcgEngineOptions<C extends CPUState> {
  cpu: C;
  frontend: Frontend<C>;
  /**
   * 'js' compiles every TB to JavaScript; 'interpreter' never uses eval; 'tiered'
   * interprets a TB until it has run `tierThreshold` times, then compiles it. Default
   * 'tiered': most TBs of a boot run a few hundred times or less, and compiling them costs
   * more than interpreting them (docs/jit.md, "Speed on a real boot").
   */
  backend?: BackendKind;
  /** Runs of a TB before the tiered backend compiles it. Default 10000. */
  tierThreshold?: number;
  /**
   * The tiered backend compiles a hot TB together with the TBs it is linked to, as one
   * region (core/backend/js-region.ts). Default true (but never under icount or
   * singlestep); false compiles each TB alone.
   */
  regions?: boolean;
  /** Run the IR optimizer. Default true. */
  optimize?: boolean;
  /** One guest instruction per TB, no chaining (QEMU's -singlestep). */
  singlestep?: boolean;
  /** Count guest instructions exactly (-icount): cpuExec's limit is in instructions. */
  icount?: boolean;
  /** Flush the whole cache when it holds this many TBs. Default 65536. */
  maxTbs?: number;
  /** TB executions per chain before cpu_exec checks interrupts again. Default 1024. */
  chainLimit?: number;
  /** How generated code reads RAM on a TLB hit. Default 'typed-array'. */
  ramAccess?: RamAccess;
  /**
   * Link TBs to their successors (default true). False sends every TB exit back to
   * cpu_exec's lookup: for measuring what chaining saves, and for debugging.
   */
  chaining?: boolean;

  log?: LogSink;
}

/**
 * TB runs before the tiered backend compiles a TB to JS. Measured on a Linux boot
 * (packages/hw-pc/bench/RESULTS-linux-boot.md): compiling costs a parse, then V8 runs the
 * new function unoptimized for a few hundred calls and optimizes it on a background thread
 * for milliseconds; a TB must run some ten thousand times to pay that back.
 */
const DEFAULT_TIER_THRESHOLD = 10000;

/** Most TBs compiled into one region: V8's compile time grows with the function. */
const REGION_MAX_MEMBERS = 6;

/** Log items that show a TB's translation (not repeated when a hot TB is translated again). */
const TRANSLATION_DUMPS = new Set(['in_asm', 'op', 'op_opt']);

const JUMP_CACHE_BITS = 12;
const JUMP_CACHE_SIZE = 1 << JUMP_CACHE_BITS;

/**
 * Jump-cache slot of a virtual PC (QEMU's tb_jmp_cache_hash_func): the page number picks
 * a block of 64 slots, so a page flush clears one block; the low PC bits, folded with the
 * next six, pick the slot within it.
 */
function jumpCacheHash(pc: number): number {
  return (((pc >>> 12) & 63) << 6) | ((pc ^ (pc >>> 6)) & 63);
}

/**
 * The TCG execution engine of one vCPU: cpu_exec, TB lookup (jump cache, then hash),
 * translation (frontend -> IR -> optimizer -> backend), chaining, precise guest
 * exceptions, self-modifying code, and `info jit` statistics.
 *
 * ```ts
 * const engine = new TcgEngine({ cpu, frontend });
 * for (;;) {
 *   const r = engine.cpuExec(100_000);  // TB executions (instructions with icount)
 *   if (r === EXCP_HLT || r === EXCP_HALTED) waitForInterrupt();
 *   runTimers();
 * }
 * ```
 */
export class TcgEngine<C extends CPUState> {
  readonly cpu: C;
  readonly frontend: Frontend<C>;
  readonly tbCache: TbCache;
  readonly backend: BackendKind;
  log: LogSink;

  private readonly optimize: boolean;
  private readonly singlestep: boolean;
  private readonly icount: boolean;
  private readonly maxTbs: number;
  private readonly chainLimit: number;
  private readonly tierThreshold: number;
  private readonly ramAccess: RamAccess;
  private readonly chaining: boolean;
  private readonly regions: boolean;
  /** Regions compiled so far: the next one's id. */
  private regionCount = 0;
  private readonly baseCflags: number;
  private readonly jumpCache: (TranslationBlock | null)[] = new Array(JUMP_CACHE_SIZE).fill(null);
  private readonly tbState: TbCpuState = { pc: 0, csBase: 0, flags: 0 };
  private readonly ptrState: TbCpuState = { pc: 0, csBase: 0, flags: 0 };
  private readonly bindings: ExecBindings;
  private readonly interpreter: IrInterpreter;
  private readonly unsubscribe: (() => void)[] = [];

  /** For `lookup`: the ram_addr the second page of a TB's code maps to now (no closure per lookup). */
  private findMmuIdx = 0;
  private readonly secondPageOf = (t: TranslationBlock): number =>
    this.cpu.tlb.getPageAddrCode(
      (t.pc >>> 0) - ((t.pc >>> 0) % PAGE_SIZE) + PAGE_SIZE,
      this.findMmuIdx,
    );

  /** cpu_exec's chaining state: the TB that exited through slot `lastExit`. */
  private lastTb: TranslationBlock | null = null;
  private lastExit = 0;
  /** TB executions left in this cpuExec call (not icount). */
  private remaining = 0;
  private chainBudgetStart = 0;

  private readonly counters = {
    smcRestarts: 0,
    loopExits: 0,
    lookups: 0,
    jumpCacheHits: 0,
    hashHits: 0,
    lookupMisses: 0,
    tbEntries: 0,
    chainedExecutions: 0,
    translationTimeMs: 0,
    jsCompiles: 0,
    regionCompiles: 0,
    regionMembers: 0,
    opsGenerated: 0,
    opsOptimized: 0,
  };

  constructor(options: TcgEngineOptions<C>) {
    const { cpu, frontend } = options;
    this.cpu = cpu;
    this.frontend = frontend;
    this.backend = options.backend ?? 'tiered';
    if (!['js', 'interpreter', 'tiered'].includes(this.backend)) {
      throw new Error(`TcgEngine: unknown backend '${this.backend}'`);
    }
    this.optimize = options.optimize ?? true;
    this.singlestep = options.singlestep ?? false;
    this.icount = options.icount ?? false;
    this.maxTbs = options.maxTbs ?? 65536;
    this.chainLimit = options.chainLimit ?? 1024;
    this.tierThreshold = options.tierThreshold ?? DEFAULT_TIER_THRESHOLD;
    this.ramAccess = options.ramAccess ?? 'typed-array';
    this.chaining = options.chaining ?? true;
    // Regions count no instructions and step through several TBs: not under icount or
    // single-stepping.
    this.regions = (options.regions ?? true) && !this.icount && !this.singlestep;
    this.log = options.log ?? nullLogSink;
    if (!(this.maxTbs >= 1) || !(this.chainLimit >= 1)) {
      throw new Error('TcgEngine: maxTbs and chainLimit must be at least 1');
    }

    if (frontend.insnStartWords < 1) throw new Error('TcgEngine: insnStartWords must be >= 1');
    this.baseCflags =
      (this.singlestep ? CF_SINGLE_STEP | CF_NO_GOTO_TB | 1 : 0) |
      (this.icount ? CF_USE_ICOUNT : 0);

    const tlb = cpu.tlb;
    const memory = cpu.memory;
    this.tbCache = new TbCache((ramAddr) => {
      memory.protectCodePage(ramAddr);
      tlb.resetDirty(ramAddr, PAGE_SIZE);
    });
    this.tbCache.onInvalidate = (tb) => {
      const h = jumpCacheHash(tb.pc);
      if (this.jumpCache[h] === tb) this.jumpCache[h] = null;
    };
    this.tbCache.onFlush = () => this.jumpCache.fill(null);

    tlb.fill = (vaddr, size, access, mmuIdx, probe) =>
      frontend.tlbFill(cpu, vaddr, size, access, mmuIdx, probe);
    tlb.unalignedAccess = (vaddr, access, mmuIdx) => {
      if (frontend.doUnalignedAccess === undefined) {
        throw new Error(`${frontend.name}: MO_ALIGN access without a doUnalignedAccess hook`);
      }
      frontend.doUnalignedAccess(cpu, vaddr, access, mmuIdx);
    };
    tlb.beforeCodeWrite = (ramAddr, size) => this.checkSelfModifyingWrite(ramAddr, size);
    tlb.syncCodeProtection = () => this.tbCache.syncProtection();
    tlb.flushListener = (vaddr) => this.flushJumpCache(vaddr);

    memory.setCodeWriteHandler((ramAddr, length) => this.tbCache.codeWritten(ramAddr, length));
    this.unsubscribe.push(
      () => memory.setCodeWriteHandler(undefined),
      memory.onDirtyReset((ramAddr, length) => tlb.resetDirty(ramAddr, length)),
      memory.onTopologyChange(() => tlb.flush()),
    );

    const ctl = cpu.ctl;
    this.bindings = {
      cpu,
      ldSlow: (vaddr, memop, mmuIdx, site, tb) => {
        ctl[CTL_FAULT_SITE] = site;
        cpu.currentTb = tb;
        return tlb.loadSlow(vaddr, memop, mmuIdx);
      },
      stSlow: (vaddr, value, memop, mmuIdx, site, tb) => {
        ctl[CTL_FAULT_SITE] = site;
        cpu.currentTb = tb;
        tlb.storeSlow(vaddr, value, memop, mmuIdx);
      },
      lookupTbPtr: () => this.lookupTbPtr(),
    };
    this.interpreter = new IrInterpreter(
      this.bindings,
      this.icount,
      this.backend === 'tiered' ? this.tierThreshold : Number.POSITIVE_INFINITY,
    );
  }

  /** Detach from the memory API (the code-write handler and listeners). */
  dispose(): void {
    for (const u of this.unsubscribe.splice(0)) u();
  }

  /**
   * QEMU's cpu_exec: run guest code until something needs the caller. Returns
   * EXCP_INTERRUPT (cpu.exit(), or `limit` spent: TB executions, or instructions in icount
   * mode), EXCP_HLT / EXCP_HALTED (the CPU halted), EXCP_DEBUG, or another
   * exception number >= EXCP_INTERRUPT that a frontend hook set.
   */
  cpuExec(limit = 100_000): number {
    const cpu = this.cpu;
    const fe = this.frontend;
    if (cpu.halted) {
      if (!fe.hasWork(cpu)) return EXCP_HALTED;
      cpu.halted = false;
    }
    const ctl = cpu.ctl;
    this.remaining = limit;
    if (this.icount) ctl[CTL_ICOUNT] = Math.min(limit, 0x7fffffff);
    this.lastTb = null;
    fe.cpuExecEnter?.(cpu);
    try {
      for (;;) {
        try {
          return this.execLoop();
        } catch (e) {
          if (e !== CPU_LOOP_EXIT) throw e;
          this.counters.loopExits++;
          this.recoverFromLoopExit();
        }
      }
    } finally {
      cpu.currentTb = null;
      if (this.icount) {
        cpu.icountExecuted += Math.min(limit, 0x7fffffff) - ctl[CTL_ICOUNT];
        ctl[CTL_ICOUNT] = 0;
      }
      fe.cpuExecExit?.(cpu);
    }
  }

  /** Drop every TB (QEMU's tb_flush). */
  tbFlush(): void {
    this.tbCache.flush();
    this.lastTb = null;
  }

  statistics(): JitStatistics {
    const c = this.counters;
    const t = this.tbCache.stats;
    const tlb = this.cpu.tlb.stats;
    return {
      backend: this.backend,
      tbCount: this.tbCache.count,
      maxTbs: this.maxTbs,
      codePages: this.tbCache.codePages,
      tbTranslated: t.translated,
      tbInvalidated: t.invalidated,
      tbFlushes: t.flushes,
      codeWriteNotifications: t.codeWrites,
      smcRestarts: c.smcRestarts,
      loopExits: c.loopExits,
      insnsTranslated: t.insnsTranslated,
      avgInsnsPerTb: t.translated === 0 ? 0 : t.insnsTranslated / t.translated,
      avgOpsPerTb: t.translated === 0 ? 0 : c.opsGenerated / t.translated,
      avgOpsOptPerTb: t.translated === 0 ? 0 : c.opsOptimized / t.translated,
      translationTimeMs: c.translationTimeMs,
      jsCompiles: c.jsCompiles,
      regionCompiles: c.regionCompiles,
      regionMembers: c.regionMembers,
      lookups: c.lookups,
      jumpCacheHits: c.jumpCacheHits,
      hashHits: c.hashHits,
      lookupMisses: c.lookupMisses,
      tbEntries: c.tbEntries,
      chainedExecutions: c.chainedExecutions,
      interpretedExecutions: this.interpreter.executions,
      tlbFills: tlb.fills,
      tlbFlushes: tlb.flushes,
      tlbPageFlushes: tlb.pageFlushes,
    };
  }

  /** The `info jit` text. */
  formatStatistics(): string {
    return formatJitStatistics(this.statistics());
  }

  // ---- the loop ------------------------------------------------------------------------

  private execLoop(): number {
    const cpu = this.cpu;
    const ctl = cpu.ctl;
    const fe = this.frontend;
    const st = this.tbState;
    for (;;) {
      // cpu_handle_exception
      if (cpu.exceptionIndex >= 0) {
        if (cpu.exceptionIndex >= EXCP_INTERRUPT) {
          const r = cpu.exceptionIndex;
          cpu.exceptionIndex = -1;
          return r;
        }
        this.lastTb = null;
        fe.doInterrupt(cpu);
        cpu.exceptionIndex = -1;
      }
      // cpu_handle_interrupt (skipped for the one instruction after an SMC restart)
      if (
        (ctl[CTL_EXIT_FLAG] !== 0 || cpu.interruptRequest !== 0 || cpu.exitRequest) &&
        (cpu.cflagsNextTb === -1 || (cpu.cflagsNextTb & CF_NOIRQ) === 0)
      ) {
        ctl[CTL_EXIT_FLAG] = 0;
        if (cpu.interruptRequest !== 0 && fe.cpuExecInterrupt(cpu, cpu.interruptRequest)) {
          this.lastTb = null;
          if (cpu.exceptionIndex >= 0) continue;
        }
        if (cpu.exitRequest) {
          cpu.exitRequest = false;
          return EXCP_INTERRUPT;
        }
        if (cpu.halted) return EXCP_HALTED;
      }
      if (this.icount ? ctl[CTL_ICOUNT] <= 0 : this.remaining <= 0) return EXCP_INTERRUPT;

      this.tbCache.syncProtection();
      if (cpu.tlb.adoptPendingFastRam()) this.tbFlush();

      fe.getTbCpuState(cpu, st);
      let cflags = this.baseCflags;
      let forced = false;
      if (cpu.cflagsNextTb !== -1) {
        cflags = cpu.cflagsNextTb;
        cpu.cflagsNextTb = -1;
        forced = true;
      }
      let tb = this.lookup(st.pc, st.csBase, st.flags, cflags);
      if (tb === null) {
        tb = this.genCode(st.pc, st.csBase, st.flags, cflags);
        if (tb.physPc >= 0) this.jumpCache[jumpCacheHash(st.pc)] = tb;
      }
      const last = this.lastTb;
      if (last !== null && !forced && this.chaining && (tb.cflags & CF_NOCACHE) === 0) {
        this.tbCache.link(last, this.lastExit, tb);
      }
      if (this.log.enabled('exec')) this.log.write('exec', `Trace: ${tb}\n`);
      this.execChain(tb);
    }
  }

  /**
   * Run `first` and whatever it chains to, up to the chain budget. This trampoline is the
   * hottest loop of the emulator: per TB it only calls and checks. Generated code sets
   * cpu.currentTb and ctl[CTL_FAULT_SITE] where they matter (before anything that can raise
   * a guest exception), so they are reset here once per chain, not per TB.
   */
  private execChain(first: TranslationBlock): void {
    const cpu = this.cpu;
    const ctl = cpu.ctl;
    const budget = this.icount
      ? this.chainLimit
      : Math.max(1, Math.min(this.chainLimit, this.remaining));
    this.chainBudgetStart = budget;
    ctl[CTL_CHAIN_BUDGET] = budget;
    this.counters.tbEntries++;
    let tb = first;
    let next: TranslationBlock | null;
    for (;;) {
      // A cold TB is run by the interpreter straight from here: no closure of its own to
      // reach first (each one is a cache miss when 90 000 TBs take turns).
      const cold = tb.coldProgram;
      next = cold === null ? tb.fn() : this.runCold(tb, cold);
      if (next === null) break;
      if (--ctl[CTL_CHAIN_BUDGET] <= 0 || ctl[CTL_EXIT_FLAG] !== 0) {
        // Stop before `next` runs: its PC was never stored by the chained path.
        this.frontend.synchronizeFromTb(cpu, next);
        ctl[CTL_TB_EXIT] = TB_EXIT_REQUESTED;
        break;
      }
      tb = next;
    }
    this.accountChain();
    cpu.currentTb = null;
    ctl[CTL_FAULT_SITE] = -1;
    const exit = ctl[CTL_TB_EXIT];
    if (next === null && exit <= TB_EXIT_SLOT1) {
      // A region names the member that left through its slot: that slot gets linked.
      const member = ctl[CTL_REGION_EXIT];
      if (member !== 0) ctl[CTL_REGION_EXIT] = 0;
      this.lastTb = member !== 0 && tb.regionMembers !== null ? tb.regionMembers[member] : tb;
      this.lastExit = exit;
    } else {
      this.lastTb = null;
      if (next === null && exit === TB_EXIT_ICOUNT_EXPIRED) this.icountExpired(tb);
    }
  }

  private accountChain(): void {
    const used = this.chainBudgetStart - Math.max(this.cpu.ctl[CTL_CHAIN_BUDGET], 0);
    this.counters.chainedExecutions += used;
    this.remaining -= used + 1;
    this.chainBudgetStart = 0;
  }

  /** `tb` did not run: fewer instructions are left than it has. Run exactly those. */
  private icountExpired(tb: TranslationBlock): void {
    const cpu = this.cpu;
    this.frontend.synchronizeFromTb(cpu, tb);
    const left = cpu.ctl[CTL_ICOUNT];
    if (left > 0)
      cpu.cflagsNextTb = (this.baseCflags & ~CF_COUNT_MASK) | Math.min(left, CF_COUNT_MASK);
  }

  /** A guest exception (or an SMC restart) unwound to cpu_exec: make the state exact. */
  private recoverFromLoopExit(): void {
    const cpu = this.cpu;
    const ctl = cpu.ctl;
    const tb = cpu.currentTb;
    if (this.chainBudgetStart !== 0) this.accountChain();
    if (tb !== null) {
      const site = ctl[CTL_FAULT_SITE];
      if (site >= 0 && site < tb.siteInsn.length) {
        const k = tb.siteInsn[site];
        if (ctl[CTL_NO_RESTORE] === 0) {
          this.frontend.restoreStateToOpc(cpu, tb, tb.insnData, k * this.frontend.insnStartWords);
          // The faulting instruction and those after it did not execute.
          if (this.icount) ctl[CTL_ICOUNT] += tb.icount - k;
        } else if (this.icount) {
          ctl[CTL_ICOUNT] += tb.icount - k - 1;
        }
      }
    }
    ctl[CTL_NO_RESTORE] = 0;
    ctl[CTL_FAULT_SITE] = -1;
    ctl[CTL_EXIT_FLAG] = ctl[CTL_EXIT_FLAG] | (cpu.interruptRequest !== 0 ? 1 : 0);
    cpu.currentTb = null;
    this.lastTb = null;
  }

  /**
   * Precise self-modifying code: a guest store is about to land on code of the TB that is
   * running. Invalidate that code, unwind, and re-execute the storing instruction alone
   * (QEMU's TARGET_HAS_PRECISE_SMC path), so the next instruction is retranslated from
   * the new bytes.
   */
  private checkSelfModifyingWrite(ramAddr: number, size: number): void {
    const cpu = this.cpu;
    const tb = cpu.currentTb;
    if (tb === null || tb.invalid || tb.icount <= 1) return;
    if (!tb.overlapsRam(ramAddr, ramAddr + size)) return;
    this.tbCache.invalidatePhysRange(ramAddr, ramAddr + size);
    this.counters.smcRestarts++;
    cpu.cflagsNextTb = (this.baseCflags & ~CF_COUNT_MASK) | 1 | CF_NOIRQ;
    cpu.ctl[CTL_NO_RESTORE] = 0;
    throw CPU_LOOP_EXIT;
  }

  // ---- lookup ----------------------------------------------------------------------------

  private lookup(
    pc: number,
    csBase: number,
    flags: number,
    cflags: number,
  ): TranslationBlock | null {
    const c = this.counters;
    c.lookups++;
    const h = jumpCacheHash(pc);
    const cached = this.jumpCache[h];
    if (
      cached !== null &&
      cached.pc === pc &&
      cached.csBase === csBase &&
      cached.flags === flags &&
      cached.cflags === cflags
    ) {
      c.jumpCacheHits++;
      return cached;
    }
    const mmuIdx = this.frontend.codeMmuIndex(this.cpu, flags);
    const tlb = this.cpu.tlb;
    const page0 = tlb.getPageAddrCode(pc, mmuIdx);
    if (page0 < 0) {
      c.lookupMisses++;
      return null;
    }
    const physPc = page0 + ((pc >>> 0) % PAGE_SIZE);
    this.findMmuIdx = mmuIdx;
    const tb = this.tbCache.find(physPc, pc, csBase, flags, cflags, this.secondPageOf);
    if (tb === null) {
      c.lookupMisses++;
      return null;
    }
    c.hashHits++;
    this.jumpCache[h] = tb;
    return tb;
  }

  private lookupTbPtr(): TranslationBlock | null {
    if (!this.chaining) {
      this.cpu.ctl[CTL_TB_EXIT] = TB_EXIT_NOCHAIN;
      return null;
    }
    const st = this.ptrState;
    this.frontend.getTbCpuState(this.cpu, st);
    const tb = this.lookup(st.pc, st.csBase, st.flags, this.baseCflags);
    if (tb === null) this.cpu.ctl[CTL_TB_EXIT] = TB_EXIT_NOCHAIN;
    return tb;
  }

  private flushJumpCache(vaddr: number): void {
    if (vaddr === -1) {
      this.jumpCache.fill(null);
      return;
    }
    // The page itself, and the page before it (a TB may run into this one).
    for (const page of [vaddr >>> 0, ((vaddr >>> 0) - PAGE_SIZE) >>> 0]) {
      const base = ((page >>> 12) & 63) << 6;
      this.jumpCache.fill(null, base, base + 64);
    }
  }

  // ---- translation -----------------------------------------------------------------------

  private genCode(pc: number, csBase: number, flags: number, cflags: number): TranslationBlock {
    const cpu = this.cpu;
    const fe = this.frontend;
    if (this.tbCache.count >= this.maxTbs) this.tbFlush();
    const t0 = performance.now();
    cpu.currentTb = null;
    cpu.ctl[CTL_FAULT_SITE] = -1;
    const mmuIdx = fe.codeMmuIndex(cpu, flags);
    let maxInsns = cflags & CF_COUNT_MASK || TCG_MAX_INSNS;
    if (this.singlestep) maxInsns = 1;
    for (;;) {
      const fetcher = new CodeFetcher(cpu.tlb, cpu.memory, mmuIdx, pc);
      let tbCflags = cflags;
      if (fetcher.ramAddr0 < 0) {
        // Executing from outside RAM: one instruction, run once, never cached.
        tbCflags |= CF_NOCACHE;
        maxInsns = 1;
      }
      const tb = new TranslationBlock(pc, csBase, flags, tbCflags);
      const b = new IrBuilder(cpu.layout, {
        insnStartWords: fe.insnStartWords,
        nbMmuModes: cpu.tlb.nbMmuModes,
      });
      const db = new DisasContextBase(b, tb, fetcher, maxInsns, this.singlestep, this.log);
      try {
        fe.genIntermediateCode(cpu, db);
      } catch (e) {
        if (e instanceof RetranslateSignal && e.maxInsns >= 1) {
          maxInsns = e.maxInsns;
          continue;
        }
        throw e;
      }
      let ir = b.finish();
      if (ir.nbInsns === 0) throw new Error(`${fe.name}: translated a TB with no instruction`);
      this.counters.opsGenerated += ir.ops.length;
      if (this.log.enabled('op')) this.log.write('op', `OP:\n${dumpIr(ir)}\n`);
      if (this.optimize) {
        ir = optimizeIr(ir);
        if (this.log.enabled('op_opt'))
          this.log.write('op_opt', `OP after optimization and liveness analysis:\n${dumpIr(ir)}\n`);
      }
      const fin = finalizeIr(ir);
      this.counters.opsOptimized += fin.ops.length;
      // The first RAM block seen (or a bigger one) becomes the one generated code reads
      // directly; TBs compiled against the previous one must go.
      if (cpu.tlb.adoptPendingFastRam()) this.tbFlush();
      tb.size = ((db.pcNext >>> 0) - (pc >>> 0) + 2 ** 32) % 2 ** 32;
      tb.icount = fin.nbInsns;
      tb.insnData = fin.insnData;
      tb.siteInsn = fin.siteInsn;
      const cacheable = (tbCflags & CF_NOCACHE) === 0 && fetcher.cacheable;
      if (cacheable) {
        tb.physPc = fetcher.ramAddr0 + ((pc >>> 0) % PAGE_SIZE);
        tb.pageAddr[0] = fetcher.ramAddr0;
        tb.pageAddr[1] = fetcher.ramAddr1;
        tb.codePage0 = fetcher.ramPage0 ?? null;
        tb.codePage1 = fetcher.ramPage1 ?? null;
      }
      this.installCode(tb, fin);
      if (cacheable) this.tbCache.insert(tb);
      this.tbCache.stats.translated++;
      this.tbCache.stats.insnsTranslated += tb.icount;
      this.counters.translationTimeMs += performance.now() - t0;
      return tb;
    }
  }

  private installCode(tb: TranslationBlock, ir: FinalizedIr): void {
    if (this.backend === 'js') {
      tb.fn = this.compileToJs(tb, ir);
    } else if (this.backend === 'interpreter') {
      tb.fn = this.interpreter.compile(ir, tb);
    } else {
      // The trampoline interprets the TB (runCold) until it is hot. The IR is not kept
      // (most TBs never get hot): a hot TB is translated again.
      const prog = this.interpreter.prepare(ir);
      tb.coldProgram = prog;
      tb.fn = () => this.runCold(tb, prog);
    }
  }

  /** The tiered backend's cold TB: count the run, interpret it, or compile it once hot. */
  private runCold(tb: TranslationBlock, prog: InterpProgram): TranslationBlock | null {
    if (++tb.execCount < this.tierThreshold) return this.interpreter.run(prog, tb);
    tb.coldProgram = null;
    const compiled = this.compileHot(tb);
    const interpreter = this.interpreter;
    tb.fn = compiled ?? (() => interpreter.run(prog, tb));
    return tb.fn();
  }

  /**
   * The tiered backend's second tier: compile a hot TB, with the TBs it is linked to as one
   * region when there are any (and regions are on), else alone.
   */
  private compileHot(tb: TranslationBlock): TbFunction | null {
    if (this.regions) {
      const region = this.compileHotRegion(tb);
      if (region !== null) return region;
    }
    const t0 = performance.now();
    const fin = this.translateAgain(tb);
    if (fin === null) return null;
    const fn = this.compileToJs(tb, fin);
    this.counters.translationTimeMs += performance.now() - t0;
    return fn;
  }

  /**
   * A region rooted at the hot TB `root`: the TBs reachable from it through linked
   * chaining slots or by starting where a member ends (breadth first, at most
   * REGION_MAX_MEMBERS) that have run at least half as often as a TB must to get hot. Null
   * when no other TB qualifies, or when `root` is already in a region (it is compiled
   * alone then: regions that overlap would compile the same code again and again).
   */
  private compileHotRegion(root: TranslationBlock): TbFunction | null {
    const minRuns = Math.max(1, Math.floor(this.tierThreshold / 2));
    if (root.regionId !== 0) return null;
    const found: TranslationBlock[] = [root];
    const seen = new Set<TranslationBlock>(found);
    for (let i = 0; i < found.length && found.length < REGION_MAX_MEMBERS; i++) {
      const tb = found[i];
      for (const next of [tb.jmpDest[0], tb.jmpDest[1], this.tbAfter(tb)]) {
        if (next === null || seen.has(next)) continue;
        seen.add(next);
        if (next.invalid || next.codePage0 === null || next.execCount < minRuns) continue;
        if (found.length < REGION_MAX_MEMBERS) found.push(next);
      }
    }
    if (found.length < 2) return null;
    const t0 = performance.now();
    const members: RegionMember[] = [];
    for (const tb of found) {
      const ir = this.translateAgain(tb);
      if (ir !== null) members.push({ tb, ir });
      else if (tb === root) return null;
    }
    if (members.length < 2) return null;
    const id = ++this.regionCount;
    members.forEach((m, k) => {
      m.tb.regionId = id;
      m.tb.regionIndex = k;
    });
    root.regionMembers = members.map((m) => m.tb);
    const compiled = compileRegion(members, id, this.bindings, {
      ramAccess: this.ramAccess,
      comments: this.log.enabled('out_asm'),
    });
    this.counters.regionCompiles++;
    this.counters.regionMembers += members.length;
    if (this.log.enabled('out_asm'))
      this.log.write(
        'out_asm',
        `OUT: [region of ${members.length} TBs from ${root}]\n${compiled.source}\n`,
      );
    this.counters.translationTimeMs += performance.now() - t0;
    return compiled.fn;
  }

  /**
   * The TB that starts where `tb` ends, in the same CPU state, if the jump cache holds it.
   * After a call, that is where the callee returns to: a region that holds both the call
   * and its return point keeps the `ret` (a lookup) inside.
   */
  private tbAfter(tb: TranslationBlock): TranslationBlock | null {
    const pc = ((tb.pc >>> 0) + tb.size) >>> 0;
    const t = this.jumpCache[jumpCacheHash(pc)];
    return t !== null &&
      t.pc >>> 0 === pc &&
      t.csBase === tb.csBase &&
      t.flags === tb.flags &&
      t.cflags === tb.cflags
      ? t
      : null;
  }

  /**
   * Translate a TB again from its own code bytes, for the second tier. Translation depends
   * only on the TB key and the bytes, and a write to the bytes would have invalidated the
   * TB, so this gives the IR the interpreter ran (checked against the TB's instruction
   * count, size and fault sites). Null when the TB cannot be translated again (code
   * outside RAM, or invalidated meanwhile).
   */
  private translateAgain(tb: TranslationBlock): FinalizedIr | null {
    if (tb.invalid || tb.codePage0 === null) return null;
    const cpu = this.cpu;
    const b = new IrBuilder(cpu.layout, {
      insnStartWords: this.frontend.insnStartWords,
      nbMmuModes: cpu.tlb.nbMmuModes,
    });
    const code = new ReplayCodeSource(tb.pc, tb.codePage0, tb.codePage1);
    // The same log, but the guest code and its IR were dumped the first time already.
    const log: LogSink = {
      enabled: (item) => !TRANSLATION_DUMPS.has(item) && this.log.enabled(item),
      write: (item, text) => this.log.write(item, text),
    };
    const db = new DisasContextBase(b, tb, code, tb.icount, this.singlestep, log);
    try {
      this.frontend.genIntermediateCode(cpu, db);
    } catch {
      return null;
    }
    let ir = b.finish();
    if (this.optimize) ir = optimizeIr(ir);
    const fin = finalizeIr(ir);
    const size = ((db.pcNext >>> 0) - (tb.pc >>> 0) + 2 ** 32) % 2 ** 32;
    if (
      fin.nbInsns !== tb.icount ||
      size !== tb.size ||
      fin.siteInsn.length !== tb.siteInsn.length ||
      fin.siteInsn.some((insn, site) => insn !== tb.siteInsn[site])
    ) {
      return null;
    }
    return fin;
  }

  private compileToJs(tb: TranslationBlock, ir: FinalizedIr): TbFunction {
    const compiled = compileJs(ir, tb, this.bindings, {
      ramAccess: this.ramAccess,
      icount: this.icount,
      comments: this.log.enabled('out_asm'),
    });
    this.counters.jsCompiles++;
    if (this.log.enabled('out_asm'))
      this.log.write('out_asm', `OUT: [${tb}]\n${compiled.source}\n`);
    return compiled.fn;
  }
}
