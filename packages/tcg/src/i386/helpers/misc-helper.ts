/**
 * Helpers for system and miscellaneous instructions (QEMU's misc_helper.c, bpt_helper.c,
 * svm-free parts of seg_helper.c): CPUID, RDTSC, RDMSR/WRMSR, port I/O with its permission
 * check, HLT, control and debug registers, EFLAGS pushes and pops, and the helpers that
 * raise exceptions from generated code.
 */
import { cpuLoopExit, EXCP_HLT } from '../../core/exec/cpu-state.js';
import { defineHelper } from '../../core/ir/helper.js';
import {
  APICBASE_BSP,
  CR0_PE,
  CR0_TS,
  CR4_DE,
  CR4_PAE,
  CR4_PGE,
  CR4_PSE,
  CR4_PVI,
  CR4_TSD,
  CR4_VME,
  DR6_BS,
  EFER_NXE,
  EFER_SCE,
  EXCP_SHUTDOWN_REQUEST,
  EXCP0D_GPF,
  EXCP01_DB,
  EXCP06_ILLOP,
  HF_INHIBIT_IRQ,
  MSR_EFER,
  MSR_IA32_APICBASE,
  MSR_IA32_MISC_ENABLE,
  MSR_IA32_SYSENTER_CS,
  MSR_IA32_SYSENTER_EIP,
  MSR_IA32_SYSENTER_ESP,
  MSR_IA32_TSC,
  MSR_MCG_CAP,
  MSR_MCG_STATUS,
  MSR_MTRRcap,
  MSR_MTRRdefType,
  MSR_MTRRfix4K_C0000,
  MSR_MTRRfix4K_F8000,
  MSR_MTRRfix16K_80000,
  MSR_MTRRfix16K_A0000,
  MSR_MTRRfix64K_00000,
  MSR_MTRRphysBase0,
  MSR_MTRRphysMask7,
  MSR_PAT,
  MTRRCAP_VALUE,
  R_EAX,
  R_EBX,
  R_ECX,
  R_EDX,
  R_TR,
  RF_MASK,
  VM_MASK,
} from '../cpu/constants.js';
import { CPUID_EXT2_NX, CPUID_VME, cpuidLeaf } from '../cpu/cpuid.js';
import { G_CC, G_DF, G_REGS, SYS } from '../cpu/state-layout.js';
import type { X86Cpu } from '../cpu/x86-cpu.js';
import { takePendingDebugBits } from './debug-helper.js';
import { raiseException, raiseExceptionNoRestore, raiseSoftwareInterrupt } from './excp.js';
import { ldubKernel, lduwKernel } from './mem.js';

const [EAX, ECX, EDX, EBX] = [G_REGS[R_EAX], G_REGS[R_ECX], G_REGS[R_EDX], G_REGS[R_EBX]];

// ---- exceptions from generated code ----------------------------------------------------

/** raise_exception(intno): EIP already points at the faulting instruction. */
export const helperRaiseException = defineHelper({
  name: 'raise_exception',
  nArgs: 1,
  reads: 'none',
  writes: 'none',
  fn: (cpu: X86Cpu, intno: number) => raiseExceptionNoRestore(cpu, intno),
});

/** raise_exception_err(intno, error_code): EIP already set. */
export const helperRaiseExceptionErr = defineHelper({
  name: 'raise_exception_err',
  nArgs: 2,
  reads: 'none',
  writes: 'none',
  fn: (cpu: X86Cpu, intno: number, err: number) => raiseExceptionNoRestore(cpu, intno, err),
});

/** A fault raised in the middle of an instruction: EIP comes from insn_start (#BR, #GP). */
export const helperRaiseFault = defineHelper({
  name: 'raise_fault',
  nArgs: 2,
  reads: 'none',
  writes: 'none',
  fn: (cpu: X86Cpu, intno: number, err: number) => raiseException(cpu, intno, err),
});

/** INT n / INT3 / INTO: EIP points at the INT, `nextEip` after it. */
export const helperRaiseInterrupt = defineHelper({
  name: 'raise_interrupt',
  nArgs: 2,
  reads: 'none',
  writes: 'none',
  fn: (cpu: X86Cpu, intno: number, nextEip: number) => raiseSoftwareInterrupt(cpu, intno, nextEip),
});

