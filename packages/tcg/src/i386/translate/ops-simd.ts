/**
 * MMX, SSE and SSE2 (X86Op.Simd; QEMU's target/i386/tcg/emit.c.inc and ops_sse.h).
 *
 * The decoder has already checked that the (opcode, mandatory prefix, ModRM) form exists
 * and filled its operands; the form's mnemonic picks the emitter here.
 *
 * - MMX register i is the significand of physical x87 register i (fpregs[4i], [4i+1]);
 *   writing it sets the register's sign/exponent word to 0xffff. Every instruction that
 *   names an MMX register first checks for a pending x87 exception (#MF) and then makes
 *   the x87-to-MMX transition (TOP = 0, all tags valid).
 * - XMM registers are the xmm state words; MXCSR is fpu[MXCSR].
 * - What the memcpy/memset/strlen loops of a C library use is inline IR on the state
 *   words (moves, logic, add/subtract with and without saturation, compare for equality,
 *   PMOVMSKB, MOVMSK, PINSRW/PEXTRW, the dword shuffles; see ../simd/inline-ops.ts); the
 *   rest calls helpers in ../simd/.
 * - A memory source is loaded completely before any register is written, and a store of
 *   more than 4 bytes that crosses a page is probed first, so a fault leaves the state of
 *   the start of the instruction.
 */
import type { Operand } from '../../core/ir/builder.js';
import type { HelperInfo } from '../../core/ir/helper.js';
import { Cond } from '../../core/ir/opcodes.js';
import type { Temp } from '../../core/ir/temp.js';
import { CC_OP_EFLAGS } from '../cpu/cc-helper.js';
import {
  EXCP0D_GPF,
  EXCP06_ILLOP,
  EXCP07_PREX,
  HF_EM,
  HF_OSFXSR,
  HF_TS,
  R_DS,
  R_EDI,
} from '../cpu/constants.js';
import { FPREGS_ARRAY, FPU, FPU_ARRAY, G_CC_SRC, G_REGS, XMM_ARRAY } from '../cpu/state-layout.js';
import { type X86Operand, X86OperandKind } from '../decode/insn.js';
import { lookupSimd, type SimdForm } from '../decode/simd.js';
import { helperRaiseFault } from '../helpers/misc-helper.js';
import { FLOAT_ARITH_HELPERS } from '../simd/float-arith.js';
import {
  helperCmppd,
  helperCmpps,
  helperCmpsd,
  helperCmpss,
  helperComisd,
  helperComiss,
  helperRcpps,
  helperRcpss,
  helperRsqrtps,
  helperRsqrtss,
  helperUcomisd,
  helperUcomiss,
} from '../simd/float-compare.js';
import { CONVERT_HELPERS } from '../simd/float-convert.js';
import { BYTE_HIGH, WORD_OPS } from '../simd/inline-ops.js';
import { INTEGER_HELPERS } from '../simd/integer.js';
import { MMX_EXPONENT, OPND_MEM, OPND_MMX } from '../simd/operands.js';
import {
  helperClflush,
  helperFxrstor,
  helperFxsave,
  helperLdmxcsr,
  helperLoadUnaligned128,
  helperMaskmov,
  helperMmxPendingX87,
  helperProbeWrite,
  helperStoreUnaligned128,
} from '../simd/state.js';
import {
  genAddSeg,
  genCallHelper,
  genException,
  genLoad,
  genModrmAddress,
  genReadReg,
  genSegCheck,
  genStore,
  genUpdateCcOp,
  genWriteReg,
  setCcOp,
  type X86DisasContext,
} from './context.js';

/** Translate one MMX/SSE/SSE2 instruction. */
export function genSimd(dc: X86DisasContext): void {
  const insn = dc.insn;
  const form = lookupSimd(insn.opcode, insn.mandatoryPrefix, insn.modrm);
  if (form === null) {
    genException(dc, EXCP06_ILLOP);
    return;
  }
  if (!genStateChecks(dc, form)) return;
  emit(dc, form);
}

// ---- CR0/CR4 checks, #MF, the MMX transition -----------------------------------------------

/** Instructions that do not use the FPU/SIMD state at all (no CR0.EM/TS checks). */
const NO_FPU_STATE = new Set(['lfence', 'mfence', 'sfence', 'clflush', 'movnti']);

