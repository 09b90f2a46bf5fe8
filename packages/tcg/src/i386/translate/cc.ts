/**
 * Reading the lazy flags from generated code (QEMU's gen_prepare_cc and friends).
 *
 * A condition becomes one IR comparison whenever the translation-time cc_op says how the
 * flags were produced: after CMP, `jb` compares the two operands again; after TEST, `jz`
 * tests the result. Otherwise the flags are computed by a pure helper into a temp.
 *
 * Nothing here writes the cc globals: a condition is evaluated in the middle of an
 * instruction that may still fault, and the state restored at a fault must be the one
 * from the start of the instruction.
 */
import type { Operand } from '../../core/ir/builder.js';
import { Cond, invertCond } from '../../core/ir/opcodes.js';
import type { Temp } from '../../core/ir/temp.js';
import {
  CC_OP_ADDB,
  CC_OP_CLR,
  CC_OP_DECB,
  CC_OP_DYNAMIC,
  CC_OP_EFLAGS,
  CC_OP_INCB,
  CC_OP_LOGICB,
  CC_OP_MULB,
  CC_OP_SARB,
  CC_OP_SHLB,
  CC_OP_SUBB,
  ccOpBase,
  ccOpSize,
} from '../cpu/cc-helper.js';
import { CC_C, CC_O, CC_P, CC_S, CC_Z } from '../cpu/constants.js';
import { G_CC_DST, G_CC_OP, G_CC_SRC, G_CC_SRC2 } from '../cpu/state-layout.js';
import { helperCcComputeAll, helperCcComputeC } from '../helpers/int-helper.js';
import { genExts, genExtu, type X86DisasContext } from './context.js';

/** A prepared condition: true when cond(a, b). */
export interface CCPrepare {
  cond: Cond;
  a: Operand;
  b: Operand;
}

/** Jcc condition groups: cc >> 1. */
const JCC_O = 0;
const JCC_B = 1;
const JCC_Z = 2;
const JCC_BE = 3;
const JCC_S = 4;
const JCC_P = 5;
const JCC_L = 6;
const JCC_LE = 7;

/** The cc_op operand: a constant when known at translation time. */
function ccOpOperand(dc: X86DisasContext): Operand {
  return dc.ccOp === CC_OP_DYNAMIC ? G_CC_OP : dc.ccOp;
}

/** All six flags in a temp (cc_src itself when the state is already EFLAGS). */
export function genComputeEflags(dc: X86DisasContext): Operand {
  if (dc.ccOp === CC_OP_EFLAGS) return G_CC_SRC;
  if (dc.ccOp === CC_OP_CLR) return CC_Z | CC_P;
  const t = dc.b.temp();
  dc.b.call(helperCcComputeAll, t, G_CC_DST, G_CC_SRC, G_CC_SRC2, ccOpOperand(dc));
  return t;
}

/** A copy of the six flags in a temp the caller may modify. */
export function genComputeEflagsTemp(dc: X86DisasContext): Temp {
  const f = genComputeEflags(dc);
  const t = dc.b.temp();
  dc.b.mov(t, f);
  return t;
}

/** Zero-extended copy of cc_dst for the operation's size. */
function dstOfSize(dc: X86DisasContext, size: number): Operand {
  if (size === 4) return G_CC_DST;
  const t = dc.b.temp();
  genExtu(dc.b, t, G_CC_DST, size);
  return t;
}

function signBit(size: number): number {
  return size === 4 ? 0x80000000 | 0 : size === 2 ? 0x8000 : 0x80;
}

function zeroTest(_dc: X86DisasContext, size: number): CCPrepare {
  if (size === 4) return { cond: Cond.Eq, a: G_CC_DST, b: 0 };
  return { cond: Cond.Tsteq, a: G_CC_DST, b: size === 2 ? 0xffff : 0xff };
}

function signTest(size: number): CCPrepare {
  if (size === 4) return { cond: Cond.Lt, a: G_CC_DST, b: 0 };
  return { cond: Cond.Tstne, a: G_CC_DST, b: signBit(size) };
}

/** From the flags in a value (EFLAGS layout). */
function fromFlags(dc: X86DisasContext, f: Operand, jcc: number): CCPrepare {
  const b = dc.b;
  switch (jcc) {
    case JCC_O:
      return { cond: Cond.Tstne, a: f, b: CC_O };
    case JCC_B:
      return { cond: Cond.Tstne, a: f, b: CC_C };
    case JCC_Z:
      return { cond: Cond.Tstne, a: f, b: CC_Z };
    case JCC_BE:
      return { cond: Cond.Tstne, a: f, b: CC_C | CC_Z };
    case JCC_S:
      return { cond: Cond.Tstne, a: f, b: CC_S };
    case JCC_P:
      return { cond: Cond.Tstne, a: f, b: CC_P };
    case JCC_L: {
      // OF (bit 11) >> 4 lands on SF (bit 7): SF != OF.
      const t = b.temp();
      b.shr(t, f, 4);
      b.xor(t, t, f);
      return { cond: Cond.Tstne, a: t, b: CC_S };
    }
    default: {
      // LE: ZF or SF != OF. Bit 6 of (f >> 4) is bit 10, clear in the flags value.
      const t = b.temp();
      b.shr(t, f, 4);
      b.xor(t, t, f);
      return { cond: Cond.Tstne, a: t, b: CC_S | CC_Z };
    }
  }
}

