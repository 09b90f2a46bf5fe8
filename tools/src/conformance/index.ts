/** The CPU conformance harness: tests run on the host processor and (later) on tsemu. */
export {
  compareDumps,
  compareRuns,
  formatFlags,
  formatMismatch,
  type Mismatch,
} from './compare.js';
export { DEFAULT_ESP, DEFAULT_WINDOW, defineTest, type TestSpec } from './define-test.js';
export { DumpFormatError, encodeDumps, type ParsedDumps, parseDumps } from './dump.js';
export { type ElfExecutable, type ElfSegment, PF_R, PF_W, PF_X, writeElf32 } from './elf.js';
export { type InstructionForm, instructionForms } from './forms.js';
export { TestGenerator } from './generator.js';
export {
  type ConformanceTarget,
  checkHostSupport,
  type HostSupport,
  NativeTarget,
  type NativeTargetOptions,
} from './native-target.js';
export {
  buildRunnerImage,
  CODE_BASE,
  type RunnerImage,
  SCRATCH_BASE,
  TestRecord,
} from './runner.js';
export * from './state.js';
