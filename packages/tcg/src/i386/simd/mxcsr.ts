/**
 * MXCSR and the delivery of SIMD floating-point exceptions (#XM).
 *
 * A helper calls `beginSse` (the FloatStatus takes rounding, FTZ, DAZ and the masks from
 * MXCSR; its flags are cleared), runs the @tsemu/softfloat operations of every lane, then
 * `finishSse` before it writes the destination. When an enabled (unmasked) exception was
 * detected, the destination is left alone, the flags go to MXCSR as the SDM (11.5.2)
 * says, and #XM is raised, or #UD when CR4.OSXMMEXCPT is clear.
 */

import type { FloatStatus } from '@tsemu/softfloat';
import { CR4_OSXMMEXCPT, EXCP06_ILLOP } from '../cpu/constants.js';
import { FPU, SYS } from '../cpu/state-layout.js';
import type { X86Cpu } from '../cpu/x86-cpu.js';
import { raiseException } from '../helpers/excp.js';
import type { SimdEnv } from './env.js';

/** #XM, the SIMD floating-point exception (vector 19). */
export const EXCP13_XM = 19;

/** MXCSR bits. Flags 0-5 and masks 7-12 have the FloatFlag layout. */
export const MXCSR_IE = 0x0001;
export const MXCSR_DE = 0x0002;
export const MXCSR_ZE = 0x0004;
export const MXCSR_OE = 0x0008;
export const MXCSR_UE = 0x0010;
export const MXCSR_PE = 0x0020;
/** Denormals are zero. */
export const MXCSR_DAZ = 0x0040;
export const MXCSR_MASK_SHIFT = 7;
/** Precision mask (PM). */
export const MXCSR_PM = 0x1000;
/** Rounding control, bits 13-14. */
export const MXCSR_RC = 0x6000;
/** Flush to zero. */
export const MXCSR_FZ = 0x8000;
/** The writable bits, as FXSAVE reports them in MXCSR_MASK (DAZ included). */
export const MXCSR_WRITABLE = 0xffff;
/** MXCSR after RESET. */
export const MXCSR_RESET = 0x1f80;

/** fpu[] slot of MXCSR (a local alias: see helper-shapes.ts). */
const MXCSR_SLOT = FPU.MXCSR;

/** Exceptions detected before the computation (SDM 11.5.2: invalid, denormal, divide). */
const PRE_COMPUTATION = MXCSR_IE | MXCSR_DE | MXCSR_ZE;

/** Load the FloatStatus from MXCSR and clear its flags. */
export function beginSse(cpu: X86Cpu, env: SimdEnv): FloatStatus {
  const status = env.status;
  status.setMxcsr(cpu.fpu[MXCSR_SLOT]);
  status.flags = 0;
  return status;
}

/**
 * Merge the flags of the operation into MXCSR; raise #XM (or #UD) if one of them is
 * unmasked. Called before the destination is written.
 */
export function finishSse(cpu: X86Cpu, env: SimdEnv): void {
  const flags = env.status.flags;
  if (flags === 0) return;
  const mxcsr = cpu.fpu[MXCSR_SLOT];
  const unmasked = flags & ~(mxcsr >>> MXCSR_MASK_SHIFT) & 0x3f;
  if (unmasked === 0) {
    cpu.fpu[MXCSR_SLOT] = mxcsr | flags;
    return;
  }
  // An unmasked pre-computation exception stops every lane before its post-computation
  // checks: only the pre-computation flags (of all lanes) are recorded.
  cpu.fpu[MXCSR_SLOT] = mxcsr | (unmasked & PRE_COMPUTATION ? flags & PRE_COMPUTATION : flags);
  raiseSimdException(cpu);
}

/** #XM when the OS said it handles it (CR4.OSXMMEXCPT), else #UD. */
export function raiseSimdException(cpu: X86Cpu): never {
  raiseException(cpu, cpu.sys[SYS.CR4] & CR4_OSXMMEXCPT ? EXCP13_XM : EXCP06_ILLOP);
}

/** Round-to-nearest with PE already set and masked: inexact results need no bookkeeping. */
export function fastPathAllowed(mxcsr: number): boolean {
  return (mxcsr & (MXCSR_RC | MXCSR_PM | MXCSR_PE)) === (MXCSR_PM | MXCSR_PE);
}
