/**
 * Hardware task switches (QEMU's switch_tss): JMP/CALL to a TSS or a task gate, an
 * interrupt through a task gate, and IRET with NT set. 16- and 32-bit TSS formats.
 */
import {
  AC_MASK,
  CR0_PG,
  CR0_TS,
  DR6_BT,
  EXCP0A_TSS,
  EXCP0B_NOSEG,
  EXCP0D_GPF,
  HF_TS,
  ID_MASK,
  IF_MASK,
  IOPL_MASK,
  NT_MASK,
  R_CS,
  R_LDTR,
  R_SS,
  R_TR,
  RF_MASK,
  TF_MASK,
  VM_MASK,
} from '../cpu/constants.js';
import { SYS } from '../cpu/state-layout.js';
import type { X86Cpu } from '../cpu/x86-cpu.js';
import { Desc, descriptorBase, descriptorLimit } from '../mmu/descriptor.js';
import { requestDebugTrap } from './debug-helper.js';
import { raiseException } from './excp.js';
import { ldlKernel, ldubKernel, lduwKernel, stbKernel, stlKernel, stwKernel } from './mem.js';

export const SWITCH_TSS_JMP = 0;
export const SWITCH_TSS_IRET = 1;
export const SWITCH_TSS_CALL = 2;

const TSS_BUSY = 0x200;

function tssFault(cpu: X86Cpu, selector: number): never {
  return raiseException(cpu, EXCP0A_TSS, selector & 0xfffc);
}

/** Read a GDT/LDT descriptor: [low, high], or null beyond the table limit. */
function readDescriptor(cpu: X86Cpu, selector: number): [number, number] | null {
  const ldt = (selector & 4) !== 0;
  const base = ldt ? cpu.segBase[R_LDTR] : cpu.sys[SYS.GDT_BASE];
  const limit = ldt ? cpu.segLimit[R_LDTR] >>> 0 : cpu.sys[SYS.GDT_LIMIT] >>> 0;
  const index = selector & 0xfff8;
  if (index + 7 > limit) return null;
  return [ldlKernel(cpu, base + index), ldlKernel(cpu, base + index + 4)];
}

/** Set or clear the busy bit of the TSS descriptor `selector` in the GDT. */
function setBusy(cpu: X86Cpu, selector: number, busy: boolean): void {
  const ptr = cpu.sys[SYS.GDT_BASE] + (selector & 0xfff8);
  const e2 = ldlKernel(cpu, ptr + 4);
  stlKernel(cpu, ptr + 4, busy ? e2 | TSS_BUSY : e2 & ~TSS_BUSY);
}

/** A segment register load during a task switch: faults are #TS (QEMU's tss_load_seg). */
function tssLoadSeg(cpu: X86Cpu, seg: number, selector: number, cpl: number): void {
  if ((selector & 0xfffc) === 0) {
    if (seg === R_SS || seg === R_CS) tssFault(cpu, selector);
    return;
  }
  const d = readDescriptor(cpu, selector);
  if (d === null) tssFault(cpu, selector);
  const [e1, e2] = d;
  if (!(e2 & Desc.S)) tssFault(cpu, selector);
  const rpl = selector & 3;
  const dpl = (e2 >> 13) & 3;
  if (seg === R_CS) {
    if (!(e2 & Desc.CS) || dpl !== rpl) tssFault(cpu, selector);
  } else if (seg === R_SS) {
    if (e2 & Desc.CS || !(e2 & Desc.W) || dpl !== cpl || dpl !== rpl) tssFault(cpu, selector);
  } else {
    if (e2 & Desc.CS && !(e2 & Desc.R)) tssFault(cpu, selector);
    // Data or non-conforming code: check the rights.
    if (((e2 >> 8) & 0xf) < 12 && (dpl < cpl || dpl < rpl)) tssFault(cpu, selector);
  }
  if (!(e2 & Desc.P)) raiseException(cpu, EXCP0B_NOSEG, selector & 0xfffc);
  cpu.loadSegCache(
    seg,
    selector,
    descriptorBase(e1, e2) | 0,
    descriptorLimit(e1, e2) | 0,
    e2 & 0x00ffff00,
  );
}

/**
 * Switch to the task `selector` names (a TSS descriptor e1:e2, or a task gate), saving the
 * current state in the current TSS with `nextEip` as its EIP.
 */
