/**
 * Segmentation and control transfers between code segments (QEMU's seg_helper.c):
 * segment register loads with their checks, interrupt and exception delivery in real and
 * protected mode, far JMP/CALL/RET, IRET, LLDT/LTR, LAR/LSL/VERR/VERW, SYSENTER/SYSEXIT.
 *
 * Every function here may raise a guest exception (unwinding to cpu_exec). Registers are
 * committed only after the last access that can fault, so a fault leaves the CPU as it
 * was before the instruction (or the delivery) started.
 */
import { cpuLoopExit } from '../../core/exec/cpu-state.js';
import {
  AC_MASK,
  DR7_GD,
  EXCP0A_TSS,
  EXCP0B_NOSEG,
  EXCP0C_STACK,
  EXCP0D_GPF,
  EXCP0E_PAGE,
  EXCP01_DB,
  HF_CPL_MASK,
  HF_INHIBIT_IRQ,
  HF_PE,
  HF2_NMI,
  ID_MASK,
  IF_MASK,
  IOPL_MASK,
  IOPL_SHIFT,
  NT_MASK,
  R_CS,
  R_DS,
  R_ES,
  R_ESP,
  R_FS,
  R_GS,
  R_LDTR,
  R_SS,
  R_TR,
  RF_MASK,
  TF_MASK,
  VIF_MASK,
  VIP_MASK,
  VM_MASK,
} from '../cpu/constants.js';
import { CORE, SYS } from '../cpu/state-layout.js';
import type { X86Cpu } from '../cpu/x86-cpu.js';
import { Desc, descriptorBase, descriptorLimit } from '../mmu/descriptor.js';
import { raiseException } from './excp.js';
import {
  ldlData,
  ldlKernel,
  lduwData,
  lduwKernel,
  stlData,
  stlKernel,
  stwData,
  stwKernel,
} from './mem.js';
import { SWITCH_TSS_CALL, SWITCH_TSS_JMP, switchTss, taskReturn } from './task-switch.js';
import { iretVme } from './vme-helper.js';

const DESC_P = Desc.P;
const DESC_S = Desc.S;
const DESC_CS = Desc.CS;
const DESC_C = Desc.C;
const DESC_R = Desc.R;
const DESC_W = Desc.W;
const DESC_A = Desc.A;
const DESC_B = Desc.B;

const dplOf = (e2: number) => (e2 >> 13) & 3;
const spMaskOf = (flags: number) => (flags & DESC_B ? -1 : 0xffff);

function gp(cpu: X86Cpu, code: number): never {
  return raiseException(cpu, EXCP0D_GPF, code & 0xffff);
}

/**
 * Read the descriptor `selector` names into cpu.scratch[0] (low dword) and [1] (high),
 * with its linear address in [2]. False when it is beyond the GDT/LDT limit.
 */
export function loadDescriptor(cpu: X86Cpu, selector: number): boolean {
  const sys = cpu.sys;
  let base: number;
  let limit: number;
  if (selector & 4) {
    base = cpu.segBase[R_LDTR];
    limit = cpu.segLimit[R_LDTR] >>> 0;
  } else {
    base = sys[SYS.GDT_BASE];
    limit = sys[SYS.GDT_LIMIT] >>> 0;
  }
  const index = selector & 0xfff8;
  if (index + 7 > limit) return false;
  const ptr = (base + index) | 0;
  cpu.scratch[0] = ldlKernel(cpu, ptr);
  cpu.scratch[1] = ldlKernel(cpu, ptr + 4);
  cpu.scratch[2] = ptr;
  return true;
}

/**
 * Load a segment cache from a descriptor. The attributes keep the descriptor's high
 * dword without the base bits (limit bits 16-19 stay, as QEMU's `info registers` shows).
 */
function loadCache(cpu: X86Cpu, seg: number, selector: number, e1: number, e2: number): void {
  cpu.loadSegCache(
    seg,
    selector,
    descriptorBase(e1, e2) | 0,
    descriptorLimit(e1, e2) | 0,
    e2 & 0x00ffff00,
  );
}

/** Virtual-8086 segment load: base = selector * 16, 64 KiB, DPL 3. */
export function loadSegVm86(cpu: X86Cpu, seg: number, selector: number): void {
  const s = selector & 0xffff;
  cpu.loadSegCache(seg, s, s << 4, 0xffff, DESC_P | DESC_S | DESC_W | DESC_A | (3 << 13));
}

/** Set the accessed bit of a descriptor whose address is in cpu.scratch[2]. */
function markAccessed(cpu: X86Cpu, e2: number): number {
  if (!(e2 & DESC_A)) {
    const v = e2 | DESC_A;
    stlKernel(cpu, cpu.scratch[2] + 4, v);
    return v;
  }
  return e2;
}

/** MOV/POP/LxS to a data or stack segment register in protected mode (QEMU's helper_load_seg). */
export function loadSegProtected(cpu: X86Cpu, seg: number, selectorIn: number): void {
  const selector = selectorIn & 0xffff;
  const cpl = cpu.cpl;
  if ((selector & 0xfffc) === 0) {
    if (seg === R_SS) gp(cpu, 0);
    cpu.loadSegCache(seg, selector, 0, 0, 0);
    return;
  }
  if (!loadDescriptor(cpu, selector)) gp(cpu, selector & 0xfffc);
  const e1 = cpu.scratch[0];
  let e2 = cpu.scratch[1];
  if (!(e2 & DESC_S)) gp(cpu, selector & 0xfffc);
  const rpl = selector & 3;
  const dpl = dplOf(e2);
  if (seg === R_SS) {
    if (e2 & DESC_CS || !(e2 & DESC_W)) gp(cpu, selector & 0xfffc);
    if (rpl !== cpl || dpl !== cpl) gp(cpu, selector & 0xfffc);
  } else {
    if ((e2 & (DESC_CS | DESC_R)) === DESC_CS) gp(cpu, selector & 0xfffc);
    if (!(e2 & DESC_CS) || !(e2 & DESC_C)) {
      if (dpl < cpl || dpl < rpl) gp(cpu, selector & 0xfffc);
    }
  }
  if (!(e2 & DESC_P))
    raiseException(cpu, seg === R_SS ? EXCP0C_STACK : EXCP0B_NOSEG, selector & 0xfffc);
  e2 = markAccessed(cpu, e2);
  loadCache(cpu, seg, selector, e1, e2);
}

