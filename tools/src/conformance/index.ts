/** The CPU conformance harness: tests run on the host processor and on tsemu, compared. */
export {
  compareDumps,
  compareRuns,
  formatFlags,
  formatMismatch,
  type Mismatch,
} from './compare.js';
export {
  APPROXIMATION_BOUND,
  compareFpu,
  formatFpu,
  withinApproximationBound,
} from './compare-fpu.js';
export {
  CORPUS_PATH,
  type CorpusEntry,
  corpusSize,
  corpusTests,
  formatCorpus,
  parseCorpus,
  planCorpus,
  SEEDS_PER_FORM,
} from './corpus.js';
export { DEFAULT_ESP, DEFAULT_WINDOW, defineTest, type TestSpec } from './define-test.js';
export { DumpFormatError, encodeDumps, type ParsedDumps, parseDumps } from './dump.js';
export { type ElfExecutable, type ElfSegment, PF_R, PF_W, PF_X, writeElf32 } from './elf.js';
export { type InstructionForm, instructionForms } from './forms.js';
export {
  FpuState,
  type RandomFpuOptions,
  randomControlWord,
  randomFpuState,
  randomMxcsr,
} from './fpu-state.js';
export { TestGenerator } from './generator.js';
export {
  type Classification,
  classifyMismatches,
  KNOWN_FAILURES,
  type KnownFailure,
} from './known-failures.js';
export {
  type ConformanceTarget,
  checkHostSupport,
  type HostSupport,
  NativeTarget,
  type NativeTargetOptions,
} from './native-target.js';
export {
  formatReport,
  formatTable,
  type GroupRow,
  REPORT_PATH,
  replaceReportSection,
  summarize,
} from './report.js';
export {
  buildRunnerImage,
  CODE_BASE,
  type RunnerImage,
  SCRATCH_BASE,
  TestRecord,
} from './runner.js';
export * from './state.js';
export { ElfFormatError, type ElfImage, readElf32 } from './tsemu/elf-reader.js';
export {
  fpuExceptionCode,
  restoredFxsaveImage,
  signalFpstate,
} from './tsemu/fpstate.js';
export type { FpuStateAccess, ProcessEnd, UserContext } from './tsemu/kernel.js';
export {
  LinuxUserMachine,
  type LinuxUserMachineOptions,
  type RunOutcome,
} from './tsemu/machine.js';
export { runImageOnTsemu, TsemuTarget, type TsemuTargetOptions } from './tsemu-target.js';
