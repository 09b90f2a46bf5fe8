/**
 * Data movement: MOV and its relatives, exchanges (XCHG, XADD, CMPXCHG, CMPXCHG8B),
 * conditional moves and sets, conversions, LEA, XLAT, the stack (PUSH/POP of every kind,
 * PUSHA/POPA, ENTER/LEAVE) and segment register loads.
 */
import type { Operand } from '../../core/ir/builder.js';
import { defineHelper } from '../../core/ir/helper.js';
import { Cond } from '../../core/ir/opcodes.js';
import { CC_OP_ADDB, CC_OP_SUBB, ccOpFor } from '../cpu/cc-helper.js';
import { CC_Z, R_CS, R_EAX, R_EBP, R_EBX, R_ECX, R_EDX, R_ESP, R_SS } from '../cpu/constants.js';
import { G_REGS, G_SEG_BASE, SEG_SELECTOR } from '../cpu/state-layout.js';
import type { X86Cpu } from '../cpu/x86-cpu.js';
import { X86Op, X86OperandKind } from '../decode/insn.js';
import { loadSeg } from '../helpers/seg-helper.js';
import { genComputeEflagsTemp, genPrepareCc, genSetcc } from './cc.js';
import {
  DISAS_EOB_INHIBIT_IRQ,
  DISAS_EOB_NEXT,
  genAddSeg,
  genCallHelper,
  genEffectiveAddress,
  genExts,
  genExtu,
  genLoad,
  genLoadOperand,
  genModrmAddress,
  genPopValue,
  genPush,
  genReadReg,
  genSetEsp,
  genStackAddress,
  genStackAdjust,
  genStore,
  genStoreOperand,
  genWriteReg,
  type X86DisasContext,
} from './context.js';
import { genSetCc, genSetEflagsCc } from './ops-alu.js';

export function genMov(dc: X86DisasContext): void {
  const [d, s] = dc.insn.operands;
  genStoreOperand(dc, d, genLoadOperand(dc, s));
}

export function genMovExtend(dc: X86DisasContext, signed: boolean): void {
  const b = dc.b;
  const [d, s] = dc.insn.operands;
  const v = genLoadOperand(dc, s);
  const t = b.temp();
  if (signed) genExts(b, t, v, s.size);
  else genExtu(b, t, v, s.size);
  genWriteReg(dc, d.size, d.reg, t);
}

export function genLea(dc: X86DisasContext): void {
  const d = dc.insn.operands[0];
  genWriteReg(dc, d.size, d.reg, genEffectiveAddress(dc));
}

export function genXchg(dc: X86DisasContext): void {
  const [d, s] = dc.insn.operands;
  const size = dc.insn.opSize;
  if (d.kind === X86OperandKind.Reg && s.kind === X86OperandKind.Reg && d.reg === s.reg) return;
  const a = genLoadOperand(dc, d);
  const v = genReadReg(dc, size, s.reg);
  genStoreOperand(dc, d, v);
  genWriteReg(dc, size, s.reg, a);
}

export function genXadd(dc: X86DisasContext): void {
  const b = dc.b;
  const [d, s] = dc.insn.operands;
  const size = dc.insn.opSize;
  const a = genLoadOperand(dc, d);
  const v = genReadReg(dc, size, s.reg);
  const r = b.temp();
  b.add(r, a, v);
  if (d.kind === X86OperandKind.Mem) {
    genStoreOperand(dc, d, r);
    genWriteReg(dc, size, s.reg, a);
  } else {
    // The source register gets the old destination first, so XADD r, r leaves the sum.
    genWriteReg(dc, size, s.reg, a);
    genWriteReg(dc, size, d.reg, r);
  }
  genSetCc(dc, ccOpFor(CC_OP_ADDB, size), r, v);
}

