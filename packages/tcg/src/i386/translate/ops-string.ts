/**
 * String instructions. A single MOVS/STOS/LODS/CMPS/SCAS is inline IR; REP forms and
 * INS/OUTS call the string helpers, which commit ESI/EDI/ECX per element so a fault in
 * the middle restarts precisely. A REP instruction ends its TB: the helper does a bounded
 * chunk, and the TB jumps back to the instruction while iterations remain.
 */

import type { HelperInfo } from '../../core/ir/helper.js';
import { Cond } from '../../core/ir/opcodes.js';
import type { Temp } from '../../core/ir/temp.js';
import { CC_OP_SUBB, ccOpFor } from '../cpu/cc-helper.js';
import { HF_IOBPT, R_EAX, R_EDI, R_EDX, R_ES, R_ESI, RF_MASK } from '../cpu/constants.js';
import { G_DF, G_EIP, G_REGS } from '../cpu/state-layout.js';
import { X86Op, X86Prefix } from '../decode/insn.js';
import { helperBptIo } from '../helpers/debug-helper.js';
import {
  STR_ADDR32,
  STR_CHECK_IO,
  STR_DST_BASE,
  STR_DST_CHECK,
  STR_ONE,
  STR_REP,
  STR_REPZ,
  STR_SRC_CHECK,
  STR_SRC_SHIFT,
} from '../helpers/string-cursor.js';
import {
  helperRepCmps,
  helperRepIns,
  helperRepLods,
  helperRepMovs,
  helperRepOuts,
  helperRepScas,
  helperRepStos,
} from '../helpers/string-helper.js';
import {
  genAddAddrReg,
  genAddSeg,
  genCallHelper,
  genClearResumeFlag,
  genJmpTb,
  genLoad,
  genReadReg,
  genStore,
  genUpdateCcOp,
  genWriteReg,
  type X86DisasContext,
} from './context.js';
import { genSetCc } from './ops-alu.js';

/** True when IN/OUT/INS/OUTS must check the TSS I/O bitmap (CPL > IOPL, or V86 mode). */
export function needsIoCheck(dc: X86DisasContext): boolean {
  return dc.pe && (dc.cpl > dc.iopl || dc.vm86);
}

function srcAddress(dc: X86DisasContext): Temp {
  const insn = dc.insn;
  return genAddSeg(dc, G_REGS[R_ESI], insn.addrSize, insn.memSeg, insn.segOverride);
}

function dstAddress(dc: X86DisasContext): Temp {
  return genAddSeg(dc, G_REGS[R_EDI], dc.insn.addrSize, R_ES, -1);
}

/** ESI/EDI step: +size or -size from DF. */
function stepOf(dc: X86DisasContext, size: number): Temp {
  const t = dc.b.temp();
  dc.b.shl(t, G_DF, size === 1 ? 0 : size === 2 ? 1 : 2);
  return t;
}

function helperFor(op: X86Op): HelperInfo {
  switch (op) {
    case X86Op.Movs:
      return helperRepMovs;
    case X86Op.Stos:
      return helperRepStos;
    case X86Op.Lods:
      return helperRepLods;
    case X86Op.Cmps:
      return helperRepCmps;
    case X86Op.Scas:
      return helperRepScas;
    case X86Op.Ins:
      return helperRepIns;
    default:
      return helperRepOuts;
  }
}

