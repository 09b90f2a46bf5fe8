/**
 * Virtual-8086 mode extensions (CR4.VME) and protected-mode virtual interrupts (CR4.PVI),
 * from the Intel SDM (vol. 3, "Virtual-8086 mode extensions"; QEMU's TCG does not have
 * them). With IOPL < 3, the IOPL-sensitive instructions act on the virtual interrupt flag
 * VIF instead of faulting, and a monitor that sets VIP gets a #GP as soon as the guest
 * enables interrupts; INT n consults the TSS's interrupt redirection bitmap and may run
 * the virtual-8086 task's own real-mode handler without leaving virtual-8086 mode.
 *
 * The translator decides from the TB flags (VM, IOPL, CPL, HF_VME/HF_PVI, operand size)
 * which instructions come here; these helpers do the parts that depend on run-time state.
 */
import { defineHelper } from '../../core/ir/helper.js';
import {
  EXCP0D_GPF,
  IF_MASK,
  IOPL_MASK,
  NT_MASK,
  R_CS,
  R_ESP,
  R_SS,
  R_TR,
  TF_MASK,
  VIF_MASK,
  VIP_MASK,
} from '../cpu/constants.js';
import { CORE, SYS } from '../cpu/state-layout.js';
import type { X86Cpu } from '../cpu/x86-cpu.js';
import { Desc } from '../mmu/descriptor.js';
import { raiseException, raiseSoftwareInterrupt } from './excp.js';
import { ldubKernel, lduwData, lduwKernel, stwData } from './mem.js';

/** A virtual-8086 CS load: base = selector * 16, 64 KiB (seg-helper's loadSegVm86). */
function loadVm86Cs(cpu: X86Cpu, selector: number): void {
  const s = selector & 0xffff;
  cpu.loadSegCache(R_CS, s, s << 4, 0xffff, Desc.P | Desc.S | Desc.W | Desc.A | (3 << 13));
}

/** STI with VIF: #GP(0) when a virtual interrupt is pending (VIP), else VIF = 1. */
export const helperStiVif = defineHelper({
  name: 'sti_vif',
  nArgs: 0,
  reads: 'none',
  writes: 'none',
  fn: (cpu: X86Cpu) => {
    if (cpu.sys[SYS.EFLAGS] & VIP_MASK) raiseException(cpu, EXCP0D_GPF, 0);
    cpu.sys[SYS.EFLAGS] |= VIF_MASK;
  },
});

/**
 * Load a 16-bit FLAGS image popped by POPF or IRET under VME: #GP(0) if it sets TF, or IF
 * while VIP is set; otherwise everything but IF and IOPL is loaded and IF goes to VIF.
 */
export function loadFlagsVme(cpu: X86Cpu, value: number): void {
  const sys = cpu.sys;
  if (value & TF_MASK || (value & IF_MASK && sys[SYS.EFLAGS] & VIP_MASK))
    raiseException(cpu, EXCP0D_GPF, 0);
  cpu.loadEflags(value, TF_MASK | NT_MASK);
  sys[SYS.EFLAGS] = (sys[SYS.EFLAGS] & ~VIF_MASK) | (value & IF_MASK ? VIF_MASK : 0);
}

/** POPF (16-bit) in virtual-8086 mode with IOPL < 3 and CR4.VME. */
export const helperPopfVme = defineHelper({
  name: 'popf_vme',
  nArgs: 1,
  reads: 'none',
  writes: 'all',
  fn: (cpu: X86Cpu, value: number) => loadFlagsVme(cpu, value & 0xffff),
});

/** IRET (16-bit) in virtual-8086 mode with IOPL < 3 and CR4.VME: a real-mode IRET with VIF. */
export function iretVme(cpu: X86Cpu): void {
  const r = cpu.regs;
  const ssp = cpu.segBase[R_SS];
  const sp = r[R_ESP];
  const ip = lduwData(cpu, ssp + (sp & 0xffff));
  const cs = lduwData(cpu, ssp + ((sp + 2) & 0xffff));
  const flags = lduwData(cpu, ssp + ((sp + 4) & 0xffff));
  loadFlagsVme(cpu, flags);
  r[R_ESP] = (r[R_ESP] & ~0xffff) | ((sp + 6) & 0xffff);
  loadVm86Cs(cpu, cs);
  cpu.core[CORE.EIP] = ip;
}

/**
 * INT n in virtual-8086 mode with CR4.VME (the SDM's software interrupt methods 3 to 6):
 * bit n of the TSS's interrupt redirection bitmap (the 32 bytes below the I/O map base)
 * clear sends the interrupt to the task's real-mode vector table at linear 0; set, it goes
 * to the protected-mode handler when IOPL is 3 and is #GP(0) otherwise. EIP points at the
 * INT; `nextEip` after it.
 */
export function intVme(cpu: X86Cpu, intno: number, nextEip: number): void {
  const sys = cpu.sys;
  const iopl3 = (sys[SYS.EFLAGS] & IOPL_MASK) === IOPL_MASK;
  const trFlags = cpu.segFlags[R_TR];
  const tss32 = trFlags & Desc.P && ((trFlags >> 8) & 0xf) === 11;
  let redirect = false;
  if (tss32) {
    const base = cpu.segBase[R_TR];
    const offset = lduwKernel(cpu, base + 0x66) - 32 + (intno >> 3);
    if (offset >= 0 && offset <= cpu.segLimit[R_TR] >>> 0)
      redirect = ((ldubKernel(cpu, base + offset) >> (intno & 7)) & 1) === 0;
  }
  if (!redirect) {
    if (!iopl3) raiseException(cpu, EXCP0D_GPF, 0);
    raiseSoftwareInterrupt(cpu, intno, nextEip);
  }
  // Real-mode delivery inside the task: FLAGS (IF replaced by VIF and IOPL shown as 3 when
  // IOPL < 3), CS, IP on the 16-bit stack, then CS:IP from the vector table.
  const r = cpu.regs;
  const ssp = cpu.segBase[R_SS];
  let sp = r[R_ESP];
  let flags = cpu.eflags & 0xffff;
  if (!iopl3) flags = (flags & ~IF_MASK) | (sys[SYS.EFLAGS] & VIF_MASK ? IF_MASK : 0) | IOPL_MASK;
  const vector = lduwData(cpu, intno * 4);
  const segment = lduwData(cpu, intno * 4 + 2);
  sp = (sp - 2) & 0xffff;
  stwData(cpu, ssp + sp, flags);
  sp = (sp - 2) & 0xffff;
  stwData(cpu, ssp + sp, cpu.segSelector[R_CS]);
  sp = (sp - 2) & 0xffff;
  stwData(cpu, ssp + sp, nextEip);
  r[R_ESP] = (r[R_ESP] & ~0xffff) | sp;
  loadVm86Cs(cpu, segment);
  cpu.core[CORE.EIP] = vector;
  sys[SYS.EFLAGS] &= ~(TF_MASK | (iopl3 ? IF_MASK : VIF_MASK));
}

export const helperIntVme = defineHelper({
  name: 'int_vme',
  nArgs: 2,
  reads: 'all',
  writes: 'all',
  fn: (cpu: X86Cpu, intno: number, nextEip: number) => intVme(cpu, intno & 0xff, nextEip),
});