/** CMPXCHG r/m, r: compare with the accumulator; a memory destination is always written. */
export function genCmpxchg(dc: X86DisasContext): void {
  const b = dc.b;
  const [d, s] = dc.insn.operands;
  const size = dc.insn.opSize;
  const old = genLoadOperand(dc, d);
  const src = genReadReg(dc, size, s.reg);
  const acc = genReadReg(dc, size, R_EAX);
  const res = b.temp();
  b.movcond(Cond.Eq, res, acc, old, src, old);
  const newAcc = b.temp();
  b.movcond(Cond.Eq, newAcc, acc, old, acc, old);
  if (d.kind === X86OperandKind.Mem) {
    genStoreOperand(dc, d, res);
    genWriteReg(dc, size, R_EAX, newAcc);
  } else {
    genWriteReg(dc, size, R_EAX, newAcc);
    genWriteReg(dc, size, d.reg, res);
  }
  const diff = b.temp();
  b.sub(diff, acc, old);
  genSetCc(dc, ccOpFor(CC_OP_SUBB, size), diff, old);
}

/** CMPXCHG8B m64: EDX:EAX against memory; ECX:EBX stored if equal. Only ZF changes. */
export function genCmpxchg8b(dc: X86DisasContext): void {
  const b = dc.b;
  const addr = genModrmAddress(dc);
  const hiAddr = b.temp();
  b.add(hiAddr, addr, 4);
  const lo = genLoad(dc, 4, addr);
  const hi = genLoad(dc, 4, hiAddr);
  const x1 = b.temp();
  const x2 = b.temp();
  b.xor(x1, lo, G_REGS[R_EAX]);
  b.xor(x2, hi, G_REGS[R_EDX]);
  b.or(x1, x1, x2);
  const eq = b.temp();
  b.setcond(Cond.Eq, eq, x1, 0);
  const nlo = b.temp();
  const nhi = b.temp();
  b.movcond(Cond.Ne, nlo, eq, 0, G_REGS[R_EBX], lo);
  b.movcond(Cond.Ne, nhi, eq, 0, G_REGS[R_ECX], hi);
  // Locked: the write happens either way (with the old value when unequal).
  genStore(dc, 4, addr, nlo);
  genStore(dc, 4, hiAddr, nhi);
  b.mov(G_REGS[R_EAX], lo);
  b.mov(G_REGS[R_EDX], hi);
  const f = genComputeEflagsTemp(dc);
  b.deposit(f, f, eq, 6, 1);
  genSetEflagsCc(dc, f);
}

export function genBswap(dc: X86DisasContext): void {
  const d = dc.insn.operands[0];
  if (d.size === 4) {
    dc.b.bswap32(G_REGS[d.reg], G_REGS[d.reg]);
  } else {
    // Undefined by Intel; a real CPU zeroes the low word, as QEMU does.
    dc.b.deposit(G_REGS[d.reg], G_REGS[d.reg], 0, 0, 16);
  }
}

export function genCmov(dc: X86DisasContext): void {
  const b = dc.b;
  const [d, s] = dc.insn.operands;
  const v = genLoadOperand(dc, s);
  const old = genReadReg(dc, d.size, d.reg);
  const p = genPrepareCc(dc, dc.insn.cond);
  const r = b.temp();
  b.movcond(p.cond, r, p.a, p.b, v, old);
  genWriteReg(dc, d.size, d.reg, r);
}

export function genSetccInsn(dc: X86DisasContext): void {
  const t = dc.b.temp();
  genSetcc(dc, dc.insn.cond, t);
  genStoreOperand(dc, dc.insn.operands[0], t);
}

/** CBW/CWDE (98) and CWD/CDQ (99). */
export function genConvert(dc: X86DisasContext, op: X86Op): void {
  const b = dc.b;
  const size = dc.insn.opSize;
  const t = b.temp();
  if (op === X86Op.Cbw) {
    genExts(b, t, G_REGS[R_EAX], size / 2);
    genWriteReg(dc, size, R_EAX, t);
  } else {
    genExts(b, t, G_REGS[R_EAX], size);
    b.sar(t, t, 31);
    genWriteReg(dc, size, R_EDX, t);
  }
}