function usesXmm(form: SimdForm): boolean {
  return form.operands.some((o) => 'VWU'.includes(o.letter));
}

function usesMmxRegister(dc: X86DisasContext): boolean {
  const insn = dc.insn;
  for (let i = 0; i < insn.numOperands; i++) {
    if (insn.operands[i].kind === X86OperandKind.MmxReg) return true;
  }
  return false;
}

/**
 * The checks made before anything else, in the SDM's order: #UD (CR0.EM; CR4.OSFXSR for
 * SSE), #NM (CR0.TS), then #MF for a pending x87 exception when an MMX register is used.
 * The CR0/CR4 bits are TB flags, so those checks happen here, at translation time.
 * Returns false when the instruction became an exception.
 */
function genStateChecks(dc: X86DisasContext, form: SimdForm): boolean {
  const name = form.name;
  if (NO_FPU_STATE.has(name)) return true;
  const f = dc.flags;
  if (name === 'fxsave' || name === 'fxrstor') {
    // FXSAVE/FXRSTOR raise #NM for EM too (an OS may emulate them), never #UD.
    if (f & (HF_EM | HF_TS)) {
      genException(dc, EXCP07_PREX);
      return false;
    }
    return true;
  }
  const sse = usesXmm(form) || name === 'ldmxcsr' || name === 'stmxcsr';
  if (f & HF_EM || (sse && !(f & HF_OSFXSR))) {
    genException(dc, EXCP06_ILLOP);
    return false;
  }
  if (f & HF_TS) {
    genException(dc, EXCP07_PREX);
    return false;
  }
  const mmx = usesMmxRegister(dc);
  if (mmx || name === 'emms') genCheckPendingX87(dc);
  if (mmx && name !== 'emms') {
    dc.b.storeState(0, FPU_ARRAY, FPU.FTOP);
    dc.b.storeState(0, FPU_ARRAY, FPU.FTAGS_EMPTY);
  }
  return true;
}

/** #MF when FSW.ES says an unmasked x87 exception is pending (the helper checks CR0.NE). */
function genCheckPendingX87(dc: X86DisasContext): void {
  const b = dc.b;
  genUpdateCcOp(dc);
  const fsw = b.temp();
  b.loadState(fsw, FPU_ARRAY, FPU.FSW);
  const none = b.newLabel();
  b.brcond(Cond.Tsteq, fsw, 0x80, none);
  genCallHelper(dc, helperMmxPendingX87, null);
  b.setLabel(none);
}

// ---- registers ------------------------------------------------------------------------------

function isVector(op: X86Operand): boolean {
  return op.kind === X86OperandKind.XmmReg || op.kind === X86OperandKind.MmxReg;
}

/** 32-bit words in the register: 4 for XMM, 2 for MMX. */
function regWords(op: X86Operand): number {
  return op.kind === X86OperandKind.XmmReg ? 4 : 2;
}

/** The helper handle of a register operand (see simd/operands.ts). */
function handleOf(op: X86Operand): number {
  return op.kind === X86OperandKind.XmmReg ? op.reg : OPND_MMX + op.reg;
}

/** Words first .. first+count-1 of an MMX/XMM register. */
function genReadRegWords(dc: X86DisasContext, op: X86Operand, count: number, first = 0): Temp[] {
  const b = dc.b;
  const array = op.kind === X86OperandKind.XmmReg ? XMM_ARRAY : FPREGS_ARRAY;
  const words: Temp[] = [];
  for (let k = 0; k < count; k++) {
    const t = b.temp();
    b.loadState(t, array, op.reg * 4 + first + k);
    words.push(t);
  }
  return words;
}

/** Write words from `first` on; an MMX write also sets the x87 exponent word to 0xffff. */
function genWriteRegWords(
  dc: X86DisasContext,
  op: X86Operand,
  words: readonly Operand[],
  first = 0,
): void {
  const b = dc.b;
  const mmx = op.kind === X86OperandKind.MmxReg;
  const array = mmx ? FPREGS_ARRAY : XMM_ARRAY;
  for (let k = 0; k < words.length; k++) b.storeState(words[k], array, op.reg * 4 + first + k);
  if (mmx) b.storeState(MMX_EXPONENT, FPREGS_ARRAY, op.reg * 4 + 2);
}

// ---- memory ----------------------------------------------------------------------------------