/** A segment register load in whatever mode the CPU is in. */
export function loadSeg(cpu: X86Cpu, seg: number, selector: number): void {
  if (!(cpu.hflags & HF_PE)) cpu.loadRealModeSegment(seg, selector);
  else if (cpu.sys[SYS.EFLAGS] & VM_MASK) loadSegVm86(cpu, seg, selector);
  else loadSegProtected(cpu, seg, selector);
}

function setEsp(cpu: X86Cpu, sp: number, mask: number): void {
  const r = cpu.regs;
  r[R_ESP] = mask === -1 ? sp : (r[R_ESP] & ~mask) | (sp & mask);
}

/** The ring-`dpl` stack from the TSS: [ss, esp] in scratch[4], scratch[5]. */
function stackFromTss(cpu: X86Cpu, dpl: number): void {
  const flags = cpu.segFlags[R_TR];
  if (!(flags & DESC_P)) {
    throw new Error(
      'i386: interrupt to an inner ring with no TSS loaded (task register not present)',
    );
  }
  const shift = ((flags >> 8) & 0xf) >> 3;
  const index = (dpl * 4 + 2) << shift;
  if (index + (4 << shift) - 1 > cpu.segLimit[R_TR] >>> 0) {
    raiseException(cpu, EXCP0A_TSS, cpu.segSelector[R_TR] & 0xfffc);
  }
  const base = cpu.segBase[R_TR];
  if (shift === 0) {
    cpu.scratch[5] = lduwKernel(cpu, base + index);
    cpu.scratch[4] = lduwKernel(cpu, base + index + 2);
  } else {
    cpu.scratch[5] = ldlKernel(cpu, base + index);
    cpu.scratch[4] = lduwKernel(cpu, base + index + 4);
  }
}

// ---- interrupt and exception delivery -------------------------------------------------

/** Vectors that push an error code when they are exceptions (not INT n, not IRQs). */
function hasErrorCode(intno: number): boolean {
  return intno === 8 || (intno >= 10 && intno <= 14) || intno === 17;
}

/**
 * Fault-class exceptions push EFLAGS with RF set, so that returning to the faulting
 * instruction does not raise its instruction breakpoint again (QEMU's exception_is_fault).
 * #DB never sets it; #BP and #OF are traps, #DF and #MC aborts.
 */
function exceptionIsFault(intno: number): boolean {
  return intno !== 1 && intno !== 3 && intno !== 4 && intno !== 8 && intno !== 18;
}

/**
 * Deliver interrupt `intno` (QEMU's do_interrupt_all): `isInt` for INT n/INT3/INTO
 * (return to `nextEip`, DPL checked), `isHw` for external interrupts (no error code).
 */
export function doInterruptAll(
  cpu: X86Cpu,
  intno: number,
  isInt: boolean,
  errorCode: number,
  nextEip: number,
  isHw: boolean,
): void {
  if (cpu.log.enabled('int')) logInterrupt(cpu, intno, isInt, errorCode, isHw);
  // Entering the #DB handler clears DR7.GD, so that it can use the debug registers.
  if (intno === EXCP01_DB && !isInt && !isHw) cpu.sys[SYS.DR0 + 7] &= ~DR7_GD;
  if (cpu.hflags & HF_PE) doInterruptProtected(cpu, intno, isInt, errorCode, nextEip, isHw);
  else doInterruptReal(cpu, intno, isInt, nextEip);
  cpu.sys[SYS.OLD_EXCEPTION] = -1;
}

function logInterrupt(
  cpu: X86Cpu,
  intno: number,
  isInt: boolean,
  errorCode: number,
  isHw: boolean,
): void {
  const hex = (v: number, n: number) => (v >>> 0).toString(16).padStart(n, '0');
  const eip = cpu.eip;
  let s = `${String(cpu.interruptCount++).padStart(6)}: v=${hex(intno, 2)} e=${hex(isHw || isInt ? 0 : errorCode, 4)} i=${isInt ? 1 : 0} cpl=${cpu.cpl} IP=${hex(cpu.segSelector[R_CS], 4)}:${hex(eip, 8)} pc=${hex(cpu.segBase[R_CS] + eip, 8)} SP=${hex(cpu.segSelector[R_SS], 4)}:${hex(cpu.regs[R_ESP], 8)}`;
  if (intno === EXCP0E_PAGE) s += ` CR2=${hex(cpu.sys[SYS.CR2], 8)}`;
  else s += ` env->regs[R_EAX]=${hex(cpu.regs[0], 8)}`;
  cpu.log.write('int', `${s}\n${cpu.dumpState({ ccop: true })}`);
}

function doInterruptReal(cpu: X86Cpu, intno: number, isInt: boolean, nextEip: number): void {
  const sys = cpu.sys;
  if (intno * 4 + 3 > sys[SYS.IDT_LIMIT] >>> 0) gp(cpu, intno * 8 + 2);
  const ptr = sys[SYS.IDT_BASE] + intno * 4;
  const offset = lduwKernel(cpu, ptr);
  const selector = lduwKernel(cpu, ptr + 2);
  const ssp = cpu.segBase[R_SS];
  let sp = cpu.regs[R_ESP];
  const oldEip = isInt ? nextEip : cpu.eip;
  const eflags = cpu.eflags;
  sp = (sp - 2) | 0;
  stwKernel(cpu, ssp + (sp & 0xffff), eflags);
  sp = (sp - 2) | 0;
  stwKernel(cpu, ssp + (sp & 0xffff), cpu.segSelector[R_CS]);
  sp = (sp - 2) | 0;
  stwKernel(cpu, ssp + (sp & 0xffff), oldEip);
  setEsp(cpu, sp, 0xffff);
  cpu.eip = offset;
  cpu.segSelector[R_CS] = selector;
  cpu.segBase[R_CS] = selector << 4;
  sys[SYS.EFLAGS] &= ~(IF_MASK | TF_MASK | AC_MASK | RF_MASK);
}

