/**
 * The x87 escapes D8-DF (QEMU's gen_x87 / disas_insn_x87): each instruction becomes at most
 * a few helper calls on the FPU state arrays (fpu/), with guest memory read and written by
 * the ordinary load/store emitters of context.ts.
 *
 * The shape of an instruction:
 * 1. CR0.EM or CR0.TS: #NM (known from the TB flags at translation time).
 * 2. A waiting instruction (all but FNINIT FNCLEX FNSTSW FNSTCW FNSTENV FNSAVE) tests
 *    FSW.ES inline and calls the #MF/FERR helper only when an exception is pending.
 * 3. Memory source operands are loaded, then one helper computes and updates the stack.
 *    Stores are prepared by a helper, written, then committed, so a fault in the middle
 *    leaves the FPU as it was.
 * 4. Non-control instructions record FIP/FCS/FOP (and FDP/FDS with a memory operand) with
 *    plain state stores, after the last access that can fault.
 */
import type { Operand } from '../../core/ir/builder.js';
import { Cond } from '../../core/ir/opcodes.js';
import type { Temp } from '../../core/ir/temp.js';
import { EXCP07_PREX, HF_EM, HF_TS, R_CS, R_EAX } from '../cpu/constants.js';
import { FPU, FPU_ARRAY, G_SEG_BASE, SEG_SELECTOR } from '../cpu/state-layout.js';
import {
  helperX87ArithFloat32,
  helperX87ArithFloat64,
  helperX87ArithInteger,
  helperX87ArithRegisters,
} from '../fpu/arith.js';
import {
  CompareMode,
  helperX87CompareEflags,
  helperX87CompareFloat32,
  helperX87CompareFloat64,
  helperX87CompareInteger,
  helperX87CompareRegisters,
} from '../fpu/compare.js';
import {
  EnvLayout,
  environmentSize,
  helperX87AfterSave,
  helperX87AfterStoreEnvironment,
  helperX87ClearExceptions,
  helperX87ImageRead,
  helperX87ImageWrite,
  helperX87Init,
  helperX87LoadControlWord,
  helperX87LoadImage,
  helperX87SaveImage,
  imageSize,
} from '../fpu/environment.js';
import {
  helperX87CommitStore,
  helperX87Load,
  helperX87PendingWord,
  helperX87PrepareStore,
  LoadFormat,
  StoreFormat,
} from '../fpu/load-store.js';
import {
  helperX87ConditionalMove,
  helperX87Exchange,
  helperX87Free,
  helperX87LoadRegister,
  helperX87StoreRegister,
} from '../fpu/register-ops.js';
import { helperX87StackTopOperation } from '../fpu/stack-top-ops.js';
import { helperX87CheckPending } from '../fpu/x87-exceptions.js';
import { FSW_TOP_SHIFT } from '../fpu/x87-state.js';
import { genSetcc } from './cc.js';
import {
  genEffectiveAddress,
  genException,
  genLoad,
  genModrmAddress,
  genStore,
  genWriteReg,
  type X86DisasContext,
} from './context.js';
import { genSetEflagsCc } from './ops-alu.js';

// ---- the pieces every instruction is made of ----------------------------------------------

/**
 * A waiting x87 instruction (or WAIT) first delivers a pending unmasked exception: #MF, or
 * FERR# without CR0.NE. It comes before the instruction's own memory accesses, so that a
 * pending #MF wins over a page fault of the operand.
 */
export function genX87CheckPending(dc: X86DisasContext): void {
  // The cc_op global need not be exact: a raise restores it from the insn_start data.
  dc.b.call(helperX87CheckPending, null);
}

/**
 * FIP/FCS and FOP of a non-control instruction, and FDP/FDS when it has a memory operand.
 * In real and virtual-8086 mode the pointers are linear addresses (what FSTENV stores
 * there); in protected mode they are offsets with their selectors.
 */