export function switchTss(
  cpu: X86Cpu,
  selectorIn: number,
  e1In: number,
  e2In: number,
  source: number,
  nextEip: number,
): void {
  let selector = selectorIn & 0xffff;
  let e1 = e1In;
  let e2 = e2In;
  let type = (e2 >> 8) & 0xf;
  if (type === 5) {
    // A task gate: the TSS it names.
    if (!(e2 & Desc.P)) raiseException(cpu, EXCP0B_NOSEG, selector & 0xfffc);
    selector = e1 >>> 16;
    if (selector & 4) tssFault(cpu, selector);
    const d = readDescriptor(cpu, selector);
    if (d === null) raiseException(cpu, EXCP0D_GPF, selector & 0xfffc);
    [e1, e2] = d;
    if (e2 & Desc.S) raiseException(cpu, EXCP0D_GPF, selector & 0xfffc);
    type = (e2 >> 8) & 0xf;
    if ((type & 7) !== 1) raiseException(cpu, EXCP0D_GPF, selector & 0xfffc);
  }
  if (!(e2 & Desc.P)) raiseException(cpu, EXCP0B_NOSEG, selector & 0xfffc);
  const is32 = (type & 8) !== 0;
  const tssLimit = descriptorLimit(e1, e2);
  const tssBase = descriptorBase(e1, e2) | 0;
  if (selector & 4 || tssLimit < (is32 ? 103 : 43)) tssFault(cpu, selector);
  const oldType = (cpu.segFlags[R_TR] >> 8) & 0xf;
  const old32 = (oldType & 8) !== 0;

  // Read the whole new state first.
  const newRegs = new Array<number>(8);
  const newSegs = new Array<number>(6);
  let newCr3 = 0;
  let newEip: number;
  let newEflags: number;
  let newLdt: number;
  // The T bit of a 32-bit TSS: a #DB trap (DR6.BT) once the switch is done.
  let debugTrap = false;
  if (is32) {
    newCr3 = ldlKernel(cpu, tssBase + 0x1c);
    newEip = ldlKernel(cpu, tssBase + 0x20);
    newEflags = ldlKernel(cpu, tssBase + 0x24);
    for (let i = 0; i < 8; i++) newRegs[i] = ldlKernel(cpu, tssBase + 0x28 + i * 4);
    for (let i = 0; i < 6; i++) newSegs[i] = lduwKernel(cpu, tssBase + 0x48 + i * 4);
    newLdt = lduwKernel(cpu, tssBase + 0x60);
    debugTrap = (lduwKernel(cpu, tssBase + 0x64) & 1) !== 0;
  } else {
    newEip = lduwKernel(cpu, tssBase + 0x0e);
    newEflags = lduwKernel(cpu, tssBase + 0x10);
    for (let i = 0; i < 8; i++) newRegs[i] = lduwKernel(cpu, tssBase + 0x12 + i * 2);
    for (let i = 0; i < 4; i++) newSegs[i] = lduwKernel(cpu, tssBase + 0x22 + i * 2);
    newSegs[4] = 0;
    newSegs[5] = 0;
    newLdt = lduwKernel(cpu, tssBase + 0x2a);
  }

  // Touch both ends of the old TSS so that saving into it cannot fault halfway.
  const trBase = cpu.segBase[R_TR];
  const oldLimitMax = old32 ? 103 : 43;
  stbKernel(cpu, trBase, ldubKernel(cpu, trBase));
  stbKernel(cpu, trBase + oldLimitMax, ldubKernel(cpu, trBase + oldLimitMax));

  if (source === SWITCH_TSS_JMP || source === SWITCH_TSS_IRET)
    setBusy(cpu, cpu.segSelector[R_TR], false);
  let oldEflags = cpu.eflags;
  if (source === SWITCH_TSS_IRET) oldEflags &= ~NT_MASK;

  // Save the current state in the old TSS.
  const r = cpu.regs;
  if (old32) {
    stlKernel(cpu, trBase + 0x20, nextEip);
    stlKernel(cpu, trBase + 0x24, oldEflags);
    for (let i = 0; i < 8; i++) stlKernel(cpu, trBase + 0x28 + i * 4, r[i]);
    for (let i = 0; i < 6; i++) stwKernel(cpu, trBase + 0x48 + i * 4, cpu.segSelector[i]);
  } else {
    stwKernel(cpu, trBase + 0x0e, nextEip);
    stwKernel(cpu, trBase + 0x10, oldEflags);
    for (let i = 0; i < 8; i++) stwKernel(cpu, trBase + 0x12 + i * 2, r[i]);
    for (let i = 0; i < 4; i++) stwKernel(cpu, trBase + 0x22 + i * 2, cpu.segSelector[i]);
  }
  if (source === SWITCH_TSS_CALL) {
    // The back link, and NT so that IRET returns to this task.
    stwKernel(cpu, tssBase, cpu.segSelector[R_TR]);
    newEflags |= NT_MASK;
  }
  if (source === SWITCH_TSS_JMP || source === SWITCH_TSS_CALL) {
    setBusy(cpu, selector, true);
    e2 |= TSS_BUSY;
  }

  // The new task. From here on a fault happens in the new task's context.
  const sys = cpu.sys;
  sys[SYS.CR0] |= CR0_TS;
  sys[SYS.HFLAGS] |= HF_TS;
  cpu.loadSegCache(R_TR, selector, tssBase, tssLimit | 0, e2 & 0x00ffff00);
  if (is32 && sys[SYS.CR0] & CR0_PG) cpu.setCr3(newCr3);
  cpu.eip = newEip;
  const mask = TF_MASK | AC_MASK | ID_MASK | IF_MASK | IOPL_MASK | VM_MASK | RF_MASK | NT_MASK;
  if (is32) {
    cpu.loadEflags(newEflags, mask);
    for (let i = 0; i < 8; i++) r[i] = newRegs[i];
  } else {
    cpu.loadEflags(newEflags, mask & 0xffff);
    for (let i = 0; i < 8; i++) r[i] = (r[i] & ~0xffff) | newRegs[i];
  }
  const vm86 = (newEflags & VM_MASK) !== 0;
  for (let i = 0; i < 6; i++) {
    if (vm86) {
      const s = newSegs[i] & 0xffff;
      cpu.loadSegCache(i, s, s << 4, 0xffff, Desc.P | Desc.S | Desc.W | Desc.A | (3 << 13));
    } else cpu.loadSegCache(i, newSegs[i], 0, 0, 0);
  }
  cpu.loadSegCache(R_LDTR, newLdt & ~4, 0, 0, 0);
  if (newLdt & 4) tssFault(cpu, newLdt);
  if ((newLdt & 0xfffc) !== 0) {
    const index = newLdt & 0xfff8;
    if (index + 7 > sys[SYS.GDT_LIMIT] >>> 0) tssFault(cpu, newLdt);
    const l1 = ldlKernel(cpu, sys[SYS.GDT_BASE] + index);
    const l2 = ldlKernel(cpu, sys[SYS.GDT_BASE] + index + 4);
    if (l2 & Desc.S || ((l2 >> 8) & 0xf) !== 2 || !(l2 & Desc.P)) tssFault(cpu, newLdt);
    cpu.loadSegCache(
      R_LDTR,
      newLdt,
      descriptorBase(l1, l2) | 0,
      descriptorLimit(l1, l2) | 0,
      l2 & 0x00ffff00,
    );
  }
  if (!vm86) {
    const cpl = newSegs[R_CS] & 3;
    tssLoadSeg(cpu, R_CS, newSegs[R_CS], cpl);
    tssLoadSeg(cpu, R_SS, newSegs[R_SS], cpl);
    for (const seg of [0, 3, 4, 5]) tssLoadSeg(cpu, seg, newSegs[seg], cpl);
  } else {
    cpu.setCpl(3);
  }
  if (newEip >>> 0 > cpu.segLimit[R_CS] >>> 0) raiseException(cpu, EXCP0D_GPF, 0);
  // The local breakpoints belong to the old task.
  cpu.clearLocalBreakpoints();
  if (debugTrap) requestDebugTrap(cpu, DR6_BT);
}

/** IRET with NT set: back to the task in the back link (QEMU's helper_iret_protected). */
export function taskReturn(cpu: X86Cpu, nextEip: number): void {
  const selector = lduwKernel(cpu, cpu.segBase[R_TR]);
  if (selector & 4) raiseException(cpu, EXCP0D_GPF, selector & 0xfffc);
  const d = readDescriptor(cpu, selector);
  if (d === null) raiseException(cpu, EXCP0D_GPF, selector & 0xfffc);
  // Must be a busy TSS (16 or 32-bit), not a code/data segment.
  if (((d[1] >> 8) & 0x17) !== 3) tssFault(cpu, selector);
  switchTss(cpu, selector, d[0], d[1], SWITCH_TSS_IRET, nextEip);
}

export { R_SS };
