import {
  CPU_INTERRUPT_HARD,
  CPUState,
  cpuLoopExit,
  cpuLoopExitRestore,
  EXCP_HLT,
} from '../exec/cpu-state.js';
import type { Frontend, TbCpuState } from '../exec/frontend.js';
import type { TranslationBlock } from '../exec/translation-block.js';
import {
  DISAS_NORETURN,
  DISAS_TARGET_0,
  DISAS_TOO_MANY,
  type DisasContextBase,
  type TranslatorOps,
  translatorLoop,
  translatorUseGotoTb,
} from '../exec/translator.js';
import type { IrBuilder, Operand } from '../ir/builder.js';
import { defineHelper } from '../ir/helper.js';
import { Cond, MO_SB, MO_SW, MO_UB, MO_UL, MO_UW } from '../ir/opcodes.js';
import { StateLayout } from '../ir/state-layout.js';
import type { Temp } from '../ir/temp.js';
import type { LogSink } from '../log.js';
import type { PhysicalMemory } from '../softmmu/physical-memory.js';
import { MMUAccessType, PAGE_EXEC, PAGE_READ, PAGE_WRITE } from '../softmmu/tlb.js';
import { disassembleToy, Op } from './toy-isa.js';

// ---- CPU state -------------------------------------------------------------------------

/** Indexes in the `sys` state array. */
export const SYS = {
  PC: 0,
  MODE: 1, // MODE_USER | MODE_PAGING
  IE: 2, // interrupts enabled
  EPC: 3, // PC saved by an exception or interrupt
  CAUSE: 4,
  BADADDR: 5, // faulting address of a page fault
  EVEC: 6, // exception vector
  PTBASE: 7, // physical address of the page table
  CC_OP: 8,
  CC_DST: 9,
  CC_SRC: 10,
  PMODE: 11, // MODE saved by an exception
} as const;

export const MODE_USER = 1;
export const MODE_PAGING = 2;

/** Exception numbers (CAUSE). */
export const EXC_DIV0 = 1;
export const EXC_PAGE_FAULT = 2;
export const EXC_ILLEGAL = 3;
export const EXC_SYSCALL = 4;
export const EXC_IRQ = 5;

/** MMU indexes. */
export const MMU_KERNEL = 0;
export const MMU_USER = 1;
export const MMU_PHYS = 2;
export const TOY_MMU_MODES = 3;

/** Lazy condition-code states (like x86's CC_OP_*). */
export const CC_OP_DYNAMIC = -1; // only at translation time: read cc_op from the state
export const CC_OP_SUB = 1; // cc_dst = a - b, cc_src = b
export const CC_OP_LOGIC = 2; // cc_dst = result, cc_src = 0

const layout = new StateLayout();
const REGS = layout.addArray('regs', 8);
const SYS_ARRAY = layout.addArray('sys', 12);
const R = layout.addGlobals(REGS, ['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7']);
const PC = layout.addGlobal(SYS_ARRAY, SYS.PC, 'pc');
const CC_OP = layout.addGlobal(SYS_ARRAY, SYS.CC_OP, 'cc_op');
const CC_DST = layout.addGlobal(SYS_ARRAY, SYS.CC_DST, 'cc_dst');
const CC_SRC = layout.addGlobal(SYS_ARRAY, SYS.CC_SRC, 'cc_src');
layout.freeze();

/** The toy's I/O port space: IN and OUT call these. */
export interface ToyPorts {
  in(port: number): number;
  out(port: number, value: number): void;
}

export class ToyCpu extends CPUState {
  readonly regs: Int32Array;
  readonly sys: Int32Array;
  ports: ToyPorts = { in: () => 0, out: () => {} };

  constructor(memory: PhysicalMemory) {
    super({ layout, memory, nbMmuModes: TOY_MMU_MODES });
    this.regs = this.state[REGS.id];
    this.sys = this.state[SYS_ARRAY.id];
  }

  get pc(): number {
    return this.sys[SYS.PC] >>> 0;
  }
  set pc(v: number) {
    this.sys[SYS.PC] = v;
  }
}

function mmuIndexFor(mode: number): number {
  if (!(mode & MODE_PAGING)) return MMU_PHYS;
  return mode & MODE_USER ? MMU_USER : MMU_KERNEL;
}

// ---- helpers ---------------------------------------------------------------------------

function raise(cpu: ToyCpu, excp: number): never {
  cpu.exceptionIndex = excp;
  return cpuLoopExitRestore(cpu);
}