/**
 * The linear address of the memory operand. `align16`: the legacy SSE rule that a 16-byte
 * operand must be 16-byte aligned (#GP(0) otherwise). The check branches, so the address
 * is kept in a TB-wide temp (it is still needed after the label).
 */
function genSimdAddress(dc: X86DisasContext, align16: boolean): Temp {
  const a0 = genModrmAddress(dc);
  if (!align16) return a0;
  const b = dc.b;
  const addr = b.localTemp();
  b.mov(addr, a0);
  genUpdateCcOp(dc);
  const aligned = b.newLabel();
  b.brcond(Cond.Tsteq, addr, 15, aligned);
  genCallHelper(dc, helperRaiseFault, null, EXCP0D_GPF, 0);
  b.setLabel(aligned);
  dc.a0 = addr;
  return addr;
}

/**
 * The address for a store of `size` bytes: aligned forms are checked; a store of several
 * words that crosses a page has every page probed for writing first, so that it never
 * writes half of the data before a page fault.
 */
function genStoreAddress(dc: X86DisasContext, size: number, align16: boolean): Temp {
  if (align16 || size <= 4) return genSimdAddress(dc, align16);
  const b = dc.b;
  const addr = b.localTemp();
  b.mov(addr, genModrmAddress(dc));
  // Segment limits are checked before paging: a store beyond the limit is #GP even when
  // its second page is not present.
  genRangeSegCheck(dc, addr, size, true);
  genUpdateCcOp(dc);
  const offset = b.temp();
  b.and(offset, addr, 0xfff);
  const onePage = b.newLabel();
  b.brcond(Cond.Leu, offset, 0x1000 - size, onePage);
  genCallHelper(dc, helperProbeWrite, null, addr, size);
  b.setLabel(onePage);
  dc.a0 = addr;
  return addr;
}

/**
 * The segment limit/type checks of an access of `size` bytes that a helper makes: its
 * first and last dwords, as the inline loads and stores check theirs.
 */
function genRangeSegCheck(dc: X86DisasContext, addr: Temp, size: number, write: boolean): void {
  genSegCheck(dc, 4, addr, write);
  genSegCheck(dc, 4, genOffset(dc, addr, size - 4), write);
}

/** Load `size` bytes (2, 4, 8 or 16) as words (a 2-byte load is zero-extended). */
function genLoadWords(dc: X86DisasContext, addr: Temp, size: number): Temp[] {
  if (size === 2) return [genLoad(dc, 2, addr)];
  const words: Temp[] = [];
  for (let k = 0; k < size / 4; k++) words.push(genLoad(dc, 4, genOffset(dc, addr, 4 * k)));
  return words;
}

function genStoreWords(dc: X86DisasContext, addr: Temp, words: readonly Operand[]): void {
  for (let k = 0; k < words.length; k++) genStore(dc, 4, genOffset(dc, addr, 4 * k), words[k]);
}

function genOffset(dc: X86DisasContext, addr: Temp, offset: number): Temp {
  if (offset === 0) return addr;
  const t = dc.b.temp();
  dc.b.add(t, addr, offset);
  return t;
}

/** Mnemonics whose 16-byte memory operand may be misaligned. */
const UNALIGNED = new Set(['movups', 'movupd', 'movdqu']);

/**
 * The words of a source operand: `count` words of a vector register from `first`, the
 * memory operand (its decoded size), or a general register (one word).
 */
function genSourceWords(
  dc: X86DisasContext,
  name: string,
  op: X86Operand,
  count: number,
  first = 0,
): Temp[] {
  switch (op.kind) {
    case X86OperandKind.Mem: {
      const addr = genSimdAddress(dc, op.size === 16 && !UNALIGNED.has(name));
      return genLoadWords(dc, addr, op.size);
    }
    case X86OperandKind.Reg:
      return [genReadReg(dc, 4, op.reg)];
    default:
      return genReadRegWords(dc, op, count, first);
  }
}

// ---- emitters ------------------------------------------------------------------------------