function genRecordInstruction(dc: X86DisasContext, hasMemory: boolean): void {
  const b = dc.b;
  const insn = dc.insn;
  const linear = !dc.protectedMode;
  b.storeState(linear ? (dc.csBase + dc.curEip) | 0 : dc.curEip | 0, FPU_ARRAY, FPU.FIP);
  const cs = b.temp();
  b.loadState(cs, SEG_SELECTOR, R_CS);
  b.storeState(cs, FPU_ARRAY, FPU.FCS);
  b.storeState(((insn.opcode & 7) << 8) | insn.modrm, FPU_ARRAY, FPU.FOP);
  if (!hasMemory) return;
  // Recomputed rather than reusing a0: a store's skip label may lie in between.
  const ea = genEffectiveAddress(dc);
  if (linear) b.add(ea, ea, G_SEG_BASE[insn.memSeg]);
  b.storeState(ea, FPU_ARRAY, FPU.FDP);
  const ds = b.temp();
  b.loadState(ds, SEG_SELECTOR, insn.memSeg);
  b.storeState(ds, FPU_ARRAY, FPU.FDS);
}

/** The operand's address plus `offset`. */
function genAddressPlus(dc: X86DisasContext, offset: number): Temp {
  const t = dc.b.temp();
  dc.b.add(t, genModrmAddress(dc), offset);
  return t;
}

/**
 * Reads a memory operand of `size` bytes (2, 4, 8 or 10) as the words the load helpers
 * take: dword 0 (a 16-bit operand sign-extended), dword 1, and the word at offset 8.
 */
function genLoadWords(dc: X86DisasContext, size: number): [Operand, Operand, Operand] {
  const a0 = genModrmAddress(dc);
  if (size === 2) return [genLoad(dc, 2, a0, true), 0, 0];
  const w0 = genLoad(dc, 4, a0);
  if (size === 4) return [w0, 0, 0];
  const w1 = genLoad(dc, 4, genAddressPlus(dc, 4));
  if (size === 8) return [w0, w1, 0];
  return [w0, w1, genLoad(dc, 2, genAddressPlus(dc, 8))];
}

/** FLD/FILD/FBLD from memory. */
function genLoadInsn(dc: X86DisasContext, format: number, size: number): void {
  genX87CheckPending(dc);
  const [w0, w1, w2] = genLoadWords(dc, size);
  dc.b.call(helperX87Load, null, format, w0, w1, w2);
  genRecordInstruction(dc, true);
}

/** FST/FIST/FBSTP to memory: prepare, write unless an unmasked exception says no, commit. */
function genStoreInsn(dc: X86DisasContext, format: number, size: number, pop: boolean): void {
  const b = dc.b;
  genX87CheckPending(dc);
  const a0 = genModrmAddress(dc);
  const write = b.temp();
  b.call(helperX87PrepareStore, write, format);
  const skip = b.newLabel();
  b.brcond(Cond.Eq, write, 0, skip);
  const w0 = b.temp();
  b.call(helperX87PendingWord, w0, 0);
  if (size === 2) {
    genStore(dc, 2, a0, w0);
  } else {
    genStore(dc, 4, a0, w0);
    if (size >= 8) {
      const w1 = b.temp();
      b.call(helperX87PendingWord, w1, 1);
      genStore(dc, 4, genAddressPlus(dc, 4), w1);
    }
    if (size === 10) {
      const w2 = b.temp();
      b.call(helperX87PendingWord, w2, 2);
      genStore(dc, 2, genAddressPlus(dc, 8), w2);
    }
  }
  b.setLabel(skip);
  b.call(helperX87CommitStore, null, pop ? 1 : 0);
  genRecordInstruction(dc, true);
}

/** The layout bits of FSTENV/FLDENV/FSAVE/FRSTOR from the operand size and the mode. */
function environmentLayout(dc: X86DisasContext, registers: boolean): number {
  return (
    (dc.insn.opSize === 4 ? EnvLayout.OPERAND32 : 0) |
    (dc.protectedMode ? EnvLayout.PROTECTED : 0) |
    (registers ? EnvLayout.REGISTERS : 0)
  );
}

/** The words of an image: [offset, size] (the environment's 7 fields, then dwords). */
function imageWords(layout: number): [number, number][] {
  const envSize = environmentSize(layout);
  const field = envSize / 7;
  const words: [number, number][] = [];
  for (let i = 0; i < 7; i++) words.push([i * field, field]);
  for (let offset = envSize; offset < imageSize(layout); offset += 4) words.push([offset, 4]);
  return words;
}

