/**
 * System and miscellaneous instructions: EFLAGS pushes and pops, CLI/STI/CLD/STD, HLT,
 * port I/O, CPUID/RDTSC/MSRs, SYSENTER/SYSEXIT, control/debug/descriptor-table registers,
 * LLDT/LTR/LAR/LSL/VERR/VERW/ARPL, WAIT (the x87 escapes are ops-x87.ts) and RDPMC.
 *
 * Privilege checks that depend only on the TB flags (CPL, IOPL, VM) are made at
 * translation time and become a #GP in the generated code.
 */
import type { Operand } from '../../core/ir/builder.js';
import { defineHelper } from '../../core/ir/helper.js';
import { Cond } from '../../core/ir/opcodes.js';
import {
  AC_MASK,
  EXCP0D_GPF,
  EXCP07_PREX,
  HF_IOBPT,
  HF_MP,
  HF_PVI,
  HF_TS,
  HF_VME,
  ID_MASK,
  IF_MASK,
  IOPL_MASK,
  NT_MASK,
  R_EAX,
  R_EDX,
  R_LDTR,
  R_TR,
  TF_MASK,
  VIF_MASK,
} from '../cpu/constants.js';
import { G_DF, G_REGS, SEG_SELECTOR, SYS, SYS_ARRAY } from '../cpu/state-layout.js';
import type { X86Cpu } from '../cpu/x86-cpu.js';
import { X86OperandKind } from '../decode/insn.js';
import { helperBptIo, helperGetDr, helperSetDr } from '../helpers/debug-helper.js';
import {
  helperCheckIo,
  helperClts,
  helperCpuid,
  helperHlt,
  helperIn,
  helperInvlpg,
  helperLmsw,
  helperOut,
  helperRdmsr,
  helperRdtsc,
  helperReadCr,
  helperReadEflags,
  helperWriteCr,
  helperWriteEflags,
  helperWrmsr,
} from '../helpers/misc-helper.js';
import {
  helperLar,
  helperLldt,
  helperLsl,
  helperLtr,
  helperSysenter,
  helperSysexit,
  helperVerr,
  helperVerw,
} from '../helpers/seg-helper.js';
import { helperPopfVme, helperStiVif } from '../helpers/vme-helper.js';
import { genComputeEflagsTemp } from './cc.js';
import {
  DISAS_EOB_INHIBIT_IRQ,
  DISAS_EOB_NEXT,
  DISAS_EOB_ONLY,
  genCallHelper,
  genException,
  genLoad,
  genLoadOperand,
  genModrmAddress,
  genPopValue,
  genPush,
  genReadReg,
  genStackAdjust,
  genStore,
  genStoreOperand,
  genUpdateCcOp,
  genUpdateEipNext,
  genWriteReg,
  type X86DisasContext,
} from './context.js';
import { genSetEflagsCc } from './ops-alu.js';
import { needsIoCheck } from './ops-string.js';
import { genX87CheckPending } from './ops-x87.js';

/** #GP(0) unless CPL is 0 (in real mode CPL is 0). Returns false when it raised. */
function requireCpl0(dc: X86DisasContext): boolean {
  if (dc.pe && dc.cpl !== 0) {
    genException(dc, EXCP0D_GPF, 0);
    return false;
  }
  return true;
}

// ---- EFLAGS ----------------------------------------------------------------------------

/**
 * The IOPL-sensitive instructions act on VIF instead of faulting: virtual-8086 mode with
 * CR4.VME, or protected mode at CPL 3 with CR4.PVI (callers check IOPL < 3 / CPL > IOPL).
 */
function usesVirtualInterruptFlag(dc: X86DisasContext): boolean {
  if (dc.vm86) return (dc.flags & HF_VME) !== 0;
  return dc.pe && dc.cpl === 3 && (dc.flags & HF_PVI) !== 0;
}

export function genPushf(dc: X86DisasContext): void {
  const b = dc.b;
  if (dc.vm86 && dc.iopl !== 3) {
    // VME: a 16-bit PUSHF shows VIF as IF and IOPL as 3; otherwise #GP(0).
    if (!(dc.flags & HF_VME) || dc.insn.opSize !== 2) {
      genException(dc, EXCP0D_GPF, 0);
      return;
    }
    const t = b.temp();
    genCallHelper(dc, helperReadEflags, t);
    const vif = b.temp();
    b.shr(vif, t, 10); // VIF (bit 19) to IF (bit 9)
    b.and(vif, vif, IF_MASK);
    b.and(t, t, ~IF_MASK);
    b.or(t, t, vif);
    b.or(t, t, IOPL_MASK);
    genPush(dc, 2, t);
    return;
  }
  const t = b.temp();
  genCallHelper(dc, helperReadEflags, t);
  genPush(dc, dc.insn.opSize, t);
}

