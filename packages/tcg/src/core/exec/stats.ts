/** Figures for `info jit` (QEMU's dump_exec_info / dump_jit_stats). */
export interface JitStatistics {
  backend: string;
  /** Live TBs in the cache, and the bound that triggers a flush. */
  tbCount: number;
  maxTbs: number;
  codePages: number;
  tbTranslated: number;
  tbInvalidated: number;
  tbFlushes: number;
  codeWriteNotifications: number;
  /** Precise self-modifying-code restarts (a store hit the running TB). */
  smcRestarts: number;
  /** Unwinds to cpu_exec (cpu_loop_exit): guest exceptions, HLT, SMC restarts... */
  loopExits: number;
  insnsTranslated: number;
  avgInsnsPerTb: number;
  avgOpsPerTb: number;
  avgOpsOptPerTb: number;
  translationTimeMs: number;
  /** TBs compiled to JS (all of them, or the hot ones with the tiered backend). */
  jsCompiles: number;
  /** Hot regions compiled (several TBs in one function), and the TBs in them. */
  regionCompiles: number;
  regionMembers: number;
  /** TB lookups by cpu_exec and lookup_and_goto_ptr. */
  lookups: number;
  jumpCacheHits: number;
  hashHits: number;
  /** Lookups that found nothing (a translation followed). */
  lookupMisses: number;
  /** TB executions started from cpu_exec (not through a chain). */
  tbEntries: number;
  /** TB executions reached through a chaining slot, a self-loop or goto_ptr. */
  chainedExecutions: number;
  /** TB function runs by the IR interpreter (all of them, or the cold ones when tiered). */
  interpretedExecutions: number;

  tlbFills: number;
  tlbFlushes: number;
  tlbPageFlushes: number;
}

function pct(part: number, whole: number): string {
  return whole === 0 ? '-' : `${((100 * part) / whole).toFixed(1)}%`;
}

/** The `info jit` text. */
export function formatJitStatistics(s: JitStatistics): string {
  const execs = s.tbEntries + s.chainedExecutions;
  return [
    'Translation buffer state:',
    `backend               ${s.backend}`,
    `TB count              ${s.tbCount}/${s.maxTbs}`,
    `TB avg target size    ${s.avgInsnsPerTb.toFixed(1)} insns`,
    `TB avg IR ops         ${s.avgOpsPerTb.toFixed(1)} (${s.avgOpsOptPerTb.toFixed(1)} after optimization)`,
    `code pages            ${s.codePages}`,
    '',
    'Statistics:',
    `TBs translated        ${s.tbTranslated} (${s.insnsTranslated} guest insns, ${s.jsCompiles} compiled to JS)`,
    `regions compiled      ${s.regionCompiles} (${s.regionMembers} TBs)`,
    `translation time      ${s.translationTimeMs.toFixed(1)} ms (${s.insnsTranslated === 0 ? '-' : ((1000 * s.translationTimeMs) / s.insnsTranslated).toFixed(2)} us/insn)`,
    `TB flush count        ${s.tbFlushes}`,
    `TB invalidate count   ${s.tbInvalidated} (${s.codeWriteNotifications} code writes, ${s.smcRestarts} SMC restarts)`,
    `TB lookups            ${s.lookups} (jump cache ${pct(s.jumpCacheHits, s.lookups)}, hash ${pct(s.hashHits, s.lookups)}, miss ${pct(s.lookupMisses, s.lookups)})`,
    `TB executions         ${execs} (${pct(s.chainedExecutions, execs)} chained, ${s.interpretedExecutions} interpreted runs)`,
    `cpu_loop_exit unwinds ${s.loopExits}`,
    `TLB fills             ${s.tlbFills} (${s.tlbFlushes} full flushes, ${s.tlbPageFlushes} page flushes)`,
    '',
  ].join('\n');
}