function doInterruptProtected(
  cpu: X86Cpu,
  intno: number,
  isInt: boolean,
  errorCode: number,
  nextEip: number,
  isHw: boolean,
): void {
  const sys = cpu.sys;
  const pushError = !isInt && !isHw && hasErrorCode(intno);
  const oldEip = isInt ? nextEip : cpu.eip;
  const vm86 = (sys[SYS.EFLAGS] & VM_MASK) !== 0;
  if (intno * 8 + 7 > sys[SYS.IDT_LIMIT] >>> 0) gp(cpu, intno * 8 + 2);
  const ptr = sys[SYS.IDT_BASE] + intno * 8;
  const g1 = ldlKernel(cpu, ptr);
  const g2 = ldlKernel(cpu, ptr + 4);
  const type = (g2 >> 8) & 0x1f;
  if (type === 5) {
    // A task gate: switch tasks, then push the error code on the new task's stack.
    if (!(g2 & DESC_P)) raiseException(cpu, EXCP0B_NOSEG, intno * 8 + 2);
    switchTss(cpu, intno * 8, g1, g2, SWITCH_TSS_CALL, oldEip);
    if (pushError) {
      const shift = ((cpu.segFlags[R_TR] >> 8) & 0xf) >> 3;
      const mask = spMaskOf(cpu.segFlags[R_SS]);
      const esp = (cpu.regs[R_ESP] - (2 << shift)) & mask;
      const ssp = cpu.segBase[R_SS] + esp;
      if (shift) stlKernel(cpu, ssp, errorCode);
      else stwKernel(cpu, ssp, errorCode);
      setEsp(cpu, esp, mask);
    }
    return;
  }
  if (type !== 6 && type !== 7 && type !== 14 && type !== 15) gp(cpu, intno * 8 + 2);
  const cpl = cpu.cpl;
  if (isInt && dplOf(g2) < cpl) gp(cpu, intno * 8 + 2);
  if (!(g2 & DESC_P)) raiseException(cpu, EXCP0B_NOSEG, intno * 8 + 2);
  let selector = g1 >>> 16;
  const offset = type & 8 ? ((g2 & 0xffff0000) | (g1 & 0xffff)) >>> 0 : g1 & 0xffff;
  if ((selector & 0xfffc) === 0) gp(cpu, 0);
  if (!loadDescriptor(cpu, selector)) gp(cpu, selector & 0xfffc);
  const e1 = cpu.scratch[0];
  const e2 = cpu.scratch[1];
  if (!(e2 & DESC_S) || !(e2 & DESC_CS)) gp(cpu, selector & 0xfffc);
  let dpl = dplOf(e2);
  if (dpl > cpl) gp(cpu, selector & 0xfffc);
  if (!(e2 & DESC_P)) raiseException(cpu, EXCP0B_NOSEG, selector & 0xfffc);
  if (e2 & DESC_C) dpl = cpl;

  let newStack = false;
  let ss = 0;
  let ssE1 = 0;
  let ssE2 = 0;
  let esp: number;
  let ssp: number;
  let spMask: number;
  if (dpl < cpl) {
    // To an inner privilege level: the stack comes from the TSS.
    stackFromTss(cpu, dpl);
    ss = cpu.scratch[4];
    esp = cpu.scratch[5];
    if ((ss & 0xfffc) === 0) raiseException(cpu, EXCP0A_TSS, ss & 0xfffc);
    if ((ss & 3) !== dpl) raiseException(cpu, EXCP0A_TSS, ss & 0xfffc);
    if (!loadDescriptor(cpu, ss)) raiseException(cpu, EXCP0A_TSS, ss & 0xfffc);
    ssE1 = cpu.scratch[0];
    ssE2 = cpu.scratch[1];
    if (dplOf(ssE2) !== dpl) raiseException(cpu, EXCP0A_TSS, ss & 0xfffc);
    if (!(ssE2 & DESC_S) || ssE2 & DESC_CS || !(ssE2 & DESC_W))
      raiseException(cpu, EXCP0A_TSS, ss & 0xfffc);
    if (!(ssE2 & DESC_P)) raiseException(cpu, EXCP0A_TSS, ss & 0xfffc);
    newStack = true;
    spMask = spMaskOf(ssE2);
    ssp = descriptorBase(ssE1, ssE2) | 0;
  } else {
    if (vm86) gp(cpu, selector & 0xfffc);
    spMask = spMaskOf(cpu.segFlags[R_SS]);
    ssp = cpu.segBase[R_SS];
    esp = cpu.regs[R_ESP];
  }
  if (vm86 && dpl !== 0) gp(cpu, selector & 0xfffc);

  const gate32 = (type & 8) !== 0;
  const push = gate32
    ? (v: number) => {
        esp = (esp - 4) | 0;
        stlKernel(cpu, ssp + (esp & spMask), v);
      }
    : (v: number) => {
        esp = (esp - 2) | 0;
        stwKernel(cpu, ssp + (esp & spMask), v);
      };
  if (newStack) {
    if (vm86) {
      push(cpu.segSelector[R_GS]);
      push(cpu.segSelector[R_FS]);
      push(cpu.segSelector[R_DS]);
      push(cpu.segSelector[R_ES]);
    }
    push(cpu.segSelector[R_SS]);
    push(cpu.regs[R_ESP]);
  }
  push(cpu.eflags | (!isInt && !isHw && exceptionIsFault(intno) ? RF_MASK : 0));
  push(cpu.segSelector[R_CS]);
  push(oldEip);
  if (pushError) push(errorCode);

  // Every access is done: commit.
  if ((type & 1) === 0) sys[SYS.EFLAGS] &= ~IF_MASK;
  sys[SYS.EFLAGS] &= ~(TF_MASK | VM_MASK | RF_MASK | NT_MASK);
  if (newStack) {
    if (vm86) {
      for (const seg of [R_ES, R_DS, R_FS, R_GS]) cpu.loadSegCache(seg, 0, 0, 0, 0);
    }
    ss = (ss & ~3) | dpl;
    loadCache(cpu, R_SS, ss, ssE1, ssE2);
  }
  setEsp(cpu, esp, spMask);
  selector = (selector & ~3) | dpl;
  loadCache(cpu, R_CS, selector, e1, e2);
  cpu.eip = offset;
}