export function genPopf(dc: X86DisasContext): void {
  if (dc.vm86 && dc.iopl !== 3) {
    // VME: a 16-bit POPF loads IF into VIF (#GP for TF, or IF with VIP); otherwise #GP(0).
    if (!(dc.flags & HF_VME) || dc.insn.opSize !== 2) {
      genException(dc, EXCP0D_GPF, 0);
      return;
    }
    const v = genPopValue(dc, 2);
    genCallHelper(dc, helperPopfVme, null, v);
    genStackAdjust(dc, 2);
    dc.base.isJmp = DISAS_EOB_NEXT;
    return;
  }
  const size = dc.insn.opSize;
  const v = genPopValue(dc, size);
  let mask = TF_MASK | AC_MASK | ID_MASK | NT_MASK;
  if (dc.cpl === 0 || !dc.pe) mask |= IF_MASK | IOPL_MASK;
  else if (dc.cpl <= dc.iopl) mask |= IF_MASK;
  if (dc.vm86) mask = (mask | IF_MASK) & ~IOPL_MASK;
  if (size === 2) mask &= 0xffff;
  genStackAdjust(dc, size);
  genCallHelper(dc, helperWriteEflags, null, v, mask);
  // TF, IF, IOPL and AC may have changed: back to cpu_exec.
  dc.base.isJmp = DISAS_EOB_NEXT;
}

/**
 * CLI/STI: IOPL-sensitive in protected and virtual-8086 mode; with VME/PVI they clear or
 * set VIF instead (STI faults when VIP is set).
 */
export function genCliSti(dc: X86DisasContext, sti: boolean): void {
  const b = dc.b;
  if (dc.pe && dc.cpl > dc.iopl) {
    if (!usesVirtualInterruptFlag(dc)) {
      genException(dc, EXCP0D_GPF, 0);
    } else if (sti) {
      genCallHelper(dc, helperStiVif, null);
    } else {
      const t = b.temp();
      b.loadState(t, SYS_ARRAY, SYS.EFLAGS);
      b.and(t, t, ~VIF_MASK);
      b.storeState(t, SYS_ARRAY, SYS.EFLAGS);
    }
    return;
  }
  const t = b.temp();
  b.loadState(t, SYS_ARRAY, SYS.EFLAGS);
  if (sti) b.or(t, t, IF_MASK);
  else b.and(t, t, ~IF_MASK);
  b.storeState(t, SYS_ARRAY, SYS.EFLAGS);
  // Interrupts are taken only after the instruction that follows STI.
  if (sti) dc.base.isJmp = DISAS_EOB_INHIBIT_IRQ;
}

export function genCldStd(dc: X86DisasContext, std: boolean): void {
  dc.b.mov(G_DF, std ? -1 : 1);
}

// ---- HLT and port I/O -------------------------------------------------------------------

export function genHlt(dc: X86DisasContext): void {
  if (!requireCpl0(dc)) return;
  const b = dc.b;
  genUpdateCcOp(dc);
  genUpdateEipNext(dc);
  b.call(helperHlt, null);
  b.exitTb();
  dc.base.isJmp = 2;
}

/** The port of IN/OUT: the imm8 operand or DX. */
function portOperand(dc: X86DisasContext, index: number) {
  const op = dc.insn.operands[index];
  if (op.kind === X86OperandKind.Imm) return op.value & 0xff;
  const t = dc.b.temp();
  dc.b.ext16u(t, G_REGS[R_EDX]);
  return t;
}

export function genIn(dc: X86DisasContext): void {
  const size = dc.insn.opSize;
  const port = portOperand(dc, 1);
  if (needsIoCheck(dc)) genCallHelper(dc, helperCheckIo, null, port, size);
  const t = dc.b.temp();
  dc.b.call(helperIn, t, port, size);
  genWriteReg(dc, size, R_EAX, t);
  genIoBreakpointCheck(dc, port, size);
}

/** After a port access with HF_IOBPT: the I/O breakpoint trap, EIP after the instruction. */
export function genIoBreakpointCheck(dc: X86DisasContext, port: Operand, size: number): void {
  if (!(dc.flags & HF_IOBPT)) return;
  genUpdateEipNext(dc);
  genCallHelper(dc, helperBptIo, null, port, size);
}

export function genOut(dc: X86DisasContext): void {
  const size = dc.insn.opSize;
  const port = portOperand(dc, 0);
  if (needsIoCheck(dc)) genCallHelper(dc, helperCheckIo, null, port, size);
  const v = genReadReg(dc, size, R_EAX);
  dc.b.call(helperOut, null, port, v, size);
  genIoBreakpointCheck(dc, port, size);
}

// ---- CPUID, TSC, MSRs, fast system calls --------------------------------------------------

export function genCpuid(dc: X86DisasContext): void {
  genCallHelper(dc, helperCpuid, null);
}