function emit(dc: X86DisasContext, form: SimdForm): void {
  const name = form.name;
  const insn = dc.insn;
  const [op0, op1] = insn.operands;
  const b = dc.b;
  switch (name) {
    case 'lfence':
    case 'mfence':
    case 'sfence':
      // One CPU, and memory is coherent: the ordering they promise already holds.
      return;
    case 'clflush': {
      const addr = genModrmAddress(dc);
      genSegCheck(dc, 1, addr, false);
      genCallHelper(dc, helperClflush, null, addr);
      return;
    }
    case 'movnti':
      genStore(dc, 4, genModrmAddress(dc), genReadReg(dc, 4, op1.reg));
      return;
    case 'fxsave':
    case 'fxrstor': {
      const addr = genModrmAddress(dc);
      genRangeSegCheck(dc, addr, 512, name === 'fxsave');
      genCallHelper(dc, name === 'fxsave' ? helperFxsave : helperFxrstor, null, addr);
      return;
    }
    case 'ldmxcsr':
      genCallHelper(dc, helperLdmxcsr, null, genLoad(dc, 4, genModrmAddress(dc)));
      return;
    case 'stmxcsr': {
      const addr = genModrmAddress(dc);
      const t = b.temp();
      b.loadState(t, FPU_ARRAY, FPU.MXCSR);
      genStore(dc, 4, addr, t);
      return;
    }
    case 'emms':
      // Every register empty and TOP back to 0 (SDM vol. 1 table 9-2).
      b.storeState(0xff, FPU_ARRAY, FPU.FTAGS_EMPTY);
      b.storeState(0, FPU_ARRAY, FPU.FTOP);
      return;
  }
  if (genMoveInsn(dc, form)) return;
  if (genInlineInsn(dc, name)) return;

  // Helpers.
  const hasImm =
    insn.numOperands > 0 && insn.operands[insn.numOperands - 1].kind === X86OperandKind.Imm;
  const imm = hasImm ? insn.operands[insn.numOperands - 1].value : 0;
  if (op1?.kind === X86OperandKind.Imm) {
    // Shifts by an immediate: the register is both source and destination.
    const helper = INTEGER_HELPERS.get(
      name === 'psrldq' || name === 'pslldq' ? name : `${name}_imm`,
    );
    if (helper === undefined) throw new Error(`i386 SIMD: no immediate form of ${name}`);
    genVectorHelper(dc, name, helper, op0, op0, imm);
    return;
  }
  const vector =
    FLOAT_ARITH_HELPERS.get(name) ??
    INTEGER_HELPERS.get(name) ??
    CMP_AND_APPROX.get(name) ??
    (op0.kind !== X86OperandKind.Reg ? CONVERT_HELPERS.get(name) : undefined);
  if (vector !== undefined) {
    genVectorHelper(dc, name, vector, op0, op1, imm);
    return;
  }
  const scalar = SCALAR_RESULT.get(name) ?? CONVERT_HELPERS.get(name);
  if (scalar !== undefined) {
    const result = genScalarHelper(dc, name, scalar, op0, op1);
    if (name.includes('comis')) {
      // ZF PF CF from the comparison, OF SF AF cleared: the flags, as they are.
      b.mov(G_CC_SRC, result);
      setCcOp(dc, CC_OP_EFLAGS);
    } else {
      genWriteReg(dc, 4, op0.reg, result);
    }
    return;
  }
  throw new Error(`i386 SIMD: no emitter for ${name}`);
}

const CMP_AND_APPROX: ReadonlyMap<string, HelperInfo> = new Map([
  ['cmpps', helperCmpps],
  ['cmpss', helperCmpss],
  ['cmppd', helperCmppd],
  ['cmpsd', helperCmpsd],
  ['rcpps', helperRcpps],
  ['rcpss', helperRcpss],
  ['rsqrtps', helperRsqrtps],
  ['rsqrtss', helperRsqrtss],
]);

const SCALAR_RESULT: ReadonlyMap<string, HelperInfo> = new Map([
  ['comiss', helperComiss],
  ['ucomiss', helperUcomiss],
  ['comisd', helperComisd],
  ['ucomisd', helperUcomisd],
]);

/** The helper's source arguments: a register handle, or OPND_MEM and the operand's words. */
function genHelperSource(dc: X86DisasContext, name: string, src: X86Operand): Operand[] {
  if (isVector(src)) return [handleOf(src), 0, 0, 0, 0];
  const words: Operand[] = genSourceWords(dc, name, src, 1);
  while (words.length < 4) words.push(0);
  return [OPND_MEM, ...words];
}

