/**
 * Control transfers: near and far JMP/CALL/RET, Jcc, JCXZ and LOOP, INT n/INT3/INTO/
 * INT1, IRET, BOUND.
 */
import type { Operand } from '../../core/ir/builder.js';
import { defineHelper } from '../../core/ir/helper.js';
import { Cond, invertCond } from '../../core/ir/opcodes.js';
import {
  EXCP0D_GPF,
  EXCP01_DB,
  EXCP04_INTO,
  EXCP05_BOUND,
  HF_VME,
  R_ECX,
} from '../cpu/constants.js';
import { G_EIP, G_REGS } from '../cpu/state-layout.js';
import type { X86Cpu } from '../cpu/x86-cpu.js';
import { X86Op, X86OperandKind } from '../decode/insn.js';
import {
  helperRaiseException,
  helperRaiseFault,
  helperRaiseInterrupt,
} from '../helpers/misc-helper.js';
import { helperIret, helperLcall, helperLjmp, helperLret } from '../helpers/seg-helper.js';
import { helperIntVme } from '../helpers/vme-helper.js';
import { genPrepareCc } from './cc.js';
import {
  DISAS_EOB_ONLY,
  DISAS_JUMP,
  genCallHelper,
  genException,
  genExts,
  genJmpTb,
  genLoad,
  genLoadOperand,
  genModrmAddress,
  genPopValue,
  genPush,
  genReadReg,
  genStackAdjust,
  genUpdateCcOp,
  genUpdateEipCur,
  type X86DisasContext,
} from './context.js';

/** Set EIP from a value of `size` bytes (IP for 16-bit operands). */
function genSetEip(dc: X86DisasContext, v: Operand, size: number): void {
  if (size === 4) dc.b.mov(G_EIP, v);
  else dc.b.ext16u(G_EIP, v);
}

export function genJmp(dc: X86DisasContext): void {
  genJmpTb(dc, dc.insn.operands[0].value, 0);
}

export function genJcc(dc: X86DisasContext): void {
  const b = dc.b;
  const target = dc.insn.operands[0].value;
  const p = genPrepareCc(dc, dc.insn.cond);
  genUpdateCcOp(dc);
  const taken = b.newLabel();
  b.brcond(p.cond, p.a, p.b, taken);
  genJmpTb(dc, dc.nextEip, 0);
  b.setLabel(taken);
  genJmpTb(dc, target, 1);
}

export function genJmpIndirect(dc: X86DisasContext): void {
  const v = genLoadOperand(dc, dc.insn.operands[0]);
  genSetEip(dc, v, dc.insn.opSize);
  dc.base.isJmp = DISAS_JUMP;
}

export function genCall(dc: X86DisasContext): void {
  genPush(dc, dc.insn.opSize, dc.nextEip);
  genJmpTb(dc, dc.insn.operands[0].value, 0);
}

export function genCallIndirect(dc: X86DisasContext): void {
  const size = dc.insn.opSize;
  const v = genLoadOperand(dc, dc.insn.operands[0]);
  genPush(dc, size, dc.nextEip);
  genSetEip(dc, v, size);
  dc.base.isJmp = DISAS_JUMP;
}

export function genRet(dc: X86DisasContext): void {
  const size = dc.insn.opSize;
  const imm = dc.insn.numOperands > 0 ? dc.insn.operands[0].value & 0xffff : 0;
  const v = genPopValue(dc, size);
  genStackAdjust(dc, size + imm);
  genSetEip(dc, v, size);
  dc.base.isJmp = DISAS_JUMP;
}

/** JCXZ/JECXZ and LOOP/LOOPE/LOOPNE: the count register has the address size. */
export function genLoop(dc: X86DisasContext, op: X86Op): void {
  const b = dc.b;
  const addrSize = dc.insn.addrSize;
  const target = dc.insn.operands[0].value;
  const ecx = G_REGS[R_ECX];
  const count = b.temp();
  const notTaken = b.newLabel();
  if (op === X86Op.Jcxz) {
    if (addrSize === 4) b.mov(count, ecx);
    else b.ext16u(count, ecx);
    genUpdateCcOp(dc);
    b.brcond(Cond.Ne, count, 0, notTaken);
  } else {
    b.sub(count, ecx, 1);
    if (addrSize === 4) b.mov(ecx, count);
    else {
      b.deposit(ecx, ecx, count, 0, 16);
      b.ext16u(count, count);
    }
    let z = null;
    if (op !== X86Op.Loop) z = genPrepareCc(dc, 4); // ZF
    genUpdateCcOp(dc);
    b.brcond(Cond.Eq, count, 0, notTaken);
    if (z !== null) {
      // LOOPE continues while ZF = 1, LOOPNE while ZF = 0.
      const stop = op === X86Op.Loope ? invertCond(z.cond) : z.cond;
      b.brcond(stop, z.a, z.b, notTaken);
    }
  }
  genJmpTb(dc, target, 1);
  b.setLabel(notTaken);
  genJmpTb(dc, dc.nextEip, 0);
}

// ---- far transfers ----------------------------------------------------------------------

const FAR_EFFECTS = { reads: 'all', writes: 'all' } as const;

