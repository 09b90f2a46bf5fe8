/**
 * The i386 translator's per-TB context (QEMU's DisasContext) and the emitters every
 * instruction group shares: registers of each size, effective addresses with their
 * segment bases, guest loads and stores, the stack, the lazy condition-code state, and
 * TB exits.
 */

import {
  DISAS_NORETURN,
  type DisasContextBase,
  translatorUseGotoTb,
} from '../../core/exec/translator.js';
import type { IrBuilder, Operand } from '../../core/ir/builder.js';
import type { HelperInfo } from '../../core/ir/helper.js';
import { effectCovers } from '../../core/ir/helper.js';
import { Cond, type MemOp, MO_8, MO_16, MO_32, MO_SIGN } from '../../core/ir/opcodes.js';
import type { Label, Temp } from '../../core/ir/temp.js';
import { CC_OP_DYNAMIC } from '../cpu/cc-helper.js';
import {
  EXCP0C_STACK,
  EXCP0D_GPF,
  HF_ADDSEG,
  HF_CPL_MASK,
  HF_CS32,
  HF_INHIBIT_IRQ,
  HF_PE,
  HF_SEGCHK_SHIFT,
  HF_SS32,
  IOPL_MASK,
  IOPL_SHIFT,
  R_ESP,
  R_SS,
  RF_MASK,
  TBF_BP_PAGE,
  TF_MASK,
  VM_MASK,
} from '../cpu/constants.js';
import {
  G_CC_OP,
  G_EIP,
  G_REGS,
  G_SEG_BASE,
  MMU_KERNEL_IDX,
  MMU_USER_IDX,
  SEG_CHECK_ARRAY,
  SYS,
  SYS_ARRAY,
  segCheckSlot,
} from '../cpu/state-layout.js';
import { DecodeMode, type FetchByte, InsnDecoder } from '../decode/decoder.js';
import { DecodedInsn, type X86Operand, X86OperandKind } from '../decode/insn.js';
import {
  helperRaiseException,
  helperRaiseExceptionErr,
  helperRaiseFault,
  helperResetInhibitIrq,
  helperSetInhibitIrq,
  helperSingleStep,
} from '../helpers/misc-helper.js';

/** isJmp values of this frontend (after the core's DISAS_TARGET_0 = 3). */
/** End the TB after this instruction; EIP = next instruction, no chaining (state changed). */
export const DISAS_EOB_NEXT = 3;
/** Same, and start an interrupt shadow (STI, MOV SS, POP SS). */
export const DISAS_EOB_INHIBIT_IRQ = 4;
/** EIP was set by the instruction (indirect jump, RET): look the next TB up. */
export const DISAS_JUMP = 5;
/** EIP was set by a helper that may have changed the TB flags: back to cpu_exec. */
export const DISAS_EOB_ONLY = 6;

export class X86DisasContext {
  readonly b: IrBuilder;
  readonly flags: number;
  readonly csBase: number;
  readonly cpl: number;
  readonly pe: boolean;
  readonly vm86: boolean;
  readonly code32: boolean;
  readonly ss32: boolean;
  readonly addseg: boolean;
  readonly iopl: number;
  readonly tf: boolean;
  readonly mmuIdx: number;
  /** Direct chaining is allowed (no single-step, no interrupt shadow ending here). */
  readonly jmpOpt: boolean;
  readonly decodeMode: number;
  /** Bit n: accesses through segment register n need a limit/type check (HF_SEGCHK). */
  readonly segChecks: number;
  /**
   * One instruction per TB: single-step, an interrupt shadow, EFLAGS.RF (cleared after one
   * instruction) or an instruction breakpoint on the page.
   */
  readonly oneInsn: boolean;

  /**
   * Addresses made by genAddSeg in the current instruction and their segment (bits 0-2,
   * bit 3 when the base was added): the segment checks of genLoad/genStore look them up.
   */
  private readonly addrTemps: Operand[] = [];
  private readonly addrSegs: number[] = [];
  /** Out-of-line #GP(0) / #SS(0) of the current instruction's segment checks. */
  private gpLabel: Label | null = null;
  private ssLabel: Label | null = null;

  /** Translation-time cc_op (CC_OP_DYNAMIC: unknown, read the global). */
  ccOp = CC_OP_DYNAMIC;
  /** The cc_op global is behind ccOp. */
  ccOpDirty = false;

  readonly insn = new DecodedInsn();
  readonly decoder = new InsnDecoder();
  readonly fetch: FetchByte;
  /** EIP of the instruction being translated, and of the next one. */
  curEip = 0;
  nextEip = 0;
  /** Linear address of the current memory operand, computed once per instruction. */
  a0: Temp | null = null;