/** Single-step trap after an instruction with EFLAGS.TF set (EIP is the next instruction). */
export const helperSingleStep = defineHelper({
  name: 'single_step',
  nArgs: 0,
  reads: 'none',
  writes: 'none',
  fn: (cpu: X86Cpu) => {
    // Data breakpoints met by the same instruction are reported with BS in one #DB.
    takePendingDebugBits(cpu, DR6_BS);
    raiseExceptionNoRestore(cpu, EXCP01_DB);
  },
});

/**
 * `-d cpu`: the register state at the start of a TB (the TB passes its EIP, which a
 * chained entry has not stored yet).
 */
export const helperLogCpu = defineHelper({
  name: 'log_cpu_state',
  nArgs: 1,
  reads: 'all',
  writes: 'none',
  canRaise: false,
  fn: (cpu: X86Cpu, eip: number) => {
    cpu.log.write('cpu', cpu.dumpState({ ccop: true, eip, fpu: cpu.log.enabled('fpu') }));
  },
});

/** End the interrupt shadow (the TB after STI/MOV SS does it at its end). */
export const helperResetInhibitIrq = defineHelper({
  name: 'reset_inhibit_irq',
  nArgs: 0,
  reads: 'none',
  writes: 'none',
  canRaise: false,
  fn: (cpu: X86Cpu) => {
    cpu.sys[SYS.HFLAGS] &= ~HF_INHIBIT_IRQ;
  },
});

export const helperSetInhibitIrq = defineHelper({
  name: 'set_inhibit_irq',
  nArgs: 0,
  reads: 'none',
  writes: 'none',
  canRaise: false,
  fn: (cpu: X86Cpu) => {
    cpu.sys[SYS.HFLAGS] |= HF_INHIBIT_IRQ;
  },
});

/** HLT (EIP already points after it). */
export const helperHlt = defineHelper({
  name: 'hlt',
  nArgs: 0,
  reads: 'none',
  writes: 'none',
  fn: (cpu: X86Cpu) => {
    cpu.sys[SYS.HFLAGS] &= ~HF_INHIBIT_IRQ;
    cpu.halted = true;
    cpu.exceptionIndex = EXCP_HLT;
    cpuLoopExit(cpu);
  },
});

// ---- EFLAGS ----------------------------------------------------------------------------

/** PUSHF's value: EFLAGS without VM and RF. */
export const helperReadEflags = defineHelper({
  name: 'read_eflags',
  nArgs: 0,
  hasReturn: true,
  reads: [...G_CC, G_DF],
  writes: 'none',
  canRaise: false,
  fn: (cpu: X86Cpu) => cpu.eflags & ~(VM_MASK | RF_MASK),
});

/** POPF and friends: write the EFLAGS bits in `mask` (the arithmetic flags and DF always). */
export const helperWriteEflags = defineHelper({
  name: 'write_eflags',
  nArgs: 2,
  reads: 'none',
  writes: 'all',
  canRaise: false,
  fn: (cpu: X86Cpu, value: number, mask: number) => cpu.loadEflags(value, mask),
});

// ---- CPUID, RDTSC, MSRs ---------------------------------------------------------------

export const helperCpuid = defineHelper({
  name: 'cpuid',
  nArgs: 0,
  reads: [EAX, ECX],
  writes: [EAX, EBX, ECX, EDX],
  canRaise: false,
  fn: (cpu: X86Cpu) => {
    const [a, b, c, d] = cpuidLeaf(cpu.model, cpu.regs[R_EAX], cpu.apicId);
    cpu.regs[R_EAX] = a;
    cpu.regs[R_EBX] = b;
    cpu.regs[R_ECX] = c;
    cpu.regs[R_EDX] = d;
  },
});

export const helperRdtsc = defineHelper({
  name: 'rdtsc',
  nArgs: 0,
  reads: 'none',
  writes: [EAX, EDX],
  fn: (cpu: X86Cpu) => {
    if (cpu.cr4 & CR4_TSD && cpu.cpl !== 0) raiseException(cpu, EXCP0D_GPF, 0);
    const [lo, hi] = cpu.readTsc();
    cpu.regs[R_EAX] = lo;
    cpu.regs[R_EDX] = hi;
  },
});