export function ccCompute(ccOp: number, dst: number, src: number, cond: number): number {
  if (ccOp === CC_OP_SUB) {
    const a = (dst + src) | 0;
    const b = src;
    return [a === b, a !== b, a < b, a >= b, a >>> 0 < b >>> 0, a >>> 0 >= b >>> 0][cond] ? 1 : 0;
  }
  return [dst === 0, dst !== 0, dst < 0, dst >= 0, false, true][cond] ? 1 : 0;
}

const helperDivu = defineHelper({
  name: 'toy_divu',
  nArgs: 2,
  hasReturn: true,
  reads: 'none',
  writes: 'none',
  canRaise: true,
  fn: (cpu: ToyCpu, a: number, b: number) => {
    if (b === 0) raise(cpu, EXC_DIV0);
    return Math.floor((a >>> 0) / (b >>> 0));
  },
});

const helperCcCompute = defineHelper({
  name: 'toy_cc_compute',
  nArgs: 4,
  hasReturn: true,
  reads: 'none',
  writes: 'none',
  canRaise: false,
  sideEffects: false,
  fn: (_cpu: ToyCpu, op: number, dst: number, src: number, cond: number) =>
    ccCompute(op, dst, src, cond),
});

const helperHalt = defineHelper({
  name: 'toy_halt',
  nArgs: 0,
  reads: 'none',
  writes: 'none',
  fn: (cpu: ToyCpu) => {
    cpu.halted = true;
    cpu.exceptionIndex = EXCP_HLT;
    cpuLoopExit(cpu);
  },
});

const helperSyscall = defineHelper({
  name: 'toy_syscall',
  nArgs: 0,
  reads: 'none',
  writes: 'none',
  fn: (cpu: ToyCpu) => {
    cpu.exceptionIndex = EXC_SYSCALL;
    cpuLoopExit(cpu); // the PC already points after the SYSCALL
  },
});

const helperIllegal = defineHelper({
  name: 'toy_illegal',
  nArgs: 0,
  reads: 'none',
  writes: 'none',
  fn: (cpu: ToyCpu) => raise(cpu, EXC_ILLEGAL),
});

const helperSetMode = defineHelper({
  name: 'toy_setmode',
  nArgs: 1,
  reads: 'none',
  writes: 'none',
  canRaise: false,
  fn: (cpu: ToyCpu, mode: number) => {
    cpu.sys[SYS.MODE] = mode & 3;
  },
});

const helperIret = defineHelper({
  name: 'toy_iret',
  nArgs: 0,
  reads: 'none',
  writes: [PC],
  canRaise: false,
  fn: (cpu: ToyCpu) => {
    cpu.sys[SYS.PC] = cpu.sys[SYS.EPC];
    cpu.sys[SYS.MODE] = cpu.sys[SYS.PMODE];
    cpu.sys[SYS.IE] = 1;
  },
});

const helperIn = defineHelper({
  name: 'toy_in',
  nArgs: 1,
  hasReturn: true,
  reads: 'none',
  writes: 'none',
  canRaise: false,
  fn: (cpu: ToyCpu, port: number) => cpu.ports.in(port),
});

const helperOut = defineHelper({
  name: 'toy_out',
  nArgs: 2,
  reads: 'none',
  writes: 'none',
  canRaise: false,
  fn: (cpu: ToyCpu, port: number, value: number) => cpu.ports.out(port, value),
});

const helperTlbFlush = defineHelper({
  name: 'toy_tlbflush',
  nArgs: 0,
  reads: 'none',
  writes: 'none',
  canRaise: false,
  fn: (cpu: ToyCpu) => cpu.tlb.flush(),
});

// ---- translator --------------------------------------------------------------------------

/** End the TB after this instruction, storing the PC (state that TB flags depend on changed). */
const DISAS_EOB = DISAS_TARGET_0;

class ToyDisasContext {
  ccOp = CC_OP_DYNAMIC;
  ccOpDirty = false;
  mmuIdx = MMU_PHYS;
  insnPc = 0;
  constructor(readonly base: DisasContextBase) {}
}

function setCcOp(dc: ToyDisasContext, op: number): void {
  if (dc.ccOp !== op) {
    dc.ccOp = op;
    dc.ccOpDirty = true;
  }
}

/** Store the translation-time cc_op into the global (x86's gen_update_cc_op). */
function updateCcOp(dc: ToyDisasContext): void {
  if (dc.ccOpDirty) {
    dc.base.b.mov(CC_OP, dc.ccOp);
    dc.ccOpDirty = false;
  }
}