export function genStringInsn(dc: X86DisasContext, op: X86Op): void {
  const insn = dc.insn;
  const rep = (insn.prefixes & (X86Prefix.REPZ | X86Prefix.REPNZ)) !== 0;
  const io = op === X86Op.Ins || op === X86Op.Outs;
  if (rep || io) {
    genStringHelper(dc, op, rep, io);
    return;
  }
  const b = dc.b;
  const size = insn.opSize;
  const addrSize = insn.addrSize;
  switch (op) {
    case X86Op.Movs: {
      const v = genLoad(dc, size, srcAddress(dc));
      genStore(dc, size, dstAddress(dc), v);
      const step = stepOf(dc, size);
      genAddAddrReg(dc, addrSize, R_ESI, step);
      genAddAddrReg(dc, addrSize, R_EDI, step);
      return;
    }
    case X86Op.Stos: {
      genStore(dc, size, dstAddress(dc), G_REGS[R_EAX]);
      genAddAddrReg(dc, addrSize, R_EDI, stepOf(dc, size));
      return;
    }
    case X86Op.Lods: {
      const v = genLoad(dc, size, srcAddress(dc));
      genWriteReg(dc, size, R_EAX, v);
      genAddAddrReg(dc, addrSize, R_ESI, stepOf(dc, size));
      return;
    }
    case X86Op.Cmps: {
      const a = genLoad(dc, size, srcAddress(dc));
      const c = genLoad(dc, size, dstAddress(dc));
      const step = stepOf(dc, size);
      genAddAddrReg(dc, addrSize, R_ESI, step);
      genAddAddrReg(dc, addrSize, R_EDI, step);
      const r = b.temp();
      b.sub(r, a, c);
      genSetCc(dc, ccOpFor(CC_OP_SUBB, size), r, c);
      return;
    }
    case X86Op.Scas: {
      const a = genReadReg(dc, size, R_EAX);
      const c = genLoad(dc, size, dstAddress(dc));
      genAddAddrReg(dc, addrSize, R_EDI, stepOf(dc, size));
      const r = b.temp();
      b.sub(r, a, c);
      genSetCc(dc, ccOpFor(CC_OP_SUBB, size), r, c);
      return;
    }
    default:
      throw new Error(`genStringInsn: ${X86Op[op]}`);
  }
}

function genStringHelper(dc: X86DisasContext, op: X86Op, rep: boolean, io: boolean): void {
  const b = dc.b;
  const insn = dc.insn;
  let mode = insn.opSize | (insn.addrSize === 4 ? STR_ADDR32 : 0);
  const usesSource =
    op === X86Op.Movs || op === X86Op.Lods || op === X86Op.Cmps || op === X86Op.Outs;
  // Segment checks in the helper: the source segment is then always passed (with ADDSEG
  // clear its base is 0 anyway).
  const checkSource = usesSource && ((dc.segChecks >> insn.memSeg) & 1) !== 0;
  if (usesSource && (insn.segOverride >= 0 || dc.addseg || checkSource))
    mode |= (insn.memSeg + 1) << STR_SRC_SHIFT;
  if (checkSource) mode |= STR_SRC_CHECK;
  if (op !== X86Op.Lods && op !== X86Op.Outs && (dc.segChecks >> R_ES) & 1) mode |= STR_DST_CHECK;
  if (dc.addseg) mode |= STR_DST_BASE;
  if (rep) mode |= STR_REP;
  if (insn.prefixes & X86Prefix.REPZ) mode |= STR_REPZ;
  if (io && needsIoCheck(dc)) mode |= STR_CHECK_IO;
  const ioBreakpoints = io && (dc.flags & HF_IOBPT) !== 0;
  if (ioBreakpoints) mode |= STR_ONE;
  const more = b.temp();
  genCallHelper(dc, helperFor(op), more, mode);
  if (ioBreakpoints) {
    // The I/O breakpoint trap comes after the iteration: at the instruction while a REP
    // has iterations left, else after it.
    b.movcond(Cond.Ne, G_EIP, more, 0, dc.curEip, dc.nextEip);
    const port = b.temp();
    b.ext16u(port, G_REGS[R_EDX]);
    genCallHelper(dc, helperBptIo, null, port, insn.opSize);
  }
  if (!rep) return;
  genUpdateCcOp(dc);
  const done = b.newLabel();
  b.brcond(Cond.Eq, more, 0, done);
  genJmpTb(dc, dc.curEip, 1);
  b.setLabel(done);
  // RF (which kept the instruction's breakpoint quiet between chunks) ends with it.
  if (dc.flags & RF_MASK) genClearResumeFlag(dc);
  genJmpTb(dc, dc.nextEip, 0);
}