/** The operands of a CMP/SUB of `size` bytes: [src1, src2] zero- or sign-extended. */
function subOperands(dc: X86DisasContext, size: number, signed: boolean): [Operand, Operand] {
  const b = dc.b;
  const s1 = b.temp();
  b.add(s1, G_CC_DST, G_CC_SRC);
  if (size === 4) return [s1, G_CC_SRC];
  const s2 = b.temp();
  if (signed) {
    genExts(b, s1, s1, size);
    genExts(b, s2, G_CC_SRC, size);
  } else {
    genExtu(b, s1, s1, size);
    genExtu(b, s2, G_CC_SRC, size);
  }
  return [s1, s2];
}

/** Prepare condition `jcc` (0-7, the non-inverted half of the 16 x86 conditions). */
function prepareBase(dc: X86DisasContext, jcc: number): CCPrepare {
  const op = dc.ccOp;
  const b = dc.b;
  if (op === CC_OP_EFLAGS) return fromFlags(dc, G_CC_SRC, jcc);
  if (op === CC_OP_CLR) {
    const truth = jcc === JCC_Z || jcc === JCC_BE || jcc === JCC_P || jcc === JCC_LE;
    return { cond: truth ? Cond.Always : Cond.Never, a: 0, b: 0 };
  }
  if (op !== CC_OP_DYNAMIC) {
    const base = ccOpBase(op);
    const size = ccOpSize(op);
    // Z and S come from the result for every sized operation.
    if (jcc === JCC_Z) return zeroTest(dc, size);
    if (jcc === JCC_S) return signTest(size);
    switch (base) {
      case CC_OP_SUBB: {
        if (jcc === JCC_B || jcc === JCC_BE) {
          const [s1, s2] = subOperands(dc, size, false);
          return { cond: jcc === JCC_B ? Cond.Ltu : Cond.Leu, a: s1, b: s2 };
        }
        if (jcc === JCC_L || jcc === JCC_LE) {
          const [s1, s2] = subOperands(dc, size, true);
          return { cond: jcc === JCC_L ? Cond.Lt : Cond.Le, a: s1, b: s2 };
        }
        break;
      }
      case CC_OP_ADDB:
        if (jcc === JCC_B) {
          if (size === 4) return { cond: Cond.Ltu, a: G_CC_DST, b: G_CC_SRC };
          const d = dstOfSize(dc, size);
          const s = b.temp();
          genExtu(b, s, G_CC_SRC, size);
          return { cond: Cond.Ltu, a: d, b: s };
        }
        break;
      case CC_OP_LOGICB:
        if (jcc === JCC_B || jcc === JCC_O) return { cond: Cond.Never, a: 0, b: 0 };
        if (jcc === JCC_BE) return zeroTest(dc, size);
        if (jcc === JCC_L) return signTest(size);
        if (jcc === JCC_LE) {
          if (size === 4) return { cond: Cond.Le, a: G_CC_DST, b: 0 };
          const d = b.temp();
          genExts(b, d, G_CC_DST, size);
          return { cond: Cond.Le, a: d, b: 0 };
        }
        break;
      case CC_OP_INCB:
      case CC_OP_DECB:
        if (jcc === JCC_B) return { cond: Cond.Ne, a: G_CC_SRC, b: 0 };
        break;
      case CC_OP_SHLB:
        if (jcc === JCC_B) return { cond: Cond.Tstne, a: G_CC_SRC, b: signBit(size) };
        break;
      case CC_OP_SARB:
        if (jcc === JCC_B) return { cond: Cond.Tstne, a: G_CC_SRC, b: 1 };
        break;
      case CC_OP_MULB:
        if (jcc === JCC_B || jcc === JCC_O) return { cond: Cond.Ne, a: G_CC_SRC, b: 0 };
        break;
    }
  }
  if (jcc === JCC_B) {
    const t = b.temp();
    b.call(helperCcComputeC, t, G_CC_DST, G_CC_SRC, G_CC_SRC2, ccOpOperand(dc));
    return { cond: Cond.Ne, a: t, b: 0 };
  }
  return fromFlags(dc, genComputeEflags(dc), jcc);
}

/** Prepare x86 condition `cc` (0-15, as in Jcc/SETcc/CMOVcc). */
export function genPrepareCc(dc: X86DisasContext, cc: number): CCPrepare {
  const p = prepareBase(dc, cc >> 1);
  if (cc & 1) p.cond = invertCond(p.cond);
  return p;
}

/** d = condition cc ? 1 : 0 */
export function genSetcc(dc: X86DisasContext, cc: number, d: Temp): void {
  const p = genPrepareCc(dc, cc);
  dc.b.setcond(p.cond, d, p.a, p.b);
}

/** CF as 0/1 in a temp. */
export function genComputeC(dc: X86DisasContext): Temp {
  const t = dc.b.temp();
  genSetcc(dc, 2, t);
  return t;
}