/** Fixed-range MTRR MSR number -> index 0-10. */
function fixedMtrrIndex(msr: number): number {
  if (msr === MSR_MTRRfix64K_00000) return 0;
  if (msr === MSR_MTRRfix16K_80000) return 1;
  if (msr === MSR_MTRRfix16K_A0000) return 2;
  if (msr >= MSR_MTRRfix4K_C0000 && msr <= MSR_MTRRfix4K_F8000)
    return 3 + (msr - MSR_MTRRfix4K_C0000);
  return -1;
}

/** IA32_EFER exists when CPUID.80000001H claims NX (the only EFER feature here). */
function hasEfer(cpu: X86Cpu): boolean {
  return ((cpu.model.featuresExtEdx ?? 0) & CPUID_EXT2_NX) !== 0;
}

function eferValidBits(cpu: X86Cpu): number {
  return EFER_SCE | (hasEfer(cpu) ? EFER_NXE : 0);
}

/** RDMSR: [lo, hi] into the cpu's scratch, false when the MSR does not exist (#GP). */
function readMsr(cpu: X86Cpu, msr: number): boolean {
  const sys = cpu.sys;
  const out = cpu.scratch;
  let lo = 0;
  let hi = 0;
  const fixed = fixedMtrrIndex(msr);
  if (fixed >= 0) {
    lo = cpu.mtrr[fixed * 2];
    hi = cpu.mtrr[fixed * 2 + 1];
  } else if (msr >= MSR_MTRRphysBase0 && msr <= MSR_MTRRphysMask7) {
    const k = 22 + (msr - MSR_MTRRphysBase0) * 2;
    lo = cpu.mtrr[k];
    hi = cpu.mtrr[k + 1];
  } else {
    switch (msr) {
      case MSR_IA32_TSC:
        [lo, hi] = cpu.readTsc();
        break;
      case MSR_IA32_APICBASE:
        if (cpu.apic) {
          const v = cpu.apic.readBaseMsr();
          lo = v % 0x100000000;
          hi = Math.floor(v / 0x100000000);
        } else {
          lo = sys[SYS.APICBASE_LO];
          hi = sys[SYS.APICBASE_HI];
        }
        break;
      case MSR_MTRRcap:
        lo = MTRRCAP_VALUE;
        break;
      case MSR_IA32_SYSENTER_CS:
        lo = sys[SYS.SYSENTER_CS];
        break;
      case MSR_IA32_SYSENTER_ESP:
        lo = sys[SYS.SYSENTER_ESP];
        break;
      case MSR_IA32_SYSENTER_EIP:
        lo = sys[SYS.SYSENTER_EIP];
        break;
      case MSR_MCG_CAP:
        lo = 0; // no MCA banks
        break;
      case MSR_MCG_STATUS:
        lo = sys[SYS.MCG_STATUS];
        break;
      case MSR_IA32_MISC_ENABLE:
        lo = sys[SYS.MISC_ENABLE];
        break;
      case MSR_PAT:
        lo = sys[SYS.PAT_LO];
        hi = sys[SYS.PAT_HI];
        break;
      case MSR_MTRRdefType:
        lo = sys[SYS.MTRR_DEFTYPE];
        break;
      case MSR_EFER:
        if (!hasEfer(cpu)) return false;
        lo = sys[SYS.EFER_LO];
        break;
      default:
        return false;
    }
  }
  out[0] = lo;
  out[1] = hi;
  return true;
}