export function genRdtsc(dc: X86DisasContext): void {
  genCallHelper(dc, helperRdtsc, null);
}

export function genRdmsr(dc: X86DisasContext, write: boolean): void {
  if (!requireCpl0(dc)) return;
  genCallHelper(dc, write ? helperWrmsr : helperRdmsr, null);
}

const helperSysenterIr = defineHelper({
  name: 'sysenter',
  nArgs: 0,
  fn: (cpu: X86Cpu) => helperSysenter(cpu),
});
const helperSysexitIr = defineHelper({
  name: 'sysexit',
  nArgs: 0,
  fn: (cpu: X86Cpu) => helperSysexit(cpu),
});

export function genSysenter(dc: X86DisasContext, exit: boolean): void {
  if (!dc.pe) {
    genException(dc, EXCP0D_GPF, 0);
    return;
  }
  genCallHelper(dc, exit ? helperSysexitIr : helperSysenterIr, null);
  dc.base.isJmp = DISAS_EOB_ONLY;
}

// ---- control and debug registers ------------------------------------------------------------

export function genMovCr(dc: X86DisasContext, toCr: boolean): void {
  if (!requireCpl0(dc)) return;
  const [d, s] = dc.insn.operands;
  if (toCr) {
    genCallHelper(dc, helperWriteCr, null, d.reg, G_REGS[s.reg]);
    // PE, PG, WP, TS, PAE... may have changed what the next instructions translate to.
    dc.base.isJmp = DISAS_EOB_NEXT;
  } else {
    const t = dc.b.temp();
    dc.b.call(helperReadCr, t, s.reg);
    genWriteReg(dc, 4, d.reg, t);
  }
}

export function genMovDr(dc: X86DisasContext, toDr: boolean): void {
  if (!requireCpl0(dc)) return;
  const [d, s] = dc.insn.operands;
  if (toDr) {
    genCallHelper(dc, helperSetDr, null, d.reg, G_REGS[s.reg]);
    dc.base.isJmp = DISAS_EOB_NEXT;
  } else {
    const t = dc.b.temp();
    genCallHelper(dc, helperGetDr, t, s.reg);
    genWriteReg(dc, 4, d.reg, t);
  }
}

export function genClts(dc: X86DisasContext): void {
  if (!requireCpl0(dc)) return;
  genCallHelper(dc, helperClts, null);
  dc.base.isJmp = DISAS_EOB_NEXT;
}

export function genLmsw(dc: X86DisasContext): void {
  if (!requireCpl0(dc)) return;
  const v = genLoadOperand(dc, dc.insn.operands[0]);
  genCallHelper(dc, helperLmsw, null, v);
  dc.base.isJmp = DISAS_EOB_NEXT;
}

export function genSmsw(dc: X86DisasContext): void {
  const d = dc.insn.operands[0];
  const t = dc.b.temp();
  dc.b.loadState(t, SYS_ARRAY, SYS.CR0);
  if (d.kind === X86OperandKind.Mem) genStore(dc, 2, genModrmAddress(dc), t);
  else genWriteReg(dc, d.size, d.reg, t);
}

export function genInvlpg(dc: X86DisasContext): void {
  if (!requireCpl0(dc)) return;
  genCallHelper(dc, helperInvlpg, null, genModrmAddress(dc));
  dc.base.isJmp = DISAS_EOB_NEXT;
}

export function genCacheFlush(dc: X86DisasContext): void {
  requireCpl0(dc);
}

// ---- descriptor tables -------------------------------------------------------------------

/** LGDT/LIDT m16&32: the limit, then the base (24 bits with a 16-bit operand size). */
export function genLoadDescriptorTable(dc: X86DisasContext, idt: boolean): void {
  if (!requireCpl0(dc)) return;
  const b = dc.b;
  const addr = genModrmAddress(dc);
  const limit = genLoad(dc, 2, addr);
  const baseAddr = b.temp();
  b.add(baseAddr, addr, 2);
  const base = genLoad(dc, 4, baseAddr);
  if (dc.insn.opSize === 2) b.and(base, base, 0xffffff);
  b.storeState(base, SYS_ARRAY, idt ? SYS.IDT_BASE : SYS.GDT_BASE);
  b.storeState(limit, SYS_ARRAY, idt ? SYS.IDT_LIMIT : SYS.GDT_LIMIT);
}

export function genStoreDescriptorTable(dc: X86DisasContext, idt: boolean): void {
  const b = dc.b;
  const addr = genModrmAddress(dc);
  const limit = b.temp();
  const base = b.temp();
  b.loadState(limit, SYS_ARRAY, idt ? SYS.IDT_LIMIT : SYS.GDT_LIMIT);
  b.loadState(base, SYS_ARRAY, idt ? SYS.IDT_BASE : SYS.GDT_BASE);
  if (dc.insn.opSize === 2) b.and(base, base, 0xffffff);
  const baseAddr = b.temp();
  b.add(baseAddr, addr, 2);
  genStore(dc, 2, addr, limit);
  genStore(dc, 4, baseAddr, base);
}

