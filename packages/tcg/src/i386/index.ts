/**
 * The i386 frontend pieces that need no IR: the instruction decoder, the
 * disassembler used by `-d in_asm`, and the MMU's pure functions.
 */
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