function writeMsr(cpu: X86Cpu, msr: number, lo: number, hi: number): boolean {
  const sys = cpu.sys;
  const fixed = fixedMtrrIndex(msr);
  if (fixed >= 0) {
    cpu.mtrr[fixed * 2] = lo;
    cpu.mtrr[fixed * 2 + 1] = hi;
    return true;
  }
  if (msr >= MSR_MTRRphysBase0 && msr <= MSR_MTRRphysMask7) {
    const k = 22 + (msr - MSR_MTRRphysBase0) * 2;
    cpu.mtrr[k] = lo;
    cpu.mtrr[k + 1] = hi;
    return true;
  }
  switch (msr) {
    case MSR_IA32_TSC:
      cpu.writeTsc(lo, hi);
      return true;
    case MSR_IA32_APICBASE:
      if (cpu.apic) return cpu.apic.writeBaseMsr((hi >>> 0) * 0x100000000 + (lo >>> 0));
      if (hi & ~0xf || lo & 0x2ff) return false;
      sys[SYS.APICBASE_LO] = (lo & ~APICBASE_BSP) | (sys[SYS.APICBASE_LO] & APICBASE_BSP);
      sys[SYS.APICBASE_HI] = hi;
      return true;
    case MSR_IA32_SYSENTER_CS:
      sys[SYS.SYSENTER_CS] = lo & 0xffff;
      return true;
    case MSR_IA32_SYSENTER_ESP:
      sys[SYS.SYSENTER_ESP] = lo;
      return true;
    case MSR_IA32_SYSENTER_EIP:
      sys[SYS.SYSENTER_EIP] = lo;
      return true;
    case MSR_MCG_STATUS:
      sys[SYS.MCG_STATUS] = lo;
      return true;
    case MSR_IA32_MISC_ENABLE:
      sys[SYS.MISC_ENABLE] = lo;
      return true;
    case MSR_PAT:
      sys[SYS.PAT_LO] = lo;
      sys[SYS.PAT_HI] = hi;
      return true;
    case MSR_MTRRdefType:
      sys[SYS.MTRR_DEFTYPE] = lo & 0xcff;
      return true;
    case MSR_MTRRcap:
    case MSR_MCG_CAP:
      return false;
    case MSR_EFER: {
      // Only SCE and (when CPUID claims NX) NXE exist on a 32-bit CPU; anything else is #GP.
      if (!hasEfer(cpu) || hi !== 0 || lo & ~eferValidBits(cpu)) return false;
      cpu.setEfer(lo);
      return true;
    }
    default:
      return false;
  }
}

export const helperRdmsr = defineHelper({
  name: 'rdmsr',
  nArgs: 0,
  reads: [ECX],
  writes: [EAX, EDX],
  fn: (cpu: X86Cpu) => {
    const msr = cpu.regs[R_ECX] >>> 0;
    if (!readMsr(cpu, msr)) {
      if (cpu.log.enabled('unimp'))
        cpu.log.write('unimp', `rdmsr: unknown MSR 0x${msr.toString(16)}\n`);
      raiseException(cpu, EXCP0D_GPF, 0);
    }
    cpu.regs[R_EAX] = cpu.scratch[0];
    cpu.regs[R_EDX] = cpu.scratch[1];
  },
});

export const helperWrmsr = defineHelper({
  name: 'wrmsr',
  nArgs: 0,
  reads: [EAX, ECX, EDX],
  writes: 'none',
  fn: (cpu: X86Cpu) => {
    const msr = cpu.regs[R_ECX] >>> 0;
    if (!writeMsr(cpu, msr, cpu.regs[R_EAX], cpu.regs[R_EDX])) {
      if (cpu.log.enabled('unimp'))
        cpu.log.write('unimp', `wrmsr: MSR 0x${msr.toString(16)} refused\n`);
      raiseException(cpu, EXCP0D_GPF, 0);
    }
  },
});

// ---- port I/O ------------------------------------------------------------------------

/**
 * The I/O permission check when CPL > IOPL or in virtual-8086 mode (QEMU's check_io):
 * every bit of the port range must be clear in the TSS I/O bitmap.
 */
export function checkIo(cpu: X86Cpu, port: number, size: number): void {
  const trFlags = cpu.segFlags[R_TR];
  // A 32-bit TSS present, with a limit that covers the bitmap base.
  if (!(trFlags & (1 << 15)) || ((trFlags >> 8) & 0xf) !== 11 || cpu.segLimit[R_TR] >>> 0 < 103) {
    raiseException(cpu, EXCP0D_GPF, 0);
  }
  const base = cpu.segBase[R_TR];
  const ioOffset = lduwKernel(cpu, base + 0x66) + (port >> 3);
  if (ioOffset + 1 > cpu.segLimit[R_TR] >>> 0) raiseException(cpu, EXCP0D_GPF, 0);
  const v = ldubKernel(cpu, base + ioOffset) | (ldubKernel(cpu, base + ioOffset + 1) << 8);
  const mask = (1 << size) - 1;
  if ((v >> (port & 7)) & mask) raiseException(cpu, EXCP0D_GPF, 0);
}

export const helperCheckIo = defineHelper({
  name: 'check_io',
  nArgs: 2,
  reads: 'none',
  writes: 'none',
  fn: (cpu: X86Cpu, port: number, size: number) => checkIo(cpu, port & 0xffff, size),
});