/** FNSTENV (`registers` false) and FNSAVE: build the image, write it, then mask or FNINIT. */
function genSaveEnvironment(dc: X86DisasContext, registers: boolean): void {
  const b = dc.b;
  const layout = environmentLayout(dc, registers);
  b.call(helperX87SaveImage, null, layout);
  const a0 = genModrmAddress(dc);
  for (const [offset, size] of imageWords(layout)) {
    const v = b.temp();
    b.call(helperX87ImageRead, v, offset, size);
    genStore(dc, size, offset === 0 ? a0 : genAddressPlus(dc, offset), v);
  }
  b.call(registers ? helperX87AfterSave : helperX87AfterStoreEnvironment, null);
}

/** FLDENV and FRSTOR: read the whole image, then apply it. */
function genLoadEnvironment(dc: X86DisasContext, registers: boolean): void {
  const b = dc.b;
  genX87CheckPending(dc);
  const layout = environmentLayout(dc, registers);
  const a0 = genModrmAddress(dc);
  for (const [offset, size] of imageWords(layout)) {
    const v = genLoad(dc, size, offset === 0 ? a0 : genAddressPlus(dc, offset));
    b.call(helperX87ImageWrite, null, offset, size, v);
  }
  b.call(helperX87LoadImage, null, layout);
}

/** The architectural status word (FSW with TOP) in a temp, for FNSTSW. */
function genStatusWord(dc: X86DisasContext): Temp {
  const b = dc.b;
  const fsw = b.temp();
  const top = b.temp();
  b.loadState(fsw, FPU_ARRAY, FPU.FSW);
  b.loadState(top, FPU_ARRAY, FPU.FTOP);
  b.shl(top, top, FSW_TOP_SHIFT);
  b.or(fsw, fsw, top);
  return fsw;
}

// ---- memory forms ---------------------------------------------------------------------------

/** D8/DC/DA/DE with memory: arithmetic or compare with an m32fp/m64fp/m32int/m16int. */
function genMemoryArith(dc: X86DisasContext, esc: number, reg: number): void {
  const b = dc.b;
  const size = esc === 0 || esc === 2 ? 4 : esc === 4 ? 8 : 2;
  const floatOperand = esc === 0 || esc === 4;
  genX87CheckPending(dc);
  const [w0, w1] = genLoadWords(dc, size);
  if (reg === 2 || reg === 3) {
    const pops = reg - 2;
    if (!floatOperand) b.call(helperX87CompareInteger, null, w0, pops);
    else if (size === 4) b.call(helperX87CompareFloat32, null, w0, pops);
    else b.call(helperX87CompareFloat64, null, w0, w1, pops);
  } else if (!floatOperand) {
    b.call(helperX87ArithInteger, null, reg, w0);
  } else if (size === 4) {
    b.call(helperX87ArithFloat32, null, reg, w0);
  } else {
    b.call(helperX87ArithFloat64, null, reg, w0, w1);
  }
  genRecordInstruction(dc, true);
}

