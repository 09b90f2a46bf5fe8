/**
 * Per-CPU working state of the MMX/SSE helpers: the SSE FloatStatus (loaded from MXCSR
 * on every call), typed views of the XMM and x87 register arrays, and two 128-bit
 * scratch operands with views of every lane width, so that helpers allocate nothing.
 *
 * Each CPU has its own, in `X86Cpu.simdEnv`, made on first use; two machines in one process
 * never share one.
 */
import { FloatStatus, Word64 } from '@tsemu/softfloat';
import type { X86Cpu } from '../cpu/x86-cpu.js';

/** A 128-bit value with views of every lane width over the same bytes (little-endian). */
export class Vec128 {
  readonly i32 = new Int32Array(4);
  readonly u32 = new Uint32Array(this.i32.buffer);
  readonly i16 = new Int16Array(this.i32.buffer);
  readonly u16 = new Uint16Array(this.i32.buffer);
  readonly i8 = new Int8Array(this.i32.buffer);
  readonly u8 = new Uint8Array(this.i32.buffer);
  readonly f32 = new Float32Array(this.i32.buffer);
  readonly f64 = new Float64Array(this.i32.buffer);
}

export class SimdEnv {
  /** The SSE rounding mode, FTZ, DAZ and masks (from MXCSR) and the flags of one operation. */
  readonly status = new FloatStatus();
  /** Destination and source operands of the helper being run. */
  readonly a = new Vec128();
  readonly b = new Vec128();
  /** The result being built (copied to the destination only when nothing faulted). */
  readonly r = new Vec128();
  /** Scratch for bit-pattern conversions of single values. */
  readonly t = new Vec128();
  /** Word64 holders for the float64 operations of @tsemu/softfloat. */
  readonly wa = new Word64();
  readonly wb = new Word64();
  readonly wr = new Word64();
}

/** The SIMD working state of `cpu` (created on first use). */
export function simdEnv(cpu: X86Cpu): SimdEnv {
  return cpu.simdEnv ?? newSimdEnv(cpu);
}

function newSimdEnv(cpu: X86Cpu): SimdEnv {
  cpu.simdEnv = new SimdEnv();
  return cpu.simdEnv;
}