function ioSize(size: number): 1 | 2 | 4 {
  return size === 1 ? 1 : size === 2 ? 2 : 4;
}

export const helperIn = defineHelper({
  name: 'in',
  nArgs: 2,
  hasReturn: true,
  reads: 'none',
  writes: 'none',
  canRaise: false,
  fn: (cpu: X86Cpu, port: number, size: number) => cpu.io.read(port & 0xffff, ioSize(size)),
});

export const helperOut = defineHelper({
  name: 'out',
  nArgs: 3,
  reads: 'none',
  writes: 'none',
  canRaise: false,
  fn: (cpu: X86Cpu, port: number, value: number, size: number) => {
    const s = ioSize(size);
    cpu.io.write(port & 0xffff, s, s === 4 ? value >>> 0 : value & ((1 << (8 * s)) - 1));
  },
});

// ---- control and debug registers -----------------------------------------------------

const CR4_ALWAYS_VALID =
  CR4_TSD | CR4_DE | CR4_PSE | CR4_PAE | (1 << 6) | CR4_PGE | (1 << 8) | (1 << 9) | (1 << 10);

/** CR4 bits this CPU accepts: VME and PVI only when CPUID claims `vme`. */
function cr4ValidBits(cpu: X86Cpu): number {
  return CR4_ALWAYS_VALID | (cpu.model.featuresEdx & CPUID_VME ? CR4_VME | CR4_PVI : 0);
}

/** MOV CRn, r32 (QEMU's helper_write_crN). */
export function writeCr(cpu: X86Cpu, reg: number, value: number): void {
  switch (reg) {
    case 0: {
      // PG without PE, or NW without CD, is #GP(0); CR0 bits 32-63 don't exist here.
      const v = value | 0;
      if (v & (1 << 31) && !(v & CR0_PE)) raiseException(cpu, EXCP0D_GPF, 0);
      if (v & (1 << 29) && !(v & (1 << 30))) raiseException(cpu, EXCP0D_GPF, 0);
      cpu.setCr0(v);
      return;
    }
    case 2:
      cpu.sys[SYS.CR2] = value;
      return;
    case 3:
      cpu.setCr3(value);
      return;
    case 4:
      if (value & ~cr4ValidBits(cpu)) raiseException(cpu, EXCP0D_GPF, 0);
      cpu.setCr4(value);
      return;
    default:
      raiseException(cpu, EXCP06_ILLOP);
  }
}

export const helperWriteCr = defineHelper({
  name: 'write_crN',
  nArgs: 2,
  reads: 'none',
  writes: 'none',
  fn: (cpu: X86Cpu, reg: number, value: number) => writeCr(cpu, reg, value),
});

export const helperReadCr = defineHelper({
  name: 'read_crN',
  nArgs: 1,
  hasReturn: true,
  reads: 'none',
  writes: 'none',
  canRaise: false,
  fn: (cpu: X86Cpu, reg: number) => {
    switch (reg) {
      case 0:
        return cpu.sys[SYS.CR0];
      case 2:
        return cpu.sys[SYS.CR2];
      case 3:
        return cpu.sys[SYS.CR3];
      default:
        return cpu.sys[SYS.CR4];
    }
  },
});

/** LMSW: the low four bits of CR0; PE can be set but not cleared. */
export const helperLmsw = defineHelper({
  name: 'lmsw',
  nArgs: 1,
  reads: 'none',
  writes: 'none',
  fn: (cpu: X86Cpu, v: number) => writeCr(cpu, 0, (cpu.sys[SYS.CR0] & ~0xe) | (v & 0xf)),
});

export const helperClts = defineHelper({
  name: 'clts',
  nArgs: 0,
  reads: 'none',
  writes: 'none',
  canRaise: false,
  fn: (cpu: X86Cpu) => cpu.setCr0(cpu.sys[SYS.CR0] & ~CR0_TS),
});

export const helperInvlpg = defineHelper({
  name: 'invlpg',
  nArgs: 1,
  reads: 'none',
  writes: 'none',
  canRaise: false,
  fn: (cpu: X86Cpu, addr: number) => cpu.tlb.flushPage(addr),
});

/** A CPU-requested shutdown (not used by any instruction yet; kept for the machine). */
export function requestShutdown(cpu: X86Cpu): never {
  cpu.exceptionIndex = EXCP_SHUTDOWN_REQUEST;
  return cpuLoopExit(cpu);
}
