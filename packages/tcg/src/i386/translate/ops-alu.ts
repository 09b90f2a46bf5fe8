/**
 * Integer arithmetic and logic: the ALU group, INC/DEC/NEG/NOT, multiplication and
 * division, shifts and rotates, bit tests and scans, flag instructions and BCD adjusts.
 *
 * Each instruction loads its operands, computes, stores the result (the last thing that
 * can fault), and only then records its flags in the lazy cc state.
 */
import type { Operand } from '../../core/ir/builder.js';
import { Cond } from '../../core/ir/opcodes.js';
import type { Temp } from '../../core/ir/temp.js';
import {
  CC_OP_ADCB,
  CC_OP_ADDB,
  CC_OP_CLR,
  CC_OP_DECB,
  CC_OP_EFLAGS,
  CC_OP_INCB,
  CC_OP_LOGICB,
  CC_OP_MULB,
  CC_OP_SARB,
  CC_OP_SBBB,
  CC_OP_SHLB,
  CC_OP_SUBB,
  ccOpFor,
} from '../cpu/cc-helper.js';
import { CC_A, CC_C, CC_O, CC_P, CC_S, CC_Z, R_EAX, R_EDX } from '../cpu/constants.js';
import { G_CC_DST, G_CC_OP, G_CC_SRC, G_CC_SRC2, G_REGS } from '../cpu/state-layout.js';
import { X86Op, X86OperandKind } from '../decode/insn.js';
import {
  helperAaa,
  helperAad,
  helperAam,
  helperAas,
  helperDaa,
  helperDas,
  helperDivb,
  helperDivl,
  helperDivw,
  helperIdivb,
  helperIdivl,
  helperIdivw,
  helperRclFlags,
  helperRclResult,
  helperRcrFlags,
  helperRcrResult,
  helperShldCcSrc,
  helperShldResult,
} from '../helpers/int-helper.js';
import { genComputeC, genComputeEflags, genComputeEflagsTemp } from './cc.js';
import {
  genAddSeg,
  genCallHelper,
  genEffectiveAddress,
  genExts,
  genExtu,
  genLoad,
  genLoadOperand,
  genModrmAddress,
  genReadReg,
  genStore,
  genStoreOperand,
  genUpdateCcOp,
  genWriteReg,
  setCcOp,
  type X86DisasContext,
} from './context.js';

/** Record the lazy flags of an operation: cc_dst, cc_src, cc_src2 as the cc_op needs. */
export function genSetCc(
  dc: X86DisasContext,
  op: number,
  dst: Operand,
  src?: Operand,
  src2?: Operand,
): void {
  const b = dc.b;
  b.mov(G_CC_DST, dst);
  if (src !== undefined) b.mov(G_CC_SRC, src);
  if (src2 !== undefined) b.mov(G_CC_SRC2, src2);
  setCcOp(dc, op);
}

/** Flags in EFLAGS form (cc_src = f, cc_op = EFLAGS). */
export function genSetEflagsCc(dc: X86DisasContext, f: Operand): void {
  dc.b.mov(G_CC_SRC, f);
  setCcOp(dc, CC_OP_EFLAGS);
}

function isSameRegister(dc: X86DisasContext): boolean {
  const [d, s] = dc.insn.operands;
  return d.kind === X86OperandKind.Reg && s.kind === X86OperandKind.Reg && d.reg === s.reg;
}