// ---- far jumps, calls and returns -------------------------------------------------------

/** JMP ptr16:16/32 and JMP m16:16/32 (QEMU's helper_ljmp_protected, plus real mode). */
export function helperLjmp(cpu: X86Cpu, newCs: number, newEip: number, nextEip: number): void {
  const selector = newCs & 0xffff;
  if (!cpu.protectedMode) {
    if (cpu.sys[SYS.EFLAGS] & VM_MASK) loadSegVm86(cpu, R_CS, selector);
    else {
      cpu.segSelector[R_CS] = selector;
      cpu.segBase[R_CS] = selector << 4;
    }
    cpu.eip = newEip;
    return;
  }
  if ((selector & 0xfffc) === 0) gp(cpu, 0);
  if (!loadDescriptor(cpu, selector)) gp(cpu, selector & 0xfffc);
  const e1 = cpu.scratch[0];
  let e2 = cpu.scratch[1];
  const cpl = cpu.cpl;
  if (e2 & DESC_S) {
    if (!(e2 & DESC_CS)) gp(cpu, selector & 0xfffc);
    const dpl = dplOf(e2);
    if (e2 & DESC_C) {
      if (dpl > cpl) gp(cpu, selector & 0xfffc);
    } else {
      if ((selector & 3) > cpl || dpl !== cpl) gp(cpu, selector & 0xfffc);
    }
    if (!(e2 & DESC_P)) raiseException(cpu, EXCP0B_NOSEG, selector & 0xfffc);
    const limit = descriptorLimit(e1, e2);
    if (newEip >>> 0 > limit) gp(cpu, 0);
    e2 = markAccessed(cpu, e2);
    loadCache(cpu, R_CS, (selector & 0xfffc) | cpl, e1, e2);
    cpu.eip = newEip;
    return;
  }
  const dpl = dplOf(e2);
  const rpl = selector & 3;
  const type = (e2 >> 8) & 0xf;
  switch (type) {
    case 1:
    case 9:
    case 5:
      if (dpl < cpl || dpl < rpl) gp(cpu, selector & 0xfffc);
      switchTss(cpu, selector, e1, e2, SWITCH_TSS_JMP, nextEip);
      return;
    case 4:
    case 12: {
      if (dpl < cpl || dpl < rpl) gp(cpu, selector & 0xfffc);
      if (!(e2 & DESC_P)) raiseException(cpu, EXCP0B_NOSEG, selector & 0xfffc);
      const gateCs = e1 >>> 16;
      let target = e1 & 0xffff;
      if (type === 12) target = ((e2 & 0xffff0000) | target) >>> 0;
      if (!loadDescriptor(cpu, gateCs)) gp(cpu, gateCs & 0xfffc);
      const c1 = cpu.scratch[0];
      const c2 = cpu.scratch[1];
      const cdpl = dplOf(c2);
      if ((c2 & (DESC_S | DESC_CS)) !== (DESC_S | DESC_CS)) gp(cpu, gateCs & 0xfffc);
      if ((c2 & DESC_C && cdpl > cpl) || (!(c2 & DESC_C) && cdpl !== cpl)) gp(cpu, gateCs & 0xfffc);
      if (!(c2 & DESC_P)) gp(cpu, gateCs & 0xfffc);
      if (target > descriptorLimit(c1, c2)) gp(cpu, 0);
      loadCache(cpu, R_CS, (gateCs & 0xfffc) | cpl, c1, c2);
      cpu.eip = target;
      return;
    }
    default:
      gp(cpu, selector & 0xfffc);
  }
}

