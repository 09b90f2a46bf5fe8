/**
 * The segment limit and type check of data accesses made by helpers (string instructions),
 * with the same precomputed windows as generated code (SEG_CHECK_ARRAY).
 */
import { EXCP0C_STACK, EXCP0D_GPF, HF_SEGCHK_SHIFT, R_SS } from '../cpu/constants.js';
import { SYS, segCheckSlot } from '../cpu/state-layout.js';
import type { X86Cpu } from '../cpu/x86-cpu.js';
import { raiseException } from './excp.js';

/** Does segment `seg` need checks at all (its HF_SEGCHK bit)? */
export function segmentNeedsCheck(cpu: X86Cpu, seg: number): boolean {
  return ((cpu.sys[SYS.HFLAGS] >>> HF_SEGCHK_SHIFT) & (1 << seg)) !== 0;
}

/** True when an access of `size` bytes at `offset` in segment `seg` is allowed. */
export function segmentAllows(
  cpu: X86Cpu,
  seg: number,
  offset: number,
  size: number,
  write: boolean,
): boolean {
  const slot = segCheckSlot(seg, write, size);
  const w = cpu.segCheck;
  return (offset - w[slot]) >>> 0 < w[slot + 1] >>> 0;
}

/** Raise #GP(0), or #SS(0) for SS, unless the access is allowed. */
export function checkSegmentAccess(
  cpu: X86Cpu,
  seg: number,
  offset: number,
  size: number,
  write: boolean,
): void {
  if (!segmentAllows(cpu, seg, offset, size, write))
    raiseException(cpu, seg === R_SS ? EXCP0C_STACK : EXCP0D_GPF, 0);
}