  constructor(readonly base: DisasContextBase) {
    this.b = base.b;
    const f = base.tb.flags;
    this.flags = f;
    this.csBase = base.tb.csBase;
    this.cpl = f & HF_CPL_MASK;
    this.pe = (f & HF_PE) !== 0;
    this.vm86 = (f & VM_MASK) !== 0;
    this.code32 = (f & HF_CS32) !== 0;
    this.ss32 = (f & HF_SS32) !== 0;
    this.addseg = (f & HF_ADDSEG) !== 0;
    this.iopl = (f & IOPL_MASK) >> IOPL_SHIFT;
    this.tf = (f & TF_MASK) !== 0;
    this.mmuIdx = this.cpl === 3 ? MMU_USER_IDX : MMU_KERNEL_IDX;
    this.segChecks = (f >>> HF_SEGCHK_SHIFT) & 0x3f;
    this.oneInsn = this.tf || (f & (HF_INHIBIT_IRQ | RF_MASK | TBF_BP_PAGE)) !== 0;
    this.jmpOpt = !this.oneInsn;
    this.decodeMode =
      (this.code32 ? DecodeMode.CODE32 : 0) | (this.pe && !this.vm86 ? DecodeMode.PROTECTED : 0);
    const csBase = this.csBase;
    this.fetch = (eip: number) => base.ldub((csBase + eip) | 0);
  }

  /** Protected mode outside virtual-8086 mode. */
  get protectedMode(): boolean {
    return this.pe && !this.vm86;
  }

  /** Size in bytes of the stack pointer (SS.B). */
  get stackAddrSize(): 2 | 4 {
    return this.ss32 ? 4 : 2;
  }

  /** Forget the previous instruction's addresses (its temps are dead now). */
  startInsn(): void {
    this.a0 = null;
    this.addrTemps.length = 0;
    this.addrSegs.length = 0;
    this.gpLabel = null;
    this.ssLabel = null;
  }

  /** Record that `addr` is a linear address in segment `seg` (see genAddSeg). */
  noteAddress(addr: Operand, seg: number, baseAdded: boolean): void {
    this.addrTemps.push(addr);
    this.addrSegs.push(seg | (baseAdded ? 8 : 0));
  }

  /**
   * The segment of `addr`: the one genAddSeg recorded for it, else the last one of this
   * instruction (an address derived from it, such as the selector half of a far
   * pointer). -1 when the instruction made none.
   */
  segmentOf(addr: Operand): number {
    const n = this.addrTemps.length;
    for (let i = n - 1; i >= 0; i--) if (this.addrTemps[i] === addr) return this.addrSegs[i];
    return n > 0 ? this.addrSegs[n - 1] : -1;
  }

  /** The label of the current instruction's out-of-line #SS(0) or #GP(0). */
  segFaultLabel(stack: boolean): Label {
    if (stack) {
      this.ssLabel ??= this.b.newLabel();
      return this.ssLabel;
    }
    this.gpLabel ??= this.b.newLabel();
    return this.gpLabel;
  }

  /**
   * After the instruction: the fault paths its segment checks branch to. They come after
   * the instruction's code and before the next insn_start, so a fault restores the state
   * of this instruction; the normal path jumps over them.
   */
  endInsn(fallsThrough: boolean): void {
    if (this.gpLabel === null && this.ssLabel === null) return;
    const b = this.b;
    const skip = fallsThrough ? b.newLabel() : null;
    if (skip !== null) b.br(skip);
    for (const [label, vector] of [
      [this.gpLabel, EXCP0D_GPF],
      [this.ssLabel, EXCP0C_STACK],
    ] as const) {
      if (label === null) continue;
      b.setLabel(label);
      b.call(helperRaiseFault, null, vector, 0);
      b.exitTb();
    }
    if (skip !== null) b.setLabel(skip);
    this.gpLabel = null;
    this.ssLabel = null;
  }
}

// ---- sizes ------------------------------------------------------------------------------

export function memopOf(size: number, signed = false): MemOp {
  const m = size === 1 ? MO_8 : size === 2 ? MO_16 : MO_32;
  return signed ? m | MO_SIGN : m;
}

/** Zero-extend `v` (low `size` bytes) into `d`. */
export function genExtu(b: IrBuilder, d: Temp, v: Operand, size: number): void {
  if (size === 1) b.ext8u(d, v);
  else if (size === 2) b.ext16u(d, v);
  else b.mov(d, v);
}

