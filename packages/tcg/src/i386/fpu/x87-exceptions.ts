/**
 * x87 exception handling: folding an operation's flags into the status word with the
 * responses the hardware gives (host-checked, see docs/i386-x87.md), stack faults, and the
 * delivery of a pending unmasked exception at the next waiting instruction.
 *
 * Exceptions come in two kinds. IE, DE and ZE are detected before the result exists:
 * when one is unmasked the instruction is abandoned (no result, no push, no pop). OE, UE
 * and PE come with a result: a register destination receives it (softfloat wraps the
 * exponent of an unmasked OE/UE, as the 387 does) and the instruction completes; a
 * memory destination is left alone for an unmasked OE or UE, and the instruction is
 * abandoned then too. Either way an unmasked exception only sets ES and B here: the #MF
 * (or FERR#) comes at the next waiting x87 instruction.
 */
import { defineHelper } from '../../core/ir/helper.js';
import { CR0_NE, EXCP10_COPR } from '../cpu/constants.js';
import { FPU, SYS } from '../cpu/state-layout.js';
import type { X86Cpu } from '../cpu/x86-cpu.js';
import { raiseException } from '../helpers/excp.js';
import {
  FSW_B,
  FSW_C1,
  FSW_DE,
  FSW_ES,
  FSW_EXCEPTIONS,
  FSW_IE,
  FSW_OE,
  FSW_SF,
  FSW_UE,
  FSW_ZE,
} from './x87-state.js';

/**
 * Which unmasked exceptions abandon an instruction: IE, DE and ZE for a result that goes to
 * a register; OE and UE too for one that goes to memory; only IE for FLD m32fp/m64fp
 * (the host loads a denormal operand even when DE is unmasked).
 */
export const STOP_REGISTER = FSW_IE | FSW_DE | FSW_ZE;
export const STOP_MEMORY = STOP_REGISTER | FSW_OE | FSW_UE;
export const STOP_LOAD = FSW_IE;

/** ES and B when an exception flag is set and unmasked. */
function errorSummary(fsw: number, fcw: number): number {
  return fsw & ~fcw & FSW_EXCEPTIONS ? FSW_ES | FSW_B : 0;
}

/**
 * Whether an operation that raised `flags` delivers its result under control word `fcw`
 * (what completeOperation will answer, without changing anything: stores decide this
 * before they touch guest memory).
 */
export function deliversResult(fcw: number, flags: number, stopping: number): boolean {
  return (flags & ~fcw & stopping) === 0;
}

/**
 * Accounts the flags of an operation (FloatFlag bits, which are the FSW's) and sets C1 to
 * `roundedUp`. Returns true when the result must be delivered, false when an unmasked
 * exception in `stopping` abandons the instruction (then only the stopping exceptions
 * are reported, and C1 is cleared).
 */
export function completeOperation(
  cpu: X86Cpu,
  flags: number,
  roundedUp: boolean,
  stopping = STOP_REGISTER,
): boolean {
  const fpu = cpu.fpu;
  const fcw = fpu[FPU.FCW];
  let fsw = fpu[FPU.FSW] & ~FSW_C1;
  const deliver = (flags & ~fcw & stopping) === 0;
  if (deliver) fsw |= flags | (roundedUp ? FSW_C1 : 0);
  else fsw |= flags & stopping;
  fpu[FPU.FSW] = fsw | errorSummary(fsw, fcw);
  return deliver;
}

/**
 * Raises flags that come with no result to deliver (compares, FXAM...) without touching
 * the condition codes. Returns true when none of them is an unmasked IE/DE/ZE.
 */
export function raiseFlags(cpu: X86Cpu, flags: number): boolean {
  const fpu = cpu.fpu;
  const fcw = fpu[FPU.FCW];
  const fsw = fpu[FPU.FSW] | flags;
  fpu[FPU.FSW] = fsw | errorSummary(fsw, fcw);
  return (flags & ~fcw & STOP_REGISTER) === 0;
}

/**
 * A stack fault: IE and SF, with C1 = 1 for an overflow (push onto a full register) and
 * 0 for an underflow (an empty source). Returns true when IE is masked, that is when the
 * caller must apply the masked response (the real indefinite as the result).
 */
function stackFault(cpu: X86Cpu, overflow: boolean): boolean {
  const fpu = cpu.fpu;
  const fcw = fpu[FPU.FCW];
  const fsw = (fpu[FPU.FSW] & ~FSW_C1) | FSW_IE | FSW_SF | (overflow ? FSW_C1 : 0);
  fpu[FPU.FSW] = fsw | errorSummary(fsw, fcw);
  return (fcw & FSW_IE) !== 0;
}

/** Stack underflow (an operand register is empty). True: apply the masked response. */
export function stackUnderflow(cpu: X86Cpu): boolean {
  return stackFault(cpu, false);
}

/** Stack overflow (a push finds ST(7) in use). True: apply the masked response. */
export function stackOverflow(cpu: X86Cpu): boolean {
  return stackFault(cpu, true);
}

/** Recomputes ES and B after the FCW or FSW was loaded (FLDCW, FLDENV, FRSTOR). */
export function updateErrorSummary(cpu: X86Cpu): void {
  const fpu = cpu.fpu;
  const before = fpu[FPU.FSW];
  const fsw = before & ~(FSW_ES | FSW_B);
  const after = fsw | errorSummary(fsw, fpu[FPU.FCW]);
  fpu[FPU.FSW] = after;
  if (before & FSW_ES && !(after & FSW_ES)) cpu.ferr?.(false);
}

/** Clears the exception flags, SF, ES and B (FNCLEX; FNINIT clears everything itself). */
export function clearExceptions(cpu: X86Cpu): void {
  const fpu = cpu.fpu;
  const before = fpu[FPU.FSW];
  fpu[FPU.FSW] = before & ~(FSW_EXCEPTIONS | FSW_SF | FSW_ES | FSW_B);
  if (before & FSW_ES) cpu.ferr?.(false);
}

/**
 * A waiting x87 instruction (or WAIT) found ES set: with CR0.NE the exception is #MF at
 * this instruction; without it the FPU asserts FERR#, which a PC routes to IRQ13, and the
 * instruction goes on (QEMU does the same; the chipset's IGNNE# latch is the machine's).
 */
export function deliverPendingException(cpu: X86Cpu): void {
  if (cpu.sys[SYS.CR0] & CR0_NE) raiseException(cpu, EXCP10_COPR);
  cpu.ferr?.(true);
}

/** A waiting instruction's first step: deliver a pending exception if FSW.ES says so. */
export function checkPendingException(cpu: X86Cpu): void {
  if (cpu.fpu[FPU.FSW] & FSW_ES) deliverPendingException(cpu);
}

/**
 * Called by generated code before every waiting x87 instruction (and WAIT). A call rather
 * than an inline test and branch: a label per x87 instruction would cut the optimizer's
 * knowledge in the middle of FPU-heavy blocks, and the test is one array read.
 */
export const helperX87CheckPending = defineHelper({
  name: 'x87_fwait',
  nArgs: 0,
  reads: 'none',
  writes: 'none',
  canRaise: true,
  fn: checkPendingException,
});