/** ADD OR ADC SBB AND SUB XOR CMP TEST. */
export function genAlu(dc: X86DisasContext, op: X86Op): void {
  const b = dc.b;
  const insn = dc.insn;
  const size = insn.opSize;
  const [dstOp, srcOp] = insn.operands;
  // XOR/SUB of a register with itself: zero and the flags of a zero result (QEMU's CC_OP_CLR).
  if ((op === X86Op.Xor || op === X86Op.Sub) && isSameRegister(dc)) {
    genWriteReg(dc, size, dstOp.reg, 0);
    setCcOp(dc, CC_OP_CLR);
    return;
  }
  const a = genLoadOperand(dc, dstOp);
  const s = genLoadOperand(dc, srcOp);
  const r = b.temp();
  let carry: Temp | null = null;
  switch (op) {
    case X86Op.Add:
      b.add(r, a, s);
      break;
    case X86Op.Adc:
      carry = genComputeC(dc);
      b.add(r, a, s);
      b.add(r, r, carry);
      break;
    case X86Op.Sub:
    case X86Op.Cmp:
      b.sub(r, a, s);
      break;
    case X86Op.Sbb:
      carry = genComputeC(dc);
      b.sub(r, a, s);
      b.sub(r, r, carry);
      break;
    case X86Op.And:
    case X86Op.Test:
      b.and(r, a, s);
      break;
    case X86Op.Or:
      b.or(r, a, s);
      break;
    case X86Op.Xor:
      b.xor(r, a, s);
      break;
    default:
      throw new Error(`genAlu: ${X86Op[op]}`);
  }
  if (op !== X86Op.Cmp && op !== X86Op.Test) genStoreOperand(dc, dstOp, r);
  switch (op) {
    case X86Op.Add:
      genSetCc(dc, ccOpFor(CC_OP_ADDB, size), r, s);
      break;
    case X86Op.Adc:
      genSetCc(dc, ccOpFor(CC_OP_ADCB, size), r, s, carry!);
      break;
    case X86Op.Sub:
    case X86Op.Cmp:
      genSetCc(dc, ccOpFor(CC_OP_SUBB, size), r, s);
      break;
    case X86Op.Sbb:
      genSetCc(dc, ccOpFor(CC_OP_SBBB, size), r, s, carry!);
      break;
    default:
      genSetCc(dc, ccOpFor(CC_OP_LOGICB, size), r);
  }
}

/** INC and DEC: CF is kept (saved in cc_src). */
export function genIncDec(dc: X86DisasContext, op: X86Op): void {
  const b = dc.b;
  const insn = dc.insn;
  const size = insn.opSize;
  const d = insn.operands[0];
  const a = genLoadOperand(dc, d);
  const c = genComputeC(dc);
  const r = b.temp();
  b.add(r, a, op === X86Op.Inc ? 1 : -1);
  genStoreOperand(dc, d, r);
  genSetCc(dc, ccOpFor(op === X86Op.Inc ? CC_OP_INCB : CC_OP_DECB, size), r, c);
}

export function genNot(dc: X86DisasContext): void {
  const d = dc.insn.operands[0];
  const a = genLoadOperand(dc, d);
  const r = dc.b.temp();
  dc.b.not(r, a);
  genStoreOperand(dc, d, r);
}

export function genNeg(dc: X86DisasContext): void {
  const b = dc.b;
  const d = dc.insn.operands[0];
  const a = genLoadOperand(dc, d);
  const r = b.temp();
  b.neg(r, a);
  genStoreOperand(dc, d, r);
  // As SUB 0 - a: cc_src holds a.
  genSetCc(dc, ccOpFor(CC_OP_SUBB, dc.insn.opSize), r, a);
}

// ---- multiply and divide ------------------------------------------------------------

/** MUL r/m and IMUL r/m: the accumulator times the operand into (E)DX:(E)AX or AX. */
export function genMul1(dc: X86DisasContext, signed: boolean): void {
  const b = dc.b;
  const size = dc.insn.opSize;
  const v = genLoadOperand(dc, dc.insn.operands[0]);
  const eax = G_REGS[R_EAX];
  const edx = G_REGS[R_EDX];
  const op = ccOpFor(CC_OP_MULB, size);
  if (size === 4) {
    const lo = b.temp();
    const hi = b.temp();
    if (signed) b.muls2(lo, hi, eax, v);
    else b.mulu2(lo, hi, eax, v);
    b.mov(eax, lo);
    b.mov(edx, hi);
    const ov = b.temp();
    if (signed) {
      b.sar(ov, lo, 31);
      b.sub(ov, hi, ov);
    } else {
      b.mov(ov, hi);
    }
    genSetCc(dc, op, lo, ov);
    return;
  }
  const x = b.temp();
  const y = b.temp();
  if (signed) {
    genExts(b, x, eax, size);
    genExts(b, y, v, size);
  } else {
    genExtu(b, x, eax, size);
    genExtu(b, y, v, size);
  }
  const r = b.temp();
  b.mul(r, x, y);
  const ov = b.temp();
  if (size === 1) {
    genWriteReg(dc, 2, R_EAX, r);
    if (signed) {
      b.ext8s(ov, r);
      b.sub(ov, r, ov);
    } else b.and(ov, r, 0xff00);
  } else {
    genWriteReg(dc, 2, R_EAX, r);
    const h = b.temp();
    b.shr(h, r, 16);
    genWriteReg(dc, 2, R_EDX, h);
    if (signed) {
      b.ext16s(ov, r);
      b.sub(ov, r, ov);
    } else b.mov(ov, h);
  }
  genSetCc(dc, op, r, ov);
}