function genVectorHelper(
  dc: X86DisasContext,
  name: string,
  helper: HelperInfo,
  dst: X86Operand,
  src: X86Operand,
  imm: number,
): void {
  const source = genHelperSource(dc, name, src);
  genCallHelper(dc, helper, null, handleOf(dst), ...source, imm);
}

/** COMIS* (the first operand is an XMM register) and CVT*2SI (the first is a general one). */
function genScalarHelper(
  dc: X86DisasContext,
  name: string,
  helper: HelperInfo,
  first: X86Operand,
  src: X86Operand,
): Temp {
  const source = genHelperSource(dc, name, src);
  const result = dc.b.temp();
  const dst = first.kind === X86OperandKind.XmmReg ? first.reg : OPND_MEM;
  genCallHelper(dc, helper, result, dst, ...source);
  return result;
}

// ---- moves ---------------------------------------------------------------------------------

interface MoveShape {
  /** Words moved. */
  count: number;
  /** First word read from a register source / written to a register destination. */
  srcFirst?: number;
  dstFirst?: number;
  /** A register destination's other words become 0. */
  zeroUpper?: boolean;
}

/**
 * Copies `count` words from `src` to `dst` (register, memory, or a general register for
 * MOVD). A memory source is loaded before anything is written; a memory destination's
 * address (with its alignment check or page probe) comes before the register is read.
 */
function genMove(
  dc: X86DisasContext,
  name: string,
  dst: X86Operand,
  src: X86Operand,
  shape: MoveShape,
): void {
  const { count, srcFirst = 0, dstFirst = 0, zeroUpper = false } = shape;
  if (dst.kind === X86OperandKind.Mem) {
    const addr = genStoreAddress(dc, count * 4, count === 4 && !UNALIGNED.has(name));
    genStoreWords(dc, addr, genSourceWords(dc, name, src, count, srcFirst));
    return;
  }
  const words: Operand[] = genSourceWords(dc, name, src, count, srcFirst);
  if (dst.kind === X86OperandKind.Reg) {
    genWriteReg(dc, 4, dst.reg, words[0]);
    return;
  }
  if (zeroUpper) {
    const full: Operand[] = [];
    for (let k = 0; k < regWords(dst); k++)
      full.push(k >= dstFirst && k < dstFirst + count ? words[k - dstFirst] : 0);
    genWriteRegWords(dc, dst, full);
  } else {
    genWriteRegWords(dc, dst, words, dstFirst);
  }
}

/**
 * MOVUPS/MOVUPD/MOVDQU with a memory operand. Inline loads and stores hit the TLB only
 * for aligned dwords, so a dword-aligned access is inline, and any other (or a store
 * that crosses a page) calls a helper that reads or writes the RAM block directly when
 * it can (simd/state.ts), instead of taking the TLB's slow path four times.
 */
function genUnalignedMove(dc: X86DisasContext, dst: X86Operand, src: X86Operand): void {
  const b = dc.b;
  const load = src.kind === X86OperandKind.Mem;
  const reg = load ? dst : src;
  const addr = b.localTemp();
  b.mov(addr, genModrmAddress(dc));
  dc.a0 = addr;
  genUpdateCcOp(dc);
  const slow = b.newLabel();
  const done = b.newLabel();
  const t = b.temp();
  if (load) {
    b.and(t, addr, 3);
    b.brcond(Cond.Ne, t, 0, slow);
    genWriteRegWords(dc, reg, genLoadWords(dc, addr, 16));
  } else {
    // Misaligned (bits 12-13 set) or crossing a page: the helper.
    const u = b.temp();
    b.and(t, addr, 0xfff);
    b.and(u, addr, 3);
    b.shl(u, u, 12);
    b.or(t, t, u);
    b.brcond(Cond.Gtu, t, 0x1000 - 16, slow);
    genStoreWords(dc, addr, genReadRegWords(dc, reg, 4));
  }
  b.br(done);
  b.setLabel(slow);
  genRangeSegCheck(dc, addr, 16, !load);
  genCallHelper(dc, load ? helperLoadUnaligned128 : helperStoreUnaligned128, null, reg.reg, addr);
  b.setLabel(done);
}