function genJump(dc: ToyDisasContext, slot: 0 | 1, dest: number): void {
  const b = dc.base.b;
  updateCcOp(dc);
  if (translatorUseGotoTb(dc.base, dest)) {
    b.gotoTb(slot);
    b.mov(PC, dest);
    b.exitTb(slot);
  } else {
    b.mov(PC, dest);
    b.lookupAndGotoPtr();
  }
}

/** Branch to `taken` when condition `cond` (0..5) holds on the lazy flags. */
function genCondBranch(
  dc: ToyDisasContext,
  cond: number,
  taken: ReturnType<DisasContextBase['b']['newLabel']>,
): void {
  const b = dc.base.b;
  if (dc.ccOp === CC_OP_SUB) {
    // cc_dst = a - b, cc_src = b: compare a and b again.
    const a = b.temp();
    b.add(a, CC_DST, CC_SRC);
    const conds = [Cond.Eq, Cond.Ne, Cond.Lt, Cond.Ge, Cond.Ltu, Cond.Geu];
    b.brcond(conds[cond], a, CC_SRC, taken);
  } else if (dc.ccOp === CC_OP_LOGIC) {
    const conds = [Cond.Eq, Cond.Ne, Cond.Lt, Cond.Ge, Cond.Never, Cond.Always];
    b.brcond(conds[cond], CC_DST, 0, taken);
  } else {
    const t = b.temp();
    b.call(helperCcCompute, t, CC_OP, CC_DST, CC_SRC, cond);
    b.brcond(Cond.Ne, t, 0, taken);
  }
}

const toyOps: TranslatorOps<ToyDisasContext, ToyCpu> = {
  initDisasContext(dc) {
    dc.mmuIdx = mmuIndexFor(dc.base.tb.flags);
  },
  tbStart() {},
  insnStart(dc) {
    dc.insnPc = dc.base.pcNext;
    dc.base.b.insnStart(dc.base.pcNext, dc.ccOp);
  },
  translateInsn(dc) {
    translateOne(dc);
  },
  tbStop(dc) {
    const db = dc.base;
    switch (db.isJmp) {
      case DISAS_TOO_MANY:
        genJump(dc, 0, db.pcNext);
        break;
      case DISAS_EOB:
        updateCcOp(dc);
        db.b.mov(PC, db.pcNext);
        db.b.exitTb();
        break;
      case DISAS_NORETURN:
        break;
      default:
        throw new Error(`toy: unexpected isJmp ${db.isJmp}`);
    }
  },
  disasLog(dc, _cpu, log: LogSink) {
    const db = dc.base;
    let text = `IN:\n`;
    for (let pc = db.pcFirst; pc !== db.pcNext; ) {
      const d = disassembleToy((p) => db.ldub(p), pc);
      text += `0x${(pc >>> 0).toString(16).padStart(8, '0')}:  ${d.text}\n`;
      pc = (pc + d.length) >>> 0;
    }
    log.write('in_asm', `${text}\n`);
  },
};

/** base + displacement, as an operand. */
function effectiveAddress(b: IrBuilder, base: Temp, off: number): Operand {
  if (off === 0) return base;
  const t = b.temp();
  b.add(t, base, off);
  return t;
}

/** Three-register ALU instructions. */
const BINARY: Partial<Record<number, (b: IrBuilder, d: Temp, x: Temp, y: Temp) => void>> = {
  [Op.ADD]: (b, d, x, y) => b.add(d, x, y),
  [Op.SUB]: (b, d, x, y) => b.sub(d, x, y),
  [Op.AND]: (b, d, x, y) => b.and(d, x, y),
  [Op.OR]: (b, d, x, y) => b.or(d, x, y),
  [Op.XOR]: (b, d, x, y) => b.xor(d, x, y),
  [Op.MUL]: (b, d, x, y) => b.mul(d, x, y),
  [Op.SHL]: (b, d, x, y) => b.shl(d, x, y),
  [Op.SHR]: (b, d, x, y) => b.shr(d, x, y),
  [Op.SAR]: (b, d, x, y) => b.sar(d, x, y),
};