/** IMUL r, r/m and IMUL r, r/m, imm. */
export function genImul(dc: X86DisasContext): void {
  const b = dc.b;
  const insn = dc.insn;
  const size = insn.opSize;
  const d = insn.operands[0];
  let x: Operand;
  let y: Operand;
  if (insn.numOperands === 3) {
    x = genLoadOperand(dc, insn.operands[1]);
    y = insn.operands[2].value | 0;
  } else {
    x = genReadReg(dc, size, d.reg);
    y = genLoadOperand(dc, insn.operands[1]);
  }
  const op = ccOpFor(CC_OP_MULB, size);
  const ov = b.temp();
  if (size === 4) {
    const lo = b.temp();
    const hi = b.temp();
    b.muls2(lo, hi, x, y);
    genWriteReg(dc, 4, d.reg, lo);
    b.sar(ov, lo, 31);
    b.sub(ov, hi, ov);
    genSetCc(dc, op, lo, ov);
    return;
  }
  const sx = b.temp();
  const sy = b.temp();
  b.ext16s(sx, x);
  b.ext16s(sy, y);
  const r = b.temp();
  b.mul(r, sx, sy);
  genWriteReg(dc, 2, d.reg, r);
  b.ext16s(ov, r);
  b.sub(ov, r, ov);
  genSetCc(dc, op, r, ov);
}

export function genDiv(dc: X86DisasContext, signed: boolean): void {
  const size = dc.insn.opSize;
  const v = genLoadOperand(dc, dc.insn.operands[0]);
  const h =
    size === 1
      ? signed
        ? helperIdivb
        : helperDivb
      : size === 2
        ? signed
          ? helperIdivw
          : helperDivw
        : signed
          ? helperIdivl
          : helperDivl;
  genCallHelper(dc, h, null, v);
}

// ---- shifts and rotates ---------------------------------------------------------------

/** The shift count operand masked to 0-31: a constant, or a temp (from CL). */
function shiftCount(dc: X86DisasContext, index: number): Operand {
  const op = dc.insn.operands[index];
  if (op.kind === X86OperandKind.Imm) return op.value & 0x1f;
  const t = dc.b.temp();
  dc.b.and(t, G_REGS[1], 0x1f);
  return t;
}

/** The operand value for a shift: zero-extended, or sign-extended for SAR. */
function shiftValue(dc: X86DisasContext, signed: boolean): Temp {
  const b = dc.b;
  const size = dc.insn.opSize;
  const v = genLoadOperand(dc, dc.insn.operands[0]);
  const t = b.temp();
  if (signed) genExts(b, t, v, size);
  else b.mov(t, v);
  return t;
}

/**
 * Record shift flags when the count may be zero at run time: the lazy state changes only
 * when count != 0 (QEMU's gen_shift_flags with movcond).
 */
function genShiftFlagsDynamic(
  dc: X86DisasContext,
  op: number,
  count: Operand,
  res: Operand,
  pre: Operand,
): void {
  const b = dc.b;
  genUpdateCcOp(dc);
  b.movcond(Cond.Ne, G_CC_DST, count, 0, res, G_CC_DST);
  b.movcond(Cond.Ne, G_CC_SRC, count, 0, pre, G_CC_SRC);
  b.movcond(Cond.Ne, G_CC_OP, count, 0, op, G_CC_OP);
  setCcOp(dc, -1);
}

/** SHL/SAL, SHR, SAR. */
export function genShift(dc: X86DisasContext, op: X86Op): void {
  const b = dc.b;
  const insn = dc.insn;
  const size = insn.opSize;
  const count = shiftCount(dc, 1);
  const left = op === X86Op.Shl || op === X86Op.Sal;
  const v = shiftValue(dc, op === X86Op.Sar);
  if (typeof count === 'number' && count === 0) return; // nothing changes, not even flags
  const res = b.temp();
  const pre = b.temp();
  const c1 = b.temp();
  if (typeof count === 'number') b.mov(c1, count - 1);
  else b.sub(c1, count, 1);
  if (left) {
    b.shl(res, v, count);
    b.shl(pre, v, c1);
  } else if (op === X86Op.Shr) {
    b.shr(res, v, count);
    b.shr(pre, v, c1);
  } else {
    b.sar(res, v, count);
    b.sar(pre, v, c1);
  }
  genStoreOperand(dc, insn.operands[0], res);
  const ccop = ccOpFor(left ? CC_OP_SHLB : CC_OP_SARB, size);
  if (typeof count === 'number') genSetCc(dc, ccop, res, pre);
  else genShiftFlagsDynamic(dc, ccop, count, res, pre);
}

