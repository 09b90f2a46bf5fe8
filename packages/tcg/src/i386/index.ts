/**
 * The i386 frontend: the instruction decoder, the disassembler used by `-d in_asm`, the
 * MMU's pure functions, and the CPU with its translator, helpers and vCPU adapter.
 */

// ---- The CPU, its JIT frontend and the vCPU adapter ------------------------------------
export {
  CC_OP_DYNAMIC,
  CC_OP_EFLAGS,
  ccComputeAll,
  ccOpName,
} from './cpu/cc-helper.js';
export * as X86Constants from './cpu/constants.js';
export {
  CPUID_EDX_NAMES,
  CPUID_EXT2_NX,
  CPUID_VME,
  type CpuModel,
  cpuidLeaf,
  cpuSignature,
  HONEST_EDX,
  qemu32Model,
} from './cpu/cpuid.js';
export {
  type ApicBaseMsr,
  type CpuInterruptLines,
  EMPTY_IO_SPACE,
  type IoPortSpace,
  LINE_INTERRUPT_HARD,
  LINE_INTERRUPT_INIT,
  LINE_INTERRUPT_NMI,
  LINE_INTERRUPT_SIPI,
  LINE_INTERRUPT_SMI,
} from './cpu/interfaces.js';
export {
  CORE,
  MMU_KERNEL_IDX,
  MMU_USER_IDX,
  SYS,
  X86_LAYOUT,
  X86_MMU_MODES,
} from './cpu/state-layout.js';
export { maskA20, X86Cpu, type X86CpuOptions } from './cpu/x86-cpu.js';
export {
  DecodeMode,
  decodeInsn,
  type FetchByte,
  InsnDecoder,
  MAX_INSN_LENGTH,
} from './decode/decoder.js';
export {
  DecodedInsn,
  DecodeStatus,
  X86Op,
  X86Operand,
  X86OperandKind,
  X86Prefix,
  X86Reg,
  X86Seg,
} from './decode/insn.js';
export { lookupSimd, type SimdForm, type SimdOperand } from './decode/simd.js';
export { lookupX87, type X87Form } from './decode/x87.js';
export {
  type Disassembly,
  disassembleOne,
  disassembleRange,
  formatInsn,
  registerName,
} from './disas/disas.js';
export { x86Frontend } from './frontend.js';
export {
  Desc,
  descriptorAddress,
  descriptorBase,
  descriptorDpl,
  descriptorFlags,
  descriptorLimit,
  descriptorType,
  type Gate,
  is32Bit,
  isCode,
  isConforming,
  isData,
  isExpandDown,
  isNullSelector,
  isPresent,
  isReadable,
  isSystem,
  isWritable,
  loadRealModeSegment,
  loadSegmentCache,
  loadVm86Segment,
  makeDescriptor,
  parseGate,
  type SegmentCache,
  SystemType,
  selectorIndex,
  selectorRpl,
  selectorTi,
  withinLimit,
} from './mmu/descriptor.js';
export {
  AccessType,
  PageFaultError,
  PageProt,
  PageWalkResult,
  type PagingMode,
  type PhysicalAccess,
  Pte,
  pageWalk,
  pagingMode,
} from './mmu/pagewalk.js';
export {
  SEGMENT_CHECK_SIZES,
  type SegmentRights,
  type SegmentWindow,
  segmentIsFlat,
  segmentRights,
  segmentWindow,
  windowAllows,
} from './mmu/segment-check.js';
export {
  X86Vcpu,
  type X86VcpuBudget,
  type X86VcpuExitReason,
  type X86VcpuOptions,
} from './vcpu.js';
