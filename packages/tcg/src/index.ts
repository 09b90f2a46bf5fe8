/**
 * @tsemu/tcg: tsemu's JIT, a TCG in TypeScript.
 *
 * The architecture-neutral core (IR and builder, optimizer, JS backend, IR interpreter,
 * softmmu TLB, TranslationBlock cache, cpu_exec) lives in `core/`; guest frontends plug
 * into it through `Frontend`, `TranslatorOps` and the IR builder.
 */

// Backends
export type { ExecBindings } from './core/backend/exec-bindings.js';
export { IrInterpreter } from './core/backend/interpreter.js';
export {
  compileJs,
  type JsBackendOptions,
  type JsCompiled,
  type RamAccess,
} from './core/backend/js-backend.js';
export { compileRegion, type RegionMember } from './core/backend/js-region.js';
// Execution
export {
  CPU_INTERRUPT_DEBUG,
  CPU_INTERRUPT_EXITTB,
  CPU_INTERRUPT_HALT,
  CPU_INTERRUPT_HARD,
  CPU_INTERRUPT_RESET,
  CPU_INTERRUPT_TGT_EXT_0,
  CPU_INTERRUPT_TGT_EXT_1,
  CPU_INTERRUPT_TGT_EXT_2,
  CPU_INTERRUPT_TGT_EXT_3,
  CPU_INTERRUPT_TGT_EXT_4,
  CPU_INTERRUPT_TGT_INT_0,
  CPU_INTERRUPT_TGT_INT_1,
  CPU_INTERRUPT_TGT_INT_2,
  CPU_LOOP_EXIT,
  CPUState,
  type CPUStateOptions,
  cpuLoopExit,
  cpuLoopExitRestore,
  EXCP_DEBUG,
  EXCP_HALTED,
  EXCP_HLT,
  EXCP_INTERRUPT,
  EXCP_YIELD,
  isCpuLoopExit,
} from './core/exec/cpu-state.js';
export { type BackendKind, TcgEngine, type TcgEngineOptions } from './core/exec/engine.js';
export type { Frontend, TbCpuState } from './core/exec/frontend.js';
export { formatJitStatistics, type JitStatistics } from './core/exec/stats.js';
export { TbCache, type TbCacheStatistics } from './core/exec/tb-cache.js';
export {
  CF_COUNT_MASK,
  CF_NO_GOTO_PTR,
  CF_NO_GOTO_TB,
  CF_NOCACHE,
  CF_NOIRQ,
  CF_SINGLE_STEP,
  CF_USE_ICOUNT,
  type TbFunction,
  TranslationBlock,
} from './core/exec/translation-block.js';
export {
  DISAS_NEXT,
  DISAS_NORETURN,
  DISAS_TARGET_0,
  DISAS_TOO_MANY,
  DisasContextBase,
  TCG_MAX_INSNS,
  TCG_MAX_OPS,
  type TranslatorOps,
  translatorLoop,
  translatorUseGotoTb,
} from './core/exec/translator.js';
// IR
export { IrBuilder, type IrBuilderOptions, type Operand } from './core/ir/builder.js';
export { finalizeIr } from './core/ir/finalize.js';
export {
  defineHelper,
  type GlobalEffect,
  type HelperInfo,
  type HelperSpec,
} from './core/ir/helper.js';
export type { FinalizedIr, IrBlock, Op } from './core/ir/ir-block.js';
export {
  COND_NAMES,
  Cond,
  invertCond,
  type MemOp,
  MO_8,
  MO_16,
  MO_32,
  MO_ALIGN,
  MO_SB,
  MO_SIGN,
  MO_SIZE,
  MO_SL,
  MO_SW,
  MO_UB,
  MO_UL,
  MO_UW,
  memopName,
  memopSize,
  OPDEFS,
  Opc,
  TB_EXIT_ICOUNT_EXPIRED,
  TB_EXIT_NOCHAIN,
  TB_EXIT_REQUESTED,
  TB_EXIT_SLOT0,
  TB_EXIT_SLOT1,
} from './core/ir/opcodes.js';
export { dumpIr, formatOp } from './core/ir/printer.js';
export { type StateArrayRef, StateLayout } from './core/ir/state-layout.js';
export { Label, Temp, TempKind, TempType } from './core/ir/temp.js';
// Logging
export { type LogSink, nullLogSink } from './core/log.js';
export { optimizeIr } from './core/opt/optimize.js';
// Softmmu
export type { PhysicalMemory, RamPage } from './core/softmmu/physical-memory.js';
export {
  FastRam,
  MMUAccessType,
  PAGE_BITS,
  PAGE_EXEC,
  PAGE_MASK,
  PAGE_READ,
  PAGE_SIZE,
  PAGE_WRITE,
  SoftTlb,
  type SoftTlbOptions,
  type TlbFillFn,
  type TlbStatistics,
} from './core/softmmu/tlb.js';

// The i386 frontend: decoder, disassembler, descriptors and the page walk.
export * from './i386/index.js';
