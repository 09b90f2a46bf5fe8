/**
 * Per-CPU working state of the MMX/SSE helpers: the SSE FloatStatus (loaded from MXCSR
 * on every call), typed views of the XMM and x87 register arrays, and two 128-bit
 * scratch operands with views of every lane width, so that helpers allocate nothing.
 *
 * X86Cpu has no field for it (the CPU class is shared by three translators), so it lives
 * in a WeakMap keyed by the CPU: one entry per CPU, created on first use and collected
 * with the CPU. Two machines in one process never share an entry.
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

const envs = new WeakMap<X86Cpu, SimdEnv>();

/** The SIMD working state of `cpu`. */
export function simdEnv(cpu: X86Cpu): SimdEnv {
  let env = envs.get(cpu);
  if (env === undefined) {
    env = new SimdEnv();
    envs.set(cpu, env);
  }
  return env;
}