/** The data moves. Returns false when `form` is not one. */
function genMoveInsn(dc: X86DisasContext, form: SimdForm): boolean {
  const name = form.name;
  const [dst, src] = dc.insn.operands;
  const srcIsMem = src.kind === X86OperandKind.Mem;
  switch (name) {
    case 'movups':
    case 'movupd':
    case 'movdqu':
      if (srcIsMem || dst.kind === X86OperandKind.Mem) genUnalignedMove(dc, dst, src);
      else genMove(dc, name, dst, src, { count: 4 });
      return true;
    case 'movaps':
    case 'movapd':
    case 'movdqa':
    case 'movntps':
    case 'movntpd':
    case 'movntdq':
      genMove(dc, name, dst, src, { count: 4 });
      return true;
    case 'movntq':
    case 'movdq2q':
      genMove(dc, name, dst, src, { count: 2 });
      return true;
    case 'movq':
      if (dst.kind === X86OperandKind.MmxReg || src.kind === X86OperandKind.MmxReg) {
        genMove(dc, name, dst, src, { count: 2 });
      } else {
        // F3 0F 7E (load) and 66 0F D6 (store): a register destination's top half is cleared.
        genMove(dc, name, dst, src, { count: 2, zeroUpper: true });
      }
      return true;
    case 'movq2dq':
      genMove(dc, name, dst, src, { count: 2, zeroUpper: true });
      return true;
    case 'movss':
      // A load from memory clears the other lanes; a register-to-register move keeps them.
      genMove(dc, name, dst, src, { count: 1, zeroUpper: srcIsMem });
      return true;
    case 'movsd':
      genMove(dc, name, dst, src, { count: 2, zeroUpper: srcIsMem });
      return true;
    case 'movlps':
    case 'movlpd':
      genMove(dc, name, dst, src, { count: 2 });
      return true;
    case 'movhps':
    case 'movhpd':
      if (srcIsMem) genMove(dc, name, dst, src, { count: 2, dstFirst: 2 });
      else genMove(dc, name, dst, src, { count: 2, srcFirst: 2 });
      return true;
    case 'movhlps':
      genMove(dc, name, dst, src, { count: 2, srcFirst: 2 });
      return true;
    case 'movlhps':
      genMove(dc, name, dst, src, { count: 2, dstFirst: 2 });
      return true;
    case 'movd':
      genMove(dc, name, dst, src, { count: 1, zeroUpper: true });
      return true;
    default:
      return false;
  }
}

// ---- inline integer operations -----------------------------------------------------------

/**
 * Word shuffles: which word of the destination (d0..d3) or source (s0..s3) each result
 * word takes. MMX forms use the first half of the pattern.
 */
const DWORD_SHUFFLES: ReadonlyMap<string, { xmm: string[]; mmx: string[] }> = new Map([
  ['punpckldq', { xmm: ['d0', 's0', 'd1', 's1'], mmx: ['d0', 's0'] }],
  ['unpcklps', { xmm: ['d0', 's0', 'd1', 's1'], mmx: [] }],
  ['punpckhdq', { xmm: ['d2', 's2', 'd3', 's3'], mmx: ['d1', 's1'] }],
  ['unpckhps', { xmm: ['d2', 's2', 'd3', 's3'], mmx: [] }],
  ['punpcklqdq', { xmm: ['d0', 'd1', 's0', 's1'], mmx: [] }],
  ['unpcklpd', { xmm: ['d0', 'd1', 's0', 's1'], mmx: [] }],
  ['punpckhqdq', { xmm: ['d2', 'd3', 's2', 's3'], mmx: [] }],
  ['unpckhpd', { xmm: ['d2', 'd3', 's2', 's3'], mmx: [] }],
]);