/** Sign-extend `v` (low `size` bytes) into `d`. */
export function genExts(b: IrBuilder, d: Temp, v: Operand, size: number): void {
  if (size === 1) b.ext8s(d, v);
  else if (size === 2) b.ext16s(d, v);
  else b.mov(d, v);
}

// ---- general registers ------------------------------------------------------------------

/** A copy of register `reg` of `size` bytes, zero-extended (AH..BH for size 1, reg 4-7). */
export function genReadReg(dc: X86DisasContext, size: number, reg: number): Temp {
  const b = dc.b;
  const t = b.temp();
  if (size === 4) b.mov(t, G_REGS[reg]);
  else if (size === 2) b.ext16u(t, G_REGS[reg]);
  else if (reg < 4) b.ext8u(t, G_REGS[reg]);
  else b.extract(t, G_REGS[reg - 4], 8, 8);
  return t;
}

/** Write the low `size` bytes of `v` to register `reg` (AH..BH for size 1, reg 4-7). */
export function genWriteReg(dc: X86DisasContext, size: number, reg: number, v: Operand): void {
  const b = dc.b;
  if (size === 4) b.mov(G_REGS[reg], v);
  else if (size === 2) b.deposit(G_REGS[reg], G_REGS[reg], v, 0, 16);
  else if (reg < 4) b.deposit(G_REGS[reg], G_REGS[reg], v, 0, 8);
  else b.deposit(G_REGS[reg - 4], G_REGS[reg - 4], v, 8, 8);
}

/** Add `delta` to a register used as an address of `addrSize` bytes (SI, DI, CX...). */
export function genAddAddrReg(
  dc: X86DisasContext,
  addrSize: number,
  reg: number,
  delta: Operand,
): void {
  const b = dc.b;
  if (addrSize === 4) {
    b.add(G_REGS[reg], G_REGS[reg], delta);
  } else {
    const t = b.temp();
    b.add(t, G_REGS[reg], delta);
    b.deposit(G_REGS[reg], G_REGS[reg], t, 0, 16);
  }
}

// ---- addresses --------------------------------------------------------------------------

/**
 * Linear address of offset `a0` in segment `defSeg` (QEMU's gen_lea_v_seg): the offset
 * wraps to the address size; the base is added when the segment was overridden, or when
 * the TB is not flat (ADDSEG).
 */
export function genAddSeg(
  dc: X86DisasContext,
  a0: Operand,
  addrSize: number,
  defSeg: number,
  ovrSeg: number,
): Temp {
  const b = dc.b;
  const t = b.temp();
  let seg = ovrSeg;
  if (seg < 0 && dc.addseg) seg = defSeg;
  if (addrSize === 2) {
    b.ext16u(t, a0);
    if (seg >= 0) b.add(t, t, G_SEG_BASE[seg]);
  } else if (seg >= 0) {
    b.add(t, a0, G_SEG_BASE[seg]);
  } else {
    b.mov(t, a0);
  }
  dc.noteAddress(t, ovrSeg >= 0 ? ovrSeg : defSeg, seg >= 0);
  return t;
}

/** The effective address (offset) of the ModRM/moffs memory operand, wrapped to the address size. */
export function genEffectiveAddress(dc: X86DisasContext): Temp {
  const b = dc.b;
  const insn = dc.insn;
  const t = b.temp();
  const { memBase, memIndex, memScale, disp } = insn;
  if (memBase >= 0) b.add(t, G_REGS[memBase], disp);
  else b.mov(t, disp);
  if (memIndex >= 0) {
    if (memScale === 0) b.add(t, t, G_REGS[memIndex]);
    else {
      const s = b.temp();
      b.shl(s, G_REGS[memIndex], memScale);
      b.add(t, t, s);
    }
  }
  if (insn.addrSize === 2) b.ext16u(t, t);
  return t;
}

/** Linear address of the instruction's memory operand (computed once per instruction). */
export function genModrmAddress(dc: X86DisasContext): Temp {
  if (dc.a0 !== null) return dc.a0;
  const insn = dc.insn;
  const ea = genEffectiveAddress(dc);
  // memSeg is the override if there is one, else the default segment (DS, or SS for EBP/ESP bases).
  dc.a0 = genAddSeg(dc, ea, insn.addrSize, insn.memSeg, insn.segOverride);
  return dc.a0;
}

// ---- guest memory -----------------------------------------------------------------------