/** ROL and ROR: CF and OF change, the other flags stay. */
export function genRotate(dc: X86DisasContext, op: X86Op): void {
  const b = dc.b;
  const insn = dc.insn;
  const size = insn.opSize;
  const count = shiftCount(dc, 1);
  const v = shiftValue(dc, false);
  if (typeof count === 'number' && count === 0) return;
  // Rotate within `size` bits using a 32-bit rotate of a replicated value.
  const x = b.temp();
  if (size === 1) b.mul(x, v, 0x01010101);
  else if (size === 2) {
    b.shl(x, v, 16);
    b.or(x, x, v);
  } else b.mov(x, v);
  const res = b.temp();
  if (op === X86Op.Rol) b.rotl(res, x, count);
  else b.rotr(res, x, count);
  genStoreOperand(dc, insn.operands[0], res);
  // Flags: CF and OF from the result; the rest from before.
  const bits = size * 8;
  const f = genComputeEflagsTemp(dc);
  const cf = b.temp();
  const of = b.temp();
  if (op === X86Op.Rol) {
    b.and(cf, res, 1);
    b.extract(of, res, bits - 1, 1);
    b.xor(of, of, cf);
  } else {
    b.extract(cf, res, bits - 1, 1);
    b.extract(of, res, bits - 2, 1);
    b.xor(of, of, cf);
  }
  const nf = b.temp();
  b.and(nf, f, ~(CC_C | CC_O));
  b.or(nf, nf, cf);
  b.shl(of, of, 11);
  b.or(nf, nf, of);
  if (typeof count !== 'number') b.movcond(Cond.Ne, nf, count, 0, nf, f);
  genSetEflagsCcFromTemp(dc, nf);
}

function genSetEflagsCcFromTemp(dc: X86DisasContext, f: Operand): void {
  genSetEflagsCc(dc, f);
}

/** RCL and RCR through CF (pure helpers for the result and the flags). */
export function genRotateCarry(dc: X86DisasContext, op: X86Op): void {
  const b = dc.b;
  const insn = dc.insn;
  const size = insn.opSize;
  const count = shiftCount(dc, 1);
  const v = shiftValue(dc, false);
  const f = genComputeEflagsTemp(dc);
  const res = b.temp();
  const nf = b.temp();
  const left = op === X86Op.Rcl;
  b.call(left ? helperRclResult : helperRcrResult, res, v, count, size, f);
  b.call(left ? helperRclFlags : helperRcrFlags, nf, v, count, size, f);
  genStoreOperand(dc, insn.operands[0], res);
  genSetEflagsCc(dc, nf);
}

/** SHLD and SHRD. */
export function genShiftDouble(dc: X86DisasContext, op: X86Op): void {
  const b = dc.b;
  const insn = dc.insn;
  const size = insn.opSize;
  const count = shiftCount(dc, 2);
  const d = genLoadOperand(dc, insn.operands[0]);
  const s = genReadReg(dc, size, insn.operands[1].reg);
  if (typeof count === 'number' && count === 0) return;
  const right = op === X86Op.Shrd;
  const mode = size | (right ? 8 : 0);
  const res = b.temp();
  const pre = b.temp();
  b.call(helperShldResult, res, d, s, count, mode);
  b.call(helperShldCcSrc, pre, d, s, count, mode);
  genStoreOperand(dc, insn.operands[0], res);
  const ccop = ccOpFor(right ? CC_OP_SARB : CC_OP_SHLB, size);
  if (typeof count === 'number') genSetCc(dc, ccop, res, pre);
  else genShiftFlagsDynamic(dc, ccop, count, res, pre);
}

// ---- bit instructions -----------------------------------------------------------------