/** Inline integer operations and shuffles. Returns false when `name` is not one. */
function genInlineInsn(dc: X86DisasContext, name: string): boolean {
  const insn = dc.insn;
  const [dst, src, immOp] = insn.operands;
  const b = dc.b;
  const wordOp = WORD_OPS.get(name);
  if (wordOp !== undefined) {
    const n = regWords(dst);
    const s = genSourceWords(dc, name, src, n);
    const d = genReadRegWords(dc, dst, n);
    const out = d.map((x, k) => {
      const t = b.temp();
      wordOp(b, t, x, s[k]);
      return t;
    });
    genWriteRegWords(dc, dst, out);
    return true;
  }
  switch (name) {
    case 'paddq':
    case 'psubq': {
      const n = regWords(dst);
      const s = genSourceWords(dc, name, src, n);
      const d = genReadRegWords(dc, dst, n);
      const out: Temp[] = [];
      for (let q = 0; q < n; q += 2) {
        const lo = b.temp();
        const hi = b.temp();
        if (name === 'paddq') b.add2(lo, hi, d[q], d[q + 1], s[q], s[q + 1]);
        else b.sub2(lo, hi, d[q], d[q + 1], s[q], s[q + 1]);
        out.push(lo, hi);
      }
      genWriteRegWords(dc, dst, out);
      return true;
    }
    case 'shufps':
    case 'shufpd':
    case 'pshufd': {
      const imm = immOp.value;
      const s = genSourceWords(dc, name, src, 4);
      const d = name === 'pshufd' ? s : genReadRegWords(dc, dst, 4);
      let out: Temp[];
      if (name === 'shufps') {
        out = [d[imm & 3], d[(imm >> 2) & 3], s[(imm >> 4) & 3], s[(imm >> 6) & 3]];
      } else if (name === 'shufpd') {
        const lo = (imm & 1) * 2;
        const hi = ((imm >> 1) & 1) * 2;
        out = [d[lo], d[lo + 1], s[hi], s[hi + 1]];
      } else {
        out = [0, 1, 2, 3].map((i) => s[(imm >> (2 * i)) & 3]);
      }
      genWriteRegWords(dc, dst, out);
      return true;
    }
    case 'pinsrw': {
      const lanes = dst.kind === X86OperandKind.XmmReg ? 8 : 4;
      const lane = immOp.value & (lanes - 1);
      const [v] = genSourceWords(dc, name, src, 1);
      const [word] = genReadRegWords(dc, dst, 1, lane >> 1);
      const t = b.temp();
      b.deposit(t, word, v, (lane & 1) * 16, 16);
      genWriteRegWords(dc, dst, [t], lane >> 1);
      return true;
    }
    case 'pextrw': {
      const lanes = src.kind === X86OperandKind.XmmReg ? 8 : 4;
      const lane = immOp.value & (lanes - 1);
      const [word] = genReadRegWords(dc, src, 1, lane >> 1);
      const t = b.temp();
      b.extract(t, word, (lane & 1) * 16, 16);
      genWriteReg(dc, 4, dst.reg, t);
      return true;
    }
    case 'pmovmskb': {
      const words = genReadRegWords(dc, src, regWords(src));
      const mask = b.temp();
      b.mov(mask, 0);
      words.forEach((w, k) => {
        // The top bits of the four bytes (bits 7, 15, 23, 31), gathered by one multiply.
        const t = b.temp();
        b.and(t, w, BYTE_HIGH);
        b.shr(t, t, 7);
        b.mul(t, t, 0x00204081);
        b.shr(t, t, 21);
        b.and(t, t, 0xf);
        if (k > 0) b.shl(t, t, 4 * k);
        b.or(mask, mask, t);
      });
      genWriteReg(dc, 4, dst.reg, mask);
      return true;
    }
    case 'movmskps':
    case 'movmskpd': {
      const words = genReadRegWords(dc, src, 4);
      const sources = name === 'movmskps' ? words : [words[1], words[3]];
      const mask = b.temp();
      b.mov(mask, 0);
      sources.forEach((w, k) => {
        const t = b.temp();
        b.shr(t, w, 31);
        if (k > 0) b.shl(t, t, k);
        b.or(mask, mask, t);
      });
      genWriteReg(dc, 4, dst.reg, mask);
      return true;
    }
    case 'maskmovq':
    case 'maskmovdqu': {
      const edi = genAddSeg(dc, G_REGS[R_EDI], insn.addrSize, R_DS, insn.segOverride);
      genRangeSegCheck(dc, edi, regWords(dst) * 4, true);
      genCallHelper(dc, helperMaskmov, null, handleOf(dst), handleOf(src), edi);
      return true;
    }
  }
  const shuffle = DWORD_SHUFFLES.get(name);
  if (shuffle !== undefined) {
    const pattern = dst.kind === X86OperandKind.XmmReg ? shuffle.xmm : shuffle.mmx;
    const n = regWords(dst);
    const s = genSourceWords(dc, name, src, n);
    const d = genReadRegWords(dc, dst, n);
    const out = pattern.map((p) => (p[0] === 'd' ? d : s)[Number(p[1])]);
    genWriteRegWords(dc, dst, out);
    return true;
  }
  return false;
}