function genMemoryForm(dc: X86DisasContext, esc: number, reg: number): void {
  const b = dc.b;
  if (esc === 0 || esc === 2 || esc === 4 || esc === 6) {
    genMemoryArith(dc, esc, reg);
    return;
  }
  const op = (esc << 3) | reg;
  switch (op) {
    case (1 << 3) | 0: // D9 /0: FLD m32fp
      genLoadInsn(dc, LoadFormat.Float32, 4);
      return;
    case (1 << 3) | 2: // FST m32fp
    case (1 << 3) | 3: // FSTP m32fp
      genStoreInsn(dc, StoreFormat.Float32, 4, reg === 3);
      return;
    case (1 << 3) | 4: // FLDENV
      genLoadEnvironment(dc, false);
      return;
    case (1 << 3) | 5: {
      // FLDCW
      genX87CheckPending(dc);
      const v = genLoad(dc, 2, genModrmAddress(dc));
      b.call(helperX87LoadControlWord, null, v);
      return;
    }
    case (1 << 3) | 6: // FNSTENV
      genSaveEnvironment(dc, false);
      return;
    case (1 << 3) | 7: {
      // FNSTCW
      const fcw = b.temp();
      b.loadState(fcw, FPU_ARRAY, FPU.FCW);
      genStore(dc, 2, genModrmAddress(dc), fcw);
      return;
    }
    case (3 << 3) | 0: // DB /0: FILD m32int
      genLoadInsn(dc, LoadFormat.Int32, 4);
      return;
    case (3 << 3) | 2: // FIST m32int
    case (3 << 3) | 3: // FISTP m32int
      genStoreInsn(dc, StoreFormat.Int32, 4, reg === 3);
      return;
    case (3 << 3) | 5: // FLD m80fp
      genLoadInsn(dc, LoadFormat.Float80, 10);
      return;
    case (3 << 3) | 7: // FSTP m80fp
      genStoreInsn(dc, StoreFormat.Float80, 10, true);
      return;
    case (5 << 3) | 0: // DD /0: FLD m64fp
      genLoadInsn(dc, LoadFormat.Float64, 8);
      return;
    case (5 << 3) | 2: // FST m64fp
    case (5 << 3) | 3: // FSTP m64fp
      genStoreInsn(dc, StoreFormat.Float64, 8, reg === 3);
      return;
    case (5 << 3) | 4: // FRSTOR
      genLoadEnvironment(dc, true);
      return;
    case (5 << 3) | 6: // FNSAVE
      genSaveEnvironment(dc, true);
      return;
    case (5 << 3) | 7: // FNSTSW m16
      genStore(dc, 2, genModrmAddress(dc), genStatusWord(dc));
      return;
    case (7 << 3) | 0: // DF /0: FILD m16int
      genLoadInsn(dc, LoadFormat.Int32, 2);
      return;
    case (7 << 3) | 2: // FIST m16int
    case (7 << 3) | 3: // FISTP m16int
      genStoreInsn(dc, StoreFormat.Int16, 2, reg === 3);
      return;
    case (7 << 3) | 4: // FBLD
      genLoadInsn(dc, LoadFormat.Bcd, 10);
      return;
    case (7 << 3) | 5: // FILD m64int
      genLoadInsn(dc, LoadFormat.Int64, 8);
      return;
    case (7 << 3) | 6: // FBSTP
      genStoreInsn(dc, StoreFormat.Bcd, 10, true);
      return;
    case (7 << 3) | 7: // FISTP m64int
      genStoreInsn(dc, StoreFormat.Int64, 8, true);
      return;
    default:
      // The decoder rejects the undefined forms; FISTTP (DB/DD/DF /1) is SSE3.
      throw new Error(`x87 translator: unexpected memory form ${op.toString(8)}`);
  }
}

// ---- register forms -------------------------------------------------------------------------

/** FCMOVcc conditions by DA/DB ModRM.reg: B, E, BE, U as Jcc condition numbers. */
const FCMOV_CONDITIONS = [0x2, 0x4, 0x6, 0xa];

/** A register form that computes: pending check, the helper, FIP/FOP. */
function genRegisterCall(dc: X86DisasContext, emit: () => void): void {
  genX87CheckPending(dc);
  emit();
  genRecordInstruction(dc, false);
}