function translateOne(dc: ToyDisasContext): void {
  const db = dc.base;
  const b = db.b;
  const pc = db.pcNext;
  const op = db.ldub(pc);
  const x = db.ldub(pc + 1);
  const y = db.ldub(pc + 2);
  const z = db.ldub(pc + 3);
  const next = (pc + 4) >>> 0;
  db.pcNext = next;
  const rd = R[x & 7];
  const rs = R[y & 7];
  const rt = R[z & 7];
  const simm8 = (z << 24) >> 24;
  const binary = BINARY[op];
  if (binary !== undefined) {
    binary(b, rd, rs, rt);
    return;
  }

  switch (op) {
    case Op.NOP:
      return;
    case Op.LI:
      b.mov(rd, db.ldl(pc + 4));
      db.pcNext = (pc + 8) >>> 0;
      return;
    case Op.MULHU:
    case Op.MULHS: {
      const lo = b.temp();
      const hi = b.temp();
      if (op === Op.MULHU) b.mulu2(lo, hi, rs, rt);
      else b.muls2(lo, hi, rs, rt);
      b.mov(rd, hi);
      return;
    }
    case Op.ADDI:
      b.add(rd, rs, simm8);
      return;
    case Op.SETLT:
      b.setcond(Cond.Lt, rd, rs, rt);
      return;
    case Op.SEL:
      b.movcond(Cond.Ne, rd, rd, 0, rs, rt);
      return;
    case Op.LDW:
    case Op.LDH:
    case Op.LDHS:
    case Op.LDB:
    case Op.LDBS: {
      const memop = {
        [Op.LDW]: MO_UL,
        [Op.LDH]: MO_UW,
        [Op.LDHS]: MO_SW,
        [Op.LDB]: MO_UB,
        [Op.LDBS]: MO_SB,
      }[op];
      b.qemuLd(rd, effectiveAddress(b, rs, simm8), memop, dc.mmuIdx);
      return;
    }
    case Op.STW:
    case Op.STH:
    case Op.STB: {
      const memop = { [Op.STW]: MO_UL, [Op.STH]: MO_UW, [Op.STB]: MO_UB }[op];
      b.qemuSt(rd, effectiveAddress(b, rs, simm8), memop, dc.mmuIdx);
      return;
    }
    case Op.EXTR:
    case Op.DEP: {
      const d = R[(x >> 4) & 7];
      const s = R[x & 7];
      const ofs = y & 31;
      const len = Math.min(Math.max(z, 1), 32 - ofs);
      if (op === Op.EXTR) b.extract(d, s, ofs, len);
      else b.deposit(d, d, s, ofs, len);
      return;
    }
    case Op.CMP:
      b.sub(CC_DST, R[x & 7], R[y & 7]);
      b.mov(CC_SRC, R[y & 7]);
      setCcOp(dc, CC_OP_SUB);
      return;
    case Op.TST:
      b.and(CC_DST, R[x & 7], R[y & 7]);
      b.mov(CC_SRC, 0);
      setCcOp(dc, CC_OP_LOGIC);
      return;
    case Op.BCC: {
      if (x > 5) break;
      const off = ((y | (z << 8)) << 16) >> 16;
      const target = (next + off * 4) >>> 0;
      updateCcOp(dc);
      const taken = b.newLabel();
      genCondBranch(dc, x, taken);
      genJump(dc, 0, next);
      b.setLabel(taken);
      genJump(dc, 1, target);
      db.isJmp = DISAS_NORETURN;
      return;
    }
    case Op.JMP: {
      const off = ((y | (z << 8)) << 16) >> 16;
      genJump(dc, 0, (next + off * 4) >>> 0);
      db.isJmp = DISAS_NORETURN;
      return;
    }
    case Op.JR:
      updateCcOp(dc);
      b.mov(PC, R[x & 7]);
      b.lookupAndGotoPtr();
      db.isJmp = DISAS_NORETURN;
      return;
    case Op.DIVU:
      b.call(helperDivu, rd, rs, rt);
      return;
    case Op.HALT:
      updateCcOp(dc);
      b.mov(PC, next);
      b.call(helperHalt, null);
      b.exitTb();
      db.isJmp = DISAS_NORETURN;
      return;
    case Op.SYSCALL:
      updateCcOp(dc);
      b.mov(PC, next);
      b.call(helperSyscall, null);
      b.exitTb();
      db.isJmp = DISAS_NORETURN;
      return;
    case Op.SETMODE:
      b.call(helperSetMode, null, R[x & 7]);
      db.isJmp = DISAS_EOB;
      return;
    case Op.CLI:
      b.storeState(0, SYS_ARRAY, SYS.IE);
      return;
    case Op.STI:
      b.storeState(1, SYS_ARRAY, SYS.IE);
      db.isJmp = DISAS_EOB; // let a pending interrupt in
      return;
    case Op.IRET:
      updateCcOp(dc);
      b.call(helperIret, null);
      b.exitTb();
      db.isJmp = DISAS_NORETURN;
      return;
    case Op.IN:
      b.call(helperIn, rd, y);
      return;
    case Op.OUT:
      b.call(helperOut, null, y, R[x & 7]);
      return;
    case Op.TLBFLUSH:
      b.call(helperTlbFlush, null);
      db.isJmp = DISAS_EOB;
      return;
    default:
      break;
  }
  // Undefined opcode.
  b.call(helperIllegal, null);
  b.exitTb();
  db.isJmp = DISAS_NORETURN;
}

