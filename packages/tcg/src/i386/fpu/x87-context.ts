/**
 * Per-CPU working space of the x87 helpers: the FloatStatus that @tsemu/softfloat computes
 * in (rounding and precision control from the FCW, accumulated flags), operand and result
 * holders, and the byte images that loads and stores of wide formats travel through.
 *
 * Nothing in here is architectural state (that lives in the CPU's state arrays): it is
 * scratch, reused by every helper so that the hot path allocates nothing. Each CPU has its
 * own, in `X86Cpu.x87Context`; two CPUs never share one.
 */
import { FloatStatus, Floatx80, Word64 } from '@tsemu/softfloat';
import { FPU } from '../cpu/state-layout.js';
import type { X86Cpu } from '../cpu/x86-cpu.js';

/** The largest FSAVE image (32-bit layout: 28 bytes of environment, 80 of registers). */
export const X87_IMAGE_SIZE = 108;

export class X87Context {
  /** Modes and flags of the operation being computed. */
  readonly status = new FloatStatus();
  /** The control word `status` was last set from (-1: never). */
  statusFcw = -1;
  /** Operands and results. */
  readonly a = new Floatx80();
  readonly b = new Floatx80();
  readonly result = new Floatx80();
  readonly result2 = new Floatx80();
  readonly word = new Word64();
  /** Packed BCD operand or result (10 bytes, memory order). */
  readonly bcd = new Uint8Array(10);
  /**
   * What a store writes, prepared before the guest memory is touched (so a fault leaves
   * the FPU unchanged): up to 10 bytes as dword 0, dword 1 and a 16-bit word.
   */
  readonly pending = new Int32Array(3);
  /** The prepared store's outcome, applied when the store has been done (see load-store.ts). */
  storeFlags = 0;
  storeRoundedUp = false;
  storeUnderflow = false;
  /** An FSTENV/FSAVE image being written, or an FLDENV/FRSTOR image being read. */
  readonly image = new Uint8Array(X87_IMAGE_SIZE);
  readonly imageView = new DataView(this.image.buffer);
}

/** The x87 working space of `cpu` (created on first use). */
export function x87Context(cpu: X86Cpu): X87Context {
  return cpu.x87Context ?? newX87Context(cpu);
}

function newX87Context(cpu: X86Cpu): X87Context {
  cpu.x87Context = new X87Context();
  return cpu.x87Context;
}

/**
 * Starts an operation: the status takes rounding control, precision control and the
 * exception masks from the current FCW, with no flags raised yet.
 */
export function beginOperation(cpu: X86Cpu): X87Context {
  const context = x87Context(cpu);
  const status = context.status;
  const fcw = cpu.fpu[FPU.FCW];
  if (fcw !== context.statusFcw) {
    status.setX87ControlWord(fcw);
    context.statusFcw = fcw;
  }
  status.flags = 0;
  status.roundedUp = false;
  return context;
}
