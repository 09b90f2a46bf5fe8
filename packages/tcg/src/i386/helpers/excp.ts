import { cpuLoopExit, cpuLoopExitRestore } from '../../core/exec/cpu-state.js';
import { EXCP_RESET_REQUEST, EXCP0E_PAGE, EXCP08_DBLE } from '../cpu/constants.js';
import { SYS } from '../cpu/state-layout.js';
import type { X86Cpu } from '../cpu/x86-cpu.js';

/** Contributory exceptions: #DE and #TS #NP #SS #GP. */
function contributory(intno: number): boolean {
  return intno === 0 || (intno >= 10 && intno <= 13);
}

/**
 * The double-fault rules (QEMU's check_exception): an exception raised while another
 * one is being delivered may become #DF, and one raised while #DF is being delivered is a
 * triple fault, which asks the machine for a reset. Returns the exception to deliver, or
 * -1 after a triple fault (already turned into EXCP_RESET_REQUEST).
 */
function checkException(cpu: X86Cpu, intno: number): number {
  const sys = cpu.sys;
  const old = sys[SYS.OLD_EXCEPTION];
  if (old === EXCP08_DBLE) {
    if (cpu.log.enabled('int')) cpu.log.write('int', 'Triple fault\n');
    cpu.resetRequested = true;
    sys[SYS.OLD_EXCEPTION] = -1;
    return -1;
  }
  let n = intno;
  if (
    old >= 0 &&
    ((contributory(old) && contributory(n)) ||
      (old === EXCP0E_PAGE && (contributory(n) || n === EXCP0E_PAGE)))
  ) {
    n = EXCP08_DBLE;
    sys[SYS.ERROR_CODE] = 0;
  }
  if (contributory(n) || n === EXCP0E_PAGE || n === EXCP08_DBLE) sys[SYS.OLD_EXCEPTION] = n;
  return n;
}

/** Record the exception for doInterrupt (QEMU's raise_interrupt2 without the exit). */
export function setPendingException(
  cpu: X86Cpu,
  intno: number,
  isInt: boolean,
  errorCode: number,
  nextEip: number,
): void {
  const sys = cpu.sys;
  sys[SYS.ERROR_CODE] = errorCode;
  let n = intno;
  if (!isInt) {
    // A faulting instruction did not complete: no data-breakpoint trap after it.
    cpu.forgetDebugTrap();
    n = checkException(cpu, intno);
    if (n < 0) {
      cpu.exceptionIndex = EXCP_RESET_REQUEST;
      return;
    }
  }
  cpu.exceptionIndex = n;
  sys[SYS.EXCEPTION_IS_INT] = isInt ? 1 : 0;
  sys[SYS.EXCEPTION_NEXT_EIP] = nextEip;
}

/**
 * Raise a fault from a helper or the TLB fill: the guest state goes back to the start of
 * the faulting instruction (cpu_loop_exit_restore). No error code is pushed unless the
 * vector is one that has one (8, 10-14, 17).
 */
export function raiseException(cpu: X86Cpu, intno: number, errorCode = 0): never {
  setPendingException(cpu, intno, false, errorCode, 0);
  return cpuLoopExitRestore(cpu);
}

/**
 * Raise an exception whose EIP the caller already set (translated code stored it, or a
 * trap such as #DB after single-step): cpu_loop_exit without restoring.
 */
export function raiseExceptionNoRestore(cpu: X86Cpu, intno: number, errorCode = 0): never {
  setPendingException(cpu, intno, false, errorCode, 0);
  return cpuLoopExit(cpu);
}

/** INT n / INT3 / INTO: a software interrupt returning to `nextEip` (EIP is already set). */
export function raiseSoftwareInterrupt(cpu: X86Cpu, intno: number, nextEip: number): never {
  setPendingException(cpu, intno, true, 0, nextEip);
  return cpuLoopExit(cpu);
}