export function genXlat(dc: X86DisasContext): void {
  const b = dc.b;
  const insn = dc.insn;
  const ea = b.temp();
  const al = b.temp();
  b.ext8u(al, G_REGS[R_EAX]);
  b.add(ea, G_REGS[R_EBX], al);
  const addr = genAddSeg(dc, ea, insn.addrSize, insn.memSeg, insn.segOverride);
  genWriteReg(dc, 1, R_EAX, genLoad(dc, 1, addr));
}

// ---- segment registers -----------------------------------------------------------------

/** Segment register loads through the mode's rules (protected mode checks in the helper). */
export const helperLoadSeg = defineHelper({
  name: 'load_seg',
  nArgs: 2,
  reads: 'all',
  writes: 'all',
  fn: (cpu: X86Cpu, seg: number, selector: number) => loadSeg(cpu, seg, selector),
});

/**
 * Load segment register `seg` with `selector` (QEMU's gen_movl_seg). In real mode the
 * base is computed inline; in protected mode a helper checks the descriptor. A change of
 * SS starts an interrupt shadow; other loads may change ADDSEG or whether the segment's
 * accesses need checks (HF_SEGCHK), so the TB ends.
 */
export function genMovlSeg(dc: X86DisasContext, seg: number, selector: Operand): void {
  const b = dc.b;
  if (dc.protectedMode) {
    genCallHelper(dc, helperLoadSeg, null, seg, selector);
    if (seg === R_SS) dc.base.isJmp = DISAS_EOB_INHIBIT_IRQ;
    else dc.base.isJmp = DISAS_EOB_NEXT;
    return;
  }
  if (dc.vm86) {
    // Virtual-8086 mode: limit and attributes are fixed; the helper keeps them so.
    genCallHelper(dc, helperLoadSeg, null, seg, selector);
  } else {
    const sel = b.temp();
    b.ext16u(sel, selector);
    b.storeState(sel, SEG_SELECTOR, seg);
    b.shl(G_SEG_BASE[seg], sel, 4);
  }
  if (seg === R_SS) dc.base.isJmp = DISAS_EOB_INHIBIT_IRQ;
}

export function genMovToSeg(dc: X86DisasContext): void {
  const [d, s] = dc.insn.operands;
  const v = genLoadOperand(dc, s);
  genMovlSeg(dc, d.reg, v);
}

export function genMovFromSeg(dc: X86DisasContext): void {
  const b = dc.b;
  const [d, s] = dc.insn.operands;
  const t = b.temp();
  b.loadState(t, SEG_SELECTOR, s.reg);
  if (d.kind === X86OperandKind.Mem) genStore(dc, 2, genModrmAddress(dc), t);
  else genWriteReg(dc, d.size, d.reg, t);
}

/** LES LDS LSS LFS LGS: offset then selector from memory. */
export function genLoadFarPointer(dc: X86DisasContext, seg: number): void {
  const b = dc.b;
  const [d] = dc.insn.operands;
  const size = dc.insn.opSize;
  const addr = genModrmAddress(dc);
  const off = genLoad(dc, size, addr);
  const selAddr = b.temp();
  b.add(selAddr, addr, size);
  const sel = genLoad(dc, 2, selAddr);
  genMovlSeg(dc, seg, sel);
  genWriteReg(dc, size, d.reg, off);
}

// ---- the stack ----------------------------------------------------------------------------

export function genPushInsn(dc: X86DisasContext): void {
  const op = dc.insn.operands[0];
  const size = dc.insn.opSize;
  // PUSH ESP pushes the value before the decrement: the operand is read first.
  genPush(dc, size, genLoadOperand(dc, op));
}