/** CALL ptr16:16/32 and CALL m16:16/32 (QEMU's helper_lcall_real / helper_lcall_protected). */
export function helperLcall(
  cpu: X86Cpu,
  newCs: number,
  newEip: number,
  is32: number,
  nextEip: number,
): void {
  const selector = newCs & 0xffff;
  const r = cpu.regs;
  if (!cpu.protectedMode) {
    const spMask = spMaskOf(cpu.segFlags[R_SS]);
    const ssp = cpu.segBase[R_SS];
    let sp = r[R_ESP];
    if (is32) {
      sp = (sp - 4) | 0;
      stlData(cpu, ssp + (sp & spMask), cpu.segSelector[R_CS]);
      sp = (sp - 4) | 0;
      stlData(cpu, ssp + (sp & spMask), nextEip);
    } else {
      sp = (sp - 2) | 0;
      stwData(cpu, ssp + (sp & spMask), cpu.segSelector[R_CS]);
      sp = (sp - 2) | 0;
      stwData(cpu, ssp + (sp & spMask), nextEip);
    }
    setEsp(cpu, sp, spMask);
    if (cpu.sys[SYS.EFLAGS] & VM_MASK) loadSegVm86(cpu, R_CS, selector);
    else {
      cpu.segSelector[R_CS] = selector;
      cpu.segBase[R_CS] = selector << 4;
    }
    cpu.eip = newEip;
    return;
  }
  if ((selector & 0xfffc) === 0) gp(cpu, 0);
  if (!loadDescriptor(cpu, selector)) gp(cpu, selector & 0xfffc);
  const e1 = cpu.scratch[0];
  let e2 = cpu.scratch[1];
  const cpl = cpu.cpl;
  if (e2 & DESC_S) {
    if (!(e2 & DESC_CS)) gp(cpu, selector & 0xfffc);
    const dpl = dplOf(e2);
    if (e2 & DESC_C) {
      if (dpl > cpl) gp(cpu, selector & 0xfffc);
    } else {
      if ((selector & 3) > cpl || dpl !== cpl) gp(cpu, selector & 0xfffc);
    }
    if (!(e2 & DESC_P)) raiseException(cpu, EXCP0B_NOSEG, selector & 0xfffc);
    const spMask = spMaskOf(cpu.segFlags[R_SS]);
    const ssp = cpu.segBase[R_SS];
    let sp = r[R_ESP];
    if (is32) {
      sp = (sp - 4) | 0;
      stlData(cpu, ssp + (sp & spMask), cpu.segSelector[R_CS]);
      sp = (sp - 4) | 0;
      stlData(cpu, ssp + (sp & spMask), nextEip);
    } else {
      sp = (sp - 2) | 0;
      stwData(cpu, ssp + (sp & spMask), cpu.segSelector[R_CS]);
      sp = (sp - 2) | 0;
      stwData(cpu, ssp + (sp & spMask), nextEip);
    }
    if (newEip >>> 0 > descriptorLimit(e1, e2)) gp(cpu, 0);
    e2 = markAccessed(cpu, e2);
    setEsp(cpu, sp, spMask);
    loadCache(cpu, R_CS, (selector & 0xfffc) | cpl, e1, e2);
    cpu.eip = newEip;
    return;
  }
  // A system descriptor: a call gate or a task.
  const type = (e2 >> 8) & 0x1f;
  const dpl = dplOf(e2);
  const rpl = selector & 3;
  if (type === 1 || type === 5 || type === 9) {
    if (dpl < cpl || dpl < rpl) gp(cpu, selector & 0xfffc);
    switchTss(cpu, selector, e1, e2, SWITCH_TSS_CALL, nextEip);
    return;
  }
  if (type !== 4 && type !== 12) gp(cpu, selector & 0xfffc);
  if (dpl < cpl || dpl < rpl) gp(cpu, selector & 0xfffc);
  if (!(e2 & DESC_P)) raiseException(cpu, EXCP0B_NOSEG, selector & 0xfffc);
  const gate32 = type === 12;
  const target = gate32 ? ((e2 & 0xffff0000) | (e1 & 0xffff)) >>> 0 : e1 & 0xffff;
  const paramCount = e2 & 0x1f;
  const gateCs = e1 >>> 16;
  if ((gateCs & 0xfffc) === 0) gp(cpu, 0);
  if (!loadDescriptor(cpu, gateCs)) gp(cpu, gateCs & 0xfffc);
  const c1 = cpu.scratch[0];
  const c2 = cpu.scratch[1];
  if (!(c2 & DESC_S) || !(c2 & DESC_CS)) gp(cpu, gateCs & 0xfffc);
  let cdpl = dplOf(c2);
  if (cdpl > cpl) gp(cpu, gateCs & 0xfffc);
  if (!(c2 & DESC_P)) raiseException(cpu, EXCP0B_NOSEG, gateCs & 0xfffc);

  if (!(c2 & DESC_C) && cdpl < cpl) {
    // To an inner privilege level: new stack from the TSS, parameters copied over.
    stackFromTss(cpu, cdpl);
    const ss = cpu.scratch[4];
    let sp = cpu.scratch[5];
    if ((ss & 0xfffc) === 0) raiseException(cpu, EXCP0A_TSS, ss & 0xfffc);
    if ((ss & 3) !== cdpl) raiseException(cpu, EXCP0A_TSS, ss & 0xfffc);
    if (!loadDescriptor(cpu, ss)) raiseException(cpu, EXCP0A_TSS, ss & 0xfffc);
    const s1 = cpu.scratch[0];
    const s2 = cpu.scratch[1];
    if (dplOf(s2) !== cdpl) raiseException(cpu, EXCP0A_TSS, ss & 0xfffc);
    if (!(s2 & DESC_S) || s2 & DESC_CS || !(s2 & DESC_W))
      raiseException(cpu, EXCP0A_TSS, ss & 0xfffc);
    if (!(s2 & DESC_P)) raiseException(cpu, EXCP0A_TSS, ss & 0xfffc);
    const oldSpMask = spMaskOf(cpu.segFlags[R_SS]);
    const oldSsp = cpu.segBase[R_SS];
    const oldSp = r[R_ESP];
    const spMask = spMaskOf(s2);
    const ssp = descriptorBase(s1, s2) | 0;
    if (gate32) {
      sp = (sp - 4) | 0;
      stlKernel(cpu, ssp + (sp & spMask), cpu.segSelector[R_SS]);
      sp = (sp - 4) | 0;
      stlKernel(cpu, ssp + (sp & spMask), oldSp);
      for (let i = paramCount - 1; i >= 0; i--) {
        const v = ldlKernel(cpu, oldSsp + ((oldSp + i * 4) & oldSpMask));
        sp = (sp - 4) | 0;
        stlKernel(cpu, ssp + (sp & spMask), v);
      }
      sp = (sp - 4) | 0;
      stlKernel(cpu, ssp + (sp & spMask), cpu.segSelector[R_CS]);
      sp = (sp - 4) | 0;
      stlKernel(cpu, ssp + (sp & spMask), nextEip);
    } else {
      sp = (sp - 2) | 0;
      stwKernel(cpu, ssp + (sp & spMask), cpu.segSelector[R_SS]);
      sp = (sp - 2) | 0;
      stwKernel(cpu, ssp + (sp & spMask), oldSp);
      for (let i = paramCount - 1; i >= 0; i--) {
        const v = lduwKernel(cpu, oldSsp + ((oldSp + i * 2) & oldSpMask));
        sp = (sp - 2) | 0;
        stwKernel(cpu, ssp + (sp & spMask), v);
      }
      sp = (sp - 2) | 0;
      stwKernel(cpu, ssp + (sp & spMask), cpu.segSelector[R_CS]);
      sp = (sp - 2) | 0;
      stwKernel(cpu, ssp + (sp & spMask), nextEip);
    }
    if (target > descriptorLimit(c1, c2)) gp(cpu, 0);
    loadCache(cpu, R_SS, (ss & ~3) | cdpl, s1, s2);
    setEsp(cpu, sp, spMask);
  } else {
    // Same privilege (or conforming).
    cdpl = cpl;
    const spMask = spMaskOf(cpu.segFlags[R_SS]);
    const ssp = cpu.segBase[R_SS];
    let sp = r[R_ESP];
    if (gate32) {
      sp = (sp - 4) | 0;
      stlData(cpu, ssp + (sp & spMask), cpu.segSelector[R_CS]);
      sp = (sp - 4) | 0;
      stlData(cpu, ssp + (sp & spMask), nextEip);
    } else {
      sp = (sp - 2) | 0;
      stwData(cpu, ssp + (sp & spMask), cpu.segSelector[R_CS]);
      sp = (sp - 2) | 0;
      stwData(cpu, ssp + (sp & spMask), nextEip);
    }
    if (target > descriptorLimit(c1, c2)) gp(cpu, 0);
    setEsp(cpu, sp, spMask);
  }
  loadCache(cpu, R_CS, (gateCs & 0xfffc) | cdpl, c1, c2);
  cpu.eip = target;
}