/** BT, BTS, BTR, BTC. */
export function genBitTest(dc: X86DisasContext, op: X86Op): void {
  const b = dc.b;
  const insn = dc.insn;
  const size = insn.opSize;
  const bits = size * 8;
  const [dOp, sOp] = insn.operands;
  let offset: Operand;
  let addr: Temp | null = null;
  if (sOp.kind === X86OperandKind.Imm) {
    offset = sOp.value & (bits - 1);
    if (dOp.kind === X86OperandKind.Mem) addr = genModrmAddress(dc);
  } else {
    const raw = genReadReg(dc, size, sOp.reg);
    if (dOp.kind === X86OperandKind.Mem) {
      // A register bit offset reaches any bit: the address moves by whole operands.
      const signed = b.temp();
      genExts(b, signed, raw, size);
      const disp = b.temp();
      b.sar(disp, signed, size === 4 ? 5 : 4);
      b.shl(disp, disp, size === 4 ? 2 : 1);
      const ea = genEffectiveAddress(dc);
      b.add(ea, ea, disp);
      if (insn.addrSize === 2) b.ext16u(ea, ea);
      addr = genAddSeg(dc, ea, insn.addrSize, insn.memSeg, insn.segOverride);
    }
    const o = b.temp();
    b.and(o, raw, bits - 1);
    offset = o;
  }
  const v = addr !== null ? genLoad(dc, size, addr) : genReadReg(dc, size, dOp.reg);
  const bit = b.temp();
  b.shr(bit, v, offset);
  b.and(bit, bit, 1);
  if (op !== X86Op.Bt) {
    const m = b.temp();
    b.shl(m, 1, offset);
    const r = b.temp();
    if (op === X86Op.Bts) b.or(r, v, m);
    else if (op === X86Op.Btr) b.andc(r, v, m);
    else b.xor(r, v, m);
    if (addr !== null) genStore(dc, size, addr, r);
    else genWriteReg(dc, size, dOp.reg, r);
  }
  const f = genComputeEflagsTemp(dc);
  b.deposit(f, f, bit, 0, 1);
  genSetEflagsCc(dc, f);
}

/** BSF and BSR: ZF = (source == 0); the destination is kept when the source is zero. */
export function genBitScan(dc: X86DisasContext, op: X86Op): void {
  const b = dc.b;
  const insn = dc.insn;
  const size = insn.opSize;
  const d = insn.operands[0];
  const src = genLoadOperand(dc, insn.operands[1]);
  const old = genReadReg(dc, size, d.reg);
  const idx = b.temp();
  if (op === X86Op.Bsf) b.ctz(idx, src, old);
  else {
    b.clz(idx, src, 0);
    b.xor(idx, idx, 31);
    b.movcond(Cond.Eq, idx, src, 0, old, idx);
  }
  genWriteReg(dc, size, d.reg, idx);
  genSetCc(dc, ccOpFor(CC_OP_LOGICB, size), src);
}

// ---- flag instructions ----------------------------------------------------------------

export function genFlagOp(dc: X86DisasContext, op: X86Op): void {
  const b = dc.b;
  const f = genComputeEflagsTemp(dc);
  if (op === X86Op.Clc) b.and(f, f, ~CC_C);
  else if (op === X86Op.Stc) b.or(f, f, CC_C);
  else b.xor(f, f, CC_C);
  genSetEflagsCc(dc, f);
}

/** LAHF: AH = SF ZF 0 AF 0 PF 1 CF. */
export function genLahf(dc: X86DisasContext): void {
  const b = dc.b;
  const f = genComputeEflags(dc);
  const t = b.temp();
  b.and(t, f, CC_S | CC_Z | CC_A | CC_P | CC_C);
  b.or(t, t, 2);
  b.deposit(G_REGS[R_EAX], G_REGS[R_EAX], t, 8, 8);
}

/** SAHF: SF ZF AF PF CF from AH; OF stays. */
export function genSahf(dc: X86DisasContext): void {
  const b = dc.b;
  const f = genComputeEflags(dc);
  const o = b.temp();
  b.and(o, f, CC_O);
  const ah = b.temp();
  b.extract(ah, G_REGS[R_EAX], 8, 8);
  b.and(ah, ah, CC_S | CC_Z | CC_A | CC_P | CC_C);
  b.or(o, o, ah);
  genSetEflagsCc(dc, o);
}

/** SALC: AL = CF ? 0xff : 0. */
export function genSalc(dc: X86DisasContext): void {
  const c = genComputeC(dc);
  const t = dc.b.temp();
  dc.b.neg(t, c);
  genWriteReg(dc, 1, R_EAX, t);
}

export function genBcd(dc: X86DisasContext, op: X86Op): void {
  switch (op) {
    case X86Op.Daa:
      genCallHelper(dc, helperDaa, null);
      return;
    case X86Op.Das:
      genCallHelper(dc, helperDas, null);
      return;
    case X86Op.Aaa:
      genCallHelper(dc, helperAaa, null);
      return;
    case X86Op.Aas:
      genCallHelper(dc, helperAas, null);
      return;
    case X86Op.Aam:
      genCallHelper(dc, helperAam, null, dc.insn.operands[0].value & 0xff);
      return;
    case X86Op.Aad:
      genCallHelper(dc, helperAad, null, dc.insn.operands[0].value & 0xff);
      return;
    default:
      throw new Error(`genBcd: ${X86Op[op]}`);
  }
}

export { CC_OP_CLR };