/** SLDT / STR. */
export function genStoreSystemSelector(dc: X86DisasContext, tr: boolean): void {
  const d = dc.insn.operands[0];
  const t = dc.b.temp();
  dc.b.loadState(t, SEG_SELECTOR, tr ? R_TR : R_LDTR);
  if (d.kind === X86OperandKind.Mem) genStore(dc, 2, genModrmAddress(dc), t);
  else genWriteReg(dc, d.size, d.reg, t);
}

const helperLldtIr = defineHelper({
  name: 'lldt',
  nArgs: 1,
  fn: (cpu: X86Cpu, s: number) => helperLldt(cpu, s),
});
const helperLtrIr = defineHelper({
  name: 'ltr',
  nArgs: 1,
  fn: (cpu: X86Cpu, s: number) => helperLtr(cpu, s),
});

export function genLoadSystemSelector(dc: X86DisasContext, tr: boolean): void {
  if (!requireCpl0(dc)) return;
  const v = genLoadOperand(dc, dc.insn.operands[0]);
  genCallHelper(dc, tr ? helperLtrIr : helperLldtIr, null, v);
}

const helperLarIr = defineHelper({
  name: 'lar',
  nArgs: 1,
  hasReturn: true,
  fn: (cpu: X86Cpu, s: number) => helperLar(cpu, s),
});
const helperLslIr = defineHelper({
  name: 'lsl',
  nArgs: 1,
  hasReturn: true,
  fn: (cpu: X86Cpu, s: number) => helperLsl(cpu, s),
});
const helperVerrIr = defineHelper({
  name: 'verr',
  nArgs: 1,
  fn: (cpu: X86Cpu, s: number) => helperVerr(cpu, s),
});
const helperVerwIr = defineHelper({
  name: 'verw',
  nArgs: 1,
  fn: (cpu: X86Cpu, s: number) => helperVerw(cpu, s),
});

/** LAR/LSL: the destination is written only when ZF is set. */
export function genLarLsl(dc: X86DisasContext, lsl: boolean): void {
  const b = dc.b;
  const [d, s] = dc.insn.operands;
  const sel = genLoadOperand(dc, s);
  const r = b.temp();
  genCallHelper(dc, lsl ? helperLslIr : helperLarIr, r, sel);
  const old = genReadReg(dc, d.size, d.reg);
  // The helpers return -1 when ZF is clear (never a valid result: LAR masks, LSL of a
  // visible descriptor fits in 32 bits but -1 is 4 GiB - 1, so ZF decides there).
  const f = genComputeEflagsTemp(dc);
  const zf = b.temp();
  b.and(zf, f, 0x40);
  const v = b.temp();
  b.movcond(Cond.Ne, v, zf, 0, r, old);
  genWriteReg(dc, d.size, d.reg, v);
}

export function genVerrVerw(dc: X86DisasContext, write: boolean): void {
  const sel = genLoadOperand(dc, dc.insn.operands[0]);
  genCallHelper(dc, write ? helperVerwIr : helperVerrIr, null, sel);
}

/** ARPL r/m16, r16: raise the RPL of the destination to the source's; ZF says whether it did. */
export function genArpl(dc: X86DisasContext): void {
  const b = dc.b;
  const [d, s] = dc.insn.operands;
  const a = genLoadOperand(dc, d);
  const src = genReadReg(dc, 2, s.reg);
  const rplA = b.temp();
  const rplS = b.temp();
  b.and(rplA, a, 3);
  b.and(rplS, src, 3);
  const lt = b.temp();
  b.setcond(Cond.Ltu, lt, rplA, rplS);
  const nv = b.temp();
  b.deposit(nv, a, rplS, 0, 2);
  const r = b.temp();
  b.movcond(Cond.Ne, r, lt, 0, nv, a);
  genStoreOperand(dc, d, r);
  const f = genComputeEflagsTemp(dc);
  b.deposit(f, f, lt, 6, 1);
  genSetEflagsCc(dc, f);
}

// ---- WAIT and RDPMC ---------------------------------------------------------------------------

/** WAIT/FWAIT: #NM when CR0.MP and CR0.TS are both set, else a pending x87 exception. */
export function genWait(dc: X86DisasContext): void {
  if ((dc.flags & (HF_MP | HF_TS)) === (HF_MP | HF_TS)) genException(dc, EXCP07_PREX);
  else genX87CheckPending(dc);
}

export function genRdpmc(dc: X86DisasContext): void {
  genException(dc, EXCP0D_GPF, 0);
}