/** Drop data segment registers the new, less privileged, CPL may not use. */
function validateSeg(cpu: X86Cpu, seg: number, cpl: number): void {
  const selector = cpu.segSelector[seg];
  if ((seg === R_FS || seg === R_GS) && (selector & 0xfffc) === 0) return;
  const e2 = cpu.segFlags[seg];
  if (!(e2 & DESC_CS) || !(e2 & DESC_C)) {
    if (dplOf(e2) < cpl) cpu.loadSegCache(seg, 0, cpu.segBase[seg], cpu.segLimit[seg], 0);
  }
}

/** RET far and IRET in protected mode (QEMU's helper_ret_protected). */
function retProtected(cpu: X86Cpu, is32: boolean, isIret: boolean, addend: number): void {
  const r = cpu.regs;
  let spMask = spMaskOf(cpu.segFlags[R_SS]);
  let sp = r[R_ESP];
  const ssp = cpu.segBase[R_SS];
  const pop = is32
    ? () => {
        const v = ldlData(cpu, ssp + (sp & spMask));
        sp = (sp + 4) | 0;
        return v;
      }
    : () => {
        const v = lduwData(cpu, ssp + (sp & spMask));
        sp = (sp + 2) | 0;
        return v;
      };
  const newEip = pop();
  const newCs = pop() & 0xffff;
  let newEflags = 0;
  if (isIret) {
    newEflags = pop();
    if (is32 && newEflags & VM_MASK) {
      returnToVm86(cpu, sp, spMask, ssp, newEip, newCs, newEflags);
      return;
    }
  }
  if ((newCs & 0xfffc) === 0) gp(cpu, newCs & 0xfffc);
  if (!loadDescriptor(cpu, newCs)) gp(cpu, newCs & 0xfffc);
  const e1 = cpu.scratch[0];
  const e2 = cpu.scratch[1];
  if (!(e2 & DESC_S) || !(e2 & DESC_CS)) gp(cpu, newCs & 0xfffc);
  const cpl = cpu.cpl;
  const rpl = newCs & 3;
  if (rpl < cpl) gp(cpu, newCs & 0xfffc);
  const dpl = dplOf(e2);
  if (e2 & DESC_C) {
    if (dpl > rpl) gp(cpu, newCs & 0xfffc);
  } else if (dpl !== rpl) gp(cpu, newCs & 0xfffc);
  if (!(e2 & DESC_P)) raiseException(cpu, EXCP0B_NOSEG, newCs & 0xfffc);
  sp = (sp + addend) | 0;
  if (rpl === cpl) {
    loadCache(cpu, R_CS, newCs, e1, e2);
  } else {
    // Return to an outer privilege level: SS:ESP come off the stack too.
    const newEsp = pop();
    const newSs = pop() & 0xffff;
    if ((newSs & 0xfffc) === 0) gp(cpu, 0);
    if ((newSs & 3) !== rpl) gp(cpu, newSs & 0xfffc);
    if (!loadDescriptor(cpu, newSs)) gp(cpu, newSs & 0xfffc);
    const s1 = cpu.scratch[0];
    const s2 = cpu.scratch[1];
    if (!(s2 & DESC_S) || s2 & DESC_CS || !(s2 & DESC_W)) gp(cpu, newSs & 0xfffc);
    if (dplOf(s2) !== rpl) gp(cpu, newSs & 0xfffc);
    if (!(s2 & DESC_P)) raiseException(cpu, EXCP0B_NOSEG, newSs & 0xfffc);
    loadCache(cpu, R_SS, newSs, s1, s2);
    loadCache(cpu, R_CS, newCs, e1, e2);
    sp = newEsp;
    spMask = spMaskOf(s2);
    for (const seg of [R_ES, R_DS, R_FS, R_GS]) validateSeg(cpu, seg, rpl);
    sp = (sp + addend) | 0;
  }
  setEsp(cpu, sp, spMask);
  cpu.eip = newEip;
  if (isIret) {
    // `cpl` is the CPL before the return.
    let mask = TF_MASK | AC_MASK | ID_MASK | RF_MASK | NT_MASK;
    if (cpl === 0) mask |= IOPL_MASK;
    const iopl = (cpu.sys[SYS.EFLAGS] & IOPL_MASK) >> IOPL_SHIFT;
    if (cpl <= iopl) mask |= IF_MASK;
    if (!is32) mask &= 0xffff;
    cpu.loadEflags(newEflags, mask);
  }
}

function returnToVm86(
  cpu: X86Cpu,
  spIn: number,
  spMask: number,
  ssp: number,
  newEip: number,
  newCs: number,
  newEflags: number,
): void {
  let sp = spIn;
  const pop = () => {
    const v = ldlData(cpu, ssp + (sp & spMask));
    sp = (sp + 4) | 0;
    return v;
  };
  const newEsp = pop();
  const newSs = pop();
  const newEs = pop();
  const newDs = pop();
  const newFs = pop();
  const newGs = pop();
  cpu.loadEflags(
    newEflags,
    TF_MASK | AC_MASK | ID_MASK | IF_MASK | IOPL_MASK | VM_MASK | NT_MASK | VIF_MASK | VIP_MASK,
  );
  loadSegVm86(cpu, R_CS, newCs & 0xffff);
  loadSegVm86(cpu, R_SS, newSs & 0xffff);
  loadSegVm86(cpu, R_ES, newEs & 0xffff);
  loadSegVm86(cpu, R_DS, newDs & 0xffff);
  loadSegVm86(cpu, R_FS, newFs & 0xffff);
  loadSegVm86(cpu, R_GS, newGs & 0xffff);
  cpu.eip = newEip & 0xffff;
  cpu.regs[R_ESP] = newEsp;
}