/**
 * The segment limit and type check of an access of `size` bytes at linear address `addr`
 * (made by genAddSeg, or derived from such an address in this instruction). Nothing is
 * generated when the TB flags say the segment is flat, which is the common case of 32-bit
 * protected-mode code; otherwise the offset is tested against the segment's precomputed
 * window (SEG_CHECK_ARRAY) with one unsigned comparison, and a violation branches to the
 * instruction's out-of-line #GP(0), or #SS(0) for SS.
 */
export function genSegCheck(
  dc: X86DisasContext,
  size: number,
  addr: Operand,
  write: boolean,
): void {
  if (dc.segChecks === 0) return;
  const info = dc.segmentOf(addr);
  if (info < 0) return;
  const seg = info & 7;
  if (!((dc.segChecks >> seg) & 1)) return;
  const b = dc.b;
  let offset = addr;
  if (info & 8) {
    const t = b.temp();
    b.sub(t, addr, G_SEG_BASE[seg]);
    offset = t;
  }
  const slot = segCheckSlot(seg, write, size);
  const lo = b.temp();
  const span = b.temp();
  b.loadState(lo, SEG_CHECK_ARRAY, slot);
  b.loadState(span, SEG_CHECK_ARRAY, slot + 1);
  const rel = b.temp();
  b.sub(rel, offset, lo);
  b.brcond(Cond.Geu, rel, span, dc.segFaultLabel(seg === R_SS));
}

export function genLoad(dc: X86DisasContext, size: number, addr: Operand, signed = false): Temp {
  genSegCheck(dc, size, addr, false);
  const t = dc.b.temp();
  dc.b.qemuLd(t, addr, memopOf(size, signed), dc.mmuIdx);
  return t;
}

export function genStore(dc: X86DisasContext, size: number, addr: Operand, v: Operand): void {
  genSegCheck(dc, size, addr, true);
  dc.b.qemuSt(v, addr, memopOf(size), dc.mmuIdx);
}

// ---- operands ---------------------------------------------------------------------------

/** The value of an explicit operand (register, memory, immediate), zero-extended. */
export function genLoadOperand(dc: X86DisasContext, op: X86Operand): Operand {
  switch (op.kind) {
    case X86OperandKind.Reg:
      return genReadReg(dc, op.size, op.reg);
    case X86OperandKind.Mem:
      return genLoad(dc, op.size, genModrmAddress(dc));
    case X86OperandKind.Imm:
      return op.value | 0;
    default:
      throw new Error(
        `i386 translator: operand kind ${X86OperandKind[op.kind]} cannot be read here`,
      );
  }
}

/** Write an explicit register or memory operand. */
export function genStoreOperand(dc: X86DisasContext, op: X86Operand, v: Operand): void {
  if (op.kind === X86OperandKind.Reg) genWriteReg(dc, op.size, op.reg, v);
  else if (op.kind === X86OperandKind.Mem) genStore(dc, op.size, genModrmAddress(dc), v);
  else
    throw new Error(`i386 translator: operand kind ${X86OperandKind[op.kind]} cannot be written`);
}

// ---- the stack --------------------------------------------------------------------------

/** Linear address of stack offset `sp`. */
export function genStackAddress(dc: X86DisasContext, sp: Operand): Temp {
  return genAddSeg(dc, sp, dc.stackAddrSize, R_SS, -1);
}

/** Write ESP (SP only with a 16-bit stack). */
export function genSetEsp(dc: X86DisasContext, v: Operand): void {
  if (dc.ss32) dc.b.mov(G_REGS[R_ESP], v);
  else dc.b.deposit(G_REGS[R_ESP], G_REGS[R_ESP], v, 0, 16);
}

/** PUSH `v` of `size` bytes: store first, then ESP (a faulting store leaves ESP alone). */
export function genPush(dc: X86DisasContext, size: number, v: Operand): void {
  const b = dc.b;
  const sp = b.temp();
  b.sub(sp, G_REGS[R_ESP], size);
  genStore(dc, size, genStackAddress(dc, sp), v);
  genSetEsp(dc, sp);
}

/** Load the value on top of the stack (`offset` bytes above ESP); ESP is not changed. */
export function genPopValue(dc: X86DisasContext, size: number, offset = 0): Temp {
  const b = dc.b;
  let sp: Operand = G_REGS[R_ESP];
  if (offset !== 0) {
    const t = b.temp();
    b.add(t, G_REGS[R_ESP], offset);
    sp = t;
  }
  return genLoad(dc, size, genStackAddress(dc, sp));
}