// ---- the frontend --------------------------------------------------------------------------

export const toyFrontend: Frontend<ToyCpu> = {
  name: 'toy',
  insnStartWords: 2,
  getTbCpuState(cpu: ToyCpu, out: TbCpuState) {
    out.pc = cpu.sys[SYS.PC] >>> 0;
    out.csBase = 0;
    out.flags = cpu.sys[SYS.MODE] & 3;
  },
  codeMmuIndex(_cpu: ToyCpu, flags: number) {
    return mmuIndexFor(flags);
  },
  genIntermediateCode(cpu: ToyCpu, db: DisasContextBase) {
    translatorLoop(toyOps, new ToyDisasContext(db), cpu);
  },
  restoreStateToOpc(cpu: ToyCpu, _tb: TranslationBlock, data: Float64Array, offset: number) {
    cpu.sys[SYS.PC] = data[offset];
    if (data[offset + 1] !== CC_OP_DYNAMIC) cpu.sys[SYS.CC_OP] = data[offset + 1];
  },
  synchronizeFromTb(cpu: ToyCpu, tb: TranslationBlock) {
    cpu.sys[SYS.PC] = tb.pc;
  },
  tlbFill(
    cpu: ToyCpu,
    vaddr: number,
    _size: number,
    access: MMUAccessType,
    mmuIdx: number,
    probe: boolean,
  ) {
    if (mmuIdx === MMU_PHYS) {
      cpu.tlb.setPage(vaddr, vaddr >>> 0, PAGE_READ | PAGE_WRITE | PAGE_EXEC, mmuIdx);
      return true;
    }
    const u = vaddr >>> 0;
    let ok = u < 0x400000;
    let pte = 0;
    if (ok) {
      pte = cpu.memory.read((cpu.sys[SYS.PTBASE] >>> 0) + (u >>> 12) * 4, 4);
      ok = (pte & 1) !== 0;
      if (access === MMUAccessType.Store && !(pte & 2)) ok = false;
      if (mmuIdx === MMU_USER && !(pte & 4)) ok = false;
    }
    if (!ok) {
      if (probe) return false;
      cpu.sys[SYS.BADADDR] = u;
      return raise(cpu, EXC_PAGE_FAULT);
    }
    const prot = PAGE_READ | PAGE_EXEC | (pte & 2 ? PAGE_WRITE : 0);
    cpu.tlb.setPage(u, pte - (pte % 4096), prot, mmuIdx);
    return true;
  },
  cpuExecInterrupt(cpu: ToyCpu, request: number) {
    if (request & CPU_INTERRUPT_HARD && cpu.sys[SYS.IE]) {
      cpu.resetInterrupt(CPU_INTERRUPT_HARD);
      cpu.exceptionIndex = EXC_IRQ;
      this.doInterrupt(cpu);
      cpu.exceptionIndex = -1;
      return true;
    }
    return false;
  },
  doInterrupt(cpu: ToyCpu) {
    const sys = cpu.sys;
    sys[SYS.EPC] = sys[SYS.PC];
    sys[SYS.CAUSE] = cpu.exceptionIndex;
    sys[SYS.PMODE] = sys[SYS.MODE];
    sys[SYS.MODE] &= ~MODE_USER;
    sys[SYS.IE] = 0;
    sys[SYS.PC] = sys[SYS.EVEC];
  },
  hasWork(cpu: ToyCpu) {
    return (cpu.interruptRequest & CPU_INTERRUPT_HARD) !== 0 && cpu.sys[SYS.IE] !== 0;
  },
};

/** The toy's state layout and globals, for tests that build IR by hand. */
export const toyLayout = { layout, REGS, SYS: SYS_ARRAY, R, PC, CC_OP, CC_DST, CC_SRC };