/** RET far [imm16]. */
export function helperLret(cpu: X86Cpu, is32: number, addend: number): void {
  if (cpu.protectedMode) {
    retProtected(cpu, is32 !== 0, false, addend);
    return;
  }
  const r = cpu.regs;
  const spMask = spMaskOf(cpu.segFlags[R_SS]);
  const ssp = cpu.segBase[R_SS];
  let sp = r[R_ESP];
  let newEip: number;
  let newCs: number;
  if (is32) {
    newEip = ldlData(cpu, ssp + (sp & spMask));
    newCs = ldlData(cpu, ssp + ((sp + 4) & spMask)) & 0xffff;
    sp = (sp + 8) | 0;
  } else {
    newEip = lduwData(cpu, ssp + (sp & spMask));
    newCs = lduwData(cpu, ssp + ((sp + 2) & spMask));
    sp = (sp + 4) | 0;
  }
  sp = (sp + addend) | 0;
  setEsp(cpu, sp, spMask);
  if (cpu.sys[SYS.EFLAGS] & VM_MASK) loadSegVm86(cpu, R_CS, newCs);
  else {
    cpu.segSelector[R_CS] = newCs;
    cpu.segBase[R_CS] = newCs << 4;
  }
  cpu.eip = newEip;
}

/** IRET / IRETD (QEMU's helper_iret_real and helper_iret_protected). */
export function helperIret(cpu: X86Cpu, is32: number, nextEip: number): void {
  const sys = cpu.sys;
  if (cpu.protectedMode) {
    if (sys[SYS.EFLAGS] & NT_MASK) taskReturn(cpu, nextEip);
    else retProtected(cpu, is32 !== 0, true, 0);
  } else if (sys[SYS.EFLAGS] & VM_MASK && (sys[SYS.EFLAGS] & IOPL_MASK) !== IOPL_MASK) {
    // Only reached with CR4.VME and a 16-bit IRET (the translator raises #GP otherwise).
    iretVme(cpu);
  } else {
    const ssp = cpu.segBase[R_SS];
    let sp = cpu.regs[R_ESP];
    const spMask = 0xffff;
    let newEip: number;
    let newCs: number;
    let newEflags: number;
    if (is32) {
      newEip = ldlData(cpu, ssp + (sp & spMask));
      newCs = ldlData(cpu, ssp + ((sp + 4) & spMask)) & 0xffff;
      newEflags = ldlData(cpu, ssp + ((sp + 8) & spMask));
      sp = (sp + 12) | 0;
    } else {
      newEip = lduwData(cpu, ssp + (sp & spMask));
      newCs = lduwData(cpu, ssp + ((sp + 2) & spMask));
      newEflags = lduwData(cpu, ssp + ((sp + 4) & spMask));
      sp = (sp + 6) | 0;
    }
    setEsp(cpu, sp, spMask);
    const vm86 = (sys[SYS.EFLAGS] & VM_MASK) !== 0;
    if (vm86) loadSegVm86(cpu, R_CS, newCs);
    else {
      cpu.segSelector[R_CS] = newCs;
      cpu.segBase[R_CS] = newCs << 4;
    }
    cpu.eip = newEip;
    let mask = TF_MASK | AC_MASK | ID_MASK | IF_MASK | RF_MASK | NT_MASK;
    if (!vm86) mask |= IOPL_MASK;
    if (!is32) mask &= 0xffff;
    cpu.loadEflags(newEflags, mask);
  }
  sys[SYS.HFLAGS2] &= ~HF2_NMI;
}

// ---- LLDT, LTR, LAR, LSL, VERR, VERW ----------------------------------------------------

export function helperLldt(cpu: X86Cpu, selectorIn: number): void {
  const selector = selectorIn & 0xffff;
  if ((selector & 0xfffc) === 0) {
    cpu.loadSegCache(R_LDTR, selector, 0, 0, 0);
    return;
  }
  if (selector & 4) gp(cpu, selector & 0xfffc);
  if (!loadDescriptor(cpu, selector)) gp(cpu, selector & 0xfffc);
  const e1 = cpu.scratch[0];
  const e2 = cpu.scratch[1];
  if (e2 & DESC_S || ((e2 >> 8) & 0xf) !== 2) gp(cpu, selector & 0xfffc);
  if (!(e2 & DESC_P)) raiseException(cpu, EXCP0B_NOSEG, selector & 0xfffc);
  loadCache(cpu, R_LDTR, selector, e1, e2);
}

export function helperLtr(cpu: X86Cpu, selectorIn: number): void {
  const selector = selectorIn & 0xffff;
  if ((selector & 0xfffc) === 0) {
    cpu.loadSegCache(R_TR, selector, 0, 0, 0);
    return;
  }
  if (selector & 4) gp(cpu, selector & 0xfffc);
  if (!loadDescriptor(cpu, selector)) gp(cpu, selector & 0xfffc);
  const e1 = cpu.scratch[0];
  let e2 = cpu.scratch[1];
  const type = (e2 >> 8) & 0xf;
  if (e2 & DESC_S || (type !== 1 && type !== 9)) gp(cpu, selector & 0xfffc);
  if (!(e2 & DESC_P)) raiseException(cpu, EXCP0B_NOSEG, selector & 0xfffc);
  // Mark the TSS busy.
  e2 |= 0x200;
  stlKernel(cpu, cpu.scratch[2] + 4, e2);
  loadCache(cpu, R_TR, selector, e1, e2);
}