/** ESP += n (after the popped value was used). */
export function genStackAdjust(dc: X86DisasContext, n: number): void {
  const b = dc.b;
  const t = b.temp();
  b.add(t, G_REGS[R_ESP], n);
  genSetEsp(dc, t);
}

// ---- lazy condition codes ----------------------------------------------------------------

export function setCcOp(dc: X86DisasContext, op: number): void {
  if (dc.ccOp !== op) {
    dc.ccOp = op;
    dc.ccOpDirty = op !== CC_OP_DYNAMIC;
  }
}

/** Bring the cc_op global up to date (before helpers that read it, and at TB exits). */
export function genUpdateCcOp(dc: X86DisasContext): void {
  if (dc.ccOpDirty) {
    dc.b.mov(G_CC_OP, dc.ccOp);
    dc.ccOpDirty = false;
  }
}

/**
 * Call a helper; the cc_op global is written first when the helper reads it, and the
 * translation-time cc_op is forgotten when the helper may write it.
 */
export function genCallHelper(
  dc: X86DisasContext,
  h: HelperInfo,
  ret: Temp | null,
  ...args: Operand[]
): void {
  if (effectCovers(h.reads, G_CC_OP.index) || h.canRaise) genUpdateCcOp(dc);
  dc.b.call(h, ret, ...args);
  if (effectCovers(h.writes, G_CC_OP.index)) {
    dc.ccOp = CC_OP_DYNAMIC;
    dc.ccOpDirty = false;
  }
}

// ---- EIP and TB exits ------------------------------------------------------------------

export function genUpdateEipCur(dc: X86DisasContext): void {
  dc.b.mov(G_EIP, dc.curEip);
}

export function genUpdateEipNext(dc: X86DisasContext): void {
  dc.b.mov(G_EIP, dc.nextEip);
}

/**
 * End the TB (QEMU's gen_eob_worker): the cc_op global is made exact, the interrupt
 * shadow of this TB ends (or a new one starts), TF raises the single-step trap, then
 * either the next TB is looked up directly (`jump`) or cpu_exec gets control back.
 */
export function genEob(dc: X86DisasContext, inhibit: boolean, jump: boolean): void {
  const b = dc.b;
  genUpdateCcOp(dc);
  if (inhibit && !(dc.flags & HF_INHIBIT_IRQ)) b.call(helperSetInhibitIrq, null);
  else if (dc.flags & HF_INHIBIT_IRQ) b.call(helperResetInhibitIrq, null);
  if (dc.tf) {
    b.call(helperSingleStep, null);
    b.exitTb();
  } else if (jump && !inhibit && !(dc.flags & HF_INHIBIT_IRQ)) {
    // (After an interrupt shadow, cpu_exec must look at pending interrupts first.)
    b.lookupAndGotoPtr();
  } else {
    b.exitTb();
  }
  dc.base.isJmp = DISAS_NORETURN;
}

/** Jump to `destEip` through chaining slot `slot` when allowed (QEMU's gen_jmp_tb). */
export function genJmpTb(dc: X86DisasContext, destEip: number, slot: 0 | 1): void {
  const b = dc.b;
  const dest = destEip >>> 0;
  genUpdateCcOp(dc);
  if (dc.jmpOpt && translatorUseGotoTb(dc.base, (dc.csBase + dest) | 0)) {
    b.gotoTb(slot);
    b.mov(G_EIP, dest | 0);
    b.exitTb(slot);
  } else {
    b.mov(G_EIP, dest | 0);
    genEob(dc, false, true);
  }
  dc.base.isJmp = DISAS_NORETURN;
}

/**
 * EFLAGS.RF suppresses instruction breakpoints for one instruction: a TB with RF holds just
 * that instruction (after its breakpoint check), and RF is cleared before it runs, so that
 * an IRET in it can set RF again for the next one.
 */
export function genClearResumeFlag(dc: X86DisasContext): void {
  const b = dc.b;
  const t = b.temp();
  b.loadState(t, SYS_ARRAY, SYS.EFLAGS);
  b.and(t, t, ~RF_MASK);
  b.storeState(t, SYS_ARRAY, SYS.EFLAGS);
}

/** Raise exception `intno` at the current instruction (QEMU's gen_exception). */
export function genException(dc: X86DisasContext, intno: number, errorCode?: number): void {
  const b = dc.b;
  genUpdateCcOp(dc);
  genUpdateEipCur(dc);
  if (errorCode === undefined) b.call(helperRaiseException, null, intno);
  else b.call(helperRaiseExceptionErr, null, intno, errorCode);
  b.exitTb();
  dc.base.isJmp = DISAS_NORETURN;
}