export function genPopInsn(dc: X86DisasContext): void {
  const op = dc.insn.operands[0];
  const size = dc.insn.opSize;
  const v = genPopValue(dc, size);
  if (op.kind === X86OperandKind.Mem) {
    // POP [ESP+x]: the address uses ESP after the pop (QEMU's popl_esp_hack).
    const b = dc.b;
    const ea = genEffectiveAddress(dc);
    if (dc.insn.memBase === R_ESP) b.add(ea, ea, size);
    const addr = genAddSeg(dc, ea, dc.insn.addrSize, dc.insn.memSeg, dc.insn.segOverride);
    genStore(dc, size, addr, v);
    genStackAdjust(dc, size);
  } else {
    genStackAdjust(dc, size);
    genWriteReg(dc, size, op.reg, v);
  }
}

export function genPushSeg(dc: X86DisasContext): void {
  const t = dc.b.temp();
  dc.b.loadState(t, SEG_SELECTOR, dc.insn.operands[0].reg);
  genPush(dc, dc.insn.opSize, t);
}

export function genPopSeg(dc: X86DisasContext): void {
  const seg = dc.insn.operands[0].reg;
  const size = dc.insn.opSize;
  const v = genPopValue(dc, size);
  genMovlSeg(dc, seg, v);
  genStackAdjust(dc, size);
}

/** PUSHA/PUSHAD: all eight, ESP as it was; ESP changes only after the last store. */
export function genPusha(dc: X86DisasContext): void {
  const b = dc.b;
  const size = dc.insn.opSize;
  const sp = b.temp();
  b.mov(sp, G_REGS[R_ESP]);
  for (let r = 0; r < 8; r++) {
    const off = b.temp();
    b.sub(off, sp, (r + 1) * size);
    genStore(dc, size, genStackAddress(dc, off), G_REGS[r]);
  }
  const nsp = b.temp();
  b.sub(nsp, sp, 8 * size);
  genSetEsp(dc, nsp);
}

/** POPA/POPAD: all loads first, then the registers (ESP's slot is skipped). */
export function genPopa(dc: X86DisasContext): void {
  const b = dc.b;
  const size = dc.insn.opSize;
  const values: Operand[] = [];
  for (let r = 7; r >= 0; r--) {
    if (r === R_ESP) continue;
    const off = b.temp();
    b.add(off, G_REGS[R_ESP], (7 - r) * size);
    values[r] = genLoad(dc, size, genStackAddress(dc, off));
  }
  for (let r = 0; r < 8; r++) if (r !== R_ESP) genWriteReg(dc, size, r, values[r]);
  genStackAdjust(dc, 8 * size);
}

/** ENTER imm16, imm8 (QEMU's gen_enter). */
export function genEnter(dc: X86DisasContext): void {
  const b = dc.b;
  const size = dc.insn.opSize;
  const frameSize = dc.insn.operands[0].value & 0xffff;
  const level = dc.insn.operands[1].value & 31;
  const frame = b.temp();
  b.sub(frame, G_REGS[R_ESP], size);
  genStore(dc, size, genStackAddress(dc, frame), G_REGS[R_EBP]);
  if (level !== 0) {
    for (let i = 1; i < level; i++) {
      const src = b.temp();
      b.sub(src, G_REGS[R_EBP], size * i);
      const v = genLoad(dc, size, genStackAddress(dc, src));
      const dst = b.temp();
      b.sub(dst, frame, size * i);
      genStore(dc, size, genStackAddress(dc, dst), v);
    }
    const last = b.temp();
    b.sub(last, frame, size * level);
    genStore(dc, size, genStackAddress(dc, last), frame);
  }
  genWriteReg(dc, dc.stackAddrSize, R_EBP, frame);
  const nsp = b.temp();
  b.sub(nsp, frame, frameSize + size * level);
  genSetEsp(dc, nsp);
}

/** LEAVE: ESP = EBP, then POP EBP. */
export function genLeave(dc: X86DisasContext): void {
  const b = dc.b;
  const size = dc.insn.opSize;
  const v = genLoad(dc, size, genStackAddress(dc, G_REGS[R_EBP]));
  const nsp = b.temp();
  b.add(nsp, G_REGS[R_EBP], size);
  genWriteReg(dc, size, R_EBP, v);
  genSetEsp(dc, nsp);
}

export { CC_Z, R_CS, R_ECX };