function genRegisterForm(dc: X86DisasContext, esc: number, reg: number, i: number): void {
  const b = dc.b;
  switch (esc) {
    case 0: // D8: ST(0) = ST(0) op ST(i); FCOM, FCOMP
      genRegisterCall(dc, () => {
        if (reg === 2 || reg === 3) b.call(helperX87CompareRegisters, null, i, (reg - 2) << 1);
        else b.call(helperX87ArithRegisters, null, reg, 0, i, 0);
      });
      return;
    case 1: // D9
      if (reg >= 4) {
        genRegisterCall(dc, () => b.call(helperX87StackTopOperation, null, dc.insn.modrm));
        return;
      }
      genRegisterCall(dc, () => {
        if (reg === 0) b.call(helperX87LoadRegister, null, i);
        else if (reg === 1) b.call(helperX87Exchange, null, i);
        else if (reg === 3) b.call(helperX87StoreRegister, null, i, 2); // FSTP1 alias
        // reg 2: FNOP
      });
      return;
    case 2: // DA: FCMOVB/E/BE/U, FUCOMPP
    case 3: // DB: FCMOVNB/NE/NBE/NU, FNCLEX, FNINIT, FUCOMI, FCOMI
      if (reg < 4) {
        genRegisterCall(dc, () => {
          const condition = b.temp();
          genSetcc(dc, FCMOV_CONDITIONS[reg] | (esc - 2), condition);
          b.call(helperX87ConditionalMove, null, i, condition);
        });
        return;
      }
      if (esc === 2) {
        // FUCOMPP
        genRegisterCall(dc, () =>
          b.call(helperX87CompareRegisters, null, 1, CompareMode.QUIET | (2 << 1)),
        );
        return;
      }
      if (reg === 4) {
        // FNCLEX and FNINIT are control instructions that do not wait; FNENI, FNDISI
        // and FNSETPM do nothing on a 387 or later.
        if (i === 2) b.call(helperX87ClearExceptions, null);
        else if (i === 3) b.call(helperX87Init, null);
        return;
      }
      genCompareEflags(dc, i, reg === 5 ? CompareMode.QUIET : 0);
      return;
    case 4: // DC: ST(i) = ST(i) op ST(0) (FSUB/FSUBR and FDIV/FDIVR swapped); FCOM2, FCOMP3
      genRegisterCall(dc, () => {
        if (reg === 2 || reg === 3) b.call(helperX87CompareRegisters, null, i, (reg - 2) << 1);
        else b.call(helperX87ArithRegisters, null, reg < 4 ? reg : reg ^ 1, i, 0, 0);
      });
      return;
    case 5: // DD: FFREE, FXCH4, FST, FSTP, FUCOM, FUCOMP
      genRegisterCall(dc, () => {
        if (reg === 0) b.call(helperX87Free, null, i, 0);
        else if (reg === 1) b.call(helperX87Exchange, null, i);
        else if (reg === 2 || reg === 3) b.call(helperX87StoreRegister, null, i, reg - 2);
        else b.call(helperX87CompareRegisters, null, i, CompareMode.QUIET | ((reg - 4) << 1));
      });
      return;
    case 6: // DE: the popping arithmetic, FCOMP5, FCOMPP
      genRegisterCall(dc, () => {
        if (reg === 2) b.call(helperX87CompareRegisters, null, i, 1 << 1);
        else if (reg === 3) b.call(helperX87CompareRegisters, null, 1, 2 << 1);
        else b.call(helperX87ArithRegisters, null, reg < 4 ? reg : reg ^ 1, i, 0, 1);
      });
      return;
    default: // DF: FFREEP, FXCH7, FSTP8, FSTP9, FNSTSW AX, FUCOMIP, FCOMIP
      if (reg === 4) {
        genWriteReg(dc, 2, R_EAX, genStatusWord(dc));
        return;
      }
      if (reg >= 5) {
        genCompareEflags(dc, i, (reg === 5 ? CompareMode.QUIET : 0) | (1 << 1));
        return;
      }
      genRegisterCall(dc, () => {
        if (reg === 0) b.call(helperX87Free, null, i, 1);
        else if (reg === 1) b.call(helperX87Exchange, null, i);
        else b.call(helperX87StoreRegister, null, i, 1);
      });
      return;
  }
}

/** FCOMI/FUCOMI (and the popping forms): the helper's answer becomes EFLAGS. */
function genCompareEflags(dc: X86DisasContext, i: number, mode: number): void {
  genRegisterCall(dc, () => {
    const flags = dc.b.temp();
    dc.b.call(helperX87CompareEflags, flags, i, mode);
    genSetEflagsCc(dc, flags);
  });
}

// ---- the entry point ------------------------------------------------------------------------

/** Translates the x87 instruction in dc.insn (opcode D8-DF). */
export function genX87Insn(dc: X86DisasContext): void {
  // CR0.EM (emulate) or CR0.TS (task switched, lazy FPU switching): #NM for every escape.
  if (dc.flags & (HF_EM | HF_TS)) {
    genException(dc, EXCP07_PREX);
    return;
  }
  const insn = dc.insn;
  const esc = insn.opcode - 0xd8;
  const reg = (insn.modrm >> 3) & 7;
  if (insn.modrm < 0xc0) genMemoryForm(dc, esc, reg);
  else genRegisterForm(dc, esc, reg, insn.modrm & 7);
}