export const helperLjmpIr = defineHelper({
  ...FAR_EFFECTS,
  name: 'ljmp',
  nArgs: 3,
  fn: (cpu: X86Cpu, sel: number, off: number, next: number) => helperLjmp(cpu, sel, off, next),
});
export const helperLcallIr = defineHelper({
  ...FAR_EFFECTS,
  name: 'lcall',
  nArgs: 4,
  fn: (cpu: X86Cpu, sel: number, off: number, is32: number, next: number) =>
    helperLcall(cpu, sel, off, is32, next),
});
export const helperLretIr = defineHelper({
  ...FAR_EFFECTS,
  name: 'lret',
  nArgs: 2,
  fn: (cpu: X86Cpu, is32: number, addend: number) => helperLret(cpu, is32, addend),
});
export const helperIretIr = defineHelper({
  ...FAR_EFFECTS,
  name: 'iret',
  nArgs: 2,
  fn: (cpu: X86Cpu, is32: number, next: number) => helperIret(cpu, is32, next),
});

/** The far pointer of JMP/CALL ptr16:16/32 or m16:16/32: [selector, offset]. */
function farPointer(dc: X86DisasContext): [Operand, Operand] {
  const op = dc.insn.operands[0];
  const size = dc.insn.opSize;
  if (op.kind === X86OperandKind.FarPtr) return [op.selector, op.value | 0];
  const b = dc.b;
  const addr = genModrmAddress(dc);
  const off = genLoad(dc, size, addr);
  const selAddr = b.temp();
  b.add(selAddr, addr, size);
  const sel = genLoad(dc, 2, selAddr);
  return [sel, off];
}

export function genJmpFar(dc: X86DisasContext): void {
  const [sel, off] = farPointer(dc);
  genCallHelper(dc, helperLjmpIr, null, sel, off, dc.nextEip);
  dc.base.isJmp = DISAS_JUMP;
}

export function genCallFar(dc: X86DisasContext): void {
  const [sel, off] = farPointer(dc);
  genCallHelper(dc, helperLcallIr, null, sel, off, dc.insn.opSize === 4 ? 1 : 0, dc.nextEip);
  dc.base.isJmp = DISAS_JUMP;
}

export function genRetFar(dc: X86DisasContext): void {
  const imm = dc.insn.numOperands > 0 ? dc.insn.operands[0].value & 0xffff : 0;
  genCallHelper(dc, helperLretIr, null, dc.insn.opSize === 4 ? 1 : 0, imm);
  dc.base.isJmp = DISAS_JUMP;
}

export function genIret(dc: X86DisasContext): void {
  // With IOPL < 3 in virtual-8086 mode only a 16-bit IRET under CR4.VME is allowed (the
  // helper loads IF into VIF).
  if (dc.vm86 && dc.iopl !== 3 && (!(dc.flags & HF_VME) || dc.insn.opSize !== 2)) {
    genException(dc, EXCP0D_GPF, 0);
    return;
  }
  genCallHelper(dc, helperIretIr, null, dc.insn.opSize === 4 ? 1 : 0, dc.nextEip);
  dc.base.isJmp = DISAS_EOB_ONLY;
}

// ---- software interrupts --------------------------------------------------------------

/** INT n (QEMU's gen_interrupt): delivered by cpu_exec with EIP at the INT. */
export function genInterrupt(dc: X86DisasContext, intno: number): void {
  const b = dc.b;
  genUpdateCcOp(dc);
  genUpdateEipCur(dc);
  b.call(helperRaiseInterrupt, null, intno, dc.nextEip);
  b.exitTb();
  dc.base.isJmp = 2; // DISAS_NORETURN
}

export function genIntN(dc: X86DisasContext): void {
  const intno = dc.insn.operands[0].value & 0xff;
  if (dc.vm86 && dc.flags & HF_VME) {
    // The interrupt redirection bitmap decides (see helpers/vme-helper.ts).
    genUpdateCcOp(dc);
    genUpdateEipCur(dc);
    dc.b.call(helperIntVme, null, intno, dc.nextEip);
    dc.base.isJmp = DISAS_EOB_ONLY;
  } else if (dc.vm86 && dc.iopl !== 3) {
    genException(dc, EXCP0D_GPF, 0);
  } else {
    genInterrupt(dc, intno);
  }
}

export function genInto(dc: X86DisasContext): void {
  const b = dc.b;
  const p = genPrepareCc(dc, 1); // NO
  genUpdateCcOp(dc);
  const skip = b.newLabel();
  b.brcond(p.cond, p.a, p.b, skip);
  genUpdateEipCur(dc);
  b.call(helperRaiseInterrupt, null, EXCP04_INTO, dc.nextEip);
  b.setLabel(skip);
}

/** INT1/ICEBP: a #DB trap after the instruction. */
export function genInt1(dc: X86DisasContext): void {
  const b = dc.b;
  genUpdateCcOp(dc);
  b.mov(G_EIP, dc.nextEip);
  b.call(helperRaiseException, null, EXCP01_DB);
  b.exitTb();
  dc.base.isJmp = 2;
}

/** BOUND r, m: #BR unless lower <= index <= upper (signed). */
export function genBound(dc: X86DisasContext): void {
  const b = dc.b;
  const size = dc.insn.opSize;
  const addr = genModrmAddress(dc);
  const lo = genLoad(dc, size, addr, true);
  const hiAddr = b.temp();
  b.add(hiAddr, addr, size);
  const hi = genLoad(dc, size, hiAddr, true);
  const idx = b.temp();
  genExts(b, idx, genReadReg(dc, size, dc.insn.operands[0].reg), size);
  genUpdateCcOp(dc);
  const ok = b.newLabel();
  const bad = b.newLabel();
  b.brcond(Cond.Lt, idx, lo, bad);
  b.brcond(Cond.Le, idx, hi, ok);
  b.setLabel(bad);
  b.call(helperRaiseFault, null, EXCP05_BOUND, 0);
  b.setLabel(ok);
}