/**
 * The common checks of LAR/LSL/VERR/VERW: is the descriptor visible at this CPL/RPL?
 * Returns its high dword, or null (ZF = 0).
 */
function accessibleDescriptor(cpu: X86Cpu, selector: number, okSystemTypes: number): number | null {
  if ((selector & 0xfffc) === 0) return null;
  if (!loadDescriptor(cpu, selector)) return null;
  const e2 = cpu.scratch[1];
  const rpl = selector & 3;
  const dpl = dplOf(e2);
  const cpl = cpu.cpl;
  if (e2 & DESC_S) {
    if (e2 & DESC_CS && e2 & DESC_C) return e2; // conforming code: always visible
    if (dpl < cpl || dpl < rpl) return null;
    return e2;
  }
  const type = (e2 >> 8) & 0xf;
  if (!((okSystemTypes >> type) & 1)) return null;
  if (dpl < cpl || dpl < rpl) return null;
  return e2;
}

/** Set or clear ZF, keeping the other flags (the result lands in the lazy state as EFLAGS). */
function setZf(cpu: X86Cpu, zf: boolean): void {
  const f = cpu.computeCcFlags();
  cpu.core[CORE.CC_SRC] = zf ? f | 0x40 : f & ~0x40;
  cpu.core[CORE.CC_OP] = 0; // CC_OP_EFLAGS
}

/** LAR: returns the access rights (or -1 when ZF is cleared and the destination is kept). */
export function helperLar(cpu: X86Cpu, selector: number): number {
  // TSS, LDT, call gates, task gates are visible to LAR.
  const e2 = accessibleDescriptor(
    cpu,
    selector & 0xffff,
    (1 << 1) | (1 << 2) | (1 << 3) | (1 << 4) | (1 << 5) | (1 << 9) | (1 << 11) | (1 << 12),
  );
  setZf(cpu, e2 !== null);
  return e2 === null ? -1 : e2 & 0x00f0ff00;
}

/** LSL: returns the limit in bytes, or -1 when ZF is cleared. */
export function helperLsl(cpu: X86Cpu, selector: number): number {
  const e2 = accessibleDescriptor(
    cpu,
    selector & 0xffff,
    (1 << 1) | (1 << 2) | (1 << 3) | (1 << 9) | (1 << 11),
  );
  setZf(cpu, e2 !== null);
  if (e2 === null) return -1;
  return descriptorLimit(cpu.scratch[0], e2) | 0;
}

export function helperVerr(cpu: X86Cpu, selector: number): void {
  const e2 = accessibleDescriptor(cpu, selector & 0xffff, 0);
  setZf(cpu, e2 !== null && (e2 & DESC_S) !== 0 && (!(e2 & DESC_CS) || (e2 & DESC_R) !== 0));
}

export function helperVerw(cpu: X86Cpu, selector: number): void {
  const e2 = accessibleDescriptor(cpu, selector & 0xffff, 0);
  setZf(cpu, e2 !== null && (e2 & DESC_S) !== 0 && !(e2 & DESC_CS) && (e2 & DESC_W) !== 0);
}

// ---- SYSENTER / SYSEXIT -----------------------------------------------------------------

const FLAT_CODE = DESC_P | DESC_S | DESC_CS | DESC_R | DESC_A | DESC_B | Desc.G;
const FLAT_DATA = DESC_P | DESC_S | DESC_W | DESC_A | DESC_B | Desc.G;

export function helperSysenter(cpu: X86Cpu): void {
  const sys = cpu.sys;
  const cs = sys[SYS.SYSENTER_CS] & 0xffff;
  if ((cs & 0xfffc) === 0) gp(cpu, 0);
  sys[SYS.EFLAGS] &= ~(VM_MASK | IF_MASK | RF_MASK);
  cpu.loadSegCache(R_CS, cs & 0xfffc, 0, -1, FLAT_CODE);
  cpu.loadSegCache(R_SS, (cs + 8) & 0xfffc, 0, -1, FLAT_DATA);
  cpu.regs[R_ESP] = sys[SYS.SYSENTER_ESP];
  cpu.eip = sys[SYS.SYSENTER_EIP];
}

export function helperSysexit(cpu: X86Cpu): void {
  const sys = cpu.sys;
  const cs = sys[SYS.SYSENTER_CS] & 0xffff;
  if ((cs & 0xfffc) === 0 || cpu.cpl !== 0) gp(cpu, 0);
  cpu.loadSegCache(R_CS, ((cs + 16) & 0xfffc) | 3, 0, -1, FLAT_CODE | (3 << 13));
  cpu.loadSegCache(R_SS, ((cs + 24) & 0xfffc) | 3, 0, -1, FLAT_DATA | (3 << 13));
  cpu.regs[R_ESP] = cpu.regs[1]; // ECX
  cpu.eip = cpu.regs[2]; // EDX
}

// ---- the frontend's doInterrupt -----------------------------------------------------------

/** Deliver cpu.exceptionIndex (an exception or INT n recorded by setPendingException). */
export function doPendingInterrupt(cpu: X86Cpu): void {
  const sys = cpu.sys;
  const intno = cpu.exceptionIndex;
  doInterruptAll(
    cpu,
    intno,
    sys[SYS.EXCEPTION_IS_INT] !== 0,
    sys[SYS.ERROR_CODE],
    sys[SYS.EXCEPTION_NEXT_EIP],
    false,
  );
  sys[SYS.EXCEPTION_IS_INT] = 0;
  // An interrupt or exception ends any interrupt shadow.
  sys[SYS.HFLAGS] &= ~HF_INHIBIT_IRQ;
}

/** Deliver an external interrupt `vector` (QEMU's do_interrupt_x86_hardirq). */
export function doHardwareInterrupt(cpu: X86Cpu, vector: number): void {
  doInterruptAll(cpu, vector, false, 0, 0, true);
}

/** Leave the TB after a helper changed CS:EIP itself (no restore). */
export function exitAfterControlTransfer(cpu: X86Cpu): never {
  return cpuLoopExit(cpu);
}

export { HF_CPL_MASK };
